"""Sensors: each managed queue's pending jobs and status, and the server's totals."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import ImmichJobsConfigEntry, ImmichJobsData
from .entity import ImmichJobsEntity
from .house import HoldKind
from .immich import QueueStatus
from .scheduler import QueueState, managed_queues

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class QueueSensorDescription(SensorEntityDescription):
    """A value read from one queue."""

    value_fn: Callable[[QueueStatus, QueueState | None], int | str | None]
    attributes_fn: Callable[[ImmichJobsData, str], Mapping[str, Any] | None] | None = (
        None
    )


@dataclass(frozen=True, kw_only=True)
class ServerSensorDescription(SensorEntityDescription):
    """A value about the whole server."""

    value_fn: Callable[[ImmichJobsData], int]
    attributes_fn: Callable[[ImmichJobsData], Mapping[str, Any]] | None = None


def _house_hold(data: ImmichJobsData, queue: str) -> Mapping[str, Any] | None:
    """Say what in the house holds a queue: the kind of hold and its entity or queue."""
    if (hold := data.holds.get(queue)) is None:
        return None
    if hold.kind is HoldKind.GROUP:
        return {"held_by": hold.kind.value, "waiting_for": hold.subject}
    if hold.kind is HoldKind.UPLOADS:
        return {"held_by": hold.kind.value}
    return {"held_by": hold.kind.value, "held_by_entity": hold.subject}


QUEUE_SENSORS: tuple[QueueSensorDescription, ...] = (
    QueueSensorDescription(
        key="pending",
        translation_key="pending",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda queue, _: queue.pending,
    ),
    QueueSensorDescription(
        key="status",
        translation_key="status",
        device_class=SensorDeviceClass.ENUM,
        options=[state.value for state in QueueState],
        value_fn=lambda _, state: state.value if state else None,
        attributes_fn=_house_hold,
    ),
    QueueSensorDescription(
        key="active",
        translation_key="active",
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda queue, _: queue.active,
    ),
    QueueSensorDescription(
        key="failed",
        translation_key="failed",
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda queue, _: queue.failed,
    ),
)


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
        for queue in managed_queues(coordinator.data.queues, coordinator.policy())
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
        data = self.coordinator.data
        return self.entity_description.value_fn(
            data.queues[self.queue], data.states.get(self.queue)
        )

    @property
    def extra_state_attributes(self) -> Mapping[str, Any] | None:
        """Say why the house holds the queue, while it does."""
        if (attributes := self.entity_description.attributes_fn) is None:
            return None
        return attributes(self.coordinator.data, self.queue)


class ServerSensor(ImmichJobsEntity, SensorEntity):
    """A value about the whole server."""

    entity_description: ServerSensorDescription

    @property
    def native_value(self) -> int:
        """The server's current value."""
        return self.entity_description.value_fn(self.coordinator.data)

    @property
    def extra_state_attributes(self) -> Mapping[str, Any] | None:
        """Name the queues behind a count."""
        if self.entity_description.attributes_fn is None:
            return None
        return self.entity_description.attributes_fn(self.coordinator.data)
