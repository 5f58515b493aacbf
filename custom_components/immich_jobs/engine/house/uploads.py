"""Upload-aware quiet period: hold heavy queues while new uploads keep arriving.

Pure module (no Home Assistant, no I/O, no clock). Immich deletes finished jobs, so arrivals
are never counted: they are inferred from successive snapshots. A read sees new uploads when:
- the first hop, metadataExtraction, has more work (runnable + active) than at the last read,
  or has work while resumed (at about 0.1 s a job it only has work at a read while assets keep
  coming, or while a backlog drains). Sidecar jobs come from library scans and sidecar runs,
  not uploads (immich-api.md §5).
- or a later hop that was paused at both reads has more runnable jobs: Immich enqueues the
  next hop even into a paused queue, and a paused queue runs nothing (not even its own "start"
  discovery), so its new jobs came down the pipeline. This sees uploads whose first jobs are
  too short to be caught at a read, such as a video every minute.
Work in a paused queue that does not rise is a backlog, not arrivals: a queue the user holds
can never keep the quiet period going.

The heavy queues stay held until uploads have been quiet for `quiet_seconds`. Thumbnails are
not heavy by default, so the express lane still shows a new photo at once.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from ...const import (
    CONF_HEAVY_QUEUES,
    CONF_UPLOAD_QUIET,
    CONF_UPLOAD_QUIET_MINUTES,
    DEFAULT_UPLOAD_QUIET,
    DEFAULT_UPLOAD_QUIET_MINUTES,
    MAX_UPLOAD_QUIET_MINUTES,
    MIN_UPLOAD_QUIET_MINUTES,
)
from ...immich.models import Snapshot
from ..queues import (
    FACE_DETECTION,
    METADATA_EXTRACTION,
    OCR,
    SMART_SEARCH,
    STORAGE_TEMPLATE_MIGRATION,
    THUMBNAIL_GENERATION,
    VIDEO_CONVERSION,
    is_manageable,
)
from .holds import Hold, HoldKind, minutes_option

# Where a new upload's first job lands.
UPLOAD_QUEUES: tuple[str, ...] = (METADATA_EXTRACTION,)
# Later hops of an upload (immich-api.md §5): new jobs in them while paused are new assets.
FED_QUEUES: tuple[str, ...] = (
    STORAGE_TEMPLATE_MIGRATION,
    THUMBNAIL_GENERATION,
    SMART_SEARCH,
    FACE_DETECTION,
    OCR,
    VIDEO_CONVERSION,
)
# Video transcodes and the queues that call the machine-learning service. facialRecognition
# and duplicateDetection are short database searches fed by faceDetection and smartSearch:
# holding those feeders holds them too.
DEFAULT_HEAVY_QUEUES: frozenset[str] = frozenset(
    {VIDEO_CONVERSION, SMART_SEARCH, FACE_DETECTION, OCR}
)
# The hops that make a new photo visible: holding them during uploads defeats the purpose.
UPLOAD_PATH: frozenset[str] = frozenset(
    {*UPLOAD_QUEUES, STORAGE_TEMPLATE_MIGRATION, THUMBNAIL_GENERATION}
)


@dataclass(frozen=True, slots=True, kw_only=True)
class UploadOptions:
    """The user's quiet period: on or off, which queues are heavy, how long quiet must last."""

    enabled: bool = DEFAULT_UPLOAD_QUIET
    heavy: frozenset[str] = DEFAULT_HEAVY_QUEUES
    quiet_seconds: float = DEFAULT_UPLOAD_QUIET_MINUTES * 60.0


@dataclass(frozen=True, slots=True, kw_only=True)
class UploadMemory:
    """What the last read showed of the pipeline, and when uploads were last seen arriving."""

    # The first hop's work at the last read.
    work: Mapping[str, int] = field(default_factory=dict)
    # Runnable jobs of the later hops that were paused at the last read.
    paused_runnable: Mapping[str, int] = field(default_factory=dict)
    seen_at: float | None = None


@dataclass(frozen=True, slots=True)
class UploadOutcome:
    """Whether uploads are arriving, the heavy queues held meanwhile, and when that ends."""

    active: bool
    # When the quiet period ends (the scheduler's clock), if uploads were ever seen.
    until: float | None
    held: Mapping[str, Hold]
    memory: UploadMemory
    # Seconds from now until the quiet period ends without new uploads; None if not active.
    next_check: float | None


def _arrivals(snapshot: Snapshot, memory: UploadMemory) -> bool:
    """Tell whether this read shows new uploads coming down the pipeline."""
    for name in UPLOAD_QUEUES:
        status = snapshot.get(name)
        if status is None:
            continue
        work = status.runnable + status.active
        before = memory.work.get(name, work)
        if work > before or (work > 0 and not status.is_paused):
            return True
    return any(
        status.is_paused and status.runnable > memory.paused_runnable[name]
        for name in FED_QUEUES
        if name in memory.paused_runnable and (status := snapshot.get(name)) is not None
    )


def watch(
    memory: UploadMemory,
    options: UploadOptions,
    snapshot: Snapshot | None,
    now: float,
) -> UploadOutcome:
    """Update what is known of uploads from this read (None: a failed read, nothing learnt)."""
    if snapshot is not None:
        seen_at = now if _arrivals(snapshot, memory) else memory.seen_at
        memory = UploadMemory(
            work={
                name: snapshot[name].runnable + snapshot[name].active
                for name in UPLOAD_QUEUES
                if name in snapshot
            },
            paused_runnable={
                name: snapshot[name].runnable
                for name in FED_QUEUES
                if name in snapshot and snapshot[name].is_paused
            },
            seen_at=seen_at,
        )
    until = (
        memory.seen_at + max(0.0, options.quiet_seconds)
        if memory.seen_at is not None
        else None
    )
    active = until is not None and now < until
    held = (
        {
            name: Hold(HoldKind.UPLOADS)
            for name in sorted(options.heavy)
            if is_manageable(name) and (snapshot is None or name in snapshot)
        }
        if active and options.enabled
        else {}
    )
    return UploadOutcome(
        active=active,
        until=until,
        held=held,
        memory=memory,
        next_check=until - now if until is not None and active else None,
    )


def validate_heavy(heavy: Collection[str]) -> str | None:
    """Return the error key for a heavy set that would hold an upload's own path, else None."""
    if any(name in UPLOAD_PATH for name in heavy):
        return "heavy_upload_path"
    return None


def uploads_from_options(options: Mapping[str, Any]) -> UploadOptions:
    """Turn the entry's options into the quiet period (what is malformed gets the default)."""
    heavy = options.get(CONF_HEAVY_QUEUES)
    return UploadOptions(
        enabled=bool(options.get(CONF_UPLOAD_QUIET, DEFAULT_UPLOAD_QUIET)),
        heavy=frozenset(name for name in heavy if isinstance(name, str))
        if isinstance(heavy, list | tuple | set | frozenset)
        else DEFAULT_HEAVY_QUEUES,
        quiet_seconds=minutes_option(
            options,
            CONF_UPLOAD_QUIET_MINUTES,
            DEFAULT_UPLOAD_QUIET_MINUTES,
            MIN_UPLOAD_QUIET_MINUTES,
            MAX_UPLOAD_QUIET_MINUTES,
        ),
    )
