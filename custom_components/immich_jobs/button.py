"""Buttons: run one queue now, ahead of every other (it takes a slot first)."""

from __future__ import annotations

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import ImmichJobsConfigEntry
from .entity import ImmichJobsEntity
from .helpers import immich_action

PARALLEL_UPDATES = 1

RUN_NOW = ButtonEntityDescription(key="run_now", translation_key="run_now")


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ImmichJobsConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a run-now button per managed queue."""
    coordinator = entry.runtime_data
    async_add_entities(
        RunNowButton(coordinator, RUN_NOW, queue) for queue in coordinator.data.managed
    )


class RunNowButton(ImmichJobsEntity, ButtonEntity):
    """Runs the queue until it is empty, then hands it back to the scheduler."""

    queue: str

    @immich_action
    async def async_press(self) -> None:
        """Run the queue now."""
        queue = self.queue
        await self.coordinator.async_change(lambda intents: intents.run(queue), queue)
