"""Build snapshots and play plans against them, the way Immich would."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from custom_components.immich_jobs.engine.scheduler import Action, Intents, Plan, Policy
from custom_components.immich_jobs.immich import QueueStatus, Snapshot

# One slot and no express lane, so that priority alone decides; and no intents of the user.
STRICT = Policy(express_lane=False)
ON = Intents()
# pause_processing for a while: the limit is 0 until a wall-clock end.
TIMED_PAUSE = Intents(max_running=0, hold_until=datetime(2026, 12, 1, 12, tzinfo=UTC))


def queue(
    name: str, jobs: int = 0, *, active: int = 0, paused: bool = False
) -> QueueStatus:
    """Return a queue with `jobs` runnable jobs, counted where Immich counts them."""
    return QueueStatus(
        name=name,
        active=active,
        waiting=0 if paused else jobs,
        paused=jobs if paused else 0,
        delayed=0,
        failed=0,
        is_paused=paused,
    )


def snap(*queues: QueueStatus) -> dict[str, QueueStatus]:
    """Return a snapshot keyed by queue name."""
    return {status.name: status for status in queues}


def apply(snapshot: Snapshot, plan: Plan) -> dict[str, QueueStatus]:
    """Return the snapshot after Immich carried out the plan's commands (jobs keep running)."""
    result = dict(snapshot)
    for command in plan.commands:
        old = result[command.queue]
        result[command.queue] = queue(
            old.name,
            old.runnable,
            active=old.active,
            paused=command.action is Action.PAUSE,
        )
    return result


def paused(snapshot: Snapshot) -> set[str]:
    """Return the paused queues."""
    return {name for name, status in snapshot.items() if status.is_paused}


def commanded(plan: Plan) -> dict[str, Action]:
    """Return each commanded queue with its action."""
    return {command.queue: command.action for command in plan.commands}


def holders(snapshot: Snapshot, names: Iterable[str]) -> set[str]:
    """Return the queues holding a slot: resumed with work, or paused but still running jobs."""
    return {
        name
        for name in names
        if name in snapshot
        and (
            (not snapshot[name].is_paused and snapshot[name].has_work)
            or (snapshot[name].is_paused and snapshot[name].busy)
        )
    }
