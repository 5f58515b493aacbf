"""A dashboard of one server's queues, built from the entities it registered.

The `get_dashboard` action returns it for a user to paste into a dashboard; the demo writes
the same one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
import re
from typing import Any

from ..engine.queues import queue_display_name

# Unique ids of queue entities end in "_queue_<queueName>_<key>" (entity.py).
_QUEUE_UNIQUE_ID = re.compile(r"_queue_(?P<queue>[^_]+)_(?P<key>[a-z_]+)$")
SERVER_KEYS = (
    "scheduling",
    "max_running",
    "paused_until",
    "total_pending",
    "running_queues",
    "time_until_idle",
    "events",
)
QUEUE_KEYS = (
    "pending",
    "status",
    "time_left",
    "allowed",
    "run_now",
    "active",
    "failed",
)
SERVER_NAMES = {
    "scheduling": "Automatic scheduling",
    "max_running": "Max concurrent queues",
    "paused_until": "Processing paused until",
    "total_pending": "Pending jobs",
    "running_queues": "Running queues",
    "time_until_idle": "Time until idle",
    "events": "Last event",
}


@dataclass(slots=True)
class Entities:
    """The integration's entity ids: server-wide by key, per queue (priority order) by key."""

    server: dict[str, str] = field(default_factory=dict)
    queues: dict[str, dict[str, str]] = field(default_factory=dict)
    disabled: set[str] = field(default_factory=set)

    @classmethod
    def from_registry(
        cls, entries: Iterable[Mapping[str, Any]], order: Sequence[str] = ()
    ) -> Entities:
        """Sort registry entries by role; queues in `order`, then in registration order."""
        found = cls()
        for entry in entries:
            entity_id = str(entry["entity_id"])
            if entry.get("disabled_by"):
                found.disabled.add(entity_id)
            if match := _QUEUE_UNIQUE_ID.search(str(entry["unique_id"])):
                found.queues.setdefault(match["queue"], {})[match["key"]] = entity_id
            elif (key := entry.get("translation_key")) in SERVER_KEYS:
                found.server[str(key)] = entity_id
        rank = {queue: index for index, queue in enumerate(order)}
        found.queues = dict(
            sorted(found.queues.items(), key=lambda item: rank.get(item[0], len(rank)))
        )
        return found


def dashboard(
    entities: Entities, title: str = "Immich Jobs", hours_to_show: float = 6
) -> dict[str, Any]:
    """Return the Lovelace config: global controls and the last event, a graph, every queue.

    No logbook card for the events: Home Assistant logs an event entity as "detected an
    event", without its type; the entities row shows the type and when.
    """
    server = entities.server
    controls: list[dict[str, Any]] = [
        {"type": "heading", "heading": "Scheduler"},
        {
            "type": "entities",
            "state_color": True,
            "entities": [
                {"entity": server[key], "name": SERVER_NAMES[key]}
                for key in SERVER_KEYS
                if key in server
            ],
        },
        {
            "type": "history-graph",
            "title": "Pending jobs per queue",
            "hours_to_show": hours_to_show,
            "entities": [
                {"entity": keys["pending"], "name": queue_display_name(queue)}
                for queue, keys in entities.queues.items()
                if "pending" in keys
            ],
        },
    ]
    queues: list[dict[str, Any]] = [
        {"type": "heading", "heading": "Queues, most important first"}
    ]
    queues.extend(
        queue_card(queue_display_name(queue), keys)
        for queue, keys in entities.queues.items()
    )
    return {
        "title": title,
        "views": [
            {
                "title": "Queues",
                "path": "queues",
                "icon": "mdi:tray-full",
                "type": "sections",
                "max_columns": 3,
                "sections": [
                    {"type": "grid", "cards": controls},
                    {"type": "grid", "column_span": 2, "cards": queues},
                ],
            }
        ],
    }


def queue_card(title: str, keys: Mapping[str, str]) -> dict[str, Any]:
    """One queue at a glance: its status and why, pending, time left, switch and run now."""
    cards: list[dict[str, Any]] = []
    if "status" in keys:
        # The tile shows the reason attribute in words, beside the state.
        cards.append(
            {
                "type": "tile",
                "entity": keys["status"],
                "name": title,
                "state_content": ["state", "reason"],
            }
        )
    rows: list[dict[str, Any]] = []
    if "pending" in keys:
        rows.append({"entity": keys["pending"], "name": "Pending"})
    if "time_left" in keys:
        rows.append({"entity": keys["time_left"], "name": "Time left"})
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
    cards.append(
        {"type": "glance", "columns": 4, "state_color": True, "entities": rows}
    )
    return {
        "type": "vertical-stack",
        "cards": cards,
        "grid_options": {"columns": 12},
    }
