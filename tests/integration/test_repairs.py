"""Internal queues left paused (by the old add-on) are reported, and resumed on request."""

from __future__ import annotations

from http import HTTPStatus

from freezegun.api import FrozenDateTimeFactory
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.immich_jobs.const import DOMAIN
from homeassistant.components.repairs import DOMAIN as REPAIRS_DOMAIN
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from simulator.faults import Fault
from simulator.server import SimulatedImmich

from .helpers import paused_queues, run_for

INTERNAL = {"backgroundTask", "backupDatabase"}


async def _start_fix(
    hass: HomeAssistant, client_factory: ClientSessionGenerator, issue_id: str
) -> tuple[object, dict]:
    client = await client_factory()
    response = await client.post(
        "/api/repairs/issues/fix", json={"handler": DOMAIN, "issue_id": issue_id}
    )
    assert response.status == HTTPStatus.OK
    return client, await response.json()


async def _internal_queues_left_paused(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    immich: SimulatedImmich,
    entry: MockConfigEntry,
    queues: set[str],
) -> str:
    """Pause internal queues as the old add-on did, let a cycle see it; return the issue id."""
    assert await async_setup_component(hass, REPAIRS_DOMAIN, {})
    for name in queues:
        immich.model.pause(name)
    await run_for(hass, freezer, immich, 35)
    return f"internal_queues_paused_{entry.entry_id}"


async def test_paused_internal_queues_are_repaired(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    immich: SimulatedImmich,
    loaded_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The add-on left backgroundTask paused: the user sees why it matters and fixes it."""
    issue_id = f"internal_queues_paused_{loaded_entry.entry_id}"
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
    assert issue_id == await _internal_queues_left_paused(
        hass, freezer, immich, loaded_entry, INTERNAL
    )
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.is_fixable
    assert (
        issue.translation_placeholders["queues"] == "Background task, Backup database"
    )

    client, flow = await _start_fix(hass, hass_client, issue_id)
    assert flow["step_id"] == "confirm"
    assert (
        flow["description_placeholders"]["queues"] == "Background task, Backup database"
    )
    response = await client.post(f"/api/repairs/issues/fix/{flow['flow_id']}", json={})
    assert response.status == HTTPStatus.OK
    assert (await response.json())["type"] == "create_entry"
    await hass.async_block_till_done()

    assert not paused_queues(immich) & INTERNAL
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None


async def test_repair_when_immich_refuses(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    immich: SimulatedImmich,
    loaded_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """If Immich cannot resume them, the flow says so and the issue stays."""
    issue_id = await _internal_queues_left_paused(
        hass, freezer, immich, loaded_entry, {"backgroundTask"}
    )
    client, flow = await _start_fix(hass, hass_client, issue_id)
    immich.faults.add(Fault(kind="status", status=500, scope="commands", count=None))
    response = await client.post(f"/api/repairs/issues/fix/{flow['flow_id']}", json={})
    result = await response.json()
    assert result["type"] == "abort"
    assert result["reason"] == "cannot_resume"
    assert "backgroundTask" in paused_queues(immich)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None


async def test_repair_for_unloaded_entry(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    immich: SimulatedImmich,
    loaded_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Unloading withdraws the issue; one fixed as the entry unloads cannot be fixed here."""
    issue_id = await _internal_queues_left_paused(
        hass, freezer, immich, loaded_entry, {"backgroundTask"}
    )
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    await hass.config_entries.async_unload(loaded_entry.entry_id)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None

    # The user opened the repair just before the entry unloaded.
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id,
        is_fixable=True,
        severity=issue.severity,
        translation_key=issue.translation_key,
        translation_placeholders=issue.translation_placeholders,
        data=issue.data,
    )
    _, flow = await _start_fix(hass, hass_client, issue_id)
    assert flow["type"] == "abort"
    assert flow["reason"] == "not_loaded"
