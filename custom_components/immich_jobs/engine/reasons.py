"""Why a managed queue is in its state, as codes an automation can read.

Pure module (no Home Assistant): the scheduler gives each managed queue a `QueueReason` in its
plan, the dispatcher replaces it with the gate's reason for a command that did not go out, and
the status sensor shows the code (translated), the slot and the queues it waits behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Reason(StrEnum):
    """Why a queue is in its state; the value is the translation key of the words."""

    # Running, with a slot of its own, by priority.
    SLOT = "slot"
    # Run now by the user: it takes a slot first (or runs beyond the limit).
    RUN_NOW = "run_now"
    # A small, quick backlog runs without a slot.
    EXPRESS = "express"
    # Empty and light while others work: kept resumed, so a new upload's job starts at once.
    READY = "ready"
    # Lost its slot, but its running job outlasts the work ahead: pausing would change nothing.
    KEPT_RUNNING = "kept_running"
    # Higher-priority queues hold the slots.
    WAITS_FOR_SLOT = "waits_for_slot"
    # Finish first: a running queue keeps its slot until its backlog is empty.
    WAITS_FOR_FINISH = "waits_for_finish"
    # It won a slot; a paused queue's running jobs finish first.
    WAITS_FOR_DRAINING = "waits_for_draining"
    # A queue the user runs now took the slot it would have had.
    RUN_NOW_OF_OTHER = "run_now_of_other"
    # Nothing to do while other queues work: paused, so that only slot holders run.
    NO_WORK = "no_work"
    # Nothing to do anywhere: every queue resumed, so an upload starts at once.
    IDLE = "idle"
    # Max concurrent queues is 0.
    LIMIT_ZERO = "limit_zero"
    # Max concurrent queues is 0 for a timed pause (pause_processing with a duration).
    PAUSED_UNTIL = "paused_until"
    # Its switch is off.
    HELD_BY_SWITCH = "held_by_switch"
    # The house holds it (house.py's HoldKind, same values): a schedule helper is off...
    OUTSIDE_SCHEDULE = "outside_schedule"
    # ... another condition entity says no ...
    HELD_BY_ENTITY = "held_by_entity"
    # ... new uploads keep arriving and it is a heavy queue ...
    UPLOADS_ARRIVING = "uploads_arriving"
    # ... or another queue of its never-together group runs.
    NEVER_TOGETHER = "never_together"
    # Someone paused it in Immich: left paused.
    HELD_IN_IMMICH = "held_in_immich"
    # Another controller flips it: left alone until a reload.
    HELD_BY_RIVAL = "held_by_rival"
    # Automatic scheduling is off: Immich runs it as it would unmanaged.
    SCHEDULING_OFF = "scheduling_off"
    # Its command waits: Immich has just come back (or Home Assistant just started).
    GRACE_PERIOD = "grace_period"
    # Its command failed and is tried again after a back-off.
    RETRYING = "retrying"
    # Its command waits: the API key may not pause or resume queues.
    NO_PERMISSION = "no_permission"


@dataclass(frozen=True, slots=True)
class QueueReason:
    """Why one queue is in its state: the code, the slot it holds, what it waits behind."""

    code: Reason
    # The slot it holds (1 of the limit), None when it holds none.
    slot: int | None = None
    # The queues it waits behind (Immich's names), in priority order.
    behind: tuple[str, ...] = ()
