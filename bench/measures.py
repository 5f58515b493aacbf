"""What the benchmark measures, as pure functions of the model's timelines.

Every threshold here is about CPU and time on the box, chosen from what a user of the box
notices, never from the scheduler's own constants (its express budget, its cost estimates):
- the **foreground probe** is the real probe of the baseline measurements: 20 ms of one core
  at idle, once a second; its slowdown is what Home Assistant or Immich's web app feels;
- a **heavy** job lasted more than a few seconds and used at least as much CPU as half a core
  for that long (``HEAVY_CORES`` × ``HEAVY_SECONDS``), whatever queue it is in;
- a **sustained** queue ran without a break (gaps under ``BREAK_SECONDS``) for more than
  ``SUSTAINED_SECONDS`` and used at least ``HEAVY_CORES`` over that stretch.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
import math
import statistics

from simulator.model import JobRecord

HEAVY_CORES = 0.5
HEAVY_SECONDS = 3.0
SUSTAINED_SECONDS = 10.0
BREAK_SECONDS = 1.0
PROBE_WORK = 0.02  # core-seconds: 20 ms of one core at idle
PROBE_EVERY = 1.0

type Load = Sequence[tuple[float, float, float]]  # (from, runnable threads, cores busy)
type Spans = list[tuple[float, float]]


def probe_latency(load: Load, cores: int, at: float, work: float = PROBE_WORK) -> float:
    """Return how long a one-thread request of ``work`` core-seconds takes, arriving at ``at``.

    It gets a fair slice of the cores with everything running (its own thread counted), at
    most one core: ``min(1, cores / (threads + 1))`` while the load stays the same.
    """
    left = work
    now = at
    index = max(0, _segment(load, at))
    while True:
        threads = load[index][1] if load and load[index][0] <= now else 0.0
        rate = min(1.0, cores / (threads + 1.0))
        end = load[index + 1][0] if index + 1 < len(load) else math.inf
        if left <= rate * (end - now):
            return now + left / rate - at
        left -= rate * (end - now)
        now = end
        index += 1


def probe_slowdowns(
    load: Load, cores: int, start: float, end: float, every: float = PROBE_EVERY
) -> list[float]:
    """Return the probe's slowdown against an idle box, one probe every ``every`` s."""
    count = max(0, math.floor((end - start) / every))
    return [
        probe_latency(load, cores, start + i * every) / PROBE_WORK for i in range(count)
    ]


def cpu_busy(load: Load, cores: int, start: float, end: float) -> float:
    """Return the fraction of the box's cores busy between two moments."""
    if end <= start:
        return 0.0
    used = 0.0
    for i, (since, _threads, busy) in enumerate(load):
        until = load[i + 1][0] if i + 1 < len(load) else math.inf
        used += busy * max(0.0, min(until, end) - max(since, start))
    return used / (cores * (end - start))


def core_free(load: Load, cores: int, start: float, end: float) -> float:
    """Return the fraction of the time at least one whole core stood idle."""
    if end <= start:
        return 0.0
    free = 0.0
    for i, (since, _threads, busy) in enumerate(load):
        until = load[i + 1][0] if i + 1 < len(load) else math.inf
        if busy <= cores - 1 + 1e-9:
            free += max(0.0, min(until, end) - max(since, start))
    return free / (end - start)


def heavy_spans(jobs: Iterable[JobRecord]) -> dict[str, Spans]:
    """Return, per queue, when its heavy jobs ran.

    Heavy: it lasted more than ``HEAVY_SECONDS`` and used at least as much CPU as half a core
    for that long. Its CPU, not its share, decides: a transcode slowed to a third of a core by
    what runs beside it is still heavy work.
    """
    spans: dict[str, Spans] = {}
    for job in jobs:
        length = job.end - job.start
        if length > HEAVY_SECONDS and job.core_seconds >= HEAVY_CORES * HEAVY_SECONDS:
            spans.setdefault(job.queue, []).append((job.start, job.end))
    return {queue: merged(s) for queue, s in spans.items()}


def sustained_spans(jobs: Iterable[JobRecord]) -> dict[str, Spans]:
    """Return, per queue, its unbroken stretches of work long and CPU-hungry enough."""
    by_queue: dict[str, list[JobRecord]] = {}
    for job in jobs:
        by_queue.setdefault(job.queue, []).append(job)
    result: dict[str, Spans] = {}
    for queue, records in by_queue.items():
        records.sort(key=lambda r: r.start)
        for start, end in merged([(r.start, r.end) for r in records], BREAK_SECONDS):
            used = sum(r.core_seconds for r in records if start <= r.start < end)
            if end - start > SUSTAINED_SECONDS and used >= HEAVY_CORES * (end - start):
                result.setdefault(queue, []).append((start, end))
    return result


def models_memory_peak(
    jobs: Iterable[JobRecord],
    models: dict[str, float],
    *,
    runtime: float,
    unload_after: float,
) -> float:
    """Return the most memory the ML server's models held at once (MB).

    A queue's model loads when its first job starts and unloads ``unload_after`` seconds
    after its last job ends (Immich's ML server unloads idle models); ``runtime`` counts
    while any model is loaded.
    """
    spans: dict[str, Spans] = {}
    for job in jobs:
        if job.queue in models:
            spans.setdefault(job.queue, []).append((job.start, job.end + unload_after))
    events = sorted(
        (t, delta * models[queue], delta)
        for queue, queue_spans in spans.items()
        for start, end in merged(queue_spans)
        for t, delta in ((start, 1), (end, -1))
    )
    best = held = 0.0
    loaded = 0
    for _, memory, delta in events:
        held += memory
        loaded += delta
        best = max(best, held + (runtime if loaded else 0.0))
    return best


def merged(spans: Iterable[tuple[float, float]], gap: float = 0.0) -> Spans:
    """Return the spans joined where they overlap or lie less than ``gap`` apart."""
    out: Spans = []
    for start, end in sorted(spans):
        if out and start - out[-1][1] < gap + 1e-9:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def time_above(spans_by_queue: dict[str, Spans], limit: int, since: float) -> float:
    """Return how long more than ``limit`` queues had spans at once, from ``since`` on."""
    events = sorted(
        (t, delta)
        for spans in spans_by_queue.values()
        for start, end in clipped(spans, since)
        for t, delta in ((start, 1), (end, -1))
    )
    total = 0.0
    current = 0
    last = since
    for t, delta in events:
        if current > limit:
            total += t - last
        current += delta
        last = t
    return total


def peak(intervals: Spans, skip_first: float = 0.0) -> int:
    """Return the most intervals overlapping at once, ignoring each one's first seconds."""
    events: list[tuple[float, int]] = []
    for start, end in intervals:
        if end - start > skip_first:
            events.extend(((start + skip_first, 1), (end, -1)))
    events.sort()  # at equal times, -1 (an end) sorts before +1 (a start)
    best = current = 0
    for _, delta in events:
        current += delta
        best = max(best, current)
    return best


def sampled_peak(intervals: Spans, every: float = 1.0, phases: int = 20) -> int:
    """Return the most queues a sampler reading `active` every second typically sees at once.

    The real-server baseline measured its peaks this way: jobs of a few milliseconds are
    rarely seen. A real sampler's ticks fall anywhere, so this is the median over evenly
    spread tick phases.
    """
    peaks: list[int] = []
    for step in range(phases):
        offset = every * step / phases
        seen: dict[int, int] = {}
        for start, end in intervals:
            first = math.ceil((start - offset) / every)
            for tick in range(first, math.ceil((end - offset) / every)):
                seen[tick] = seen.get(tick, 0) + 1
        peaks.append(max(seen.values(), default=0))
    return statistics.median_low(peaks)


def clipped(intervals: Spans, since: float) -> Spans:
    """Return the parts of running stretches after a moment."""
    return [(max(start, since), end) for start, end in intervals if end > since]


def quantile(values: Sequence[float], q: float) -> float | None:
    """Return the q-quantile (inclusive method), None without values."""
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    ordered = sorted(values)
    pos = q * (len(ordered) - 1)
    low = math.floor(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def _segment(load: Load, at: float) -> int:
    """Return the index of the load segment in force at ``at`` (-1 before the first)."""
    lo, hi = 0, len(load)
    while lo < hi:
        mid = (lo + hi) // 2
        if load[mid][0] <= at:
            lo = mid + 1
        else:
            hi = mid
    return lo - 1


def busy_within(
    jobs: Iterable[JobRecord], queues: Iterable[str], start: float, end: float
) -> float:
    """Return how long, between two moments, at least one job of these queues was running."""
    names = frozenset(queues)
    spans = merged(
        (max(job.start, start), min(job.end, end))
        for job in jobs
        if job.queue in names and job.end > start and job.start < end
    )
    return sum(stop - begin for begin, stop in spans)
