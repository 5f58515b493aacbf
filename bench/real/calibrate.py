"""Per-box calibration: a short real run gives the model's speed; then model against real.

The comparison uses the real runs of bench/real/results.json, on the same box.

``python -m bench.real.calibrate --url URL --key KEY`` runs the short calibration (4 of the
clips at T0, unmanaged, about 2 minutes) and writes bench/real/calibration.json; without
--url it only rebuilds the comparison (calibration.md) from the committed files, with the
box's profile `simulator.cpu.REAL_BENCH_BOX`.

The fit: unmanaged, nothing else decides when work runs, and the model's every job cost
scales with 1/speed, so speed = model makespan at speed 1 / real makespan.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Mapping
import json
from pathlib import Path
import sys
from typing import Any

from bench.controllers import AddOn, Controller, OursInHouse, Timeline, Unmanaged
from bench.measures import probe_slowdowns, quantile
from bench.run import run as model_run
from bench.workloads import Workload
from custom_components.immich_jobs.engine.scheduler import Policy
from simulator.cpu import REAL_BENCH_BOX, Box
from simulator.model import VIDEO_CONVERSION, ImmichModel
from simulator.scenarios import video_backlog_with_uploads

from .controllers import CONDITION_ENTITY, HOLD
from .media import Media, make_media
from .report import figures
from .session import Settings, run as real_run

HERE = Path(__file__).parent
CALIBRATION_VIDEOS = 4
WITHIN = 0.20
QUIET_OFF: dict[str, Any] = {"upload_quiet": False}
CONDITION: dict[str, Any] = {
    **QUIET_OFF,
    "server_condition": {"entity_id": CONDITION_ENTITY, "work_when": "on"},
    "condition_min_minutes": 1,
}


def _short() -> Workload:
    return Workload(
        "calibration",
        lambda model: video_backlog_with_uploads(
            model, videos=CALIBRATION_VIDEOS, photos=0
        ),
    )


def fit_speed(real_makespan: float, workload: Workload | None = None) -> float:
    """Return the box's speed: the model's makespan at speed 1 over the real one."""
    at_one = model_run(workload or _short(), Unmanaged(), box=Box(cores=2, speed=1.0))
    return round(float(at_one["makespan_s"]) / real_makespan, 3)


def fit_from_unmanaged(results: Mapping[str, Any]) -> dict[str, Any]:
    """Return the speed fitted on the full workload's unmanaged run (no short run needed)."""
    real = results["runs"]["unmanaged"]
    return {
        "from": "the full workload's unmanaged run (bench/real/results.json)",
        "started_utc": real["started_utc"],
        "load_average_at_start": real["load_average_at_start"],
        "makespan_s": real["makespan_s"],
        "speed": fit_speed(
            real["makespan_s"], Workload("real", video_backlog_with_uploads)
        ),
    }


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


def _hold_probe(box: Box) -> Any:
    def measure(model: ImmichModel) -> dict[str, Any]:
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


def model_figures(name: str, box: Box) -> dict[str, Any]:
    """Run the model of the full workload for one controller on this box."""
    return model_run(
        Workload("real", video_backlog_with_uploads),
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
    """Return the comparison as markdown, and as data."""
    lines = [
        f"| controller | figure | real | model ({box.name}, speed {box.speed:g}) "
        "| model − real |",
        "|---|---|---|---|---|",
    ]
    data: dict[str, Any] = {}
    for name, real in results["runs"].items():
        rows = compare(real, model_figures(name, box))
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
    """Run the short real calibration; return its record's figures and the fitted speed."""
    media = make_media(work / "media")
    short = Media(media.videos[:CALIBRATION_VIDEOS], ())
    settings = Settings(url=url, key=key, controller_key=key, media=short, work=work)
    record = await real_run(settings, "unmanaged")
    (HERE / "runs").mkdir(exist_ok=True)
    (HERE / "runs" / "calibration.json").write_text(json.dumps(record) + "\n")
    seen = figures(record)
    speed = fit_speed(seen["makespan_s"])
    fitted = model_run(_short(), Unmanaged(), box=Box(cores=2, speed=speed))
    return {
        "videos": CALIBRATION_VIDEOS,
        "started_utc": seen["started_utc"],
        "load_average_at_start": seen["load_average_at_start"],
        "makespan_s": seen["makespan_s"],
        "busy_windows_s": seen["busy_windows_s"],
        "from": f"a short run: {CALIBRATION_VIDEOS} clips at T0, unmanaged",
        "speed": speed,
        # What one speed cannot fit shows here: the videos' thumbnails against the transcodes.
        "model_busy_windows_s": fitted["busy_windows_s"],
    }


def main(argv: list[str] | None = None) -> int:
    """Calibrate (with --url) and rebuild the comparison table."""
    parser = argparse.ArgumentParser(prog="python -m bench.real.calibrate")
    parser.add_argument("--url")
    parser.add_argument("--key")
    parser.add_argument("--work", type=Path, default=Path("/work/immich-real/bench"))
    parser.add_argument(
        "--fit-unmanaged",
        action="store_true",
        help="fit the speed on the full workload's unmanaged run instead of a short run",
    )
    args = parser.parse_args(argv)
    if args.fit_unmanaged:
        results = json.loads((HERE / "results.json").read_text())
        fitted = fit_from_unmanaged(results)
        (HERE / "calibration_unmanaged.json").write_text(
            json.dumps(fitted, indent=2) + "\n"
        )
        print(f"fitted speed {fitted['speed']} (makespan {fitted['makespan_s']} s)")
    if args.url:
        fitted = asyncio.run(calibrate(args.url, args.key, args.work))
        (HERE / "calibration.json").write_text(json.dumps(fitted, indent=2) + "\n")
        print(f"fitted speed {fitted['speed']} (makespan {fitted['makespan_s']} s)")
    results = json.loads((HERE / "results.json").read_text())
    markdown, data = table(results, REAL_BENCH_BOX)
    (HERE / "calibration.md").write_text(
        "# The model against the real runs, on the same box\n\n" + markdown
    )
    (HERE / "calibration_table.json").write_text(json.dumps(data, indent=2) + "\n")
    print(markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
