"""Work when it suits the house (issue 16): a phone backup, a night window, the box given back.

Run with `python -m bench.house`; it prints the tables and writes them into bench/README.md,
its short table into docs/benchmarks.md, and bench/house_results.json. Every figure comes from the simulator's job records and load
(what ran when), never from the plans. The slower box, N = 1, reads every 10 s.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
import json
from pathlib import Path
import statistics
import sys
from typing import Any

from custom_components.immich_jobs.engine.house.uploads import DEFAULT_HEAVY_QUEUES
from custom_components.immich_jobs.engine.scheduler import Policy
from simulator.cpu import SLOWER_BOX
from simulator.model import VIDEO_CONVERSION, ImmichModel

from .__main__ import _replace
from .controllers import AddOn, Controller, OursInHouse, Timeline, Unmanaged
from .measures import busy_within, probe_slowdowns, quantile
from .run import Recorder, run
from .workloads import Workload, with_ml

HERE = Path(__file__).parent
BEGIN, END = "<!-- house:begin -->", "<!-- house:end -->"
BOX = SLOWER_BOX
INTERVAL = 10.0
HEAVY = tuple(sorted(DEFAULT_HEAVY_QUEUES))
HOUR = 3600.0

# Phone backup: photos and videos arriving evenly over 20 minutes.
BACKUP_PHOTOS = 2000
BACKUP_VIDEOS = 50
BACKUP_SECONDS = 20 * 60.0

# Night window: the backlog arrives at 22:00 (t = 0); heavy work is allowed 01:00-07:00.
NIGHT_PHOTOS = 5000
NIGHT_VIDEOS = 200
NIGHT_OPENS = 3 * HOUR
NIGHT_CLOSES = 9 * HOUR
NIGHT_ENTITY = "schedule.immich_night"

# The box given back: 20 HEVC videos at T0; someone streams from T0+120 s to T0+420 s.
STREAM_ON = 120.0
STREAM_OFF = 420.0
STREAM_ENTITY = "binary_sensor.streaming"


def _phone_backup(model: ImmichModel) -> None:
    """Upload a photo every 0.6 s and a video every 24 s for 20 minutes."""
    for i in range(BACKUP_PHOTOS):
        model.at(i * BACKUP_SECONDS / BACKUP_PHOTOS, lambda m: m.upload(photos=1))
    for i in range(BACKUP_VIDEOS):
        model.at(i * BACKUP_SECONDS / BACKUP_VIDEOS, lambda m: m.upload(videos=1))


def _evening_import(model: ImmichModel) -> None:
    """Upload the day's photos and videos at 22:00."""
    model.upload(photos=NIGHT_PHOTOS, videos=NIGHT_VIDEOS)


def _videos(model: ImmichModel) -> None:
    """Upload 20 HEVC videos at T0."""
    model.upload(videos=20)


PHONE_BACKUP = Workload(
    "phone_backup",
    with_ml(_phone_backup),
    description=f"{BACKUP_PHOTOS} photos and {BACKUP_VIDEOS} videos arriving evenly over "
    "20 minutes, machine learning on",
    ml=True,
)
NIGHT = Workload(
    "night_window",
    with_ml(_evening_import),
    window=NIGHT_CLOSES,
    description=f"{NIGHT_PHOTOS} photos and {NIGHT_VIDEOS} videos at 22:00, machine "
    "learning on; heavy work allowed 01:00-07:00",
    ml=True,
)
STREAMING = Workload(
    "box_given_back",
    _videos,
    description="20 HEVC videos at T0; someone streams from T0+120 s to T0+420 s",
)


def _latencies(model: ImmichModel) -> list[float]:
    return [
        asset.thumbnail_at - asset.uploaded_at
        if asset.thumbnail_at is not None
        else float("inf")
        for asset in model.assets.values()
    ]


def _backup_measures(model: ImmichModel, _recorder: Recorder) -> dict[str, Any]:
    """Measure each upload's thumbnail, heavy work during the uploads, the probe meanwhile."""
    latencies = _latencies(model)
    slowdowns = probe_slowdowns(model.load_log, BOX.cores, 0.0, BACKUP_SECONDS)
    return {
        "thumbnail_median_s": round(statistics.median(latencies), 2),
        "thumbnail_p95_s": round(quantile(latencies, 0.95) or 0.0, 2),
        "thumbnail_max_s": round(max(latencies), 2),
        "heavy_during_uploads_s": round(
            busy_within(model.job_log, HEAVY, 0.0, BACKUP_SECONDS), 1
        ),
        "probe_p95_during_uploads": round(quantile(slowdowns, 0.95) or 0.0, 2),
    }


def _night_measures(model: ImmichModel, _recorder: Recorder) -> dict[str, Any]:
    """Measure heavy work inside and outside the window."""
    jobs = model.job_log
    heavy_jobs = [job for job in jobs if job.queue in HEAVY]
    return {
        "heavy_before_s": round(busy_within(jobs, HEAVY, -HOUR, NIGHT_OPENS), 1),
        "heavy_inside_s": round(busy_within(jobs, HEAVY, NIGHT_OPENS, NIGHT_CLOSES), 1),
        "heavy_after_s": round(busy_within(jobs, HEAVY, NIGHT_CLOSES, 100 * HOUR), 1),
        "heavy_started_outside": sum(
            1
            for job in heavy_jobs
            if not NIGHT_OPENS <= job.start < NIGHT_CLOSES and job.start >= 0
        ),
        "heavy_jobs_done": len(heavy_jobs),
        "heavy_jobs_done_by_07": sum(
            1 for job in heavy_jobs if job.end <= NIGHT_CLOSES
        ),
    }


def _streaming_measures(model: ImmichModel, _recorder: Recorder) -> dict[str, Any]:
    """Measure the probe while the box is given back, and how soon work resumes after."""
    transcode = model.alone(VIDEO_CONVERSION, "video")
    slowdowns = probe_slowdowns(
        model.load_log, BOX.cores, STREAM_ON + transcode, STREAM_OFF
    )
    after = [
        job.start
        for job in model.job_log
        if job.queue == VIDEO_CONVERSION and job.start >= STREAM_OFF
    ]
    return {
        "transcode_alone_s": round(transcode, 1),
        "probe_p50_given_back": round(quantile(slowdowns, 0.5) or 0.0, 2),
        "probe_p95_given_back": round(quantile(slowdowns, 0.95) or 0.0, 2),
        "resumed_after_s": round(min(after) - STREAM_OFF, 1) if after else None,
    }


def _policy() -> Policy:
    return Policy(max_running=1, poll_interval=INTERVAL)


QUIET_OFF = {"upload_quiet": False}
NIGHT_OPTIONS: dict[str, Any] = {
    **QUIET_OFF,
    "queue_conditions": {
        queue: {"entity_id": NIGHT_ENTITY, "work_when": "on"} for queue in HEAVY
    },
}
STREAM_OPTIONS = {
    **QUIET_OFF,
    "server_condition": {"entity_id": STREAM_ENTITY, "work_when": "off"},
}


def _night_timeline() -> Timeline:
    return Timeline(
        NIGHT_ENTITY, ((-HOUR, "off"), (NIGHT_OPENS, "on"), (NIGHT_CLOSES, "off"))
    )


def _stream_timeline() -> Timeline:
    return Timeline(
        STREAM_ENTITY, ((-HOUR, "off"), (STREAM_ON, "on"), (STREAM_OFF, "off"))
    )


# A workload, its measures, and the controllers it is run under.
Case = tuple[
    Workload,
    Callable[[ImmichModel, Recorder], dict[str, Any]],
    Callable[[], list[Controller]],
]

CASES: tuple[Case, ...] = (
    (
        PHONE_BACKUP,
        _backup_measures,
        lambda: [
            Unmanaged(),
            AddOn(1, INTERVAL),
            OursInHouse("ours_no_quiet_period", _policy(), QUIET_OFF),
            OursInHouse("ours_quiet_period", _policy(), {}),
        ],
    ),
    (
        NIGHT,
        _night_measures,
        lambda: [
            Unmanaged(),
            AddOn(1, INTERVAL),
            OursInHouse("ours_no_window", _policy(), QUIET_OFF),
            OursInHouse(
                "ours_night_window", _policy(), NIGHT_OPTIONS, _night_timeline()
            ),
        ],
    ),
    (
        STREAMING,
        _streaming_measures,
        lambda: [
            OursInHouse("ours_no_condition", _policy(), QUIET_OFF),
            OursInHouse(
                "ours_held_while_streaming",
                _policy(),
                STREAM_OPTIONS,
                _stream_timeline(),
            ),
        ],
    ),
)


def results() -> dict[str, dict[str, dict[str, Any]]]:
    """Run every case; return the figures by workload and controller."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for workload, measure, make in CASES:
        out[workload.name] = {
            controller.name: run(
                workload,
                controller,
                max_running=1,
                box=BOX,
                limit=24 * HOUR,
                measure=measure,
            )
            for controller in make()
        }
    return out


def render(figures: Mapping[str, Mapping[str, Mapping[str, Any]]]) -> str:
    """Return the three tables."""
    backup = figures[PHONE_BACKUP.name]
    night = figures[NIGHT.name]
    stream = figures[STREAMING.name]
    lines = [
        f"**{PHONE_BACKUP.name}**: {PHONE_BACKUP.description}.",
        "",
        "| controller | upload→thumbnail s median / p95 / max | everything done s | heavy work during the uploads s (of 1200) | probe p95 during the uploads | requests/h |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {name} | {f['thumbnail_median_s']:.2f} / {f['thumbnail_p95_s']:.1f} / "
        f"{f['thumbnail_max_s']:.1f} | {f['makespan_s']:.0f} | {f['heavy_during_uploads_s']:.0f} "
        f"| {f['probe_p95_during_uploads']:.2f} | {f['requests_per_hour']:.0f} |"
        for name, f in backup.items()
    ]
    lines += [
        "",
        f"**{NIGHT.name}**: {NIGHT.description} (t = 0 is 22:00).",
        "",
        "| controller | heavy work before 01:00 s | inside 01:00-07:00 s | after 07:00 s | heavy jobs started outside | heavy jobs done (by 07:00) | everything done s | requests/h |",
        "|---|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {name} | {f['heavy_before_s']:.0f} | {f['heavy_inside_s']:.0f} | "
        f"{f['heavy_after_s']:.0f} | {f['heavy_started_outside']} | "
        f"{f['heavy_jobs_done']} ({f['heavy_jobs_done_by_07']}) | {f['makespan_s']:.0f} "
        f"| {f['requests_per_hour']:.0f} |"
        for name, f in night.items()
    ]
    lines += [
        "",
        f"**{STREAMING.name}**: {STREAMING.description}; probe from one transcode's length "
        "after the stream starts until it ends.",
        "",
        "| controller | probe slowdown p50 / p95 (target p95 ≤ 1.2) | everything done s | video resumed after the stream s (target ≤ 10) |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {name} | {f['probe_p50_given_back']:.2f} / {f['probe_p95_given_back']:.2f} "
        f"| {f['makespan_s']:.0f} | "
        f"{'—' if f['resumed_after_s'] is None or name == 'ours_no_condition' else f['resumed_after_s']} |"
        for name, f in stream.items()
    ]
    return "\n".join(lines) + "\n"


def summary(figures: Mapping[str, Mapping[str, Mapping[str, Any]]]) -> str:
    """Return the short table of docs/benchmarks.md."""
    backup = figures[PHONE_BACKUP.name]
    night = figures[NIGHT.name]
    stream = figures[STREAMING.name]["ours_held_while_streaming"]
    lines = [
        "| phone backup | upload → thumbnail, median / p95 | everything done | heavy work during the 20 min of uploads |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {name} | {f['thumbnail_median_s']:.2f} s / {f['thumbnail_p95_s']:.1f} s "
        f"| {f['makespan_s'] / 60:.0f} min | {f['heavy_during_uploads_s'] / 60:.1f} min |"
        for name, f in backup.items()
    ]
    lines += [
        "",
        "| night window | heavy work outside 01:00–07:00 | heavy jobs started outside | everything done |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {name} | {(f['heavy_before_s'] + f['heavy_after_s']) / 60:.0f} min "
        f"| {f['heavy_started_outside']} | {f['makespan_s'] / 3600:.1f} h after 22:00 |"
        for name, f in night.items()
    ]
    lines += [
        "",
        f"Held while someone streams (20 HEVC videos, N = 1): the probe's p95 from one "
        f"transcode after the stream starts until it ends is {stream['probe_p95_given_back']:.2f}× "
        f"the idle box's (target ≤ 1.2×), and the videos resume {stream['resumed_after_s']:.0f} s "
        "after the stream ends.",
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    """Run, print, and publish."""
    figures = results()
    # Every figure but the per-photo times (thousands of them on the phone backup).
    kept = {
        workload: {
            name: {k: v for k, v in f.items() if k != "photo_thumbnail_at_s"}
            for name, f in row.items()
        }
        for workload, row in figures.items()
    }
    (HERE / "house_results.json").write_text(json.dumps(kept, indent=2) + "\n")
    table = render(figures)
    print(table)
    readme = HERE / "README.md"
    readme.write_text(_replace(readme.read_text(), BEGIN, END, table))
    project = HERE.parent / "docs" / "benchmarks.md"
    project.write_text(
        _replace(
            project.read_text(),
            "<!-- house-summary:begin -->",
            "<!-- house-summary:end -->",
            summary(figures),
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
