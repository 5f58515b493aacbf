"""The phases of one plan, in the order their commands go out (design.md §2).

Pure module (no Home Assistant): the user's and the house's holds, scheduling off, global idle,
the express lane, the slots and who waits for them, and when to look again for a hand-off.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..const import POLICY_FINISH_FIRST
from .commands import ends_paused, holds_slot
from .durations import backlog_seconds, eta, is_express, job_left
from .house.holds import Hold
from .model import (
    AFTER_COMMAND_CHECK,
    HANDOFF_CHECK,
    MIN_CHECK,
    Command,
    Memory,
    Policy,
)
from .queues import is_manageable
from .reasons import QueueReason, Reason, has_work
from .scene import NO_WORK, SCHEDULING_OFF, Scene, Want, Wants


def hand_back(scene: Scene, memory: Memory) -> Wants:
    """Queues we paused that are no longer managed are handed back, never left paused."""
    managed = frozenset(scene.managed)
    return {
        name: Want(False, SCHEDULING_OFF)
        for name in sorted(memory.owned - managed)
        if name in scene.snapshot and is_manageable(name)
    }


def hold_paused(scene: Scene) -> Wants:
    """Hold paused the queues whose switch is off or the house holds, whatever else is true."""
    return {
        name: Want(True, QueueReason(Reason.HELD_BY_SWITCH))
        for name in sorted(scene.held)
    } | {
        name: Want(True, house_reason(hold), hold.subject)
        for name, hold in sorted(scene.house.items())
    }


def house_reason(hold: Hold) -> QueueReason:
    """Return the status sensor's reason for a house hold (a group's keeper runs ahead)."""
    group = hold.code is Reason.NEVER_TOGETHER and hold.subject
    return QueueReason(hold.code, behind=(hold.subject,) if group else ())


def released(scene: Scene, memory: Memory) -> Wants:
    """Automatic scheduling off: give back what we paused (held queues stay held)."""
    return {
        name: Want(False, SCHEDULING_OFF) for name in scene.free if name in memory.owned
    }


def is_global_idle(scene: Scene, policy: Policy) -> bool:
    """Tell whether no queue the scheduler decides for has work (and the limit lets them run)."""
    return policy.max_running > 0 and not any(
        scene.snapshot[name].has_work for name in scene.free
    )


def idle(scene: Scene) -> Wants:
    """Global idle: nothing is left paused with nothing to do, and uploads start at once.

    While a held queue has work, the others are only ready: not "nothing to do anywhere".
    """
    waits = any(has_work(scene.snapshot[name]) for name in scene.managed)
    why = QueueReason(Reason.READY if waits else Reason.IDLE)
    return {name: Want(False, why) for name in scene.free}


def express_queues(
    scene: Scene, policy: Policy, memory: Memory, now: float
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


def slot_winners(
    scene: Scene, policy: Policy, express: frozenset[str]
) -> tuple[list[str], list[str], Lost]:
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
        why_lost = Lost(Reason.WAITS_FOR_FINISH)
    else:
        winners = contenders[:slots]
        why_lost = Lost(Reason.WAITS_FOR_SLOT)
    losers = [name for name in contenders if name not in winners]
    return winners, losers, why_lost


@dataclass(frozen=True, slots=True)
class Lost:
    """Why the queues that lose a slot lose it (the policy's reason)."""

    code: Reason

    def why(
        self, scene: Scene, policy: Policy, rank: int, winners: list[str]
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


def pause_changes_something(
    scene: Scene, memory: Memory, now: float, winners: list[str], losers: list[str]
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


def fill_slots(
    scene: Scene,
    policy: Policy,
    express: frozenset[str],
    winners: list[str],
    losers: Mapping[str, bool],
    why_lost: Lost,
) -> Wants:
    """Run the run-now queues, the express lane and the winners; pause the rest."""
    snapshot = scene.snapshot
    limit = max(0, policy.max_running)
    wants: Wants = {
        name: Want(
            False, QueueReason(Reason.RUN_NOW, index if index <= limit else None)
        )
        for index, name in enumerate(scene.run_now, start=1)
    }
    contenders = [name for name in scene.free if name in losers or name in winners]
    # Losers are paused, not interrupted: their running jobs finish (draining).
    wants |= {
        name: Want(True, why_lost.why(scene, policy, contenders.index(name), winners))
        if paused
        else Want(False, QueueReason(Reason.KEPT_RUNNING))
        for name, paused in losers.items()
    }
    # An empty queue is paused "while others work" only if others may work: at limit 0 (a
    # timed pause too) it says what holds everything, like every other empty queue.
    empty = NO_WORK if limit > 0 else scene.limit_zero
    for name in scene.free:
        status = snapshot[name]
        if name in policy.watch_empty and not status.has_work:
            wants[name] = Want(True, empty)
        elif name in express:
            wants[name] = Want(
                False, QueueReason(Reason.EXPRESS if status.has_work else Reason.READY)
            )
        elif not status.has_work:
            wants[name] = Want(True, empty)
    paused = ends_paused(snapshot, wants)
    holders = {
        name
        for name in scene.managed
        if name not in express
        and holds_slot(
            snapshot[name], name in scene.held or name in scene.house or paused[name]
        )
    }
    first = min(len(scene.run_now), limit)  # the run-now queues' slots come first
    for index, name in enumerate(winners, start=first + 1):
        status = snapshot[name]
        # Running or draining, it already holds a slot; else it takes a free one, if any.
        if not status.is_paused or status.busy or len(holders) < limit:
            wants[name] = Want(False, QueueReason(Reason.SLOT, index))
            holders.add(name)
        else:
            draining = (n for n in scene.managed if n in holders and n not in winners)
            wants[name] = Want(
                True, QueueReason(Reason.WAITS_FOR_DRAINING, behind=tuple(draining))
            )
    return wants


def handoff_checks(
    scene: Scene,
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
        if name not in express and holds_slot(snapshot[name], paused[name])
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


def next_check(
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
