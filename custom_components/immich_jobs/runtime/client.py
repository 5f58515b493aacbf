"""The integration's Immich client: one per entry, on a session without cookies."""

from __future__ import annotations

from aiohttp import DummyCookieJar

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_API_KEY, CONF_URL, CONF_VERIFY_SSL
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_create_clientsession

from ..immich import ImmichClient


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


def client_for_entry(hass: HomeAssistant, entry: ConfigEntry) -> ImmichClient:
    """Build the client of a config entry."""
    return create_client(
        hass,
        entry.data[CONF_URL],
        entry.data[CONF_API_KEY],
        entry.data[CONF_VERIFY_SSL],
    )
