"""Servers at the wrong address: something that is not Immich, and an Immich that is too old."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web
from aiohttp.test_utils import TestServer
import pytest
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from simulator.profiles import PROFILES, Profile
from simulator.server import SimulatedImmich

# A web server's own "not found" page, as nginx serves it for a path it does not know.
NGINX_404 = (
    "<html><head><title>404 Not Found</title></head><body><center><h1>404 Not Found"
    "</h1></center><hr><center>nginx</center></body></html>"
)


@pytest.fixture
def other_server_page() -> str:
    """Return which other server answers (parametrize to change it)."""
    return "home_assistant"


@pytest.fixture
async def other_server(
    hass: HomeAssistant,
    hass_client_no_auth: ClientSessionGenerator,
    other_server_page: str,
    socket_enabled: None,
) -> AsyncIterator[str]:
    """Run a web server that is not Immich on 127.0.0.1 and yield its address.

    "home_assistant" is Home Assistant's own web server (http and api set up), the address a
    user mistakes for Immich's: it answers /api/server/version with 404 "404: Not Found".
    "nginx" answers every path with nginx's HTML 404 page.
    """
    if other_server_page == "home_assistant":
        assert await async_setup_component(hass, "http", {})
        assert await async_setup_component(hass, "api", {})
        client = await hass_client_no_auth()
        yield str(client.make_url("")).rstrip("/")
        return

    async def answer(request: web.Request) -> web.Response:
        return web.Response(status=404, text=NGINX_404, content_type="text/html")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", answer)
    # No access log: its local-time lookup breaks under the frozen test clock.
    server = TestServer(app, host="127.0.0.1", access_log=None)
    await server.start_server()
    try:
        yield str(server.make_url("")).rstrip("/")
    finally:
        await server.close()


@pytest.fixture
async def old_immich(
    monkeypatch: pytest.MonkeyPatch, socket_enabled: None
) -> AsyncIterator[SimulatedImmich]:
    """Run a simulated Immich v1.105: it answers its version on the old /server-info route."""
    monkeypatch.setitem(PROFILES, "v1.105", Profile("v1.105", 1, 105))
    server = SimulatedImmich("v1.105")
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
