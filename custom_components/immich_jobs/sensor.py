"""Sensors: each managed queue's pending jobs and status (and why), and the server's totals."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import EntityCategory, UnitOfTime
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import DOMAIN
from .coordinator import ImmichJobsConfigEntry, ImmichJobsCoordinator
from .engine.cycle import ImmichJobsData
from .engine.reasons import QueueState, Reason
from .entity import ALLOWED_KEY, LIMIT_KEY, ImmichJobsEntity, unique_id

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class QueueSensorDescription(SensorEntityDescription):
    """A value read from one queue."""

    value_fn: Callable[[ImmichJobsData, str], int | str | None]
    attributes_fn: Callable[[ImmichJobsCoordinator, str], Mapping[str, Any]] | None = (
        None
    )


@dataclass(frozen=True, kw_only=True)
class ServerSensorDescription(SensorEntityDescription):
    """A value about the whole server."""

    value_fn: Callable[[ImmichJobsData], int | datetime | None]
    attributes_fn: Callable[[ImmichJobsData], Mapping[str, Any]] | None = None


# What holds a queue for arriving uploads: the option that does it (no entity does).
QUIET_WHILE_UPLOADING = "Quiet while uploading"


def _held_by_entity(
    coordinator: ImmichJobsCoordinator, queue: str, code: Reason
) -> str | None:
    """Return the entity that holds a queue (its switch, the limit, a condition), if one does."""
    server = coordinator.server_id
    if code is Reason.HELD_BY_SWITCH:
        platform, holder = "switch", unique_id(server, ALLOWED_KEY, queue)
    elif code in (Reason.LIMIT_ZERO, Reason.PAUSED_UNTIL):
        platform, holder = "number", unique_id(server, LIMIT_KEY)
    elif code in (Reason.OUTSIDE_SCHEDULE, Reason.HELD_BY_ENTITY):
        # The condition entity the user chose (a schedule, a toggle, a binary sensor).
        hold = coordinator.data.holds.get(queue)
        return hold.subject if hold else None
    else:
        return None
    registry = er.async_get(coordinator.hass)
    return registry.async_get_entity_id(platform, DOMAIN, holder)


def _name(hass: HomeAssistant, entity_id: str) -> str:
    """Name an entity as the user sees it (its friendly name; its id while it has no state)."""
    state = hass.states.get(entity_id)
    return state.name if state else entity_id


def status_attributes(
    coordinator: ImmichJobsCoordinator, queue: str
) -> Mapping[str, Any]:
    """Say why a queue is in its state, for the user (translated) and automations.

    Only what applies is there (`reason` and `run_now` always): the more-info dialog's
    attributes show no row of "Unknown"s, and `state_attr()` gives None for a missing one.
    """
    data = coordinator.data
    why = data.reasons.get(queue)
    if why is None:
        # Not planned this cycle (a queue that left the managed set before a reload).
        return {"reason": None, "run_now": queue in data.run_now}
    entity_id = _held_by_entity(coordinator, queue, why.code)
    held_by = (
        _name(coordinator.hass, entity_id)
        if entity_id
        else QUIET_WHILE_UPLOADING
        if why.code is Reason.UPLOADS_ARRIVING
        else None
    )
    until = data.held_until.get(queue)
    applies = {
        "slot": why.slot,
        "slots": data.intents.max_running if why.slot else None,
        "waits_behind": list(why.behind) or None,
        "held_by": held_by,
        "held_by_entity_id": entity_id,
        "held_until": until.isoformat() if until else None,
    }
    return (
        {"reason": str(why.code)}
        | {key: value for key, value in applies.items() if value is not None}
        | {"run_now": queue in data.run_now}
    )


QUEUE_SENSORS: tuple[QueueSensorDescription, ...] = (
    QueueSensorDescription(
        key="pending",
        translation_key="pending",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda data, queue: data.queues[queue].pending,
    ),
    QueueSensorDescription(
        key="status",
        translation_key="status",
        device_class=SensorDeviceClass.ENUM,
        options=[state.value for state in QueueState],
        value_fn=lambda data, queue: _status(data.states.get(queue)),
        attributes_fn=status_attributes,
    ),
    QueueSensorDescription(
        # The reason as a state of its own: the automation editor offers its values in a list,
        # and the more-info dialog shows it without opening the attributes.
        key="reason",
        translation_key="reason",
        device_class=SensorDeviceClass.ENUM,
        options=[code.value for code in Reason],
        entity_registry_enabled_default=False,
        value_fn=lambda data, queue: _reason(data, queue),
    ),
    QueueSensorDescription(
        key="active",
        translation_key="active",
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda data, queue: data.queues[queue].active,
    ),
    QueueSensorDescription(
        key="failed",
        translation_key="failed",
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda data, queue: data.queues[queue].failed,
    ),
    QueueSensorDescription(
        key="time_left",
        translation_key="time_left",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.SECONDS,
        suggested_unit_of_measurement=UnitOfTime.MINUTES,
        # Minutes to 2 decimals: the frontend shows "12m 30s", "0m 45s", never "0m".
        suggested_display_precision=2,
        value_fn=lambda data, queue: _seconds(data.time_left.queues.get(queue)),
    ),
)


def _status(state: QueueState | None) -> str | None:
    return state.value if state else None


def _reason(data: ImmichJobsData, queue: str) -> str | None:
    why = data.reasons.get(queue)
    return why.code.value if why else None


def _seconds(value: float | None) -> int | None:
    """Whole seconds of an estimate, at least 1 while work remains; unknown stays unknown."""
    if value is None:
        return None
    return max(1, round(value)) if value > 0 else 0


def _running(data: ImmichJobsData) -> list[str]:
    return sorted(name for name, queue in data.queues.items() if queue.busy)


SERVER_SENSORS: tuple[ServerSensorDescription, ...] = (
    ServerSensorDescription(
        key="total_pending",
        translation_key="total_pending",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda data: sum(queue.pending for queue in data.queues.values()),
    ),
    ServerSensorDescription(
        key="running_queues",
        translation_key="running_queues",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda data: len(_running(data)),
        attributes_fn=lambda data: {"queues": _running(data)},
    ),
    ServerSensorDescription(
        key="paused_until",
        translation_key="paused_until",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda data: data.paused_until,
    ),
    ServerSensorDescription(
        key="time_until_idle",
        translation_key="time_until_idle",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.SECONDS,
        suggested_unit_of_measurement=UnitOfTime.MINUTES,
        # Minutes to 2 decimals: the frontend shows "12m 30s", "0m 45s", never "0m".
        suggested_display_precision=2,
        value_fn=lambda data: _seconds(data.time_left.until_idle),
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ImmichJobsConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the sensors of every managed queue and of the server."""
    coordinator = entry.runtime_data
    entities: list[SensorEntity] = [
        ServerSensor(coordinator, description) for description in SERVER_SENSORS
    ]
    entities.extend(
        QueueSensor(coordinator, description, queue)
        for queue in coordinator.data.managed
        for description in QUEUE_SENSORS
    )
    async_add_entities(entities)


class QueueSensor(ImmichJobsEntity, SensorEntity):
    """A value about one queue."""

    entity_description: QueueSensorDescription
    queue: str

    @property
    def available(self) -> bool:
        """Unavailable while the last read failed or the queue is gone."""
        return super().available and self.queue in self.coordinator.data.queues

    @property
    def native_value(self) -> int | str | None:
        """The queue's current value."""
        return self.entity_description.value_fn(self.coordinator.data, self.queue)

    @property
    def extra_state_attributes(self) -> Mapping[str, Any] | None:
        """Say why, where the sensor has something to say."""
        if self.entity_description.attributes_fn is None:
            return None
        return self.entity_description.attributes_fn(self.coordinator, self.queue)


class ServerSensor(ImmichJobsEntity, SensorEntity):
    """A value about the whole server."""

    entity_description: ServerSensorDescription

    @property
    def native_value(self) -> int | datetime | None:
        """The server's current value."""
        return self.entity_description.value_fn(self.coordinator.data)

    @property
    def extra_state_attributes(self) -> Mapping[str, Any] | None:
        """Name the queues behind a count."""
        if self.entity_description.attributes_fn is None:
            return None
        return self.entity_description.attributes_fn(self.coordinator.data)
