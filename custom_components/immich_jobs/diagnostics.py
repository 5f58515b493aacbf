"""Diagnostics: what a bug report needs, without the API key or the server's address."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_API_KEY, CONF_URL
from homeassistant.core import HomeAssistant

from .coordinator import ImmichJobsConfigEntry

TO_REDACT = {CONF_API_KEY, CONF_URL, "unique_id", "title"}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: ImmichJobsConfigEntry
) -> dict[str, Any]:
    """Return the configuration, the last snapshot, intents and the last plans."""
    coordinator = entry.runtime_data
    data = coordinator.data
    return {
        "entry": async_redact_data(
            {
                "title": entry.title,
                "unique_id": entry.unique_id,
                "data": dict(entry.data),
                "options": dict(entry.options),
            },
            TO_REDACT,
        ),
        "immich_version": coordinator.version,
        "access": coordinator.access_report(),
        "intents": coordinator.intents.as_dict(),
        "memory": coordinator.memory.as_dict(),
        "contested_queues": sorted(coordinator.contested),
        "queues": {name: asdict(queue) for name, queue in data.queues.items()}
        if data
        else None,
        "states": {name: str(state) for name, state in data.states.items()}
        if data
        else None,
        "plans": [
            {
                "at": at,
                "commands": [
                    {"queue": c.queue, "action": str(c.action), "reason": c.reason}
                    for c in plan.commands
                ],
                "next_check": plan.next_check,
            }
            for at, plan in coordinator.plans
        ],
        "recent_errors": [
            {"at": at, "error": error} for at, error in coordinator.errors
        ],
    }
