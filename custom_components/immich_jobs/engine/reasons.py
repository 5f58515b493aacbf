"""Why a managed queue is in its state, and the one table from the why to the state shown.

Pure module (no Home Assistant): the scheduler gives each managed queue a `QueueReason` in its
plan, the dispatcher replaces it with the gate's reason for a command that did not go out, and
the status sensor shows the state `queue_state` derives from that reason (docs/statuses.md is
this table in words), the code (translated), the slot and the queues it waits behind.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from ..immich.models import QueueStatus


class QueueState(StrEnum):
    """What a managed queue is doing, as the status sensor shows it."""

    RUNNING = "running"
    DRAINING = "draining"
    QUEUED = "queued"
    IDLE = "idle"
    HELD = "held"
    # Paused in Immich by someone else while we ran: left paused, never resumed by us.
    HELD_IN_IMMICH = "held_in_immich"


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
    # The house holds it (a `Hold` of house/holds.py carries one of these): a schedule helper
    # is off...
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


# The state of a queue with work, for each reason that is a hold. Every other reason shows what
# the queue does (running, draining or queued). A queue without work shows Idle, whatever holds
# it (no Held while nothing is held back, no Idle while jobs wait or run), except one paused in
# Immich by someone else: that pause outlasts the integration's decisions, so it stays in sight.
HOLDS: Mapping[Reason, QueueState] = {
    Reason.LIMIT_ZERO: QueueState.HELD,
    Reason.PAUSED_UNTIL: QueueState.HELD,
    Reason.HELD_BY_SWITCH: QueueState.HELD,
    Reason.OUTSIDE_SCHEDULE: QueueState.HELD,
    Reason.HELD_BY_ENTITY: QueueState.HELD,
    Reason.UPLOADS_ARRIVING: QueueState.HELD,
    Reason.NEVER_TOGETHER: QueueState.HELD,
    Reason.HELD_IN_IMMICH: QueueState.HELD_IN_IMMICH,
}


# Each reason in words, for the debug log and the diagnostics' commands (the status sensor
# translates the code instead). {slot}, {behind} and {held_by} take the QueueReason's slot, the
# first queue it waits behind and what holds it.
WORDS: Mapping[Reason, str] = {
    Reason.SLOT: "highest priority with work (slot {slot})",
    Reason.RUN_NOW: "run now: until its backlog is empty",
    Reason.EXPRESS: "express lane: small jobs run without a slot",
    Reason.READY: "ready: empty, kept resumed for new uploads",
    Reason.KEPT_RUNNING: "kept running: its running job outlasts the work ahead of it",
    Reason.WAITS_FOR_SLOT: "paused: higher-priority work holds the slots",
    Reason.WAITS_FOR_FINISH: "waiting: a running queue keeps its slot until it is empty",
    Reason.WAITS_FOR_DRAINING: "next: waiting for a draining queue to finish",
    Reason.RUN_NOW_OF_OTHER: "paused: a queue run now holds its slot",
    Reason.NO_WORK: "no work while other queues work",
    Reason.IDLE: "nothing to do: resumed (idle)",
    Reason.LIMIT_ZERO: "max concurrent queues is 0: everything held",
    Reason.PAUSED_UNTIL: "processing paused for a while: everything held",
    Reason.HELD_BY_SWITCH: "held by the user",
    Reason.OUTSIDE_SCHEDULE: "held: outside its schedule ({held_by})",
    Reason.HELD_BY_ENTITY: "held by {held_by}",
    Reason.UPLOADS_ARRIVING: "held: uploads in progress",
    Reason.NEVER_TOGETHER: "held: never together with {behind}",
    Reason.HELD_IN_IMMICH: "left paused: paused in Immich by someone else",
    Reason.HELD_BY_RIVAL: "left alone: another controller flips it",
    Reason.SCHEDULING_OFF: "released: not scheduled by the integration",
    Reason.GRACE_PERIOD: "waiting: Immich has just come back",
    Reason.RETRYING: "waiting: its command failed, tried again soon",
    Reason.NO_PERMISSION: "waiting: the API key may not pause or resume queues",
}


def in_words(why: QueueReason, held_by: str = "") -> str:
    """Say a reason in words (English, for the log and the diagnostics)."""
    return WORDS[why.code].format(
        slot=why.slot, behind=", ".join(why.behind), held_by=held_by
    )


def has_work(status: QueueStatus) -> bool:
    """Tell whether a queue has jobs waiting (delayed ones too) or running."""
    return status.pending > 0 or status.busy


def queue_state(code: Reason | None, status: QueueStatus, paused: bool) -> QueueState:
    """Return the state a queue shows, from its reason and whether it ends paused."""
    if code is Reason.HELD_IN_IMMICH:
        return QueueState.HELD_IN_IMMICH
    if not has_work(status):
        return QueueState.IDLE
    if code is not None and code in HOLDS:
        return HOLDS[code]
    if not paused and status.has_work:
        return QueueState.RUNNING
    return QueueState.DRAINING if status.busy else QueueState.QUEUED
