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


# Wider screens give the queues' section two columns: a queue's tiles fit on one line. On a
# phone the status takes the whole width (its reason is long), its numbers the line below.
# A hidden time left leaves its place empty, so the next queue still starts a line.
WIDE = "(min-width: 768px)"
NARROW = "(max-width: 767px)"
# The status in which a queue's time left means something (idle shows 0, queued unknown).
WORKING = "running"


def dashboard(
    entities: Entities, title: str = "Immich Jobs", hours_to_show: float = 6
) -> dict[str, Any]:
    """Return the Lovelace config: the queues across the top, the scheduler and switches below.

    Two columns at most: the queues' section spans both, so a queue's row is wide enough for
    its reason (a third column would leave a desktop of 1280 px with an empty half). On a
    phone the sections stack, queues first.

    No logbook card for the events: Home Assistant logs an event entity as "detected an
    event", without its type; the entities row shows the type and when.
    """
    queues: list[dict[str, Any]] = [
        {"type": "heading", "heading": "Queues, most important first"}
    ]
    for queue, keys in entities.queues.items():
        queues.extend(queue_row(queue_display_name(queue), keys))
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
    sections = [
        {"type": "grid", "column_span": 2, "cards": queues},
        {"type": "grid", "cards": scheduler},
    ]
    if controls := queue_controls(entities):
        sections.append(
            {
                "type": "grid",
                "cards": [{"type": "heading", "heading": "Allowed to run"}, controls],
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
                "max_columns": 2,
                "sections": sections,
            }
        ],
    }


def queue_controls(entities: Entities) -> dict[str, Any] | None:
    """Each queue's switch by its name, then its run now button; None without either."""
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
    if not switches and not buttons:
        return None
    rows: list[dict[str, Any]] = list(switches)
    if buttons:
        rows += [{"type": "section", "label": "Run now"}]
        rows += [{"type": "buttons", "entities": buttons}]
    return {"type": "entities", "state_color": True, "entities": rows}


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
    one), as a card's width cannot follow the screen's. On a wide screen the status ends
    with when a time-bounded hold ends (`held_until`, left out when there is none). On a
    phone the status takes the line, with its reason alone (the icon shows the state; the
    frontend's long date would be cut), and its numbers the line below, shown only when
    there is work (an idle queue's reason says so).
    """
    working = (
        [{"condition": "state", "entity": keys["status"], "state": WORKING}]
        if "status" in keys
        else []
    )
    # (tile, shown when, on a phone also when, columns wide, columns on a phone). The
    # queues' section spans two columns of the view, so its grid has 24 columns.
    tiles: list[tuple[dict[str, Any], list[Any], list[Any], int, int | str]] = []
    if "status" in keys:
        status = {
            "type": "tile",
            "entity": keys["status"],
            "name": title,
            "state_content": ["state", "reason", "held_until"],
        }
        tiles.append((status, [], [], 12, "full"))
    if "pending" in keys:
        pending = {"type": "tile", "entity": keys["pending"], "name": "Pending"}
        has_work = {"condition": "state", "entity": keys["pending"], "state_not": "0"}
        tiles.append((pending, [], [has_work], 6, 6))
    if "time_left" in keys:
        time_left = {"type": "tile", "entity": keys["time_left"], "name": "Time left"}
        tiles.append((time_left, working, [], 6, 6))
    wide = [
        {
            **tile,
            "grid_options": {"columns": columns},
            "visibility": [{"condition": "screen", "media_query": WIDE}, *shown],
        }
        for tile, shown, _, columns, _ in tiles
    ]
    narrow = [
        {
            **tile,
            **({"state_content": ["reason"]} if "state_content" in tile else {}),
            "grid_options": {"columns": columns},
            "visibility": [
                {"condition": "screen", "media_query": NARROW},
                *shown,
                *on_phone,
            ],
        }
        for tile, shown, on_phone, _, columns in tiles
    ]
    return wide + narrow
