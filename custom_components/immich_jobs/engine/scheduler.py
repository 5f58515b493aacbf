"""Priority scheduling of Immich's job queues, as a pure function.

`plan` turns what was read from Immich this cycle (the snapshot), the user's options (policy) and
wishes (intents) and the scheduler's own memory into the commands to send, each with a reason,
the memory to keep, and when to look again. No Home Assistant, no I/O, no clock: the same code
runs in the coordinator, the tests, the simulator and the benchmarks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum

from ..const import DEFAULT_EXPRESS_MAX_JOBS, POLICY_FINISH_FIRST, POLICY_PREEMPTIVE
from ..immich.models import QueueStatus, Snapshot
from .durations import backlog_seconds, eta, is_express, job_left, job_seconds, learn
from .house.groups import settle
from .house.holds import Hold, merge
from .intents import Intents
from .queues import DEFAULT_MANAGED, DEFAULT_PRIORITY, is_manageable
from .reasons import QueueReason, QueueState, Reason, has_work, in_words, queue_state

__all__ = [
    "Action",
    "Command",
    "Intents",
    "Memory",
    "Plan",
    "Policy",
    "QueueReason",
    "QueueState",
    "Reason",
    "held_back",
    "job_seconds",
    "managed_queues",
    "plan",
    "release",
]

# Look again this soon at the earliest: a hand-off should take a second or two, not a poll.
MIN_CHECK = 1.0
# Look again this soon after sending commands, to see them take effect.
AFTER_COMMAND_CHECK = 2.0
# While a queue waits for a slot whose holder should be done within a poll, look at least this
# often: a duration estimate that comes late leaves the slot idle (a real box showed a hand-off
# of 8 s: the look planned from the learned job time came 3.6 s after the queue had emptied).
HANDOFF_CHECK = 2.0
# Express lane: a backlog runs without a slot if it is expected to be done within this time.
DEFAULT_EXPRESS_MAX_SECONDS = 5.0
# Look again this soon after a release (the coordinator retries while it cannot reach Immich).
DEFAULT_RELEASE_RETRY = 10.0


class Action(StrEnum):
    """What the integration asks Immich to do with a queue."""

    PAUSE = "pause"
    RESUME = "resume"


@dataclass(frozen=True, slots=True)
class Command:
    """One command to send, with the reason to log and show."""

    queue: str
    action: Action
    why: QueueReason
    # What holds it, for the words (a condition entity).
    held_by: str = ""

    @property
    def reason(self) -> str:
        """Say why in words (the debug log, the diagnostics' plans)."""
        return in_words(self.why, self.held_by)


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
    # Managed queues another controller flips: never commanded, shown with their state.
    contested: frozenset[str] = frozenset()
    # Never together: of each group, at most one queue is resumed (groups.py).
    exclusive_groups: tuple[frozenset[str], ...] = ()
    # Left paused while empty and other queues work (not at global idle), so that new
    # uploads show in their counts (the quiet period: resumed, a queue runs a photo's job
    # between two reads, unseen).
    watch_empty: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True, kw_only=True)
class Memory:
    """What the scheduler remembers between cycles (store.py keeps part of it)."""

    # Queues the integration paused (or took over) and must resume on release. A queue paused
    # by someone else is not ours to resume; ours ends when a read shows it resumed.
    owned: frozenset[str] = frozenset()
    # The managed queues found paused at the first read were taken over (once per entry: what
    # a previous controller, such as the add-on, left paused becomes ours to schedule).
    took_over: bool = False
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
    # Why each managed (and contested) queue is in its state, for the status sensor.
    reasons: Mapping[str, QueueReason] = field(default_factory=dict)
    # The house's holds in force (never-together groups included), for the status sensor.
    holds: Mapping[str, Hold] = field(default_factory=dict)


def managed_queues(snapshot: Snapshot, policy: Policy) -> list[str]:
    """Return the managed queues present in the snapshot, highest priority first."""
    rank = {name: index for index, name in enumerate(policy.priority)}
    names = [
        name for name in snapshot if name in policy.managed and is_manageable(name)
    ]
    return sorted(names, key=lambda name: (rank.get(name, len(rank)), name))


@dataclass(frozen=True, slots=True)
class _Want:
    """A queue's desired pause state, and why."""

    paused: bool
    why: QueueReason
    # What holds it (a condition entity), for the command's words.
    held_by: str = ""


type _Wants = dict[str, _Want]


@dataclass(frozen=True, slots=True, kw_only=True)
class _Scene:
    """One cycle's view of the managed queues, read from the snapshot and the intents."""

    snapshot: Snapshot
    managed: list[str]  # highest priority first
    held: frozenset[str]
    # Held by the house, not by the user (not taken over: a pause made in Immich stays theirs).
    house: Mapping[str, Hold]
    # Paused by someone else (not by us, not held by the user): left alone.
    in_immich: frozenset[str]
    run_now: list[str]  # run now and not finished, in priority order
    finished_run_now: frozenset[str]
    # What holds everything while the limit is 0.
    limit_zero: QueueReason = QueueReason(Reason.LIMIT_ZERO)

    @property
    def free(self) -> list[str]:
        """The managed queues the scheduler decides for (not held here or in Immich)."""
        return [
            name
            for name in self.managed
            if name not in self.held
            and name not in self.house
            and name not in self.in_immich
        ]

    @classmethod
    def read(
        cls,
        snapshot: Snapshot,
        policy: Policy,
        intents: Intents,
        memory: Memory,
        house: Mapping[str, Hold],
    ) -> _Scene:
        """Sort the snapshot's queues by what the user, the options and ownership say."""
        managed = managed_queues(snapshot, policy)
        managed_set = frozenset(managed)
        held = intents.held & managed_set
        in_immich = frozenset(
            name
            for name in managed
            if memory.took_over
            and snapshot[name].is_paused
            and name not in memory.owned
            and name not in held
        )
        finished = frozenset(
            name
            for name in intents.run_now
            if name in snapshot
            and (name not in managed_set or not snapshot[name].has_work)
        )
        house = {
            name: hold
            for name, hold in house.items()
            if intents.scheduling
            and name in managed_set
            and name not in held
            and name not in in_immich
        }
        run_now = [
            name
            for name in managed
            if name in intents.run_now
            and name not in held
            and name not in house
            and name not in finished
        ]
        return cls(
            snapshot=snapshot,
            managed=managed,
            held=held,
            house=house,
            in_immich=in_immich,
            run_now=run_now,
            finished_run_now=finished,
            limit_zero=QueueReason(
                Reason.PAUSED_UNTIL if intents.timed_pause else Reason.LIMIT_ZERO
            ),
        )


def release(snapshot: Snapshot | None, memory: Memory) -> Plan:
    """Resume every queue the integration paused (scheduling off, entry disabled or removed)."""
    if snapshot is None:
        return Plan((), memory, DEFAULT_RELEASE_RETRY)
    wants = {
        name: _Want(False, _SCHEDULING_OFF)
        for name in sorted(memory.owned)
        if name in snapshot and is_manageable(name)
    }
    commands, memory = _commands(snapshot, wants, memory, memory.read_at or 0.0)
    return Plan(commands, memory, DEFAULT_RELEASE_RETRY)


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

    memory = _take_over(snapshot, policy, intents, _observe(snapshot, memory, now))
    return _planned(
        snapshot,
        policy,
        intents,
        memory,
        now,
        _house(snapshot, policy, intents, memory, now),
    )


def _planned(
    snapshot: Snapshot,
    policy: Policy,
    intents: Intents,
    memory: Memory,
    now: float,
    house: Mapping[str, Hold],
) -> Plan:
    """Plan from an observed memory, with the house's holds in force."""
    scene = _Scene.read(snapshot, policy, intents, memory, house)
    wants = _hand_back(scene, memory) | _holds(scene)
    express: frozenset[str] = frozenset()
    handoff: list[float] = []
    if not intents.scheduling:
        wants |= _released(scene, memory)
    elif _is_global_idle(scene, policy):
        wants |= _idle(scene)
    else:
        express = _express(scene, policy, memory, now)
        winners, losers, why_lost = _slot_winners(scene, policy, express)
        wants |= _fill_slots(
            scene,
            policy,
            express,
            winners,
            _pause_changes_something(scene, memory, now, winners, losers),
            why_lost,
        )
        handoff = _handoff_checks(
            scene, policy, memory, now, express, winners, _ends_paused(snapshot, wants)
        )
    commands, memory_out = _commands(snapshot, wants, memory, now)
    ends_paused = _ends_paused(snapshot, wants)
    contested = [
        name
        for name in sorted(policy.contested)
        if name in snapshot and name not in scene.managed and is_manageable(name)
    ]
    reasons = _reasons(scene, intents, wants) | dict.fromkeys(contested, _RIVAL)
    return Plan(
        commands,
        memory_out,
        _next_check(policy, commands, handoff),
        _states(snapshot, reasons, ends_paused, [*scene.managed, *contested]),
        scene.finished_run_now,
        express,
        reasons,
        scene.house,
    )


def _observe(snapshot: Snapshot, memory: Memory, now: float) -> Memory:
    """Learn job durations and progress from this read (see durations.py)."""
    learned = learn(snapshot, memory, now)
    return replace(
        memory,
        job_seconds=learned.job_seconds,
        work=learned.work,
        progress_at=learned.progress_at,
        running_since=learned.running_since,
        read_at=now,
    )


def _take_over(
    snapshot: Snapshot, policy: Policy, intents: Intents, memory: Memory
) -> Memory:
    """Make ours the paused queues we are to schedule; the others paused in Immich stay theirs.

    At the first read (set-up, migration from the add-on) every paused managed queue is taken
    over. Later, the user's switch (held, then on again) or run now through us takes over a
    queue someone paused in Immich.
    """
    paused = {
        name for name in managed_queues(snapshot, policy) if snapshot[name].is_paused
    }
    first = not memory.took_over and intents.scheduling
    adopt = paused if first else paused & (intents.held | intents.run_now)
    if not first and adopt <= memory.owned:
        return memory
    return replace(
        memory, owned=memory.owned | adopt, took_over=memory.took_over or first
    )


# --- the phases of one plan, in the order their commands go out -----------------------------


def _hand_back(scene: _Scene, memory: Memory) -> _Wants:
    """Queues we paused that are no longer managed are handed back, never left paused."""
    managed = frozenset(scene.managed)
    return {
        name: _Want(False, _SCHEDULING_OFF)
        for name in sorted(memory.owned - managed)
        if name in scene.snapshot and is_manageable(name)
    }


def _house(
    snapshot: Snapshot, policy: Policy, intents: Intents, memory: Memory, now: float
) -> dict[str, Hold]:
    """Return the house's holds: the intents', and never-together groups' (groups.py).

    Holding a member can free a slot another member then wins: `settle` plans again with the
    holds so far until at most one member of each group is left resumed.
    """
    house = dict(intents.house)
    if not policy.exclusive_groups or not intents.scheduling:
        return house

    def resumed_with(extra: Mapping[str, Hold]) -> set[str]:
        planned = _planned(snapshot, policy, intents, memory, now, merge(house, extra))
        paused = {name: status.is_paused for name, status in snapshot.items()}
        paused |= {c.queue: c.action is Action.PAUSE for c in planned.commands}
        return {name for name, is_paused in paused.items() if not is_paused}

    return merge(
        house,
        settle(
            resumed_with,
            snapshot,
            policy.exclusive_groups,
            policy.priority,
            intents.run_now,
        ),
    )


def _holds(scene: _Scene) -> _Wants:
    """Hold paused the queues whose switch is off or the house holds, whatever else is true."""
    return {
        name: _Want(True, QueueReason(Reason.HELD_BY_SWITCH))
        for name in sorted(scene.held)
    } | {
        name: _Want(True, _house_reason(hold), hold.subject)
        for name, hold in sorted(scene.house.items())
    }


def _house_reason(hold: Hold) -> QueueReason:
    """Return the status sensor's reason for a house hold (a group's keeper runs ahead)."""
    group = hold.code is Reason.NEVER_TOGETHER and hold.subject
    return QueueReason(hold.code, behind=(hold.subject,) if group else ())


def _released(scene: _Scene, memory: Memory) -> _Wants:
    """Automatic scheduling off: give back what we paused (held queues stay held)."""
    return {
        name: _Want(False, _SCHEDULING_OFF)
        for name in scene.free
        if name in memory.owned
    }


def _is_global_idle(scene: _Scene, policy: Policy) -> bool:
    """Tell whether no queue the scheduler decides for has work (and the limit lets them run)."""
    return policy.max_running > 0 and not any(
        scene.snapshot[name].has_work for name in scene.free
    )


def _idle(scene: _Scene) -> _Wants:
    """Global idle: nothing is left paused with nothing to do, and uploads start at once.

    While a held queue has work, the others are only ready: not "nothing to do anywhere".
    """
    waits = any(has_work(scene.snapshot[name]) for name in scene.managed)
    why = QueueReason(Reason.READY if waits else Reason.IDLE)
    return {name: _Want(False, why) for name in scene.free}


def _express(
    scene: _Scene, policy: Policy, memory: Memory, now: float
) -> frozenset[str]:
    """Return the queues whose backlog is small and light enough to run without a slot."""
    if not policy.express_lane or policy.max_running <= 0:
        return frozenset()
    return frozenset(
        name
        for name in scene.free
        if name not in scene.run_now
        and is_express(
            scene.snapshot[name],
            memory,
            now,
            max_jobs=policy.express_max_jobs,
            max_seconds=policy.express_max_seconds,
        )
    )


def _slot_winners(
    scene: _Scene, policy: Policy, express: frozenset[str]
) -> tuple[list[str], list[str], _Lost]:
    """Return the queues that win a slot, those that lose one, and the losers' reason."""
    snapshot = scene.snapshot
    contenders = [
        name
        for name in scene.free
        if snapshot[name].has_work and name not in express and name not in scene.run_now
    ]
    slots = max(0, policy.max_running - len(scene.run_now))
    if policy.kind == POLICY_FINISH_FIRST:
        # A queue that is running keeps its slot until its backlog is empty.
        keep = [name for name in contenders if not snapshot[name].is_paused][:slots]
        rest = [name for name in contenders if name not in keep]
        winners = sorted(keep + rest[: slots - len(keep)], key=scene.managed.index)
        why_lost = _Lost(Reason.WAITS_FOR_FINISH)
    else:
        winners = contenders[:slots]
        why_lost = _Lost(Reason.WAITS_FOR_SLOT)
    losers = [name for name in contenders if name not in winners]
    return winners, losers, why_lost


@dataclass(frozen=True, slots=True)
class _Lost:
    """Why the queues that lose a slot lose it (the policy's reason)."""

    code: Reason

    def why(
        self, scene: _Scene, policy: Policy, rank: int, winners: list[str]
    ) -> QueueReason:
        """Say what a loser, `rank`-th among the contenders, waits behind."""
        if policy.max_running <= 0:
            return scene.limit_zero
        if scene.run_now and rank < policy.max_running:
            # It would have had a slot but for the queues run now.
            return QueueReason(Reason.RUN_NOW_OF_OTHER, behind=tuple(scene.run_now))
        ahead = {*scene.run_now, *winners}
        return QueueReason(
            self.code, behind=tuple(name for name in scene.managed if name in ahead)
        )


def _pause_changes_something(
    scene: _Scene, memory: Memory, now: float, winners: list[str], losers: list[str]
) -> dict[str, bool]:
    """Tell, for each loser, whether pausing it would change anything.

    A paused queue's running jobs go on; the pause only stops it from starting the next one.
    When every winner already runs and the work ranked above a running loser should be done
    before its job ends, the pause would be undone before it stopped anything: two commands
    for nothing (seen on a real box: a photo's arrival paused the transcode, resumed a second
    later). The work ahead is every contender ranked above it, shared by the winners' slots:
    with jobs learned at their true length, the winners alone would let a transcode go on
    beside the thumbnails queued behind them.
    """
    snapshot = scene.snapshot
    if (
        not winners
        or scene.run_now
        or any(snapshot[name].is_paused and not snapshot[name].busy for name in winners)
    ):
        return dict.fromkeys(losers, True)
    ranked = [name for name in scene.free if name in winners or name in losers]
    backlog = {name: backlog_seconds(snapshot[name], memory, now) for name in ranked}

    def ahead(loser: str) -> float:
        above = {*winners, *ranked[: ranked.index(loser)]}
        return sum(backlog[name] for name in above) / len(winners)

    return {
        name: snapshot[name].is_paused
        or not snapshot[name].busy
        or ahead(name) >= job_left(snapshot[name], memory, now)
        for name in losers
    }


def _fill_slots(
    scene: _Scene,
    policy: Policy,
    express: frozenset[str],
    winners: list[str],
    losers: Mapping[str, bool],
    why_lost: _Lost,
) -> _Wants:
    """Run the run-now queues, the express lane and the winners; pause the rest."""
    snapshot = scene.snapshot
    limit = max(0, policy.max_running)
    wants: _Wants = {
        name: _Want(
            False, QueueReason(Reason.RUN_NOW, index if index <= limit else None)
        )
        for index, name in enumerate(scene.run_now, start=1)
    }
    contenders = [name for name in scene.free if name in losers or name in winners]
    # Losers are paused, not interrupted: their running jobs finish (draining).
    wants |= {
        name: _Want(True, why_lost.why(scene, policy, contenders.index(name), winners))
        if paused
        else _Want(False, QueueReason(Reason.KEPT_RUNNING))
        for name, paused in losers.items()
    }
    for name in scene.free:
        status = snapshot[name]
        if name in policy.watch_empty and not status.has_work:
            wants[name] = _Want(True, _NO_WORK)
        elif name in express:
            wants[name] = _Want(
                False, QueueReason(Reason.EXPRESS if status.has_work else Reason.READY)
            )
        elif not status.has_work:
            wants[name] = _Want(True, _NO_WORK if limit > 0 else scene.limit_zero)
    paused = _ends_paused(snapshot, wants)
    holders = {
        name
        for name in scene.managed
        if name not in express
        and _holds_slot(
            snapshot[name], name in scene.held or name in scene.house or paused[name]
        )
    }
    first = min(len(scene.run_now), limit)  # the run-now queues' slots come first
    for index, name in enumerate(winners, start=first + 1):
        status = snapshot[name]
        # Running or draining, it already holds a slot; else it takes a free one, if any.
        if not status.is_paused or status.busy or len(holders) < limit:
            wants[name] = _Want(False, QueueReason(Reason.SLOT, index))
            holders.add(name)
        else:
            draining = (n for n in scene.managed if n in holders and n not in winners)
            wants[name] = _Want(
                True, QueueReason(Reason.WAITS_FOR_DRAINING, behind=tuple(draining))
            )
    return wants


def _handoff_checks(
    scene: _Scene,
    policy: Policy,
    memory: Memory,
    now: float,
    express: frozenset[str],
    winners: list[str],
    paused: Mapping[str, bool],
) -> list[float]:
    """Return when to look again for a hand-off: when a slot holder should be done."""
    snapshot = scene.snapshot
    holders = [
        name
        for name in scene.managed
        if name not in express and _holds_slot(snapshot[name], paused[name])
    ]
    waiting = any(
        paused[name] and snapshot[name].runnable > 0
        for name in scene.free
        if name not in express
    )
    checks: list[float] = []
    for name in holders:
        left = eta(snapshot[name], memory, now)
        # A winner waits for draining jobs: look again when they should be done. A queue
        # about to empty hands its slot over: look again about then, not a poll later.
        if (paused[name] and any(paused[w] for w in winners)) or (
            not paused[name] and left < policy.poll_interval
        ):
            if waiting and left < policy.poll_interval:
                left = min(left, HANDOFF_CHECK)
            checks.append(max(MIN_CHECK, left))
    return checks


def _next_check(
    policy: Policy,
    commands: tuple[Command, ...],
    handoff: list[float],
) -> float:
    """Return when to look again: soon after commands or before a hand-off, else one interval.

    Also at idle: every queue is resumed then, and an upload's burst runs uncapped until the
    next look (on the calibrated model, looking after 3 intervals let a transcode start beside
    the videos' thumbnails and made photos wait 5 times longer; bench/README.md).
    """
    poll = max(MIN_CHECK, policy.poll_interval)
    return min([poll, *handoff, *([AFTER_COMMAND_CHECK] if commands else [])])


# --- from wishes to commands ----------------------------------------------------------------


def _holds_slot(status: QueueStatus, paused: bool) -> bool:
    """Tell whether a queue holds a slot: resumed with work, or paused but still busy."""
    return status.busy if paused else status.has_work


def _ends_paused(snapshot: Snapshot, wants: _Wants) -> dict[str, bool]:
    """Return each queue's pause state once the wanted commands took effect."""
    return {
        name: wants[name].paused if name in wants else status.is_paused
        for name, status in snapshot.items()
    }


def _commands(
    snapshot: Snapshot, wants: _Wants, memory: Memory, now: float
) -> tuple[tuple[Command, ...], Memory]:
    """Turn the wanted pause states into the commands that change something, and the memory.

    Ownership follows what Immich did: a queue we owned is ours until a read shows it resumed
    (by us or someone else), so a resume that does not go out leaves it ours.
    """
    commands: list[Command] = []
    owned = set(memory.owned)
    commanded_at = dict(memory.commanded_at)
    progress_at = dict(memory.progress_at)
    running_since = dict(memory.running_since)
    for name, want in wants.items():
        status = snapshot[name]
        if status.is_paused == want.paused:
            continue
        commands.append(
            Command(
                name,
                Action.PAUSE if want.paused else Action.RESUME,
                want.why,
                want.held_by,
            )
        )
        commanded_at[name] = now
        if want.paused:
            owned.add(name)
            if not status.has_work:
                progress_at.pop(name, None)
                running_since.pop(name, None)
        elif status.has_work:
            # Its jobs start now, unless they were already running (draining).
            progress_at[name] = progress_at.get(name, now) if status.busy else now
            running_since.setdefault(name, now)
    memory = replace(
        memory,
        owned=frozenset(
            name
            for name in owned
            if name not in snapshot
            or snapshot[name].is_paused
            or (name in wants and wants[name].paused)
        ),
        progress_at=progress_at,
        running_since=running_since,
        commanded_at=commanded_at,
    )
    return tuple(commands), memory


_NO_WORK = QueueReason(Reason.NO_WORK)
_RIVAL = QueueReason(Reason.HELD_BY_RIVAL)
_SCHEDULING_OFF = QueueReason(Reason.SCHEDULING_OFF)


def _reasons(scene: _Scene, intents: Intents, wants: _Wants) -> dict[str, QueueReason]:
    """Say why each managed queue ends in its state (the wish's reason, or why it has none)."""
    reasons: dict[str, QueueReason] = {}
    for name in scene.managed:
        if name in scene.in_immich:
            reasons[name] = QueueReason(Reason.HELD_IN_IMMICH)
        elif name in wants:
            reasons[name] = wants[name].why
        elif not intents.scheduling:
            reasons[name] = _SCHEDULING_OFF
    return reasons


def held_back(plan: Plan, snapshot: Snapshot, unsent: Mapping[str, Reason]) -> Plan:
    """Return the plan as Immich ended up when some commands did not go out.

    Such a queue shows the state Immich has (`snapshot`, as read and as commanded), and why
    its command waits instead of the wish.
    """
    states = dict(plan.states)
    reasons = dict(plan.reasons)
    for name, code in unsent.items():
        if name not in states or name not in snapshot:
            continue
        status = snapshot[name]
        states[name] = queue_state(code, status, status.is_paused)
        before = reasons.get(name, QueueReason(code))
        reasons[name] = QueueReason(code, behind=before.behind)
    return replace(plan, states=states, reasons=reasons)


def _states(
    snapshot: Snapshot,
    reasons: Mapping[str, QueueReason],
    ends_paused: Mapping[str, bool],
    names: Iterable[str],
) -> dict[str, QueueState]:
    """Return each queue's state, from its reason (reasons.py's one table)."""
    return {
        name: queue_state(
            why.code if (why := reasons.get(name)) else None,
            snapshot[name],
            ends_paused[name],
        )
        for name in names
    }
