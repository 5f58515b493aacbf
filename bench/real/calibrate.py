"""Per-box calibration: a short real run gives the model's box; then model against real.

The comparison uses the real runs of bench/real/results.json, on the same box.

``python -m bench.real.calibrate --url URL --key KEY`` runs the short calibration (8 of the
clips at T0, unmanaged, about 3 minutes) and writes bench/real/calibration.json: the box the
model then uses. Without --url it only rebuilds the comparison (calibration.md) from the
committed files.

The fit, unmanaged (nothing else decides when work runs), with the model replaying the real
run's upload times, three figures for three unknowns, refined together a few rounds:
- the box's speed from the makespan (every job's cost scales with 1/speed);
- the threads a transcode keeps busy from the probe's median (beside one probe thread on two
  cores, t busy threads slow it (t + 1) / 2 times);
- what a video's thumbnail costs from how long the thumbnail queue was busy.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable, Mapping
from dataclasses import replace
import json
from pathlib import Path
import sys
from typing import Any

from bench.controllers import AddOn, Controller, OursInHouse, Timeline, Unmanaged
from bench.house import QUIET_OFF
from bench.measures import probe_slowdowns, quantile
from bench.run import Recorder, run as model_run
from bench.workloads import Workload
from custom_components.immich_jobs.engine.scheduler import Policy
from simulator.cpu import Box
from simulator.model import THUMBNAIL_GENERATION, VIDEO_CONVERSION, ImmichModel
from simulator.scenarios import uploads_at

from .controllers import CONDITION_ENTITY, HOLD
from .media import Media, make_media
from .report import figures
from .session import Settings, run as real_run

HERE = Path(__file__).parent
CALIBRATION_VIDEOS = 8
FIT_ROUNDS = 6
WITHIN = 0.20
CONDITION: dict[str, Any] = {
    **QUIET_OFF,
    "server_condition": {"entity_id": CONDITION_ENTITY, "work_when": "on"},
    "condition_min_minutes": 1,
}


def replayed(record: Mapping[str, Any]) -> Workload:
    """Return a real run's uploads as a model workload (same clips, same times)."""
    videos = list(record["videos_uploaded_s"])
    photos = list(record["photos_uploaded_s"])
    return Workload(
        "replayed", lambda model: uploads_at(model, videos=videos, photos=photos)
    )


def _thumbnails_busy(seen: Mapping[str, Any]) -> float:
    """Return how long the thumbnail queue was busy, in a real run's or the model's figures."""
    window = seen["busy_windows_s"].get(THUMBNAIL_GENERATION)
    return float(window[1] - window[0]) if window else 0.0


def fit_box(record: Mapping[str, Any], name: str) -> tuple[Box, dict[str, Any]]:
    """Return the box that makes the model's unmanaged run look like this real one."""
    seen = figures(record)
    workload = replayed(record)
    real_busy = _thumbnails_busy(seen)
    box = Box(cores=2, speed=1.0, name=name)
    for _ in range(FIT_ROUNDS):
        model = model_run(workload, Unmanaged(), box=box)
        busy = _thumbnails_busy(model)
        threads = box.transcode_threads + 2 * (
            seen["probe_run"]["p50"] - model["probe_slowdown"]["p50"]
        )
        box = replace(
            box,
            speed=box.speed * model["makespan_s"] / seen["makespan_s"],
            transcode_threads=min(4.0, max(1.0, threads)),
            video_thumbnail_scale=box.video_thumbnail_scale
            * (real_busy / busy if real_busy and busy else 1.0),
        )
    rounded = replace(
        box,
        speed=round(box.speed, 3),
        transcode_threads=round(box.transcode_threads, 2),
        video_thumbnail_scale=round(box.video_thumbnail_scale, 3),
    )
    # The check is of the box as committed (rounded).
    model = model_run(workload, Unmanaged(), box=rounded)
    check = {
        "makespan_s": [seen["makespan_s"], model["makespan_s"]],
        "probe_p50": [seen["probe_run"]["p50"], model["probe_slowdown"]["p50"]],
        "thumbnails_busy_s": [round(real_busy, 2), round(_thumbnails_busy(model), 2)],
    }
    return rounded, check


def box_of(calibration: Mapping[str, Any]) -> Box:
    """Return the box a committed calibration describes."""
    fitted = calibration["box"]
    return Box(
        cores=int(fitted["cores"]),
        speed=float(fitted["speed"]),
        name=str(fitted["name"]),
        transcode_threads=float(fitted["transcode_threads"]),
        video_thumbnail_scale=float(fitted["video_thumbnail_scale"]),
    )


def model_controller(name: str) -> Controller:
    """Return the model's twin of a real bench controller."""
    policy = Policy(max_running=1, poll_interval=10.0)
    if name == "unmanaged":
        return Unmanaged()
    if name == "addon":
        return AddOn(1, 10.0)
    if name == "ours":
        return OursInHouse(name, policy, {})
    if name == "ours_quiet_off":
        return OursInHouse(name, policy, QUIET_OFF)
    timeline = Timeline(
        CONDITION_ENTITY, ((-3600.0, "on"), (HOLD[0], "off"), (HOLD[1], "on"))
    )
    return OursInHouse(name, policy, CONDITION, timeline)


def _hold_probe(box: Box) -> Callable[[ImmichModel, Recorder], dict[str, Any]]:
    def measure(model: ImmichModel, _recorder: Recorder) -> dict[str, Any]:
        ended = [
            j.end
            for j in model.job_log
            if j.queue == VIDEO_CONVERSION and j.start < HOLD[0] <= j.end
        ]
        after = max(ended, default=HOLD[0])
        out: dict[str, Any] = {}
        for key, start in (("probe_hold", HOLD[0]), ("probe_hold_after", after)):
            slow = probe_slowdowns(model.load_log, box.cores, start, HOLD[1])
            out[key] = {
                "p50": round(quantile(slow, 0.5) or 0.0, 2),
                "p95": round(quantile(slow, 0.95) or 0.0, 2),
            }
        out["transcode_ended_s"] = round(after, 1)
        return out

    return measure


def model_figures(name: str, box: Box, record: Mapping[str, Any]) -> dict[str, Any]:
    """Run the model of one controller's real run on this box, with its upload times."""
    return model_run(
        replayed(record),
        model_controller(name),
        box=box,
        measure=_hold_probe(box),
    )


def _pair(figure: str, real: float | None, model: float | None) -> dict[str, Any]:
    off = None
    if real and model is not None:
        off = round((model - real) / real, 3)
    return {
        "figure": figure,
        "real": real,
        "model": model,
        "difference": off,
        "within_20_percent": off is not None and abs(off) <= WITHIN,
    }


def compare(real: Mapping[str, Any], model: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Return the figures of one controller, real beside model."""
    rows = [
        _pair("makespan s", real["makespan_s"], model["makespan_s"]),
        _pair(
            "photo→thumbnail median s",
            real["photo_thumbnail_median_s"],
            model["upload_to_thumbnail_s"]["median"],
        ),
        _pair("stall s", real["stall_s"], model["stall_s"]),
        _pair(
            "peak running queues (sampled)",
            real["peak_running_queues_sampled"],
            model["peak_running_sampled_1s"],
        ),
        _pair("requests/h", real["requests_per_hour"], model["requests_per_hour"]),
    ]
    rows.extend(
        _pair(
            f"probe {key} × (whole run)",
            real["probe_run"][key],
            model["probe_slowdown"][key],
        )
        for key in ("p50", "p95", "max")
    )
    rows.extend(
        _pair(
            f"probe {key} × (T0+120…300 s)",
            real["probe_hold"][key],
            model["probe_hold"][key],
        )
        for key in ("p50", "p95")
    )
    return rows


def table(results: Mapping[str, Any], box: Box) -> tuple[str, dict[str, Any]]:
    """Return the comparison as markdown, and as data (each run replayed from runs/)."""
    lines = [
        f"| controller | figure | real | model ({box.name}) | model − real |",
        "|---|---|---|---|---|",
    ]
    data: dict[str, Any] = {}
    for name, real in results["runs"].items():
        record = json.loads((HERE / "runs" / f"{name}.json").read_text())
        rows = compare(real, model_figures(name, box, record))
        data[name] = rows
        for row in rows:
            diff = row["difference"]
            mark = "" if diff is None else f"{100 * diff:+.0f} %"
            if diff is not None and not row["within_20_percent"]:
                mark += " (outside 20 %)"
            lines.append(
                f"| {real['description']} | {row['figure']} | {row['real']} "
                f"| {row['model']} | {mark} |"
            )
    return "\n".join(lines) + "\n", data


async def calibrate(url: str, key: str, work: Path) -> dict[str, Any]:
    """Run the short real calibration; return its figures and the box fitted on them."""
    media = make_media(work / "media")
    short = Media(media.videos[:CALIBRATION_VIDEOS], ())
    settings = Settings(url=url, key=key, controller_key=key, media=short, work=work)
    record = await real_run(settings, "unmanaged")
    (HERE / "runs").mkdir(exist_ok=True)
    (HERE / "runs" / "calibration.json").write_text(json.dumps(record) + "\n")
    return calibration_of(record)


def calibration_of(record: Mapping[str, Any]) -> dict[str, Any]:
    """Return the calibration (the fitted box and its check) of a short run's record."""
    seen = figures(record)
    box, check = fit_box(record, "real-bench box")
    return {
        "from": f"a short run: {CALIBRATION_VIDEOS} clips at T0, unmanaged",
        "started_utc": seen["started_utc"],
        "load_average_at_start": seen["load_average_at_start"],
        "box": {
            "name": box.name,
            "cores": box.cores,
            "speed": box.speed,
            "transcode_threads": box.transcode_threads,
            "video_thumbnail_scale": box.video_thumbnail_scale,
        },
        # Real against the fitted model on the short run itself: [real, model].
        "fit": check,
    }


def main(argv: list[str] | None = None) -> int:
    """Calibrate (with --url) and rebuild the comparison table."""
    parser = argparse.ArgumentParser(prog="python -m bench.real.calibrate")
    parser.add_argument("--url")
    parser.add_argument("--key")
    parser.add_argument("--work", type=Path, default=Path("/work/immich-real/bench"))
    parser.add_argument(
        "--refit",
        action="store_true",
        help="fit the box again on the committed short run (runs/calibration.json)",
    )
    args = parser.parse_args(argv)
    fitted: dict[str, Any] | None = None
    if args.url:
        fitted = asyncio.run(calibrate(args.url, args.key, args.work))
    elif args.refit:
        record = json.loads((HERE / "runs" / "calibration.json").read_text())
        fitted = calibration_of(record)
    if fitted is not None:
        (HERE / "calibration.json").write_text(json.dumps(fitted, indent=2) + "\n")
        print(f"fitted {fitted['box']} ({fitted['fit']})")
    calibration = json.loads((HERE / "calibration.json").read_text())
    results = json.loads((HERE / "results.json").read_text())
    box = box_of(calibration)
    markdown, data = table(results, box)
    (HERE / "calibration.md").write_text(
        "# The model against the real runs, on the same box\n\n"
        f"The model's box, fitted by {calibration['from']} "
        f"({calibration['started_utc']}): speed {box.speed:g} of the reference box, "
        f"{box.transcode_threads:g} threads busy per transcode, a video thumbnail "
        f"{box.video_thumbnail_scale:g}× the reference's cost. Each run is replayed with "
        "its own upload times.\n\n" + markdown
    )
    (HERE / "calibration_table.json").write_text(json.dumps(data, indent=2) + "\n")
    print(markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
