"""Holds that end (issue 21), as a user sees them in Home Assistant against the simulated Immich.

Each test fails on the integration as it was before: a trickle of photos held the heavy
queues (What was seen 1), a steady backup held them for good (1), a condition's minimum time
said nothing of its end (3), and a job longer than the poll interval was learned as one
interval, so time left came out short (4).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from freezegun.api import FrozenDateTimeFactory
from pytest_homeassistant_custom_component.common import MockConfigEntry

from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import homeassistant.util.dt as dt_util
from simulator.server import SimulatedImmich

from .helpers import run_for, setup_one_slot

VIDEO = "videoConversion"
VIDEO_STATUS = "sensor.immich_127_0_0_1_video_conversion_status"
VIDEO_LEFT = "sensor.immich_127_0_0_1_video_conversion_time_left"
BOX_FREE = "input_boolean.box_free"


def _videos_left(immich: SimulatedImmich) -> int:
    counts = immich.model.counts(VIDEO)
    return counts.waiting + counts.paused + counts.active


async def test_a_trickle_of_photos_never_holds_the_heavy_queues(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The demo's trickle (5 photos every 45 s for 10 min) beside 200 videos, defaults.

    The quiet period is on; 5 photos are no big backup: video conversion keeps running,
    never held, and the photos' thumbnails appear within a poll.
    """
    immich.model.enqueue(VIDEO, 200, kind="video", duration=20)
    await setup_one_slot(hass, config_entry, express_lane=True)
    photos: list[int] = []
    for _ in range(13):
        photos += immich.model.upload(photos=5)
        for _ in range(9):
            await run_for(hass, freezer, immich, 5)
            state = hass.states.get(VIDEO_STATUS)
            assert state.state in ("running", "draining"), state
            assert state.attributes["reason"] != "uploads_arriving"
    for asset_id in photos:
        asset = immich.model.assets[asset_id]
        assert asset.thumbnail_at is not None
        assert asset.thumbnail_at - asset.uploaded_at <= 12


async def test_a_few_photos_leave_no_idle_box(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """20 videos of 15 s at T0, photos at T0+30…70 s (the real server's run), defaults.

    300 s of transcoding: all done by T0+330 s, not held 5 minutes after the last photo.
    """
    immich.model.enqueue(VIDEO, 20, kind="video", duration=15)
    await setup_one_slot(hass, config_entry, express_lane=True)
    await run_for(hass, freezer, immich, 30)
    for _ in range(5):
        immich.model.upload(photos=1)
        await run_for(hass, freezer, immich, 10)
    await run_for(hass, freezer, immich, 250)
    assert _videos_left(immich) == 0


async def test_a_steady_backup_gives_heavy_work_a_turn_after_the_longest_hold(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """300 photos a minute for 9 minutes, the longest hold at 5 minutes.

    Video conversion is held from the first batch, and the status says until when: 5
    minutes later. Then it gets its turn while the photos still arrive: transcodes are done.
    """
    immich.model.enqueue(VIDEO, 200, kind="video", duration=20)
    await setup_one_slot(
        hass, config_entry, express_lane=True, upload_max_hold_minutes=5
    )
    immich.model.upload(photos=300)
    await run_for(hass, freezer, immich, 20)
    state = hass.states.get(VIDEO_STATUS)
    assert state.state == "held"
    assert state.attributes["reason"] == "uploads_arriving"
    held_until = datetime.fromisoformat(state.attributes["held_until"])
    # Held from the read that saw the first batch, 10 s or less after it.
    started = dt_util.utcnow() - timedelta(seconds=20)
    assert started + timedelta(minutes=5) <= held_until
    assert held_until <= started + timedelta(minutes=5, seconds=10)
    for _ in range(8):
        await run_for(hass, freezer, immich, 40, step=5)
        immich.model.upload(photos=300)
        await run_for(hass, freezer, immich, 20, step=5)
    assert hass.states.get(VIDEO_STATUS).attributes.get("reason") != "uploads_arriving"
    before = _videos_left(immich)
    await run_for(hass, freezer, immich, 60, step=5)
    assert _videos_left(immich) < before


async def test_a_condition_waiting_out_its_minimum_time_says_until_when(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Box free off, then on again a minute later: held until 5 minutes after the off."""
    assert await async_setup_component(
        hass, "input_boolean", {"input_boolean": {"box_free": {"initial": True}}}
    )
    immich.model.enqueue(VIDEO, 200, kind="video", duration=20)
    await setup_one_slot(
        hass,
        config_entry,
        queue_conditions={VIDEO: {"entity_id": BOX_FREE, "work_when": "on"}},
    )
    off_at = dt_util.utcnow()
    await hass.services.async_call(
        "input_boolean", "turn_off", {"entity_id": BOX_FREE}, blocking=True
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    state = hass.states.get(VIDEO_STATUS)
    assert state.state == "held"
    assert "held_until" not in state.attributes  # held as long as the toggle is off
    await run_for(hass, freezer, immich, 60)
    await hass.services.async_call(
        "input_boolean", "turn_on", {"entity_id": BOX_FREE}, blocking=True
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    state = hass.states.get(VIDEO_STATUS)
    assert state.state == "held"
    until = datetime.fromisoformat(state.attributes["held_until"])
    assert abs((until - (off_at + timedelta(minutes=5))).total_seconds()) <= 1


async def test_time_left_counts_jobs_longer_than_the_poll_at_their_length(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """30 transcodes of 25 s, read every 10 s: after 5 minutes, 18 left, about 450 s.

    Learned since the last read, each looked 10 s long (180 s shown); since the last
    progress, 25 s (within 15 %).
    """
    immich.model.enqueue(VIDEO, 30, kind="video", duration=25)
    await setup_one_slot(hass, config_entry)
    await run_for(hass, freezer, immich, 300)
    assert _videos_left(immich) == 18
    seconds = float(hass.states.get(VIDEO_LEFT).state) * 60
    assert 380 <= seconds <= 520


async def test_a_timed_pause_during_the_quiet_period_says_the_later_end(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A backup holds video conversion for 5 minutes; then processing is paused for 12.

    The quiet period would end first, but the pause holds every queue: the status says the
    pause's end (seen on the demo: a queue read "held until" the quiet period's end, while
    it stayed held 7 minutes longer).
    """
    immich.model.enqueue(VIDEO, 200, kind="video", duration=20)
    await setup_one_slot(hass, config_entry, express_lane=True)
    immich.model.upload(photos=300)
    await run_for(hass, freezer, immich, 20)
    assert hass.states.get(VIDEO_STATUS).attributes["reason"] == "uploads_arriving"
    called = dt_util.utcnow()
    await hass.services.async_call(
        "immich_jobs", "pause_processing", {"duration": "00:12:00"}, blocking=True
    )
    await run_for(hass, freezer, immich, 10)
    state = hass.states.get(VIDEO_STATUS)
    assert state.state == "held"
    held_until = datetime.fromisoformat(state.attributes["held_until"])
    assert called + timedelta(minutes=12, seconds=-1) <= held_until
    assert held_until <= called + timedelta(minutes=12, seconds=1)
