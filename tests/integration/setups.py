"""A home as its tests see it: Home Assistant with the integration, the simulated Immich behind.

Tests take one `Home` instead of four fixtures, and speak in what a user sees: entity states,
the queues Immich has paused, the requests it received.
"""

from __future__ import annotations

from dataclasses import dataclass

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.immich_jobs.const import DOMAIN
from homeassistant.config_entries import ConfigEntryDisabler
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant, State
from simulator.model import QueueCounts
from simulator.server import SimulatedImmich

from .helpers import call_switch, commands, paused_queues, run_for, setup_one_slot


@dataclass(frozen=True)
class Home:
    """Home Assistant running the integration's entry against the simulated Immich."""

    hass: HomeAssistant
    immich: SimulatedImmich
    entry: MockConfigEntry
    freezer: FrozenDateTimeFactory

    async def run_for(self, seconds: float, step: float = 1.0) -> None:
        """Let `seconds` pass on both clocks."""
        await run_for(self.hass, self.freezer, self.immich, seconds, step)

    def paused(self) -> set[str]:
        """Return the queues paused in Immich."""
        return paused_queues(self.immich)

    def counts(self, queue: str) -> QueueCounts:
        """Return a queue's counts in Immich."""
        return self.immich.model.counts(queue)

    def commands(self) -> list[str]:
        """Return the pause/resume requests Immich received."""
        return commands(self.immich)

    def state(self, entity_id: str) -> State:
        """Return an entity's state as the frontend shows it."""
        state = self.hass.states.get(entity_id)
        assert state is not None, entity_id
        return state

    async def switch(self, service: str, entity_id: str) -> None:
        """Turn a switch on or off as a user would."""
        await call_switch(self.hass, service, entity_id)

    async def call(
        self, domain: str, service: str, entity_id: str, **data: object
    ) -> None:
        """Call an entity's action as a user would, waiting for it to finish."""
        await self.hass.services.async_call(
            domain, service, {ATTR_ENTITY_ID: entity_id, **data}, blocking=True
        )

    async def act(self, service: str, **data: object) -> None:
        """Call one of the integration's actions for this entry, waiting for it to finish."""
        await self.hass.services.async_call(
            DOMAIN,
            service,
            {"config_entry_id": self.entry.entry_id, **data},
            blocking=True,
        )

    async def disable(self) -> None:
        """Disable the entry, as a user would on the integration's page."""
        await self.hass.config_entries.async_set_disabled_by(
            self.entry.entry_id, ConfigEntryDisabler.USER
        )
        await self.hass.async_block_till_done()

    async def set_up(self) -> None:
        """Set the entry up as the config flow created it."""
        self.entry.add_to_hass(self.hass)
        assert await self.hass.config_entries.async_setup(self.entry.entry_id)
        await self.hass.async_block_till_done()

    async def set_up_one_slot(self, **options: object) -> None:
        """Set the entry up with one slot and no express lane: priority alone decides."""
        await setup_one_slot(self.hass, self.entry, **options)

    async def reload(self) -> None:
        """Reload the entry, as a user would from the integration's page."""
        assert await self.hass.config_entries.async_reload(self.entry.entry_id)
        await self.hass.async_block_till_done()


@pytest.fixture(name="home")
def home_fixture(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> Home:
    """Return the home before the entry is set up (a test gives Immich work first).

    Import it into a test module (`from .setups import home_fixture`) to use `home`.
    """
    return Home(hass, immich, config_entry, freezer)
