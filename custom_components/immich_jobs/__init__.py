"""Immich Jobs: schedule Immich's background job queues by priority."""

from __future__ import annotations

from aiohttp import DummyCookieJar

from homeassistant.const import CONF_API_KEY, CONF_URL, CONF_VERIFY_SSL, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_create_clientsession

from .api import ImmichClient
from .coordinator import ImmichJobsConfigEntry, ImmichJobsCoordinator

PLATFORMS: list[Platform] = [Platform.SENSOR]


def create_client(
    hass: HomeAssistant, url: str, api_key: str, verify_ssl: bool
) -> ImmichClient:
    """Build a client whose session never sends cookies.

    Immich lets a session cookie override the API key, and Home Assistant's shared session keeps
    cookies, so the integration gets a session of its own without a cookie jar.
    """
    session = async_create_clientsession(
        hass, verify_ssl=verify_ssl, cookie_jar=DummyCookieJar()
    )
    return ImmichClient(session, url, api_key)


async def async_setup_entry(hass: HomeAssistant, entry: ImmichJobsConfigEntry) -> bool:
    """Connect to Immich and start polling its queues."""
    client = create_client(
        hass,
        entry.data[CONF_URL],
        entry.data[CONF_API_KEY],
        entry.data[CONF_VERIFY_SSL],
    )
    coordinator = ImmichJobsCoordinator(hass, entry, client)
    await coordinator.async_config_entry_first_refresh()
    entry.runtime_data = coordinator
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: ImmichJobsConfigEntry) -> bool:
    """Stop polling."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
