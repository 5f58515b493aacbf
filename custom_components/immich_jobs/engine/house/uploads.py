"""Upload-aware quiet period: hold heavy queues while a big backup arrives, and not for long.

Pure module (no Home Assistant, no I/O, no clock). Immich deletes finished jobs, so arrivals
are never counted: they are inferred from successive snapshots. Each read gives a lower bound
of the assets that arrived since the last one, the largest of:
- the rise of the first hop's work (metadataExtraction, runnable + active); at the first read,
  its work while resumed. Sidecar jobs come from library scans and sidecar runs, not uploads
  (immich-api.md §5).
- the rise of the runnable jobs of a later hop paused now, and paused or empty at the last
  read: Immich enqueues the next hop even into a paused queue, and a paused queue runs
  nothing (not even its own "start" discovery), so its new jobs came down the pipeline, one
  per asset. An empty heavy queue is paused at the read that sees it empty (`watch_empty`),
  so it too counts from there. This sees uploads whose first jobs are too short to be
  caught at a read, and those a resumed queue ran between two reads.
Work in a paused queue that does not rise is a backlog, not arrivals: a queue the user holds
can never keep the quiet period going.

What costs CPU is a big backup, not an arrival: the quiet period starts when at least
`BIG_BACKUP_ASSETS` assets arrived within `BIG_BACKUP_WINDOW`, and goes on while they arrive
or while the resumed first hop still has that many jobs to do (an import being read). A
backlog alone never starts it: photos that piled up during a timed pause are no backup. A
photo every 45 s (5 in 40 s, or 5 every 45 s) never does; a phone backing up 2,000 photos in 20 minutes does within a minute. The heavy queues
stay held until no big backup was seen for `quiet_seconds`, and never longer than
`max_hold_seconds` at a stretch: then they get a turn of `HEAVY_TURN_SECONDS` (a steady
stream of uploads must not starve them), and the hold may begin again. Thumbnails are not
heavy by default, so the express lane still shows a new photo at once.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from ...const import (
    CONF_HEAVY_QUEUES,
    CONF_UPLOAD_MAX_HOLD_MINUTES,
    CONF_UPLOAD_QUIET,
    CONF_UPLOAD_QUIET_MINUTES,
    DEFAULT_UPLOAD_MAX_HOLD_MINUTES,
    DEFAULT_UPLOAD_QUIET,
    DEFAULT_UPLOAD_QUIET_MINUTES,
    MAX_UPLOAD_MAX_HOLD_MINUTES,
    MAX_UPLOAD_QUIET_MINUTES,
    MIN_UPLOAD_MAX_HOLD_MINUTES,
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
from ..reasons import Reason
from .holds import Hold, minutes_option

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
# A big backup: this many new assets within the window (or, once one is seen, this many jobs
# still waiting in the resumed first hop). One asset every two seconds for two minutes; the
# demo's trickle (5 photos every 45 s) brings 15 in two minutes.
BIG_BACKUP_ASSETS = 60
BIG_BACKUP_WINDOW = 120.0
# After the longest hold, the heavy queues run this long before the hold may begin again.
HEAVY_TURN_SECONDS = 600.0


@dataclass(frozen=True, slots=True, kw_only=True)
class UploadOptions:
    """The user's quiet period: on or off, which queues are heavy, how long quiet must last."""

    enabled: bool = DEFAULT_UPLOAD_QUIET
    heavy: frozenset[str] = DEFAULT_HEAVY_QUEUES
    quiet_seconds: float = DEFAULT_UPLOAD_QUIET_MINUTES * 60.0
    # The longest stretch the heavy queues are held; then they get a turn.
    max_hold_seconds: float = DEFAULT_UPLOAD_MAX_HOLD_MINUTES * 60.0
    turn_seconds: float = HEAVY_TURN_SECONDS


@dataclass(frozen=True, slots=True, kw_only=True)
class UploadMemory:
    """What the last reads showed of the pipeline, and when a big backup was last seen."""

    # The first hop's work at the last read.
    work: Mapping[str, int] = field(default_factory=dict)
    # Runnable jobs of the later hops that were paused or empty at the last read.
    paused_runnable: Mapping[str, int] = field(default_factory=dict)
    # Assets seen arriving within the window: (when, how many), oldest first.
    arrived: tuple[tuple[float, int], ...] = ()
    # When a big backup was last seen.
    seen_at: float | None = None
    # When the heavy queues' current hold began, and when their turn ends, if in one.
    held_since: float | None = None
    turn_until: float | None = None


@dataclass(frozen=True, slots=True)
class UploadOutcome:
    """Whether a big backup arrives, the heavy queues held meanwhile, and when that ends."""

    active: bool
    # When the quiet period ends (the scheduler's clock), if a big backup was ever seen.
    until: float | None
    held: Mapping[str, Hold]
    memory: UploadMemory
    # Seconds from now until the hold ends, a turn ends or the period ends; None: not active.
    next_check: float | None


def _arrivals(snapshot: Snapshot, memory: UploadMemory) -> int:
    """Return how many assets at least arrived since the last read (see the module's doc)."""
    counts = [0]
    for name in UPLOAD_QUEUES:
        if (status := snapshot.get(name)) is None:
            continue
        work = status.runnable + status.active
        before = memory.work.get(name)
        if before is None:
            counts.append(0 if status.is_paused else work)
        else:
            counts.append(work - before)
    counts += [
        status.runnable - memory.paused_runnable[name]
        for name in FED_QUEUES
        if name in memory.paused_runnable
        and (status := snapshot.get(name)) is not None
        and status.is_paused
    ]
    return max(counts)


def _path_backlog(snapshot: Snapshot) -> int:
    """Return the jobs waiting in the resumed first hop: new assets not yet read (one each).

    Only the first hop: a thumbnail backlog may be a regeneration the user started, no upload.
    """
    return max(
        (
            status.runnable + status.active
            for name in UPLOAD_QUEUES
            if (status := snapshot.get(name)) is not None and not status.is_paused
        ),
        default=0,
    )


def _learn(
    snapshot: Snapshot, memory: UploadMemory, now: float, during: bool
) -> UploadMemory:
    """Remember this read's counts and arrivals; note a big backup if there is one.

    `during`: a quiet period was running before this read.
    """
    count = _arrivals(snapshot, memory)
    arrived = (
        *(seen for seen in memory.arrived if seen[0] > now - BIG_BACKUP_WINDOW),
        (now, count),
    )
    # Assets arriving now, as part of a big backup; or, during one, its backlog in the first
    # hop (an import is read for longer than it takes to arrive).
    big = (count > 0 and sum(seen[1] for seen in arrived) >= BIG_BACKUP_ASSETS) or (
        during and _path_backlog(snapshot) >= BIG_BACKUP_ASSETS
    )
    return replace(
        memory,
        work={
            name: snapshot[name].runnable + snapshot[name].active
            for name in UPLOAD_QUEUES
            if name in snapshot
        },
        paused_runnable={
            name: snapshot[name].runnable
            for name in FED_QUEUES
            if name in snapshot
            and (snapshot[name].is_paused or not snapshot[name].has_work)
        },
        arrived=tuple(seen for seen in arrived if seen[1] > 0),
        seen_at=now if big else memory.seen_at,
    )


def _bounded(
    memory: UploadMemory, options: UploadOptions, active: bool, now: float
) -> UploadMemory:
    """Start, go on with, or interrupt the heavy queues' hold: no stretch beyond the longest."""
    if not active or not options.enabled:
        return replace(memory, held_since=None, turn_until=None)
    held_since, turn_until = memory.held_since, memory.turn_until
    if turn_until is not None and now >= turn_until:
        held_since, turn_until = None, None  # the turn is over: a new hold begins
    if turn_until is None:
        held_since = now if held_since is None else held_since
        if now >= held_since + options.max_hold_seconds:
            turn_until = held_since + options.max_hold_seconds + options.turn_seconds
    return replace(memory, held_since=held_since, turn_until=turn_until)


def _quiet_until(memory: UploadMemory, options: UploadOptions) -> float | None:
    """Return when the quiet period ends, if a big backup was ever seen."""
    if memory.seen_at is None:
        return None
    return memory.seen_at + max(0.0, options.quiet_seconds)


def watch(
    memory: UploadMemory,
    options: UploadOptions,
    snapshot: Snapshot | None,
    now: float,
) -> UploadOutcome:
    """Update what is known of uploads from this read (None: a failed read, nothing learnt)."""
    if snapshot is not None:
        before = _quiet_until(memory, options)
        memory = _learn(snapshot, memory, now, before is not None and now < before)
    until = _quiet_until(memory, options)
    active = until is not None and now < until
    memory = _bounded(memory, options, active, now)
    ends: list[float] = [until] if until is not None and active else []
    held: dict[str, Hold] = {}
    if memory.turn_until is not None:
        ends.append(memory.turn_until)
    elif memory.held_since is not None and until is not None:
        end = min(until, memory.held_since + options.max_hold_seconds)
        ends.append(end)
        held = {
            name: Hold(Reason.UPLOADS_ARRIVING, until=end)
            for name in sorted(options.heavy)
            if is_manageable(name) and (snapshot is None or name in snapshot)
        }
    return UploadOutcome(
        active=active,
        until=until,
        held=held,
        memory=memory,
        next_check=max(0.0, min(ends) - now) if ends else None,
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
        max_hold_seconds=minutes_option(
            options,
            CONF_UPLOAD_MAX_HOLD_MINUTES,
            DEFAULT_UPLOAD_MAX_HOLD_MINUTES,
            MIN_UPLOAD_MAX_HOLD_MINUTES,
            MAX_UPLOAD_MAX_HOLD_MINUTES,
        ),
    )
