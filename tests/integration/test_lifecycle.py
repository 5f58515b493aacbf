"""The scheduling loop's life: restarts, release, outages, other controllers, auth and permissions."""

from __future__ import annotations

import asyncio
from dataclasses import replace
import logging
import re
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.immich_jobs.const import CONF_PRIORITY, DOMAIN
from custom_components.immich_jobs.immich import ImmichError
from homeassistant.config_entries import (
    SOURCE_REAUTH,
    ConfigEntryDisabler,
    ConfigEntryState,
)
from homeassistant.const import EVENT_HOMEASSISTANT_STOP, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr, issue_registry as ir
from simulator.faults import Fault, another_controller
from simulator.server import KEY_ALL, SimulatedImmich

from .helpers import call_switch, commands, paused_queues, run_for

VIDEO = "videoConversion"
THUMBNAILS = "thumbnailGeneration"
VIDEO_SWITCH = "switch.immich_127_0_0_1_video_conversion_allowed"
SCHEDULING_SWITCH = "switch.immich_127_0_0_1_automatic_scheduling"
THUMBNAIL_PENDING = "sensor.immich_127_0_0_1_thumbnail_generation_pending"


async def _busy_server(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, immich: SimulatedImmich
) -> None:
    """Start an import: photos take the one slot, the videos wait paused by the scheduler."""
    immich.model.upload(videos=4)
    immich.model.upload(photos=300)
    for _ in range(40):
        await run_for(hass, freezer, immich, 1)
        # Until every photo reached the thumbnails, which still have a backlog: how soon
        # depends on Immich's speed (the model's CPU sharing), not on a fixed job time.
        upstream = ("metadataExtraction", "storageTemplateMigration")
        if (
            VIDEO in paused_queues(immich)
            and THUMBNAILS not in paused_queues(immich)
            and immich.model.counts(THUMBNAILS).waiting > 0
            and not any(immich.model.counts(q).waiting for q in upstream)
        ):
            break
    assert VIDEO in paused_queues(immich)
    assert immich.model.counts(THUMBNAILS).waiting > 0


def _owned(entry: MockConfigEntry) -> frozenset[str]:
    return entry.runtime_data.memory.owned


async def test_restart_sends_no_command(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    loaded_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Unloading and setting up again from the same storage changes nothing in Immich."""
    await _busy_server(hass, freezer, immich)
    assert VIDEO in _owned(loaded_entry)
    await call_switch(hass, "turn_off", "switch.immich_127_0_0_1_ocr_allowed")
    sent = commands(immich)
    paused = paused_queues(immich)

    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    assert paused_queues(immich) == paused
    assert await hass.config_entries.async_setup(loaded_entry.entry_id)
    await hass.async_block_till_done()

    assert commands(immich) == sent
    assert paused_queues(immich) == paused
    coordinator = loaded_entry.runtime_data
    assert VIDEO in coordinator.memory.owned
    assert coordinator.intents.held == {"ocr"}
    assert hass.states.get("switch.immich_127_0_0_1_ocr_allowed").state == "off"


async def test_reload_keeps_queues_paused(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    loaded_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A reload does not unleash every queue at once."""
    await _busy_server(hass, freezer, immich)
    sent = commands(immich)
    assert await hass.config_entries.async_reload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert commands(immich) == sent
    assert VIDEO in paused_queues(immich)


async def test_scheduling_off_releases_but_keeps_held_queues(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    loaded_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Off resumes what the scheduler paused; a queue the user holds stays paused."""
    await _busy_server(hass, freezer, immich)
    await call_switch(hass, "turn_off", "switch.immich_127_0_0_1_ocr_allowed")
    await call_switch(hass, "turn_off", SCHEDULING_SWITCH)
    await hass.async_block_till_done()
    assert hass.states.get(SCHEDULING_SWITCH).state == "off"
    assert VIDEO not in paused_queues(immich)
    assert "ocr" in paused_queues(immich)
    # Nothing is paused again while scheduling is off.
    await run_for(hass, freezer, immich, 30)
    assert paused_queues(immich) == {"ocr"}

    await call_switch(hass, "turn_on", SCHEDULING_SWITCH)
    await run_for(hass, freezer, immich, 5)
    if immich.model.counts(THUMBNAILS).waiting:
        assert VIDEO in paused_queues(immich)


async def test_disabling_the_entry_releases_everything(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    loaded_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Disabled, the integration leaves no queue paused, held ones included."""
    await _busy_server(hass, freezer, immich)
    await call_switch(hass, "turn_off", "switch.immich_127_0_0_1_ocr_allowed")
    assert {VIDEO, "ocr"} <= paused_queues(immich)
    await hass.config_entries.async_set_disabled_by(
        loaded_entry.entry_id, ConfigEntryDisabler.USER
    )
    await hass.async_block_till_done()
    assert loaded_entry.state is ConfigEntryState.NOT_LOADED
    assert paused_queues(immich) == set()


async def test_a_cycle_due_while_disabling_pauses_nothing(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    loaded_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A poll that falls due as the entry is disabled does not pause the queues again.

    The last write to disk yields to the event loop; a poll due then must find the
    coordinator stopped, and nothing may be read or commanded after the release.
    """
    await _busy_server(hass, freezer, immich)
    coordinator = loaded_entry.runtime_data
    assert VIDEO in paused_queues(immich)
    store = coordinator._store
    close = store.async_close
    released: list[int] = []

    async def flush_while_a_poll_falls_due(*args: Any) -> None:
        released.append(len(immich.requests))
        await coordinator.async_refresh()
        await close(*args)

    with patch.object(store, "async_close", flush_while_a_poll_falls_due):
        await hass.config_entries.async_set_disabled_by(
            loaded_entry.entry_id, ConfigEntryDisabler.USER
        )
        await hass.async_block_till_done()
    assert released
    assert paused_queues(immich) == set()
    assert immich.requests[released[0] :] == []


async def test_a_change_that_finds_immich_away_marks_entities_unavailable(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    loaded_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A switch flipped while Immich is away: error, entities unavailable, logged once.

    An action once Immich is back works, entities return, and the recovery is logged.
    """
    await run_for(hass, freezer, immich, 5)
    immich.faults.add(Fault(kind="drop", count=None))
    with pytest.raises(HomeAssistantError):
        await call_switch(hass, "turn_off", VIDEO_SWITCH)
    assert hass.states.get(THUMBNAIL_PENDING).state == STATE_UNAVAILABLE
    assert hass.states.get(VIDEO_SWITCH).state == STATE_UNAVAILABLE
    await run_for(hass, freezer, immich, 30)
    # Home Assistant's words: "Error fetching" after a poll, "Error requesting" after a change.
    errors = [
        r
        for r in caplog.records
        if re.match(r"Error (fetching|requesting) Immich", r.getMessage())
    ]
    assert len(errors) == 1

    # Back, and the user acts before the next poll (an action: entities are unavailable).
    immich.faults.clear()
    await hass.services.async_call(
        DOMAIN,
        "pause_processing",
        {"config_entry_id": loaded_entry.entry_id},
        blocking=True,
    )
    assert hass.states.get(THUMBNAIL_PENDING).state != STATE_UNAVAILABLE
    assert hass.states.get(VIDEO_SWITCH).state == "on"
    assert [r for r in caplog.records if "data recovered" in r.getMessage()]


async def test_a_failed_change_keeps_options_saved_meanwhile(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    loaded_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The limit fails to apply while the user saves other options: only the limit is undone."""
    # Without the quiet period, which would hold the videos during the import: the limit's
    # own command (resume the videos) is the one that fails.
    hass.config_entries.async_update_entry(
        loaded_entry, options={"upload_quiet": False}
    )
    await _busy_server(hass, freezer, immich)
    coordinator = loaded_entry.runtime_data
    cycle = coordinator._async_cycle
    priority = ["videoConversion", "thumbnailGeneration"]

    async def options_saved_then_immich_fails(*args: Any, **kwargs: Any) -> Any:
        hass.config_entries.async_update_entry(
            loaded_entry, options={**loaded_entry.options, CONF_PRIORITY: priority}
        )
        immich.faults.add(Fault(kind="status", status=500, count=None))
        return await cycle(*args, **kwargs)

    with (
        patch.object(coordinator, "_async_cycle", options_saved_then_immich_fails),
        pytest.raises(ImmichError),
    ):
        await coordinator.async_change(lambda intents: intents.set_limit(3))

    assert loaded_entry.options[CONF_PRIORITY] == priority
    assert coordinator.max_running == 1


async def test_overlapping_changes_that_fail_leave_nothing_changed(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    loaded_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Two changes at once, both refused: neither is kept (the user was told both failed)."""
    await _busy_server(hass, freezer, immich)
    coordinator = loaded_entry.runtime_data
    options = dict(loaded_entry.options)
    immich.faults.add(Fault(kind="status", status=500, count=None))

    results = await asyncio.gather(
        coordinator.async_change(lambda intents: intents.hold("ocr", True), "ocr"),
        coordinator.async_change(lambda intents: intents.set_limit(3)),
        return_exceptions=True,
    )

    assert all(isinstance(result, HomeAssistantError) for result in results)
    assert coordinator.intents.held == set()
    assert coordinator.max_running == 1
    assert dict(loaded_entry.options) == options


async def test_removing_the_entry_releases_and_forgets(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    loaded_entry: MockConfigEntry,
    hass_storage: dict[str, object],
    freezer: FrozenDateTimeFactory,
) -> None:
    """Removed, the integration resumes what it paused and deletes its storage."""
    await _busy_server(hass, freezer, immich)
    await hass.async_block_till_done()
    key = f"{DOMAIN}.{loaded_entry.entry_id}"
    await hass.config_entries.async_remove(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert paused_queues(immich) == set()
    assert key not in hass_storage


async def test_release_while_unreachable_names_the_queues(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    loaded_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """If Immich cannot be reached, a repair issue names the queues to resume by hand.

    It outlives the disabled entry, and goes once Immich Jobs manages the server again.
    """
    await _busy_server(hass, freezer, immich)
    immich.faults.add(Fault(kind="html", status=502, count=None))
    await hass.config_entries.async_set_disabled_by(
        loaded_entry.entry_id, ConfigEntryDisabler.USER
    )
    await hass.async_block_till_done()
    issue_id = f"queues_left_paused_{loaded_entry.unique_id}"
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.is_persistent
    assert "Video conversion" in issue.translation_placeholders["queues"]
    assert VIDEO in paused_queues(immich)

    immich.faults.clear()
    await hass.config_entries.async_set_disabled_by(loaded_entry.entry_id, None)
    await hass.async_block_till_done()
    assert loaded_entry.state is ConfigEntryState.LOADED
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None


async def test_grace_period_after_an_outage(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    loaded_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """After Immich comes back, the integration watches a minute before commanding."""
    immich.restart(downtime=30)
    await run_for(hass, freezer, immich, 25)
    assert hass.states.get(THUMBNAIL_PENDING).state == STATE_UNAVAILABLE
    await run_for(hass, freezer, immich, 15)
    assert hass.states.get(THUMBNAIL_PENDING).state != STATE_UNAVAILABLE
    sent = commands(immich)
    immich.model.upload(videos=40)
    immich.model.upload(photos=1000)
    await run_for(hass, freezer, immich, 30)
    # Work that would be scheduled, but Immich may still be booting: no command yet.
    assert commands(immich) == sent
    assert VIDEO not in paused_queues(immich)
    await run_for(hass, freezer, immich, 45)
    assert len(commands(immich)) > len(sent)


async def test_an_upgrade_during_an_outage_shows_the_new_version(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    loaded_entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Immich restarted as a newer release: the device page shows it, without a reload."""
    (device,) = dr.async_entries_for_config_entry(
        device_registry, loaded_entry.entry_id
    )
    before = device.sw_version
    immich.restart(downtime=30)
    immich.profile = replace(immich.profile, patch=immich.profile.patch + 1)
    await run_for(hass, freezer, immich, 45)

    device = device_registry.async_get(device.id)
    assert device is not None
    assert before is not None
    assert device.sw_version != before
    assert device.sw_version == "v{}.{}.{}".format(*immich.profile.version)
    assert loaded_entry.state is ConfigEntryState.LOADED


async def test_another_controller_raises_a_repair_issue(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    loaded_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A rival that keeps resuming a queue we pause is reported, and left alone."""
    await _busy_server(hass, freezer, immich)
    another_controller(
        immich.model, [VIDEO], paused=False, start=immich.model.now + 1, every=12,
        until=immich.model.now + 600,
    )  # fmt: skip
    await run_for(hass, freezer, immich, 120)
    issue = issue_registry.async_get_issue(
        DOMAIN, f"fighting_controller_{loaded_entry.entry_id}"
    )
    assert issue is not None
    assert issue.translation_placeholders["queues"] == "Video conversion"
    assert VIDEO in loaded_entry.runtime_data.contested
    # It stops fighting: no more commands for that queue.
    sent = [c for c in commands(immich) if c.endswith(VIDEO)]
    await run_for(hass, freezer, immich, 60)
    assert [c for c in commands(immich) if c.endswith(VIDEO)] == sent


@pytest.mark.parametrize("end", ["reload", "remove"])
async def test_repair_issues_end_with_the_schedule(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    loaded_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
    freezer: FrozenDateTimeFactory,
    end: str,
) -> None:
    """The README's advice holds: stop the rival, reload, and its issue is gone.

    Removing the entry withdraws its issues too (none would ever be cleared otherwise).
    """
    await _busy_server(hass, freezer, immich)
    another_controller(
        immich.model, [VIDEO], paused=False, start=immich.model.now + 1, every=12,
        until=immich.model.now + 120,
    )  # fmt: skip
    await run_for(hass, freezer, immich, 120)
    issue_id = f"fighting_controller_{loaded_entry.entry_id}"
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None

    if end == "reload":
        await hass.config_entries.async_reload(loaded_entry.entry_id)
    else:
        await hass.config_entries.async_remove(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
    if end == "reload":
        await run_for(hass, freezer, immich, 120)
        assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
        assert VIDEO not in loaded_entry.runtime_data.contested


async def test_revoked_key_starts_reauth(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    loaded_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A 401 at any time asks the user for a new key; entities show the state is unknown."""
    immich.revoke_key(KEY_ALL)
    await run_for(hass, freezer, immich, 15)
    flows = hass.config_entries.flow.async_progress()
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]
    assert hass.states.get(THUMBNAIL_PENDING).state == STATE_UNAVAILABLE


async def test_a_change_with_a_revoked_key_starts_reauth(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    loaded_entry: MockConfigEntry,
) -> None:
    """The key is revoked and the user flips a switch before the next poll: error, reauth."""
    immich.revoke_key(KEY_ALL)
    with pytest.raises(HomeAssistantError):
        await call_switch(hass, "turn_off", VIDEO_SWITCH)
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress()
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]
    assert loaded_entry.runtime_data.intents.held == set()


async def test_lost_permissions_raise_a_repair_issue(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    loaded_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A 403 names the permission to add; fixing the key clears the issue by itself."""
    issue_id = f"missing_permission_{loaded_entry.entry_id}"
    immich.set_permissions(KEY_ALL, ["asset.read"])
    await run_for(hass, freezer, immich, 15)
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_placeholders["permission"] in ("job.read", "queue.read")
    assert hass.states.get(THUMBNAIL_PENDING).state == STATE_UNAVAILABLE
    sent = commands(immich)
    immich.model.upload(photos=100, videos=2)
    await run_for(hass, freezer, immich, 15)
    assert commands(immich) == sent

    immich.set_permissions(KEY_ALL, ["all"])
    await run_for(hass, freezer, immich, 15)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
    assert hass.states.get(THUMBNAIL_PENDING).state != STATE_UNAVAILABLE


async def test_commands_refused_for_permission(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    loaded_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Reads still work, commands are refused: issue raised, commands backed off."""
    issue_id = f"missing_permission_{loaded_entry.entry_id}"
    immich.faults.add(
        Fault(
            kind="status",
            status=403,
            scope="commands",
            count=None,
            body="Missing required permission: queue.update",
        )
    )
    immich.model.upload(photos=300, videos=4)
    await run_for(hass, freezer, immich, 60)
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_placeholders["permission"] == "queue.update"
    # One refused command (the client also tries the older endpoint), then a pause of five
    # minutes: no request storm.
    assert len(commands(immich)) <= 2
    assert hass.states.get(THUMBNAIL_PENDING).state != STATE_UNAVAILABLE

    immich.faults.clear()
    await run_for(hass, freezer, immich, 300, step=5)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None


async def test_admin_rights_removed(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    loaded_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A key whose user lost admin rights gets its own repair issue."""
    immich.set_admin(KEY_ALL, False)
    await run_for(hass, freezer, immich, 15)
    assert issue_registry.async_get_issue(DOMAIN, f"not_admin_{loaded_entry.entry_id}")
    immich.set_admin(KEY_ALL, True)
    await run_for(hass, freezer, immich, 15)
    assert not issue_registry.async_get_issue(
        DOMAIN, f"not_admin_{loaded_entry.entry_id}"
    )


@pytest.mark.parametrize("immich_profile", ["v2.4"])
async def test_maintenance_mode_is_unknown_state(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    loaded_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """In maintenance mode nothing is read, so nothing is commanded."""
    immich.set_maintenance(True)
    immich.model.upload(photos=300, videos=4)
    sent = commands(immich)
    await run_for(hass, freezer, immich, 30)
    assert hass.states.get(THUMBNAIL_PENDING).state == STATE_UNAVAILABLE
    assert commands(immich) == sent


SECRET = "sk-very-secret-0123456789abcdef"


@pytest.mark.parametrize("api_key", [SECRET])
async def test_api_key_is_never_logged(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Not at debug level, not in errors, not through a revoked key or a proxy page."""
    caplog.set_level(logging.DEBUG)
    immich.add_key(SECRET, user=immich.admin)
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    immich.model.upload(photos=100, videos=2)
    await run_for(hass, freezer, immich, 20)
    immich.faults.add(Fault(kind="html", status=200, count=3))
    immich.faults.add(Fault(kind="malformed_json", count=2))
    await run_for(hass, freezer, immich, 30)
    immich.revoke_key(SECRET)
    await run_for(hass, freezer, immich, 15)
    assert caplog.records
    for record in caplog.records:
        assert SECRET not in record.getMessage()
        assert SECRET not in str(record.exc_info)
        assert SECRET not in (record.exc_text or "")


async def test_failed_resume_stays_owned_for_release(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    loaded_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A queue whose resume Immich refused is still the integration's to give back."""
    await _busy_server(hass, freezer, immich)
    immich.faults.add(Fault(kind="status", status=500, scope="commands", count=None))
    # The photos finish: the plan now wants the videos resumed, and Immich refuses.
    for _ in range(200):
        await run_for(hass, freezer, immich, 1)
        thumbnails = immich.model.counts(THUMBNAILS)
        if not thumbnails.waiting + thumbnails.paused:
            break
    await run_for(hass, freezer, immich, 5)
    assert VIDEO in paused_queues(immich)
    assert VIDEO in _owned(loaded_entry)

    immich.faults.clear()
    await hass.config_entries.async_set_disabled_by(
        loaded_entry.entry_id, ConfigEntryDisabler.USER
    )
    await hass.async_block_till_done()
    assert VIDEO not in paused_queues(immich)


async def test_home_assistant_stopping_releases_nothing(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    loaded_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Shutting Home Assistant down leaves the queues as they are for the next start."""
    await _busy_server(hass, freezer, immich)
    sent = commands(immich)
    paused = paused_queues(immich)
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
    await hass.async_block_till_done()
    assert commands(immich) == sent
    assert paused_queues(immich) == paused
