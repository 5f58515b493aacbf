"""Switches against the simulated Immich: each queue's manual override and automatic scheduling."""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from homeassistant.components.switch import SERVICE_TURN_OFF, SERVICE_TURN_ON
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from simulator.faults import Fault
from simulator.server import KEY_READ_ONLY, SimulatedImmich

from .helpers import call_switch, paused_queues, run_for, setup_one_slot
from .platform_snapshot import platform_snapshot_test

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
    hass: HomeAssistant,
    immich: SimulatedImmich,
    config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """The rename to "... allowed" keeps the unique id: old entity ids and automations stay."""
    config_entry.add_to_hass(hass)
    entity_registry.async_get_or_create(
        "switch",
        "immich_jobs",
        f"{immich.admin.id}_queue_{THUMBNAILS}_allowed",
        config_entry=config_entry,
        suggested_object_id="immich_127_0_0_1_thumbnail_generation",
    )
    await setup_one_slot(hass, config_entry)
    state = hass.states.get("switch.immich_127_0_0_1_thumbnail_generation")
    assert state is not None
    assert state.state == STATE_ON
    assert state.name == "Immich (127.0.0.1) Thumbnail generation allowed"
    assert hass.states.get(THUMBNAIL_SWITCH) is None


async def test_off_holds_a_queue_paused_while_a_slot_is_free(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Off pauses the queue at once; it stays paused with work and a free slot; on lets it run."""
    _busy(immich)
    await setup_one_slot(hass, config_entry)
    assert not immich.model.counts(THUMBNAILS).is_paused
    assert immich.model.counts(VIDEO).is_paused

    await call_switch(hass, SERVICE_TURN_OFF, THUMBNAIL_SWITCH)

    assert immich.model.counts(THUMBNAILS).is_paused
    assert hass.states.get(THUMBNAIL_SWITCH).state == STATE_OFF
    assert hass.states.get(THUMBNAIL_STATUS).state == "held"

    # The running thumbnails drain, the slot goes to the videos; thumbnails stay held.
    await run_for(hass, freezer, immich, 40)
    thumbnails = immich.model.counts(THUMBNAILS)
    assert thumbnails.is_paused
    assert thumbnails.paused > 0
    assert thumbnails.active == 0
    assert not immich.model.counts(VIDEO).is_paused
    assert hass.states.get(THUMBNAIL_STATUS).state == "held"

    await call_switch(hass, SERVICE_TURN_ON, THUMBNAIL_SWITCH)
    assert hass.states.get(THUMBNAIL_SWITCH).state == STATE_ON
    # Higher priority again: the videos are paused (their running job drains), then
    # the thumbnails get the slot.
    assert immich.model.counts(VIDEO).is_paused
    await run_for(hass, freezer, immich, 30)
    assert not immich.model.counts(THUMBNAILS).is_paused
    assert immich.model.counts(THUMBNAILS).active > 0
    assert immich.model.counts(VIDEO).active == 0


@pytest.mark.parametrize("api_key", [KEY_READ_ONLY])
async def test_off_without_permission_changes_nothing(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A key without job.create: the user sees which permission, the switch stays on."""
    immich.model.enqueue(THUMBNAILS, 20, duration=10)
    await setup_one_slot(hass, config_entry)
    assert not immich.model.counts(THUMBNAILS).is_paused

    with pytest.raises(HomeAssistantError) as err:
        await call_switch(hass, SERVICE_TURN_OFF, THUMBNAIL_SWITCH)

    assert err.value.translation_key == "missing_permission"
    assert err.value.translation_placeholders == {"permission": "job.create"}
    assert "job.create" in str(err.value)
    assert hass.states.get(THUMBNAIL_SWITCH).state == STATE_ON
    assert not immich.model.counts(THUMBNAILS).is_paused
    # No hold was kept for later: the next polls leave the thumbnails running.
    await run_for(hass, freezer, immich, 20)
    assert hass.states.get(THUMBNAIL_SWITCH).state == STATE_ON
    assert not immich.model.counts(THUMBNAILS).is_paused


async def test_off_while_immich_is_unreachable_changes_nothing(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    config_entry: MockConfigEntry,
) -> None:
    """Immich answers the read but not the command: translated error, intent unchanged."""
    immich.model.enqueue(THUMBNAILS, 20, duration=10)
    await setup_one_slot(hass, config_entry)
    immich.faults.add(Fault(kind="html", status=502, scope="commands"))

    with pytest.raises(HomeAssistantError) as err:
        await call_switch(hass, SERVICE_TURN_OFF, THUMBNAIL_SWITCH)

    assert err.value.translation_domain == "immich_jobs"
    assert err.value.translation_key in {"cannot_connect", "invalid_response"}
    assert hass.states.get(THUMBNAIL_SWITCH).state == STATE_ON
    assert not immich.model.counts(THUMBNAILS).is_paused


async def test_on_when_the_read_fails_keeps_the_queue_held(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Letting a queue run needs a read of Immich; without one, the hold stays."""
    immich.model.enqueue(THUMBNAILS, 20, duration=10)
    await setup_one_slot(hass, config_entry)
    await call_switch(hass, SERVICE_TURN_OFF, THUMBNAIL_SWITCH)
    immich.faults.add(Fault(kind="status", status=500, scope="reads"))

    with pytest.raises(HomeAssistantError) as err:
        await call_switch(hass, SERVICE_TURN_ON, THUMBNAIL_SWITCH)

    assert err.value.translation_domain == "immich_jobs"
    assert immich.model.counts(THUMBNAILS).is_paused
    # Immich answers again: the hold is still there, shown and kept.
    await run_for(hass, freezer, immich, 20)
    assert hass.states.get(THUMBNAIL_SWITCH).state == STATE_OFF
    assert immich.model.counts(THUMBNAILS).is_paused


async def test_scheduling_off_resumes_what_the_integration_paused(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    config_entry: MockConfigEntry,
) -> None:
    """Off gives back the queues the scheduler paused, not the ones the user holds."""
    _busy(immich)
    immich.model.enqueue("smartSearch", 5, duration=10)
    await setup_one_slot(hass, config_entry)
    await call_switch(
        hass, SERVICE_TURN_OFF, "switch.immich_127_0_0_1_smart_search_allowed"
    )
    assert immich.model.counts(VIDEO).is_paused

    await call_switch(hass, SERVICE_TURN_OFF, SCHEDULING_SWITCH)

    assert hass.states.get(SCHEDULING_SWITCH).state == STATE_OFF
    assert not immich.model.counts(VIDEO).is_paused
    assert not immich.model.counts(THUMBNAILS).is_paused
    assert immich.model.counts("smartSearch").is_paused

    await call_switch(hass, SERVICE_TURN_ON, SCHEDULING_SWITCH)

    assert hass.states.get(SCHEDULING_SWITCH).state == STATE_ON
    assert immich.model.counts(VIDEO).is_paused
    assert not immich.model.counts(THUMBNAILS).is_paused


async def test_scheduling_off_when_immich_refuses_stays_on(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """If a paused queue cannot be resumed, scheduling stays on and the user is told."""
    _busy(immich)
    await setup_one_slot(hass, config_entry)
    immich.faults.add(Fault(kind="html", status=502, scope="commands"))

    with pytest.raises(HomeAssistantError) as err:
        await call_switch(hass, SERVICE_TURN_OFF, SCHEDULING_SWITCH)

    assert err.value.translation_key == "invalid_response"
    assert hass.states.get(SCHEDULING_SWITCH).state == STATE_ON
    # Still scheduling: whatever the failed attempt resumed is put back in its place.
    await run_for(hass, freezer, immich, 5)
    assert hass.states.get(SCHEDULING_SWITCH).state == STATE_ON
    assert immich.model.counts(VIDEO).is_paused
    assert not immich.model.counts(THUMBNAILS).is_paused


async def test_unavailable_while_immich_is_unreachable(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The switches follow the coordinator: unavailable while reads fail, back afterwards."""
    await setup_one_slot(hass, config_entry)
    fault = immich.faults.add(Fault(kind="status", status=503, count=None))
    await run_for(hass, freezer, immich, 40)
    assert hass.states.get(THUMBNAIL_SWITCH).state == STATE_UNAVAILABLE
    assert hass.states.get(SCHEDULING_SWITCH).state == STATE_UNAVAILABLE

    immich.faults.remove(fault)
    await run_for(hass, freezer, immich, 40)
    assert hass.states.get(THUMBNAIL_SWITCH).state == STATE_ON
    assert hass.states.get(SCHEDULING_SWITCH).state == STATE_ON


async def test_a_switch_fails_only_on_its_own_queue(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Immich fails every command for the videos: turning OCR off still works.

    New photos arrive as the user turns OCR off; the same cycle pauses the idle videos (no
    work while other queues work). That pause is the scheduler's, not the user's: it backs
    off and is retried, while the OCR switch, its hold and Immich agree (off, held, paused).
    """
    await setup_one_slot(hass, config_entry)
    assert paused_queues(immich) == set()
    for endpoint in ("/api/queues/videoConversion", "/api/jobs/videoConversion"):
        immich.faults.add(
            Fault(kind="status", status=500, path_prefix=endpoint, count=None)
        )
    immich.model.enqueue(THUMBNAILS, 40, duration=10)

    await call_switch(hass, SERVICE_TURN_OFF, OCR_SWITCH)

    assert _switches_off(hass) == {OCR_SWITCH}
    assert "ocr" in paused_queues(immich)
    assert VIDEO not in paused_queues(immich)

    immich.faults.clear()
    await run_for(hass, freezer, immich, 30)
    assert VIDEO in paused_queues(immich)
    assert "ocr" in paused_queues(immich)
    assert hass.states.get(OCR_SWITCH).state == STATE_OFF
