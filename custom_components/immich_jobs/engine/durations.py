"""How long a queue's jobs take, learned from the counts Immich reports (pure, like the scheduler).

Immich tells how many jobs wait and run, never how long one takes. Falling counts since the
last read that saw the queue progress give the throughput; the express lane (is a backlog small and light?) and the hand-off
timing (when will the slot holder be done?) rest on that estimate.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from ..immich.models import QueueStatus, Snapshot
from .queues import VIDEO_CONVERSION

# What one job costs before anything was observed (seconds of queue time per job). A video
# transcode is heavy until proven otherwise (H.264 clips are accepted as they are, and are fast).
DEFAULT_JOB_SECONDS = 0.5
PRIOR_JOB_SECONDS: Mapping[str, float] = {VIDEO_CONVERSION: 10.0}
# Weight of a new observation of job duration (the rest is the previous estimate).
OBSERVATION_WEIGHT = 0.5


class Observed(Protocol):
    """What earlier reads taught (the scheduler's memory has these fields)."""

    @property
    def job_seconds(self) -> Mapping[str, float]:
        """Seconds of queue time per job (1 / throughput), per queue."""

    @property
    def work(self) -> Mapping[str, int]:
        """Work (runnable + active) per queue at the last read."""

    @property
    def progress_at(self) -> Mapping[str, float]:
        """When each working queue last made progress (or started working)."""

    @property
    def running_since(self) -> Mapping[str, float]:
        """When each working queue began its current stretch of work."""

    @property
    def read_at(self) -> float | None:
        """Time of the last successful read."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Learned:
    """What one more read teaches: the new values of the `Observed` fields."""

    job_seconds: Mapping[str, float]
    work: Mapping[str, int]
    progress_at: Mapping[str, float]
    running_since: Mapping[str, float]


def job_seconds(observed: Observed, queue: str) -> float:
    """Return the expected seconds of queue time per job: observed, else a prior."""
    return observed.job_seconds.get(
        queue, PRIOR_JOB_SECONDS.get(queue, DEFAULT_JOB_SECONDS)
    )


def work(status: QueueStatus) -> int:
    """Count the jobs a queue still has to run or is running."""
    return status.runnable + status.active


def learn(snapshot: Snapshot, observed: Observed, now: float) -> Learned:
    """Learn job durations and progress from the change in counts since the last read."""
    read_at = observed.read_at
    elapsed = now - read_at if read_at is not None else 0.0
    durations = dict(observed.job_seconds)
    progress_at: dict[str, float] = {}
    running_since: dict[str, float] = {}
    for name, status in snapshot.items():
        left = work(status)
        before = observed.work.get(name)
        done = before - left if before is not None else 0
        working = status.busy or (status.runnable > 0 and not status.is_paused)
        if done > 0 and elapsed > 0:
            # Measured since the last progress, not the last read: a job longer than the
            # read interval finishes at one read in two, and is as long as the two.
            since = observed.progress_at.get(name)
            sample = (now - since if since is not None else elapsed) / done
            estimate = job_seconds(observed, name)
            if left > 0 and since is not None:
                # Worked since its last progress: a fair sample of throughput.
                durations[name] = (
                    OBSERVATION_WEIGHT * sample + (1 - OBSERVATION_WEIGHT) * estimate
                )
            elif sample < estimate:
                # Emptied (or started) some time in the interval: only an upper bound.
                durations[name] = sample
        if working:
            progress_at[name] = (
                now
                if done > 0 or name not in observed.progress_at
                else observed.progress_at[name]
            )
            running_since[name] = observed.running_since.get(name, now)
        elif status.has_work:
            # Waiting paused for a slot ends neither a stretch of work nor a stall: were they
            # forgotten, sustained or slow work would look fresh and light again, and flip in
            # and out of the express lane (a pause and a resume that achieve nothing).
            if name in observed.progress_at:
                progress_at[name] = observed.progress_at[name]
            if name in observed.running_since:
                running_since[name] = observed.running_since[name]
    return Learned(
        job_seconds=durations,
        work={name: work(status) for name, status in snapshot.items()},
        progress_at=progress_at,
        running_since=running_since,
    )


def _effective_job_seconds(observed: Observed, queue: str, now: float) -> float:
    """Return the job duration to plan with: a long wait without progress counts too."""
    estimate = job_seconds(observed, queue)
    started = observed.progress_at.get(queue)
    return max(estimate, now - started) if started is not None else estimate


def is_express(
    status: QueueStatus,
    observed: Observed,
    now: float,
    *,
    max_jobs: int,
    max_seconds: float,
) -> bool:
    """Tell whether a queue's backlog is small enough to run without a slot.

    Small by count (at most `max_jobs` runnable), by expected time (at most `max_seconds`),
    and short-lived: a queue seen working for longer than `max_seconds` is sustained work and
    waits for a slot like any other.
    """
    seconds = _effective_job_seconds(observed, status.name, now)
    return (
        status.runnable <= max_jobs
        and now - observed.running_since.get(status.name, now) <= max_seconds
        and seconds <= max_seconds
        and work(status) * seconds <= max_seconds
    )


def eta(status: QueueStatus, observed: Observed, now: float) -> float:
    """Estimate seconds until a queue has no work left (runnable counts only if resumed)."""
    seconds = job_seconds(observed, status.name)
    jobs = status.active + (0 if status.is_paused else status.runnable)
    started = observed.progress_at.get(status.name, now)
    return max(0.0, jobs * seconds - (now - started))


def backlog_seconds(status: QueueStatus, observed: Observed, now: float) -> float:
    """Estimate, pessimistically, the seconds of work a queue has left (a stall counts)."""
    return work(status) * _effective_job_seconds(observed, status.name, now)


def job_left(status: QueueStatus, observed: Observed, now: float) -> float:
    """Estimate the seconds until a busy queue's running job ends and it could start another."""
    started = observed.progress_at.get(status.name, now)
    return max(0.0, job_seconds(observed, status.name) - (now - started))
