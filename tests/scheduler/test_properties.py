"""Invariants of the scheduler over random snapshots, policies, intents and memories."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings, strategies as st

from custom_components.immich_jobs.const import POLICY_FINISH_FIRST, POLICY_PREEMPTIVE
from custom_components.immich_jobs.engine.queues import (
    DEFAULT_PRIORITY,
    INTERNAL_QUEUES,
    LIBRARY,
    MIGRATION,
    is_manageable,
)
from custom_components.immich_jobs.engine.scheduler import (
    Action,
    Intents,
    Memory,
    Plan,
    Policy,
    job_seconds,
    managed_queues,
    plan,
)
from custom_components.immich_jobs.immich import QueueStatus

from .helpers import apply, holders, queue

NAMES = (
    *DEFAULT_PRIORITY,
    LIBRARY,
    MIGRATION,
    "backgroundTask",
    "notifications",
    "someNewQueue",
)
# Derandomized and without an example database, so that a run does not depend on the machine
# or on earlier runs. 200 examples per property: the draws below put the counts on both sides
# of the limits (5 and 6 around an express limit of 5, 25 and 26 around 25, 10 and 11 jobs of
# 0.5 s around 5 s, working for 5.0 and 5.5 s, N = 0). With 200 examples the count limit moved
# by one is found (checked by mutating the code by hand; the issue saw it survive 75 random
# ones). The exact time limits are pinned by tests/scheduler/test_boundaries.py. About 40 s of
# CPU for the file.
# No deadline and no "too slow" health check: both measure wall-clock time, which a loaded
# machine stretches.
SETTINGS = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

names = st.frozensets(st.sampled_from(NAMES))


@st.composite
def snapshots(draw: st.DrawFn) -> dict[str, QueueStatus]:
    """Any mix of queues, counts and pause states, including draining and odd ones."""
    result = {}
    for name in draw(
        st.lists(st.sampled_from(NAMES), unique=True, max_size=len(NAMES))
    ):
        jobs = draw(st.sampled_from((0, 0, 1, 3, 5, 6, 10, 11, 24, 25, 26, 500)))
        active = draw(st.sampled_from((0, 0, 1, 3)))
        result[name] = queue(name, jobs, active=active, paused=draw(st.booleans()))
    return result


@st.composite
def policies(draw: st.DrawFn) -> Policy:
    """Any limit (0 included), order, managed set (internal queues included), policy kind."""
    return Policy(
        max_running=draw(st.integers(0, 3)),
        priority=tuple(draw(st.permutations(NAMES)))
        if draw(st.booleans())
        else DEFAULT_PRIORITY,
        managed=draw(names),
        kind=draw(st.sampled_from((POLICY_PREEMPTIVE, POLICY_FINISH_FIRST))),
        express_lane=draw(st.booleans()),
        express_max_jobs=draw(st.sampled_from((0, 5, 25))),
    )


intents_st = st.builds(Intents, scheduling=st.booleans(), held=names, run_now=names)


@st.composite
def memories(draw: st.DrawFn) -> Memory:
    """Draw a memory from earlier cycles: ownership, observed durations, progress times."""
    observed = draw(
        st.dictionaries(st.sampled_from(NAMES), st.sampled_from((0.01, 0.2, 1.0, 9.0)))
    )
    return Memory(
        owned=draw(names),
        job_seconds=observed,
        work=draw(st.dictionaries(st.sampled_from(NAMES), st.integers(0, 600))),
        progress_at=draw(
            st.dictionaries(st.sampled_from(NAMES), st.sampled_from((0.0, 95.0, 100.0)))
        ),
        running_since=draw(
            st.dictionaries(
                st.sampled_from(NAMES), st.sampled_from((0.0, 94.5, 95.0, 97.0, 100.0))
            )
        ),
        read_at=draw(st.sampled_from((None, 90.0))),
    )


NOW = 100.0


def _forced(
    snapshot: dict[str, QueueStatus], policy: Policy, intents: Intents
) -> set[str]:
    """Run-now queues that are allowed to exceed the limit."""
    return {
        name
        for name in managed_queues(snapshot, policy)
        if name in intents.run_now
        and name not in intents.held
        and snapshot[name].has_work
    }


def _after(snapshot: dict[str, QueueStatus], result: Plan) -> dict[str, QueueStatus]:
    return apply(snapshot, result)


@SETTINGS
@given(snapshots(), policies(), intents_st, memories())
def test_cap_holds_without_express(snapshot, policy, intents, memory) -> None:
    """At most N queues resumed-with-work plus draining, unless run now forces more.

    A plan never adds a slot holder beyond N: the holders after it are at most
    max(N, holders before ∪ run-now), since draining jobs cannot be stopped.
    """
    policy = Policy(**{**_fields(policy), "express_lane": False})
    intents = Intents(held=intents.held, run_now=intents.run_now)
    result = plan(snapshot, policy, intents, memory, NOW)
    managed = managed_queues(snapshot, policy)
    before = holders(snapshot, managed) | _forced(snapshot, policy, intents)
    after = holders(_after(snapshot, result), managed)
    assert len(after) <= max(policy.max_running, len(before))
    if after - before:
        assert len(after) <= max(
            policy.max_running, len(_forced(snapshot, policy, intents))
        )


@SETTINGS
@given(snapshots(), policies(), intents_st, memories())
def test_express_lane_relaxes_only_the_cap_by_small_backlogs(
    snapshot, policy, intents, memory
) -> None:
    """The express lane is the one relaxation of the cap, and only for small, light backlogs.

    Holders outside the express lane obey the same bound as without it; every queue running
    in the express lane has at most `express_max_jobs` runnable jobs and an expected backlog of
    at most `express_max_seconds`, and nothing runs in it when N is 0 or the lane is off.
    """
    intents = Intents(held=intents.held, run_now=intents.run_now)
    result = plan(snapshot, policy, intents, memory, NOW)
    managed = managed_queues(snapshot, policy)
    express = result.express
    before = (holders(snapshot, managed) | _forced(snapshot, policy, intents)) - express
    after = holders(_after(snapshot, result), managed) - express
    assert len(after) <= max(policy.max_running, len(before))
    if not policy.express_lane or policy.max_running == 0:
        assert not express
    for name in express:
        status = snapshot[name]
        seconds = job_seconds(result.memory, name)
        assert status.runnable <= policy.express_max_jobs
        assert (status.runnable + status.active) * seconds <= policy.express_max_seconds
        assert name not in intents.held
        assert (
            NOW - result.memory.running_since.get(name, NOW)
            <= policy.express_max_seconds
        )


@SETTINGS
@given(snapshots(), policies(), intents_st, memories())
def test_no_command_for_unmanaged_or_internal_queue(
    snapshot, policy, intents, memory
) -> None:
    """Commands go to managed queues only; a queue we paused may be handed back (resumed)."""
    result = plan(snapshot, policy, intents, memory, NOW)
    managed = set(managed_queues(snapshot, policy))
    for command in result.commands:
        assert command.queue not in INTERNAL_QUEUES
        assert command.queue in managed or (
            command.queue in memory.owned and command.action is Action.RESUME
        )
        assert command.reason
        # A command always changes something.
        assert snapshot[command.queue].is_paused == (command.action is Action.RESUME)


@SETTINGS
@given(snapshots(), policies(), intents_st, memories())
def test_held_queues_end_paused(snapshot, policy, intents, memory) -> None:
    """The per-queue switch works even with automatic scheduling off."""
    after = _after(snapshot, plan(snapshot, policy, intents, memory, NOW))
    for name in intents.held & set(managed_queues(snapshot, policy)):
        assert after[name].is_paused


@SETTINGS
@given(snapshots(), policies(), intents_st, memories())
def test_idempotent(snapshot, policy, intents, memory) -> None:
    """Planning again on the state the plan produced sends no command."""
    first = plan(snapshot, policy, intents, memory, NOW)
    again = plan(_after(snapshot, first), policy, intents, first.memory, NOW)
    assert again.commands == ()


@SETTINGS
@given(snapshots(), policies(), intents_st, memories())
def test_global_idle_resumes_every_managed_queue(
    snapshot, policy, intents, memory
) -> None:
    """No managed work anywhere: every managed queue (not held) ends resumed, if N ≥ 1."""
    snapshot = {
        name: queue(name, paused=status.is_paused) for name, status in snapshot.items()
    }
    policy = Policy(**{**_fields(policy), "max_running": max(1, policy.max_running)})
    intents = Intents(held=intents.held, run_now=intents.run_now)
    after = _after(snapshot, plan(snapshot, policy, intents, memory, NOW))
    for name in managed_queues(snapshot, policy):
        assert after[name].is_paused == (name in intents.held)


@SETTINGS
@given(snapshots(), policies(), intents_st, memories())
def test_highest_priority_queues_own_the_slots(
    snapshot, policy, intents, memory
) -> None:
    """Preemptive: only the top N queues with work (by priority) may run.

    A top queue is kept waiting only while draining jobs fill the slots, and a free slot is
    never left empty while a queue with work waits.
    """
    policy = Policy(**{**_fields(policy), "kind": POLICY_PREEMPTIVE})
    intents = Intents(held=intents.held, run_now=intents.run_now)
    result = plan(snapshot, policy, intents, memory, NOW)
    after = _after(snapshot, result)
    managed = managed_queues(snapshot, policy)
    forced = _forced(snapshot, policy, intents)
    waiting = [
        name
        for name in managed
        if snapshot[name].has_work
        and name not in intents.held
        and name not in forced
        and name not in result.express
    ]
    running = [name for name in waiting if not after[name].is_paused]
    slots = max(0, policy.max_running - len(forced))
    # A loser is left running only when a pause would change nothing: it was running a job
    # (which a pause would not stop) and every top queue already runs.
    kept = set(running) - set(waiting[:slots])
    for name in kept:
        assert snapshot[name].busy
        assert not snapshot[name].is_paused
        assert all(not after[top].is_paused for top in waiting[:slots])
    full = len(holders(after, managed) - result.express) >= policy.max_running
    if len(running) < len(waiting[:slots]):
        # A winner waits only while draining jobs fill the slots.
        assert full
    if not full:
        assert running == waiting


@SETTINGS
@given(policies(), intents_st, memories())
def test_no_command_on_unknown_state(policy, intents, memory) -> None:
    """A failed read changes nothing and forgets nothing."""
    result = plan(None, policy, intents, memory, NOW)
    assert result.commands == ()
    assert result.memory == memory
    assert result.next_check == policy.poll_interval


@SETTINGS
@given(snapshots(), policies(), intents_st, memories())
def test_ownership_tracks_our_pauses(snapshot, policy, intents, memory) -> None:
    """We own the queues we pause until a read shows them resumed; never an internal queue."""
    result = plan(snapshot, policy, intents, memory, NOW)
    after = _after(snapshot, result)
    paused_now = {c.queue for c in result.commands if c.action is Action.PAUSE}
    assert paused_now <= result.memory.owned
    for name in result.memory.owned:
        assert name not in after or snapshot[name].is_paused or after[name].is_paused
        assert is_manageable(name) or name in memory.owned
    again = plan(after, policy, intents, result.memory, NOW)
    for name in again.memory.owned:
        assert name not in after or after[name].is_paused
    assert 0 < result.next_check <= 300


def _fields(policy: Policy) -> dict[str, object]:
    return {name: getattr(policy, name) for name in Policy.__dataclass_fields__}


@SETTINGS
@given(snapshots(), policies(), intents_st, memories())
def test_every_managed_queue_says_why(snapshot, policy, intents, memory) -> None:
    """Each managed queue has a reason; slot numbers are distinct, 1 to N, on resumed queues."""
    result = plan(snapshot, policy, intents, memory, NOW)
    after = _after(snapshot, result)
    assert set(result.reasons) == set(managed_queues(snapshot, policy))
    slots = [why.slot for why in result.reasons.values() if why.slot is not None]
    assert len(slots) == len(set(slots))
    assert all(1 <= slot <= policy.max_running for slot in slots)
    for name, why in result.reasons.items():
        if why.slot is not None:
            assert not after[name].is_paused, name
