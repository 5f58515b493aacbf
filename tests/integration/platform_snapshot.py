"""The snapshot test every platform shares: its entities as a user first sees them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from unittest.mock import patch

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from simulator.server import SimulatedImmich

from .helpers import setup_one_slot

# A fixed server identity, so snapshots do not change between runs.
SNAPSHOT_ADMIN_ID = "7e9a4a52-4d7b-4b8e-9a43-0c6f3f1e5a10"


type SnapshotTest = Callable[..., Awaitable[None]]


def platform_snapshot_test(
    platform: Platform,
    summary: str,
    *,
    enable_all: bool = False,
    work: Callable[[SimulatedImmich], None] | None = None,
) -> SnapshotTest:
    """Return the test comparing `platform`'s entities with its module's snapshot file.

    Assign it to `test_entities` in the platform's test module; `summary` says what the
    user should find. `enable_all` also creates the entities disabled by default; `work`
    gives Immich work before the set-up, so that the values mean something.
    """

    async def test_entities(
        hass: HomeAssistant,
        immich: SimulatedImmich,
        config_entry: MockConfigEntry,
        entity_registry: er.EntityRegistry,
        snapshot: SnapshotAssertion,
    ) -> None:
        if work is not None:
            work(immich)
        # Only this platform, for a server of fixed identity.
        immich.admin.id = SNAPSHOT_ADMIN_ID
        entry = MockConfigEntry(
            domain=config_entry.domain,
            title=config_entry.title,
            unique_id=SNAPSHOT_ADMIN_ID,
            data=config_entry.data,
        )
        with patch("custom_components.immich_jobs.PLATFORMS", [platform]):
            await setup_one_slot(hass, entry)
        await snapshot_platform(hass, entity_registry, snapshot, entry.entry_id)

    test_entities.__doc__ = summary
    if enable_all:
        return pytest.mark.usefixtures("entity_registry_enabled_by_default")(
            test_entities
        )
    return test_entities
