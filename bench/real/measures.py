"""What the real bench measures, as pure functions of what it recorded (no I/O, no clock).

Inputs: the queue reads of a once-every-half-second sampler (times in seconds after T0), the
requests the controller sent (seen by the bench's counting proxy), the probe's timings. Every
threshold is about the box and the work, none is one of the scheduler's:
- a queue **has work** when it runs a job or holds one (waiting, paused or delayed);
- **makespan**: the first read with no work anywhere after the last read with work;
- **stall**: time in which some queue held work and no queue ran anything;
- **probe slowdown**: a fixed piece of CPU work timed in the foreground, divided by the MEDIAN
  of the idle box's own samples (the fastest idle sample would inflate every figure).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
import math
import re
import statistics

from bench.measures import quantile
from custom_components.immich_jobs.engine.queues import INTERNAL_QUEUES
from custom_components.immich_jobs.immich import QueueStatus

type Queues = Mapping[str, QueueStatus]

# A queue command in either API: PUT /api/queues/{name} (v2.4+) or PUT /api/jobs/{name}.
_COMMAND = re.compile(r"^/api/(?:queues|jobs)/([A-Za-z]+)$")


@dataclass(frozen=True, slots=True)
class Sample:
    """One read of every queue, `at` seconds after T0."""

    at: float
    queues: Queues


@dataclass(frozen=True, slots=True)
class Request:
    """One request the controller sent, `at` seconds after T0."""

    at: float
    method: str
    path: str


def has_work(queue: QueueStatus) -> bool:
    """Tell whether a queue runs a job or holds one (waiting, paused or delayed)."""
    return queue.active + queue.waiting + queue.paused + queue.delayed > 0


def _any_work(sample: Sample) -> bool:
    return any(has_work(q) for q in sample.queues.values())


def makespan(samples: Sequence[Sample]) -> float:
    """Return the first read with no work after the last read with work (0 if none had work)."""
    last = max((i for i, s in enumerate(samples) if _any_work(s)), default=None)
    if last is None:
        return 0.0
    if last + 1 < len(samples):
        return samples[last + 1].at
    return samples[last].at


def stall(samples: Sequence[Sample], end: float) -> float:
    """Return the seconds before `end` in which work was held and nothing ran."""
    total = 0.0
    for here, after in zip(samples, samples[1:], strict=False):
        if here.at >= end:
            break
        queues = here.queues.values()
        held = any(q.waiting + q.paused + q.delayed > 0 for q in queues)
        if held and not any(q.active > 0 for q in queues):
            total += min(after.at, end) - here.at
    return total


def peak_running(samples: Iterable[Sample]) -> int:
    """Return the most queues seen running a job in one read."""
    return max(
        (sum(q.active > 0 for q in s.queues.values()) for s in samples), default=0
    )


def busy_windows(samples: Sequence[Sample]) -> dict[str, tuple[float, float]]:
    """Return each queue's first → last read with work."""
    windows: dict[str, tuple[float, float]] = {}
    for sample in samples:
        for name, queue in sample.queues.items():
            if has_work(queue):
                first = windows.get(name, (sample.at, sample.at))[0]
                windows[name] = (first, sample.at)
    return windows


def paused(queues: Queues) -> list[str]:
    """Return the queues paused in one read, by name."""
    return sorted(name for name, q in queues.items() if q.is_paused)


def commanded(requests: Iterable[Request]) -> list[str]:
    """Return the queues the controller sent a command to."""
    names = set()
    for request in requests:
        if request.method == "PUT" and (match := _COMMAND.match(request.path)):
            names.add(match.group(1))
    return sorted(names)


def internal_touched(requests: Iterable[Request]) -> list[str]:
    """Return Immich's own queues (trash, backups…) the controller commanded."""
    return [name for name in commanded(requests) if name in INTERNAL_QUEUES]


def requests_per_hour(requests: Iterable[Request], start: float, end: float) -> float:
    """Return the controller's requests per hour between two moments."""
    if end <= start:
        return 0.0
    count = sum(start <= r.at <= end for r in requests)
    return count * 3600 / (end - start)


def latencies(uploaded: Sequence[float], ready: Sequence[float | None]) -> list[float]:
    """Return each photo's upload → thumbnail time (infinite when it never came)."""
    return [
        math.inf if done is None else done - at
        for at, done in zip(uploaded, ready, strict=True)
    ]


def median(values: Sequence[float]) -> float | None:
    """Return the median, or None without values."""
    return statistics.median(values) if values else None


def probe_figures(
    probe: Sequence[tuple[float, float]],
    idle: Sequence[float],
    start: float,
    end: float,
) -> dict[str, float | int | None]:
    """Return the probe's p50 / p95 / max slowdown between two moments.

    `probe` holds (at, seconds taken); `idle` the idle box's own timings. Each sample is divided
    by the median idle sample; the idle box's own p95 on that scale is returned beside.
    """
    reference = statistics.median(idle)
    inside = [taken / reference for at, taken in probe if start <= at < end]
    own = [taken / reference for taken in idle]

    def rounded(value: float | None) -> float | None:
        return None if value is None else round(value, 2)

    return {
        "p50": rounded(quantile(inside, 0.5)),
        "p95": rounded(quantile(inside, 0.95)),
        "max": rounded(max(inside)) if inside else None,
        "samples": len(inside),
        "idle_p95": rounded(quantile(own, 0.95)),
    }


def first_quiet(samples: Sequence[Sample], queue: str, after: float) -> float | None:
    """Return the first read at or after `after` in which `queue` runs nothing."""
    for sample in samples:
        status = sample.queues.get(queue)
        if sample.at >= after and (status is None or status.active == 0):
            return sample.at
    return None
