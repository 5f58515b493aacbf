"""The event entity against the simulated Immich, its clock driven with Home Assistant's."""

from __future__ import annotations

from typing import Any

from freezegun.api import FrozenDateTimeFactory
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.immich_jobs.const import DOMAIN
from homeassistant.const import EVENT_STATE_CHANGED, Platform
from homeassistant.core import Event, HomeAssistant
from simulator.faults import Fault, another_controller
from simulator.server import SimulatedImmich

from .helpers import run_for, setup_one_slot
from .platform_snapshot import platform_snapshot_test

MAX_RUNNING = "number.immich_127_0_0_1_max_concurrent_queues"
THUMBNAILS = "thumbnailGeneration"
SMART_SEARCH = "smartSearch"
VIDEO = "videoConversion"


def _fired(changes: list[Event]) -> list[tuple[str, str, dict[str, Any]]]:
    """Return what the event entities fired: (the entity's name, event type, data), in order.

    The name is what the logbook and the entity's card show beside the event type's words.
    """
    fired = []
    for change in changes:
        state = change.data["new_state"]
        if not change.data["entity_id"].startswith("event.immich_") or state is None:
            continue
        attributes = dict(state.attributes)
        if (event_type := attributes.pop("event_type", None)) is None:
            continue
        name = attributes.pop("friendly_name")
        for key in ("event_types", "icon"):
            attributes.pop(key, None)
        fired.append((name, event_type, attributes))
    return fired


test_entities = platform_snapshot_test(
    Platform.EVENT,
    "An event entity per managed queue and one for the server, nothing fired yet.",
)


async def test_queues_empty_one_after_the_other_then_all_done(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Thumbnails (first in priority) empty, then smart search, then all work is done."""
    immich.model.enqueue(THUMBNAILS, 20, duration=5)
    immich.model.enqueue(SMART_SEARCH, 10, duration=5)
    await setup_one_slot(hass, config_entry)
    changes = async_capture_events(hass, EVENT_STATE_CHANGED)

    await run_for(hass, freezer, immich, 120)

    assert _fired(changes) == [
        (
            "Immich (127.0.0.1) Thumbnail generation events",
            "queue_emptied",
            {"queue": "thumbnailGeneration", "queue_name": "Thumbnail generation"},
        ),
        (
            "Immich (127.0.0.1) Smart search events",
            "queue_emptied",
            {"queue": "smartSearch", "queue_name": "Smart search"},
        ),
        (
            "Immich (127.0.0.1) Job events",
            "all_done",
            {"queues": ["smartSearch"], "queue_names": ["Smart search"]},
        ),
    ]
    # Nothing more while nothing changes.
    await run_for(hass, freezer, immich, 120, step=10)
    assert len(_fired(changes)) == 3


async def test_nothing_fires_at_set_up_or_reload(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The first look is the baseline: an idle server after a reload fires nothing."""
    changes = async_capture_events(hass, EVENT_STATE_CHANGED)
    await setup_one_slot(hass, config_entry)
    await run_for(hass, freezer, immich, 30, step=5)
    assert await hass.config_entries.async_reload(config_entry.entry_id)
    await run_for(hass, freezer, immich, 30, step=5)
    assert _fired(changes) == []


async def test_processing_held_and_resumed(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A five-minute pause fires 'held' with its end, then 'resumed' with the limit back."""
    freezer.move_to("2026-12-01T12:00:00+00:00")
    immich.model.enqueue(THUMBNAILS, 500, duration=10)
    await setup_one_slot(hass, config_entry)
    changes = async_capture_events(hass, EVENT_STATE_CHANGED)

    await hass.services.async_call(
        DOMAIN,
        "pause_processing",
        {"config_entry_id": config_entry.entry_id, "duration": {"minutes": 5}},
        blocking=True,
    )
    assert _fired(changes) == [
        (
            "Immich (127.0.0.1) Job events",
            "processing_held",
            {"until": "2026-12-01T12:05:00+00:00"},
        )
    ]

    await run_for(hass, freezer, immich, 310, step=10)
    assert _fired(changes)[1:] == [
        ("Immich (127.0.0.1) Job events", "processing_resumed", {"max_running": 1})
    ]


async def test_the_limit_set_to_0_and_back(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    config_entry: MockConfigEntry,
) -> None:
    """The number at 0 holds (no end); raised again, it resumes with the new limit."""
    await setup_one_slot(hass, config_entry)
    changes = async_capture_events(hass, EVENT_STATE_CHANGED)
    for value in (0, 2):
        await hass.services.async_call(
            "number",
            "set_value",
            {"entity_id": MAX_RUNNING, "value": value},
            blocking=True,
        )
    assert _fired(changes) == [
        ("Immich (127.0.0.1) Job events", "processing_held", {"until": None}),
        ("Immich (127.0.0.1) Job events", "processing_resumed", {"max_running": 2}),
    ]


async def test_another_controller_detected(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A rival that keeps resuming video conversion fires one event naming the queue."""
    immich.model.upload(videos=4)
    immich.model.upload(photos=300)
    await setup_one_slot(hass, config_entry)
    changes = async_capture_events(hass, EVENT_STATE_CHANGED)
    another_controller(
        immich.model, [VIDEO], paused=False, start=immich.model.now + 1, every=12,
        until=immich.model.now + 600,
    )  # fmt: skip
    await run_for(hass, freezer, immich, 120)
    rivals = [event for event in _fired(changes) if event[1] == "rival_detected"]
    assert rivals == [
        (
            "Immich (127.0.0.1) Video conversion events",
            "rival_detected",
            {"queue": "videoConversion", "queue_name": "Video conversion"},
        )
    ]


async def test_an_outage_fires_nothing_and_the_return_compares_with_before(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Thumbnails finish while Immich cannot be read: the first good read says so, once."""
    immich.model.enqueue(THUMBNAILS, 3, duration=2)
    await setup_one_slot(hass, config_entry)
    changes = async_capture_events(hass, EVENT_STATE_CHANGED)
    immich.faults.add(Fault(kind="status", status=503, scope="reads", count=None))
    await run_for(hass, freezer, immich, 60, step=5)
    assert _fired(changes) == []
    immich.faults.clear()
    await run_for(hass, freezer, immich, 30, step=5)
    assert _fired(changes) == [
        (
            "Immich (127.0.0.1) Thumbnail generation events",
            "queue_emptied",
            {"queue": "thumbnailGeneration", "queue_name": "Thumbnail generation"},
        ),
        (
            "Immich (127.0.0.1) Job events",
            "all_done",
            {
                "queues": ["thumbnailGeneration"],
                "queue_names": ["Thumbnail generation"],
            },
        ),
    ]
