"""Work when it suits the house, in a real Home Assistant against the simulated Immich.

Conditions are real helpers (schedule, input_boolean) or states a template binary sensor
would set; uploads arrive in the simulator. Time moves on both clocks together.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import homeassistant.util.dt as dt_util
from simulator.server import SimulatedImmich

from .helpers import commands, run_for, setup_one_slot

VIDEO = "videoConversion"
VIDEO_STATUS = "sensor.immich_127_0_0_1_video_conversion_status"
BOX_FREE = "input_boolean.box_free"
NIGHT = "schedule.immich_night"
NAS_HOT = "binary_sensor.nas_too_hot"
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _videos(immich: SimulatedImmich, count: int = 200) -> None:
    """Queue a long video backlog: 20 s a transcode."""
    immich.model.enqueue(VIDEO, count, kind="video", duration=20)


def _condition(entity_id: str, work_when: str = "on") -> dict[str, object]:
    return {
        "queue_conditions": {VIDEO: {"entity_id": entity_id, "work_when": work_when}}
    }


def _video_paused(immich: SimulatedImmich) -> bool:
    return immich.model.counts(VIDEO).is_paused


def _video_status(hass: HomeAssistant) -> tuple[str, dict[str, object]]:
    """Return the videos' status and what says why: reason, what holds them and its id."""
    state = hass.states.get(VIDEO_STATUS)
    assert state is not None
    keys = ("reason", "held_by", "held_by_entity_id")
    return state.state, {
        key: state.attributes[key] for key in keys if key in state.attributes
    }


async def _toggle(hass: HomeAssistant, service: str) -> None:
    await hass.services.async_call(
        "input_boolean", service, {"entity_id": BOX_FREE}, blocking=True
    )
    await hass.async_block_till_done(wait_background_tasks=True)


async def test_a_toggle_off_holds_the_queue_and_on_again_resumes_it(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Off: paused at once, its running job finishes, held by the toggle. On: it runs again.

    Back on one minute after going off, it waits for the 5-minute minimum time (counted from
    the off), then resumes within a poll.
    """
    assert await async_setup_component(
        hass,
        "input_boolean",
        {
            "input_boolean": {
                "box_free": {"initial": True, "name": "Box free for Immich"}
            }
        },
    )
    _videos(immich)
    await setup_one_slot(hass, config_entry, **_condition(BOX_FREE))
    assert not _video_paused(immich)

    await _toggle(hass, "turn_off")
    assert _video_paused(immich)
    # Paused, not stopped: the running transcode goes on.
    assert immich.model.counts(VIDEO).active == 1
    # Named as the user named it; the id for automations beside it.
    assert _video_status(hass) == (
        "held",
        {
            "reason": "held_by_entity",
            "held_by": "Box free for Immich",
            "held_by_entity_id": BOX_FREE,
        },
    )
    await run_for(hass, freezer, immich, 30)
    assert immich.model.counts(VIDEO).active == 0

    await run_for(hass, freezer, immich, 30)
    await _toggle(hass, "turn_on")
    # 60 s after the off: too soon, the hold stays until 300 s after it.
    await run_for(hass, freezer, immich, 238)
    assert _video_paused(immich)
    assert hass.states.get(VIDEO_STATUS).state == "held"
    await run_for(hass, freezer, immich, 12)
    assert not _video_paused(immich)
    assert hass.states.get(VIDEO_STATUS).state == "running"
    assert "held_by" not in hass.states.get(VIDEO_STATUS).attributes


# The schedule helper keeps a timer for its next change.
@pytest.mark.parametrize("expected_lingering_timers", [True])
async def test_a_schedule_allows_heavy_work_only_inside_its_window(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A schedule helper from 01:00 to 07:00 every day: video conversion runs only then."""
    freezer.move_to(
        dt_util.as_utc(
            datetime(2026, 12, 1, 0, 58, tzinfo=dt_util.get_default_time_zone())
        )
    )
    window = [{"from": "01:00:00", "to": "07:00:00"}]
    assert await async_setup_component(
        hass,
        "schedule",
        {
            "schedule": {
                "immich_night": {"name": "Immich night", **dict.fromkeys(DAYS, window)}
            }
        },
    )
    assert hass.states.get(NIGHT).state == "off"
    _videos(immich, 2000)
    await setup_one_slot(hass, config_entry, **_condition(NIGHT))
    assert _video_paused(immich)
    assert _video_status(hass) == (
        "held",
        {
            "reason": "outside_schedule",
            "held_by": "Immich night",
            "held_by_entity_id": NIGHT,
        },
    )

    # 00:58 -> 01:00:10: the window opens at 01:00; the queue runs within a poll.
    await run_for(hass, freezer, immich, 130)
    assert hass.states.get(NIGHT).state == "on"
    assert not _video_paused(immich)
    assert hass.states.get(VIDEO_STATUS).state == "running"

    # To 06:59:10 in one-minute steps, then second by second to 07:00:10.
    await run_for(hass, freezer, immich, 359 * 60, step=60)
    assert not _video_paused(immich)
    await run_for(hass, freezer, immich, 60)
    assert hass.states.get(NIGHT).state == "off"
    assert _video_paused(immich)
    assert hass.states.get(VIDEO_STATUS).state == "held"
    # The transcode running at 07:00 finishes; nothing starts after it.
    await run_for(hass, freezer, immich, 25)
    assert immich.model.counts(VIDEO).active == 0
    done = immich.model.counts(VIDEO).paused
    await run_for(hass, freezer, immich, 600, step=10)
    assert immich.model.counts(VIDEO).paused == done


async def test_an_unavailable_condition_keeps_its_hold_ten_minutes_then_allows_work(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A template binary sensor "the NAS is too hot" (work while off) breaks while on.

    Its last state holds for 10 min (a short outage unleashes nothing), then work is allowed
    (a broken sensor never holds Immich forever). Deleted, the same.
    """
    hass.states.async_set(NAS_HOT, "on")
    _videos(immich)
    await setup_one_slot(hass, config_entry, **_condition(NAS_HOT, "off"))
    assert _video_paused(immich)

    hass.states.async_set(NAS_HOT, "unavailable")
    await hass.async_block_till_done(wait_background_tasks=True)
    await run_for(hass, freezer, immich, 590)
    assert _video_paused(immich)
    assert hass.states.get(VIDEO_STATUS).state == "held"
    await run_for(hass, freezer, immich, 20)
    assert not _video_paused(immich)

    # Back on: held again once 5 min have passed since work was allowed; then deleted.
    hass.states.async_set(NAS_HOT, "on")
    await hass.async_block_till_done(wait_background_tasks=True)
    await run_for(hass, freezer, immich, 300, step=10)
    assert _video_paused(immich)
    hass.states.async_remove(NAS_HOT)
    await hass.async_block_till_done(wait_background_tasks=True)
    await run_for(hass, freezer, immich, 590, step=10)
    assert _video_paused(immich)
    await run_for(hass, freezer, immich, 30, step=10)
    assert not _video_paused(immich)


async def test_a_flapping_toggle_costs_at_most_thirteen_commands_an_hour(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Toggled every 7 s for an hour: the hold changes at most once per 5 minutes.

    Each change is one pause or one resume of video conversion: 12 in an hour, plus the one
    the first toggle makes (the state learnt at start does not count as a change).
    """
    assert await async_setup_component(
        hass, "input_boolean", {"input_boolean": {"box_free": {"initial": True}}}
    )
    _videos(immich)
    await setup_one_slot(
        hass, config_entry, managed_queues=[VIDEO], **_condition(BOX_FREE)
    )
    before = len([c for c in commands(immich) if VIDEO in c])
    on = True
    for _ in range(3600 // 7):
        on = not on
        await _toggle(hass, "turn_on" if on else "turn_off")
        await run_for(hass, freezer, immich, 7, step=7)
    sent = len([c for c in commands(immich) if VIDEO in c]) - before
    assert 2 <= sent <= 13


async def test_uploads_hold_heavy_queues_while_thumbnails_go_through(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A phone backs up 10 photos every 5 s for 3 minutes beside a video backlog, N = 2.

    From the read that saw 60 arrive, video conversion is held while the photos arrive,
    each photo's thumbnail still appears within a poll (the express lane), and the videos
    resume 5 minutes after the last upload.
    """
    _videos(immich)
    await setup_one_slot(hass, config_entry, max_running=2, express_lane=True)
    assert not _video_paused(immich)

    photos: list[int] = []
    for _ in range(36):
        photos += immich.model.upload(photos=10)
        await run_for(hass, freezer, immich, 5)
        if len(photos) > 80:
            assert _video_paused(immich)
            assert _video_status(hass) == (
                "held",
                {"reason": "uploads_arriving", "held_by": "Quiet while uploading"},
            )
    last_upload = immich.model.assets[photos[-1]].uploaded_at
    await run_for(hass, freezer, immich, 240)
    assert _video_paused(immich)
    for asset_id in photos:
        asset = immich.model.assets[asset_id]
        assert asset.thumbnail_at is not None
        assert asset.thumbnail_at - asset.uploaded_at <= 10
    # 5 minutes after the last upload was seen: video conversion runs again.
    await run_for(hass, freezer, immich, last_upload + 300 + 20 - immich.model.now)
    assert not _video_paused(immich)
    assert "held_by" not in hass.states.get(VIDEO_STATUS).attributes


async def test_never_together_runs_one_ml_queue_at_a_time(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """N = 3, three ML backlogs in a group: one at a time; the others wait for it."""
    ml = ("smartSearch", "faceDetection", "ocr")
    for name in ml:
        immich.model.enqueue(name, 20, duration=2)
    await setup_one_slot(
        hass, config_entry, max_running=3, never_together=[list(ml)], upload_quiet=False
    )
    # Smart search first (priority); the others wait for it.
    assert [n for n in ml if not immich.model.counts(n).is_paused] == ["smartSearch"]
    waiting = hass.states.get("sensor.immich_127_0_0_1_face_detection_status")
    assert waiting.state == "held"
    assert waiting.attributes["reason"] == "never_together"
    assert waiting.attributes["waits_behind"] == ["smartSearch"]
    seen_running: set[str] = set()
    for second in range(200):
        await run_for(hass, freezer, immich, 1)
        resumed = [n for n in ml if not immich.model.counts(n).is_paused]
        running = [n for n in ml if immich.model.counts(n).active > 0]
        assert len(resumed) <= 1, resumed
        if second >= 2:
            # Immich started one job of each before the first pause: they ran out by now.
            assert len(running) <= 1, running
        seen_running.update(running)
    # All three ran, one after the other, and all are done.
    assert seen_running == set(ml)
    assert all(
        immich.model.counts(n).paused + immich.model.counts(n).waiting == 0 for n in ml
    )


async def test_a_restart_while_held_stays_held(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    """The decided state is kept: a sensor not yet back after a restart unleashes nothing."""
    hass.states.async_set(NAS_HOT, "on")
    _videos(immich)
    await setup_one_slot(hass, config_entry, **_condition(NAS_HOT, "off"))
    assert _video_paused(immich)
    assert await hass.config_entries.async_unload(config_entry.entry_id)
    stored = hass_storage[f"immich_jobs.{config_entry.entry_id}"]["data"]
    assert stored["conditions"] == {NAS_HOT: True}

    # Home Assistant starts again; the template sensor renders a little later.
    hass.states.async_set(NAS_HOT, "unavailable")
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert _video_paused(immich)
    assert hass.states.get(VIDEO_STATUS).state == "held"
