"""Priority scheduling of Immich's job queues, as a pure function.

`plan` turns what was read from Immich this cycle (the snapshot), the user's options (policy) and
wishes (intents) and the scheduler's own memory into the commands to send, each with a reason,
the memory to keep, and when to look again. No Home Assistant, no I/O, no clock: the same code
runs in the coordinator, the tests, the simulator and the benchmarks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from .const import (
    DEFAULT_EXPRESS_MAX_JOBS,
    MAX_POLL_INTERVAL,
    POLICY_FINISH_FIRST,
    POLICY_PREEMPTIVE,
)
from .immich import QueueStatus, Snapshot
from .queues import DEFAULT_MANAGED, DEFAULT_PRIORITY, VIDEO_CONVERSION, is_manageable

# Look again this soon at the earliest: a hand-off should take a second or two, not a poll.
MIN_CHECK = 1.0
# Look again this soon after sending commands, to see them take effect.
AFTER_COMMAND_CHECK = 2.0
# With nothing to do anywhere, poll this many times slower than the configured interval
# (queues are all resumed then, so a new upload starts at once without us).
IDLE_FACTOR = 3.0
# Express lane: a backlog runs without a slot if it is expected to be done within this time.
DEFAULT_EXPRESS_MAX_SECONDS = 5.0
# What one job costs before anything was observed (seconds of queue time per job). A video
# transcode is heavy until proven otherwise (H.264 clips are accepted as they are, and are fast).
DEFAULT_JOB_SECONDS = 0.5
PRIOR_JOB_SECONDS: Mapping[str, float] = {VIDEO_CONVERSION: 10.0}
# Look again this soon after a release (the coordinator retries while it cannot reach Immich).
DEFAULT_RELEASE_RETRY = 10.0
# Weight of a new observation of job duration (the rest is the previous estimate).
OBSERVATION_WEIGHT = 0.5


class Action(StrEnum):
    """What the integration asks Immich to do with a queue."""

    PAUSE = "pause"
    RESUME = "resume"


class QueueState(StrEnum):
    """What a managed queue is doing, as the status sensor shows it."""

    RUNNING = "running"
    DRAINING = "draining"
    QUEUED = "queued"
    IDLE = "idle"
    HELD = "held"


@dataclass(frozen=True, slots=True)
class Command:
    """One command to send, with the reason to log and show."""

    queue: str
    action: Action
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Policy:
    """The user's options: how many queues may run, in which order, which queues are ours."""

    max_running: int = 1
    priority: tuple[str, ...] = DEFAULT_PRIORITY
    managed: frozenset[str] = DEFAULT_MANAGED
    kind: str = POLICY_PREEMPTIVE
    express_lane: bool = True
    express_max_jobs: int = DEFAULT_EXPRESS_MAX_JOBS
    poll_interval: float = 10.0
    express_max_seconds: float = DEFAULT_EXPRESS_MAX_SECONDS


@dataclass(frozen=True, slots=True, kw_only=True)
class Intents:
    """What the user asked for through the entities."""

    scheduling: bool = True
    held: frozenset[str] = frozenset()
    run_now: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True, kw_only=True)
class Memory:
    """What the scheduler remembers between cycles (store.py keeps part of it)."""

    # Queues the integration paused and must resume on release. A queue paused by someone
    # else is not ours to resume.
    owned: frozenset[str] = frozenset()
    # Observed seconds of queue time per job (1 / throughput), per queue.
    job_seconds: Mapping[str, float] = field(default_factory=dict)
    # Work (runnable + active) per queue at the last read, to see progress from falling counts.
    work: Mapping[str, int] = field(default_factory=dict)
    # When each working queue last made progress (or started working).
    progress_at: Mapping[str, float] = field(default_factory=dict)
    # When each working queue began its current stretch of work (sustained work needs a slot).
    running_since: Mapping[str, float] = field(default_factory=dict)
    # When the integration last commanded each queue.
    commanded_at: Mapping[str, float] = field(default_factory=dict)
    # Time of the last successful read.
    read_at: float | None = None


@dataclass(frozen=True, slots=True)
class Plan:
    """The outcome of one cycle: commands, memory to keep, and when to look again."""

    commands: tuple[Command, ...]
    memory: Memory
    next_check: float  # seconds from now
    states: Mapping[str, QueueState] = field(default_factory=dict)
    finished_run_now: frozenset[str] = frozenset()
    # Queues running (or allowed to run) without a slot because their backlog is small.
    express: frozenset[str] = frozenset()


def managed_queues(snapshot: Snapshot, policy: Policy) -> list[str]:
    """Return the managed queues present in the snapshot, highest priority first."""
    rank = {name: index for index, name in enumerate(policy.priority)}
    names = [
        name for name in snapshot if name in policy.managed and is_manageable(name)
    ]
    return sorted(names, key=lambda name: (rank.get(name, len(rank)), name))


def job_seconds(memory: Memory, queue: str) -> float:
    """Return the expected seconds of queue time per job: observed, else a prior."""
    return memory.job_seconds.get(
        queue, PRIOR_JOB_SECONDS.get(queue, DEFAULT_JOB_SECONDS)
    )


def _work(status: QueueStatus) -> int:
    return status.runnable + status.active


def _observe(snapshot: Snapshot, memory: Memory, now: float) -> Memory:
    """Learn job durations and progress from the change in counts since the last read."""
    elapsed = now - memory.read_at if memory.read_at is not None else 0.0
    durations = dict(memory.job_seconds)
    progress_at: dict[str, float] = {}
    running_since: dict[str, float] = {}
    for name, status in snapshot.items():
        work = _work(status)
        before = memory.work.get(name)
        done = before - work if before is not None else 0
        working = status.busy or (status.runnable > 0 and not status.is_paused)
        if done > 0 and elapsed > 0:
            sample = elapsed / done
            estimate = job_seconds(memory, name)
            if work > 0 and name in memory.progress_at:
                # Worked the whole interval: a fair sample of throughput.
                durations[name] = (
                    OBSERVATION_WEIGHT * sample + (1 - OBSERVATION_WEIGHT) * estimate
                )
            elif sample < estimate:
                # Emptied (or started) some time in the interval: only an upper bound.
                durations[name] = sample
        if working:
            progress_at[name] = (
                now
                if done > 0 or name not in memory.progress_at
                else memory.progress_at[name]
            )
            running_since[name] = memory.running_since.get(name, now)
    return Memory(
        owned=memory.owned,
        job_seconds=durations,
        work={name: _work(status) for name, status in snapshot.items()},
        progress_at=progress_at,
        running_since=running_since,
        commanded_at=memory.commanded_at,
        read_at=now,
    )


def _effective_job_seconds(memory: Memory, queue: str, now: float) -> float:
    """Return the job duration to plan with: a long wait without progress counts too."""
    estimate = job_seconds(memory, queue)
    started = memory.progress_at.get(queue)
    return max(estimate, now - started) if started is not None else estimate


def _is_express(
    status: QueueStatus, policy: Policy, memory: Memory, now: float
) -> bool:
    """Tell whether a queue's backlog is small enough to run without a slot.

    Small by count, by expected time, and short-lived: a queue seen working for longer than
    the express budget is sustained work and waits for a slot like any other.
    """
    seconds = _effective_job_seconds(memory, status.name, now)
    return (
        status.runnable <= policy.express_max_jobs
        and now - memory.running_since.get(status.name, now)
        <= policy.express_max_seconds
        and seconds <= policy.express_max_seconds
        and _work(status) * seconds <= policy.express_max_seconds
    )


def _eta(status: QueueStatus, memory: Memory, now: float) -> float:
    """Estimate seconds until a queue has no work left (runnable counts only if resumed)."""
    seconds = job_seconds(memory, status.name)
    jobs = status.active + (0 if status.is_paused else status.runnable)
    started = memory.progress_at.get(status.name, now)
    return max(0.0, jobs * seconds - (now - started))


class _Builder:
    """Collects the desired state of each queue and the commands that get there."""

    def __init__(self, snapshot: Snapshot, memory: Memory, now: float) -> None:
        self.snapshot = snapshot
        self.memory = memory
        self.now = now
        self.commands: list[Command] = []
        self.paused: dict[str, bool] = {
            name: status.is_paused for name, status in snapshot.items()
        }
        self.owned = set(memory.owned)
        self.commanded_at = dict(memory.commanded_at)
        self.progress_at = dict(memory.progress_at)
        self.running_since = dict(memory.running_since)

    def want(self, name: str, *, paused: bool, reason: str) -> None:
        """Set a queue's desired pause state; command it only if it differs from the real one."""
        if self.snapshot[name].is_paused == paused:
            if not paused:
                self.owned.discard(name)
            return
        self.paused[name] = paused
        self.commands.append(
            Command(name, Action.PAUSE if paused else Action.RESUME, reason)
        )
        self.commanded_at[name] = self.now
        if paused:
            self.owned.add(name)
            if not self.snapshot[name].busy:
                self.progress_at.pop(name, None)
                self.running_since.pop(name, None)
        else:
            self.owned.discard(name)
            if self.snapshot[name].has_work:
                # Started working now, unless its jobs were already running (draining).
                self.progress_at.setdefault(name, self.now)
                self.running_since.setdefault(name, self.now)

    def ends_paused(self, name: str) -> bool:
        """Tell the pause state after the commands."""
        return self.paused[name]

    def memory_out(self) -> Memory:
        """Return the memory after the commands."""
        # A queue we owned that someone else resumed is no longer ours.
        owned = {
            name
            for name in self.owned
            if name not in self.snapshot or self.paused[name]
        }
        return Memory(
            owned=frozenset(owned),
            job_seconds=self.memory.job_seconds,
            work=self.memory.work,
            progress_at=self.progress_at,
            running_since=self.running_since,
            commanded_at=self.commanded_at,
            read_at=self.memory.read_at,
        )


def _state(status: QueueStatus, paused: bool, held: bool) -> QueueState:
    if held:
        return QueueState.HELD
    if not paused and status.has_work:
        return QueueState.RUNNING
    if paused and status.busy:
        return QueueState.DRAINING
    if status.runnable > 0:
        return QueueState.QUEUED
    return QueueState.IDLE


def _states(
    builder: _Builder, managed: Iterable[str], held: frozenset[str]
) -> dict[str, QueueState]:
    return {
        name: _state(builder.snapshot[name], builder.ends_paused(name), name in held)
        for name in managed
    }


def release(snapshot: Snapshot | None, memory: Memory) -> Plan:
    """Resume every queue the integration paused (scheduling off, entry disabled or removed)."""
    if snapshot is None:
        return Plan((), memory, DEFAULT_RELEASE_RETRY)
    builder = _Builder(snapshot, memory, memory.read_at or 0.0)
    for name in sorted(memory.owned):
        if name in snapshot and is_manageable(name):
            builder.want(
                name, paused=False, reason="released: the integration paused it"
            )
    return Plan(tuple(builder.commands), builder.memory_out(), DEFAULT_RELEASE_RETRY)


def plan(
    snapshot: Snapshot | None,
    policy: Policy,
    intents: Intents,
    memory: Memory,
    now: float,
) -> Plan:
    """Decide which queues run now, from the state read this cycle (design.md §2)."""
    poll = max(MIN_CHECK, policy.poll_interval)
    if snapshot is None:
        # Unknown state: do nothing, forget nothing.
        return Plan((), memory, poll)

    memory = _observe(snapshot, memory, now)
    builder = _Builder(snapshot, memory, now)
    managed = managed_queues(snapshot, policy)
    managed_set = frozenset(managed)
    held = intents.held & managed_set
    finished_run_now = frozenset(
        name
        for name in intents.run_now
        if name in snapshot and (name not in managed_set or not snapshot[name].has_work)
    )
    run_now = [
        name
        for name in managed
        if name in intents.run_now and name not in held and name not in finished_run_now
    ]

    # Queues we paused that are no longer managed are handed back, never left paused.
    for name in sorted(memory.owned - managed_set):
        if name in snapshot and is_manageable(name):
            builder.want(name, paused=False, reason="resumed: no longer managed")

    for name in held:
        builder.want(name, paused=True, reason="held by the user")

    express: set[str] = set()
    checks = [poll]
    if not intents.scheduling:
        for name in managed:
            if name in memory.owned and name not in held:
                builder.want(
                    name, paused=False, reason="released: automatic scheduling is off"
                )
    else:
        express = _schedule(builder, policy, managed, held, run_now, checks)

    commands = tuple(builder.commands)
    any_work = any(snapshot[name].has_work for name in managed)
    if commands:
        checks.append(AFTER_COMMAND_CHECK)
    elif not any_work and intents.scheduling:
        checks = [min(poll * IDLE_FACTOR, float(MAX_POLL_INTERVAL))]
    return Plan(
        commands,
        builder.memory_out(),
        min(checks),
        _states(builder, managed, held),
        finished_run_now,
        frozenset(express),
    )


def _schedule(
    builder: _Builder,
    policy: Policy,
    managed: list[str],
    held: frozenset[str],
    run_now: list[str],
    checks: list[float],
) -> set[str]:
    """Fill the slots by priority; return the queues running in the express lane."""
    snapshot, memory, now = builder.snapshot, builder.memory, builder.now
    limit = max(0, policy.max_running)
    free = [name for name in managed if name not in held]
    working = [name for name in free if snapshot[name].has_work]

    if not working and limit > 0:
        # Global idle: nothing is left paused with nothing to do, and uploads start at once.
        for name in free:
            builder.want(
                name, paused=False, reason="nothing to do anywhere: resumed (idle)"
            )
        return set()

    express: set[str] = set()
    if policy.express_lane and limit > 0:
        express = {
            name
            for name in free
            if name not in run_now and _is_express(snapshot[name], policy, memory, now)
        }
    contenders = [
        name for name in working if name not in express and name not in run_now
    ]
    slots = max(0, limit - len(run_now))
    if policy.kind == POLICY_FINISH_FIRST:
        running = [
            name
            for name in contenders
            if not snapshot[name].is_paused and snapshot[name].has_work
        ]
        keep = running[:slots]
        rest = [name for name in contenders if name not in keep]
        winners = sorted(keep + rest[: slots - len(keep)], key=managed.index)
        why_lost = "waiting: a running queue keeps its slot until it is empty"
    else:
        winners = contenders[:slots]
        why_lost = "paused: higher-priority work holds the slots"

    for name in run_now:
        builder.want(name, paused=False, reason="run now: until its backlog is empty")

    # Losers are paused, not interrupted: their running jobs finish (draining).
    losers = [name for name in contenders if name not in winners]
    for name in losers:
        builder.want(name, paused=True, reason=why_lost)
    for name in free:
        if name in express:
            status = snapshot[name]
            reason = (
                f"express lane: {status.runnable} small jobs run without a slot"
                if status.has_work
                else "express lane: empty and light, kept ready for new uploads"
            )
            builder.want(name, paused=False, reason=reason)
        elif not snapshot[name].has_work:
            builder.want(
                name,
                paused=True,
                reason="no work while other queues work"
                if limit > 0
                else "max concurrent queues is 0: everything held",
            )

    def holds_slot(name: str) -> bool:
        status = snapshot[name]
        if name in express:
            return False
        if builder.ends_paused(name):
            return status.busy
        return status.has_work

    holders = {name for name in managed if holds_slot(name)}
    for index, name in enumerate(winners, start=1):
        status = snapshot[name]
        if not status.is_paused or status.busy:
            # Already holds a slot (running, or draining): keep it running.
            builder.want(
                name, paused=False, reason=f"highest priority with work (slot {index})"
            )
            holders.add(name)
        elif len(holders) < limit:
            builder.want(
                name, paused=False, reason=f"highest priority with work (slot {index})"
            )
            holders.add(name)
        else:
            builder.want(
                name, paused=True, reason="next: waiting for a draining queue to finish"
            )
            # Hand-off in progress: look again when the draining jobs should be done.
            checks.extend(
                max(MIN_CHECK, _eta(snapshot[other], memory, now))
                for other in holders
                if builder.ends_paused(other)
            )

    # A queue about to empty hands its slot over: look again about then, not a poll later.
    for name in holders:
        if not builder.ends_paused(name):
            eta = _eta(snapshot[name], memory, now)
            if eta < policy.poll_interval:
                checks.append(max(MIN_CHECK, eta))
    return {name for name in express if not builder.ends_paused(name)}
