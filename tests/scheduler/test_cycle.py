"""One cycle as the coordinator runs it: decide, send (here: nothing or all), conclude."""

from __future__ import annotations

from datetime import UTC, datetime

from custom_components.immich_jobs.engine.cycle import conclude, decide
from custom_components.immich_jobs.engine.house.holds import Hold
from custom_components.immich_jobs.engine.intents import Intents
from custom_components.immich_jobs.engine.scheduler import (
    Action,
    Memory,
    Policy,
    QueueReason,
    Reason,
)

from .helpers import queue, snap

THUMB = "thumbnailGeneration"  # ranks above video in the default order
VIDEO = "videoConversion"
ONE_SLOT = Policy(express_lane=False, managed=frozenset({THUMB, VIDEO}))
NOON = datetime(2026, 12, 6, 12, tzinfo=UTC)


def test_a_switch_turned_off_owns_the_commands_it_causes() -> None:
    """Thumbnails held: their pause and the video's resume are the user's (they must go)."""
    snapshot = snap(queue(THUMB, 10), queue(VIDEO, 20, paused=True))
    memory = Memory(owned=frozenset({VIDEO}), took_over=True)
    before = Intents()
    decision = decide(
        snapshot,
        ONE_SLOT,
        before.hold(THUMB, True),
        memory,
        0.0,
        house={},
        before=before,
        subject=THUMB,
    )
    assert decision.own == {(THUMB, Action.PAUSE), (VIDEO, Action.RESUME)}
    # Without a change, nothing is the user's.
    assert decide(snapshot, ONE_SLOT, before, memory, 0.0, house={}).own == set()


def test_a_queue_run_now_is_not_held_by_the_house() -> None:
    """Uploads arriving hold the video, but the user runs it now: it runs."""
    snapshot = snap(queue(VIDEO, 20, paused=True))
    uploads = {VIDEO: Hold(Reason.UPLOADS_ARRIVING)}
    memory = Memory(owned=frozenset({VIDEO}), took_over=True)
    held = decide(snapshot, ONE_SLOT, Intents(), memory, 0.0, house=uploads)
    assert held.plan.reasons[VIDEO] == QueueReason(Reason.UPLOADS_ARRIVING)
    ran = decide(snapshot, ONE_SLOT, Intents().run(VIDEO), memory, 0.0, house=uploads)
    assert ran.plan.holds == {}
    assert ran.plan.reasons[VIDEO].code is Reason.RUN_NOW


def test_commands_held_back_show_why_and_slow_the_next_look() -> None:
    """In a grace period the video's resume waits 30 s: shown as such, looked at in 10 s."""
    snapshot = snap(queue(VIDEO, 20, paused=True))
    memory = Memory(owned=frozenset({VIDEO}), took_over=True)
    decision = decide(snapshot, ONE_SLOT, Intents(), memory, 0.0, house={})
    cycle = conclude(
        decision,
        Intents(),
        memory,
        0.0,
        NOON,
        snapshot=snapshot,
        unsent={VIDEO: Reason.GRACE_PERIOD},
        held_back_for=30.0,
        house_check=None,
        uploads_arriving=False,
        contested=frozenset(),
    )
    assert cycle.data.reasons[VIDEO].code is Reason.GRACE_PERIOD
    assert cycle.data.states[VIDEO] == "queued"
    assert cycle.interval == 10.0
    assert cycle.data.managed == (VIDEO,)


def test_a_queue_run_now_leaves_the_intents_once_it_is_empty() -> None:
    """Video run now, found empty: the intents forget it, and the next look is a poll away."""
    snapshot = snap(queue(THUMB), queue(VIDEO))
    intents = Intents().run(VIDEO)
    decision = decide(
        snapshot, ONE_SLOT, intents, Memory(took_over=True), 0.0, house={}
    )
    cycle = conclude(
        decision,
        intents,
        Memory(took_over=True),
        0.0,
        NOON,
        snapshot=snapshot,
        unsent={},
        held_back_for=None,
        house_check=None,
        uploads_arriving=False,
        contested=frozenset(),
    )
    assert cycle.data.intents.run_now == frozenset()
    assert cycle.interval == 10.0
