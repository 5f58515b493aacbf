"""The max concurrent queues number against the simulated Immich."""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.immich_jobs.queues import DEFAULT_MANAGED
from homeassistant.components.number import (
    ATTR_VALUE,
    DOMAIN as NUMBER_DOMAIN,
    SERVICE_SET_VALUE,
)
from homeassistant.const import ATTR_ENTITY_ID, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from simulator.faults import Fault
from simulator.server import SimulatedImmich

from .helpers import run_for, setup_one_slot
from .platform_snapshot import platform_snapshot_test

MAX_RUNNING = "number.immich_127_0_0_1_max_concurrent_queues"
THUMBNAILS = "thumbnailGeneration"
VIDEO = "videoConversion"
SMART_SEARCH = "smartSearch"


async def _set(hass: HomeAssistant, value: float) -> None:
    await hass.services.async_call(
        NUMBER_DOMAIN,
        SERVICE_SET_VALUE,
        {ATTR_ENTITY_ID: MAX_RUNNING, ATTR_VALUE: value},
        blocking=True,
    )


def _running(immich: SimulatedImmich) -> set[str]:
    return {q for q in DEFAULT_MANAGED if not immich.model.counts(q).is_paused}


test_entities = platform_snapshot_test(
    Platform.NUMBER, "One configuration number, 0 to 12."
)


async def test_limit_decides_how_many_queues_run(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """2 lets a second queue run; 0 pauses every managed queue, even idle ones."""
    immich.model.enqueue(THUMBNAILS, 30, duration=10)
    immich.model.enqueue(SMART_SEARCH, 30, duration=10)
    immich.model.enqueue(VIDEO, 3, kind="video", duration=20)
    await setup_one_slot(hass, config_entry)
    assert _running(immich) == {THUMBNAILS}

    await _set(hass, 2)
    assert hass.states.get(MAX_RUNNING).state == "2"
    assert _running(immich) == {THUMBNAILS, SMART_SEARCH}

    await _set(hass, 0)
    assert hass.states.get(MAX_RUNNING).state == "0"
    assert _running(immich) == set()
    await run_for(hass, freezer, immich, 60)
    assert _running(immich) == set()
    assert immich.model.counts(THUMBNAILS).active == 0
    assert immich.model.counts(THUMBNAILS).paused > 0
    # Internal queues are never touched.
    assert not immich.model.counts("backgroundTask").is_paused

    await _set(hass, 1)
    assert _running(immich) == {THUMBNAILS}


async def test_limit_not_applied_stays_as_it_was(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Immich refuses the pauses: translated error, the limit keeps its value."""
    immich.model.enqueue(THUMBNAILS, 30, duration=10)
    await setup_one_slot(hass, config_entry)
    immich.faults.add(Fault(kind="status", status=503, scope="commands", count=None))

    with pytest.raises(HomeAssistantError) as err:
        await _set(hass, 0)

    assert err.value.translation_domain == "immich_jobs"
    assert hass.states.get(MAX_RUNNING).state == "1"
    assert not immich.model.counts(THUMBNAILS).is_paused
    # Immich accepts commands again: the next polls still run one queue (a limit of 1, not 0).
    immich.faults.clear()
    await run_for(hass, freezer, immich, 20)
    assert hass.states.get(MAX_RUNNING).state == "1"
    assert not immich.model.counts(THUMBNAILS).is_paused
