"""The user's intents change only through their transitions, each returning new intents."""

from __future__ import annotations

from datetime import UTC, datetime

from custom_components.immich_jobs.engine.intents import Intents

OCR = "ocr"
VIDEO = "videoConversion"
LATER = datetime(2026, 12, 1, 12, tzinfo=UTC)


def test_holding_a_queue_ends_its_run_now_and_running_it_ends_its_hold() -> None:
    """Switch off a queue run now: it is held; run it now: the switch is on again."""
    start = Intents(run_now=frozenset({OCR}))
    held = start.hold(OCR, True)
    assert (held.held, held.run_now) == ({OCR}, frozenset())
    assert start.run_now == {OCR}  # the intents before the change stay as they were
    ran = held.run(OCR)
    assert (ran.held, ran.run_now) == (frozenset(), {OCR})
    assert ran.hold(OCR, False).held == frozenset()


def test_cancel_run_now_one_queue_or_all() -> None:
    """cancel_run_now with a queue hands back that one; without, every one."""
    both = Intents().run(OCR).run(VIDEO)
    assert both.cancel_run(OCR).run_now == {VIDEO}
    assert both.cancel_run(None).run_now == frozenset()
    assert both.finished({VIDEO, "smartSearch"}).run_now == {OCR}


def test_a_second_pause_keeps_the_first_limit_to_give_back() -> None:
    """Paused twice from a limit of 3: resume_processing gives back 3, not 0."""
    paused = Intents(max_running=3).pause(None).pause(LATER)
    assert (paused.max_running, paused.restore_max_running) == (0, 3)
    assert paused.hold_until == LATER
    assert paused.timed_pause
    back = paused.end_pause()
    assert (back.max_running, back.restore_max_running, back.hold_until) == (
        3,
        None,
        None,
    )


def test_choosing_a_limit_ends_a_pause() -> None:
    """Setting the number during a timed pause keeps the choice: no limit comes back later."""
    chosen = Intents(max_running=2).pause(LATER).set_limit(4)
    assert (chosen.max_running, chosen.restore_max_running, chosen.hold_until) == (
        4,
        None,
        None,
    )
    assert not chosen.timed_pause
    assert Intents(max_running=0).end_pause().max_running == 0
