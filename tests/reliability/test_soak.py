"""A simulated week: uploads, imports and a random fault every few hours (seeded).

At the end every managed queue's backlog has drained, no queue is left paused without a
reason, requests per hour stayed within the design's envelope (design.md §5), and the
matrix's invariants held all week (no command on unknown state or within a grace period,
no unhandled error, unavailability logged once per outage, the key in no log record).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
import random
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.immich_jobs.const import CONF_POLL_INTERVAL
from homeassistant.core import HomeAssistant
from simulator.faults import Fault
from simulator.model import ImmichModel
from simulator.server import SimulatedImmich

from .conftest import Results
from .harness import Harness

SEED = 20261128
DAYS = 7
HOUR = 3600.0
# A week at the default 10 s would take 60 000 cycles; at 30 s the week runs in seconds
# and every rule (grace period, back-off, envelope) scales with the interval.
POLL = 30


@pytest.fixture
async def loaded_entry(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> MockConfigEntry:
    """Load the integration polling every POLL seconds."""
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        config_entry, options={CONF_POLL_INTERVAL: POLL}
    )
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    return config_entry


type Action = Callable[[SimulatedImmich], Any]


def _request_fault(**kwargs: Any) -> tuple[Action, Action]:
    fault = Fault(count=None, **kwargs)
    return (lambda immich: immich.faults.add(fault)), (
        lambda immich: immich.faults.clear()
    )


def _fault_kinds(duration: float) -> dict[str, tuple[Action, Action]]:
    return {
        "proxy_502": _request_fault(kind="html", status=502),
        "http_500": _request_fault(kind="status", status=500),
        "hang": _request_fault(kind="hang"),
        "drop": _request_fault(kind="drop"),
        "malformed_json": _request_fault(kind="malformed_json", scope="reads"),
        "commands_500": _request_fault(kind="status", status=500, scope="commands"),
        "commands_hang": _request_fault(kind="hang", scope="commands"),
        "maintenance": (
            lambda immich: immich.set_maintenance(True),
            lambda immich: immich.set_maintenance(False),
        ),
        "restart": (lambda immich: immich.restart(downtime=duration), lambda _: None),
    }


def _week(rng: random.Random, model: ImmichModel) -> tuple[Counter[str], list[Any]]:
    """Schedule the uploads on the model; return what was uploaded and the fault plan."""
    uploaded: Counter[str] = Counter()
    end = DAYS * 24 * HOUR

    def upload(at: float, photos: int, videos: int) -> None:
        model.at(at, lambda m: m.upload(photos=photos, videos=videos))
        uploaded["photos"] += photos
        uploaded["videos"] += videos
        uploaded["uploads"] += 1

    at = 600.0
    while at < end - 6 * HOUR:
        upload(at, rng.randint(1, 30), rng.choice((0, 0, 0, 1, 2)))
        at += rng.uniform(1 * HOUR, 4 * HOUR)
    for day in range(DAYS - 1):
        upload(
            day * 24 * HOUR + rng.uniform(8, 22) * HOUR,
            rng.randint(200, 600),
            rng.randint(5, 20),
        )

    faults: list[Any] = []
    at = 2 * HOUR
    while at < end - 6 * HOUR:
        duration = rng.uniform(60, 900)
        kind = rng.choice(sorted(_fault_kinds(duration)))
        start, stop = _fault_kinds(duration)[kind]
        faults.append((at, duration, kind, start, stop))
        at += duration + rng.uniform(2 * HOUR, 6 * HOUR)
    return uploaded, faults


async def test_soak_week(harness: Harness, results: Results) -> None:
    """A week of uploads and faults: everything drains, nothing stays paused, no storm."""
    h = harness
    rng = random.Random(SEED)
    uploaded, faults = _week(rng, h.immich.model)
    busy: list[tuple[float, float]] = []
    for at, duration, _kind, start, stop in faults:
        await h.advance(at - h.now)
        start(h.immich)
        await h.advance(duration)
        stop(h.immich)
        busy.append((at, at + duration))
    await h.advance(DAYS * 24 * HOUR - h.now)
    drained = await h.advance_until(
        lambda: h.immich.model.is_idle() and not h.managed_paused(), 6 * HOUR
    )

    # Everything uploaded was processed, and no managed queue is left paused.
    assert drained is not None, "the week's work drained"
    assert h.immich.model.is_idle()
    assert not h.managed_paused(), "no queue paused without a reason"
    h.check("drains_nothing_left_paused")

    # Requests per hour: idle hours at the idle pace, no hour above the working envelope.
    per_hour = Counter(int(time // HOUR) for time, _, _ in h.log.sends)
    commands = Counter(
        int(time // HOUR) for time, kind, _ in h.log.events if kind == "command"
    )
    hours = int(h.now // HOUR)
    # Quiet hours: no fault, and no job ran from five minutes before the hour to its end.
    quiet = [
        hour
        for hour in range(1, hours)
        if not any(
            start < (hour + 1) * HOUR and end > hour * HOUR - 600 for start, end in busy
        )
        and not _worked(h.immich.model, hour * HOUR - 300, (hour + 1) * HOUR)
    ]
    # At idle one read per poll interval: 120 an hour at 30 s (and a couple of retries).
    idle_limit = 120 + 2
    working_limit = HOUR / 2 + max(commands.values(), default=0)
    assert all(per_hour[hour] <= idle_limit for hour in quiet), [
        (hour, per_hour[hour]) for hour in quiet if per_hour[hour] > idle_limit
    ]
    assert max(per_hour.values()) <= working_limit
    h.check("requests_per_hour_in_envelope")

    h.assert_no_command_on_unknown_state()
    h.assert_clean_log(outages=len(faults))
    kinds = Counter(kind for _, _, kind, _, _ in faults)
    results.record(
        "soak",
        "week",
        h.checked,
        seed=SEED,
        days=DAYS,
        poll_interval=POLL,
        uploads=uploaded["uploads"],
        photos=uploaded["photos"],
        videos=uploaded["videos"],
        faults=len(faults),
        fault_kinds=dict(sorted(kinds.items())),
        requests=len(h.log.sends),
        commands=sum(commands.values()),
        quiet_hours=len(quiet),
        max_requests_quiet_hour=max((per_hour[hour] for hour in quiet), default=0),
        idle_limit=round(idle_limit),
        max_requests_hour=max(per_hour.values()),
        working_limit=round(working_limit),
        drained_after_s=round(drained),
    )


def _worked(model: ImmichModel, start: float, end: float) -> bool:
    """Tell whether any queue ran a job between `start` and `end`."""
    return any(
        begin < end and finish > start
        for name in model.queue_names
        for begin, finish in model.busy_intervals(name)
    )
