"""From wishes to commands, the memory they leave, and each queue's state and reason.

Pure module (no Home Assistant): ownership follows what Immich did, and every state shown
comes from its reason (reasons.py's one table).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from ..immich.models import QueueStatus, Snapshot
from .intents import Intents
from .model import Action, Command, Memory, Plan
from .reasons import QueueReason, QueueState, Reason, queue_state
from .scene import SCHEDULING_OFF, Scene, Wants


def holds_slot(status: QueueStatus, paused: bool) -> bool:
    """Tell whether a queue holds a slot: resumed with work, or paused but still busy."""
    return status.busy if paused else status.has_work


def ends_paused(snapshot: Snapshot, wants: Wants) -> dict[str, bool]:
    """Return each queue's pause state once the wanted commands took effect."""
    return {
        name: wants[name].paused if name in wants else status.is_paused
        for name, status in snapshot.items()
    }


def to_commands(
    snapshot: Snapshot, wants: Wants, memory: Memory, now: float
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


def queue_reasons(
    scene: Scene, intents: Intents, wants: Wants
) -> dict[str, QueueReason]:
    """Say why each managed queue ends in its state (the wish's reason, or why it has none)."""
    reasons: dict[str, QueueReason] = {}
    for name in scene.managed:
        if name in scene.in_immich:
            reasons[name] = QueueReason(Reason.HELD_IN_IMMICH)
        elif name in wants:
            reasons[name] = wants[name].why
        elif not intents.scheduling:
            reasons[name] = SCHEDULING_OFF
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


def queue_states(
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
