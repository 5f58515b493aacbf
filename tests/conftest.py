"""Fixtures shared by every test: the Home Assistant test harness and the Immich simulator."""

from __future__ import annotations

from collections.abc import Generator
import socket
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion

from custom_components.immich_jobs.const import DOMAIN
from homeassistant.const import CONF_API_KEY, CONF_URL, CONF_VERIFY_SSL
from homeassistant.core import HomeAssistant
from simulator.server import KEY_ALL, SimulatedImmich

from .portable_snapshots import PortableSnapshotExtension

pytest_plugins = ["simulator.pytest_plugin"]

# Where the test clock starts: a whole second (see frozen_clock).
FROZEN_START = "2026-12-01T09:00:00+00:00"


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load the integration from custom_components/."""


@pytest.fixture(autouse=True)
def frozen_clock(request: pytest.FixtureRequest) -> None:
    """Stop real time for every test that runs Home Assistant: only the test moves the clocks.

    The coordinator's monotonic clock and Home Assistant's clock stand still until the test
    ticks them (tests/integration/helpers.run_for moves them with the simulated Immich's),
    so a busy machine changes no figure (a second of load once turned a 60 s time left
    into 59 s). tests/meta/test_clock.py checks it.

    The clocks start at a whole second, not at the machine's time: a coordinator's next read
    is due at a whole second plus up to 0.5 s (Home Assistant's jitter), so a start at
    12:00:19.79 made it fall one test step early in about a third of the runs.
    """
    if "hass" in request.fixturenames:
        freezer: FrozenDateTimeFactory = request.getfixturevalue("freezer")
        freezer.move_to(FROZEN_START)


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Use Home Assistant's snapshot format (syrupy's own fixture would shadow it).

    Written alike by Home Assistant 2025.4 and 2026 (see portable_snapshots.py).
    """
    return snapshot.use_extension(PortableSnapshotExtension)


@pytest.fixture
def entity_registry_enabled_by_default() -> Generator[None]:
    """Create entities that are disabled by default as enabled."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        return_value=True,
    ):
        yield


@pytest.fixture
def refused_port() -> Generator[int]:
    """Give a port on 127.0.0.1 that refuses connections, held so nothing else can take it.

    The socket is bound but never listens: a connection is refused at once, whereas a port
    that is merely unused now (pytest's unused_tcp_port) may be taken by another program.
    """
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield int(sock.getsockname()[1])


@pytest.fixture
def api_key() -> str:
    """Return the API key the config entry uses (parametrize to change it)."""
    return KEY_ALL


@pytest.fixture
def config_entry(immich: SimulatedImmich, api_key: str) -> MockConfigEntry:
    """Return a config entry for the simulated server, as the config flow would create it."""
    return MockConfigEntry(
        domain=DOMAIN,
        version=1,
        minor_version=2,
        title="Immich (127.0.0.1)",
        unique_id=immich.admin.id,
        data={CONF_URL: immich.url, CONF_API_KEY: api_key, CONF_VERIFY_SSL: True},
    )


@pytest.fixture
async def loaded_entry(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> MockConfigEntry:
    """Set the integration up against the simulated server."""
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    return config_entry
