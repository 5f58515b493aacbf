"""CPU contention: running jobs share the box's cores per thread, so durations emerge."""

from __future__ import annotations

import pytest

from simulator.cpu import Box, Cost
from simulator.model import (
    METADATA_EXTRACTION,
    THUMBNAIL_GENERATION,
    VIDEO_CONVERSION,
    ImmichModel,
)

BOX = Box(cores=2, speed=1.0)


def finish_times(model: ImmichModel) -> list[tuple[str, float]]:
    """Run to idle; return each job's queue and end, in order."""
    model.run_until_idle()
    return [(record.queue, record.end) for record in model.job_log]


def test_jobs_that_fit_in_the_cores_run_at_full_speed() -> None:
    """Two one-thread jobs of 1 core-second on two cores: both done after 1 s."""
    model = ImmichModel(box=BOX)
    model.enqueue(METADATA_EXTRACTION, 2, cost=Cost(1.0))
    assert [end for _, end in finish_times(model)] == pytest.approx([1.0, 1.0])


def test_three_jobs_share_two_cores() -> None:
    """Three one-thread jobs of 1 core-second on two cores get 2/3 of a core each: 1.5 s."""
    model = ImmichModel(box=BOX)
    model.enqueue(METADATA_EXTRACTION, 3, cost=Cost(1.0))
    assert [end for _, end in finish_times(model)] == pytest.approx([1.5, 1.5, 1.5])


def test_a_transcode_slows_the_photo_beside_it() -> None:
    """A three-thread transcode and a one-thread thumbnail: four threads on two cores.

    The thumbnail (1 core-second) gets half a core: done at 2 s. The transcode (30 core-s)
    gets 1.5 cores meanwhile (3 core-s done), then both cores: 27 / 2 = 13.5 s more.
    """
    model = ImmichModel(box=BOX)
    model.enqueue(VIDEO_CONVERSION, 1, kind="video", cost=Cost(30.0, threads=3))
    model.enqueue(THUMBNAIL_GENERATION, 1, kind="photo", cost=Cost(1.0))
    assert finish_times(model) == [
        (THUMBNAIL_GENERATION, pytest.approx(2.0)),
        (VIDEO_CONVERSION, pytest.approx(15.5)),
    ]
    thumbnail, transcode = model.job_log
    assert thumbnail.core_seconds == pytest.approx(1.0)
    assert transcode.core_seconds == pytest.approx(30.0)
    # Runnable threads and busy cores over time.
    assert model.load_log == [
        (0.0, 4.0, 2.0),
        (pytest.approx(2.0), 3.0, 2.0),
        (pytest.approx(15.5), 0.0, 0.0),
    ]


def test_a_faster_box_does_the_same_work_sooner() -> None:
    """Speed 2: a transcode of 30 core-seconds on both cores takes 7.5 s instead of 15."""
    for speed, expected in ((1.0, 15.0), (2.0, 7.5)):
        model = ImmichModel(box=Box(cores=2, speed=speed))
        model.enqueue(VIDEO_CONVERSION, 1, kind="video", cost=Cost(30.0, threads=3))
        assert finish_times(model) == [(VIDEO_CONVERSION, pytest.approx(expected))]


def test_fixed_jobs_hold_their_slot_and_use_no_cpu() -> None:
    """A test's '10 s job' takes 10 s and leaves both cores to a CPU job beside it."""
    model = ImmichModel(box=BOX)
    model.enqueue(THUMBNAIL_GENERATION, 1, duration=10.0)
    model.enqueue(VIDEO_CONVERSION, 1, kind="video", cost=Cost(4.0, threads=2))
    assert finish_times(model) == [
        (VIDEO_CONVERSION, pytest.approx(2.0)),
        (THUMBNAIL_GENERATION, pytest.approx(10.0)),
    ]


def test_a_restart_loses_the_work_done() -> None:
    """A transcode interrupted half-way starts over: 15 s more after the restart."""
    model = ImmichModel(box=BOX)
    model.enqueue(VIDEO_CONVERSION, 1, kind="video", cost=Cost(30.0, threads=3))
    model.advance(7.5)
    model.restart()
    assert model.run_until_idle() == pytest.approx(7.5 + 15.0)


def test_ffmpeg_threads_one_leaves_more_cpu_to_a_photo() -> None:
    """With Immich's ffmpeg threads at 1, the transcode keeps fewer threads busy."""
    latencies = []
    for threads in (0, 1):
        model = ImmichModel(box=BOX, ffmpeg_threads=threads)
        model.enqueue(VIDEO_CONVERSION, 1, kind="video")
        model.enqueue(THUMBNAIL_GENERATION, 1, kind="photo", cost=Cost(1.0))
        model.run_until_idle()
        latencies.append(
            next(r.end for r in model.job_log if r.queue == THUMBNAIL_GENERATION)
        )
    assert latencies[1] < latencies[0]


def test_a_calibrated_box_has_its_own_ffmpeg() -> None:
    """A box fitted by its calibration run has its own transcode threads and thumbnail cost.

    Here transcodes keep one thread busy, as a service at normal priority feels them (Immich
    runs ffmpeg at niceness 10), and a video's thumbnail costs half the reference box's 5.3
    core-seconds.

    A one-thread job of 1 core-second beside the transcode then runs at full speed (two
    threads, two cores): 1 s, against 1.95 s beside the reference's 2.9 threads (3.9 threads
    share two cores). A video's thumbnail alone: 2.65 core-s at 1.05 threads, 2.52 s against
    5.05 s.
    """
    fitted = Box(cores=2, speed=1.0, transcode_threads=1.0, video_thumbnail_scale=0.5)
    for box, beside, thumbnail in ((BOX, 1.95, 5.05), (fitted, 1.0, 2.52)):
        model = ImmichModel(box=box)
        model.enqueue(VIDEO_CONVERSION, 1, kind="video")
        model.enqueue(METADATA_EXTRACTION, 1, cost=Cost(1.0))
        model.run_until_idle()
        ends = {record.queue: record.end for record in model.job_log}
        assert ends[METADATA_EXTRACTION] == pytest.approx(beside, abs=0.01)
        model = ImmichModel(box=box)
        model.enqueue(THUMBNAIL_GENERATION, 1, kind="video")
        assert model.run_until_idle() == pytest.approx(thumbnail, abs=0.01)
