"""Base entity: one service device per Immich server."""

from __future__ import annotations

from homeassistant.const import CONF_URL
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import DOMAIN
from .coordinator import ImmichJobsCoordinator

# Queue entities carry this mark in their unique id, so the queue can be read back from it.
QUEUE_MARK = "queue_"
# The keys of the entities other entities name as what holds a queue.
ALLOWED_KEY = "allowed"
LIMIT_KEY = "max_running"


def unique_id(server_id: str, key: str, queue: str | None = None) -> str:
    """Build an entity's unique id: the server, the queue if any, the entity's key."""
    if queue is None:
        return f"{server_id}_{key}"
    return f"{server_id}_{QUEUE_MARK}{queue}_{key}"


def queue_of_unique_id(server_id: str, unique_id: str) -> str | None:
    """Return the queue a unique id belongs to, or None for a server-wide entity.

    Immich names queues in camelCase, never with an underscore.
    """
    rest = unique_id.removeprefix(f"{server_id}_")
    if not rest.startswith(QUEUE_MARK):
        return None
    return rest.removeprefix(QUEUE_MARK).split("_", 1)[0]


class ImmichJobsEntity(CoordinatorEntity[ImmichJobsCoordinator]):
    """An entity of one Immich server's device, about one queue or the whole server."""

    _attr_has_entity_name = True

    def __init__(
        self,
        coordinator: ImmichJobsCoordinator,
        description: EntityDescription,
        queue: str | None = None,
    ) -> None:
        """Attach the entity to its server's device and, if given, name it after its queue."""
        super().__init__(coordinator)
        entry = coordinator.config_entry
        server_id = coordinator.server_id
        self.entity_description = description
        self.queue = queue
        self._attr_unique_id = unique_id(server_id, description.key, queue)
        if queue is not None:
            self._attr_translation_placeholders = {
                "queue": coordinator.queue_name(queue)
            }
        self._attr_device_info = DeviceInfo(
            entry_type=DeviceEntryType.SERVICE,
            identifiers={(DOMAIN, server_id)},
            manufacturer="Immich",
            model="Job queues",
            name=entry.title,
            configuration_url=entry.data[CONF_URL],
            sw_version=coordinator.version,
        )
