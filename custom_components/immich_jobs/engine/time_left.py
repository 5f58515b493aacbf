"""How long until the work is done: each queue's time left and the server's time until idle.

Pure, like the scheduler. Each queue's own work is its jobs times the learned seconds per job
(`durations.py`: queue time per job, so a queue's concurrency is in it), less what its running
job has done. The queues then take the scheduler's slots the way it gives them: run now first,
the express lane beside the slots, the others in priority order (under *finish first*, the
running ones before the rest), each in the first slot to come free. A queue waiting behind
others waits for them too. New uploads, and the work a job hands on to the next queue, are not
foreseen: it is the time for the work Immich shows now (bench/README.md states the error). A
queue the house holds until a known time is assumed to run from then.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ..const import POLICY_FINISH_FIRST
from ..immich.models import QueueStatus, Snapshot
from .durations import Observed, job_left, work
from .intents import Intents
from .model import Plan, Policy, managed_queues
from .reasons import QueueState, Reason

# A queue in these states does not finish: it is held until someone lets it run.
HELD_STATES = frozenset({QueueState.HELD, QueueState.HELD_IN_IMMICH})


@dataclass(frozen=True, slots=True)
class TimeLeft:
    """Seconds until each managed queue and the whole server are done; None when unknown."""

    queues: Mapping[str, float | None] = field(default_factory=dict)
    # Until every managed queue has no work, but for those held by a switch or in Immich.
    until_idle: float | None = 0.0


def own_seconds(status: QueueStatus, observed: Observed, now: float) -> float | None:
    """Return the seconds a queue's own work takes once it runs; None before any was learned."""
    if not status.has_work:
        return 0.0
    seconds = observed.job_seconds.get(status.name)
    if seconds is None:
        return None
    if not status.busy:
        return work(status) * seconds
    return (work(status) - 1) * seconds + job_left(status, observed, now)


def time_left(
    snapshot: Snapshot,
    *,
    policy: Policy,
    intents: Intents,
    observed: Observed,
    states: Mapping[str, QueueState],
    express: frozenset[str],
    now: float,
    resume: tuple[float, int] | None = None,
) -> TimeLeft:
    """Estimate when each managed queue's backlog is done, in the scheduler's order.

    `resume`: a timed pause ends in so many seconds and gives back this limit; the work is
    assumed to take its slots from then.
    """
    managed = managed_queues(snapshot, policy)
    own = {name: own_seconds(snapshot[name], observed, now) for name in managed}
    # A house hold with an end is assumed to end then: its queue waits for a slot from then.
    not_before = {
        name: max(0.0, hold.until - now)
        for name, hold in intents.house.items()
        if hold.until is not None and name in own and name not in intents.held
    }
    # Held by its switch, the house without an end, or in Immich (a limit of 0 holds too:
    # then no slot runs).
    held = {
        name
        for name in managed
        if name not in not_before
        and (
            states.get(name) is QueueState.HELD_IN_IMMICH
            or (
                states.get(name) in HELD_STATES
                and (name in intents.held or name in intents.house)
            )
        )
    }
    left: dict[str, float | None] = {
        name: None if own[name] != 0.0 else 0.0 for name in held
    }
    run_now = [name for name in managed if name in intents.run_now and name not in held]
    beside = [
        name
        for name in managed
        if name not in held
        and name not in not_before
        and (name in express or name in run_now or not intents.scheduling)
    ]
    # Run now, the express lane, and everything when scheduling is off run at once.
    left |= {name: own[name] for name in beside}
    # Run now goes beyond the limit when it must: a slot is free once fewer run now than N.
    limit, opens = max(0, policy.max_running), 0.0
    if resume is not None and limit == 0:
        opens, limit = max(0.0, resume[0]), max(0, resume[1])
    ends = sorted((own[name] for name in run_now), key=_unknown_last)
    taken = min(limit, len(ends))
    slots: list[float | None] = [opens for _ in range(limit - taken)]
    slots += ends[len(ends) - taken :]
    waiting = [name for name in managed if name not in held and name not in beside]
    if policy.kind == POLICY_FINISH_FIRST:
        # A running queue keeps its slot until it is empty: it goes before the waiting ones.
        waiting.sort(key=lambda name: snapshot[name].is_paused)
    for name in waiting:
        if own[name] == 0.0:
            left[name] = 0.0
            continue
        if not slots:
            left[name] = None  # the limit is 0: nothing runs
            continue
        # The first slot to come free; behind an unknown, the start is unknown too.
        slot = min(range(len(slots)), key=lambda i: _unknown_last(slots[i]))
        start, seconds = slots[slot], own[name]
        if start is not None and name in not_before:
            start = max(start, not_before[name])
        end = None if start is None or seconds is None else start + seconds
        slots[slot] = left[name] = end
    # A hold of the house without an end (a condition that says no) ends at a time no one
    # knows: its work makes the server's time unknown. One with an end (the quiet period, a
    # condition's minimum time, the longest hold) is assumed to end then, its work to run
    # after. The user's switch and Immich's own pause do not end by themselves: their queues
    # are left out.
    counted = [
        left[name] for name in managed if name not in held or name in intents.house
    ]
    return TimeLeft(
        queues={name: left[name] for name in managed},
        until_idle=None
        if any(value is None for value in counted)
        else max((value for value in counted if value is not None), default=0.0),
    )


def held_until(
    plan: Plan, now: float, utcnow: datetime, paused_until: datetime | None
) -> dict[str, datetime]:
    """Return when each held queue's hold ends by itself, as a UTC time to the second.

    The house's holds run on the scheduler's clock (`now`); a timed pause has its UTC end and
    holds every queue until then, so a house hold ending sooner ends at the pause's end. A
    queue held without an end (the switch, a condition saying no) is left out.
    """
    ends = {
        name: (utcnow + timedelta(seconds=max(0.0, hold.until - now))).replace(
            microsecond=0
        )
        for name, hold in plan.holds.items()
        if hold.until is not None
    }
    if paused_until is not None:
        ends = {name: max(end, paused_until) for name, end in ends.items()}
        ends |= {
            name: paused_until
            for name, why in plan.reasons.items()
            if why.code is Reason.PAUSED_UNTIL
        }
    return ends


def _unknown_last(value: float | None) -> tuple[bool, float]:
    return (value is None, value or 0.0)
