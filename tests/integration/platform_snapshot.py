"""The snapshot test every platform shares: its entities as a user first sees them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from simulator.server import SimulatedImmich

from .helpers import assert_platform_snapshot

type SnapshotTest = Callable[..., Awaitable[None]]


def platform_snapshot_test(
    platform: Platform, summary: str, *, enable_all: bool = False
) -> SnapshotTest:
    """Return the test comparing `platform`'s entities with its module's snapshot file.

    Assign it to `test_entities` in the platform's test module; `summary` says what the
    user should find. `enable_all` also creates the entities disabled by default.
    """

    async def test_entities(
        hass: HomeAssistant,
        immich: SimulatedImmich,
        config_entry: MockConfigEntry,
        entity_registry: er.EntityRegistry,
        snapshot: SnapshotAssertion,
    ) -> None:
        await assert_platform_snapshot(
            hass, immich, config_entry, entity_registry, snapshot, platform
        )

    test_entities.__doc__ = summary
    if enable_all:
        return pytest.mark.usefixtures("entity_registry_enabled_by_default")(
            test_entities
        )
    return test_entities
