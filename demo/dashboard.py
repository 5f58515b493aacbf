"""The demo's dashboard, built from the entities the integration registered."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
import re
from typing import Any

import yaml

from custom_components.immich_jobs.queues import queue_display_name

# Unique ids of queue entities end in "_queue_<queueName>_<key>" (entity.py).
_QUEUE_UNIQUE_ID = re.compile(r"_queue_(?P<queue>[^_]+)_(?P<key>[a-z_]+)$")
SERVER_KEYS = ("scheduling", "max_running", "total_pending", "running_queues")
QUEUE_KEYS = ("pending", "status", "allowed", "run_now", "active", "failed")


@dataclass(slots=True)
class Entities:
    """The integration's entity ids: server-wide by key, per queue (priority order) by key."""

    server: dict[str, str] = field(default_factory=dict)
    queues: dict[str, dict[str, str]] = field(default_factory=dict)
    disabled: set[str] = field(default_factory=set)

    @classmethod
    def from_registry(cls, entries: Iterable[Mapping[str, Any]]) -> Entities:
        """Sort registry entries (in registration order, i.e. priority order) by role."""
        found = cls()
        for entry in entries:
            entity_id = str(entry["entity_id"])
            if entry.get("disabled_by"):
                found.disabled.add(entity_id)
            if match := _QUEUE_UNIQUE_ID.search(str(entry["unique_id"])):
                found.queues.setdefault(match["queue"], {})[match["key"]] = entity_id
            elif (key := entry.get("translation_key")) in SERVER_KEYS:
                found.server[str(key)] = entity_id
        return found


def dashboard(entities: Entities) -> dict[str, Any]:
    """Return the Lovelace config: global controls, a pending-jobs graph, a card per queue."""
    server = entities.server
    cards: list[dict[str, Any]] = [
        {
            "type": "entities",
            "title": "Scheduler",
            "state_color": True,
            "entities": [server[key] for key in SERVER_KEYS if key in server],
        },
        {
            "type": "history-graph",
            "title": "Pending jobs per queue",
            "hours_to_show": 0.25,
            "entities": [
                {"entity": keys["pending"], "name": queue_display_name(queue)}
                for queue, keys in entities.queues.items()
                if "pending" in keys
            ],
        },
    ]
    cards.extend(
        queue_card(queue_display_name(queue), keys)
        for queue, keys in entities.queues.items()
    )
    return {
        "title": "Immich Jobs",
        "views": [
            {
                "title": "Queues",
                "path": "queues",
                "icon": "mdi:tray-full",
                "cards": cards,
            }
        ],
    }


def queue_card(title: str, keys: Mapping[str, str]) -> dict[str, Any]:
    """One queue at a glance: pending, status, its override switch and its run-now button."""
    rows: list[dict[str, Any]] = []
    if "pending" in keys:
        rows.append({"entity": keys["pending"], "name": "Pending"})
    if "status" in keys:
        rows.append({"entity": keys["status"], "name": "Status"})
    if "allowed" in keys:
        rows.append(
            {
                "entity": keys["allowed"],
                "name": "Allowed",
                "tap_action": {"action": "toggle"},
            }
        )
    if "run_now" in keys:
        rows.append(
            {
                "entity": keys["run_now"],
                "name": "Run now",
                "show_state": False,
                "tap_action": {
                    "action": "perform-action",
                    "perform_action": "button.press",
                    "target": {"entity_id": keys["run_now"]},
                },
            }
        )
    return {
        "type": "glance",
        "title": title,
        "columns": 4,
        "state_color": True,
        "entities": rows,
    }


def dump(config: Mapping[str, Any]) -> str:
    """Render as YAML (what a user would paste into a YAML-mode dashboard)."""
    return str(yaml.safe_dump(dict(config), sort_keys=False, allow_unicode=True))
