"""Time left and time until idle, as Home Assistant shows them, against the simulated Immich.

The sensors' states are in minutes (the suggested unit); the tests read them back in seconds.
"""

from __future__ import annotations

from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.immich_jobs.const import DOMAIN
from homeassistant.const import STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from simulator.server import SimulatedImmich

from .helpers import run_for, setup_one_slot
from .setups import Home, home_fixture  # noqa: F401

THUMBNAILS = "thumbnailGeneration"  # ranks above the videos in the default order
VIDEO = "videoConversion"
PREFIX = "sensor.immich_127_0_0_1"
SWITCH = "switch.immich_127_0_0_1"


def _seconds(hass: HomeAssistant, entity: str) -> int | str:
    """Return a duration sensor's state in whole seconds, or its state if not a number."""
    state = hass.states.get(f"{PREFIX}_{entity}")
    assert state is not None, entity
    assert state.attributes["unit_of_measurement"] == "min"
    if state.state == STATE_UNKNOWN:
        return state.state
    return round(float(state.state) * 60)


def _learned(
    hass_storage: dict[str, Any], entry: MockConfigEntry, seconds: dict[str, float]
) -> None:
    """Store job times learned by an earlier run, as the integration keeps them."""
    key = f"{DOMAIN}.{entry.entry_id}"
    hass_storage[key] = {
        "version": 2,
        "minor_version": 1,
        "key": key,
        "data": {"owned": [], "took_over": False, "job_seconds": seconds},
    }


@pytest.fixture
async def thumbnails(home: Home, hass_storage: dict[str, Any]) -> Home:
    """Return the home set up with one slot, 5 s learned per thumbnail, 12 thumbnails queued."""
    _learned(hass_storage, home.entry, {THUMBNAILS: 5.0})
    home.immich.model.enqueue(THUMBNAILS, 12, duration=5)
    await home.set_up_one_slot()
    return home


@pytest.fixture
async def thumbnails_then_videos(home: Home, hass_storage: dict[str, Any]) -> Home:
    """Return the home set up with one slot: 12 thumbnails, then 3 videos (paused).

    Learned: 5 s per thumbnail, 20 s per video.
    """
    _learned(hass_storage, home.entry, {THUMBNAILS: 5.0, VIDEO: 20.0})
    home.immich.model.enqueue(THUMBNAILS, 12, duration=5)
    home.immich.model.enqueue(VIDEO, 3, kind="video", duration=20)
    home.immich.model.pause(VIDEO)
    await home.set_up_one_slot()
    return home


async def test_a_queue_waits_for_the_queue_ahead(thumbnails_then_videos: Home) -> None:
    """12 thumbnails: 60 s. 3 videos wait for them: 60 s + 60 s. The server: 120 s."""
    hass = thumbnails_then_videos.hass
    assert _seconds(hass, "thumbnail_generation_time_left") == 60
    assert _seconds(hass, "video_conversion_time_left") == 120
    assert _seconds(hass, "time_until_idle") == 120
    assert _seconds(hass, "ocr_time_left") == 0


async def test_unknown_until_a_job_is_seen_finishing(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """12 videos of 10 s, one at a time: no guess at first, then what the reads showed.

    The reads about 10 s apart (the poll interval) see one video done: about 10 s per video
    (blended half and half with the prior, also 10 s). 11 are left, the running one counted
    from that read: 110 s, against 108 s in truth. The reads' exact moments move with Home
    Assistant's timers, so the learned time by up to a tenth: 110 s give or take 11 s.
    """
    immich.model.enqueue(VIDEO, 12, kind="video", duration=10)
    await setup_one_slot(hass, config_entry)
    assert _seconds(hass, "video_conversion_time_left") == STATE_UNKNOWN
    assert _seconds(hass, "time_until_idle") == STATE_UNKNOWN
    assert _seconds(hass, "thumbnail_generation_time_left") == 0

    await run_for(hass, freezer, immich, 12)
    left = _seconds(hass, "video_conversion_time_left")
    assert isinstance(left, int)
    assert 99 <= left <= 121
    assert _seconds(hass, "time_until_idle") == left

    await run_for(hass, freezer, immich, 120)
    assert immich.model.counts(VIDEO).active == 0
    assert _seconds(hass, "video_conversion_time_left") == 0
    assert _seconds(hass, "time_until_idle") == 0


async def test_a_held_queue_has_no_time_left_and_idle_leaves_it_out(
    thumbnails_then_videos: Home,
) -> None:
    """The thumbnails' switch is off: they never finish; the videos no longer wait (60 s)."""
    home = thumbnails_then_videos
    hass = home.hass
    await home.switch("turn_off", f"{SWITCH}_thumbnail_generation_allowed")
    assert _seconds(hass, "thumbnail_generation_time_left") == STATE_UNKNOWN
    assert _seconds(hass, "video_conversion_time_left") == 60
    assert _seconds(hass, "time_until_idle") == 60


async def test_pause_processing_leaves_the_time_unknown(thumbnails: Home) -> None:
    """Max concurrent queues 0: nothing runs, so nothing has a time left but the idle queues."""
    hass = thumbnails.hass
    await thumbnails.call(
        "number", "set_value", "number.immich_127_0_0_1_max_concurrent_queues", value=0
    )
    assert _seconds(hass, "thumbnail_generation_time_left") == STATE_UNKNOWN
    assert _seconds(hass, "time_until_idle") == STATE_UNKNOWN
    assert _seconds(hass, "video_conversion_time_left") == 0


async def test_a_timed_pause_counts_from_its_end(thumbnails: Home) -> None:
    """Paused for 5 minutes: 12 thumbnails of 5 s are done 300 + 60 s from now."""
    hass = thumbnails.hass
    await thumbnails.act("pause_processing", duration={"minutes": 5})
    assert _seconds(hass, "thumbnail_generation_time_left") == 360
    assert _seconds(hass, "time_until_idle") == 360


async def test_a_quiet_period_hold_counts_from_its_end(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
) -> None:
    """A big backup holds 3 videos of 20 s for 5 minutes: idle about 300 + 60 s after it.

    Read 20 s after 300 photos arrived, the hold ends 280 to 290 s later (it began at the
    read that saw them); the photos' own work is a few seconds.
    """
    fast = dict.fromkeys(
        ("storageTemplateMigration", "smartSearch", "faceDetection", "ocr"), 0.01
    )
    _learned(hass_storage, config_entry, {THUMBNAILS: 0.1, VIDEO: 20.0, **fast})
    immich.model.enqueue(VIDEO, 3, kind="video", duration=20)
    immich.model.pause(VIDEO)
    await setup_one_slot(hass, config_entry, express_lane=True)
    immich.model.upload(photos=300)
    await run_for(hass, freezer, immich, 20)
    assert hass.states.get(f"{PREFIX}_video_conversion_status").state == "held"
    seconds = _seconds(hass, "time_until_idle")
    assert seconds != STATE_UNKNOWN
    assert 320 <= int(seconds) <= 380
