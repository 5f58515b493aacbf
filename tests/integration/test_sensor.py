"""Sensors against the simulated Immich: counts, status, totals, and which entities exist."""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.immich_jobs.const import CONF_MANAGED_QUEUES
from custom_components.immich_jobs.engine.queues import DEFAULT_MANAGED
from homeassistant.components.switch import (
    DOMAIN as SWITCH_DOMAIN,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
)
from homeassistant.const import (
    ATTR_ENTITY_ID,
    STATE_UNAVAILABLE,
    EntityCategory,
    Platform,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from simulator.faults import Fault
from simulator.model import ALL_QUEUES, ImmichModel
from simulator.server import SimulatedImmich

from .helpers import call_switch, paused_queues, run_for, setup_one_slot
from .platform_snapshot import platform_snapshot_test

THUMBNAILS = "thumbnailGeneration"
VIDEO = "videoConversion"
SMART_SEARCH = "smartSearch"
PREFIX = "sensor.immich_127_0_0_1"


def _state(hass: HomeAssistant, entity: str) -> str:
    state = hass.states.get(f"{PREFIX}_{entity}")
    assert state is not None, entity
    return state.state


def _work(immich: SimulatedImmich) -> None:
    """Thumbnails and videos queued, smart search with failed jobs."""
    immich.model.enqueue(THUMBNAILS, 20, duration=10)
    immich.model.enqueue(VIDEO, 3, kind="video", duration=20)
    immich.model.inject_failed(SMART_SEARCH, 2)


test_entities = platform_snapshot_test(
    Platform.SENSOR,
    "Every sensor, with work queued so that the values mean something.",
    enable_all=True,
    work=_work,
)


@pytest.mark.parametrize(
    ("kind", "category"),
    [
        ("active", EntityCategory.DIAGNOSTIC),
        ("failed", EntityCategory.DIAGNOSTIC),
        # The reason as a state of its own: ten more entities a user did not ask for.
        ("reason", None),
    ],
)
async def test_less_used_sensors_are_disabled_by_default(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    kind: str,
    category: EntityCategory | None,
) -> None:
    """The less-used sensors exist, but off until enabled; the counts are diagnostic."""
    await setup_one_slot(hass, config_entry)
    entity_id = f"{PREFIX}_thumbnail_generation_{kind}"
    entry = entity_registry.async_get(entity_id)
    assert entry is not None
    assert entry.disabled_by is er.RegistryEntryDisabler.INTEGRATION
    assert entry.entity_category is category
    assert hass.states.get(entity_id) is None
    pending = entity_registry.async_get(f"{PREFIX}_thumbnail_generation_pending")
    assert pending is not None
    assert pending.disabled_by is None
    assert pending.entity_category is None


async def test_status_follows_the_scheduler(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Running, draining, queued, held and idle, as the user would see them."""
    immich.model.enqueue(VIDEO, 2, kind="video", duration=20)
    immich.model.enqueue(SMART_SEARCH, 40, duration=2)
    await setup_one_slot(hass, config_entry)
    # smartSearch outranks videoConversion and has more work than one video job (40 jobs,
    # half a second each before any was seen): the video's running job drains.
    assert _state(hass, "smart_search_status") == "running"
    assert _state(hass, "video_conversion_status") == "draining"
    assert _state(hass, "thumbnail_generation_status") == "idle"

    # The video's job ends at 20 s; the next look after that sees it.
    await run_for(hass, freezer, immich, 31)
    assert immich.model.counts(VIDEO).active == 0
    assert _state(hass, "video_conversion_status") == "queued"
    assert _state(hass, "video_conversion_pending") == "1"

    await hass.services.async_call(
        SWITCH_DOMAIN,
        SERVICE_TURN_OFF,
        {ATTR_ENTITY_ID: "switch.immich_127_0_0_1_video_conversion_allowed"},
        blocking=True,
    )
    assert _state(hass, "video_conversion_status") == "held"

    # Work done everywhere but in the held queue: idle queues stay idle.
    await run_for(hass, freezer, immich, 60)
    assert _state(hass, "smart_search_status") == "idle"
    assert _state(hass, "smart_search_pending") == "0"
    assert _state(hass, "video_conversion_status") == "held"


async def test_server_totals(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    config_entry: MockConfigEntry,
) -> None:
    """Pending jobs add up every queue; running queues names them."""
    immich.model.enqueue(THUMBNAILS, 20, duration=10)
    immich.model.enqueue(VIDEO, 3, kind="video", duration=20)
    immich.model.set_delayed("notifications", 2)
    await setup_one_slot(hass, config_entry)

    # 17 thumbnails + 2 videos waiting or paused, 2 delayed notifications.
    assert _state(hass, "pending_jobs") == "21"
    running = hass.states.get(f"{PREFIX}_running_queues")
    assert running is not None
    # The video's first job still runs after its pause (draining).
    assert running.state == "2"
    assert running.attributes["queues"] == [THUMBNAILS, VIDEO]


async def test_unavailable_while_reads_fail(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Failed reads make the sensors unavailable, logged once; a good read brings them back."""
    immich.model.enqueue(THUMBNAILS, 20, duration=10)
    await setup_one_slot(hass, config_entry)
    fault = immich.faults.add(Fault(kind="malformed_json", scope="reads", count=None))
    await run_for(hass, freezer, immich, 30)
    assert fault.hits > 1
    assert _state(hass, "thumbnail_generation_pending") == STATE_UNAVAILABLE
    assert _state(hass, "pending_jobs") == STATE_UNAVAILABLE
    # The log names the server (several may be set up).
    assert caplog.text.count("Error fetching Immich (127.0.0.1) data") == 1

    immich.faults.remove(fault)
    await run_for(hass, freezer, immich, 30)
    assert _state(hass, "thumbnail_generation_pending") != STATE_UNAVAILABLE
    assert _state(hass, "pending_jobs") != STATE_UNAVAILABLE
    assert caplog.text.count("Fetching Immich (127.0.0.1) data recovered") == 1


async def test_one_service_device_per_server(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    config_entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
) -> None:
    """Every entity belongs to one service device carrying Immich's version."""
    await setup_one_slot(hass, config_entry)
    devices = dr.async_entries_for_config_entry(device_registry, config_entry.entry_id)
    assert len(devices) == 1
    device = devices[0]
    assert device.entry_type is dr.DeviceEntryType.SERVICE
    assert device.identifiers == {("immich_jobs", config_entry.unique_id)}
    assert device.sw_version == "v3.1.0"
    assert device.configuration_url == immich.url
    entities = er.async_entries_for_config_entry(entity_registry, config_entry.entry_id)
    assert entities
    assert {entity.device_id for entity in entities} == {device.id}


async def test_new_queue_gets_entities_after_a_reload(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """Immich upgraded with a new queue (OCR): its entities appear on the next reload."""
    immich.model = ImmichModel(queues=[q for q in ALL_QUEUES if q != "ocr"])
    await setup_one_slot(hass, config_entry)
    assert not _ocr_entities(entity_registry, config_entry)
    assert hass.states.get(f"{PREFIX}_ocr_pending") is None
    assert _state(hass, "thumbnail_generation_pending") == "0"

    immich.model = ImmichModel()
    assert await hass.config_entries.async_reload(config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)

    assert _state(hass, "ocr_pending") == "0"
    assert _state(hass, "ocr_status") == "idle"
    assert hass.states.get("switch.immich_127_0_0_1_ocr_allowed") is not None
    assert hass.states.get("button.immich_127_0_0_1_ocr_run_now") is not None
    assert len(_ocr_entities(entity_registry, config_entry)) == 9


def _ocr_entities(
    entity_registry: er.EntityRegistry, entry: MockConfigEntry
) -> set[str]:
    return {
        registered.entity_id
        for registered in er.async_entries_for_config_entry(
            entity_registry, entry.entry_id
        )
        if "_ocr" in registered.entity_id
    }


async def test_unmanaged_queue_entities_are_removed(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """A queue taken out of the managed set loses its entities on reload; others stay."""
    await setup_one_slot(hass, config_entry)
    ocr_entities = _ocr_entities(entity_registry, config_entry)
    # pending, status, reason, active, failed, time left, switch, button, events
    assert len(ocr_entities) == 9

    hass.config_entries.async_update_entry(
        config_entry,
        options={
            **config_entry.options,
            CONF_MANAGED_QUEUES: sorted(DEFAULT_MANAGED - {"ocr"}),
        },
    )
    assert await hass.config_entries.async_reload(config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)

    assert not _ocr_entities(entity_registry, config_entry)
    for entity_id in ocr_entities:
        assert entity_registry.async_get(entity_id) is None
        assert hass.states.get(entity_id) is None
    assert _state(hass, "thumbnail_generation_pending") == "0"
    assert entity_registry.async_get(f"{PREFIX}_pending_jobs") is not None


async def test_queue_paused_by_hand_is_held_in_immich(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Paused in Immich while we run: it stays paused, also at global idle, and says why.

    What a previous controller left paused before the set-up is taken over and scheduled; a
    pause made by hand later is the user's, until the queue's switch is turned off and on.
    """
    immich.model.pause(VIDEO)  # left paused by the add-on
    immich.model.enqueue(THUMBNAILS, 30, duration=2)
    immich.model.enqueue(VIDEO, 2, kind="video", duration=3)
    await setup_one_slot(hass, config_entry)
    assert _state(hass, "thumbnail_generation_status") == "running"
    assert _state(hass, "video_conversion_status") == "queued"

    immich.model.pause(THUMBNAILS)  # someone pauses the running queue in Immich's page
    await run_for(hass, freezer, immich, 90)

    # The videos got the slot and finished; the thumbnails kept the user's pause.
    assert _state(hass, "video_conversion_pending") == "0"
    assert immich.model.counts(THUMBNAILS).paused > 0
    assert paused_queues(immich) == {THUMBNAILS}
    assert _state(hass, "thumbnail_generation_status") == "held_in_immich"
    assert _state(hass, "video_conversion_status") == "idle"

    switch = f"{SWITCH_DOMAIN}.immich_127_0_0_1_thumbnail_generation_allowed"
    await call_switch(hass, SERVICE_TURN_OFF, switch)
    assert _state(hass, "thumbnail_generation_status") == "held"
    await call_switch(hass, SERVICE_TURN_ON, switch)
    assert not immich.model.counts(THUMBNAILS).is_paused
    assert _state(hass, "thumbnail_generation_status") == "running"
