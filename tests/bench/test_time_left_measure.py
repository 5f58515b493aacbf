"""The time-left benchmark's truth comes from the model's own events, checked by hand."""

from __future__ import annotations

import pytest

from bench.time_left_bench import SERVER, Emptied, Sample, done_at, errors, summary
from simulator.model import ImmichModel

THUMBS = "thumbnailGeneration"  # 3 at once
VIDEO = "videoConversion"  # 1 at once


def _watched(model: ImmichModel) -> Emptied:
    emptied = Emptied(frozenset({THUMBS, VIDEO}))
    emptied.watch(model)
    return emptied


def test_a_queue_is_done_when_its_last_job_ends() -> None:
    """3 thumbnails of 5 s run at once: done at 5 s; 2 videos of 10 s one by one: 20 s."""
    model = ImmichModel()
    emptied = _watched(model)
    model.enqueue(THUMBS, 3, duration=5)
    model.enqueue(VIDEO, 2, kind="video", duration=10)
    model.run_until_idle()
    assert emptied.at == {THUMBS: [5.0], VIDEO: [20.0]}
    assert emptied.all_at == [20.0]


def test_work_that_comes_back_is_a_new_stretch() -> None:
    """One thumbnail at 0 s and one at 8 s: empty at 5 s and again at 13 s."""
    model = ImmichModel()
    emptied = _watched(model)
    model.enqueue(THUMBS, 1, duration=5)
    model.at(8.0, lambda m: m.enqueue(THUMBS, 1, duration=5))
    model.run_until_idle()
    assert emptied.at[THUMBS] == [5.0, 13.0]
    assert done_at(emptied.at[THUMBS], 4.0) == 5.0
    assert (
        done_at(emptied.at[THUMBS], 5.0) == 13.0
    )  # seen with work at 5 s: it came back
    assert done_at(emptied.at[THUMBS], 14.0) is None


def test_a_paused_queue_is_not_done_while_jobs_wait() -> None:
    """Paused with two videos waiting: the running one ends, the queue still has work."""
    model = ImmichModel()
    emptied = _watched(model)
    model.enqueue(VIDEO, 2, kind="video", duration=10)
    model.pause(VIDEO)
    model.advance(30)
    assert VIDEO not in emptied.at
    model.resume(VIDEO)
    model.run_until_idle()
    assert emptied.at[VIDEO] == [40.0]


def test_errors_against_the_truth_early_and_late() -> None:
    """Video done at 20 s; looks at 0, 10 and 15 s said 15 s, 12 s and unknown.

    Truth: 20, 10 and 5 s left. The work was first seen at 0 s and ended at 20 s: the look
    at 0 s is early, those at 10 and 15 s late. Errors 5 s (25 %) and 2 s (20 %).
    """
    emptied = Emptied(frozenset({VIDEO}), at={VIDEO: [20.0]}, all_at=[20.0])
    samples = [
        Sample(0.0, VIDEO, 15.0),
        Sample(10.0, VIDEO, 12.0),
        Sample(15.0, VIDEO, None),
        Sample(0.0, SERVER, 20.0),
        Sample(25.0, VIDEO, 1.0),  # never done again in the run: left out
    ]
    found = errors(samples, emptied)
    assert [(e.target, e.actual, e.early) for e in found] == [
        (VIDEO, 20.0, True),
        (VIDEO, 10.0, False),
        (VIDEO, 5.0, False),
        (SERVER, 20.0, True),
    ]
    queues = summary([e for e in found if e.target == VIDEO])
    assert queues["samples"] == 3
    assert queues["unknown"] == 1
    assert queues["abs_s"]["median"] == pytest.approx(3.5)
    assert queues["rel"]["median"] == pytest.approx(0.225)
    assert queues["bias"] == pytest.approx(-0.025)  # -25 % and +20 %
