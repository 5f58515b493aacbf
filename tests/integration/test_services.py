"""The integration's actions against the simulated Immich: effects and translated errors."""

from __future__ import annotations

from typing import Any
from unittest.mock import patch

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.immich_jobs.const import CONF_MAX_RUNNING, DOMAIN
from custom_components.immich_jobs.engine.queues import DEFAULT_MANAGED
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er
from simulator.faults import Fault
from simulator.server import KEY_READ_ONLY

from .helpers import form_as_shown, submit_house_as_shown
from .setups import Home, home_fixture  # noqa: F401

THUMBNAILS = "thumbnailGeneration"
SMART_SEARCH = "smartSearch"
MAX_RUNNING = "number.immich_127_0_0_1_max_concurrent_queues"
PAUSED_UNTIL = "sensor.immich_127_0_0_1_processing_paused_until"
FAILED_SENSOR = "sensor.immich_127_0_0_1_thumbnail_generation_failed"
FIVE_MINUTES = {"minutes": 5}


@pytest.fixture
async def ready(home: Home) -> Home:
    """Return the home set up with one slot, Immich idle."""
    await home.set_up_one_slot()
    return home


@pytest.fixture
async def timed_pause(home: Home) -> Home:
    """Return the home a minute into a five-minute pause, with work for two queues.

    Thumbnails come first; with the limit of one back, smart search waits behind them.
    """
    home.immich.model.enqueue(THUMBNAILS, 200, duration=10)
    home.immich.model.enqueue(SMART_SEARCH, 50, duration=10)
    await home.set_up_one_slot()
    assert THUMBNAILS not in home.paused()
    await home.act("pause_processing", duration=FIVE_MINUTES)
    assert home.paused() == set(DEFAULT_MANAGED)
    await home.run_for(60)
    return home


async def _refused(home: Home, service: str, **data: object) -> HomeAssistantError:
    """Call an action that must fail; return the error the user is shown."""
    with pytest.raises(HomeAssistantError) as err:
        await home.act(service, **data)
    return err.value


@pytest.mark.parametrize(("mode", "force"), [("missing", False), ("all", True)])
async def test_start_queue(ready: Home, mode: str, force: bool) -> None:
    """Immich is asked to queue the job for missing or all assets; the queue gets work."""
    immich = ready.immich
    with patch.object(immich.model, "start", wraps=immich.model.start) as start:
        await ready.act("start_queue", queue=SMART_SEARCH, mode=mode)
    start.assert_called_once_with(SMART_SEARCH, force=force)
    assert immich.count("PUT", f"/api/jobs/{SMART_SEARCH}") == 1
    # The refresh after the action shows the new work at once.
    assert ready.state("sensor.immich_127_0_0_1_smart_search_status").state in {
        "running",
        "queued",
    }


async def test_queue_from_the_drop_down_or_immich_name(home: Home) -> None:
    """The drop-down's snake-case value and Immich's own camelCase name reach the same queue."""
    home.immich.model.inject_failed(SMART_SEARCH, 2)
    home.immich.model.inject_failed(THUMBNAILS, 3)
    await home.set_up_one_slot()
    await home.act("clear_failed", queue="smart_search")
    assert home.counts(SMART_SEARCH).failed == 0
    assert home.counts(THUMBNAILS).failed == 3
    await home.act("clear_failed", queue=THUMBNAILS)
    assert home.counts(THUMBNAILS).failed == 0


async def test_start_queue_defaults_to_missing(ready: Home) -> None:
    """Without a mode, only missing assets are queued (Immich's "Missing")."""
    immich = ready.immich
    with patch.object(immich.model, "start", wraps=immich.model.start) as start:
        await ready.act("start_queue", queue=THUMBNAILS)
    start.assert_called_once_with(THUMBNAILS, force=False)


async def test_start_queue_while_running_is_refused(home: Home) -> None:
    """Immich's 400 "Job is already running" reaches the user in its own words."""
    home.immich.model.enqueue(THUMBNAILS, 10, duration=10)
    await home.set_up_one_slot()

    err = await _refused(home, "start_queue", queue=THUMBNAILS)

    assert err.translation_key == "command_rejected"
    assert err.translation_placeholders == {"message": "Job is already running"}
    assert "Job is already running" in str(err)


@pytest.mark.parametrize("api_key", [KEY_READ_ONLY])
async def test_start_queue_without_permission(ready: Home) -> None:
    """A key without job.create: the user is told which permission to add."""
    err = await _refused(ready, "start_queue", queue=THUMBNAILS)

    assert err.translation_key == "missing_permission"
    assert err.translation_placeholders == {"permission": "job.create"}
    assert "job.create" in str(err)


async def test_unknown_queue(ready: Home) -> None:
    """A queue this server does not have: a validation error listing the real ones."""
    err = await _refused(ready, "clear_failed", queue="thumbnails")

    assert isinstance(err, ServiceValidationError)
    assert err.translation_key == "unknown_queue"
    assert err.translation_placeholders is not None
    assert err.translation_placeholders["queue"] == "thumbnails"
    # Listed in words, as the drop-down shows them.
    assert "Thumbnail generation" in err.translation_placeholders["queues"]
    assert "Video conversion" in err.translation_placeholders["queues"]
    assert "Immich has no queue named thumbnails" in str(err)
    assert ready.immich.count("PUT", "/api/jobs/thumbnails") == 0


async def test_entry_not_found(ready: Home) -> None:
    """An id that is no Immich Jobs entry."""
    other = MockConfigEntry(domain="demo")
    other.add_to_hass(ready.hass)

    for entry_id in ("nonexistent", other.entry_id):
        with pytest.raises(ServiceValidationError) as err:
            await ready.hass.services.async_call(
                DOMAIN, "pause_processing", {"config_entry_id": entry_id}, blocking=True
            )
        assert err.value.translation_key == "entry_not_found"
        assert entry_id in str(err.value)


async def test_entry_not_loaded(ready: Home) -> None:
    """An entry that is set up but not loaded (Immich down at start)."""
    entry = ready.entry
    assert await ready.hass.config_entries.async_unload(entry.entry_id)
    assert entry.state is ConfigEntryState.NOT_LOADED

    err = await _refused(ready, "start_queue", queue=THUMBNAILS)

    assert isinstance(err, ServiceValidationError)
    assert err.translation_key == "entry_not_loaded"
    assert entry.title in str(err)


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_clear_failed(home: Home) -> None:
    """Failed jobs are removed and the failed sensor shows it at once."""
    home.immich.model.inject_failed(THUMBNAILS, 4)
    await home.set_up_one_slot()
    assert home.state(FAILED_SENSOR).state == "4"

    await home.act("clear_failed", queue=THUMBNAILS)

    assert home.counts(THUMBNAILS).failed == 0
    assert home.state(FAILED_SENSOR).state == "0"


async def test_clear_failed_unreachable(home: Home) -> None:
    """A proxy answers instead of Immich: translated error, nothing cleared."""
    home.immich.model.inject_failed(THUMBNAILS, 4)
    await home.set_up_one_slot()
    home.immich.faults.add(Fault(kind="html", status=502, scope="commands"))

    err = await _refused(home, "clear_failed", queue=THUMBNAILS)

    assert err.translation_key == "invalid_response"
    assert "reverse proxy" in str(err)
    assert home.counts(THUMBNAILS).failed == 4


async def test_pause_processing_for_a_duration(timed_pause: Home) -> None:
    """Everything is held for the duration, then the previous limit comes back by itself."""
    home = timed_pause
    assert home.state(MAX_RUNNING).state == "0"

    await home.run_for(230)
    assert home.paused() == set(DEFAULT_MANAGED)
    assert home.state(MAX_RUNNING).state == "0"

    await home.run_for(15)
    assert home.state(MAX_RUNNING).state == "1"
    assert home.state(PAUSED_UNTIL).state == "unknown"
    assert THUMBNAILS not in home.paused()
    assert SMART_SEARCH in home.paused()


async def _limit_in_options(home: Home, limit: int) -> None:
    """Save the options form with this limit and everything else as it stands."""
    flow = home.hass.config_entries.options
    result = await flow.async_init(home.entry.entry_id)
    rules = {**result["data_schema"]({}), CONF_MAX_RUNNING: limit}
    result = await flow.async_configure(result["flow_id"], rules)
    ranks = result["data_schema"]({})
    result = await flow.async_configure(result["flow_id"], ranks)
    await submit_house_as_shown(home.hass, result)
    await home.hass.async_block_till_done()


@pytest.mark.parametrize("how", ["number", "options"])
async def test_limit_set_during_a_timed_pause_is_kept(
    timed_pause: Home, how: str
) -> None:
    """A limit the user sets during a timed pause ends it: the old limit does not come back."""
    home = timed_pause
    if how == "number":
        await home.call("number", "set_value", MAX_RUNNING, value=2)
    else:
        await _limit_in_options(home, 2)
    await home.run_for(10)
    assert not {THUMBNAILS, SMART_SEARCH} & home.paused()

    # Past the pause's end (5 minutes after it began): the old limit (1) stays away.
    await home.run_for(300)
    assert home.state(MAX_RUNNING).state == "2"
    assert home.state(PAUSED_UNTIL).state == "unknown"


async def test_limit_changed_behind_a_timed_pause_is_kept(timed_pause: Home) -> None:
    """An entry of version 1.1 (the limit in its options) migrated during a timed pause.

    The migration moves the limit to the Store; a value other than the pause's 0 is the
    user's choice, not overwritten when the pause ends.
    """
    hass, entry = timed_pause.hass, timed_pause.entry
    assert await hass.config_entries.async_unload(entry.entry_id)
    hass.config_entries.async_update_entry(
        entry, options={**entry.options, CONF_MAX_RUNNING: 3}, minor_version=1
    )
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert CONF_MAX_RUNNING not in entry.options
    await timed_pause.run_for(245)
    assert timed_pause.state(MAX_RUNNING).state == "3"
    assert timed_pause.state(PAUSED_UNTIL).state == "unknown"


async def test_options_saved_during_a_timed_pause_keep_it(timed_pause: Home) -> None:
    """Saving the options without touching the limit leaves the pause and its end as set."""
    await _limit_in_options(timed_pause, 0)
    await timed_pause.run_for(230)
    assert timed_pause.state(MAX_RUNNING).state == "0"

    await timed_pause.run_for(15)
    assert timed_pause.state(MAX_RUNNING).state == "1"
    assert THUMBNAILS not in timed_pause.paused()


async def test_pause_processing_until_raised(home: Home) -> None:
    """Without a duration the hold lasts until the limit is raised again."""
    home.immich.model.enqueue(THUMBNAILS, 200, duration=10)
    await home.set_up_one_slot()

    await home.act("pause_processing")
    await home.run_for(120)

    assert home.paused() == set(DEFAULT_MANAGED)
    assert home.state(MAX_RUNNING).state == "0"
    assert home.state(PAUSED_UNTIL).state == "unknown"


async def test_pause_processing_refused_changes_nothing(home: Home) -> None:
    """Immich refuses the pauses: translated error, limit and timer as before."""
    home.immich.model.enqueue(THUMBNAILS, 200, duration=10)
    await home.set_up_one_slot()
    home.immich.faults.add(Fault(kind="html", status=502, scope="commands", count=None))

    err = await _refused(home, "pause_processing", duration=FIVE_MINUTES)

    assert err.translation_domain == DOMAIN
    assert home.state(MAX_RUNNING).state == "1"
    assert home.state(PAUSED_UNTIL).state == "unknown"
    assert THUMBNAILS not in home.paused()
    # No pause is left to end: five minutes on, the limit is still the user's.
    await home.run_for(310, step=10)
    assert home.state(MAX_RUNNING).state == "1"


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
    ready: Home, fault: Fault | None, key: str
) -> None:
    """Each way Immich can fail a command has its own message."""
    if fault is None:
        ready.immich.set_maintenance(True)
    else:
        fault.scope = "commands"
        ready.immich.faults.add(fault)

    err = await _refused(ready, "start_queue", queue=SMART_SEARCH)

    assert err.translation_domain == DOMAIN
    assert err.translation_key == key
    assert str(err) != key


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


@pytest.fixture
async def three_queues(home: Home) -> Home:
    """Return the home set up managing three queues, video conversion first."""
    await home.set_up_one_slot(
        managed_queues=[THUMBNAILS, SMART_SEARCH, "videoConversion"],
        priority=["videoConversion", THUMBNAILS, SMART_SEARCH],
    )
    return home


async def test_get_dashboard(
    three_queues: Home, entity_registry: er.EntityRegistry
) -> None:
    """The response is a dashboard of this server: its entity ids, queues in priority order."""
    hass, config_entry = three_queues.hass, three_queues.entry
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


async def test_get_dashboard_follows_a_new_priority(three_queues: Home) -> None:
    """After Smart search is moved to 1st in the options, the queues follow that order."""
    hass, config_entry = three_queues.hass, three_queues.entry
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
