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
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import EVENT_HOMEASSISTANT_STOP, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr, issue_registry as ir
from simulator.faults import Fault, another_controller
from simulator.server import KEY_ALL, SimulatedImmich

from .helpers import run_for
from .setups import Home

VIDEO = "videoConversion"
THUMBNAILS = "thumbnailGeneration"
VIDEO_SWITCH = "switch.immich_127_0_0_1_video_conversion_allowed"
OCR_SWITCH = "switch.immich_127_0_0_1_ocr_allowed"
SCHEDULING_SWITCH = "switch.immich_127_0_0_1_automatic_scheduling"
MAX_RUNNING = "number.immich_127_0_0_1_max_concurrent_queues"
THUMBNAIL_PENDING = "sensor.immich_127_0_0_1_thumbnail_generation_pending"
VIDEO_STATUS = "sensor.immich_127_0_0_1_video_conversion_status"


@pytest.fixture
def home(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    loaded_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> Home:
    """Return the home with the integration set up, Immich idle."""
    return Home(hass, immich, loaded_entry, freezer)


@pytest.fixture
async def busy(home: Home) -> Home:
    """Return the home in the middle of an import (see _start_import)."""
    await _start_import(home)
    return home


async def _start_import(home: Home) -> None:
    """Start an import: photos take the one slot, the videos wait paused by the scheduler."""
    immich = home.immich
    immich.model.upload(videos=4)
    immich.model.upload(photos=300)
    for _ in range(40):
        await home.run_for(1)
        # Until every photo reached the thumbnails, which still have a backlog: how soon
        # depends on Immich's speed (the model's CPU sharing), not on a fixed job time.
        upstream = ("metadataExtraction", "storageTemplateMigration")
        if (
            VIDEO in home.paused()
            and THUMBNAILS not in home.paused()
            and immich.model.counts(THUMBNAILS).waiting > 0
            and not any(immich.model.counts(q).waiting for q in upstream)
        ):
            break
    assert VIDEO in home.paused()
    assert immich.model.counts(THUMBNAILS).waiting > 0


async def _reauth_flows(hass: HomeAssistant) -> list[str]:
    await hass.async_block_till_done()
    return [
        flow["context"]["source"] for flow in hass.config_entries.flow.async_progress()
    ]


async def test_restart_sends_no_command(busy: Home) -> None:
    """Unloading and setting up again from the same storage changes nothing in Immich."""
    hass, entry = busy.hass, busy.entry
    await busy.switch("turn_off", OCR_SWITCH)
    sent = busy.commands()
    paused = busy.paused()

    assert await hass.config_entries.async_unload(entry.entry_id)
    assert busy.paused() == paused
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    assert busy.commands() == sent
    assert busy.paused() == paused
    # The user's hold is kept, and the videos are still ours to give back.
    assert busy.state(OCR_SWITCH).state == "off"
    assert busy.state(VIDEO_SWITCH).state == "on"
    await busy.disable()
    assert busy.paused() == set()


async def test_reload_keeps_queues_paused(busy: Home) -> None:
    """A reload does not unleash every queue at once."""
    sent = busy.commands()
    assert await busy.hass.config_entries.async_reload(busy.entry.entry_id)
    await busy.hass.async_block_till_done()
    assert busy.commands() == sent
    assert VIDEO in busy.paused()


async def test_scheduling_off_releases_but_keeps_held_queues(busy: Home) -> None:
    """Off resumes what the scheduler paused; a queue the user holds stays paused."""
    await busy.switch("turn_off", OCR_SWITCH)
    await busy.switch("turn_off", SCHEDULING_SWITCH)
    await busy.hass.async_block_till_done()
    assert busy.state(SCHEDULING_SWITCH).state == "off"
    assert VIDEO not in busy.paused()
    assert "ocr" in busy.paused()
    # Nothing is paused again while scheduling is off.
    await busy.run_for(30)
    assert busy.paused() == {"ocr"}

    await busy.switch("turn_on", SCHEDULING_SWITCH)
    await busy.run_for(5)
    if busy.immich.model.counts(THUMBNAILS).waiting:
        assert VIDEO in busy.paused()


async def test_disabling_the_entry_releases_everything(busy: Home) -> None:
    """Disabled, the integration leaves no queue paused, held ones included."""
    await busy.switch("turn_off", OCR_SWITCH)
    assert {VIDEO, "ocr"} <= busy.paused()
    await busy.disable()
    assert busy.entry.state is ConfigEntryState.NOT_LOADED
    assert busy.paused() == set()


async def test_a_cycle_due_while_disabling_pauses_nothing(busy: Home) -> None:
    """A poll that falls due as the entry is disabled does not pause the queues again.

    The last write to disk yields to the event loop; a poll due then must find the
    coordinator stopped, and nothing may be read or commanded after the release. Only a
    patched write can make a poll fall due at that instant.
    """
    immich = busy.immich
    coordinator = busy.entry.runtime_data
    store = coordinator._store
    close = store.async_close
    released: list[int] = []

    async def flush_while_a_poll_falls_due(*args: Any) -> None:
        released.append(len(immich.requests))
        await coordinator.async_refresh()
        await close(*args)

    with patch.object(store, "async_close", flush_while_a_poll_falls_due):
        await busy.disable()
    assert released
    assert busy.paused() == set()
    assert immich.requests[released[0] :] == []


async def test_a_change_that_finds_immich_away_marks_entities_unavailable(
    home: Home, caplog: pytest.LogCaptureFixture
) -> None:
    """A switch flipped while Immich is away: error, entities unavailable, logged once.

    An action once Immich is back works, entities return, and the recovery is logged.
    """
    await home.run_for(5)
    home.immich.faults.add(Fault(kind="drop", count=None))
    with pytest.raises(HomeAssistantError):
        await home.switch("turn_off", VIDEO_SWITCH)
    assert home.state(THUMBNAIL_PENDING).state == STATE_UNAVAILABLE
    assert home.state(VIDEO_SWITCH).state == STATE_UNAVAILABLE
    await home.run_for(30)
    # Home Assistant's words: "Error fetching" after a poll, "Error requesting" after a change.
    errors = [
        r
        for r in caplog.records
        if re.match(r"Error (fetching|requesting) Immich", r.getMessage())
    ]
    assert len(errors) == 1

    # Back, and the user acts before the next poll (an action: entities are unavailable).
    home.immich.faults.clear()
    await home.hass.services.async_call(
        DOMAIN,
        "pause_processing",
        {"config_entry_id": home.entry.entry_id},
        blocking=True,
    )
    assert home.state(THUMBNAIL_PENDING).state != STATE_UNAVAILABLE
    assert home.state(VIDEO_SWITCH).state == "on"
    assert [r for r in caplog.records if "data recovered" in r.getMessage()]


async def _set_limit(home: Home, value: int) -> None:
    await home.call("number", "set_value", MAX_RUNNING, value=value)


async def test_a_failed_change_keeps_options_saved_meanwhile(home: Home) -> None:
    """The limit fails to apply while the user saves other options: only the limit is undone.

    The options are saved while the change runs (a patched cycle saves them at that instant).
    """
    hass, immich, entry = home.hass, home.immich, home.entry
    # Without the quiet period, which would hold the videos during the import: the limit's
    # own command (resume the videos) is the one that fails.
    hass.config_entries.async_update_entry(entry, options={"upload_quiet": False})
    await _start_import(home)
    coordinator = entry.runtime_data
    cycle = coordinator._async_cycle
    priority = ["videoConversion", "thumbnailGeneration"]

    async def options_saved_then_immich_fails(*args: Any, **kwargs: Any) -> Any:
        hass.config_entries.async_update_entry(
            entry, options={**entry.options, CONF_PRIORITY: priority}
        )
        immich.faults.add(Fault(kind="status", status=500, count=None))
        return await cycle(*args, **kwargs)

    with (
        patch.object(coordinator, "_async_cycle", options_saved_then_immich_fails),
        pytest.raises(HomeAssistantError),
    ):
        await _set_limit(home, 3)

    assert entry.options[CONF_PRIORITY] == priority
    immich.faults.clear()
    await home.run_for(15)
    assert home.state(MAX_RUNNING).state == "1"


async def test_overlapping_changes_that_fail_leave_nothing_changed(busy: Home) -> None:
    """Two changes at once, both refused: neither is kept (the user was told both failed)."""
    options = dict(busy.entry.options)
    busy.immich.faults.add(Fault(kind="status", status=500, count=None))

    results = await asyncio.gather(
        busy.switch("turn_off", OCR_SWITCH),
        _set_limit(busy, 3),
        return_exceptions=True,
    )

    assert all(isinstance(result, HomeAssistantError) for result in results)
    assert dict(busy.entry.options) == options
    busy.immich.faults.clear()
    await busy.run_for(15)
    assert busy.state(OCR_SWITCH).state == "on"
    assert busy.state(MAX_RUNNING).state == "1"


async def test_removing_the_entry_releases_and_forgets(
    busy: Home, hass_storage: dict[str, object]
) -> None:
    """Removed, the integration resumes what it paused and deletes its storage."""
    await busy.hass.async_block_till_done()
    key = f"{DOMAIN}.{busy.entry.entry_id}"
    await busy.hass.config_entries.async_remove(busy.entry.entry_id)
    await busy.hass.async_block_till_done()
    assert busy.paused() == set()
    assert key not in hass_storage


async def test_release_while_unreachable_names_the_queues(
    busy: Home, issue_registry: ir.IssueRegistry
) -> None:
    """If Immich cannot be reached, a repair issue names the queues to resume by hand.

    It outlives the disabled entry, and goes once Immich Jobs manages the server again.
    """
    busy.immich.faults.add(Fault(kind="html", status=502, count=None))
    await busy.disable()
    issue_id = f"queues_left_paused_{busy.entry.unique_id}"
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.is_persistent
    assert "Video conversion" in issue.translation_placeholders["queues"]
    assert VIDEO in busy.paused()

    busy.immich.faults.clear()
    await busy.hass.config_entries.async_set_disabled_by(busy.entry.entry_id, None)
    await busy.hass.async_block_till_done()
    assert busy.entry.state is ConfigEntryState.LOADED
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None


async def test_grace_period_after_an_outage(home: Home) -> None:
    """After Immich comes back, the integration watches a minute before commanding."""
    home.immich.restart(downtime=30)
    await home.run_for(25)
    assert home.state(THUMBNAIL_PENDING).state == STATE_UNAVAILABLE
    await home.run_for(15)
    assert home.state(THUMBNAIL_PENDING).state != STATE_UNAVAILABLE
    sent = home.commands()
    home.immich.model.upload(videos=40)
    home.immich.model.upload(photos=1000)
    await home.run_for(30)
    # Work that would be scheduled, but Immich may still be booting: no command yet.
    assert home.commands() == sent
    assert VIDEO not in home.paused()
    await home.run_for(45)
    assert len(home.commands()) > len(sent)


async def test_an_upgrade_during_an_outage_shows_the_new_version(
    home: Home, device_registry: dr.DeviceRegistry
) -> None:
    """Immich restarted as a newer release: the device page shows it, without a reload."""
    immich = home.immich
    (device,) = dr.async_entries_for_config_entry(device_registry, home.entry.entry_id)
    before = device.sw_version
    immich.restart(downtime=30)
    immich.profile = replace(immich.profile, patch=immich.profile.patch + 1)
    await home.run_for(45)

    device = device_registry.async_get(device.id)
    assert device is not None
    assert before is not None
    assert device.sw_version != before
    assert device.sw_version == "v{}.{}.{}".format(*immich.profile.version)
    assert home.entry.state is ConfigEntryState.LOADED


async def _rival_resumes_the_videos(busy: Home, until: float) -> str:
    """Another controller resumes the videos every 12 s; return its repair issue's id."""
    model = busy.immich.model
    another_controller(
        model,
        [VIDEO],
        paused=False,
        start=model.now + 1,
        every=12,
        until=model.now + until,
    )
    await busy.run_for(120)
    return f"fighting_controller_{busy.entry.entry_id}"


async def test_another_controller_raises_a_repair_issue(
    busy: Home, issue_registry: ir.IssueRegistry
) -> None:
    """A rival that keeps resuming a queue we pause is reported, and left alone."""
    issue_id = await _rival_resumes_the_videos(busy, until=600)
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_placeholders["queues"] == "Video conversion"
    assert busy.state(VIDEO_STATUS).attributes["reason"] == "held_by_rival"
    # It stops fighting: no more commands for that queue.
    sent = [c for c in busy.commands() if c.endswith(VIDEO)]
    await busy.run_for(60)
    assert [c for c in busy.commands() if c.endswith(VIDEO)] == sent


@pytest.mark.parametrize("end", ["reload", "remove"])
async def test_repair_issues_end_with_the_schedule(
    busy: Home, issue_registry: ir.IssueRegistry, end: str
) -> None:
    """The README's advice holds: stop the rival, reload, and its issue is gone.

    Removing the entry withdraws its issues too (none would ever be cleared otherwise).
    """
    issue_id = await _rival_resumes_the_videos(busy, until=120)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None

    if end == "reload":
        await busy.hass.config_entries.async_reload(busy.entry.entry_id)
    else:
        await busy.hass.config_entries.async_remove(busy.entry.entry_id)
    await busy.hass.async_block_till_done()
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
    if end == "reload":
        await busy.run_for(120)
        assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
        assert busy.state(VIDEO_STATUS).attributes["reason"] != "held_by_rival"


async def test_revoked_key_starts_reauth(home: Home) -> None:
    """A 401 at any time asks the user for a new key; entities show the state is unknown."""
    home.immich.revoke_key(KEY_ALL)
    await home.run_for(15)
    assert await _reauth_flows(home.hass) == [SOURCE_REAUTH]
    assert home.state(THUMBNAIL_PENDING).state == STATE_UNAVAILABLE


async def test_a_change_with_a_revoked_key_starts_reauth(home: Home) -> None:
    """The key is revoked and the user flips a switch before the next poll: error, reauth.

    The switch was not turned off: with the key valid again, it shows on.
    """
    home.immich.revoke_key(KEY_ALL)
    with pytest.raises(HomeAssistantError):
        await home.switch("turn_off", VIDEO_SWITCH)
    assert await _reauth_flows(home.hass) == [SOURCE_REAUTH]
    home.immich.keys[KEY_ALL].revoked_at = None
    await home.run_for(15)
    assert home.state(VIDEO_SWITCH).state == "on"


async def test_lost_permissions_raise_a_repair_issue(
    home: Home, issue_registry: ir.IssueRegistry
) -> None:
    """A 403 names the permission to add; fixing the key clears the issue by itself."""
    issue_id = f"missing_permission_{home.entry.entry_id}"
    home.immich.set_permissions(KEY_ALL, ["asset.read"])
    await home.run_for(15)
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_placeholders["permission"] in ("job.read", "queue.read")
    assert home.state(THUMBNAIL_PENDING).state == STATE_UNAVAILABLE
    sent = home.commands()
    home.immich.model.upload(photos=100, videos=2)
    await home.run_for(15)
    assert home.commands() == sent

    home.immich.set_permissions(KEY_ALL, ["all"])
    await home.run_for(15)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
    assert home.state(THUMBNAIL_PENDING).state != STATE_UNAVAILABLE


async def test_commands_refused_for_permission(
    home: Home, issue_registry: ir.IssueRegistry
) -> None:
    """Reads still work, commands are refused: issue raised, commands backed off."""
    issue_id = f"missing_permission_{home.entry.entry_id}"
    home.immich.faults.add(
        Fault(
            kind="status",
            status=403,
            scope="commands",
            count=None,
            body="Missing required permission: queue.update",
        )
    )
    home.immich.model.upload(photos=300, videos=4)
    await home.run_for(60)
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_placeholders["permission"] == "queue.update"
    # One refused command (the client also tries the older endpoint), then a pause of five
    # minutes: no request storm.
    assert len(home.commands()) <= 2
    assert home.state(THUMBNAIL_PENDING).state != STATE_UNAVAILABLE

    home.immich.faults.clear()
    await home.run_for(300, step=5)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None


async def test_admin_rights_removed(
    home: Home, issue_registry: ir.IssueRegistry
) -> None:
    """A key whose user lost admin rights gets its own repair issue."""
    issue_id = f"not_admin_{home.entry.entry_id}"
    home.immich.set_admin(KEY_ALL, False)
    await home.run_for(15)
    assert issue_registry.async_get_issue(DOMAIN, issue_id)
    home.immich.set_admin(KEY_ALL, True)
    await home.run_for(15)
    assert not issue_registry.async_get_issue(DOMAIN, issue_id)


@pytest.mark.parametrize("immich_profile", ["v2.4"])
async def test_maintenance_mode_is_unknown_state(home: Home) -> None:
    """In maintenance mode nothing is read, so nothing is commanded."""
    home.immich.set_maintenance(True)
    home.immich.model.upload(photos=300, videos=4)
    sent = home.commands()
    await home.run_for(30)
    assert home.state(THUMBNAIL_PENDING).state == STATE_UNAVAILABLE
    assert home.commands() == sent


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


async def test_failed_resume_stays_owned_for_release(busy: Home) -> None:
    """A queue whose resume Immich refused is still the integration's to give back."""
    immich = busy.immich
    immich.faults.add(Fault(kind="status", status=500, scope="commands", count=None))
    # The photos finish: the plan now wants the videos resumed, and Immich refuses.
    for _ in range(200):
        await busy.run_for(1)
        thumbnails = immich.model.counts(THUMBNAILS)
        if not thumbnails.waiting + thumbnails.paused:
            break
    await busy.run_for(5)
    assert VIDEO in busy.paused()

    immich.faults.clear()
    await busy.disable()
    assert VIDEO not in busy.paused()


async def test_home_assistant_stopping_releases_nothing(busy: Home) -> None:
    """Shutting Home Assistant down leaves the queues as they are for the next start."""
    sent = busy.commands()
    paused = busy.paused()
    busy.hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
    await busy.hass.async_block_till_done()
    assert busy.commands() == sent
    assert busy.paused() == paused
