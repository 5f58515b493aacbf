"""The max concurrent queues number against the simulated Immich."""

from __future__ import annotations

import pytest

from custom_components.immich_jobs.engine.queues import DEFAULT_MANAGED
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

from .platform_snapshot import platform_snapshot_test
from .setups import Home, home_fixture  # noqa: F401

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


async def test_limit_decides_how_many_queues_run(home: Home) -> None:
    """2 lets a second queue run; 0 pauses every managed queue, even idle ones."""
    home.immich.model.enqueue(THUMBNAILS, 30, duration=10)
    home.immich.model.enqueue(SMART_SEARCH, 30, duration=10)
    home.immich.model.enqueue(VIDEO, 3, kind="video", duration=20)
    await home.set_up_one_slot()
    assert _running(home.immich) == {THUMBNAILS}

    await _set(home.hass, 2)
    assert home.state(MAX_RUNNING).state == "2"
    assert _running(home.immich) == {THUMBNAILS, SMART_SEARCH}

    await _set(home.hass, 0)
    assert home.state(MAX_RUNNING).state == "0"
    assert _running(home.immich) == set()
    await home.run_for(60)
    assert _running(home.immich) == set()
    assert home.counts(THUMBNAILS).active == 0
    assert home.counts(THUMBNAILS).paused > 0
    # Internal queues are never touched.
    assert not home.counts("backgroundTask").is_paused

    await _set(home.hass, 1)
    assert _running(home.immich) == {THUMBNAILS}


async def test_limit_not_applied_stays_as_it_was(home: Home) -> None:
    """Immich refuses the pauses: translated error, the limit keeps its value."""
    home.immich.model.enqueue(THUMBNAILS, 30, duration=10)
    await home.set_up_one_slot()
    home.immich.faults.add(
        Fault(kind="status", status=503, scope="commands", count=None)
    )

    with pytest.raises(HomeAssistantError) as err:
        await _set(home.hass, 0)

    assert err.value.translation_domain == "immich_jobs"
    assert home.state(MAX_RUNNING).state == "1"
    assert not home.counts(THUMBNAILS).is_paused
    # Immich accepts commands again: the next polls still run one queue (a limit of 1, not 0).
    home.immich.faults.clear()
    await home.run_for(20)
    assert home.state(MAX_RUNNING).state == "1"
    assert not home.counts(THUMBNAILS).is_paused
