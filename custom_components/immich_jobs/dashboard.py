"""A dashboard of one server's queues, built from the entities it registered.

The `get_dashboard` action returns it for a user to paste into a dashboard; the demo shows the
same one. A sections view: on a desktop the queues take two columns beside the scheduler's
card, on a phone the sections stack. Each queue is one row of tiles (status and reason,
pending, time left while it runs) in priority order; the order is the one in force when the
dashboard is made (ask again after reordering: a dashboard cannot sort by an option).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
import re
from typing import Any

from .queues import queue_display_name

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


# Wider screens give the queues' section two columns: a queue's tiles fit on one line. On a
# phone the status takes the whole width (its reason is long), its numbers the line below.
WIDE = "(min-width: 768px)"
NARROW = "(max-width: 767px)"
# The status in which a queue's time left means something (idle shows 0, queued unknown).
WORKING = "running"


def dashboard(
    entities: Entities, title: str = "Immich Jobs", hours_to_show: float = 6
) -> dict[str, Any]:
    """Return the Lovelace config: the scheduler, each queue in a row, the switches, a graph.

    No logbook card for the events: Home Assistant logs an event entity as "detected an
    event", without its type; the entities row shows the type and when.
    """
    scheduler: list[dict[str, Any]] = [
        {"type": "heading", "heading": "Scheduler"},
        {
            "type": "entities",
            "state_color": True,
            "entities": [
                server_row(key, entities.server[key])
                for key in SERVER_KEYS
                if key in entities.server
            ],
        },
    ]
    switches = [
        {"entity": keys["allowed"], "name": queue_display_name(queue)}
        for queue, keys in entities.queues.items()
        if "allowed" in keys
    ]
    buttons = [
        {
            "entity": keys["run_now"],
            "name": queue_display_name(queue),
            "tap_action": {
                "action": "perform-action",
                "perform_action": "button.press",
                "target": {"entity_id": keys["run_now"]},
            },
        }
        for queue, keys in entities.queues.items()
        if "run_now" in keys
    ]
    if switches or buttons:
        scheduler += [
            {
                "type": "heading",
                "heading": "Allowed to run",
                "heading_style": "subtitle",
            },
            {
                "type": "entities",
                "state_color": True,
                "entities": [
                    *switches,
                    *([{"type": "buttons", "entities": buttons}] if buttons else []),
                ],
            },
        ]
    queues: list[dict[str, Any]] = [
        {"type": "heading", "heading": "Queues, most important first"}
    ]
    for queue, keys in entities.queues.items():
        queues.extend(queue_row(queue_display_name(queue), keys))
    queues.append(
        {
            "type": "history-graph",
            "title": "Pending jobs per queue",
            "hours_to_show": hours_to_show,
            "grid_options": {"columns": "full"},
            "entities": [
                {"entity": keys["pending"], "name": queue_display_name(queue)}
                for queue, keys in entities.queues.items()
                if "pending" in keys
            ],
        }
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
                    {"type": "grid", "cards": scheduler},
                    {"type": "grid", "column_span": 2, "cards": queues},
                ],
            }
        ],
    }


def server_row(key: str, entity_id: str) -> dict[str, Any]:
    """One row of the scheduler's card; "Processing paused until" only while a pause runs."""
    row = {"entity": entity_id, "name": SERVER_NAMES[key]}
    if key != "paused_until":
        return row
    return {
        "type": "conditional",
        "conditions": [
            {"entity": entity_id, "state_not": "unknown"},
            {"entity": entity_id, "state_not": "unavailable"},
        ],
        "row": row,
    }


def queue_row(title: str, keys: Mapping[str, str]) -> list[dict[str, Any]]:
    """One queue as a row of tiles: its status and why, pending, time left while it runs.

    Each tile comes twice, for wide screens and for phones (a visibility condition picks
    one), as a card's width cannot follow the screen's.
    """
    # (tile, its own visibility, columns wide, columns on a phone)
    tiles: list[tuple[dict[str, Any], list[dict[str, Any]], int, int]] = []
    if "status" in keys:
        status = {
            "type": "tile",
            "entity": keys["status"],
            "name": title,
            "state_content": ["state", "reason"],
        }
        tiles.append((status, [], 6, 12))
    if "pending" in keys:
        pending = {"type": "tile", "entity": keys["pending"], "name": "Pending"}
        tiles.append((pending, [], 3, 6))
    if "time_left" in keys:
        working = (
            [{"condition": "state", "entity": keys["status"], "state": WORKING}]
            if "status" in keys
            else []
        )
        time_left = {"type": "tile", "entity": keys["time_left"], "name": "Time left"}
        tiles.append((time_left, working, 3, 6))
    return [
        {
            **tile,
            "grid_options": {"columns": narrow if screen == NARROW else wide},
            "visibility": [{"condition": "screen", "media_query": screen}, *shown],
        }
        for screen in (WIDE, NARROW)
        for tile, shown, wide, narrow in tiles
    ]
