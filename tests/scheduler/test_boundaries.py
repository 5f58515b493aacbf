"""The documented limits, at the limit and one past it (each line was checked by a mutation).

The express lane takes a backlog of at most `express_max_jobs` runnable jobs, expected to be
done within 5 s, from a queue working for at most 5 s; a release resumes exactly the queues
the integration paused, never one of Immich's internal queues.
"""

from __future__ import annotations

import pytest

from custom_components.immich_jobs.engine.queues import (
    BACKGROUND_TASK,
    METADATA_EXTRACTION as META,
    OCR,
    SMART_SEARCH as SMART,
    THUMBNAIL_GENERATION as THUMB,
    VIDEO_CONVERSION as VIDEO,
)
from custom_components.immich_jobs.engine.scheduler import (
    Action,
    Intents,
    Memory,
    Policy,
    plan,
    release,
)

from .helpers import ON, commanded, queue, snap


@pytest.mark.parametrize(
    ("jobs", "express"),
    [(5, True), (6, False)],
    ids=["at the limit", "one over"],
)
def test_express_lane_count_limit(jobs: int, express: bool) -> None:
    """Five runnable jobs take the express lane with a limit of five; six wait for a slot."""
    snapshot = snap(queue(VIDEO, 10, active=1), queue(OCR, jobs, paused=True))
    result = plan(snapshot, Policy(express_max_jobs=5), ON, Memory(), 0.0)
    assert (OCR in result.express) is express
    assert commanded(result) == ({OCR: Action.RESUME} if express else {})


@pytest.mark.parametrize(
    ("jobs", "express"),
    [(10, True), (11, False)],
    ids=["5.0 s of work", "5.5 s of work"],
)
def test_express_lane_time_limit(jobs: int, express: bool) -> None:
    """Jobs of 0.5 s each: ten (5.0 s) take the lane, eleven (5.5 s) wait for a slot."""
    snapshot = snap(queue(VIDEO, 10, active=1), queue(OCR, jobs, paused=True))
    memory = Memory(job_seconds={OCR: 0.5})
    assert (OCR in plan(snapshot, Policy(), ON, memory, 0.0).express) is express


@pytest.mark.parametrize(
    ("working_for", "express"),
    [(5.0, True), (5.5, False)],
    ids=["working 5.0 s", "working 5.5 s"],
)
def test_express_lane_sustained_limit(working_for: float, express: bool) -> None:
    """A light queue working for 5 s keeps the lane; half a second more is sustained work."""
    now = 100.0
    snapshot = snap(queue(VIDEO, 10, active=1), queue(OCR, 1, active=1))
    memory = Memory(
        job_seconds={OCR: 0.5},
        work={OCR: 3},
        progress_at={OCR: now - 1},
        running_since={OCR: now - working_for},
        read_at=now - 1,
    )
    assert (OCR in plan(snapshot, Policy(), ON, memory, now).express) is express


def test_release_resumes_exactly_the_queues_we_own() -> None:
    """Ours are resumed; a queue paused by someone else and internal queues are not touched."""
    snapshot = snap(
        queue(META, 5, paused=True),
        queue(SMART, paused=True),
        queue(THUMB, 5, paused=True),
        queue(BACKGROUND_TASK, 2, paused=True),
        queue("backupDatabase", paused=True),
    )
    # An older or damaged Store may name an internal queue as ours: it is still not resumed.
    memory = Memory(took_over=True, owned=frozenset({META, SMART, BACKGROUND_TASK}))
    assert commanded(release(snapshot, memory)) == {
        META: Action.RESUME,
        SMART: Action.RESUME,
    }


def test_plan_never_commands_internal_queues_even_if_owned() -> None:
    """Handing back what is no longer managed skips internal queues, paused or not."""
    snapshot = snap(
        queue(META, 5), queue(BACKGROUND_TASK, 2, paused=True), queue("search")
    )
    memory = Memory(took_over=True, owned=frozenset({BACKGROUND_TASK, "search"}))
    policy = Policy(express_lane=False, managed=frozenset({META, BACKGROUND_TASK}))
    assert plan(snapshot, policy, ON, memory, 0.0).commands == ()
    off = plan(snapshot, policy, Intents(scheduling=False), memory, 0.0)
    assert off.commands == ()
