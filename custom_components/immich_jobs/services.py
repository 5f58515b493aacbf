"""Actions: start a queue run, pause or resume processing, cancel run now, clear failed jobs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
)
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv, entity_registry as er

from .compat import vol
from .const import DOMAIN
from .coordinator import ImmichJobsConfigEntry, ImmichJobsCoordinator
from .engine.intents import Intents
from .engine.queues import is_manageable, queue_display_name, queue_from_option
from .helpers import translated_error
from .immich import ImmichError
from .runtime.dashboard import Entities, dashboard

ATTR_CONFIG_ENTRY_ID = "config_entry_id"
ATTR_QUEUE = "queue"
ATTR_MODE = "mode"
ATTR_DURATION = "duration"

MODE_MISSING = "missing"
MODE_ALL = "all"

SERVICE_START_QUEUE = "start_queue"
SERVICE_PAUSE_PROCESSING = "pause_processing"
SERVICE_RESUME_PROCESSING = "resume_processing"
SERVICE_CANCEL_RUN_NOW = "cancel_run_now"
SERVICE_CLEAR_FAILED = "clear_failed"
SERVICE_GET_DASHBOARD = "get_dashboard"

QUEUE_SCHEMA = vol.Schema(
    {
        vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
        vol.Required(ATTR_QUEUE): cv.string,
    }
)
START_SCHEMA = QUEUE_SCHEMA.extend(
    {vol.Optional(ATTR_MODE, default=MODE_MISSING): vol.In([MODE_MISSING, MODE_ALL])}
)
ENTRY_SCHEMA = vol.Schema({vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string})
CANCEL_SCHEMA = ENTRY_SCHEMA.extend({vol.Optional(ATTR_QUEUE): cv.string})
PAUSE_SCHEMA = vol.Schema(
    {
        vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
        vol.Optional(ATTR_DURATION): vol.All(
            cv.time_period, cv.positive_timedelta, vol.Range(min=timedelta(seconds=1))
        ),
    }
)


def _entry_id(hass: HomeAssistant, call: ServiceCall) -> str:
    """Return the server an action names; with none named, the only one set up."""
    if ATTR_CONFIG_ENTRY_ID in call.data:
        return str(call.data[ATTR_CONFIG_ENTRY_ID])
    entries = hass.config_entries.async_entries(DOMAIN)
    if len(entries) == 1:
        return entries[0].entry_id
    if not entries:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="no_server"
        )
    raise ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key="choose_server",
        translation_placeholders={
            "servers": ", ".join(sorted(entry.title for entry in entries))
        },
    )


def _coordinator(hass: HomeAssistant, call: ServiceCall) -> ImmichJobsCoordinator:
    """Find the loaded entry an action names (or the only one), or say why not."""
    entry_id = _entry_id(hass, call)
    entry: ImmichJobsConfigEntry | None = hass.config_entries.async_get_entry(entry_id)
    if entry is None or entry.domain != DOMAIN:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="entry_not_found",
            translation_placeholders={"entry_id": entry_id},
        )
    if entry.state is not ConfigEntryState.LOADED:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="entry_not_loaded",
            translation_placeholders={"title": entry.title},
        )
    return entry.runtime_data


def _queue(coordinator: ImmichJobsCoordinator, call: ServiceCall) -> str:
    """Return Immich's name of the queue asked for, checked against that server's queues.

    The drop-down gives snake case (`thumbnail_generation`); YAML written for Immich's own
    names (`thumbnailGeneration`) keeps working. Immich's own queues (a database backup) are
    never touched: the errors list only the queues an action may name, in words.
    """
    asked: str = call.data[ATTR_QUEUE]
    present = coordinator.data.queues if coordinator.data else {}
    for queue in (asked, queue_from_option(asked)):
        if queue in present and not is_manageable(queue):
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="internal_queue",
                translation_placeholders={"queue": queue_display_name(queue)},
            )
        if queue in present:
            return queue
    raise ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key="unknown_queue",
        translation_placeholders={
            "queue": asked,
            "queues": ", ".join(
                queue_display_name(name)
                for name in sorted(present, key=queue_display_name)
                if is_manageable(name)
            ),
        },
    )


async def _async_send(
    coordinator: ImmichJobsCoordinator, command: Callable[[], Awaitable[object]]
) -> None:
    """Send one command between two cycles; say why if Immich refuses; show the result."""
    try:
        await coordinator.async_command(command)
    except ImmichError as err:
        raise translated_error(err) from err
    await coordinator.async_request_refresh()


async def _async_start_queue(call: ServiceCall) -> None:
    """Ask Immich to queue work for assets (missing only, or all)."""
    coordinator = _coordinator(call.hass, call)
    queue = _queue(coordinator, call)
    force = call.data[ATTR_MODE] == MODE_ALL
    await _async_send(
        coordinator, lambda: coordinator.client.async_start(queue, force=force)
    )


async def _async_clear_failed(call: ServiceCall) -> None:
    """Remove a queue's failed jobs."""
    coordinator = _coordinator(call.hass, call)
    queue = _queue(coordinator, call)
    await _async_send(coordinator, lambda: coordinator.client.async_clear_failed(queue))


async def _async_pause_processing(call: ServiceCall) -> None:
    """Hold every managed queue, for a while or until the limit is raised again."""
    coordinator = _coordinator(call.hass, call)
    try:
        await coordinator.async_pause_processing(call.data.get(ATTR_DURATION))
    except ImmichError as err:
        raise translated_error(err) from err


async def _async_change(
    coordinator: ImmichJobsCoordinator,
    change: Callable[[Intents], Intents],
    queue: str | None = None,
) -> None:
    """Apply a change of the user's intents now; say why if Immich refuses its commands."""
    try:
        await coordinator.async_change(change, queue)
    except ImmichError as err:
        raise translated_error(err) from err


async def _async_resume_processing(call: ServiceCall) -> None:
    """End a pause made by pause_processing now: the limit from before comes back."""
    await _async_change(
        _coordinator(call.hass, call), lambda intents: intents.end_pause()
    )


async def _async_cancel_run_now(call: ServiceCall) -> None:
    """Hand a queue run now (or every one) back to the scheduler before it is empty."""
    coordinator = _coordinator(call.hass, call)
    queue = _queue(coordinator, call) if ATTR_QUEUE in call.data else None
    await _async_change(coordinator, lambda intents: intents.cancel_run(queue), queue)


async def _async_get_dashboard(call: ServiceCall) -> ServiceResponse:
    """Return the server's dashboard, built from the entity ids it has now (renamed ones too)."""
    coordinator = _coordinator(call.hass, call)
    entry = coordinator.config_entry
    registry = er.async_get(call.hass)
    entities = Entities.from_registry(
        (
            {
                "entity_id": entity.entity_id,
                "unique_id": entity.unique_id,
                "translation_key": entity.translation_key,
                "disabled_by": entity.disabled_by,
            }
            for entity in er.async_entries_for_config_entry(registry, entry.entry_id)
        ),
        order=list(coordinator.data.managed),
    )
    return dashboard(entities, title=entry.title)


def async_setup_services(hass: HomeAssistant) -> None:
    """Register the integration's actions."""
    hass.services.async_register(
        DOMAIN, SERVICE_START_QUEUE, _async_start_queue, START_SCHEMA
    )
    hass.services.async_register(
        DOMAIN, SERVICE_CLEAR_FAILED, _async_clear_failed, QUEUE_SCHEMA
    )
    hass.services.async_register(
        DOMAIN, SERVICE_PAUSE_PROCESSING, _async_pause_processing, PAUSE_SCHEMA
    )
    hass.services.async_register(
        DOMAIN, SERVICE_RESUME_PROCESSING, _async_resume_processing, ENTRY_SCHEMA
    )
    hass.services.async_register(
        DOMAIN, SERVICE_CANCEL_RUN_NOW, _async_cancel_run_now, CANCEL_SCHEMA
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_GET_DASHBOARD,
        _async_get_dashboard,
        ENTRY_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )
