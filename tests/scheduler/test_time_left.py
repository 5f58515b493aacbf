"""Time left per queue and until idle: the learned job times, in the order the slots are given."""

from __future__ import annotations

from custom_components.immich_jobs.const import POLICY_FINISH_FIRST
from custom_components.immich_jobs.engine.house.holds import Hold
from custom_components.immich_jobs.engine.reasons import Reason
from custom_components.immich_jobs.engine.scheduler import (
    Intents,
    Memory,
    Policy,
    QueueState,
)
from custom_components.immich_jobs.engine.time_left import TimeLeft, time_left
from custom_components.immich_jobs.immich import Snapshot

from .helpers import TIMED_PAUSE, queue, snap

THUMBS = "thumbnailGeneration"  # ranks above the other two in the default order
FACES = "faceDetection"
VIDEO = "videoConversion"
NOW = 1000.0


def _estimate(
    snapshot: Snapshot,
    learned: dict[str, float],
    *,
    policy: Policy | None = None,
    intents: Intents | None = None,
    states: dict[str, QueueState] | None = None,
    express: frozenset[str] = frozenset(),
    progress_at: dict[str, float] | None = None,
) -> TimeLeft:
    return time_left(
        snapshot,
        policy=policy or Policy(max_running=1),
        intents=intents or Intents(),
        observed=Memory(job_seconds=learned, progress_at=progress_at or {}),
        states=states or {},
        express=express,
        now=NOW,
    )


def test_a_queue_behind_another_waits_for_it() -> None:
    """One slot: 12 thumbnails of 5 s take 60 s; 3 videos of 20 s start after them: 120 s."""
    result = _estimate(
        snap(queue(THUMBS, 12), queue(VIDEO, 3, paused=True)),
        {THUMBS: 5.0, VIDEO: 20.0},
    )
    assert result.queues[THUMBS] == 60.0
    assert result.queues[VIDEO] == 120.0
    assert result.until_idle == 120.0


def test_the_running_job_has_done_part_of_its_work() -> None:
    """4 jobs of 5 s, the running one started 2 s ago: 3 s for it, then 15 s."""
    result = _estimate(
        snap(queue(THUMBS, 3, active=1)),
        {THUMBS: 5.0},
        progress_at={THUMBS: NOW - 2},
    )
    assert result.queues[THUMBS] == 18.0


def test_with_two_slots_the_third_queue_takes_the_first_to_come_free() -> None:
    """Thumbnails 10 s and faces 30 s run at once; videos (5 s) follow the thumbnails: 15 s."""
    result = _estimate(
        snap(queue(THUMBS, 2), queue(FACES, 3), queue(VIDEO, 1, paused=True)),
        {THUMBS: 5.0, FACES: 10.0, VIDEO: 5.0},
        policy=Policy(max_running=2),
    )
    assert result.queues == {THUMBS: 10.0, FACES: 30.0, VIDEO: 15.0}
    assert result.until_idle == 30.0


def test_unknown_until_a_job_was_seen_finishing() -> None:
    """No learned time: unknown, and so is every queue behind it; no work is 0."""
    result = _estimate(
        snap(queue(THUMBS, 5), queue(VIDEO, 2, paused=True), queue(FACES)),
        {VIDEO: 20.0},
    )
    assert result.queues == {THUMBS: None, VIDEO: None, FACES: 0.0}
    assert result.until_idle is None


def test_nothing_to_do_is_zero() -> None:
    """An idle server: every queue 0, idle now."""
    result = _estimate(snap(queue(THUMBS), queue(VIDEO)), {})
    assert result.queues == {THUMBS: 0.0, VIDEO: 0.0}
    assert result.until_idle == 0.0


def test_a_held_queue_is_unknown_and_left_out_of_idle() -> None:
    """The thumbnails' switch is off: they never finish; the videos no longer wait for them."""
    result = _estimate(
        snap(queue(THUMBS, 12, paused=True), queue(VIDEO, 3)),
        {THUMBS: 5.0, VIDEO: 20.0},
        intents=Intents(held=frozenset({THUMBS})),
        states={THUMBS: QueueState.HELD},
    )
    assert result.queues == {THUMBS: None, VIDEO: 60.0}
    assert result.until_idle == 60.0


def test_a_queue_the_house_holds_makes_idle_unknown() -> None:
    """Videos held while uploads arrive will run once they are quiet, at a time no one knows."""
    result = _estimate(
        snap(queue(THUMBS, 12), queue(VIDEO, 3, paused=True)),
        {THUMBS: 5.0, VIDEO: 20.0},
        intents=Intents(house={VIDEO: Hold(Reason.UPLOADS_ARRIVING)}),
        states={VIDEO: QueueState.HELD},
    )
    assert result.queues == {THUMBS: 60.0, VIDEO: None}
    assert result.until_idle is None


def test_a_house_hold_with_an_end_counts_from_its_end() -> None:
    """Videos held for uploads until 100 s from now: 3 × 20 s after that, idle in 160 s."""
    result = _estimate(
        snap(queue(THUMBS, 2), queue(VIDEO, 3, paused=True)),
        {THUMBS: 5.0, VIDEO: 20.0},
        intents=Intents(house={VIDEO: Hold(Reason.UPLOADS_ARRIVING, until=NOW + 100)}),
        states={VIDEO: QueueState.HELD},
    )
    assert result.queues == {THUMBS: 10.0, VIDEO: 160.0}
    assert result.until_idle == 160.0


def test_a_hold_ending_before_the_slot_frees_waits_for_the_slot() -> None:
    """Held until 30 s from now, behind 60 s of thumbnails: the videos start at 60 s."""
    result = _estimate(
        snap(queue(THUMBS, 12), queue(VIDEO, 3, paused=True)),
        {THUMBS: 5.0, VIDEO: 20.0},
        intents=Intents(house={VIDEO: Hold(Reason.UPLOADS_ARRIVING, until=NOW + 30)}),
        states={VIDEO: QueueState.HELD},
    )
    assert result.until_idle == 120.0


def test_a_timed_pause_counts_from_its_end() -> None:
    """Paused for 5 more minutes, then one slot: 2 thumbnails of 5 s end 310 s from now."""
    result = time_left(
        snap(queue(THUMBS, 2, paused=True), queue(VIDEO, paused=True)),
        policy=Policy(max_running=0),
        intents=TIMED_PAUSE,
        observed=Memory(job_seconds={THUMBS: 5.0}),
        states={},
        express=frozenset(),
        now=NOW,
        resume=(300.0, 1),
    )
    assert result.queues == {THUMBS: 310.0, VIDEO: 0.0}
    assert result.until_idle == 310.0


def test_held_in_immich_without_work_is_zero() -> None:
    """Held, but with nothing to do: nothing is left to wait for."""
    result = _estimate(
        snap(queue(THUMBS, paused=True), queue(VIDEO, 1)),
        {VIDEO: 20.0},
        states={THUMBS: QueueState.HELD_IN_IMMICH},
    )
    assert result.queues == {THUMBS: 0.0, VIDEO: 20.0}


def test_limit_zero_holds_everything() -> None:
    """Max concurrent queues 0 (a pause): work does not finish, the server is not going idle."""
    result = _estimate(
        snap(queue(THUMBS, 2, paused=True), queue(VIDEO, paused=True)),
        {THUMBS: 5.0},
        policy=Policy(max_running=0),
    )
    assert result.queues == {THUMBS: None, VIDEO: 0.0}
    assert result.until_idle is None


def test_the_express_lane_runs_beside_the_slot() -> None:
    """Two thumbnails (1 s each) in the express lane do not wait for the videos' 60 s."""
    result = _estimate(
        snap(queue(THUMBS, 2), queue(VIDEO, 3)),
        {THUMBS: 1.0, VIDEO: 20.0},
        express=frozenset({THUMBS}),
    )
    assert result.queues == {THUMBS: 2.0, VIDEO: 60.0}


def test_run_now_goes_first() -> None:
    """Videos run now (40 s): the thumbnails' 60 s come after them."""
    result = _estimate(
        snap(queue(THUMBS, 12, paused=True), queue(VIDEO, 2)),
        {THUMBS: 5.0, VIDEO: 20.0},
        intents=Intents(run_now=frozenset({VIDEO})),
    )
    assert result.queues == {THUMBS: 100.0, VIDEO: 40.0}


def test_run_now_beyond_the_limit_frees_the_slot_when_the_last_ends() -> None:
    """Limit 1, two queues run now (10 s, 40 s): the third starts at 40 s."""
    result = _estimate(
        snap(queue(THUMBS, 2), queue(FACES, 1, paused=True), queue(VIDEO, 2)),
        {THUMBS: 5.0, FACES: 10.0, VIDEO: 20.0},
        intents=Intents(run_now=frozenset({THUMBS, VIDEO})),
    )
    assert result.queues == {THUMBS: 10.0, FACES: 50.0, VIDEO: 40.0}


def test_scheduling_off_runs_everything_at_once() -> None:
    """Automatic scheduling off: Immich runs every queue; none waits for another."""
    result = _estimate(
        snap(queue(THUMBS, 12), queue(VIDEO, 3)),
        {THUMBS: 5.0, VIDEO: 20.0},
        intents=Intents(scheduling=False),
    )
    assert result.queues == {THUMBS: 60.0, VIDEO: 60.0}


def test_finish_first_lets_the_running_queue_finish() -> None:
    """Finish first: the running videos (40 s) keep the slot; the thumbnails come after."""
    result = _estimate(
        snap(queue(THUMBS, 2, paused=True), queue(VIDEO, 2)),
        {THUMBS: 5.0, VIDEO: 20.0},
        policy=Policy(max_running=1, kind=POLICY_FINISH_FIRST),
    )
    assert result.queues == {THUMBS: 50.0, VIDEO: 40.0}
