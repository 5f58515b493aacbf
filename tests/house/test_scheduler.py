"""The scheduler with the house's holds and never-together groups (pure, hand-made cases)."""

from __future__ import annotations

from custom_components.immich_jobs.engine.house.holds import Hold
from custom_components.immich_jobs.engine.house.rules import HouseRules
from custom_components.immich_jobs.engine.reasons import Reason
from custom_components.immich_jobs.engine.scheduler import (
    Action,
    Intents,
    Memory,
    Policy,
    QueueState,
    plan,
)
from custom_components.immich_jobs.engine.settings import Settings
from tests.scheduler.helpers import commanded, queue, snap

NOW = 100.0
VIDEO = "videoConversion"
THUMBS = "thumbnailGeneration"
SMART = "smartSearch"
FACES = "faceDetection"
OCR = "ocr"
ML = frozenset({SMART, FACES, OCR})
NIGHT = Hold(Reason.OUTSIDE_SCHEDULE, "schedule.immich_night")


def test_a_house_hold_pauses_a_running_queue_and_its_job_finishes() -> None:
    """Outside its schedule, a running transcode is paused (not stopped) and shown held."""
    snapshot = snap(queue(VIDEO, 20, active=1))
    result = plan(
        snapshot,
        Policy(managed=frozenset({VIDEO})),
        Intents(house={VIDEO: NIGHT}),
        Memory(),
        NOW,
    )
    assert [(c.queue, c.action, c.reason) for c in result.commands] == [
        (VIDEO, Action.PAUSE, "held: outside its schedule (schedule.immich_night)")
    ]
    assert result.states[VIDEO] is QueueState.HELD
    assert result.holds == {VIDEO: NIGHT}


def test_reasons_in_words() -> None:
    """Each kind of hold says why in the command's reason."""
    snapshot = snap(queue(VIDEO, 5), queue(SMART, 5), queue(OCR, 5))
    result = plan(
        snapshot,
        Policy(max_running=3, managed=frozenset({VIDEO, SMART, OCR})),
        Intents(
            house={
                VIDEO: Hold(Reason.HELD_BY_ENTITY, "binary_sensor.plex_streaming"),
                SMART: Hold(Reason.UPLOADS_ARRIVING),
            }
        ),
        Memory(),
        NOW,
    )
    reasons = {c.queue: c.reason for c in result.commands}
    assert reasons[VIDEO] == "held by binary_sensor.plex_streaming"
    assert reasons[SMART] == "held: uploads in progress"
    assert OCR not in reasons  # resumed already, and it wins a slot


def test_a_held_queue_leaves_its_slot_to_the_next() -> None:
    """N = 1: the schedule holds video; OCR, next in priority, gets the slot."""
    snapshot = snap(queue(VIDEO, 20, paused=True), queue(OCR, 20, paused=True))
    result = plan(
        snapshot,
        Policy(managed=frozenset({VIDEO, OCR})),
        Intents(house={VIDEO: NIGHT}),
        Memory(owned=frozenset({VIDEO, OCR}), took_over=True),
        NOW,
    )
    assert commanded(result) == {OCR: Action.RESUME}
    assert result.states == {VIDEO: QueueState.HELD, OCR: QueueState.RUNNING}


def test_the_hold_lifted_the_queue_runs_again() -> None:
    """Back inside its schedule, the paused video queue is resumed (it has the slot)."""
    snapshot = snap(queue(VIDEO, 20, paused=True))
    result = plan(
        snapshot,
        Policy(managed=frozenset({VIDEO})),
        Intents(),
        Memory(owned=frozenset({VIDEO}), took_over=True),
        NOW,
    )
    assert commanded(result) == {VIDEO: Action.RESUME}
    assert result.holds == {}


def test_scheduling_off_the_house_holds_nothing() -> None:
    """Automatic scheduling off is Immich as it runs alone: what we paused is given back."""
    snapshot = snap(queue(VIDEO, 20, paused=True))
    result = plan(
        snapshot,
        Policy(managed=frozenset({VIDEO})),
        Intents(scheduling=False, house={VIDEO: NIGHT}),
        Memory(owned=frozenset({VIDEO}), took_over=True),
        NOW,
    )
    assert commanded(result) == {VIDEO: Action.RESUME}
    assert result.holds == {}


def test_a_house_hold_does_not_take_over_a_pause_made_in_immich() -> None:
    """Paused by someone else, it stays theirs: held in Immich, and no hold is shown."""
    snapshot = snap(queue(VIDEO, 20, paused=True))
    result = plan(
        snapshot,
        Policy(managed=frozenset({VIDEO})),
        Intents(house={VIDEO: NIGHT}),
        Memory(took_over=True),
        NOW,
    )
    assert result.commands == ()
    assert result.states[VIDEO] is QueueState.HELD_IN_IMMICH
    assert result.memory.owned == frozenset()


def test_one_ml_queue_at_a_time_whatever_the_limit() -> None:
    """N = 3 and three ML backlogs in one group: only Smart search (first by priority) runs.

    The slots left go to work outside the group: video conversion runs beside it.
    """
    snapshot = snap(
        queue(SMART, 50, paused=True),
        queue(FACES, 50, paused=True),
        queue(OCR, 50, paused=True),
        queue(VIDEO, 5, paused=True),
    )
    managed = frozenset({SMART, FACES, OCR, VIDEO})
    result = plan(
        snapshot,
        Policy(max_running=3, managed=managed, exclusive_groups=(ML,)),
        Intents(),
        Memory(owned=managed, took_over=True),
        NOW,
    )
    assert commanded(result) == {SMART: Action.RESUME, VIDEO: Action.RESUME}
    assert result.holds == {
        FACES: Hold(Reason.NEVER_TOGETHER, SMART),
        OCR: Hold(Reason.NEVER_TOGETHER, SMART),
    }
    assert result.states[FACES] is QueueState.HELD


def test_the_running_member_keeps_the_group() -> None:
    """N = 2: face detection runs a job; smart search, higher in priority, waits for it."""
    snapshot = snap(queue(SMART, 50, paused=True), queue(FACES, 50, active=1))
    managed = frozenset({SMART, FACES})
    result = plan(
        snapshot,
        Policy(max_running=2, managed=managed, exclusive_groups=(frozenset(managed),)),
        Intents(),
        Memory(owned=frozenset({SMART}), took_over=True),
        NOW,
    )
    assert result.commands == ()
    assert result.holds == {SMART: Hold(Reason.NEVER_TOGETHER, FACES)}


def test_run_now_takes_the_group_after_the_running_job() -> None:
    """OCR run now: face detection, running, is paused; OCR waits for its job to finish."""
    snapshot = snap(queue(FACES, 50, active=1), queue(OCR, 50, paused=True))
    managed = frozenset({FACES, OCR})
    policy = Policy(max_running=2, managed=managed, exclusive_groups=(managed,))
    memory = Memory(owned=frozenset({OCR}), took_over=True)
    result = plan(snapshot, policy, Intents(run_now=frozenset({OCR})), memory, NOW)
    assert commanded(result) == {FACES: Action.PAUSE}
    assert result.holds == {
        FACES: Hold(Reason.NEVER_TOGETHER, OCR),
        OCR: Hold(Reason.NEVER_TOGETHER, FACES),
    }
    # The job finished: OCR starts.
    snapshot = snap(queue(FACES, 49, paused=True), queue(OCR, 50, paused=True))
    result = plan(
        snapshot, policy, Intents(run_now=frozenset({OCR})), result.memory, NOW + 5
    )
    assert commanded(result) == {OCR: Action.RESUME}
    assert result.holds == {FACES: Hold(Reason.NEVER_TOGETHER, OCR)}


def test_a_watched_queue_stays_paused_while_empty() -> None:
    """Quiet period on: while others work, empty heavy queues stay paused, not express-ready.

    A new upload's job then shows in their count at the next read. At global idle
    everything is resumed as always, so an upload starts at once.
    """
    managed = frozenset({THUMBS, SMART, OCR})
    policy = Policy(managed=managed, watch_empty=frozenset({SMART}))
    memory = Memory(owned=managed, took_over=True)
    snapshot = snap(
        queue(THUMBS, 3), queue(SMART, paused=True), queue(OCR, paused=True)
    )
    result = plan(snapshot, policy, Intents(), memory, NOW)
    # OCR, empty and light, is kept ready (express); smart search is left paused.
    assert commanded(result) == {OCR: Action.RESUME}
    assert result.states[SMART] is QueueState.IDLE
    # Nothing to do anywhere: resumed like every queue.
    snapshot = snap(queue(THUMBS), queue(SMART, paused=True), queue(OCR))
    result = plan(snapshot, policy, Intents(), result.memory, NOW + 10)
    assert commanded(result) == {SMART: Action.RESUME}


def test_a_single_photos_machine_learning_does_not_wait_for_the_quiet_time() -> None:
    """A photo's smart-search job lands in the watched, paused queue beside a transcode.

    One asset is no big backup: the house holds nothing, and the job runs at once (express:
    one light job), instead of waiting five minutes for the quiet time.
    """
    managed = frozenset({VIDEO, SMART})
    settings = Settings()
    policy = settings.with_house(Policy(managed=managed))
    rules = HouseRules()
    memory = Memory(owned=frozenset({SMART}), took_over=True)
    before = snap(queue(VIDEO, 20, active=1), queue(SMART, paused=True))
    rules.observe(settings.uploads, before, NOW)
    result = plan(before, policy, Intents(house=rules.holds()), memory, NOW)
    after = snap(queue(VIDEO, 20, active=1), queue(SMART, 1, paused=True))
    rules.observe(settings.uploads, after, NOW + 10)
    assert rules.holds() == {}
    result = plan(after, policy, Intents(house=rules.holds()), result.memory, NOW + 10)
    assert commanded(result) == {SMART: Action.RESUME}
