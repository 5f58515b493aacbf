"""The real bench's measures count what they claim to, on hand-made reads of a real server."""

from __future__ import annotations

import math

from bench.real.measures import (
    Request,
    Sample,
    busy_windows,
    first_quiet,
    internal_touched,
    latencies,
    makespan,
    paused,
    peak_running,
    probe_figures,
    requests_per_hour,
    stall,
)
from bench.real.report import figures, time_left
from custom_components.immich_jobs.immich import QueueStatus


def q(
    name: str,
    active: int = 0,
    waiting: int = 0,
    held: int = 0,
    *,
    is_paused: bool = False,
) -> QueueStatus:
    """Return one queue's counts (held = Immich's `paused` count)."""
    return QueueStatus(
        name=name,
        active=active,
        waiting=waiting,
        paused=held,
        delayed=0,
        failed=0,
        is_paused=is_paused,
    )


def s(at: float, *queues: QueueStatus) -> Sample:
    """Return one read of these queues."""
    return Sample(at, {queue.name: queue for queue in queues})


# Videos transcoding from 0 s; at 1.5 s the controller pauses video conversion with work
# held and nothing runs until 2.5 s; all done by 3.5 s.
READS = [
    s(0.0, q("thumbnailGeneration", 3, 17), q("videoConversion", 1, 19)),
    s(0.5, q("thumbnailGeneration", 2), q("videoConversion", 1, 19), q("metadataExtraction", 1)),
    s(1.0, q("videoConversion", 1, 19)),
    s(1.5, q("videoConversion", 0, 0, 19, is_paused=True)),
    s(2.0, q("videoConversion", 0, 0, 19, is_paused=True)),
    s(2.5, q("videoConversion", 1, 18)),
    s(3.0, q("videoConversion", 1)),
    s(3.5, q("videoConversion")),
    s(4.0, q("videoConversion")),
]  # fmt: skip


def test_makespan_is_the_first_read_without_work_after_the_last_with_work() -> None:
    """Work is last seen at 3.0 s; the read at 3.5 s sees none: the makespan is 3.5 s."""
    assert makespan(READS) == 3.5
    assert makespan([s(0.0, q("videoConversion")), s(0.5, q("ocr"))]) == 0.0


def test_held_work_counts_as_work_for_the_makespan() -> None:
    """A queue paused with 19 jobs held is not done: the run is not over."""
    held = [s(0.0, q("videoConversion", 1, 19)), s(0.5, q("videoConversion", 0, 0, 19))]
    assert makespan(held) == 0.5


def test_stall_is_work_held_while_nothing_runs() -> None:
    """Only 1.5 → 2.5 s: work held and no queue running; a running queue is no stall."""
    assert stall(READS, end=3.5) == 1.0
    assert stall(READS, end=2.0) == 0.5


def test_peak_running_counts_queues_with_a_running_job_in_one_read() -> None:
    """At 0.5 s thumbnails, metadata and video run together: three queues."""
    assert peak_running(READS) == 3


def test_busy_windows_are_first_to_last_read_with_work() -> None:
    """Thumbnails 0 → 0.5 s; video 0 → 3.0 s (held work included)."""
    windows = busy_windows(READS)
    assert windows["thumbnailGeneration"] == (0.0, 0.5)
    assert windows["videoConversion"] == (0.0, 3.0)


def test_paused_lists_only_paused_queues() -> None:
    """The read at 2.0 s has video conversion paused, nothing else."""
    assert paused(READS[4].queues) == ["videoConversion"]
    assert paused(READS[-1].queues) == []


def test_internal_queues_touched_are_immichs_own_queues_commanded() -> None:
    """Pausing the trash's and backups' queues counts; reads and managed queues do not."""
    requests = [
        Request(0.0, "GET", "/api/queues"),
        Request(0.1, "PUT", "/api/queues/backgroundTask"),
        Request(0.2, "PUT", "/api/queues/videoConversion"),
        Request(0.3, "PUT", "/api/jobs/backupDatabase"),
        Request(0.4, "GET", "/api/queues/search"),
    ]
    assert internal_touched(requests) == ["backgroundTask", "backupDatabase"]


def test_requests_per_hour_counts_between_two_moments() -> None:
    """Three requests in the 36 s window are 300 an hour; the one before T0 is not counted."""
    requests = [
        Request(-5.0, "GET", "/api/queues"),
        Request(0.0, "GET", "/api/queues"),
        Request(10.0, "PUT", "/api/queues/ocr"),
        Request(36.0, "GET", "/api/queues"),
    ]
    assert requests_per_hour(requests, 0.0, 36.0) == 300.0
    assert requests_per_hour(requests, 5.0, 5.0) == 0.0


def test_latencies_from_upload_to_thumbnail() -> None:
    """A photo uploaded at 30.2 s with its thumbnail at 91.7 s waited 61.5 s; none: infinite."""
    got = latencies([30.2, 40.0], [91.7, None])
    assert math.isclose(got[0], 61.5)
    assert got[1] == math.inf


def test_probe_is_divided_by_the_median_idle_sample() -> None:
    """Idle 20, 20, 25, 30, 40 ms: the median is 25 ms, not the fastest 20 ms."""
    idle = [0.020, 0.020, 0.025, 0.030, 0.040]
    probe = [(-3.0, 0.020), (0.0, 0.025), (1.0, 0.050), (2.0, 0.100), (9.0, 1.0)]
    got = probe_figures(probe, idle, 0.0, 5.0)
    assert got["p50"] == 2.0  # 50 ms / 25 ms
    assert got["max"] == 4.0  # 100 ms / 25 ms; the sample at 9 s is outside
    assert got["samples"] == 3
    assert got["idle_p95"] == 1.52  # 38 ms (interpolated p95 of idle) / 25 ms


def test_first_quiet_finds_when_the_running_transcode_ended() -> None:
    """After 1.0 s, video conversion first runs nothing at 1.5 s (paused)."""
    assert first_quiet(READS, "videoConversion", 1.0) == 1.5
    assert first_quiet(READS, "videoConversion", 2.6) == 3.5
    assert first_quiet(READS[:3], "videoConversion", 0.0) is None


def test_time_left_compares_the_sensor_with_the_real_remaining_time() -> None:
    """At 25 % of a 400 s makespan (100 s) the last reading (95 s) said 5 minutes."""
    estimates = [
        {"at": 95.0, "sensors": {"sensor.immich_time_until_idle": ["5", "min"]}},
        {
            "at": 195.0,
            "sensors": {
                "sensor.immich_time_until_idle": ["unknown", "min"],
                "sensor.immich_video_conversion_time_left": ["2.5", "min"],
                "sensor.immich_ocr_time_left": ["0.0", "min"],
            },
        },
    ]
    got = time_left(estimates, 400.0)
    assert got[0] == {
        "share": 0.25,
        "at_s": 95.0,
        "sensor_s": 300,
        "longest_queue_s": None,
        "longest_queue": None,
        "real_s": 305.0,
    }
    # Time until idle unknown: the longest queue's own estimate (2.5 min) is kept beside.
    assert got[1]["sensor_s"] is None
    assert got[1]["longest_queue_s"] == 150
    assert got[1]["longest_queue"] == "sensor.immich_video_conversion"
    assert got[1]["real_s"] == 205.0


def test_figures_of_a_recorded_run() -> None:
    """A tiny recorded run: makespan, photo, paused queues and probe come out as recorded."""
    record = {
        "controller": "addon",
        "description": "the add-on",
        "started_utc": "2026-12-05T23:00:00Z",
        "load_average_before_t0": [1.234, 1.0, 0.5],
        "finished": True,
        "samples": [
            {"at": 0.0, "q": {"thumbnailGeneration": [1, 0, 0, 0, 0]}},
            {"at": 0.5, "q": {"backgroundTask": [0, 0, 0, 0, 1]}},
            {"at": 1.0, "q": {"backgroundTask": [0, 0, 0, 0, 1]}},
        ],
        "requests": [(0.1, "PUT", "/api/queues/backgroundTask")],
        "probe": [(-2.0, 0.02), (-1.0, 0.02), (0.2, 0.04)],
        "photos_uploaded_s": [0.1],
        "photos_thumbnail_s": [0.5],
        "left_paused_when_done": ["backgroundTask"],
        "left_paused_after_stop": ["backgroundTask"],
        "condition_switched": [],
        "estimates": [],
    }
    got = figures(record)
    assert got["makespan_s"] == 0.5
    assert got["photo_thumbnail_median_s"] == 0.4
    assert got["internal_queues_touched"] == ["backgroundTask"]
    assert got["requests_per_hour"] == 7200
    assert got["probe_run"]["p50"] == 2.0
    assert got["load_average_at_start"] == [1.23, 1.0, 0.5]
