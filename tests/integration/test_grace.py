"""The grace period: when pauses wait for Immich to finish booting, and why resumes never do.

Immich pauses and resumes metadata extraction itself while it boots. For 60 s after it comes
back (an outage's end, a start of Home Assistant, which may be the host booting both, a set-up
retry, a reload in the middle of a grace period) the integration sends no pause. Resumes go at
once: they give back work we paused, which is where Immich's own boot ends too, and holding
them back leaves work queued with nothing running.
"""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.immich_jobs.const import CONF_EXPRESS_LANE, DOMAIN
from homeassistant.config_entries import ConfigEntryDisabler, ConfigEntryState
from homeassistant.core import CoreState, HomeAssistant
from homeassistant.helpers import issue_registry as ir
from simulator.server import SimulatedImmich

from .helpers import paused_queues, run_for, setup_one_slot

VIDEO = "videoConversion"
THUMBNAILS = "thumbnailGeneration"
METADATA = "metadataExtraction"


def _videos_then_photos(immich: SimulatedImmich) -> None:
    """Work whose schedule (one slot) pauses the videos behind the thumbnails."""
    immich.model.enqueue(VIDEO, 3, kind="video", duration=20)
    immich.model.enqueue(THUMBNAILS, 100, duration=5)


async def test_no_pause_in_the_first_minute_after_home_assistant_starts(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A start of Home Assistant may be the host's boot, Immich booting beside it."""
    _videos_then_photos(immich)
    hass.set_state(CoreState.starting)
    await setup_one_slot(hass, config_entry)
    hass.set_state(CoreState.running)
    await run_for(hass, freezer, immich, 50)
    assert VIDEO not in paused_queues(immich)
    await run_for(hass, freezer, immich, 30)
    assert VIDEO in paused_queues(immich)


async def test_no_pause_in_the_first_minute_after_a_set_up_retry(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Immich was away at set-up: the retry that reaches it may find it booting."""
    _videos_then_photos(immich)
    immich.restart(downtime=15)
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        config_entry, options={CONF_EXPRESS_LANE: False}
    )
    assert not await hass.config_entries.async_setup(config_entry.entry_id)
    assert config_entry.state is ConfigEntryState.SETUP_RETRY
    for _ in range(120):
        await run_for(hass, freezer, immich, 1)
        if config_entry.state is ConfigEntryState.LOADED:
            break
    assert config_entry.state is ConfigEntryState.LOADED, config_entry.state
    await run_for(hass, freezer, immich, 50)
    assert VIDEO not in paused_queues(immich)
    await run_for(hass, freezer, immich, 30)
    assert VIDEO in paused_queues(immich)


async def test_a_reload_in_the_grace_period_does_not_end_it(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Immich is back from an outage; the user reloads at once: pauses still wait."""
    await setup_one_slot(hass, config_entry)
    immich.restart(downtime=45)
    await run_for(hass, freezer, immich, 60)
    assert config_entry.runtime_data.last_update_success
    assert config_entry.runtime_data.gate.in_grace
    _videos_then_photos(immich)
    assert await hass.config_entries.async_reload(config_entry.entry_id)
    await hass.async_block_till_done()
    await run_for(hass, freezer, immich, 40)
    assert VIDEO not in paused_queues(immich)
    await run_for(hass, freezer, immich, 40)
    assert VIDEO in paused_queues(immich)


async def test_a_reload_while_immich_runs_pauses_at_once(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """No outage, Home Assistant running: a reload is not a boot, and nothing waits."""
    await setup_one_slot(hass, config_entry)
    assert await hass.config_entries.async_reload(config_entry.entry_id)
    await hass.async_block_till_done()
    _videos_then_photos(immich)
    # At idle the next look is 30 s away; then the pause goes at once.
    await run_for(hass, freezer, immich, 40)
    assert VIDEO in paused_queues(immich)


async def test_work_we_paused_is_given_back_during_the_grace_period(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Immich restarts mid-import with the videos paused by us: no stall once photos end.

    The thumbnails finish a few seconds after Immich is back; the videos are resumed within
    two polls (20 s), not after the 60 s grace period with work queued and nothing running.
    """
    immich.model.pause(VIDEO)  # paused before the set-up, so taken over: ours
    immich.model.enqueue(VIDEO, 3, kind="video", duration=20)
    immich.model.enqueue(THUMBNAILS, 6, duration=2)
    await setup_one_slot(hass, config_entry)
    assert VIDEO in paused_queues(immich)
    immich.restart(downtime=20)
    await run_for(hass, freezer, immich, 21)
    back = None
    for second in range(60):
        await run_for(hass, freezer, immich, 1)
        if back is None and config_entry.runtime_data.last_update_success:
            back = second
        counts = immich.model.counts(THUMBNAILS)
        if back is not None and counts.waiting + counts.paused + counts.active == 0:
            break
    assert back is not None
    await run_for(hass, freezer, immich, 20)
    assert VIDEO not in paused_queues(immich)
    assert immich.model.counts(VIDEO).active > 0


async def test_a_pause_held_back_is_not_ours_to_give_back(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A pause the grace period kept from Immich does not make the queue ours.

    The plan wanted the videos paused; someone pauses them by hand meanwhile. Disabling the
    entry gives back only what the integration paused: the videos stay paused.
    """
    await setup_one_slot(hass, config_entry)
    immich.restart(downtime=45)
    await run_for(hass, freezer, immich, 60)
    assert config_entry.runtime_data.gate.in_grace
    _videos_then_photos(immich)
    await run_for(hass, freezer, immich, 35)
    coordinator = config_entry.runtime_data
    assert any(
        command.queue == VIDEO and command.action == "pause"
        for command in coordinator.last_plan.commands
    )
    assert VIDEO not in paused_queues(immich)
    immich.model.pause(VIDEO)
    await run_for(hass, freezer, immich, 10)
    assert VIDEO not in coordinator.memory.owned

    await hass.config_entries.async_set_disabled_by(
        config_entry.entry_id, ConfigEntryDisabler.USER
    )
    await hass.async_block_till_done()
    assert VIDEO in paused_queues(immich)


async def test_immichs_own_boot_is_no_rival(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Three restarts in ten minutes each resume metadata extraction: no rival is reported.

    We paused metadata extraction (no work while the videos work); every boot of Immich
    resumes it. What we expected before an outage is forgotten at its end.
    """
    immich.model.enqueue(VIDEO, 3, kind="video", duration=400)
    await setup_one_slot(hass, config_entry)
    assert METADATA in paused_queues(immich)
    for _ in range(3):
        immich.restart(downtime=20)
        await run_for(hass, freezer, immich, 110, step=2)
        assert METADATA in paused_queues(immich)
    assert METADATA not in config_entry.runtime_data.contested
    assert not issue_registry.async_get_issue(
        DOMAIN, f"fighting_controller_{config_entry.entry_id}"
    )
