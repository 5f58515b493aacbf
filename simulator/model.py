"""Immich's background queues as an event-driven model in simulated time.

Pure Python: no I/O, no asyncio, no wall clock. The caller owns time (``advance_to``), and the
model jumps from one job completion to the next, so hours of Immich work simulate in
milliseconds. Semantics follow BullMQ as Immich uses it (immich-api.md §3-§5): a paused queue
counts its backlog in ``paused``, pausing never interrupts running jobs, resume moves the
backlog back to ``waiting``, finished upload jobs enqueue the pipeline's next hops even into
paused queues.

Jobs share the box's cores (``simulator/cpu.py``): a job's duration emerges from what runs
beside it. Every change in what runs re-shares the cores and moves the next completion.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
import heapq
import itertools
import math
from typing import Literal

from .cpu import (
    FASTER_BOX,
    PHOTO_THUMBNAIL_THREADS,
    TRANSCODE_THREADS,
    VIDEO_THUMBNAIL_THREADS,
    Box,
    Cost,
    share_scale,
    transcode_threads,
)

THUMBNAIL_GENERATION = "thumbnailGeneration"
METADATA_EXTRACTION = "metadataExtraction"
VIDEO_CONVERSION = "videoConversion"
FACE_DETECTION = "faceDetection"
FACIAL_RECOGNITION = "facialRecognition"
SMART_SEARCH = "smartSearch"
DUPLICATE_DETECTION = "duplicateDetection"
BACKGROUND_TASK = "backgroundTask"
STORAGE_TEMPLATE_MIGRATION = "storageTemplateMigration"
MIGRATION = "migration"
SEARCH = "search"
SIDECAR = "sidecar"
LIBRARY = "library"
NOTIFICATIONS = "notifications"
BACKUP_DATABASE = "backupDatabase"
OCR = "ocr"
WORKFLOW = "workflow"
INTEGRITY_CHECK = "integrityCheck"
EDITOR = "editor"

# Queue names in the order Immich lists them, with the release that introduced each.
_QUEUES_SINCE: tuple[tuple[str, tuple[int, int]], ...] = (
    (THUMBNAIL_GENERATION, (1, 106)),
    (METADATA_EXTRACTION, (1, 106)),
    (VIDEO_CONVERSION, (1, 106)),
    (FACE_DETECTION, (1, 106)),
    (FACIAL_RECOGNITION, (1, 106)),
    (SMART_SEARCH, (1, 106)),
    (DUPLICATE_DETECTION, (1, 106)),
    (BACKGROUND_TASK, (1, 106)),
    (STORAGE_TEMPLATE_MIGRATION, (1, 106)),
    (MIGRATION, (1, 106)),
    (SEARCH, (1, 106)),
    (SIDECAR, (1, 106)),
    (LIBRARY, (1, 106)),
    (NOTIFICATIONS, (1, 106)),
    (BACKUP_DATABASE, (1, 120)),
    (OCR, (2, 2)),
    (WORKFLOW, (2, 3)),
    (INTEGRITY_CHECK, (3, 0)),
    (EDITOR, (2, 5)),
)


def queue_names(version: tuple[int, int] = (3, 1)) -> tuple[str, ...]:
    """Return the queues a given Immich release has, in the order its API lists them."""
    return tuple(name for name, since in _QUEUES_SINCE if version >= since)


ALL_QUEUES: tuple[str, ...] = queue_names((3, 1))

# Immich's default concurrency (immich-api.md §5).
DEFAULT_CONCURRENCY: Mapping[str, int] = {
    THUMBNAIL_GENERATION: 3,
    METADATA_EXTRACTION: 5,
    VIDEO_CONVERSION: 1,
    FACE_DETECTION: 2,
    FACIAL_RECOGNITION: 1,
    SMART_SEARCH: 2,
    DUPLICATE_DETECTION: 1,
    STORAGE_TEMPLATE_MIGRATION: 1,
    MIGRATION: 5,
    SIDECAR: 5,
    LIBRARY: 5,
    OCR: 1,
    BACKGROUND_TASK: 5,
    SEARCH: 5,
    NOTIFICATIONS: 5,
    BACKUP_DATABASE: 1,
    WORKFLOW: 5,
    EDITOR: 2,
    INTEGRITY_CHECK: 1,
}

# Queues whose "start" command has a handler; the others answer "Invalid job name".
START_HANDLERS: frozenset[str] = frozenset(
    {
        THUMBNAIL_GENERATION,
        METADATA_EXTRACTION,
        VIDEO_CONVERSION,
        FACE_DETECTION,
        FACIAL_RECOGNITION,
        SMART_SEARCH,
        DUPLICATE_DETECTION,
        STORAGE_TEMPLATE_MIGRATION,
        MIGRATION,
        SIDECAR,
        LIBRARY,
        OCR,
        BACKUP_DATABASE,
    }
)

# What a finished upload job enqueues next (immich-api.md §5). Video-only hops are filtered
# by VIDEO_ONLY.
DEFAULT_PIPELINE: Mapping[str, tuple[str, ...]] = {
    METADATA_EXTRACTION: (STORAGE_TEMPLATE_MIGRATION,),
    STORAGE_TEMPLATE_MIGRATION: (THUMBNAIL_GENERATION,),
    THUMBNAIL_GENERATION: (SMART_SEARCH, FACE_DETECTION, OCR, VIDEO_CONVERSION),
    SMART_SEARCH: (DUPLICATE_DETECTION,),
    FACE_DETECTION: (FACIAL_RECOGNITION,),
}
VIDEO_ONLY: frozenset[str] = frozenset({VIDEO_CONVERSION})

type AssetKind = Literal["photo", "video"]
# Job kinds: per-asset work ("photo"/"video"), a "queue all" discovery job, or anything else.
type JobKind = Literal["photo", "video", "discovery", "task"]

# CPU per job on the reference box (the slower measured box), machine learning off (the ML
# queues then do next to nothing), fitted to the project's baseline measurements on two real
# v3.1.0 boxes (bench/README.md, "Calibration").
DEFAULT_COSTS: Mapping[tuple[str, str], Cost] = {
    (METADATA_EXTRACTION, "photo"): Cost(0.08),
    (METADATA_EXTRACTION, "video"): Cost(0.45),  # exiftool, then ffprobe
    (STORAGE_TEMPLATE_MIGRATION, "photo"): Cost(0.02),
    (STORAGE_TEMPLATE_MIGRATION, "video"): Cost(0.02),
    (THUMBNAIL_GENERATION, "photo"): Cost(0.3, PHOTO_THUMBNAIL_THREADS),
    (THUMBNAIL_GENERATION, "video"): Cost(5.3, VIDEO_THUMBNAIL_THREADS),
    (VIDEO_CONVERSION, "video"): Cost(31.0, TRANSCODE_THREADS),
    (SMART_SEARCH, "photo"): Cost(0.01),
    (SMART_SEARCH, "video"): Cost(0.01),
    (FACE_DETECTION, "photo"): Cost(0.01),
    (FACE_DETECTION, "video"): Cost(0.01),
    (OCR, "photo"): Cost(0.01),
    (OCR, "video"): Cost(0.01),
    (DUPLICATE_DETECTION, "photo"): Cost(0.01),
    (DUPLICATE_DETECTION, "video"): Cost(0.01),
    (FACIAL_RECOGNITION, "photo"): Cost(0.01),
    (FACIAL_RECOGNITION, "video"): Cost(0.01),
    (BACKUP_DATABASE, "task"): Cost(5.0),
}
DISCOVERY_COST = Cost(0.01)
DEFAULT_JOB_COST = Cost(0.05)


class CommandRefused(ValueError):
    """A queue command Immich answers with 400 (the message is Immich's own)."""

    def __init__(self, message: str) -> None:
        """Keep Immich's message so the server can return it verbatim."""
        super().__init__(message)
        self.message = message


class UnknownQueue(KeyError):
    """A queue name this Immich release does not have."""


@dataclass(slots=True)
class Job:
    """One BullMQ job: what it works on and what it costs.

    A CPU job (``fixed is None``) runs until its ``remaining`` work is done at the share it
    gets; a fixed job (a test's "takes 10 s") holds its slot for ``fixed`` seconds and uses
    no CPU.
    """

    id: int
    queue: str
    kind: JobKind
    cost: Cost
    fixed: float | None = None
    asset: int | None = None
    chain: bool = (
        False  # an upload job: its completion enqueues the pipeline's next hop
    )
    force: bool = False  # for discovery jobs: all assets, not only missing ones
    hidden: bool = False  # prioritized jobs: Immich counts them nowhere while they wait
    started_at: float | None = None
    finish_at: float | None = None
    remaining: float = 0.0
    cores: float = 0.0  # cores it gets right now
    core_seconds: float = 0.0  # CPU it has used so far


@dataclass(frozen=True, slots=True)
class JobRecord:
    """A finished job: when it ran and how much CPU it used (for the benchmark's measures)."""

    queue: str
    kind: JobKind
    start: float
    end: float
    core_seconds: float


@dataclass(slots=True)
class Asset:
    """One uploaded photo or video, with when each queue finished its job for it."""

    id: int
    kind: AssetKind
    uploaded_at: float
    done: dict[str, float] = field(default_factory=dict)

    @property
    def thumbnail_at(self) -> float | None:
        """When its thumbnail job finished: the user sees the photo from then on."""
        return self.done.get(THUMBNAIL_GENERATION)


@dataclass(frozen=True, slots=True)
class QueueCounts:
    """One queue's six counts plus its pause flag, as Immich reports them."""

    active: int
    completed: int
    failed: int
    delayed: int
    waiting: int
    paused: int
    is_paused: bool

    @property
    def is_active(self) -> bool:
        """Immich's legacy ``isActive``: jobs are running right now."""
        return self.active > 0


@dataclass(frozen=True, slots=True)
class JobEvent:
    """A job starting or finishing, for benchmarks that listen to the model."""

    time: float
    what: Literal["start", "finish"]
    queue: str
    kind: JobKind
    asset: int | None


@dataclass(slots=True)
class _Queue:
    name: str
    concurrency: int
    is_paused: bool = False
    backlog: deque[Job] = field(default_factory=deque)
    active: dict[int, Job] = field(default_factory=dict)
    failed: int = 0
    delayed: int = 0
    busy_since: float | None = None

    def visible_backlog(self) -> int:
        return sum(1 for job in self.backlog if not job.hidden)


type Action = Callable[["ImmichModel"], object]


class ImmichModel:
    """Immich's queues in simulated time; every mutation happens at ``now``."""

    def __init__(
        self,
        *,
        queues: Iterable[str] = ALL_QUEUES,
        concurrency: Mapping[str, int] | None = None,
        costs: Mapping[tuple[str, str], Cost] | None = None,
        pipeline: Mapping[str, Sequence[str]] | None = None,
        box: Box = FASTER_BOX,
        ffmpeg_threads: int = 0,
        start_time: float = 0.0,
    ) -> None:
        """Build an idle server; overrides merge over Immich's defaults."""
        conc = {**DEFAULT_CONCURRENCY, **(concurrency or {})}
        self._queues: dict[str, _Queue] = {
            name: _Queue(name=name, concurrency=conc.get(name, 1)) for name in queues
        }
        self.box = box
        video_thumbnail = DEFAULT_COSTS[THUMBNAIL_GENERATION, "video"]
        self.costs: dict[tuple[str, str], Cost] = {
            **DEFAULT_COSTS,
            (THUMBNAIL_GENERATION, "video"): Cost(
                video_thumbnail.work * box.video_thumbnail_scale,
                video_thumbnail.threads,
            ),
            **(costs or {}),
        }
        self.set_ffmpeg_threads(ffmpeg_threads)
        self.pipeline: dict[str, tuple[str, ...]] = {
            k: tuple(v) for k, v in (pipeline or DEFAULT_PIPELINE).items()
        }
        self.now = start_time
        self.assets: dict[int, Asset] = {}
        # Per queue, closed intervals [start, end] during which it had active > 0.
        self.busy_log: dict[str, list[tuple[float, float]]] = {
            n: [] for n in self._queues
        }
        self.completed_jobs = 0
        self.job_log: list[JobRecord] = []
        # (time, runnable threads, cores busy) from each moment the running set changed.
        self.load_log: list[tuple[float, float, float]] = [(start_time, 0.0, 0.0)]
        self._shared_at = start_time
        self._cpu: dict[int, Job] = {}  # running CPU jobs, all queues
        self.down_until: float | None = None
        self._listeners: list[Callable[[JobEvent], None]] = []
        self._events: list[tuple[float, int, Job | Action]] = []
        self._seq = itertools.count()
        self._job_ids = itertools.count(1)
        self._asset_ids = itertools.count(1)

    # --- reading -------------------------------------------------------------------------

    @property
    def queue_names(self) -> tuple[str, ...]:
        """The queues of this server, in Immich's order."""
        return tuple(self._queues)

    def has_queue(self, name: str) -> bool:
        """Tell whether this release has the queue."""
        return name in self._queues

    def _queue(self, name: str) -> _Queue:
        try:
            return self._queues[name]
        except KeyError:
            raise UnknownQueue(name) from None

    def counts(self, name: str) -> QueueCounts:
        """Return one queue's counts as Immich reports them (``completed`` is always 0)."""
        q = self._queue(name)
        backlog = q.visible_backlog()
        return QueueCounts(
            active=len(q.active),
            completed=0,
            failed=q.failed,
            delayed=q.delayed,
            waiting=0 if q.is_paused else backlog,
            paused=backlog if q.is_paused else 0,
            is_paused=q.is_paused,
        )

    def snapshot(self) -> dict[str, QueueCounts]:
        """Return every queue's counts at ``now``."""
        return {name: self.counts(name) for name in self._queues}

    def concurrency(self, name: str) -> int:
        """Return how many jobs of a queue may run at once."""
        return self._queue(name).concurrency

    def is_idle(self) -> bool:
        """Tell whether nothing is running or queued (hidden and paused jobs count as work)."""
        return all(not q.active and not q.backlog for q in self._queues.values())

    def next_event_time(self) -> float | None:
        """Return when the next job finishes or scheduled action fires, if any."""
        while self._events:
            time, _, item = self._events[0]
            if isinstance(item, Job) and not self._is_live(item, time):
                heapq.heappop(self._events)
                continue
            return time
        return None

    def busy_intervals(self, name: str) -> list[tuple[float, float]]:
        """Return the intervals a queue had running jobs, the current one closed at ``now``."""
        q = self._queue(name)
        intervals = list(self.busy_log[name])
        if q.busy_since is not None:
            intervals.append((q.busy_since, self.now))
        return intervals

    def add_listener(self, listener: Callable[[JobEvent], None]) -> Callable[[], None]:
        """Call ``listener`` on every job start and finish; return a function to remove it."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    # --- time ----------------------------------------------------------------------------

    def advance_to(self, time: float) -> None:
        """Run every event up to ``time`` (inclusive), then set ``now`` to it."""
        while self._events and self._events[0][0] <= time:
            at, _, item = heapq.heappop(self._events)
            if isinstance(item, Job):
                if self._is_live(item, at):
                    self.now = max(self.now, at)
                    self._finish(item)
            else:
                self.now = max(self.now, at)
                item(self)
        self.now = max(self.now, time)

    def advance(self, seconds: float) -> None:
        """Advance by ``seconds`` of simulated time."""
        self.advance_to(self.now + seconds)

    def step(self) -> bool:
        """Jump to the next event and run it (and all at the same instant); False if none."""
        next_time = self.next_event_time()
        if next_time is None:
            return False
        self.advance_to(next_time)
        return True

    def run_until_idle(self, limit: float = float("inf")) -> float:
        """Run events until nothing is queued or running (or ``limit``); return ``now``."""
        while not self.is_idle() or self._has_pending_actions():
            next_time = self.next_event_time()
            if next_time is None or next_time > limit:
                break
            self.advance_to(next_time)
        return self.now

    def at(self, time: float, action: Action) -> None:
        """Schedule ``action(model)`` at simulated ``time`` (a scenario's upload, a flip...)."""
        heapq.heappush(self._events, (max(time, self.now), next(self._seq), action))

    def _has_pending_actions(self) -> bool:
        return any(not isinstance(item, Job) for _, _, item in self._events)

    # --- what users and Immich do --------------------------------------------------------

    def upload(self, photos: int = 0, videos: int = 0) -> list[int]:
        """Upload assets now: each gets a metadataExtraction job that starts the pipeline."""
        ids: list[int] = []
        photo: AssetKind = "photo"
        video: AssetKind = "video"
        kinds = [photo] * photos + [video] * videos
        for kind in kinds:
            asset = Asset(id=next(self._asset_ids), kind=kind, uploaded_at=self.now)
            self.assets[asset.id] = asset
            ids.append(asset.id)
            if METADATA_EXTRACTION in self._queues:
                self._enqueue(METADATA_EXTRACTION, kind, asset=asset.id, chain=True)
        self._dispatch([METADATA_EXTRACTION])
        return ids

    def enqueue(
        self,
        name: str,
        count: int = 1,
        *,
        kind: JobKind = "task",
        duration: float | None = None,
        cost: Cost | None = None,
        hidden: bool = False,
    ) -> None:
        """Put arbitrary jobs in a queue (``hidden`` = prioritized, counted nowhere).

        ``duration`` makes fixed jobs: each holds its slot that long and uses no CPU (what a
        test needs when it cares about time, not load); otherwise ``cost``, or the kind's.
        """
        self._queue(name)
        for _ in range(count):
            self._enqueue(name, kind, duration=duration, cost=cost, hidden=hidden)
        self._dispatch([name])

    def pause(self, name: str) -> None:
        """Pause like BullMQ: backlog moves to ``paused``, running jobs keep running."""
        self._queue(name).is_paused = True

    def resume(self, name: str) -> None:
        """Resume: the backlog is ``waiting`` again and free slots start at once."""
        self._queue(name).is_paused = False
        self._dispatch([name])

    def start(self, name: str, *, force: bool = False) -> None:
        """Immich's "start" command: enqueue a discovery ("queue all") job; never resumes."""
        q = self._queue(name)
        if q.active:
            raise CommandRefused("Job is already running")
        if name not in START_HANDLERS:
            raise CommandRefused(f"Invalid job name: {name}")
        self._enqueue(name, "discovery", force=force)
        self._dispatch([name])

    def empty(self, name: str) -> None:
        """Drop every job not running (waiting, paused, hidden); destructive like Immich's."""
        self._queue(name).backlog.clear()

    def clear_failed(self, name: str) -> None:
        """Remove the failed jobs."""
        self._queue(name).failed = 0

    def inject_failed(self, name: str, count: int = 1) -> None:
        """Add failed jobs (handlers rarely fail in Immich, but the count exists)."""
        self._queue(name).failed += count

    def set_delayed(self, name: str, count: int) -> None:
        """Set the delayed count (scheduled jobs that are not runnable now)."""
        self._queue(name).delayed = count

    def set_ffmpeg_threads(self, threads: int) -> None:
        """Set Immich's ffmpeg ``threads`` (0 = ffmpeg's choice): transcodes queued from now."""
        cost = self.costs.get((VIDEO_CONVERSION, "video"))
        if cost is not None:
            used = transcode_threads(threads, self.box)
            self.costs[VIDEO_CONVERSION, "video"] = Cost(cost.work, used)

    def set_concurrency(self, name: str, concurrency: int) -> None:
        """Change a queue's concurrency, as the admin page's job settings do."""
        self._queue(name).concurrency = concurrency
        self._dispatch([name])

    def restart(self, downtime: float = 0.0) -> None:
        """Restart Immich: running jobs go back to the front of their queue and re-run.

        Nothing runs for ``downtime`` seconds (the server is booting). Pause state lives in
        Redis and survives, except metadataExtraction, which Immich pauses and resumes itself
        while booting.
        """
        self._progress()
        for q in self._queues.values():
            interrupted = sorted(
                q.active.values(), key=lambda job: job.id, reverse=True
            )
            for job in interrupted:
                job.started_at = job.finish_at = None
                job.core_seconds = job.cores = 0.0
                q.backlog.appendleft(job)
            q.active.clear()
            self._close_busy(q)
        self._cpu.clear()
        self._reshare()
        if METADATA_EXTRACTION in self._queues:
            self._queues[METADATA_EXTRACTION].is_paused = False
        if downtime > 0:
            self.down_until = self.now + downtime
            self.at(self.down_until, ImmichModel._boot)
        else:
            self._boot()

    @property
    def is_down(self) -> bool:
        """Tell whether Immich is restarting (no job runs, the API does not answer)."""
        return self.down_until is not None and self.now < self.down_until

    def _boot(self) -> None:
        if self.down_until is not None and self.now < self.down_until:
            return  # restarted again while booting: a later boot is scheduled
        self.down_until = None
        self._dispatch(self._queues)

    # --- internals -----------------------------------------------------------------------

    def cost_of(self, name: str, kind: str) -> Cost:
        """Return what one job of this kind asks of the CPU in this queue."""
        default = DISCOVERY_COST if kind == "discovery" else DEFAULT_JOB_COST
        return self.costs.get((name, kind), default)

    def alone(self, name: str, kind: str) -> float:
        """Return how long one such job takes with nothing else running on the box."""
        return self.box.alone(self.cost_of(name, kind))

    def _enqueue(
        self,
        name: str,
        kind: JobKind,
        *,
        asset: int | None = None,
        chain: bool = False,
        force: bool = False,
        duration: float | None = None,
        cost: Cost | None = None,
        hidden: bool = False,
    ) -> None:
        job = Job(
            id=next(self._job_ids),
            queue=name,
            kind=kind,
            cost=self.cost_of(name, kind) if cost is None else cost,
            fixed=duration,
            asset=asset,
            chain=chain,
            force=force,
            hidden=hidden,
        )
        self._queues[name].backlog.append(job)

    def _is_live(self, job: Job, at: float) -> bool:
        q = self._queues[job.queue]
        return job.id in q.active and job.finish_at == at

    def _dispatch(self, names: Iterable[str]) -> bool:
        """Start what free slots allow; tell whether anything started (the cores re-shared)."""
        if self.down_until is not None:
            return False
        self._progress()
        started: list[Job] = []
        for name in names:
            q = self._queues.get(name)
            if q is None or q.is_paused:
                continue
            while q.backlog and len(q.active) < q.concurrency:
                job = q.backlog.popleft()
                job.started_at = self.now
                job.remaining = job.cost.work
                q.active[job.id] = job
                if q.busy_since is None:
                    q.busy_since = self.now
                if job.fixed is not None:
                    job.finish_at = self.now + job.fixed
                    heapq.heappush(self._events, (job.finish_at, next(self._seq), job))
                else:
                    self._cpu[job.id] = job
                started.append(job)
        if started:
            self._reshare()
            for job in started:
                self._notify(
                    JobEvent(self.now, "start", job.queue, job.kind, job.asset)
                )
        return bool(started)

    def _progress(self) -> None:
        """Credit every running CPU job with the work done since the cores were last shared."""
        elapsed = self.now - self._shared_at
        if elapsed > 0:
            speed = self.box.speed
            for job in self._cpu.values():
                job.remaining -= job.cores * speed * elapsed
                job.core_seconds += job.cores * elapsed
        self._shared_at = self.now

    def _reshare(self) -> None:
        """Share the cores among the running CPU jobs; schedule the next one to finish."""
        total = sum(job.cost.threads for job in self._cpu.values())
        scale = share_scale(total, self.box.cores)
        now, speed = self.now, self.box.speed
        first: Job | None = None
        first_at = math.inf
        for job in self._cpu.values():
            job.cores = cores = job.cost.threads * scale
            at = now + max(job.remaining, 0.0) / (cores * speed) if cores > 0 else now
            job.finish_at = at
            if at < first_at:
                first, first_at = job, at
        if first is not None:
            heapq.heappush(self._events, (first_at, next(self._seq), first))
        busy = min(total, float(self.box.cores))
        last = self.load_log[-1]
        if (last[1], last[2]) != (total, busy):
            if last[0] == now:
                self.load_log[-1] = (now, total, busy)
            else:
                self.load_log.append((now, total, busy))

    def _close_busy(self, q: _Queue) -> None:
        if q.busy_since is not None:
            self.busy_log[q.name].append((q.busy_since, self.now))
            q.busy_since = None

    def _finish(self, job: Job) -> None:
        q = self._queues[job.queue]
        self._progress()
        del q.active[job.id]
        self._cpu.pop(job.id, None)
        self.completed_jobs += 1
        if job.started_at is not None:
            self.job_log.append(
                JobRecord(
                    job.queue, job.kind, job.started_at, self.now, job.core_seconds
                )
            )
        touched = [job.queue]
        if job.asset is not None and job.asset in self.assets:
            self.assets[job.asset].done[job.queue] = self.now
        if job.kind == "discovery":
            self._discover(job)
        elif job.chain and job.asset is not None:
            touched.extend(self._follow_ups(job))
        self._notify(JobEvent(self.now, "finish", job.queue, job.kind, job.asset))
        if not self._dispatch(touched):
            self._reshare()
        if not q.active:
            self._close_busy(q)

    def _follow_ups(self, job: Job) -> list[str]:
        asset = self.assets[job.asset] if job.asset is not None else None
        if asset is None:
            return []
        targets = [
            name
            for name in self.pipeline.get(job.queue, ())
            if name in self._queues
            and (name not in VIDEO_ONLY or asset.kind == "video")
        ]
        for name in targets:
            self._enqueue(name, asset.kind, asset=asset.id, chain=True)
        return targets

    def _discover(self, job: Job) -> None:
        """Enqueue what a "queue all" job finds: every asset (force) or those not yet done."""
        name = job.queue
        if name == STORAGE_TEMPLATE_MIGRATION:
            # One job walks every asset: it can run for hours on a big library.
            per_asset = self.cost_of(name, "photo")
            walk = Cost(per_asset.work * len(self.assets), per_asset.threads)
            self._enqueue(name, "task", cost=walk)
            return
        if name in {BACKUP_DATABASE}:
            self._enqueue(name, "task")
            return
        if name in {LIBRARY}:
            return  # no external libraries in this model
        for asset in self.assets.values():
            if name in VIDEO_ONLY and asset.kind != "video":
                continue
            if not job.force and name in asset.done:
                continue
            self._enqueue(name, asset.kind, asset=asset.id)

    def _notify(self, event: JobEvent) -> None:
        for listener in list(self._listeners):
            listener(event)
