"""One cycle of the scheduling loop: two pure steps on either side of the sending.

Pure module (no Home Assistant, no I/O, no clock: the times come in as arguments). The
coordinator reads, calls `decide`, sends the plan's commands (the gate may hold some back),
then calls `conclude` with what Immich ended up with, and shows the view it returns:
read -> decide -> send -> conclude -> show.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
import math

from ..immich.models import Snapshot
from .house.holds import Hold
from .intents import Intents
from .model import Action, Command, Memory, Plan, Policy, managed_queues
from .reasons import QueueReason, QueueState, Reason
from .scheduler import held_back, plan as make_plan
from .time_left import TimeLeft, held_until, time_left

# Look again no sooner than this, whatever the plan or the house says.
MIN_INTERVAL = 1.0

type CommandKey = tuple[str, Action]


def key_of(command: Command) -> CommandKey:
    """Identify a command by what it does, not by its reason."""
    return command.queue, command.action


def own_commands(
    plan: Plan, before: Plan, subject: str | None
) -> frozenset[CommandKey]:
    """Return a user's change's own commands: what it adds to the plan, and its queue's.

    `before` is the plan without the change, on the same read.
    """
    planned = frozenset(map(key_of, before.commands))
    return frozenset(
        key_of(command)
        for command in plan.commands
        if key_of(command) not in planned or command.queue == subject
    )


@dataclass(frozen=True, slots=True)
class ImmichJobsData:
    """What entities show: the queues as last read and what the scheduler made of them."""

    queues: Snapshot
    # The queues the integration manages (their entities exist), in priority order.
    managed: tuple[str, ...]
    states: Mapping[str, QueueState]
    reasons: Mapping[str, QueueReason]
    # What the user asked for, as of this cycle (switches and the limit show it).
    intents: Intents
    # Queues another controller flips: left alone until a reload.
    contested: frozenset[str]
    time_left: TimeLeft
    # Why the house holds a queue (a condition, uploads, a never-together group).
    holds: Mapping[str, Hold] = field(default_factory=dict)
    uploads_arriving: bool = False
    # When each queue's hold ends by itself (the quiet period, a condition's minimum time,
    # the longest hold, a timed pause); a queue held without an end is not in it.
    held_until: Mapping[str, datetime] = field(default_factory=dict)

    @property
    def run_now(self) -> frozenset[str]:
        """Return the queues the user runs now (until they are empty or cancelled)."""
        return self.intents.run_now

    @property
    def paused_until(self) -> datetime | None:
        """Return when a timed pause (pause_processing with a duration) ends."""
        return self.intents.hold_until


@dataclass(frozen=True, slots=True, kw_only=True)
class Decision:
    """What one read decided, before anything is sent."""

    policy: Policy
    plan: Plan
    # A user's change's own commands: they go whatever the gate says.
    own: frozenset[CommandKey] = frozenset()


def decide(
    snapshot: Snapshot,
    policy: Policy,
    intents: Intents,
    memory: Memory,
    now: float,
    *,
    house: Mapping[str, Hold],
    before: Intents | None = None,
    subject: str | None = None,
) -> Decision:
    """Plan from one read, with the house's holds (a queue run now is exempt: it was asked).

    With `before` (a user's change), its own commands are those the change adds to the plan
    made without it, and those of the queue it is about (`subject`).
    """
    plan = make_plan(snapshot, policy, _wishes(intents, house), memory, now)
    if before is None:
        return Decision(policy=policy, plan=plan)
    without = make_plan(
        snapshot,
        replace(policy, max_running=before.max_running),
        _wishes(before, house),
        memory,
        now,
    )
    return Decision(policy=policy, plan=plan, own=own_commands(plan, without, subject))


def _wishes(intents: Intents, house: Mapping[str, Hold]) -> Intents:
    """Return what the user and the house ask of the scheduler."""
    return intents.with_house(
        {queue: hold for queue, hold in house.items() if queue not in intents.run_now}
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Cycle:
    """What a cycle comes to once its commands went out (or were held back)."""

    # The plan as Immich ended up: a held-back command changed nothing.
    plan: Plan
    # Seconds until the next look.
    interval: float
    data: ImmichJobsData


def conclude(
    decision: Decision,
    intents: Intents,
    memory: Memory,
    now: float,
    utcnow: datetime,
    *,
    snapshot: Snapshot,
    unsent: Mapping[str, Reason],
    held_back_for: float | None,
    house_check: float | None,
    uploads_arriving: bool,
    contested: frozenset[str],
) -> Cycle:
    """Say what entities show and when to look again, from what Immich ended up with.

    `snapshot` is the read with the commands that went out; `unsent` the queues whose command
    did not, and why; `held_back_for` how long every command waits (None: some went out).
    """
    policy = decision.policy
    plan = held_back(decision.plan, snapshot, unsent)
    intents = intents.finished(plan.finished_run_now)
    interval = max(min(plan.next_check, house_check or math.inf), MIN_INTERVAL)
    if held_back_for is not None:
        # Every command is held back (grace period, back-off, missing permission):
        # looking again in 2 s to see them take effect would only poll Immich faster.
        interval = max(interval, min(held_back_for, policy.poll_interval))
    return Cycle(
        plan=plan,
        interval=interval,
        data=ImmichJobsData(
            queues=snapshot,
            states=plan.states,
            reasons=plan.reasons,
            managed=tuple(managed_queues(snapshot, policy)),
            intents=intents,
            contested=contested,
            time_left=time_left(
                snapshot,
                policy=policy,
                # The house's holds in force, never-together groups included.
                intents=intents.with_house(plan.holds),
                observed=memory,
                states=plan.states,
                express=plan.express,
                now=now,
                resume=_resume(intents, utcnow),
            ),
            holds=plan.holds,
            uploads_arriving=uploads_arriving,
            held_until=held_until(plan, now, utcnow, intents.hold_until),
        ),
    )


def _resume(intents: Intents, utcnow: datetime) -> tuple[float, int] | None:
    """Return in how many seconds a timed pause ends, and the limit it gives back."""
    until, limit = intents.hold_until, intents.restore_max_running
    if until is None or limit is None:
        return None
    return ((until - utcnow).total_seconds(), limit)
