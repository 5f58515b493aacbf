"""Immich's job queues as the integration sees them: their names, which are Immich's own, the order.

Pure module (no Home Assistant, no I/O): the scheduler, the coordinator, the entities and the
benchmarks share these names. The counts of one queue are the client's model,
:class:`~.immich.QueueStatus`.
"""

from __future__ import annotations

from collections.abc import Mapping
import re

THUMBNAIL_GENERATION = "thumbnailGeneration"
METADATA_EXTRACTION = "metadataExtraction"
VIDEO_CONVERSION = "videoConversion"
FACE_DETECTION = "faceDetection"
FACIAL_RECOGNITION = "facialRecognition"
SMART_SEARCH = "smartSearch"
DUPLICATE_DETECTION = "duplicateDetection"
STORAGE_TEMPLATE_MIGRATION = "storageTemplateMigration"
MIGRATION = "migration"
SIDECAR = "sidecar"
LIBRARY = "library"
OCR = "ocr"
BACKGROUND_TASK = "backgroundTask"

# Queues Immich runs for itself. Pausing them stops trash emptying, e-mails, database backups:
# they are never managed, whatever the options say.
INTERNAL_QUEUES: frozenset[str] = frozenset(
    {
        BACKGROUND_TASK,
        "search",
        "notifications",
        "backupDatabase",
        "workflow",
        "editor",
        "integrityCheck",
    }
)

# The add-on's order, kept so that migrating users get the behaviour they know.
DEFAULT_PRIORITY: tuple[str, ...] = (
    SIDECAR,
    METADATA_EXTRACTION,
    STORAGE_TEMPLATE_MIGRATION,
    THUMBNAIL_GENERATION,
    SMART_SEARCH,
    DUPLICATE_DETECTION,
    FACE_DETECTION,
    FACIAL_RECOGNITION,
    VIDEO_CONVERSION,
    OCR,
    LIBRARY,
    MIGRATION,
)

# Queues with a tile in Immich's job page; library scans and migrations are opt-in.
DEFAULT_MANAGED: frozenset[str] = frozenset(DEFAULT_PRIORITY) - {LIBRARY, MIGRATION}


# How Immich's own job page names each queue.
QUEUE_NAMES: Mapping[str, str] = {
    THUMBNAIL_GENERATION: "Thumbnail generation",
    METADATA_EXTRACTION: "Metadata extraction",
    VIDEO_CONVERSION: "Video conversion",
    FACE_DETECTION: "Face detection",
    FACIAL_RECOGNITION: "Facial recognition",
    SMART_SEARCH: "Smart search",
    DUPLICATE_DETECTION: "Duplicate detection",
    STORAGE_TEMPLATE_MIGRATION: "Storage template migration",
    MIGRATION: "Migration",
    SIDECAR: "Sidecar metadata",
    LIBRARY: "External libraries",
    OCR: "OCR",
}


def queue_display_name(name: str) -> str:
    """Name a queue in words; a queue from a newer Immich gets its camelCase split."""
    if name in QUEUE_NAMES:
        return QUEUE_NAMES[name]
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).split()
    return (
        " ".join([words[0].capitalize(), *(word.lower() for word in words[1:])])
        if words
        else name
    )


def queue_from_option(option: str) -> str:
    """Return Immich's camelCase name of a snake-case option (a camelCase name is kept)."""
    first, *rest = option.split("_")
    return first + "".join(word.capitalize() for word in rest)


def is_manageable(name: str) -> bool:
    """Tell whether a queue may ever be paused by the integration."""
    return name not in INTERNAL_QUEUES
