"""Set-up checks Immich first: retry while it is away, ask for a new key when it refuses."""

from __future__ import annotations

import logging

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.immich_jobs.const import DOMAIN
from homeassistant.config_entries import (
    SOURCE_REAUTH,
    ConfigEntryDisabler,
    ConfigEntryState,
)
from homeassistant.const import CONF_API_KEY, CONF_URL, CONF_VERIFY_SSL
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from simulator.faults import Fault
from simulator.server import KEY_ALL, SimulatedImmich


async def _setup(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    if entry.entry_id not in {e.entry_id for e in hass.config_entries.async_entries()}:
        entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


async def test_unreachable_server_retries(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    config_entry: MockConfigEntry,
    refused_port: int,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Nothing listening: Home Assistant retries later, showing why, without a traceback."""
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        config_entry,
        data={**config_entry.data, CONF_URL: f"http://127.0.0.1:{refused_port}"},
    )
    await _setup(hass, config_entry)
    assert config_entry.state is ConfigEntryState.SETUP_RETRY
    assert config_entry.reason == "Could not reach Immich"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        (
            Fault(kind="html", status=502, count=None),
            "Immich answered with something that is not its API (a reverse proxy's "
            "error page?).",
        ),
        (
            Fault(kind="status", status=404, body="Not Found", count=None),
            "This address answers, but it is not an Immich server.",
        ),
    ],
    ids=["proxy_error_page", "not_immich"],
)
async def test_set_up_retries_with_the_reason(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    fault: Fault,
    reason: str,
) -> None:
    """A proxy's error page or a server that is not Immich: retried, the reason shown."""
    immich.faults.add(fault)
    await _setup(hass, config_entry)
    assert config_entry.state is ConfigEntryState.SETUP_RETRY
    assert config_entry.reason == reason.rstrip(
        "."
    )  # Home Assistant drops the full stop
    assert not [r for r in immich.requests if r.method == "PUT"]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_set_up_says_immich_is_too_old(
    hass: HomeAssistant, old_immich: SimulatedImmich
) -> None:
    """An entry pointing at an Immich downgraded below v1.106 retries, naming the release."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        data={CONF_URL: old_immich.url, CONF_API_KEY: KEY_ALL, CONF_VERIFY_SSL: True},
    )
    await _setup(hass, entry)
    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert entry.reason == (
        "This Immich (v1.105.0) is too old: Immich Jobs supports Immich v1.106 and newer"
    )
    assert not [r for r in old_immich.requests if r.method == "PUT"]


async def test_revoked_key_asks_for_a_new_one(
    hass: HomeAssistant, immich: SimulatedImmich, config_entry: MockConfigEntry
) -> None:
    """A key Immich no longer accepts fails the set-up and starts reauthentication."""
    immich.revoke_key(KEY_ALL)
    await _setup(hass, config_entry)
    assert config_entry.state is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress()
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]


async def test_unload(
    hass: HomeAssistant, immich: SimulatedImmich, loaded_entry: MockConfigEntry
) -> None:
    """Unloading removes the entities' data source and leaves Immich as it is."""
    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    assert loaded_entry.state is ConfigEntryState.NOT_LOADED
    assert not [r for r in immich.requests if r.method == "PUT"]


async def test_issues_of_a_failed_set_up_do_not_outlive_it(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    config_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """A key that may not read the queues: the retry reason says so, and no issue lingers.

    Home Assistant disables an entry that waits to retry without unloading it, so an issue
    raised by the failed set-up would stay for good.
    """
    immich.add_key("command-only", permissions=["job.create", "queue.update"])
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        config_entry, data={**config_entry.data, CONF_API_KEY: "command-only"}
    )
    await _setup(hass, config_entry)
    assert config_entry.state is ConfigEntryState.SETUP_RETRY
    assert config_entry.reason is not None
    assert "lacks the permission" in config_entry.reason
    assert not [i for i in issue_registry.issues.values() if i.domain == DOMAIN]

    await hass.config_entries.async_set_disabled_by(
        config_entry.entry_id, ConfigEntryDisabler.USER
    )
    await hass.async_block_till_done()
    assert not [i for i in issue_registry.issues.values() if i.domain == DOMAIN]
