"""Drive one controller through one workload in simulated time and measure what users get."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
import statistics
import time
from typing import Any

from custom_components.immich_jobs.engine.scheduler import Action
from custom_components.immich_jobs.immich import QueueStatus
from simulator.cpu import SLOWER_BOX, Box
from simulator.model import ImmichModel, QueueCounts

from .controllers import Controller
from .measures import (
    clipped,
    core_free,
    cpu_busy,
    heavy_spans,
    models_memory_peak,
    peak,
    probe_slowdowns,
    quantile,
    sampled_peak,
    sustained_spans,
    time_above,
)
from .workloads import ML_MEMORY_MB, ML_RUNTIME_MB, ML_UNLOAD_AFTER, Workload

# Give up on a workload after this much simulated time (a controller that never finishes).
LIMIT = 6 * 3600.0
# The real runs' controllers first looked at T0+15-16 s (the last look before the upload came
# 30 s earlier, at idle); controllers start here so the model's first look lands the same.
FIRST_POLL = -14.5
# The real busy windows came from samples every 0.5 s: shorter stretches of work went unseen.
WINDOW_SAMPLE = 0.5


def to_status(counts: dict[str, QueueCounts]) -> dict[str, QueueStatus]:
    """Return the model's counts as the integration's client would parse them."""
    return {
        name: QueueStatus(
            name=name,
            active=c.active,
            waiting=c.waiting,
            paused=c.paused,
            delayed=c.delayed,
            failed=c.failed,
            is_paused=c.is_paused,
        )
        for name, c in counts.items()
    }


@dataclass(slots=True)
class Recorder:
    """Watch the model after every instant: running queues, stalls, hand-offs."""

    max_running: int
    last_time: float = 0.0
    running: frozenset[str] = frozenset()
    stalled: bool = False
    stall_s: float = 0.0
    over_cap_s: float = 0.0
    peak_running: int = 0
    starts: dict[str, float] = field(default_factory=dict)
    intervals: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    starved_since: float | None = None
    starved_by_handoff: bool = False
    gaps: list[float] = field(default_factory=list)
    windows: dict[str, tuple[float, float]] = field(default_factory=dict)
    has_work: frozenset[str] = frozenset()
    work_since: dict[str, float] = field(default_factory=dict)
    # Each queue's stretches with work (queued or running), and the longest stall.
    work_spans: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    stall_since: float | None = None
    stall_max_s: float = 0.0

    def record(self, model: ImmichModel) -> None:
        """Account for the time since the last record, then take the new state."""
        now = model.now
        elapsed = now - self.last_time
        if self.stalled:
            self.stall_s += elapsed
        if len(self.running) > self.max_running:
            self.over_cap_s += elapsed
        counts = model.snapshot()
        running = frozenset(name for name, c in counts.items() if c.active > 0)
        queued = {name for name, c in counts.items() if c.waiting + c.paused > 0}
        with_work = frozenset(queued | running)
        for name in with_work - self.has_work:
            self.work_since[name] = now
        for name in self.has_work - with_work:
            since = self.work_since.pop(name)
            self.work_spans.setdefault(name, []).append((since, now))
            self._window(name, since, now)
        self.has_work = with_work
        for name in running - self.running:
            self.starts[name] = now
        for name in self.running - running:
            self.intervals.setdefault(name, []).append((self.starts.pop(name), now))
        # A free slot while work waits; a hand-off gap when it began with a queue stopping.
        starved = len(running) < self.max_running and bool(queued - running)
        if starved and self.starved_since is None:
            self.starved_since = now
            self.starved_by_handoff = len(running) < len(self.running)
        elif not starved and self.starved_since is not None:
            if self.starved_by_handoff:
                self.gaps.append(now - self.starved_since)
            self.starved_since = None
        self.stalled = not running and bool(queued)
        if self.stalled and self.stall_since is None:
            self.stall_since = now
        elif not self.stalled and self.stall_since is not None:
            self.stall_max_s = max(self.stall_max_s, now - self.stall_since)
            self.stall_since = None
        self.running = running
        self.peak_running = max(self.peak_running, len(running))
        self.last_time = now

    def close(self, now: float) -> None:
        """Close the running stretches at the end of the run."""
        for name in self.running:
            self.intervals.setdefault(name, []).append((self.starts[name], now))
        for name, since in self.work_since.items():
            self.work_spans.setdefault(name, []).append((since, now))
            self._window(name, since, now)
        if self.stall_since is not None:
            self.stall_max_s = max(self.stall_max_s, now - self.stall_since)

    def _window(self, name: str, start: float, end: float) -> None:
        """Widen a queue's busy window by a stretch of work a sampler would have seen."""
        if end - start < WINDOW_SAMPLE:
            return
        first, last = self.windows.get(name, (start, end))
        self.windows[name] = (min(first, start), max(last, end))


def _quantiles(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"median": None, "p95": None}
    if len(values) == 1:
        return {"median": values[0], "p95": values[0]}
    p95 = statistics.quantiles(values, n=20, method="inclusive")[18]
    return {"median": statistics.median(values), "p95": p95}


def run(
    workload: Workload,
    controller: Controller,
    *,
    max_running: int = 1,
    first_poll: float = FIRST_POLL,
    box: Box = SLOWER_BOX,
    concurrency: dict[str, int] | None = None,
    ffmpeg_threads: int = 0,
    limit: float = LIMIT,
    measure: Callable[[ImmichModel, Recorder], dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Run one controller on one workload; return its figures (times in seconds)."""
    model = ImmichModel(
        start_time=first_poll,
        box=box,
        concurrency=concurrency,
        ffmpeg_threads=ffmpeg_threads,
    )
    workload.setup(model)
    recorder = Recorder(max_running, last_time=first_poll)
    next_poll: float | None = first_poll if controller.reads else None
    reads = commands = calls = 0
    first_seen: float | None = None  # the first read that saw work
    plan_ns = 0
    settled = False
    while True:
        event_at = model.next_event_time()
        if (
            event_at is not None
            and event_at <= limit
            and (next_poll is None or event_at <= next_poll)
        ):
            model.advance_to(event_at)
            recorder.record(model)
            continue
        if event_at is None and model.is_idle() and model.now >= workload.window:
            if settled or next_poll is None:
                break
            # One more look once the work is done, to see what the controller leaves paused.
            settled = True
        if next_poll is None or next_poll > max(limit, workload.window):
            break
        model.advance_to(next_poll)
        snapshot = to_status(model.snapshot())
        reads += 1
        if first_seen is None and any(s.has_work for s in snapshot.values()):
            first_seen = model.now
        started = time.perf_counter_ns()
        decision = controller.poll(snapshot, model.now)
        plan_ns += time.perf_counter_ns() - started
        calls += 1
        for name, action in decision.commands:
            if action is Action.PAUSE:
                model.pause(name)
            else:
                model.resume(name)
            commands += 1
        recorder.record(model)
        next_poll = (
            None if decision.next_check is None else model.now + decision.next_check
        )
    end = max(model.now, workload.window)
    recorder.close(model.now)

    all_intervals = [span for spans in recorder.intervals.values() for span in spans]
    heavy = heavy_spans(model.job_log)
    sustained = sustained_spans(model.job_log)
    photos = [a for a in model.assets.values() if a.kind == "photo"]
    latencies = [
        a.thumbnail_at - a.uploaded_at if a.thumbnail_at is not None else float("inf")
        for a in photos
    ]

    def once_seen(intervals: list[tuple[float, float]]) -> int | None:
        """Peak from the first read that saw work: what the controller could prevent."""
        return None if first_seen is None else peak(clipped(intervals, first_seen))

    def flat(
        by_queue: dict[str, list[tuple[float, float]]],
    ) -> list[tuple[float, float]]:
        return [span for spans in by_queue.values() for span in spans]

    final = model.snapshot()
    makespan = max((end_ for _, end_ in all_intervals), default=0.0)
    start = min((a.uploaded_at for a in model.assets.values()), default=0.0)
    # Time above N counts from the first read that saw work (unmanaged: from the first upload).
    since = first_seen if first_seen is not None else start
    slowdowns = probe_slowdowns(model.load_log, box.cores, start, makespan)
    duration_h = (end - first_poll) / 3600
    return {
        "makespan_s": round(makespan, 2),
        "peak_running_queues": recorder.peak_running,
        "peak_running_sampled_1s": sampled_peak(all_intervals),
        "peak_running_once_seen": once_seen(all_intervals),
        "peak_heavy_running": peak(flat(heavy)),
        "peak_heavy_once_seen": once_seen(flat(heavy)),
        "heavy_over_cap_s": round(time_above(heavy, max_running, since), 2),
        "peak_sustained_running": peak(flat(sustained)),
        "peak_sustained_once_seen": once_seen(flat(sustained)),
        "probe_slowdown": {
            "p50": _round(quantile(slowdowns, 0.5)),
            "p95": _round(quantile(slowdowns, 0.95)),
            "max": _round(max(slowdowns)) if slowdowns else None,
        },
        "ml_memory_peak_mb": round(
            models_memory_peak(
                model.job_log,
                ML_MEMORY_MB,
                runtime=ML_RUNTIME_MB,
                unload_after=ML_UNLOAD_AFTER,
            )
        )
        if workload.ml
        else None,
        "core_free": round(core_free(model.load_log, box.cores, start, makespan), 3),
        "cpu_busy": round(cpu_busy(model.load_log, box.cores, start, makespan), 3),
        "photo_thumbnail_at_s": [
            round(a.thumbnail_at, 2) for a in photos if a.thumbnail_at is not None
        ],
        "first_run_s": {
            name: round(spans[0][0], 1)
            for name, spans in sorted(recorder.intervals.items())
        },
        "busy_windows_s": {
            name: [round(w[0], 1), round(w[1], 1)]
            for name, w in sorted(recorder.windows.items())
        },
        "over_cap_s": round(recorder.over_cap_s, 2),
        "upload_to_thumbnail_s": {
            k: _round(v) for k, v in _quantiles(latencies).items()
        },
        "handoff_gap_s": {
            "median": _round(statistics.median(recorder.gaps))
            if recorder.gaps
            else 0.0,
            "max": _round(max(recorder.gaps)) if recorder.gaps else 0.0,
            "count": len(recorder.gaps),
        },
        "stall_s": round(recorder.stall_s, 2),
        # The box idle while a queue had work: nothing the bench's user chose holds any.
        "stall_longest_s": round(recorder.stall_max_s, 2),
        "stall_ratio": round(recorder.stall_s / makespan, 4) if makespan else 0.0,
        "requests_per_hour": round((reads + commands) / duration_h, 1),
        "reads": reads,
        "commands": commands,
        "plan_us_per_call": round(plan_ns / calls / 1000, 1) if calls else 0.0,
        "queues_left_paused": sorted(name for name, c in final.items() if c.is_paused),
        **(measure(model, recorder) if measure else {}),
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)
