"""Event entities: what changed between two looks at a server, for automations.

The events are derived from successive coordinator updates inside each entity (what the queues
hold, the limit, the queues another controller holds), so they need nothing from the
coordinator's cycle itself. An event about one queue fires on that queue's entity (`{queue}
events`): the logbook and the entity's last event then name the queue, which an event type's
translated words cannot (they take no placeholders). Events about the server fire on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import ImmichJobsConfigEntry, ImmichJobsCoordinator
from .engine.queues import queue_display_name
from .entity import ImmichJobsEntity

PARALLEL_UPDATES = 0

QUEUE_EMPTIED = "queue_emptied"
ALL_DONE = "all_done"
RIVAL_DETECTED = "rival_detected"
PROCESSING_HELD = "processing_held"
PROCESSING_RESUMED = "processing_resumed"

EVENTS = EventEntityDescription(
    key="events",
    translation_key="events",
    event_types=[ALL_DONE, PROCESSING_HELD, PROCESSING_RESUMED],
)
QUEUE_EVENTS = EventEntityDescription(
    key="events",
    translation_key="queue_events",
    event_types=[QUEUE_EMPTIED, RIVAL_DETECTED],
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Look:
    """One look at a server: what the events compare."""

    working: tuple[str, ...]  # in priority order
    contested: frozenset[str]
    max_running: int
    hold_until: datetime | None


def look(coordinator: ImmichJobsCoordinator) -> Look:
    """Take a look: managed queues with work (pending or running), rivals, the limit."""
    data = coordinator.data
    return Look(
        working=tuple(
            name
            for name in data.managed
            if data.queues[name].pending > 0 or data.queues[name].busy
        ),
        contested=data.contested,
        max_running=data.intents.max_running,
        hold_until=data.intents.hold_until,
    )


def _queue(name: str) -> dict[str, Any]:
    return {"queue": name, "queue_name": queue_display_name(name)}


def changes(before: Look, after: Look) -> list[tuple[str, dict[str, Any]]]:
    """List the events between two looks, in the order an automation should see them."""
    events: list[tuple[str, dict[str, Any]]] = [
        (RIVAL_DETECTED, _queue(name))
        for name in sorted(after.contested - before.contested)
    ]
    if before.max_running > 0 and after.max_running == 0:
        until = after.hold_until.isoformat() if after.hold_until else None
        events.append((PROCESSING_HELD, {"until": until}))
    elif before.max_running == 0 and after.max_running > 0:
        events.append((PROCESSING_RESUMED, {"max_running": after.max_running}))
    events.extend(
        (QUEUE_EMPTIED, _queue(name))
        for name in before.working
        if name not in after.working
    )
    if before.working and not after.working:
        events.append(
            (
                ALL_DONE,
                {
                    "queues": list(before.working),
                    "queue_names": [queue_display_name(q) for q in before.working],
                },
            )
        )
    return events


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ImmichJobsConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add an event entity per managed queue, then the server's."""
    coordinator = entry.runtime_data
    entities = [
        ImmichJobsEvents(coordinator, QUEUE_EVENTS, queue)
        for queue in coordinator.data.managed
    ]
    # Last, so that "all done" follows the queues' "queue emptied" of the same look.
    entities.append(ImmichJobsEvents(coordinator, EVENTS))
    async_add_entities(entities)


class ImmichJobsEvents(ImmichJobsEntity, EventEntity):
    """Fires what changed about its queue, or about the whole server.

    A queue's entity: it empties, another controller appears. The server's: all work is done,
    processing holds or resumes. The first look after set-up is the baseline: a reload fires
    nothing for what was already so. A failed read changes nothing; the next good one is
    compared with the last good one.
    """

    def __init__(
        self,
        coordinator: ImmichJobsCoordinator,
        description: EventEntityDescription,
        queue: str | None = None,
    ) -> None:
        """Take the baseline look."""
        super().__init__(coordinator, description, queue)
        self._last = look(coordinator)

    @callback
    def _handle_coordinator_update(self) -> None:
        """Fire what changed since the last good look, one state per event."""
        if self.coordinator.last_update_success:
            now = look(self.coordinator)
            for event_type, data in changes(self._last, now):
                if data.get("queue") == self.queue:
                    self._trigger_event(event_type, data)
                    self.async_write_ha_state()
            self._last = now
        super()._handle_coordinator_update()
