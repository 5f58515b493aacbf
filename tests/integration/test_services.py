"""The integration's actions against the simulated Immich: effects and translated errors."""

from __future__ import annotations

from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.immich_jobs.const import CONF_MAX_RUNNING, DOMAIN
from custom_components.immich_jobs.engine.queues import DEFAULT_MANAGED
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er
from simulator.faults import Fault
from simulator.server import KEY_READ_ONLY, SimulatedImmich

from .helpers import (
    form_as_shown,
    paused_queues,
    run_for,
    setup_one_slot,
    submit_house_as_shown,
)

THUMBNAILS = "thumbnailGeneration"
SMART_SEARCH = "smartSearch"
MAX_RUNNING = "number.immich_127_0_0_1_max_concurrent_queues"
FAILED_SENSOR = "sensor.immich_127_0_0_1_thumbnail_generation_failed"


async def _call(hass: HomeAssistant, service: str, **data: object) -> None:
    await hass.services.async_call(DOMAIN, service, data, blocking=True)


@pytest.mark.parametrize(("mode", "force"), [("missing", False), ("all", True)])
async def test_start_queue(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    config_entry: MockConfigEntry,
    mode: str,
    force: bool,
) -> None:
    """Immich is asked to queue the job for missing or all assets; the queue gets work."""
    await setup_one_slot(hass, config_entry)
    with patch.object(immich.model, "start", wraps=immich.model.start) as start:
        await _call(
            hass,
            "start_queue",
            config_entry_id=config_entry.entry_id,
            queue=SMART_SEARCH,
            mode=mode,
        )
    start.assert_called_once_with(SMART_SEARCH, force=force)
    assert immich.count("PUT", f"/api/jobs/{SMART_SEARCH}") == 1
    # The refresh after the action shows the new work at once.
    assert hass.states.get("sensor.immich_127_0_0_1_smart_search_status").state in {
        "running",
        "queued",
    }


async def test_queue_from_the_drop_down_or_immich_name(
    hass: HomeAssistant, immich: SimulatedImmich, config_entry: MockConfigEntry
) -> None:
    """The drop-down's snake-case value and Immich's own camelCase name reach the same queue."""
    immich.model.inject_failed(SMART_SEARCH, 2)
    immich.model.inject_failed(THUMBNAILS, 3)
    await setup_one_slot(hass, config_entry)
    await _call(
        hass,
        "clear_failed",
        config_entry_id=config_entry.entry_id,
        queue="smart_search",
    )
    assert immich.model.counts(SMART_SEARCH).failed == 0
    assert immich.model.counts(THUMBNAILS).failed == 3
    await _call(
        hass, "clear_failed", config_entry_id=config_entry.entry_id, queue=THUMBNAILS
    )
    assert immich.model.counts(THUMBNAILS).failed == 0


async def test_start_queue_defaults_to_missing(
    hass: HomeAssistant, immich: SimulatedImmich, config_entry: MockConfigEntry
) -> None:
    """Without a mode, only missing assets are queued (Immich's "Missing")."""
    await setup_one_slot(hass, config_entry)
    with patch.object(immich.model, "start", wraps=immich.model.start) as start:
        await _call(
            hass,
            "start_queue",
            config_entry_id=config_entry.entry_id,
            queue=THUMBNAILS,
        )
    start.assert_called_once_with(THUMBNAILS, force=False)


async def test_start_queue_while_running_is_refused(
    hass: HomeAssistant, immich: SimulatedImmich, config_entry: MockConfigEntry
) -> None:
    """Immich's 400 "Job is already running" reaches the user in its own words."""
    immich.model.enqueue(THUMBNAILS, 10, duration=10)
    await setup_one_slot(hass, config_entry)

    with pytest.raises(HomeAssistantError) as err:
        await _call(
            hass,
            "start_queue",
            config_entry_id=config_entry.entry_id,
            queue=THUMBNAILS,
        )

    assert err.value.translation_key == "command_rejected"
    assert err.value.translation_placeholders == {"message": "Job is already running"}
    assert "Job is already running" in str(err.value)


@pytest.mark.parametrize("api_key", [KEY_READ_ONLY])
async def test_start_queue_without_permission(
    hass: HomeAssistant, immich: SimulatedImmich, config_entry: MockConfigEntry
) -> None:
    """A key without job.create: the user is told which permission to add."""
    await setup_one_slot(hass, config_entry)

    with pytest.raises(HomeAssistantError) as err:
        await _call(
            hass,
            "start_queue",
            config_entry_id=config_entry.entry_id,
            queue=THUMBNAILS,
        )

    assert err.value.translation_key == "missing_permission"
    assert err.value.translation_placeholders == {"permission": "job.create"}
    assert "job.create" in str(err.value)


async def test_unknown_queue(
    hass: HomeAssistant, immich: SimulatedImmich, config_entry: MockConfigEntry
) -> None:
    """A queue this server does not have: a validation error listing the real ones."""
    await setup_one_slot(hass, config_entry)

    with pytest.raises(ServiceValidationError) as err:
        await _call(
            hass,
            "clear_failed",
            config_entry_id=config_entry.entry_id,
            queue="thumbnails",
        )

    assert err.value.translation_key == "unknown_queue"
    assert err.value.translation_placeholders is not None
    assert err.value.translation_placeholders["queue"] == "thumbnails"
    # Listed in words, as the drop-down shows them.
    assert "Thumbnail generation" in err.value.translation_placeholders["queues"]
    assert "Video conversion" in err.value.translation_placeholders["queues"]
    assert "Immich has no queue named thumbnails" in str(err.value)
    assert immich.count("PUT", "/api/jobs/thumbnails") == 0


async def test_entry_not_found(
    hass: HomeAssistant, immich: SimulatedImmich, config_entry: MockConfigEntry
) -> None:
    """An id that is no Immich Jobs entry."""
    await setup_one_slot(hass, config_entry)
    other = MockConfigEntry(domain="demo")
    other.add_to_hass(hass)

    for entry_id in ("nonexistent", other.entry_id):
        with pytest.raises(ServiceValidationError) as err:
            await _call(hass, "pause_processing", config_entry_id=entry_id)
        assert err.value.translation_key == "entry_not_found"
        assert entry_id in str(err.value)


async def test_entry_not_loaded(
    hass: HomeAssistant, immich: SimulatedImmich, config_entry: MockConfigEntry
) -> None:
    """An entry that is set up but not loaded (Immich down at start)."""
    await setup_one_slot(hass, config_entry)
    assert await hass.config_entries.async_unload(config_entry.entry_id)
    assert config_entry.state is ConfigEntryState.NOT_LOADED

    with pytest.raises(ServiceValidationError) as err:
        await _call(
            hass,
            "start_queue",
            config_entry_id=config_entry.entry_id,
            queue=THUMBNAILS,
        )

    assert err.value.translation_key == "entry_not_loaded"
    assert config_entry.title in str(err.value)


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_clear_failed(
    hass: HomeAssistant, immich: SimulatedImmich, config_entry: MockConfigEntry
) -> None:
    """Failed jobs are removed and the failed sensor shows it at once."""
    immich.model.inject_failed(THUMBNAILS, 4)
    await setup_one_slot(hass, config_entry)
    assert hass.states.get(FAILED_SENSOR).state == "4"

    await _call(
        hass, "clear_failed", config_entry_id=config_entry.entry_id, queue=THUMBNAILS
    )

    assert immich.model.counts(THUMBNAILS).failed == 0
    assert hass.states.get(FAILED_SENSOR).state == "0"


async def test_clear_failed_unreachable(
    hass: HomeAssistant, immich: SimulatedImmich, config_entry: MockConfigEntry
) -> None:
    """A proxy answers instead of Immich: translated error, nothing cleared."""
    immich.model.inject_failed(THUMBNAILS, 4)
    await setup_one_slot(hass, config_entry)
    immich.faults.add(Fault(kind="html", status=502, scope="commands"))

    with pytest.raises(HomeAssistantError) as err:
        await _call(
            hass,
            "clear_failed",
            config_entry_id=config_entry.entry_id,
            queue=THUMBNAILS,
        )

    assert err.value.translation_key == "invalid_response"
    assert "reverse proxy" in str(err.value)
    assert immich.model.counts(THUMBNAILS).failed == 4


async def _pause_for_five_minutes(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Call pause_processing as a user would, for five minutes."""
    await _call(
        hass,
        "pause_processing",
        config_entry_id=entry.entry_id,
        duration={"minutes": 5},
    )


async def test_pause_processing_for_a_duration(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Everything is held for the duration, then the previous limit comes back by itself."""
    immich.model.enqueue(THUMBNAILS, 200, duration=10)
    immich.model.enqueue(SMART_SEARCH, 50, duration=10)
    await setup_one_slot(hass, config_entry)
    assert THUMBNAILS not in paused_queues(immich)

    await _pause_for_five_minutes(hass, config_entry)

    assert paused_queues(immich) == set(DEFAULT_MANAGED)
    assert hass.states.get(MAX_RUNNING).state == "0"

    await run_for(hass, freezer, immich, 290)
    assert paused_queues(immich) == set(DEFAULT_MANAGED)
    assert hass.states.get(MAX_RUNNING).state == "0"

    await run_for(hass, freezer, immich, 15)
    assert hass.states.get(MAX_RUNNING).state == "1"
    assert config_entry.runtime_data.max_running == 1
    assert THUMBNAILS not in paused_queues(immich)
    assert SMART_SEARCH in paused_queues(immich)


async def _limit_in_options(
    hass: HomeAssistant, entry: MockConfigEntry, limit: int
) -> None:
    """Save the options form with this limit and everything else as it stands."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    rules = {**result["data_schema"]({}), CONF_MAX_RUNNING: limit}
    result = await hass.config_entries.options.async_configure(result["flow_id"], rules)
    ranks = result["data_schema"]({})
    result = await hass.config_entries.options.async_configure(result["flow_id"], ranks)
    await submit_house_as_shown(hass, result)
    await hass.async_block_till_done()


@pytest.mark.parametrize("how", ["number", "options"])
async def test_limit_set_during_a_timed_pause_is_kept(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    how: str,
) -> None:
    """A limit the user sets during a timed pause ends it: the old limit does not come back."""
    immich.model.enqueue(THUMBNAILS, 200, duration=10)
    immich.model.enqueue(SMART_SEARCH, 50, duration=10)
    await setup_one_slot(hass, config_entry)
    await _pause_for_five_minutes(hass, config_entry)
    await run_for(hass, freezer, immich, 60)

    if how == "number":
        await hass.services.async_call(
            "number",
            "set_value",
            {"entity_id": MAX_RUNNING, "value": 2},
            blocking=True,
        )
    else:
        await _limit_in_options(hass, config_entry, 2)
    await run_for(hass, freezer, immich, 10)
    assert not {THUMBNAILS, SMART_SEARCH} & paused_queues(immich)

    # Past the pause's end (5 minutes after it began): the old limit (1) stays away.
    await run_for(hass, freezer, immich, 300)
    assert config_entry.runtime_data.max_running == 2
    assert hass.states.get(MAX_RUNNING).state == "2"
    assert config_entry.runtime_data.intents.hold_until is None


async def test_limit_changed_behind_a_timed_pause_is_kept(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """An entry of version 1.1 (the limit in its options) migrated during a timed pause.

    The migration moves the limit to the Store; a value other than the pause's 0 is the
    user's choice, not overwritten when the pause ends.
    """
    immich.model.enqueue(THUMBNAILS, 200, duration=10)
    await setup_one_slot(hass, config_entry)
    await _pause_for_five_minutes(hass, config_entry)
    assert await hass.config_entries.async_unload(config_entry.entry_id)
    hass.config_entries.async_update_entry(
        config_entry,
        options={**config_entry.options, CONF_MAX_RUNNING: 3},
        minor_version=1,
    )
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert CONF_MAX_RUNNING not in config_entry.options
    await run_for(hass, freezer, immich, 305)
    assert config_entry.runtime_data.max_running == 3
    assert config_entry.runtime_data.intents.hold_until is None


async def test_options_saved_during_a_timed_pause_keep_it(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Saving the options without touching the limit leaves the pause and its end as set."""
    immich.model.enqueue(THUMBNAILS, 200, duration=10)
    await setup_one_slot(hass, config_entry)
    await _pause_for_five_minutes(hass, config_entry)
    await _limit_in_options(hass, config_entry, 0)
    await run_for(hass, freezer, immich, 290)
    assert config_entry.runtime_data.max_running == 0

    await run_for(hass, freezer, immich, 15)
    assert config_entry.runtime_data.max_running == 1
    assert THUMBNAILS not in paused_queues(immich)


async def test_pause_processing_until_raised(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Without a duration the hold lasts until the limit is raised again."""
    immich.model.enqueue(THUMBNAILS, 200, duration=10)
    await setup_one_slot(hass, config_entry)

    await _call(hass, "pause_processing", config_entry_id=config_entry.entry_id)
    await run_for(hass, freezer, immich, 120)

    assert paused_queues(immich) == set(DEFAULT_MANAGED)
    assert hass.states.get(MAX_RUNNING).state == "0"
    assert config_entry.runtime_data.intents.hold_until is None


async def test_pause_processing_refused_changes_nothing(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Immich refuses the pauses: translated error, limit and timer as before."""
    immich.model.enqueue(THUMBNAILS, 200, duration=10)
    await setup_one_slot(hass, config_entry)
    immich.faults.add(Fault(kind="html", status=502, scope="commands", count=None))

    with pytest.raises(HomeAssistantError) as err:
        await _call(
            hass,
            "pause_processing",
            config_entry_id=config_entry.entry_id,
            duration={"minutes": 5},
        )

    assert err.value.translation_domain == DOMAIN
    assert config_entry.runtime_data.max_running == 1
    intents = config_entry.runtime_data.intents
    assert intents.hold_until is None
    assert intents.restore_max_running is None
    assert THUMBNAILS not in paused_queues(immich)


@pytest.mark.parametrize(
    ("fault", "key"),
    [
        (Fault(kind="status", status=401, body="Invalid API key"), "invalid_auth"),
        (Fault(kind="status", status=403, body="Forbidden"), "not_admin"),
        (Fault(kind="drop"), "cannot_connect"),
        (None, "maintenance_mode"),
    ],
)
async def test_start_queue_errors_are_translated(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    config_entry: MockConfigEntry,
    fault: Fault | None,
    key: str,
) -> None:
    """Each way Immich can fail a command has its own message."""
    await setup_one_slot(hass, config_entry)
    if fault is None:
        immich.set_maintenance(True)
    else:
        fault.scope = "commands"
        immich.faults.add(fault)

    with pytest.raises(HomeAssistantError) as err:
        await _call(
            hass,
            "start_queue",
            config_entry_id=config_entry.entry_id,
            queue=SMART_SEARCH,
        )

    assert err.value.translation_domain == DOMAIN
    assert err.value.translation_key == key
    assert str(err.value) != key


async def _dashboard(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, Any]:
    response = await hass.services.async_call(
        DOMAIN,
        "get_dashboard",
        {"config_entry_id": entry.entry_id},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    return dict(response)


def _wide_queue_names(queues_section: dict[str, Any]) -> list[str]:
    """Return the queues' names as a desktop shows them, top to bottom."""
    return [
        card["name"]
        for card in queues_section["cards"]
        if card["type"] == "tile"
        and card["entity"].endswith("_status")
        and card["visibility"][0]["media_query"] == "(min-width: 768px)"
    ]


async def test_get_dashboard(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """The response is a dashboard of this server: its entity ids, queues in priority order."""
    await setup_one_slot(
        hass,
        config_entry,
        managed_queues=[THUMBNAILS, SMART_SEARCH, "videoConversion"],
        priority=["videoConversion", THUMBNAILS, SMART_SEARCH],
    )
    # A user renamed one entity: the dashboard follows the registry.
    entity_registry.async_update_entity(
        "switch.immich_127_0_0_1_video_conversion_allowed",
        new_entity_id="switch.videos_allowed",
    )
    response = await _dashboard(hass, config_entry)
    assert response["title"] == "Immich (127.0.0.1)"
    view = response["views"][0]
    # Sections: the queues across both columns, the scheduler and the switches side by side
    # below them (stacked on a phone, queues first).
    assert view["type"] == "sections"
    assert view["max_columns"] == 2
    queues, scheduler, allowed = view["sections"]
    assert queues["column_span"] == 2
    assert "column_span" not in scheduler
    assert "column_span" not in allowed
    server_rows = scheduler["cards"][1]["entities"]
    assert [row.get("entity") or row["row"]["entity"] for row in server_rows] == [
        "switch.immich_127_0_0_1_automatic_scheduling",
        "number.immich_127_0_0_1_max_concurrent_queues",
        "sensor.immich_127_0_0_1_processing_paused_until",
        "sensor.immich_127_0_0_1_pending_jobs",
        "sensor.immich_127_0_0_1_running_queues",
        "sensor.immich_127_0_0_1_time_until_idle",
        "event.immich_127_0_0_1_job_events",
    ]
    # "Processing paused until" only while a pause runs (the sensor is unknown otherwise).
    assert server_rows[2] == {
        "type": "conditional",
        "conditions": [
            {
                "entity": "sensor.immich_127_0_0_1_processing_paused_until",
                "state_not": "unknown",
            },
            {
                "entity": "sensor.immich_127_0_0_1_processing_paused_until",
                "state_not": "unavailable",
            },
        ],
        "row": {
            "entity": "sensor.immich_127_0_0_1_processing_paused_until",
            "name": "Processing paused until",
        },
    }
    # The switches by queue name, in priority order, and the run now buttons.
    switches = allowed["cards"][1]["entities"]
    assert [row.get("name") for row in switches[:3]] == [
        "Video conversion",
        "Thumbnail generation",
        "Smart search",
    ]
    assert switches[0]["entity"] == "switch.videos_allowed"
    assert switches[3] == {"type": "section", "label": "Run now"}
    assert [b["entity"] for b in switches[4]["entities"]] == [
        "button.immich_127_0_0_1_video_conversion_run_now",
        "button.immich_127_0_0_1_thumbnail_generation_run_now",
        "button.immich_127_0_0_1_smart_search_run_now",
    ]
    assert _wide_queue_names(queues) == [
        "Video conversion",
        "Thumbnail generation",
        "Smart search",
    ]
    # One row per queue on a desktop: status, reason and the end of a time-bounded hold (half
    # of the section's 24 grid columns), pending, time left (a quarter each); the time left
    # only while the queue runs.
    wide = {"condition": "screen", "media_query": "(min-width: 768px)"}
    status = "sensor.immich_127_0_0_1_video_conversion_status"
    assert queues["cards"][1:4] == [
        {
            "type": "tile",
            "entity": status,
            "name": "Video conversion",
            "state_content": ["state", "reason", "held_until"],
            "grid_options": {"columns": 12},
            "visibility": [wide],
        },
        {
            "type": "tile",
            "entity": "sensor.immich_127_0_0_1_video_conversion_pending",
            "name": "Pending",
            "grid_options": {"columns": 6},
            "visibility": [wide],
        },
        {
            "type": "tile",
            "entity": "sensor.immich_127_0_0_1_video_conversion_time_left",
            "name": "Time left",
            "grid_options": {"columns": 6},
            "visibility": [
                wide,
                {"condition": "state", "entity": status, "state": "running"},
            ],
        },
    ]
    # On a phone the status takes the whole width with its reason alone (the icon shows the
    # state), its numbers the line below while it has work (pending) and runs (time left).
    narrow = {"condition": "screen", "media_query": "(max-width: 767px)"}
    assert queues["cards"][4]["state_content"] == ["reason"]
    assert [
        (card["grid_options"]["columns"], card["visibility"])
        for card in queues["cards"][4:7]
    ] == [
        ("full", [narrow]),
        (
            6,
            [
                narrow,
                {
                    "condition": "state",
                    "entity": "sensor.immich_127_0_0_1_video_conversion_pending",
                    "state_not": "0",
                },
            ],
        ),
        (
            6,
            [narrow, {"condition": "state", "entity": status, "state": "running"}],
        ),
    ]
    assert scheduler["cards"][-1]["type"] == "history-graph"


async def test_get_dashboard_follows_a_new_priority(
    hass: HomeAssistant, immich: SimulatedImmich, config_entry: MockConfigEntry
) -> None:
    """After Smart search is moved to 1st in the options, the queues follow that order."""
    await setup_one_slot(
        hass,
        config_entry,
        managed_queues=[THUMBNAILS, SMART_SEARCH, "videoConversion"],
        priority=["videoConversion", THUMBNAILS, SMART_SEARCH],
    )
    result = await hass.config_entries.options.async_init(config_entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], form_as_shown(result)
    )
    assert result["step_id"] == "priority"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**form_as_shown(result), "priority_1": SMART_SEARCH}
    )
    await submit_house_as_shown(hass, result)
    await hass.async_block_till_done(wait_background_tasks=True)
    queues = (await _dashboard(hass, config_entry))["views"][0]["sections"][0]
    assert _wide_queue_names(queues) == [
        "Smart search",
        "Video conversion",
        "Thumbnail generation",
    ]
