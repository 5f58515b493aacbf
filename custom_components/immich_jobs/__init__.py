"""Immich Jobs: schedule Immich's background job queues by priority."""

from __future__ import annotations

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryNotReady
from homeassistant.helpers import (
    config_validation as cv,
    entity_registry as er,
    issue_registry as ir,
)
from homeassistant.helpers.translation import async_get_translations
from homeassistant.helpers.typing import ConfigType

from .const import CONF_MAX_RUNNING, DOMAIN
from .coordinator import (
    ImmichJobsConfigEntry,
    ImmichJobsCoordinator,
    async_mark_outage,
    async_release_queues,
)
from .engine.queues import queue_from_option
from .entity import queue_of_unique_id
from .runtime.client import client_for_entry
from .runtime.issues import async_delete_entry_issues, left_paused_issue_id
from .runtime.store import async_keep_limit, async_load, entry_store
from .services import async_setup_services

PLATFORMS: list[Platform] = [
    Platform.BUTTON,
    Platform.EVENT,
    Platform.NUMBER,
    Platform.SENSOR,
    Platform.SWITCH,
]

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions once, whatever the number of servers."""
    async_setup_services(hass)
    return True


async def async_migrate_entry(
    hass: HomeAssistant, entry: ImmichJobsConfigEntry
) -> bool:
    """Move the limit out of the options (1.1 kept it there) into the Store, once."""
    if entry.version > 1:
        return False  # a newer version's entry: nothing here can read it
    if entry.minor_version < 2:
        options = dict(entry.options)
        limit = options.pop(CONF_MAX_RUNNING, None)
        if limit is not None:
            await async_keep_limit(entry_store(hass, entry.entry_id), int(limit))
        hass.config_entries.async_update_entry(entry, options=options, minor_version=2)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: ImmichJobsConfigEntry) -> bool:
    """Connect to Immich and start scheduling its queues."""
    coordinator = ImmichJobsCoordinator(hass, entry, client_for_entry(hass, entry))
    try:
        await coordinator.async_connect()
        await coordinator.async_config_entry_first_refresh()
    except Exception as err:
        # Nothing of this attempt may outlive it: no hold timer, no late write.
        await coordinator.async_stop(release=False)
        if isinstance(err, ConfigEntryNotReady):
            # The entry's retry reason says why; an issue raised meanwhile would outlive
            # a disable (Home Assistant does not unload an entry that waits to retry).
            async_delete_entry_issues(hass, entry)
            # Immich was away: the retry that reaches it may find it booting.
            async_mark_outage(hass, entry)
        raise
    # Scheduling again: queues a failed release left paused are managed once more.
    ir.async_delete_issue(hass, DOMAIN, left_paused_issue_id(entry))
    entry.runtime_data = coordinator
    coordinator.queue_names = await _async_queue_names(hass)
    _remove_unmanaged_entities(hass, entry, coordinator)
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def _async_queue_names(hass: HomeAssistant) -> dict[str, str]:
    """Name the queues in the user's language, as the actions' drop-down does.

    Entity names carry the queue's name as a placeholder, which Home Assistant does not
    translate: "Smart search Status" would otherwise greet a German user.
    """
    prefix = f"component.{DOMAIN}.selector.queue.options."
    translations = await async_get_translations(
        hass, hass.config.language, "selector", {DOMAIN}
    )
    return {
        queue_from_option(key.removeprefix(prefix)): name
        for key, name in translations.items()
        if key.startswith(prefix)
    }


def _remove_unmanaged_entities(
    hass: HomeAssistant,
    entry: ImmichJobsConfigEntry,
    coordinator: ImmichJobsCoordinator,
) -> None:
    """Drop the entities of queues that left the managed set or the server."""
    keep = set(coordinator.data.managed)
    registry = er.async_get(hass)
    for entity in er.async_entries_for_config_entry(registry, entry.entry_id):
        queue = queue_of_unique_id(coordinator.server_id, entity.unique_id)
        if queue is not None and queue not in keep:
            registry.async_remove(entity.entity_id)


async def async_unload_entry(hass: HomeAssistant, entry: ImmichJobsConfigEntry) -> bool:
    """Stop scheduling; give the queues back only when the user disabled the entry.

    A reload or a restart keeps the queues as they are: resuming them all would unleash every
    queue at once, and the Store brings intents and ownership back.
    """
    coordinator = entry.runtime_data
    if not await hass.config_entries.async_unload_platforms(entry, PLATFORMS):
        return False
    await coordinator.async_stop(release=entry.disabled_by is not None)
    async_delete_entry_issues(hass, entry)
    return True


async def async_remove_entry(hass: HomeAssistant, entry: ImmichJobsConfigEntry) -> None:
    """Resume every queue the integration paused, then forget its storage.

    Its issues are gone already: withdrawn when it unloaded, or when its set-up failed.
    """
    store = entry_store(hass, entry.entry_id)
    _, memory = await async_load(store)
    await async_release_queues(hass, client_for_entry(hass, entry), entry, memory)
    await store.async_remove()
