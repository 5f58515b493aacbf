"""Diagnostics: what a bug report needs, without the API key or the server's address."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_API_KEY, CONF_URL
from homeassistant.core import HomeAssistant

from .coordinator import ImmichJobsConfigEntry
from .engine.scheduler import QueueReason
from .immich import KeyAccess
from .runtime.store import intents_as_dict, memory_as_dict

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
        "access": _access_report(coordinator.access),
        "intents": intents_as_dict(coordinator.data.intents),
        "memory": {
            **memory_as_dict(coordinator.memory),
            "work": coordinator.memory.work,
        },
        "contested_queues": sorted(coordinator.data.contested),
        "house": {
            "holds": {
                name: {"held_by": str(hold.code), "subject": hold.subject}
                for name, hold in data.holds.items()
            }
            if data
            else None,
            "kept": coordinator.house.as_dict(),
        },
        "queues": {name: asdict(queue) for name, queue in data.queues.items()}
        if data
        else None,
        "states": {name: str(state) for name, state in data.states.items()}
        if data
        else None,
        "reasons": {name: _reason_report(why) for name, why in data.reasons.items()}
        if data
        else None,
        "plans": [
            {
                "at": kept.at,
                "commands": [
                    {"queue": c.queue, "action": str(c.action), "reason": c.reason}
                    for c in kept.plan.commands
                ],
                "states": {
                    name: str(state) for name, state in kept.plan.states.items()
                },
                "reasons": {
                    name: _reason_report(why) for name, why in kept.plan.reasons.items()
                },
                "next_check": kept.plan.next_check,
            }
            for kept in coordinator.plans
        ],
        "recent_errors": [
            {"at": at, "error": error} for at, error in coordinator.dispatcher.errors
        ],
    }


def _reason_report(why: QueueReason) -> dict[str, Any]:
    """Describe why a queue is in its state, as the status sensor does."""
    return {"code": str(why.code), "slot": why.slot, "behind": list(why.behind)}


def _access_report(access: KeyAccess | None) -> dict[str, Any]:
    """Describe what the key may do."""
    if access is None:
        return {}
    return {
        "version": str(access.version),
        "is_admin": access.is_admin,
        "permissions": sorted(access.permissions) if access.permissions else None,
        "missing_read": list(access.missing_read),
        "missing_control": list(access.missing_control),
        "read_api": str(access.read_api),
        "control_api": str(access.control_api),
    }
