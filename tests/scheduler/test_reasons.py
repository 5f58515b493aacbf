"""Why each queue is in its state: the plan's reason codes, slots and queues waited behind."""

from __future__ import annotations

from custom_components.immich_jobs.const import POLICY_FINISH_FIRST
from custom_components.immich_jobs.engine.queues import (
    METADATA_EXTRACTION as META,
    OCR,
    SMART_SEARCH as SMART,
    THUMBNAIL_GENERATION as THUMB,
    VIDEO_CONVERSION as VIDEO,
)
from custom_components.immich_jobs.engine.scheduler import (
    Intents,
    Memory,
    Policy,
    QueueReason,
    QueueState,
    Reason,
    held_back,
    plan,
)

from .helpers import ON, STRICT, TIMED_PAUSE, queue, snap


def test_slot_holders_and_the_queues_waiting_behind_them() -> None:
    """N=2: the two most important queues hold slots 1 and 2; the others say whom they wait for."""
    snapshot = snap(queue(META, 5), queue(THUMB, 5), queue(SMART, 5), queue(OCR))
    result = plan(snapshot, Policy(express_lane=False, max_running=2), ON, Memory(), 0)
    assert result.reasons == {
        META: QueueReason(Reason.SLOT, 1),
        THUMB: QueueReason(Reason.SLOT, 2),
        SMART: QueueReason(Reason.WAITS_FOR_SLOT, behind=(META, THUMB)),
        OCR: QueueReason(Reason.NO_WORK),
    }


def test_winner_waits_for_the_draining_queue() -> None:
    """The slot is won but still taken by a paused queue's running job: it names that queue."""
    snapshot = snap(queue(META, 10, paused=True), queue(VIDEO, 10, active=1))
    result = plan(snapshot, STRICT, ON, Memory(), 0)
    assert result.states == {META: QueueState.QUEUED, VIDEO: QueueState.DRAINING}
    assert result.reasons == {
        META: QueueReason(Reason.WAITS_FOR_DRAINING, behind=(VIDEO,)),
        VIDEO: QueueReason(Reason.WAITS_FOR_SLOT, behind=(META,)),
    }


def test_finish_first_says_the_running_queue_keeps_its_slot() -> None:
    """Under finish first the loser waits for the running queue to empty."""
    policy = Policy(express_lane=False, kind=POLICY_FINISH_FIRST)
    snapshot = snap(queue(META, 5, paused=True), queue(VIDEO, 5))
    memory = Memory(took_over=True, owned=frozenset({META}))
    result = plan(snapshot, policy, ON, memory, 0)
    assert result.reasons[VIDEO] == QueueReason(Reason.SLOT, 1)
    assert result.reasons[META] == QueueReason(Reason.WAITS_FOR_FINISH, behind=(VIDEO,))


def test_run_now_takes_the_first_slot_and_says_whose_slot_it_took() -> None:
    """Run now holds slot 1; the queue that would have had it waits behind the run-now queue."""
    snapshot = snap(queue(META, 5), queue(THUMB, 5), queue(VIDEO, 5, paused=True))
    result = plan(
        snapshot,
        Policy(express_lane=False, max_running=2),
        Intents(run_now=frozenset({VIDEO})),
        Memory(),
        0,
    )
    assert result.reasons == {
        VIDEO: QueueReason(Reason.RUN_NOW, 1),
        META: QueueReason(Reason.SLOT, 2),
        THUMB: QueueReason(Reason.RUN_NOW_OF_OTHER, behind=(VIDEO,)),
    }


def test_limit_zero_holds_everything_but_run_now_which_has_no_slot() -> None:
    """N=0: everything is held by the limit (a timed pause says so); run now runs slotless."""
    snapshot = snap(queue(META, 5), queue(THUMB), queue(VIDEO, 5))
    policy = Policy(express_lane=False, max_running=0)
    result = plan(snapshot, policy, Intents(run_now=frozenset({VIDEO})), Memory(), 0)
    assert result.reasons == {
        META: QueueReason(Reason.LIMIT_ZERO),
        THUMB: QueueReason(Reason.LIMIT_ZERO),
        VIDEO: QueueReason(Reason.RUN_NOW),
    }
    timed = plan(snapshot, policy, TIMED_PAUSE, Memory(), 0)
    assert set(timed.reasons.values()) == {QueueReason(Reason.PAUSED_UNTIL)}


def test_express_lane_and_kept_running() -> None:
    """A small batch runs without a slot; a loser whose job outlasts the work ahead keeps running."""
    express = plan(
        snap(queue(VIDEO, 18, active=1), queue(META, 1, paused=True), queue(THUMB)),
        Policy(),
        ON,
        Memory(),
        0,
    )
    assert express.reasons[META] == QueueReason(Reason.EXPRESS)
    assert express.reasons[VIDEO] == QueueReason(Reason.SLOT, 1)
    # Thumbnails are empty and light: kept resumed for the next upload, not "express".
    assert express.reasons[THUMB] == QueueReason(Reason.READY)

    # One photo's metadata (0.2 s) is ahead of a transcode seen taking 20 s a job.
    memory = Memory(took_over=True, job_seconds={META: 0.2, VIDEO: 20.0})
    kept = plan(snap(queue(META, 1), queue(VIDEO, 3, active=1)), STRICT, ON, memory, 0)
    assert kept.commands == ()
    assert kept.states[VIDEO] is QueueState.RUNNING
    assert kept.reasons[VIDEO] == QueueReason(Reason.KEPT_RUNNING)


def test_holds_idle_scheduling_off_and_pauses_made_in_immich() -> None:
    """Each hold has its own reason; idle queues say nothing is to do anywhere."""
    idle = plan(snap(queue(META), queue(THUMB)), STRICT, ON, Memory(), 0)
    assert set(idle.reasons.values()) == {QueueReason(Reason.IDLE)}

    snapshot = snap(queue(META, 5), queue(THUMB, 5), queue(SMART, 5, paused=True))
    intents = Intents(held=frozenset({THUMB}))
    memory = Memory(took_over=True)  # smartSearch was paused by someone else
    held = plan(snapshot, STRICT, intents, memory, 0)
    assert held.reasons[THUMB] == QueueReason(Reason.HELD_BY_SWITCH)
    assert held.reasons[SMART] == QueueReason(Reason.HELD_IN_IMMICH)
    assert held.reasons[META] == QueueReason(Reason.SLOT, 1)

    off = plan(
        snapshot, STRICT, Intents(scheduling=False, held=intents.held), memory, 0
    )
    assert off.reasons == {
        META: QueueReason(Reason.SCHEDULING_OFF),
        THUMB: QueueReason(Reason.HELD_BY_SWITCH),
        SMART: QueueReason(Reason.HELD_IN_IMMICH),
    }


def test_contested_queue_shows_its_real_state_and_the_rival() -> None:
    """A queue another controller flips is never commanded but still has a state and a reason."""
    snapshot = snap(queue(META, 5), queue(VIDEO, 3, paused=True, active=1))
    policy = Policy(
        express_lane=False,
        managed=frozenset({META}),
        contested=frozenset({VIDEO}),
    )
    result = plan(snapshot, policy, ON, Memory(took_over=True), 0)
    assert result.commands == ()
    assert result.states[VIDEO] is QueueState.DRAINING
    assert result.reasons[VIDEO] == QueueReason(Reason.HELD_BY_RIVAL)


def test_a_held_back_command_shows_what_immich_has_and_why() -> None:
    """The pause the gate held back leaves the queue running: so says its state and reason."""
    snapshot = snap(queue(META, 5, paused=True), queue(THUMB, 5))
    wished = plan(
        snapshot, STRICT, ON, Memory(took_over=True, owned=frozenset({META})), 0
    )
    assert wished.states[THUMB] is QueueState.QUEUED  # the wish: paused

    shown = held_back(wished, snapshot, {THUMB: Reason.GRACE_PERIOD})
    assert shown.states == {META: QueueState.RUNNING, THUMB: QueueState.RUNNING}
    assert shown.reasons[THUMB] == QueueReason(Reason.GRACE_PERIOD, behind=(META,))
    assert shown.reasons[META] == QueueReason(Reason.SLOT, 1)
    assert shown.commands == wished.commands
