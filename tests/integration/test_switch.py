"""Switches against the simulated Immich: each queue's manual override and automatic scheduling."""

from __future__ import annotations

import pytest

from homeassistant.components.switch import SERVICE_TURN_OFF, SERVICE_TURN_ON
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from simulator.faults import Fault
from simulator.server import KEY_READ_ONLY, SimulatedImmich

from .helpers import call_switch
from .platform_snapshot import platform_snapshot_test
from .setups import Home, home_fixture  # noqa: F401

THUMBNAILS = "thumbnailGeneration"
VIDEO = "videoConversion"
THUMBNAIL_SWITCH = "switch.immich_127_0_0_1_thumbnail_generation_allowed"
VIDEO_SWITCH = "switch.immich_127_0_0_1_video_conversion_allowed"
SCHEDULING_SWITCH = "switch.immich_127_0_0_1_automatic_scheduling"
THUMBNAIL_STATUS = "sensor.immich_127_0_0_1_thumbnail_generation_status"
OCR_SWITCH = "switch.immich_127_0_0_1_ocr_allowed"


def _switches_off(hass: HomeAssistant) -> set[str]:
    """Return the switches the user sees off."""
    return {
        state.entity_id
        for state in hass.states.async_all("switch")
        if state.state == STATE_OFF
    }


def _busy(immich: SimulatedImmich) -> None:
    """Thumbnails (higher priority) and videos (lower) both have long work."""
    immich.model.enqueue(THUMBNAILS, 20, duration=10)
    immich.model.enqueue(VIDEO, 3, kind="video", duration=20)


test_entities = platform_snapshot_test(
    Platform.SWITCH,
    "One override per managed queue and the scheduling switch, all on.",
    enable_all=True,
)


async def test_an_existing_install_keeps_its_switch_ids(
    home: Home, entity_registry: er.EntityRegistry
) -> None:
    """The rename to "... allowed" keeps the unique id: old entity ids and automations stay."""
    home.entry.add_to_hass(home.hass)
    entity_registry.async_get_or_create(
        "switch",
        "immich_jobs",
        f"{home.immich.admin.id}_queue_{THUMBNAILS}_allowed",
        config_entry=home.entry,
        suggested_object_id="immich_127_0_0_1_thumbnail_generation",
    )
    await home.set_up_one_slot()
    state = home.hass.states.get("switch.immich_127_0_0_1_thumbnail_generation")
    assert state is not None
    assert state.state == STATE_ON
    assert state.name == "Immich (127.0.0.1) Thumbnail generation allowed"
    assert home.hass.states.get(THUMBNAIL_SWITCH) is None


async def test_off_holds_a_queue_paused_while_a_slot_is_free(home: Home) -> None:
    """Off pauses the queue at once; it stays paused with work and a free slot; on lets it run."""
    _busy(home.immich)
    await home.set_up_one_slot()
    assert not home.counts(THUMBNAILS).is_paused
    assert home.counts(VIDEO).is_paused

    await home.switch(SERVICE_TURN_OFF, THUMBNAIL_SWITCH)

    assert home.counts(THUMBNAILS).is_paused
    assert home.state(THUMBNAIL_SWITCH).state == STATE_OFF
    assert home.state(THUMBNAIL_STATUS).state == "held"

    # The running thumbnails drain, the slot goes to the videos; thumbnails stay held.
    await home.run_for(40)
    thumbnails = home.counts(THUMBNAILS)
    assert thumbnails.is_paused
    assert thumbnails.paused > 0
    assert thumbnails.active == 0
    assert not home.counts(VIDEO).is_paused
    assert home.state(THUMBNAIL_STATUS).state == "held"

    await home.switch(SERVICE_TURN_ON, THUMBNAIL_SWITCH)
    assert home.state(THUMBNAIL_SWITCH).state == STATE_ON
    # Higher priority again: the videos are paused (their running job drains), then
    # the thumbnails get the slot.
    assert home.counts(VIDEO).is_paused
    await home.run_for(30)
    assert not home.counts(THUMBNAILS).is_paused
    assert home.counts(THUMBNAILS).active > 0
    assert home.counts(VIDEO).active == 0


@pytest.mark.parametrize("api_key", [KEY_READ_ONLY])
async def test_off_without_permission_changes_nothing(home: Home) -> None:
    """A key without job.create: the user sees which permission, the switch stays on."""
    home.immich.model.enqueue(THUMBNAILS, 20, duration=10)
    await home.set_up_one_slot()
    assert not home.counts(THUMBNAILS).is_paused

    with pytest.raises(HomeAssistantError) as err:
        await home.switch(SERVICE_TURN_OFF, THUMBNAIL_SWITCH)

    assert err.value.translation_key == "missing_permission"
    assert err.value.translation_placeholders == {"permission": "job.create"}
    assert "job.create" in str(err.value)
    assert home.state(THUMBNAIL_SWITCH).state == STATE_ON
    assert not home.counts(THUMBNAILS).is_paused
    # No hold was kept for later: the next polls leave the thumbnails running.
    await home.run_for(20)
    assert home.state(THUMBNAIL_SWITCH).state == STATE_ON
    assert not home.counts(THUMBNAILS).is_paused


async def test_off_while_immich_is_unreachable_changes_nothing(home: Home) -> None:
    """Immich answers the read but not the command: translated error, intent unchanged."""
    home.immich.model.enqueue(THUMBNAILS, 20, duration=10)
    await home.set_up_one_slot()
    home.immich.faults.add(Fault(kind="html", status=502, scope="commands"))

    with pytest.raises(HomeAssistantError) as err:
        await home.switch(SERVICE_TURN_OFF, THUMBNAIL_SWITCH)

    assert err.value.translation_domain == "immich_jobs"
    assert err.value.translation_key in {"cannot_connect", "invalid_response"}
    assert home.state(THUMBNAIL_SWITCH).state == STATE_ON
    assert not home.counts(THUMBNAILS).is_paused


async def test_on_when_the_read_fails_keeps_the_queue_held(home: Home) -> None:
    """Letting a queue run needs a read of Immich; without one, the hold stays."""
    home.immich.model.enqueue(THUMBNAILS, 20, duration=10)
    await home.set_up_one_slot()
    await home.switch(SERVICE_TURN_OFF, THUMBNAIL_SWITCH)
    home.immich.faults.add(Fault(kind="status", status=500, scope="reads"))

    with pytest.raises(HomeAssistantError) as err:
        await home.switch(SERVICE_TURN_ON, THUMBNAIL_SWITCH)

    assert err.value.translation_domain == "immich_jobs"
    assert home.counts(THUMBNAILS).is_paused
    # Immich answers again: the hold is still there, shown and kept.
    await home.run_for(20)
    assert home.state(THUMBNAIL_SWITCH).state == STATE_OFF
    assert home.counts(THUMBNAILS).is_paused


async def test_scheduling_off_resumes_what_the_integration_paused(home: Home) -> None:
    """Off gives back the queues the scheduler paused, not the ones the user holds."""
    _busy(home.immich)
    home.immich.model.enqueue("smartSearch", 5, duration=10)
    await home.set_up_one_slot()
    await call_switch(
        home.hass, SERVICE_TURN_OFF, "switch.immich_127_0_0_1_smart_search_allowed"
    )
    assert home.counts(VIDEO).is_paused

    await home.switch(SERVICE_TURN_OFF, SCHEDULING_SWITCH)

    assert home.state(SCHEDULING_SWITCH).state == STATE_OFF
    assert not home.counts(VIDEO).is_paused
    assert not home.counts(THUMBNAILS).is_paused
    assert home.counts("smartSearch").is_paused

    await home.switch(SERVICE_TURN_ON, SCHEDULING_SWITCH)

    assert home.state(SCHEDULING_SWITCH).state == STATE_ON
    assert home.counts(VIDEO).is_paused
    assert not home.counts(THUMBNAILS).is_paused


async def test_scheduling_off_when_immich_refuses_stays_on(home: Home) -> None:
    """If a paused queue cannot be resumed, scheduling stays on and the user is told."""
    _busy(home.immich)
    await home.set_up_one_slot()
    home.immich.faults.add(Fault(kind="html", status=502, scope="commands"))

    with pytest.raises(HomeAssistantError) as err:
        await home.switch(SERVICE_TURN_OFF, SCHEDULING_SWITCH)

    assert err.value.translation_key == "invalid_response"
    assert home.state(SCHEDULING_SWITCH).state == STATE_ON
    # Still scheduling: whatever the failed attempt resumed is put back in its place.
    await home.run_for(5)
    assert home.state(SCHEDULING_SWITCH).state == STATE_ON
    assert home.counts(VIDEO).is_paused
    assert not home.counts(THUMBNAILS).is_paused


async def test_unavailable_while_immich_is_unreachable(home: Home) -> None:
    """The switches follow the coordinator: unavailable while reads fail, back afterwards."""
    await home.set_up_one_slot()
    fault = home.immich.faults.add(Fault(kind="status", status=503, count=None))
    await home.run_for(40)
    assert home.state(THUMBNAIL_SWITCH).state == STATE_UNAVAILABLE
    assert home.state(SCHEDULING_SWITCH).state == STATE_UNAVAILABLE

    home.immich.faults.remove(fault)
    await home.run_for(40)
    assert home.state(THUMBNAIL_SWITCH).state == STATE_ON
    assert home.state(SCHEDULING_SWITCH).state == STATE_ON


async def test_a_switch_fails_only_on_its_own_queue(home: Home) -> None:
    """Immich fails every command for the videos: turning OCR off still works.

    New photos arrive as the user turns OCR off; the same cycle pauses the idle videos (no
    work while other queues work). That pause is the scheduler's, not the user's: it backs
    off and is retried, while the OCR switch, its hold and Immich agree (off, held, paused).
    """
    await home.set_up_one_slot()
    assert home.paused() == set()
    for endpoint in ("/api/queues/videoConversion", "/api/jobs/videoConversion"):
        home.immich.faults.add(
            Fault(kind="status", status=500, path_prefix=endpoint, count=None)
        )
    home.immich.model.enqueue(THUMBNAILS, 40, duration=10)

    await home.switch(SERVICE_TURN_OFF, OCR_SWITCH)

    assert _switches_off(home.hass) == {OCR_SWITCH}
    assert "ocr" in home.paused()
    assert VIDEO not in home.paused()

    home.immich.faults.clear()
    await home.run_for(30)
    assert VIDEO in home.paused()
    assert "ocr" in home.paused()
    assert home.state(OCR_SWITCH).state == STATE_OFF
