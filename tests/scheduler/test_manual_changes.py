"""Pauses made by someone else in Immich are respected (issue 14, bug 5).

A queue paused in Immich's own page (or by another tool) while the integration runs is not
resumed, not at global idle, not when it wins a slot, not on release, until Immich resumes it
or the user hands it back through its switch (off, then on). What a previous controller (the
add-on) left paused when the integration was set up is taken over and scheduled.
"""

from __future__ import annotations

from custom_components.immich_jobs.engine.queues import (
    METADATA_EXTRACTION as META,
    SMART_SEARCH as SMART,
    THUMBNAIL_GENERATION as THUMB,
    VIDEO_CONVERSION as VIDEO,
)
from custom_components.immich_jobs.engine.scheduler import (
    Action,
    Intents,
    Memory,
    QueueState,
    plan,
    release,
)
from custom_components.immich_jobs.runtime.store import memory_as_dict, memory_from_dict

from .helpers import ON, STRICT, apply, commanded, queue, snap

RUNNING = Memory(took_over=True)  # a set-up that has already read Immich once


def test_queue_paused_by_hand_stays_paused_at_global_idle() -> None:
    """Nothing to do anywhere: every queue is resumed but the one paused by hand."""
    snapshot = snap(queue(META, paused=True), queue(THUMB, paused=True), queue(SMART))
    result = plan(
        snapshot, STRICT, ON, Memory(took_over=True, owned=frozenset({THUMB})), 0.0
    )
    assert commanded(result) == {THUMB: Action.RESUME}
    assert result.states[META] is QueueState.HELD_IN_IMMICH
    assert result.states[THUMB] is QueueState.IDLE


def test_queue_paused_by_hand_while_we_run_is_not_resumed_when_it_wins() -> None:
    """The highest-priority queue paused in Immich keeps its pause; the next one runs."""
    working = snap(queue(META, 10), queue(THUMB, 10, paused=True))
    first = plan(
        working, STRICT, ON, Memory(took_over=True, owned=frozenset({THUMB})), 0.0
    )
    assert first.commands == ()
    assert first.states[THUMB] is QueueState.QUEUED
    by_hand = snap(queue(META, 9, paused=True), queue(THUMB, 10, paused=True))
    second = plan(by_hand, STRICT, ON, first.memory, 10.0)
    assert commanded(second) == {THUMB: Action.RESUME}
    assert second.states[META] is QueueState.HELD_IN_IMMICH
    assert META not in second.memory.owned


def test_queues_found_paused_at_set_up_are_taken_over() -> None:
    """Migration from the add-on: what it left paused is ours, resumed at idle and on release."""
    left = snap(queue(META, paused=True), queue(THUMB, paused=True), queue(SMART))
    first = plan(left, STRICT, ON, Memory(), 0.0)
    assert commanded(first) == {META: Action.RESUME, THUMB: Action.RESUME}
    assert first.memory.took_over
    assert commanded(release(left, first.memory)) == commanded(first)

    # Once only: a pause made by hand after the first read is someone else's.
    resumed = plan(apply(left, first), STRICT, ON, first.memory, 10.0)
    later = snap(queue(META, paused=True), queue(THUMB), queue(SMART))
    second = plan(later, STRICT, ON, resumed.memory, 20.0)
    assert second.commands == ()
    assert second.states[META] is QueueState.HELD_IN_IMMICH


def test_take_over_waits_for_automatic_scheduling() -> None:
    """With scheduling off nothing is taken over; it happens once scheduling is on."""
    left = snap(queue(META, paused=True), queue(THUMB))
    off = plan(left, STRICT, Intents(scheduling=False), Memory(), 0.0)
    assert off.commands == ()
    assert not off.memory.took_over
    on = plan(left, STRICT, ON, off.memory, 10.0)
    assert commanded(on) == {META: Action.RESUME}


def test_a_resume_that_did_not_go_out_stays_ours() -> None:
    """A resume held back (grace period, back-off) leaves the queue ours, not 'held in Immich'."""
    left = snap(queue(META, paused=True), queue(THUMB))
    first = plan(left, STRICT, ON, Memory(), 0.0)
    assert commanded(first) == {META: Action.RESUME}
    # Immich did not get the command: the next read shows META still paused.
    again = plan(left, STRICT, ON, first.memory, 10.0)
    assert commanded(again) == {META: Action.RESUME}
    assert again.states[META] is not QueueState.HELD_IN_IMMICH


def test_switch_off_and_on_hands_the_queue_back() -> None:
    """Held through its switch, then let run again: the queue is scheduled like ours."""
    by_hand = snap(queue(META, 5, paused=True), queue(THUMB))
    held = plan(by_hand, STRICT, Intents(held=frozenset({META})), RUNNING, 0.0)
    assert held.commands == ()
    assert held.states[META] is QueueState.HELD
    on = plan(by_hand, STRICT, ON, held.memory, 5.0)
    assert commanded(on) == {META: Action.RESUME, THUMB: Action.PAUSE}
    assert on.states[META] is QueueState.RUNNING


def test_run_now_takes_a_queue_paused_by_hand() -> None:
    """Run now is the user asking through us: it runs, paused by hand or not."""
    by_hand = snap(queue(VIDEO, 5, paused=True), queue(META, 5))
    result = plan(by_hand, STRICT, Intents(run_now=frozenset({VIDEO})), RUNNING, 0.0)
    assert commanded(result) == {VIDEO: Action.RESUME, META: Action.PAUSE}


def test_immich_resuming_it_ends_the_hold_in_immich() -> None:
    """Resumed in Immich, the queue is scheduled again: paused when it loses, resumed later."""
    resumed = snap(queue(META, 5), queue(THUMB, 5))
    lost = plan(resumed, STRICT, ON, RUNNING, 0.0)
    assert commanded(lost) == {THUMB: Action.PAUSE}
    done = snap(queue(META), queue(THUMB, 5, paused=True))
    won = plan(done, STRICT, ON, lost.memory, 10.0)
    assert commanded(won) == {THUMB: Action.RESUME, META: Action.PAUSE}


def test_scheduling_off_and_release_leave_a_queue_paused_by_hand() -> None:
    """Giving back what we paused never resumes what someone else paused."""
    snapshot = snap(queue(META, 5, paused=True), queue(THUMB, 5, paused=True))
    memory = Memory(took_over=True, owned=frozenset({THUMB}))
    off = plan(snapshot, STRICT, Intents(scheduling=False), memory, 0.0)
    assert commanded(off) == {THUMB: Action.RESUME}
    assert commanded(release(snapshot, memory)) == {THUMB: Action.RESUME}
    assert commanded(release(apply(snapshot, off), off.memory)) == {}


def test_take_over_survives_storage() -> None:
    """After a restart, a pause made by hand before it is still someone else's."""
    memory = Memory(took_over=True, owned=frozenset({THUMB}))
    assert memory_from_dict(memory_as_dict(memory)) == memory
    assert not memory_from_dict({"took_over": "yes"}).took_over
