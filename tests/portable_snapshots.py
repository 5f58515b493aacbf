"""Home Assistant's snapshot format, written alike by Home Assistant 2025.4 and 2026.

2026 keys state attributes and registry capabilities with enum members (``EntityStateAttribute.FRIENDLY_NAME`` for
``friendly_name``), and its entity registry entries carry fields that 2025.4 lacks
(``object_id_base``, ``suggested_object_id``) and aliases as a list in which ``None`` stands for
the entity's own name. The integration sets none of these: they are written here as 2025.4
writes them, so one snapshot set holds on both generations and neither lane rewrites it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_homeassistant_custom_component.syrupy import (
    HomeAssistantSnapshotExtension,
    HomeAssistantSnapshotSerializer,
)
from syrupy.extensions.amber import AmberDataSerializer
from syrupy.types import SerializableData

from homeassistant.core import State
from homeassistant.helpers import entity_registry as er
from homeassistant.util.read_only_dict import ReadOnlyDict

# Registry fields of Home Assistant 2026 only; Home Assistant fills them, not the integration.
_NEWER_REGISTRY_FIELDS = ("object_id_base", "suggested_object_id", "compat_name")


def _plain_keys(mapping: Mapping[str, Any]) -> dict[str, Any]:
    """Key by plain strings: a StrEnum key prints as its member, str() gives its value."""
    return {str(key): value for key, value in mapping.items()}


class PortableSnapshotSerializer(HomeAssistantSnapshotSerializer):  # type: ignore[misc]
    """Serialize states and registry entries the same way on both generations."""

    @classmethod
    def _serializable_entity_registry_entry(
        cls, data: er.RegistryEntry
    ) -> SerializableData:
        serialized: Any = super()._serializable_entity_registry_entry(data)
        for field in _NEWER_REGISTRY_FIELDS:
            serialized.pop(field, None)
        serialized["aliases"] = {
            alias for alias in serialized["aliases"] if alias is not None
        }
        if serialized["capabilities"] is not None:
            serialized["capabilities"] = _plain_keys(serialized["capabilities"])
        return serialized

    @classmethod
    def _serializable_state(cls, data: State) -> SerializableData:
        serialized: Any = super()._serializable_state(data)
        serialized["attributes"] = ReadOnlyDict(_plain_keys(serialized["attributes"]))
        return serialized


class PortableSnapshotExtension(HomeAssistantSnapshotExtension):  # type: ignore[misc]
    """Home Assistant's snapshot extension with the portable serializer."""

    serializer_class: type[AmberDataSerializer] = PortableSnapshotSerializer
