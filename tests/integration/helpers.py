"""Drive Home Assistant's clock and the simulated Immich's clock together."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.immich_jobs.const import CONF_EXPRESS_LANE
from custom_components.immich_jobs.diagnostics import async_get_config_entry_diagnostics
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import section
from simulator.server import SimulatedImmich


async def run_for(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    immich: SimulatedImmich,
    seconds: float,
    step: float = 1.0,
) -> None:
    """Let `seconds` pass on both clocks, firing whatever Home Assistant scheduled."""
    elapsed = 0.0
    while elapsed < seconds:
        immich.model.advance(step)
        freezer.tick(timedelta(seconds=step))
        async_fire_time_changed(hass)
        # The coordinator's cycles run as background tasks: let them finish at this time.
        await hass.async_block_till_done(wait_background_tasks=True)
        elapsed += step


def paused_queues(immich: SimulatedImmich) -> set[str]:
    """Return the queues paused in the simulated Immich."""
    return {
        name for name, counts in immich.model.snapshot().items() if counts.is_paused
    }


def commands(immich: SimulatedImmich) -> list[str]:
    """Return the pause/resume requests Immich received, as 'METHOD path'."""
    return [
        f"{record.method} {record.path}"
        for record in immich.requests
        if record.method == "PUT"
    ]


async def diagnostics(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, Any]:
    """Return the diagnostics a user downloads: the one view of what the scheduler owns.

    Called directly: the HTTP view chokes on freezegun's datetimes in HA's own part.
    """
    return await async_get_config_entry_diagnostics(hass, entry)


async def setup_one_slot(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    *,
    max_running: int | None = None,
    **options: object,
) -> MockConfigEntry:
    """Set up with one slot (the default limit) and no express lane: priority alone decides.

    With `max_running`, the user then sets *Max concurrent queues* (the number entity).
    """
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        entry, options={CONF_EXPRESS_LANE: False, **options}
    )
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    if max_running is not None:
        await hass.services.async_call(
            "number",
            "set_value",
            {
                "entity_id": "number.immich_127_0_0_1_max_concurrent_queues",
                "value": max_running,
            },
            blocking=True,
        )
        await hass.async_block_till_done(wait_background_tasks=True)
    return entry


async def call_switch(hass: HomeAssistant, service: str, entity_id: str) -> None:
    """Turn a switch on or off as a user would, waiting for the action to finish."""
    await hass.services.async_call(
        "switch", service, {"entity_id": entity_id}, blocking=True
    )


def form_as_shown(result: Mapping[str, Any]) -> dict[str, Any]:
    """Return what the frontend submits for a form left as shown: its suggestions and defaults."""
    return _shown(result["data_schema"])


def _shown(schema: Any) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, value in schema.schema.items():
        suggested = (getattr(key, "description", None) or {}).get("suggested_value")
        if isinstance(value, section):
            values[str(key)] = _shown(value.schema)
        elif suggested is not None:
            values[str(key)] = suggested
        elif callable(default := getattr(key, "default", None)):
            values[str(key)] = default()
    return values


async def submit_house_as_shown(
    hass: HomeAssistant, result: Mapping[str, Any]
) -> Mapping[str, Any]:
    """Submit the options' house step as shown (the last step); return the flow's result."""
    assert result["step_id"] == "house"
    return await hass.config_entries.options.async_configure(
        result["flow_id"], form_as_shown(result)
    )
