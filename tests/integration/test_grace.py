"""The grace period: when pauses wait for Immich to finish booting, and why resumes never do.

Immich pauses and resumes metadata extraction itself while it boots. For 60 s after it comes
back (an outage's end, a start of Home Assistant, which may be the host booting both, a set-up
retry, a reload in the middle of a grace period) the integration sends no pause. Resumes go at
once: they give back work we paused, which is where Immich's own boot ends too, and holding
them back leaves work queued with nothing running.
"""

from __future__ import annotations

from custom_components.immich_jobs.const import CONF_EXPRESS_LANE, DOMAIN
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import CoreState
from homeassistant.helpers import issue_registry as ir

from .setups import Home, home_fixture  # noqa: F401

VIDEO = "videoConversion"
THUMBNAILS = "thumbnailGeneration"
METADATA = "metadataExtraction"
VIDEO_STATUS = "sensor.immich_127_0_0_1_video_conversion_status"
METADATA_STATUS = "sensor.immich_127_0_0_1_metadata_extraction_status"


def _videos_then_photos(home: Home) -> None:
    """Work whose schedule (one slot) pauses the videos behind the thumbnails."""
    home.immich.model.enqueue(VIDEO, 3, kind="video", duration=20)
    home.immich.model.enqueue(THUMBNAILS, 100, duration=5)


async def _pause_waits_then_goes(home: Home, waits: float, goes: float) -> None:
    """Let `waits` seconds pass with the videos running, then `goes` for their pause."""
    await home.run_for(waits)
    assert VIDEO not in home.paused()
    await home.run_for(goes)
    assert VIDEO in home.paused()


async def _back_from_an_outage(home: Home) -> None:
    """Set up, then let Immich be away 45 s: 60 s on, it is back 15 s, in its grace period."""
    await home.set_up_one_slot()
    home.immich.restart(downtime=45)
    await home.run_for(60)
    assert home.state(VIDEO_STATUS).state != STATE_UNAVAILABLE


async def test_no_pause_in_the_first_minute_after_home_assistant_starts(
    home: Home,
) -> None:
    """A start of Home Assistant may be the host's boot, Immich booting beside it."""
    _videos_then_photos(home)
    home.hass.set_state(CoreState.starting)
    await home.set_up_one_slot()
    home.hass.set_state(CoreState.running)
    await _pause_waits_then_goes(home, 50, 30)


async def test_no_pause_in_the_first_minute_after_a_set_up_retry(home: Home) -> None:
    """Immich was away at set-up: the retry that reaches it may find it booting."""
    hass, entry = home.hass, home.entry
    _videos_then_photos(home)
    home.immich.restart(downtime=15)
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(entry, options={CONF_EXPRESS_LANE: False})
    assert not await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.SETUP_RETRY
    for _ in range(120):
        await home.run_for(1)
        if entry.state is ConfigEntryState.LOADED:
            break
    assert entry.state is ConfigEntryState.LOADED, entry.state
    await _pause_waits_then_goes(home, 50, 30)


async def test_a_reload_in_the_grace_period_does_not_end_it(home: Home) -> None:
    """Immich is back from an outage; the user reloads at once: pauses still wait."""
    await _back_from_an_outage(home)
    # 15 s into the grace period, nothing to pause yet. A reload alone pauses at once (the
    # next test): the wait below is the grace period, carried across the reload.
    _videos_then_photos(home)
    await home.reload()
    await _pause_waits_then_goes(home, 40, 40)


async def test_a_reload_while_immich_runs_pauses_at_once(home: Home) -> None:
    """No outage, Home Assistant running: a reload is not a boot, and nothing waits."""
    await home.set_up_one_slot()
    await home.reload()
    _videos_then_photos(home)
    # At idle the next look is 30 s away; then the pause goes at once.
    await home.run_for(40)
    assert VIDEO in home.paused()


async def test_work_we_paused_is_given_back_during_the_grace_period(
    home: Home,
) -> None:
    """Immich restarts mid-import with the videos paused by us: no stall once photos end.

    The thumbnails finish a few seconds after Immich is back; the videos are resumed within
    two polls (20 s), not after the 60 s grace period with work queued and nothing running.
    """
    immich = home.immich
    immich.model.pause(VIDEO)  # paused before the set-up, so taken over: ours
    immich.model.enqueue(VIDEO, 3, kind="video", duration=20)
    immich.model.enqueue(THUMBNAILS, 6, duration=2)
    await home.set_up_one_slot()
    assert VIDEO in home.paused()
    immich.restart(downtime=20)
    await home.run_for(21)
    back = None
    for second in range(60):
        await home.run_for(1)
        if back is None and home.state(VIDEO_STATUS).state != STATE_UNAVAILABLE:
            back = second
        counts = immich.model.counts(THUMBNAILS)
        if back is not None and counts.waiting + counts.paused + counts.active == 0:
            break
    assert back is not None
    await home.run_for(20)
    assert VIDEO not in home.paused()
    assert immich.model.counts(VIDEO).active > 0


async def test_a_pause_held_back_is_not_ours_to_give_back(home: Home) -> None:
    """A pause the grace period kept from Immich does not make the queue ours.

    The plan wanted the videos paused; someone pauses them by hand meanwhile. Disabling the
    entry gives back only what the integration paused: the videos stay paused.
    """
    await _back_from_an_outage(home)
    _videos_then_photos(home)
    await home.run_for(35)
    # The pause is wanted, and waits for the grace period.
    assert home.state(VIDEO_STATUS).attributes["reason"] == "grace_period"
    assert VIDEO not in home.paused()
    home.immich.model.pause(VIDEO)
    await home.run_for(10)
    assert home.state(VIDEO_STATUS).state == "held_in_immich"

    await home.disable()
    assert VIDEO in home.paused()


async def test_immichs_own_boot_is_no_rival(
    home: Home, issue_registry: ir.IssueRegistry
) -> None:
    """Three restarts in ten minutes each resume metadata extraction: no rival is reported.

    We paused metadata extraction (no work while the videos work); every boot of Immich
    resumes it. What we expected before an outage is forgotten at its end.
    """
    home.immich.model.enqueue(VIDEO, 3, kind="video", duration=400)
    await home.set_up_one_slot()
    assert METADATA in home.paused()
    for _ in range(3):
        home.immich.restart(downtime=20)
        await home.run_for(110, step=2)
        assert METADATA in home.paused()
    assert home.state(METADATA_STATUS).attributes["reason"] != "held_by_rival"
    assert not issue_registry.async_get_issue(
        DOMAIN, f"fighting_controller_{home.entry.entry_id}"
    )
