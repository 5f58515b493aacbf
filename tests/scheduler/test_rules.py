"""One example per scheduling rule of design.md §2, named after the rule."""

from __future__ import annotations

from custom_components.immich_jobs.const import POLICY_FINISH_FIRST
from custom_components.immich_jobs.engine.queues import (
    BACKGROUND_TASK,
    DUPLICATE_DETECTION,
    LIBRARY,
    METADATA_EXTRACTION as META,
    OCR,
    SMART_SEARCH as SMART,
    THUMBNAIL_GENERATION as THUMB,
    VIDEO_CONVERSION as VIDEO,
)
from custom_components.immich_jobs.engine.scheduler import (
    MIN_CHECK,
    Action,
    Intents,
    Memory,
    Policy,
    QueueState,
    plan,
    release,
)

from .helpers import ON, STRICT, apply, commanded, queue, snap


def test_rule1_candidates_are_managed_unheld_queues_with_work() -> None:
    """Only managed, not held queues with work compete; the rest is left to Immich or held."""
    snapshot = snap(queue(THUMB, 5), queue(SMART, 5), queue(LIBRARY, 50), queue(META))
    result = plan(snapshot, STRICT, Intents(held=frozenset({THUMB})), Memory(), 0.0)
    assert commanded(result) == {THUMB: Action.PAUSE, META: Action.PAUSE}
    assert result.states[SMART] is QueueState.RUNNING
    assert result.states[THUMB] is QueueState.HELD
    assert LIBRARY not in result.states


def test_rule1_run_now_takes_slots_first() -> None:
    """A run-now queue runs ahead of priority and beyond the limit; it takes a slot."""
    snapshot = snap(queue(THUMB, 5), queue(VIDEO, 5, paused=True), queue(SMART, 5))
    result = plan(
        snapshot,
        Policy(express_lane=False, max_running=2),
        Intents(run_now=frozenset({VIDEO})),
        Memory(),
        0.0,
    )
    assert commanded(result) == {VIDEO: Action.RESUME, SMART: Action.PAUSE}
    assert result.states[THUMB] is QueueState.RUNNING


def test_rule1_run_now_is_released_when_empty() -> None:
    """A run-now queue that emptied returns to automatic scheduling."""
    snapshot = snap(queue(THUMB, 5), queue(VIDEO))
    result = plan(snapshot, STRICT, Intents(run_now=frozenset({VIDEO})), Memory(), 0.0)
    assert result.finished_run_now == {VIDEO}
    assert commanded(result) == {VIDEO: Action.PAUSE}


def test_rule2_slots_are_filled_by_priority() -> None:
    """With N=2 the two highest-priority queues with work run, the others are paused."""
    snapshot = snap(queue(VIDEO, 3), queue(SMART, 3), queue(META, 3), queue(THUMB, 3))
    result = plan(
        snapshot, Policy(express_lane=False, max_running=2), ON, Memory(), 0.0
    )
    assert commanded(result) == {VIDEO: Action.PAUSE, SMART: Action.PAUSE}
    assert result.memory.owned == {VIDEO, SMART}


def test_rule2_loser_is_paused_not_interrupted_and_winner_waits() -> None:
    """A busy loser drains; the winner is resumed only when its slot is free."""
    snapshot = snap(queue(META, 10, paused=True), queue(VIDEO, 10, active=1))
    first = plan(snapshot, STRICT, ON, Memory(), 0.0)
    assert commanded(first) == {VIDEO: Action.PAUSE}
    assert first.states == {META: QueueState.QUEUED, VIDEO: QueueState.DRAINING}
    assert first.next_check <= STRICT.poll_interval

    drained = snap(queue(META, 10, paused=True), queue(VIDEO, 9, paused=True))
    second = plan(drained, STRICT, ON, first.memory, 5.0)
    assert commanded(second) == {META: Action.RESUME}


def test_rule3_queues_without_work_stay_paused_while_work_exists() -> None:
    """Empty queues are paused so that only the slot owners run."""
    snapshot = snap(queue(META, 10), queue(THUMB), queue(SMART))
    result = plan(snapshot, STRICT, ON, Memory(), 0.0)
    assert commanded(result) == {THUMB: Action.PAUSE, SMART: Action.PAUSE}


def test_rule3_global_idle_resumes_every_managed_queue() -> None:
    """With no managed work anywhere, every managed queue is resumed (hidden jobs drain)."""
    snapshot = snap(queue(META, paused=True), queue(THUMB, paused=True), queue(SMART))
    result = plan(snapshot, STRICT, ON, Memory(owned=frozenset({META})), 0.0)
    assert commanded(result) == {META: Action.RESUME, THUMB: Action.RESUME}
    # Ours until a read shows them resumed (a resume that did not go out stays ours).
    assert result.memory.owned == {META, THUMB}
    after = plan(apply(snapshot, result), STRICT, ON, result.memory, 1.0)
    assert after.memory.owned == frozenset()
    assert result.next_check > STRICT.poll_interval or result.commands


def test_rule3_idle_looks_again_after_one_interval() -> None:
    """Nothing to do, nothing to command: still look after one interval (10 s here).

    Every queue is resumed at idle, so an upload runs uncapped until the next look.
    """
    snapshot = snap(queue(META), queue(THUMB))
    result = plan(snapshot, STRICT, ON, Memory(), 0.0)
    assert result.commands == ()
    assert result.next_check == 10.0


def test_rule4_held_queues_are_paused() -> None:
    """The user's switch off holds a queue paused even when it has the top priority."""
    snapshot = snap(queue(META, 10), queue(THUMB, 10, paused=True))
    result = plan(snapshot, STRICT, Intents(held=frozenset({META})), Memory(), 0.0)
    assert commanded(result) == {META: Action.PAUSE, THUMB: Action.RESUME}
    assert result.states[META] is QueueState.HELD


def test_rule4_internal_queues_are_never_managed() -> None:
    """Even configured as managed, backgroundTask and internal queues get no command."""
    policy = Policy(
        express_lane=False, managed=frozenset({META, BACKGROUND_TASK, "notifications"})
    )
    snapshot = snap(
        queue(META, 10), queue(BACKGROUND_TASK, 3), queue("notifications", 2)
    )
    result = plan(
        snapshot, policy, Intents(held=frozenset({BACKGROUND_TASK})), Memory(), 0.0
    )
    assert result.commands == ()
    assert set(result.states) == {META}


def test_rule5_idempotent_when_state_matches() -> None:
    """Planning again on the state a plan produced sends nothing."""
    snapshot = snap(queue(META, 10), queue(THUMB, 10), queue(VIDEO, 3, active=1))
    first = plan(snapshot, STRICT, ON, Memory(), 0.0)
    again = plan(apply(snapshot, first), STRICT, ON, first.memory, 0.0)
    assert first.commands
    assert again.commands == ()


def test_rule5_overridden_command_is_corrected_from_real_state() -> None:
    """Someone resumed a queue we paused: the next cycle pauses it again."""
    snapshot = snap(queue(META, 10), queue(THUMB, 10))
    first = plan(snapshot, STRICT, ON, Memory(), 0.0)
    assert commanded(first) == {THUMB: Action.PAUSE}
    second = plan(snapshot, STRICT, ON, first.memory, 10.0)
    assert commanded(second) == {THUMB: Action.PAUSE}


def test_rule6_unknown_state_sends_nothing() -> None:
    """A failed read: no commands, memory unchanged, look again at the interval."""
    memory = Memory(owned=frozenset({THUMB}), job_seconds={THUMB: 0.2})
    result = plan(None, STRICT, ON, memory, 50.0)
    assert result.commands == ()
    assert result.memory == memory
    assert result.next_check == STRICT.poll_interval


def test_rule7_express_lane_runs_small_backlog_without_a_slot() -> None:
    """A fresh upload's few jobs flow while a video backlog keeps the only slot."""
    snapshot = snap(
        queue(VIDEO, 18, active=1), queue(META, 1, paused=True), queue(THUMB)
    )
    result = plan(snapshot, Policy(), ON, Memory(), 0.0)
    assert commanded(result) == {META: Action.RESUME}
    assert result.states[VIDEO] is QueueState.RUNNING
    assert result.express == {META, THUMB}


def test_rule7_express_lane_never_takes_a_video_backlog() -> None:
    """A transcode is heavy by default: even one video waits for a slot."""
    snapshot = snap(queue(META, 100), queue(VIDEO, 1, paused=True))
    result = plan(snapshot, Policy(), ON, Memory(), 0.0)
    assert VIDEO not in result.express
    assert result.states[VIDEO] is QueueState.QUEUED


def test_rule7_express_lane_refuses_large_backlog() -> None:
    """More jobs than the threshold wait for a slot."""
    policy = Policy(express_max_jobs=5)
    snapshot = snap(queue(META, 10), queue(THUMB, 6, paused=True))
    result = plan(snapshot, policy, ON, Memory(), 0.0)
    assert result.commands == ()
    assert result.states[THUMB] is QueueState.QUEUED


def test_rule7_express_lane_learns_slow_jobs_from_falling_counts() -> None:
    """Jobs seen taking seconds each make a small backlog heavy."""
    policy = Policy()
    memory = Memory(work={SMART: 10}, progress_at={SMART: 0.0}, read_at=0.0)
    snapshot = snap(queue(META, 100), queue(SMART, 8, paused=True))
    result = plan(snapshot, policy, ON, memory, 10.0)
    assert result.memory.job_seconds[SMART] > 2.0
    assert SMART not in result.express


def test_rule7_express_lane_can_be_switched_off() -> None:
    """Without the express lane a small backlog waits like any other."""
    snapshot = snap(queue(VIDEO, 18, active=1), queue(OCR, 1, paused=True))
    result = plan(snapshot, STRICT, ON, Memory(), 0.0)
    assert result.commands == ()
    assert result.express == frozenset()
    assert commanded(plan(snapshot, Policy(), ON, Memory(), 0.0)) == {
        OCR: Action.RESUME
    }


def test_rule7_stalled_express_queue_loses_the_lane() -> None:
    """A 'small' job that runs far longer than expected stops bypassing the limit."""
    memory = Memory(work={THUMB: 1}, progress_at={THUMB: 0.0}, read_at=0.0)
    snapshot = snap(queue(VIDEO, 10, paused=True), queue(THUMB, active=1))
    result = plan(snapshot, Policy(), ON, memory, 30.0)
    assert THUMB not in result.express
    assert commanded(result) == {}
    assert result.states[VIDEO] is QueueState.QUEUED


def test_rule7_sustained_light_work_needs_a_slot() -> None:
    """A light queue seen working look after look is sustained work: it waits for a slot."""
    snapshot = snap(queue(VIDEO, 10, active=1), queue(OCR, 2, active=1))
    fresh = Memory(
        work={OCR: 3}, progress_at={OCR: 0.0}, running_since={OCR: 0.0}, read_at=0.0
    )
    assert OCR in plan(snapshot, Policy(), ON, fresh, 1.0).express
    long = Memory(
        work={OCR: 3}, progress_at={OCR: 29.0}, running_since={OCR: 0.0}, read_at=29.0
    )
    result = plan(snapshot, Policy(), ON, long, 30.0)
    assert OCR not in result.express
    assert commanded(result) == {OCR: Action.PAUSE}


def test_finish_first_running_queue_keeps_its_slot() -> None:
    """finish_first: a higher-priority arrival waits until the running backlog is empty."""
    policy = Policy(kind=POLICY_FINISH_FIRST, express_lane=False)
    snapshot = snap(queue(META, 100, paused=True), queue(VIDEO, 5, active=1))
    assert plan(snapshot, policy, ON, Memory(), 0.0).commands == ()
    preemptive = plan(snapshot, STRICT, ON, Memory(), 0.0)
    assert commanded(preemptive) == {VIDEO: Action.PAUSE}


def test_finish_first_fills_free_slots() -> None:
    """finish_first still fills an empty slot (the add-on did not)."""
    policy = Policy(kind=POLICY_FINISH_FIRST, express_lane=False, max_running=2)
    snapshot = snap(
        queue(META, 100, paused=True),
        queue(VIDEO, 5, active=1),
        queue(SMART, 4, paused=True),
    )
    assert commanded(plan(snapshot, policy, ON, Memory(), 0.0)) == {META: Action.RESUME}


def test_scheduling_off_resumes_only_what_we_paused_and_keeps_held() -> None:
    """Releasing hands back our pauses; the user's own pauses and held queues stay."""
    snapshot = snap(
        queue(META, 5, paused=True),
        queue(THUMB, 5, paused=True),
        queue(SMART, 5, paused=True),
        queue(VIDEO, 1),
    )
    memory = Memory(owned=frozenset({META, SMART}))
    intents = Intents(scheduling=False, held=frozenset({SMART, VIDEO}))
    result = plan(snapshot, STRICT, intents, memory, 0.0)
    assert commanded(result) == {META: Action.RESUME, VIDEO: Action.PAUSE}
    after = plan(apply(snapshot, result), STRICT, intents, result.memory, 1.0)
    assert after.memory.owned == {SMART, VIDEO}


def test_max_running_zero_holds_everything_but_run_now() -> None:
    """N=0 pauses every managed queue, even when idle; run now still runs."""
    policy = Policy(max_running=0)
    idle = snap(queue(META), queue(THUMB))
    assert commanded(plan(idle, policy, ON, Memory(), 0.0)) == {
        META: Action.PAUSE,
        THUMB: Action.PAUSE,
    }
    busy = snap(queue(META, 3), queue(THUMB, 3))
    result = plan(busy, policy, Intents(run_now=frozenset({THUMB})), Memory(), 0.0)
    assert commanded(result) == {META: Action.PAUSE}


def test_no_longer_managed_queue_we_paused_is_handed_back() -> None:
    """Removing a queue from the managed set resumes it if we paused it, never leaves it stuck."""
    policy = Policy(express_lane=False, managed=frozenset({META}))
    snapshot = snap(
        queue(META, 5), queue(THUMB, 5, paused=True), queue(SMART, 5, paused=True)
    )
    result = plan(snapshot, policy, ON, Memory(owned=frozenset({THUMB})), 0.0)
    assert commanded(result) == {THUMB: Action.RESUME}


def test_release_resumes_every_owned_queue() -> None:
    """Entry removed: every queue we paused is resumed, held ones too; others untouched."""
    snapshot = snap(
        queue(META, 5, paused=True), queue(THUMB, 5, paused=True), queue(SMART)
    )
    result = release(
        snapshot, Memory(owned=frozenset({META, SMART, DUPLICATE_DETECTION}))
    )
    assert commanded(result) == {META: Action.RESUME}
    # SMART was read resumed: no longer ours; META is ours until a read shows it resumed.
    assert result.memory.owned == {META, DUPLICATE_DETECTION}
    assert release(None, Memory(owned=frozenset({META}))).commands == ()


def test_handoff_looks_again_when_the_last_job_should_end() -> None:
    """A slot owner about to empty makes the next look come early, not a poll later."""
    memory = Memory(
        job_seconds={VIDEO: 8.0}, work={VIDEO: 2}, progress_at={VIDEO: 0.0}, read_at=0.0
    )
    snapshot = snap(queue(VIDEO, 0, active=1), queue(OCR, 10, paused=True))
    result = plan(snapshot, STRICT, ON, memory, 5.0)
    assert result.commands == ()
    assert MIN_CHECK <= result.next_check < STRICT.poll_interval
    backlog = snap(queue(VIDEO, 10, active=1), queue(OCR, 10, paused=True))
    assert plan(backlog, STRICT, ON, memory, 5.0).next_check == STRICT.poll_interval


def test_progress_is_read_from_falling_counts() -> None:
    """A fast queue never seen active still shows progress: its job duration is learned."""
    memory = Memory(work={META: 100}, progress_at={META: 0.0}, read_at=0.0)
    result = plan(snap(queue(META, 50)), STRICT, ON, memory, 5.0)
    assert result.memory.job_seconds[META] < 0.5
    assert result.memory.progress_at[META] == 5.0


def test_rule7_sustained_work_paused_for_a_slot_is_not_resumed_next_look() -> None:
    """A queue paused for being sustained stays paused: no pause and resume that do nothing."""
    snapshot = snap(queue(VIDEO, 10, active=1), queue(OCR, 2, active=1))
    long = Memory(
        work={OCR: 3}, progress_at={OCR: 29.0}, running_since={OCR: 0.0}, read_at=29.0
    )
    first = plan(snapshot, Policy(), ON, long, 30.0)
    assert commanded(first) == {OCR: Action.PAUSE}
    # Its running job finished; two jobs wait, paused.
    drained = snap(queue(VIDEO, 10, active=1), queue(OCR, 2, paused=True))
    second = plan(drained, Policy(), ON, first.memory, 32.0)
    assert second.commands == ()
    assert second.states[OCR] is QueueState.QUEUED


def test_rule7_stalled_queue_paused_for_a_slot_is_not_resumed_next_look() -> None:
    """A 'small' backlog that made no progress for long stays a contender while it waits."""
    memory = Memory(work={THUMB: 1}, progress_at={THUMB: 0.0}, read_at=0.0)
    snapshot = snap(queue(META, 50), queue(THUMB, 1))
    first = plan(snapshot, Policy(), ON, memory, 30.0)
    assert commanded(first) == {THUMB: Action.PAUSE}
    waiting = snap(queue(META, 45), queue(THUMB, 1, paused=True))
    assert plan(waiting, Policy(), ON, first.memory, 32.0).commands == ()


def test_handoff_looks_again_often_while_a_queue_waits() -> None:
    """A late estimate must not leave the slot idle: with a queue waiting, look every 2 s.

    Thumbnails of videos were learned at 3.6 s each; the last one is running and the videos
    wait for the slot. Without anyone waiting the look comes when the job should end.
    """
    memory = Memory(
        job_seconds={THUMB: 3.6}, work={THUMB: 1}, progress_at={THUMB: 1.0}, read_at=0.5
    )
    last = queue(THUMB, 0, active=1)
    waiting = plan(snap(last, queue(VIDEO, 10, paused=True)), STRICT, ON, memory, 1.0)
    assert waiting.commands == ()
    assert waiting.next_check == 2.0
    alone = plan(snap(last, queue(VIDEO, paused=True)), STRICT, ON, memory, 1.0)
    assert alone.commands == ()
    assert alone.next_check == 3.6


def test_short_work_ahead_does_not_pause_a_transcode_for_nothing() -> None:
    """A photo's job ahead of a running transcode: no pause that a resume undoes a second later.

    The transcode's job (18 s learned) started 2 s ago; the thumbnail queue, already resumed,
    has one job of 4 s (not express: learned from video thumbnails at 6 s, say). Pausing the
    videos would not stop the running transcode, and the thumbnail is done first.
    """
    memory = Memory(
        took_over=True,
        job_seconds={VIDEO: 18.0, THUMB: 6.0},
        work={VIDEO: 5},
        progress_at={VIDEO: 8.0},
        running_since={VIDEO: 0.0},
        read_at=8.0,
    )
    snapshot = snap(queue(THUMB, 0, active=1), queue(VIDEO, 4, active=1))
    result = plan(snapshot, Policy(), ON, memory, 10.0)
    assert result.commands == ()
    # Long work ahead (three such jobs, 18 s): the transcode is paused so that it drains.
    longer = snap(queue(THUMB, 2, active=1), queue(VIDEO, 4, active=1))
    assert commanded(plan(longer, Policy(), ON, memory, 10.0)) == {VIDEO: Action.PAUSE}
