"""Job durations learned from falling counts: measured since the last progress, not the read."""

from __future__ import annotations

from custom_components.immich_jobs.engine.durations import learn
from custom_components.immich_jobs.engine.scheduler import Memory
from custom_components.immich_jobs.immich import Snapshot

from .helpers import queue, snap

VIDEO = "videoConversion"  # its prior: 10 s a job
THUMBS = "thumbnailGeneration"


def _read(memory: Memory, snapshot: Snapshot, now: float) -> Memory:
    """Learn from one read, as the scheduler's memory keeps it."""
    learned = learn(snapshot, memory, now)
    return Memory(
        job_seconds=learned.job_seconds,
        work=learned.work,
        progress_at=learned.progress_at,
        running_since=learned.running_since,
        read_at=now,
    )


def test_a_job_longer_than_the_read_interval_is_learned_at_its_length() -> None:
    """A 20 s transcode read every 10 s: one read sees nothing done, the next one job.

    Sampled since the last read it looked 10 s long; since the last progress it is 20 s,
    blended half and half with the prior 10 s: 15 s.
    """
    memory = _read(Memory(), snap(queue(VIDEO, 19, active=1)), 0.0)
    memory = _read(memory, snap(queue(VIDEO, 19, active=1)), 10.0)
    memory = _read(memory, snap(queue(VIDEO, 18, active=1)), 20.0)
    assert memory.job_seconds[VIDEO] == 15.0
    memory = _read(memory, snap(queue(VIDEO, 18, active=1)), 30.0)
    memory = _read(memory, snap(queue(VIDEO, 17, active=1)), 40.0)
    assert memory.job_seconds[VIDEO] == 17.5


def test_a_queue_progressing_at_every_read_is_learned_per_interval() -> None:
    """Thumbnails: 4 done in each 10 s: 2.5 s a job (blended with the prior 0.5 s: 1.5 s)."""
    memory = _read(Memory(), snap(queue(THUMBS, 37, active=3)), 0.0)
    memory = _read(memory, snap(queue(THUMBS, 33, active=3)), 10.0)
    assert memory.job_seconds[THUMBS] == 1.5
    memory = _read(memory, snap(queue(THUMBS, 29, active=3)), 20.0)
    assert memory.job_seconds[THUMBS] == 2.0
