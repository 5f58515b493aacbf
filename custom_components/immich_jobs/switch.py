"""Switches: each queue's manual override, and automatic scheduling as a whole."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import ImmichJobsConfigEntry
from .engine.intents import Intents
from .entity import ALLOWED_KEY, ImmichJobsEntity
from .helpers import immich_action

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class ImmichJobsSwitchDescription(SwitchEntityDescription):
    """A switch over one of the user's intents (about a queue, or the whole server)."""

    is_on_fn: Callable[[Intents, str], bool]
    # The changed intents; the coordinator applies them at once.
    set_fn: Callable[[Intents, str, bool], Intents]


QUEUE_SWITCH = ImmichJobsSwitchDescription(
    key=ALLOWED_KEY,
    translation_key="allowed",
    # On: the queue may run when the scheduler says. Off: held paused, whatever happens.
    is_on_fn=lambda intents, queue: queue not in intents.held,
    set_fn=lambda intents, queue, on: intents.hold(queue, not on),
)
SCHEDULING_SWITCH = ImmichJobsSwitchDescription(
    key="scheduling",
    translation_key="scheduling",
    # Off: the integration stops commanding and resumes what it paused.
    is_on_fn=lambda intents, _: intents.scheduling,
    set_fn=lambda intents, _, on: intents.schedule(on),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ImmichJobsConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the scheduling switch and one override per managed queue."""
    coordinator = entry.runtime_data
    entities = [ImmichJobsSwitch(coordinator, SCHEDULING_SWITCH)]
    entities.extend(
        ImmichJobsSwitch(coordinator, QUEUE_SWITCH, queue)
        for queue in coordinator.data.managed
    )
    async_add_entities(entities)


class ImmichJobsSwitch(ImmichJobsEntity, SwitchEntity):
    """A switch the user flips; Immich follows at once, or the switch stays as it was."""

    entity_description: ImmichJobsSwitchDescription

    @property
    def is_on(self) -> bool:
        """Whether the intent is on."""
        return self.entity_description.is_on_fn(
            self.coordinator.data.intents, self.queue or ""
        )

    async def _async_set(self, on: bool) -> None:
        queue, set_fn = self.queue or "", self.entity_description.set_fn
        await self.coordinator.async_change(
            lambda intents: set_fn(intents, queue, on), self.queue
        )

    @immich_action
    async def async_turn_on(self, **kwargs: Any) -> None:
        """Turn the intent on."""
        await self._async_set(True)

    @immich_action
    async def async_turn_off(self, **kwargs: Any) -> None:
        """Turn the intent off."""
        await self._async_set(False)
