"""Number: how many queues may run at once (0 holds all processing)."""

from __future__ import annotations

from homeassistant.components.number import (
    NumberEntity,
    NumberEntityDescription,
    NumberMode,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import MAX_MAX_RUNNING
from .coordinator import ImmichJobsConfigEntry
from .entity import LIMIT_KEY, ImmichJobsEntity
from .helpers import immich_action

PARALLEL_UPDATES = 1

MAX_RUNNING = NumberEntityDescription(
    key=LIMIT_KEY,
    translation_key="max_running",
    entity_category=EntityCategory.CONFIG,
    native_min_value=0,
    native_max_value=MAX_MAX_RUNNING,
    native_step=1,
    mode=NumberMode.BOX,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ImmichJobsConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the limit."""
    async_add_entities([MaxRunningNumber(entry.runtime_data, MAX_RUNNING)])


class MaxRunningNumber(ImmichJobsEntity, NumberEntity):
    """The limit, shared with the options (both edit the same value)."""

    @property
    def native_value(self) -> int:
        """The limit in force, as a whole number: the state reads "1", not "1.0"."""
        return self.coordinator.data.intents.max_running

    @immich_action
    async def async_set_native_value(self, value: float) -> None:
        """Change the limit; the next cycle applies it."""
        limit = int(value)
        await self.coordinator.async_change(lambda intents: intents.set_limit(limit))
