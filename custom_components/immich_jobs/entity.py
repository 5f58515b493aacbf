"""Base entity: one service device per Immich server."""

from __future__ import annotations

from homeassistant.const import CONF_URL
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import DOMAIN
from .coordinator import ImmichJobsCoordinator
from .queues import queue_display_name


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
        server_id = entry.unique_id or entry.entry_id
        self.entity_description = description
        self.queue = queue
        if queue is None:
            self._attr_unique_id = f"{server_id}_{description.key}"
        else:
            self._attr_unique_id = f"{server_id}_{queue}_{description.key}"
            self._attr_translation_placeholders = {"queue": queue_display_name(queue)}
        self._attr_device_info = DeviceInfo(
            entry_type=DeviceEntryType.SERVICE,
            identifiers={(DOMAIN, server_id)},
            manufacturer="Immich",
            model="Job queues",
            name=entry.title,
            configuration_url=entry.data[CONF_URL],
        )
