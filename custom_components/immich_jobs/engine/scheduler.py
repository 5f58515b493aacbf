"""Priority scheduling of Immich's job queues, as a pure function.

`plan` turns what was read from Immich this cycle (the snapshot), the user's options (policy) and
wishes (intents) and the scheduler's own memory into the commands to send, each with a reason,
the memory to keep, and when to look again. No Home Assistant, no I/O, no clock: the same code
runs in the coordinator, the tests, the simulator and the benchmarks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from ..immich.models import Snapshot
from .commands import ends_paused, held_back, queue_reasons, queue_states, to_commands
from .durations import job_seconds, learn
from .house.groups import settle
from .house.holds import Hold, merge
from .intents import Intents
from .model import (
    DEFAULT_RELEASE_RETRY,
    MIN_CHECK,
    Action,
    Command,
    Memory,
    Plan,
    Policy,
    managed_queues,
)
from .queues import is_manageable
from .reasons import QueueReason, QueueState, Reason
from .scene import RIVAL, SCHEDULING_OFF, Scene, Want
from .slots import (
    express_queues,
    fill_slots,
    hand_back,
    handoff_checks,
    hold_paused,
    idle,
    is_global_idle,
    next_check,
    pause_changes_something,
    released,
    slot_winners,
)

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


def release(snapshot: Snapshot | None, memory: Memory) -> Plan:
    """Resume every queue the integration paused (scheduling off, entry disabled or removed)."""
    if snapshot is None:
        return Plan((), memory, DEFAULT_RELEASE_RETRY)
    wants = {
        name: Want(False, SCHEDULING_OFF)
        for name in sorted(memory.owned)
        if name in snapshot and is_manageable(name)
    }
    commands, memory = to_commands(snapshot, wants, memory, memory.read_at or 0.0)
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
    scene = Scene.read(snapshot, policy, intents, memory, house)
    wants = hand_back(scene, memory) | hold_paused(scene)
    express: frozenset[str] = frozenset()
    handoff: list[float] = []
    if not intents.scheduling:
        wants |= released(scene, memory)
    elif is_global_idle(scene, policy):
        wants |= idle(scene)
    else:
        express = express_queues(scene, policy, memory, now)
        winners, losers, why_lost = slot_winners(scene, policy, express)
        wants |= fill_slots(
            scene,
            policy,
            express,
            winners,
            pause_changes_something(scene, memory, now, winners, losers),
            why_lost,
        )
        handoff = handoff_checks(
            scene, policy, memory, now, express, winners, ends_paused(snapshot, wants)
        )
    commands, memory_out = to_commands(snapshot, wants, memory, now)
    paused_after = ends_paused(snapshot, wants)
    contested = [
        name
        for name in sorted(policy.contested)
        if name in snapshot and name not in scene.managed and is_manageable(name)
    ]
    reasons = queue_reasons(scene, intents, wants) | dict.fromkeys(contested, RIVAL)
    return Plan(
        commands,
        memory_out,
        next_check(policy, commands, handoff),
        queue_states(snapshot, reasons, paused_after, [*scene.managed, *contested]),
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
