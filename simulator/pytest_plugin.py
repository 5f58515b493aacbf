"""Pytest fixtures: a started simulated Immich per test, for a selectable release profile.

Register with ``pytest_plugins = ["simulator.pytest_plugin"]`` in the rootdir conftest.
Override the release with ``@pytest.mark.parametrize("immich_profile", ["v1.106"])``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from .server import SimulatedImmich


@pytest.fixture
def immich_profile() -> str:
    """Return the Immich release to simulate (parametrize to change it)."""
    return "v3.1"


@pytest.fixture
async def immich(
    immich_profile: str, socket_enabled: None
) -> AsyncIterator[SimulatedImmich]:
    """Yield a started simulated Immich on 127.0.0.1 (manual clock); stop it afterwards.

    ``socket_enabled`` (pytest-socket) lets the test open loopback sockets; Home Assistant's
    test plugin still restricts connections to 127.0.0.1.
    """
    server = SimulatedImmich(immich_profile)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
