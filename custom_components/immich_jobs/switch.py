"""Switches: each queue's manual override, and automatic scheduling as a whole."""

from __future__ import annotations

from typing import Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import ImmichJobsConfigEntry, managed_queues
from .entity import ImmichJobsEntity
from .helpers import immich_action

PARALLEL_UPDATES = 1

QUEUE_SWITCH = SwitchEntityDescription(key="allowed", translation_key="allowed")
SCHEDULING_SWITCH = SwitchEntityDescription(
    key="scheduling", translation_key="scheduling"
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ImmichJobsConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the scheduling switch and one override per managed queue."""
    coordinator = entry.runtime_data
    entities: list[SwitchEntity] = [SchedulingSwitch(coordinator, SCHEDULING_SWITCH)]
    entities.extend(
        QueueSwitch(coordinator, QUEUE_SWITCH, queue)
        for queue in managed_queues(entry.options, coordinator.data.queues)
    )
    async_add_entities(entities)


class QueueSwitch(ImmichJobsEntity, SwitchEntity):
    """On: the queue may run when the scheduler says. Off: held paused, whatever happens."""

    queue: str

    @property
    def is_on(self) -> bool:
        """Whether the queue is allowed to run."""
        return self.queue not in self.coordinator.intents.held

    @immich_action
    async def async_turn_on(self, **kwargs: Any) -> None:
        """Let the scheduler run the queue again."""
        await self.coordinator.async_set_held(self.queue, False)

    @immich_action
    async def async_turn_off(self, **kwargs: Any) -> None:
        """Hold the queue paused."""
        await self.coordinator.async_set_held(self.queue, True)


class SchedulingSwitch(ImmichJobsEntity, SwitchEntity):
    """Off: the integration stops commanding and resumes what it paused."""

    @property
    def is_on(self) -> bool:
        """Whether the integration schedules the queues."""
        return self.coordinator.intents.scheduling

    @immich_action
    async def async_turn_on(self, **kwargs: Any) -> None:
        """Schedule the queues by priority."""
        await self.coordinator.async_set_scheduling(True)

    @immich_action
    async def async_turn_off(self, **kwargs: Any) -> None:
        """Stop scheduling and give back the queues the integration paused."""
        await self.coordinator.async_set_scheduling(False)
