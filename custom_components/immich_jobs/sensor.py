"""Sensors: pending jobs per queue."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.sensor import (
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import ImmichJobsConfigEntry
from .entity import ImmichJobsEntity
from .queues import QueueStatus, is_manageable

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class QueueSensorDescription(SensorEntityDescription):
    """A number read from one queue's status."""

    value_fn: Callable[[QueueStatus], int]


QUEUE_SENSORS: tuple[QueueSensorDescription, ...] = (
    QueueSensorDescription(
        key="pending",
        translation_key="pending",
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement="jobs",
        value_fn=lambda queue: queue.pending,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ImmichJobsConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the sensors of every queue the server has."""
    coordinator = entry.runtime_data
    async_add_entities(
        QueueSensor(coordinator, description, queue)
        for queue in coordinator.data
        if is_manageable(queue)
        for description in QUEUE_SENSORS
    )


class QueueSensor(ImmichJobsEntity, SensorEntity):
    """A number about one queue."""

    entity_description: QueueSensorDescription
    queue: str

    @property
    def available(self) -> bool:
        """Unavailable while the last read failed or the queue is gone."""
        return super().available and self.queue in self.coordinator.data

    @property
    def native_value(self) -> int:
        """The queue's current count."""
        return self.entity_description.value_fn(self.coordinator.data[self.queue])
