"""The status never contradicts itself: docs/statuses.md's table, checked on every read.

A property test drives the real Home Assistant and the simulated Immich through random
interleavings of uploads, a condition toggled, timed pauses, run now, switches, the limit and
Immich outages, and after every poll reads each queue's status, reason and counts from the
entities, as a user and an automation read them. The expected states come from the table in
docs/statuses.md (parsed here: written by hand, never by the code under test).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
import re

from freezegun.api import FrozenDateTimeFactory
from hypothesis import HealthCheck, Phase, event, given, settings, strategies as st
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.immich_jobs.const import DOMAIN
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from simulator.faults import Fault
from simulator.server import SimulatedImmich

from .helpers import call_switch, run_for, setup_one_slot

STATUSES = Path(__file__).resolve().parents[2] / "docs" / "statuses.md"
# What each "state with work" of the table allows the sensor to show.
SHOWN = {
    "Running": {"running"},
    "Queued": {"queued", "draining"},
    "Idle": {"idle"},
    "Held": {"held"},
    "Held in Immich": {"held_in_immich"},
    "as Immich shows": {"running", "draining", "queued"},
}
PREFIX = "immich_127_0_0_1"
QUEUES = (
    "sidecar_metadata",
    "metadata_extraction",
    "storage_template_migration",
    "thumbnail_generation",
    "smart_search",
    "duplicate_detection",
    "face_detection",
    "facial_recognition",
    "video_conversion",
    "ocr",
)
BOX_FREE = "input_boolean.box_free"


def _table() -> dict[str, str]:
    """Return docs/statuses.md's table: reason code -> state with work."""
    rows = re.findall(r"^\| `(\w+)` \| ([^|]+?) \|", STATUSES.read_text(), re.MULTILINE)
    return dict(rows)


TABLE = _table()


def test_the_table_lists_every_reason_once() -> None:
    """24 reasons, each with a state the sensor has."""
    assert len(TABLE) == 24
    assert set(TABLE.values()) <= set(SHOWN)


@dataclass(frozen=True)
class Seen:
    """One queue as Home Assistant shows it."""

    state: str
    reason: str | None
    reason_sensor: str
    pending: int
    active: int
    held_until: str | None


def _seen(hass: HomeAssistant, queue: str) -> Seen | None:
    status = hass.states.get(f"sensor.{PREFIX}_{queue}_status")
    if status is None or status.state == "unavailable":
        return None
    count = {
        key: hass.states.get(f"sensor.{PREFIX}_{queue}_{key}").state
        for key in ("pending", "active")
    }
    return Seen(
        state=status.state,
        reason=status.attributes.get("reason"),
        reason_sensor=hass.states.get(f"sensor.{PREFIX}_{queue}_reason").state,
        pending=int(count["pending"]),
        active=int(count["active"]),
        held_until=status.attributes.get("held_until"),
    )


def check(hass: HomeAssistant, history: list[str]) -> None:
    """Every queue's state agrees with its reason, its work and the table."""
    seen = {queue: view for queue in QUEUES if (view := _seen(hass, queue))}
    for view in seen.values():
        event(f"{view.state} · {view.reason}")
    anything_waits = any(view.pending or view.active for view in seen.values())
    for queue, view in seen.items():
        where = f"{queue}: {view} after {history}"
        has_work = view.pending > 0 or view.active > 0
        assert view.reason in TABLE, where
        assert view.reason_sensor == view.reason, where
        if not has_work:
            expected = {"held_in_immich" if view.reason == "held_in_immich" else "idle"}
        else:
            expected = SHOWN[TABLE[view.reason]]
            assert TABLE[view.reason] != "Idle", (
                f"an empty-queue reason with work: {where}"
            )
        assert view.state in expected, where
        if view.reason == "idle":
            assert not anything_waits, (
                f"nothing to do anywhere, yet work waits: {where}"
            )
        if view.reason == "paused_until":
            assert view.held_until is not None, where


@st.composite
def steps(draw: st.DrawFn) -> tuple[str, int, int]:
    """One thing a user, a phone or Immich does, then how long (s) until the next one."""
    kind = draw(
        st.sampled_from(
            [
                "photos",
                "videos",
                "backlog",
                "toggle",
                "pause",
                "resume",
                "run_now",
                "switch",
                "limit",
                "outage",
                "wait",
            ]
        )
    )
    amount = draw(st.integers(0, 40))
    return kind, amount, draw(st.integers(1, 30)) * 5


async def _call(hass: HomeAssistant, domain: str, service: str, **data: object) -> None:
    """Call an action as a user or an automation would, waiting for it to finish."""
    await hass.services.async_call(domain, service, data, blocking=True)


async def _act(
    hass: HomeAssistant, immich: SimulatedImmich, kind: str, amount: int
) -> None:
    queue = QUEUES[amount % len(QUEUES)]
    match kind:
        case "photos":
            immich.model.upload(photos=amount + 1)
        case "videos":
            immich.model.upload(videos=amount % 5 + 1)
        case "backlog":
            first, *rest = queue.split("_")
            name = first + "".join(word.capitalize() for word in rest)
            immich.model.enqueue(name.replace("sidecarMetadata", "sidecar"), amount * 5)
        case "toggle":
            await _call(hass, "input_boolean", "toggle", entity_id=BOX_FREE)
        case "pause":
            minutes = amount % 10 + 1
            await _call(hass, DOMAIN, "pause_processing", duration={"minutes": minutes})
        case "resume":
            await _call(hass, DOMAIN, "resume_processing")
        case "run_now":
            await _call(
                hass, "button", "press", entity_id=f"button.{PREFIX}_{queue}_run_now"
            )
        case "switch":
            await _call(
                hass, "switch", "toggle", entity_id=f"switch.{PREFIX}_{queue}_allowed"
            )
        case "limit":
            limit = f"number.{PREFIX}_max_concurrent_queues"
            await _call(hass, "number", "set_value", entity_id=limit, value=amount % 4)
        case "outage":
            immich.faults.add(
                Fault(kind="status", status=503, scope="reads", count=amount % 6 + 1)
            )


# 100 programs of up to 12 steps (about 10,000 polls checked): each runs on the system the last
# one left behind (one Home Assistant per test), so later programs start from states no
# set-up reaches (held queues with backlogs, a pause running, a condition off). Enough to meet
# every reason of the table several times in a few minutes on a busy 2-core machine; shrinking
# is off (it would replay steps on a changed system), a failure prints the steps instead.
@pytest.mark.usefixtures("entity_registry_enabled_by_default")
@settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(program=st.lists(steps(), min_size=1, max_size=12))
async def test_the_status_follows_the_table_on_every_read(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    program: list[tuple[str, int, int]],
) -> None:
    """Whatever happens, no queue with work is Idle, nothing is Held without work."""
    if config_entry.state is not ConfigEntryState.LOADED:
        assert await async_setup_component(
            hass, "input_boolean", {"input_boolean": {"box_free": {"initial": True}}}
        )
        immich.model.enqueue("videoConversion", 20, kind="video", duration=20)
        await setup_one_slot(
            hass,
            config_entry,
            max_running=2,
            express_lane=True,
            queue_conditions={
                "videoConversion": {"entity_id": BOX_FREE, "work_when": "on"}
            },
        )
    history: list[str] = []
    for kind, amount, seconds in program:
        history.append(f"{kind} {amount}")
        await _act(hass, immich, kind, amount)
        await hass.async_block_till_done(wait_background_tasks=True)
        check(hass, history)
        for _ in range(seconds // 5):
            await run_for(hass, freezer, immich, 5, step=5)
            check(hass, history)
        immich.faults.clear()


def _shown(hass: HomeAssistant, queue: str) -> tuple[str, str]:
    status = hass.states.get(f"sensor.{PREFIX}_{queue}_status")
    return status.state, status.attributes["reason"]


async def test_nothing_to_do_anywhere_only_while_nothing_waits(
    hass: HomeAssistant, immich: SimulatedImmich, config_entry: MockConfigEntry
) -> None:
    """Face detection held by its switch with 1,184 jobs: the empty queues are only ready."""
    immich.model.enqueue("faceDetection", 1184, duration=5)
    await setup_one_slot(hass, config_entry)
    await call_switch(hass, "turn_off", f"switch.{PREFIX}_face_detection_allowed")

    assert _shown(hass, "face_detection") == ("held", "held_by_switch")
    assert _shown(hass, "smart_search") == ("idle", "ready")


async def test_a_timed_pause_holds_work_and_leaves_empty_queues_idle(
    hass: HomeAssistant, immich: SimulatedImmich, config_entry: MockConfigEntry
) -> None:
    """Paused for 30 minutes: thumbnails with a backlog are Held, the empty queues Idle.

    Every empty queue says why nothing runs: the pause. An empty heavy queue (watched for
    uploads) once said "Empty while others work" while nothing worked.
    """
    immich.model.enqueue("thumbnailGeneration", 300, duration=5)
    await setup_one_slot(hass, config_entry)

    await _call(hass, DOMAIN, "pause_processing", duration={"minutes": 30})

    assert _shown(hass, "thumbnail_generation") == ("held", "paused_until")
    assert _shown(hass, "smart_search") == ("idle", "paused_until")
    assert _shown(hass, "video_conversion") == ("idle", "paused_until")
    assert _shown(hass, "metadata_extraction") == ("idle", "paused_until")


async def test_an_empty_queue_held_by_its_switch_is_idle(
    hass: HomeAssistant, immich: SimulatedImmich, config_entry: MockConfigEntry
) -> None:
    """Video conversion switched off with nothing to convert: Idle, saying its switch is off."""
    await setup_one_slot(hass, config_entry)
    await call_switch(hass, "turn_off", f"switch.{PREFIX}_video_conversion_allowed")

    assert _shown(hass, "video_conversion") == ("idle", "held_by_switch")


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_the_reason_sensor_offers_every_reason_to_pick(
    hass: HomeAssistant, immich: SimulatedImmich, config_entry: MockConfigEntry
) -> None:
    """The reason as a sensor's state: the automation editor lists its options to pick from."""
    immich.model.enqueue("thumbnailGeneration", 30, duration=10)
    immich.model.enqueue("videoConversion", 3, kind="video", duration=20)
    await setup_one_slot(hass, config_entry)

    reason = hass.states.get(f"sensor.{PREFIX}_video_conversion_reason")
    assert reason.state == "waits_for_slot"
    assert (
        reason.attributes["friendly_name"]
        == "Immich (127.0.0.1) Video conversion reason"
    )
    assert reason.attributes["options"] == [
        "slot",
        "run_now",
        "express",
        "ready",
        "kept_running",
        "waits_for_slot",
        "waits_for_finish",
        "waits_for_draining",
        "run_now_of_other",
        "no_work",
        "idle",
        "limit_zero",
        "paused_until",
        "held_by_switch",
        "outside_schedule",
        "held_by_entity",
        "uploads_arriving",
        "never_together",
        "held_in_immich",
        "held_by_rival",
        "scheduling_off",
        "grace_period",
        "retrying",
        "no_permission",
    ]
