"""The benchmark's measures count what they claim to (issue 4's figures rest on them)."""

from __future__ import annotations

import pytest

from bench.controllers import AddOn, BacksOffAtIdle, Ours, Unmanaged
from bench.measures import (
    busy_within,
    clipped,
    core_free,
    cpu_busy,
    heavy_spans,
    models_memory_peak,
    peak,
    probe_latency,
    probe_slowdowns,
    sampled_peak,
    sustained_spans,
    time_above,
)
from bench.run import run
from bench.workloads import WORKLOADS
from custom_components.immich_jobs.engine.scheduler import Policy
from simulator.model import JobRecord

VIDEO_BACKLOG = next(w for w in WORKLOADS if w.name == "video_backlog_uploads")


def test_exact_peak_counts_overlaps_and_skips_short_stretches() -> None:
    """Overlapping stretches add up; a stretch ending as another starts does not overlap."""
    stretches = [(0.0, 10.0), (2.0, 2.01), (10.0, 12.0)]
    assert peak(stretches) == 2
    assert peak(stretches, skip_first=5.0) == 1


def test_sampled_peak_is_typical_not_aligned() -> None:
    """Millisecond jobs straddling a whole second are not what a once-a-second sampler sees."""
    straddling = [(0.99, 1.01), (0.99, 1.01), (0.0, 30.0)]
    assert peak(straddling) == 3
    assert sampled_peak(straddling) == 1
    assert sampled_peak([(0.0, 30.0), (5.0, 20.0)]) == 2


def test_clipped_keeps_only_what_follows_a_moment() -> None:
    """Stretches over by then vanish; one running across it starts there."""
    assert clipped([(0.0, 1.0), (0.5, 3.0), (4.0, 5.0)], 2.0) == [
        (2.0, 3.0),
        (4.0, 5.0),
    ]


def test_rule_3_burst_comes_before_the_first_read_at_the_default_interval() -> None:
    """Uploads at idle run in every resumed queue at once until the first read.

    Looking again after 3 × 10 s at idle (the earlier rule), the first read after the upload
    came at T0+15.5 s, as on the real box: the burst reached unmanaged Immich's 7 queues.
    Looking after one interval, the first read lands inside the burst and 3 queues ran at
    the peak. Either way, jobs started before a read cannot be stopped by a pause: 2 queues
    run from that read on. The add-on, which pauses everything at idle, shows 1.
    """
    strict_policy = Policy(max_running=1, poll_interval=10.0, express_lane=False)
    unmanaged = run(VIDEO_BACKLOG, Unmanaged())
    strict = run(VIDEO_BACKLOG, Ours("strict", strict_policy))
    backing_off = run(VIDEO_BACKLOG, BacksOffAtIdle("strict_back_off", strict_policy))
    addon = run(VIDEO_BACKLOG, AddOn())
    assert unmanaged["peak_running_once_seen"] is None
    assert backing_off["peak_running_queues"] == unmanaged["peak_running_queues"] == 7
    assert strict["peak_running_queues"] == 3
    assert (
        strict["peak_running_once_seen"] == backing_off["peak_running_once_seen"] == 2
    )
    assert addon["peak_running_queues"] == addon["peak_running_once_seen"] == 1


def test_strict_cap_reading_every_second_catches_the_burst() -> None:
    """Reading every second (idle look every 3 s), the strict cap pauses before a transcode.

    Metadata extraction for 20 videos takes seconds on two shared cores, so the first read
    lands inside it: one queue at a time from the start, at every moment.
    """
    strict = run(
        VIDEO_BACKLOG,
        Ours("strict", Policy(max_running=1, poll_interval=1.0, express_lane=False)),
    )
    assert strict["peak_running_queues"] == strict["peak_running_once_seen"] == 1


# --- the usable-box measures on hand-made timelines ----------------------------------------
# A load timeline lists (from, runnable threads, cores busy); the probe is 20 ms of one core.


def test_probe_gets_a_fair_slice_with_its_own_thread_counted() -> None:
    """Idle: 20 ms. Three busy threads on two cores: the probe's thread gets 2/4 of a core."""
    assert probe_latency([(0.0, 0.0, 0.0)], 2, 5.0) == pytest.approx(0.02)
    assert probe_latency([(0.0, 3.0, 2.0)], 2, 5.0) == pytest.approx(0.04)
    # One busy thread on two cores leaves a whole core: no slowdown.
    assert probe_latency([(0.0, 1.0, 1.0)], 2, 5.0) == pytest.approx(0.02)


def test_probe_spanning_a_change_of_load() -> None:
    """Half a core for 10 ms (5 ms of work), then a whole core for the last 15 ms: 25 ms."""
    load = [(0.0, 3.0, 2.0), (0.01, 0.0, 0.0)]
    assert probe_latency(load, 2, 0.0) == pytest.approx(0.025)


def test_probe_slowdowns_once_a_second() -> None:
    """Probes at 0, 1, 2 s; seven threads run from 1 to 2 s: the probe gets 2/8 of a core."""
    load = [(0.0, 0.0, 0.0), (1.0, 7.0, 2.0), (2.0, 0.0, 0.0)]
    assert probe_slowdowns(load, 2, 0.0, 3.0) == pytest.approx([1.0, 4.0, 1.0])


def test_cpu_busy_is_the_share_of_core_seconds_used() -> None:
    """One core for 10 s, then two for 10 s, on two cores over 20 s: 30 / 40."""
    load = [(0.0, 1.0, 1.0), (10.0, 4.0, 2.0), (20.0, 0.0, 0.0)]
    assert cpu_busy(load, 2, 0.0, 20.0) == pytest.approx(0.75)
    assert cpu_busy(load, 2, 10.0, 20.0) == pytest.approx(1.0)
    # A whole core stood idle for the first 10 s only.
    assert core_free(load, 2, 0.0, 20.0) == pytest.approx(0.5)


def test_heavy_is_half_a_core_for_more_than_three_seconds_in_any_queue() -> None:
    """Heavy: more than 3 s long and at least 1.5 core-seconds (half a core for 3 s).

    A transcode starved to 0.2 core for 10 s (2 core-s) and an OCR job of 4 s using 2 core-s
    are heavy; a 2 s thumbnail at a full core is too short; a 4 s job of 1.2 core-s too light.
    """
    jobs = [
        JobRecord("videoConversion", "video", 0.0, 10.0, 2.0),
        JobRecord("thumbnailGeneration", "photo", 0.0, 2.0, 2.0),
        JobRecord("ocr", "photo", 0.0, 4.0, 1.2),
        JobRecord("ocr", "photo", 10.0, 14.0, 2.0),
    ]
    assert heavy_spans(jobs) == {
        "videoConversion": [(0.0, 10.0)],
        "ocr": [(10.0, 14.0)],
    }


def test_sustained_is_an_unbroken_cpu_hungry_stretch_of_one_queue() -> None:
    """Twenty OCR jobs of 0.6 s (a full core) 0.2 s apart: one 15.8 s stretch, sustained.

    The same jobs 2 s apart are separate stretches: never sustained, however many.
    """
    stream = [JobRecord("ocr", "photo", 0.8 * i, 0.8 * i + 0.6, 0.6) for i in range(20)]
    assert sustained_spans(stream) == {"ocr": [(0.0, pytest.approx(15.8))]}
    apart = [JobRecord("ocr", "photo", 2.6 * i, 2.6 * i + 0.6, 0.6) for i in range(20)]
    assert sustained_spans(apart) == {}
    idle_wait = [JobRecord("smartSearch", "photo", 0.0, 30.0, 3.0)]  # 0.1 core
    assert sustained_spans(idle_wait) == {}


def test_time_above_counts_moments_with_more_queues_than_the_limit() -> None:
    """Queues a 0-10, b 5-12, c 6-7: two or more from 5 to 10 s, three from 6 to 7 s."""
    spans = {"a": [(0.0, 10.0)], "b": [(5.0, 12.0)], "c": [(6.0, 7.0)]}
    assert time_above(spans, 1, 0.0) == pytest.approx(5.0)
    assert time_above(spans, 2, 0.0) == pytest.approx(1.0)
    assert time_above(spans, 1, 8.0) == pytest.approx(2.0)


def test_models_memory_counts_models_loaded_at_once() -> None:
    """Smart search (700 MB) runs 0-10 s, OCR (250 MB) 200-210 s; models unload 300 s idle.

    Both are loaded from 200 to 310 s: 700 + 250 + the 400 MB runtime. Faces never ran.
    """
    jobs = [
        JobRecord("smartSearch", "photo", 0.0, 10.0, 8.0),
        JobRecord("ocr", "photo", 200.0, 210.0, 9.0),
    ]
    models = {"smartSearch": 700.0, "ocr": 250.0, "faceDetection": 600.0}
    assert models_memory_peak(jobs, models, runtime=400.0, unload_after=300.0) == 1350
    assert models_memory_peak(jobs, models, runtime=400.0, unload_after=100.0) == 1100
    assert models_memory_peak([], models, runtime=400.0, unload_after=300.0) == 0


def test_busy_within_counts_time_with_a_job_of_those_queues_running() -> None:
    """Overlapping jobs count once; other queues and time outside the window do not count."""
    jobs = [
        JobRecord("videoConversion", "video", 0.0, 10.0, 20.0),
        JobRecord("ocr", "photo", 5.0, 15.0, 2.0),  # overlaps the video for 5 s
        JobRecord("thumbnailGeneration", "photo", 20.0, 30.0, 2.0),  # not listed
        JobRecord("ocr", "photo", 40.0, 60.0, 2.0),  # half inside the window
    ]
    assert busy_within(jobs, ("videoConversion", "ocr"), 0.0, 50.0) == 25.0
    assert busy_within(jobs, ("videoConversion", "ocr"), 100.0, 200.0) == 0.0
    assert busy_within(jobs, ("smartSearch",), 0.0, 100.0) == 0.0
