"""Polls Immich's queues for every entity of one server."""

from __future__ import annotations

from datetime import timedelta

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from .api import CannotConnect, ImmichClient, InvalidAuth, InvalidResponse
from .const import DEFAULT_POLL_INTERVAL, DOMAIN, LOGGER
from .queues import Snapshot

type ImmichJobsConfigEntry = ConfigEntry[ImmichJobsCoordinator]


class ImmichJobsCoordinator(DataUpdateCoordinator[Snapshot]):
    """Reads the queue snapshot of one Immich server."""

    config_entry: ImmichJobsConfigEntry

    def __init__(
        self, hass: HomeAssistant, entry: ImmichJobsConfigEntry, client: ImmichClient
    ) -> None:
        """Poll at the configured interval."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=DOMAIN,
            update_interval=timedelta(seconds=DEFAULT_POLL_INTERVAL),
        )
        self.client = client

    async def _async_update_data(self) -> Snapshot:
        """Read every queue; an error leaves the state unknown."""
        try:
            return await self.client.async_get_queues()
        except InvalidAuth as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="invalid_auth"
            ) from err
        except CannotConnect as err:
            raise UpdateFailed(
                translation_domain=DOMAIN, translation_key="cannot_connect"
            ) from err
        except InvalidResponse as err:
            raise UpdateFailed(
                translation_domain=DOMAIN, translation_key="invalid_response"
            ) from err
