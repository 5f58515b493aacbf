"""What the integration keeps on disk, how often it writes, and what it reads back."""

from __future__ import annotations

from collections.abc import Generator
from datetime import timedelta
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.immich_jobs.const import CONF_MAX_RUNNING, DOMAIN
from custom_components.immich_jobs.coordinator import ImmichJobsCoordinator
from custom_components.immich_jobs.engine.intents import Intents
from custom_components.immich_jobs.runtime.store import (
    intents_as_dict,
    intents_from_dict,
)
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store
import homeassistant.util.dt as dt_util
from simulator.faults import Fault
from simulator.server import SimulatedImmich

from .helpers import call_switch, diagnostics, paused_queues, run_for

VIDEO = "videoConversion"
THUMBNAILS = "thumbnailGeneration"
MAX_RUNNING = "number.immich_127_0_0_1_max_concurrent_queues"
OCR_SWITCH = "switch.immich_127_0_0_1_ocr_allowed"


@pytest.fixture
def writes() -> Generator[list[str]]:
    """Record every write to disk (a Store's key), whichever Store makes it."""
    keys: list[str] = []
    write = Store._async_write_data

    # Home Assistant 2025.4 passes (path, data), 2026 only (data).
    async def counting(self: Store[Any], *args: Any) -> None:
        keys.append(self.key)
        await write(self, *args)

    with patch.object(Store, "_async_write_data", counting):
        yield keys


def _ours(writes: list[str], entry: MockConfigEntry) -> int:
    return writes.count(f"{DOMAIN}.{entry.entry_id}")


async def test_a_day_of_idle_polling_writes_nothing(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    loaded_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    writes: list[str],
) -> None:
    """An SD card is not worn by polling: 24 h at idle, no user action, no write at all.

    Today's main wrote after every cycle (about 2,900 writes a day at idle). The first set-up
    writes once, in its first minute: it has taken over what it found paused (none here).
    """
    await run_for(hass, freezer, immich, 60, step=30)
    assert _ours(writes, loaded_entry) <= 1
    writes.clear()
    await run_for(hass, freezer, immich, 24 * 3600, step=30)
    assert _ours(writes, loaded_entry) == 0


async def test_an_import_writes_a_bounded_number_of_times(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    loaded_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    writes: list[str],
) -> None:
    """An import writes when ownership changes, and learned durations every 10 min at most.

    The bound: one write per change of the queues we paused (each change is worth keeping:
    a release after a restart must resume exactly those), plus one per 10 minutes for the
    durations, plus the last write. Reads alone never write.
    """
    immich.model.upload(photos=300, videos=4)
    owned: list[list[str]] = []
    seconds = 0
    while seconds < 3600:
        await run_for(hass, freezer, immich, 5, step=5)
        seconds += 5
        ours = (await diagnostics(hass, loaded_entry))["memory"]["owned"]
        if not owned or owned[-1] != ours:
            owned.append(ours)
    await run_for(hass, freezer, immich, 60)
    ownership_changes = len(owned)
    assert immich.model.counts(VIDEO).waiting + immich.model.counts(VIDEO).paused == 0
    assert 0 < _ours(writes, loaded_entry) <= ownership_changes + 3600 // 600 + 1


async def test_todays_stored_format_is_read(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    """Version 1 (intents, the whole memory, the limit in the options) loads as it was.

    Held queues, ownership and learned durations come back; the limit moves from the options
    into the Store; clock readings of the last run are dropped.
    """
    # Two queues ahead of the videos, two slots: the videos stay paused.
    immich.model.enqueue(VIDEO, 3, kind="video", duration=20)
    immich.model.enqueue(THUMBNAILS, 40, duration=5)
    immich.model.enqueue("smartSearch", 40, duration=5)
    immich.model.pause(VIDEO)
    key = f"{DOMAIN}.{config_entry.entry_id}"
    hass_storage[key] = {
        "version": 1,
        "minor_version": 1,
        "key": key,
        "data": {
            "intents": {
                "scheduling": True,
                "held": ["ocr"],
                "run_now": [],
                "restore_max_running": None,
                "hold_until": None,
            },
            "memory": {
                "owned": [VIDEO],
                "job_seconds": {VIDEO: 12.5},
                "work": {VIDEO: 3},
                "progress_at": {VIDEO: 1764582000.0},
                "running_since": {},
                "commanded_at": {VIDEO: 1764582000.0},
                "read_at": 1764582000.0,
            },
        },
    }
    config_entry.add_to_hass(hass)
    # Entry 1.1 kept the limit in its options: the migration moves it into the Store.
    hass.config_entries.async_update_entry(
        config_entry, options={CONF_MAX_RUNNING: 2}, minor_version=1
    )
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()

    memory = (await diagnostics(hass, config_entry))["memory"]
    switches_off = {
        state.entity_id
        for state in hass.states.async_all("switch")
        if state.state == "off"
    }
    assert switches_off == {OCR_SWITCH}
    assert CONF_MAX_RUNNING not in config_entry.options
    assert (config_entry.version, config_entry.minor_version) == (1, 2)
    assert VIDEO in memory["owned"]
    assert memory["job_seconds"][VIDEO] == pytest.approx(12.5, rel=0.5)
    assert hass.states.get(OCR_SWITCH).state == "off"
    assert hass.states.get(MAX_RUNNING).state == "2"
    assert await hass.config_entries.async_unload(config_entry.entry_id)
    stored = hass_storage[key]
    assert stored["version"] == 2
    assert stored["data"]["intents"]["held"] == ["ocr"]
    assert stored["data"]["intents"]["max_running"] == 2
    # Face detection, empty while others work, is left paused by the quiet period (on by
    # default: a new upload's job then shows in its count), so it is ours too.
    assert stored["data"]["owned"] == ["faceDetection", "ocr", VIDEO]
    assert set(stored["data"]) == {"intents", "owned", "took_over", "job_seconds"}


@pytest.mark.parametrize(
    "stored",
    [
        {"scheduling": "no", "held": "ocr", "run_now": [1, None], "max_running": -1},
        {"held": {"ocr": True}, "max_running": 99, "hold_until": "tomorrow"},
        {"max_running": True, "restore_max_running": 2, "hold_until": None},
        {"restore_max_running": "3", "hold_until": "2026-12-01T12:00:00+00:00"},
        "not a mapping",
    ],
)
def test_malformed_intents_fall_back_to_defaults(stored: Any) -> None:
    """What cannot be read is not guessed: scheduling on, nothing held, limit 1, no pause."""
    intents = intents_from_dict(stored)
    assert intents.scheduling is True
    assert intents.held == set()
    assert intents.run_now == set()
    assert intents.max_running == 1
    assert intents.restore_max_running is None
    assert intents.hold_until is None


def test_intents_read_back_what_was_written() -> None:
    """A timed pause (its limit and its end together) and held queues round-trip."""
    intents = Intents(
        held=frozenset({"ocr"}), run_now=frozenset({VIDEO}), max_running=3
    )
    intents = intents.pause(dt_util.parse_datetime("2026-12-01T12:00:00+00:00"))
    assert intents_from_dict(intents_as_dict(intents)) == intents


def test_an_untimed_pause_keeps_the_limit_to_give_back() -> None:
    """Paused without a duration: the old limit is kept (resume_processing gives it back)."""
    intents = Intents(max_running=3).pause(None)
    read_back = intents_from_dict(intents_as_dict(intents))
    assert read_back == intents
    assert (read_back.max_running, read_back.restore_max_running) == (0, 3)
    read_back = read_back.end_pause()
    assert (read_back.max_running, read_back.restore_max_running) == (3, None)
    # A limit to give back without the limit at 0 is no pause.
    stray = intents_from_dict({"max_running": 2, "restore_max_running": 4})
    assert (stray.max_running, stray.restore_max_running) == (2, None)


async def _pause_for_five_minutes(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    await hass.services.async_call(
        DOMAIN,
        "pause_processing",
        {"config_entry_id": entry.entry_id, "duration": {"minutes": 5}},
        blocking=True,
    )


def _ocr_commands(immich: SimulatedImmich, since: int) -> list[str]:
    return [
        f"{r.method} {r.path}"
        for r in immich.requests[since:]
        if r.method == "PUT" and r.path.endswith("/ocr")
    ]


async def test_a_reload_leaves_no_hold_timer_behind(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    loaded_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
) -> None:
    """After a reload only the new entry ends the timed pause: nothing stale happens.

    The user holds OCR on the reloaded entry. When the pause ends, OCR is not resumed (the
    unloaded entry's timer would plan with its older intents) and the Store still holds it.
    """
    await _pause_for_five_minutes(hass, loaded_entry)
    assert await hass.config_entries.async_reload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    await call_switch(hass, "turn_off", OCR_SWITCH)
    since = len(immich.requests)
    await run_for(hass, freezer, immich, 310, step=5)

    assert _ocr_commands(immich, since) == []
    stored = hass_storage[f"{DOMAIN}.{loaded_entry.entry_id}"]["data"]["intents"]
    assert stored["held"] == ["ocr"]
    assert stored["max_running"] == 1
    assert stored["hold_until"] is None
    assert hass.states.get(MAX_RUNNING).state == "1"


async def test_a_failed_set_up_leaves_no_hold_timer_behind(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    loaded_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A set-up that fails after restoring a timed pause does not end it from the grave.

    Immich answers the key check, then fails the first read: the attempt fails and is
    retried. Once the retry runs, the user holds OCR; at the pause's end OCR stays paused
    (the failed attempt's timer would resume it, planning with the intents it had loaded).
    """
    await _pause_for_five_minutes(hass, loaded_entry)
    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    connect = ImmichJobsCoordinator.async_connect

    async def connect_then_fail_the_first_read(self: ImmichJobsCoordinator) -> None:
        await connect(self)
        immich.faults.add(Fault(kind="status", status=500, path_prefix="/api/queues"))

    with patch.object(
        ImmichJobsCoordinator, "async_connect", connect_then_fail_the_first_read
    ):
        await hass.config_entries.async_setup(loaded_entry.entry_id)
        await hass.async_block_till_done()
    assert loaded_entry.state is ConfigEntryState.SETUP_RETRY
    await run_for(hass, freezer, immich, 90, step=5)
    assert loaded_entry.state is ConfigEntryState.LOADED
    assert hass.states.get(MAX_RUNNING).state == "0"
    await call_switch(hass, "turn_off", OCR_SWITCH)
    since = len(immich.requests)
    await run_for(hass, freezer, immich, 240, step=5)

    assert hass.states.get(MAX_RUNNING).state == "1"
    assert _ocr_commands(immich, since) == []
    assert "ocr" in paused_queues(immich)


async def test_learned_durations_ignore_a_wall_clock_jump(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    loaded_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """An NTP correction at a Pi's boot (the wall clock jumps an hour) skews no duration.

    The scheduler's clock is the coordinator's monotonic one. 100 thumbnails of 1 s each, read
    10 s apart by it while the wall clock jumps 3600 s: the duration learned is under a
    second per job (three run at once), not minutes.
    """
    coordinator = loaded_entry.runtime_data
    ticks = [1000.0]
    coordinator.clock = lambda: ticks[0]
    immich.model.enqueue(THUMBNAILS, 100, duration=1)
    await coordinator.async_refresh()
    immich.model.advance(10)
    ticks[0] += 10
    freezer.tick(timedelta(hours=1))
    await coordinator.async_refresh()
    learned = (await diagnostics(hass, loaded_entry))["memory"]["job_seconds"]
    assert learned[THUMBNAILS] < 5


async def test_an_entry_from_a_newer_version_is_not_set_up(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    """A downgrade leaves an entry this version cannot read: it says so, and keeps it."""
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(config_entry, version=2, minor_version=1)
    assert not await hass.config_entries.async_setup(config_entry.entry_id)
    assert config_entry.state is ConfigEntryState.MIGRATION_ERROR
    assert config_entry.version == 2
