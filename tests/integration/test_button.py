"""The run-now buttons against the simulated Immich."""

from __future__ import annotations

import pytest

from homeassistant.components.button import DOMAIN as BUTTON_DOMAIN, SERVICE_PRESS
from homeassistant.const import ATTR_ENTITY_ID, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from simulator.faults import Fault

from .platform_snapshot import platform_snapshot_test
from .setups import Home, home_fixture  # noqa: F401

THUMBNAILS = "thumbnailGeneration"
VIDEO = "videoConversion"
VIDEO_RUN_NOW = "button.immich_127_0_0_1_video_conversion_run_now"
VIDEO_STATUS = "sensor.immich_127_0_0_1_video_conversion_status"


def _run_now(hass: HomeAssistant, status: str) -> bool:
    """Return the run_now attribute the status sensor shows."""
    return bool(hass.states.get(status).attributes["run_now"])


async def _press(hass: HomeAssistant, entity_id: str) -> None:
    await hass.services.async_call(
        BUTTON_DOMAIN, SERVICE_PRESS, {ATTR_ENTITY_ID: entity_id}, blocking=True
    )


test_entities = platform_snapshot_test(
    Platform.BUTTON, "One run-now button per managed queue."
)


async def test_run_now_runs_a_low_priority_queue_until_empty(home: Home) -> None:
    """Videos jump the queue at once, run until empty, then the scheduler takes over."""
    home.immich.model.enqueue(THUMBNAILS, 60, duration=10)
    home.immich.model.enqueue(VIDEO, 2, kind="video", duration=5)
    await home.set_up_one_slot()
    # The videos lost the slot: paused, their first job finishing (draining).
    assert home.counts(VIDEO).is_paused
    assert home.state(VIDEO_STATUS).state == "draining"

    await _press(home.hass, VIDEO_RUN_NOW)

    videos = home.counts(VIDEO)
    assert not videos.is_paused
    assert videos.active == 1
    assert home.state(VIDEO_STATUS).state == "running"
    # The run-now queue takes the only slot: thumbnails are paused, their jobs drain.
    assert home.counts(THUMBNAILS).is_paused
    assert _run_now(home.hass, VIDEO_STATUS)

    await home.run_for(20)

    assert home.counts(VIDEO).waiting + home.counts(VIDEO).paused == 0
    assert home.counts(VIDEO).active == 0
    assert not _run_now(home.hass, VIDEO_STATUS)
    # Back to automatic: the thumbnails have the slot again.
    assert not home.counts(THUMBNAILS).is_paused
    assert home.counts(THUMBNAILS).active > 0

    # New videos wait their turn again (no lasting run-now).
    home.immich.model.enqueue(VIDEO, 2, kind="video", duration=5)
    await home.run_for(5)
    assert home.counts(VIDEO).is_paused


async def test_run_now_that_cannot_be_sent_is_forgotten(home: Home) -> None:
    """Immich refuses the resume: translated error, and no run-now is left pending."""
    home.immich.model.enqueue(THUMBNAILS, 60, duration=10)
    home.immich.model.enqueue(VIDEO, 2, kind="video", duration=5)
    await home.set_up_one_slot()
    home.immich.faults.add(
        Fault(kind="status", status=500, scope="commands", count=None)
    )

    with pytest.raises(HomeAssistantError) as err:
        await _press(home.hass, VIDEO_RUN_NOW)

    assert err.value.translation_domain == "immich_jobs"
    assert err.value.translation_key == "invalid_response"
    assert not _run_now(home.hass, VIDEO_STATUS)
    assert home.counts(VIDEO).is_paused


async def test_run_now_when_immich_is_unreachable(home: Home) -> None:
    """No read possible: the user is told Immich could not be reached, nothing is kept."""
    home.immich.model.enqueue(THUMBNAILS, 60, duration=10)
    home.immich.model.enqueue(VIDEO, 2, kind="video", duration=5)
    await home.set_up_one_slot()
    home.immich.faults.add(Fault(kind="drop", scope="reads"))

    with pytest.raises(HomeAssistantError) as err:
        await _press(home.hass, VIDEO_RUN_NOW)

    assert err.value.translation_key == "cannot_connect"
    assert str(err.value).startswith("Could not reach Immich")
    # Once Immich answers again, the videos still wait behind the thumbnails.
    home.immich.faults.clear()
    await home.run_for(10)
    assert not _run_now(home.hass, VIDEO_STATUS)
    assert home.counts(VIDEO).is_paused
