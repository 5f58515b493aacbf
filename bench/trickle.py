"""Holds that end (issue 21): the heavy queues under a trickle of photos, a backup inside it.

A trickle over a standing backlog, with and without a phone backup inside it, and the
measured video workload with the default options. Run with `python -m bench.trickle` (also run by `scripts/bench`); it prints the tables and
writes them into bench/README.md and bench/trickle_results.json. Every figure comes from the
simulator's job records and counts (what ran and what waited, when), never from the plans or
the quiet period's thresholds. The slower box, N = 1, reads every 10 s.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
import json
from pathlib import Path
import statistics
import sys
from typing import Any

from custom_components.immich_jobs.engine.scheduler import Policy
from simulator.cpu import SLOWER_BOX
from simulator.model import (
    FACE_DETECTION,
    OCR,
    SMART_SEARCH,
    VIDEO_CONVERSION,
    ImmichModel,
)
from simulator.scenarios import video_backlog_with_uploads

from .__main__ import _replace
from .controllers import AddOn, Controller, OursInHouse, Unmanaged
from .house import HEAVY, PHONE_BACKUP, QUIET_OFF, Case
from .measures import Spans, busy_within, merged
from .run import Recorder, run
from .workloads import Workload, with_ml

HERE = Path(__file__).parent
BEGIN, END = "<!-- trickle:begin -->", "<!-- trickle:end -->"
INTERVAL = 10.0
HOUR = 3600.0

# The demo's trickle: a photo every 45 s for 3 hours.
TRICKLE_EVERY = 45.0
TRICKLE_SECONDS = 3 * HOUR
# The standing backlog at T0: videos to transcode and photos' machine learning.
BACKLOG_VIDEOS = 200
BACKLOG_ML = 2000
# The phone backup inside the trickle: 2,000 photos and 50 videos over 20 minutes from 1 h.
BACKUP_FROM = HOUR
BACKUP_SECONDS = 20 * 60.0
BACKUP_PHOTOS = 2000
BACKUP_VIDEOS = 50


def _backlog_and_trickle(model: ImmichModel) -> None:
    """Queue the standing backlog, then upload a photo every 45 s for 3 hours."""
    model.enqueue(VIDEO_CONVERSION, BACKLOG_VIDEOS, kind="video")
    for name in (SMART_SEARCH, FACE_DETECTION, OCR):
        model.enqueue(name, BACKLOG_ML, kind="photo")
    for i in range(int(TRICKLE_SECONDS / TRICKLE_EVERY)):
        model.at(i * TRICKLE_EVERY, lambda m: m.upload(photos=1))


def _with_backup(model: ImmichModel) -> None:
    """Run the trickle, and a phone backup of 20 minutes an hour in."""
    _backlog_and_trickle(model)
    for i in range(BACKUP_PHOTOS):
        at = BACKUP_FROM + i * BACKUP_SECONDS / BACKUP_PHOTOS
        model.at(at, lambda m: m.upload(photos=1))
    for i in range(BACKUP_VIDEOS):
        at = BACKUP_FROM + i * BACKUP_SECONDS / BACKUP_VIDEOS
        model.at(at, lambda m: m.upload(videos=1))


TRICKLE = Workload(
    "trickle_over_backlog",
    with_ml(_backlog_and_trickle),
    description=f"a photo every {TRICKLE_EVERY:g} s for 3 h over a standing backlog "
    f"({BACKLOG_VIDEOS} videos to transcode, machine learning of {BACKLOG_ML} photos), "
    "machine learning on",
    ml=True,
)
TRICKLE_BACKUP = Workload(
    "trickle_with_backup",
    with_ml(_with_backup),
    description=f"the trickle, with a phone backup ({BACKUP_PHOTOS} photos and "
    f"{BACKUP_VIDEOS} videos over 20 minutes) from 1 h",
    ml=True,
)
VIDEO_PHOTOS = Workload(
    "video_backlog_uploads",
    video_backlog_with_uploads,
    description="the measured workload: 20 HEVC videos at T0, photos at T0+30…70 s",
)


def _union(spans_by_queue: Mapping[str, list[tuple[float, float]]]) -> Spans:
    return merged(span for name in HEAVY for span in spans_by_queue.get(name, []))


def _gaps(outer: Spans, inner: Iterable[tuple[float, float]]) -> list[float]:
    """Return the stretches of `outer` not covered by `inner` (both merged)."""
    covered = merged(inner)
    gaps: list[float] = []
    for start, end in outer:
        at = start
        for begin, stop in covered:
            if stop <= at or begin >= end:
                continue
            if begin > at:
                gaps.append(begin - at)
            at = max(at, stop)
        if end > at:
            gaps.append(end - at)
    return gaps


def heavy_measures(model: ImmichModel, recorder: Recorder) -> dict[str, Any]:
    """Measure how the heavy queues fared while they had work: share run, longest held."""
    waiting = _union(recorder.work_spans)
    total = sum(end - start for start, end in waiting)
    ran = [
        (job.start, job.end)
        for job in model.job_log
        if job.queue in HEAVY and job.end > job.start
    ]
    held = _gaps(waiting, ran)
    ran_within = sum(
        busy_within(model.job_log, HEAVY, start, end) for start, end in waiting
    )
    return {
        "heavy_share_run": round(ran_within / total, 3) if total else None,
        "heavy_longest_held_s": round(max(held, default=0.0), 1),
    }


def _thumbnails(model: ImmichModel, start: float, end: float) -> dict[str, Any]:
    latencies = [
        asset.thumbnail_at - asset.uploaded_at
        if asset.thumbnail_at is not None
        else float("inf")
        for asset in model.assets.values()
        if start <= asset.uploaded_at < end and asset.kind == "photo"
    ]
    return {"thumbnail_median_s": round(statistics.median(latencies), 2)}


def trickle_measures(model: ImmichModel, recorder: Recorder) -> dict[str, Any]:
    """Measure the heavy queues, and the trickle's thumbnails."""
    return heavy_measures(model, recorder) | _thumbnails(model, 0.0, TRICKLE_SECONDS)


def backup_measures(model: ImmichModel, recorder: Recorder) -> dict[str, Any]:
    """Measure the heavy queues, and the backup's thumbnails."""
    return heavy_measures(model, recorder) | _thumbnails(
        model, BACKUP_FROM, BACKUP_FROM + BACKUP_SECONDS
    )


def _policy() -> Policy:
    return Policy(max_running=1, poll_interval=INTERVAL)


def _controllers() -> list[Controller]:
    return [
        Unmanaged(),
        AddOn(1, INTERVAL),
        OursInHouse("ours_no_quiet_period", _policy(), QUIET_OFF),
        OursInHouse("ours", _policy(), {}),
    ]


CASES: tuple[Case, ...] = (
    (TRICKLE, trickle_measures, _controllers),
    (TRICKLE_BACKUP, backup_measures, _controllers),
    (
        PHONE_BACKUP,
        lambda model, recorder: heavy_measures(model, recorder)
        | _thumbnails(model, 0.0, BACKUP_SECONDS),
        lambda: [OursInHouse("ours", _policy(), {})],
    ),
    (
        VIDEO_PHOTOS,
        heavy_measures,
        lambda: [
            Unmanaged(),
            OursInHouse("ours_no_quiet_period", _policy(), QUIET_OFF),
            OursInHouse("ours", _policy(), {}),
        ],
    ),
)
KEPT = (
    "makespan_s",
    "stall_s",
    "stall_longest_s",
    "heavy_share_run",
    "heavy_longest_held_s",
    "thumbnail_median_s",
    "requests_per_hour",
)


def results() -> dict[str, dict[str, dict[str, Any]]]:
    """Run every case; return the kept figures by workload and controller."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for workload, measure, make in CASES:
        out[workload.name] = {}
        for controller in make():
            figures = run(
                workload,
                controller,
                max_running=1,
                box=SLOWER_BOX,
                limit=24 * HOUR,
                measure=measure,
            )
            out[workload.name][controller.name] = {
                key: figures[key] for key in KEPT if key in figures
            }
    return out


def _cell(value: Any, fmt: str) -> str:
    return "—" if value is None else format(value, fmt)


def render(figures: Mapping[str, Mapping[str, Mapping[str, Any]]]) -> str:
    """Return one table per workload."""
    lines: list[str] = []
    for workload, _, _ in CASES:
        rows = figures[workload.name]
        base = rows.get("ours_no_quiet_period", rows.get("unmanaged", {}))
        lines += [
            f"**{workload.name}**: {workload.description}.",
            "",
            "| controller | makespan s (× quiet period off) | heavy queues ran, share of their waiting time | longest stretch heavy work waited s | box idle with work s: total / longest | photo→thumbnail median s | requests/h |",
            "|---|---|---|---|---|---|---|",
        ]
        for name, f in rows.items():
            ratio = f["makespan_s"] / base["makespan_s"] if base else 1.0
            share = f.get("heavy_share_run")
            lines.append(
                f"| {name} | {f['makespan_s']:.0f} ({ratio:.3f}) "
                f"| {_cell(None if share is None else share * 100, '.0f')} % "
                f"| {_cell(f.get('heavy_longest_held_s'), '.0f')} "
                f"| {f['stall_s']:.0f} / {f['stall_longest_s']:.1f} "
                f"| {_cell(f.get('thumbnail_median_s'), '.2f')} "
                f"| {f['requests_per_hour']:.0f} |"
            )
        lines.append("")
    return "\n".join(lines)


def main() -> int:
    """Run, print, and publish."""
    figures = results()
    (HERE / "trickle_results.json").write_text(json.dumps(figures, indent=1) + "\n")
    table = render(figures)
    print(table)
    readme = HERE / "README.md"
    readme.write_text(_replace(readme.read_text(), BEGIN, END, table))
    return 0


if __name__ == "__main__":
    sys.exit(main())
