"""Internal queues left paused (by the old add-on) are reported, and resumed on request."""

from __future__ import annotations

from collections.abc import Iterable
from http import HTTPStatus

from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.immich_jobs.const import DOMAIN
from homeassistant.components.repairs import DOMAIN as REPAIRS_DOMAIN
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from simulator.faults import Fault

from .setups import Home, home_fixture  # noqa: F401

INTERNAL = {"backgroundTask", "backupDatabase"}


async def _start_fix(
    client_factory: ClientSessionGenerator, issue_id: str
) -> tuple[object, dict]:
    client = await client_factory()
    response = await client.post(
        "/api/repairs/issues/fix", json={"handler": DOMAIN, "issue_id": issue_id}
    )
    assert response.status == HTTPStatus.OK
    return client, await response.json()


async def _internal_queues_left_paused(
    home: Home, queues: Iterable[str] = ("backgroundTask",)
) -> str:
    """Pause internal queues as the old add-on did, let a cycle see it; return the issue id."""
    assert await async_setup_component(home.hass, REPAIRS_DOMAIN, {})
    for name in queues:
        home.immich.model.pause(name)
    await home.run_for(35)
    return f"internal_queues_paused_{home.entry.entry_id}"


async def test_paused_internal_queues_are_repaired(
    home: Home, hass_client: ClientSessionGenerator, issue_registry: ir.IssueRegistry
) -> None:
    """The add-on left backgroundTask paused: the user sees why it matters and fixes it."""
    await home.set_up()
    issue_id = f"internal_queues_paused_{home.entry.entry_id}"
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
    assert issue_id == await _internal_queues_left_paused(home, INTERNAL)
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.is_fixable
    assert (
        issue.translation_placeholders["queues"] == "Background task, Backup database"
    )

    client, flow = await _start_fix(hass_client, issue_id)
    assert flow["step_id"] == "confirm"
    assert (
        flow["description_placeholders"]["queues"] == "Background task, Backup database"
    )
    response = await client.post(f"/api/repairs/issues/fix/{flow['flow_id']}", json={})
    assert response.status == HTTPStatus.OK
    assert (await response.json())["type"] == "create_entry"
    await home.hass.async_block_till_done()

    assert not home.paused() & INTERNAL
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None


async def test_repair_when_immich_refuses(
    home: Home, hass_client: ClientSessionGenerator, issue_registry: ir.IssueRegistry
) -> None:
    """If Immich cannot resume them, the flow says so and the issue stays."""
    await home.set_up()
    issue_id = await _internal_queues_left_paused(home)
    client, flow = await _start_fix(hass_client, issue_id)
    home.immich.faults.add(
        Fault(kind="status", status=500, scope="commands", count=None)
    )
    response = await client.post(f"/api/repairs/issues/fix/{flow['flow_id']}", json={})
    result = await response.json()
    assert result["type"] == "abort"
    assert result["reason"] == "cannot_resume"
    assert "backgroundTask" in home.paused()
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None


async def test_repair_for_unloaded_entry(
    home: Home, hass_client: ClientSessionGenerator, issue_registry: ir.IssueRegistry
) -> None:
    """Unloading withdraws the issue; one fixed as the entry unloads cannot be fixed here."""
    await home.set_up()
    issue_id = await _internal_queues_left_paused(home)
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    await home.hass.config_entries.async_unload(home.entry.entry_id)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None

    # The user opened the repair just before the entry unloaded.
    ir.async_create_issue(
        home.hass,
        DOMAIN,
        issue_id,
        is_fixable=True,
        severity=issue.severity,
        translation_key=issue.translation_key,
        translation_placeholders=issue.translation_placeholders,
        data=issue.data,
    )
    _, flow = await _start_fix(hass_client, issue_id)
    assert flow["type"] == "abort"
    assert flow["reason"] == "not_loaded"
