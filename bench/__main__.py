"""Run every controller on every workload; print the table, write bench/results.json."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
import sys
from typing import Any

from custom_components.immich_jobs.engine.scheduler import Policy
from simulator.cpu import SLOWER_BOX

from .calibration import table as calibration_table
from .controllers import Ours, controllers
from .knobs import knobs_table
from .run import run
from .workloads import WORKLOADS

MAX_RUNNING = 1
BOX = SLOWER_BOX  # the acceptance figures are the slower box's
INTERVAL = 10.0
HERE = Path(__file__).parent
BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"
SWEEP_BEGIN, SWEEP_END = "<!-- strict:begin -->", "<!-- strict:end -->"
# The strict cap (express lane off) at shorter read intervals, on the video workloads.
SWEEP_INTERVALS = (1.0, 2.0, 5.0, 10.0)
SWEEP_WORKLOADS = ("video_backlog_uploads", "video_backlog_uploads_during_transcoding")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks and publish their results."""
    argparse.ArgumentParser(
        prog="python -m bench",
        description="Run every controller on every workload of the model (simulated "
        "time); print the table, write bench/results.json and bench/README.md's tables.",
    ).parse_args(argv)
    results: dict[str, dict[str, dict[str, Any]]] = {}
    for workload in WORKLOADS:
        row: dict[str, dict[str, Any]] = {}
        for controller in controllers(MAX_RUNNING, INTERVAL):
            row[controller.name] = run(
                workload, controller, max_running=MAX_RUNNING, box=BOX
            )
        base = row["unmanaged"]["makespan_s"]
        for figures in row.values():
            figures["makespan_ratio"] = (
                round(figures["makespan_s"] / base, 3) if base else None
            )
        results[workload.name] = row
    sweep = strict_cap_sweep()
    calibration, calibration_rows = calibration_table()
    knobs, knobs_rows = knobs_table()
    data = {
        "settings": {
            "max_running": MAX_RUNNING,
            "poll_interval_s": INTERVAL,
            "box": BOX.name,
        },
        "workloads": results,
        "strict_cap": sweep,
        "calibration": calibration_rows,
        "knobs": knobs_rows,
    }
    (HERE / "results.json").write_text(json.dumps(data, indent=2) + "\n")
    table = render(results)
    sweep_table = render_sweep(sweep, results)
    accept = acceptance(results)
    print(calibration, table, sweep_table, knobs, accept, sep="\n")
    readme = HERE / "README.md"
    if readme.exists():
        text = readme.read_text()
        for (begin, end), body in (
            ((BEGIN, END), table),
            ((SWEEP_BEGIN, SWEEP_END), sweep_table),
            (("<!-- calibration:begin -->", "<!-- calibration:end -->"), calibration),
            (("<!-- knobs:begin -->", "<!-- knobs:end -->"), knobs),
            (("<!-- acceptance:begin -->", "<!-- acceptance:end -->"), accept),
        ):
            text = _replace(text, begin, end, body)
        readme.write_text(text)
    return 0


def strict_cap_sweep() -> dict[str, dict[str, dict[str, Any]]]:
    """Run the strict cap (no express lane) with reads every 1 to 10 s: what it can reach."""
    by_name = {workload.name: workload for workload in WORKLOADS}
    sweep: dict[str, dict[str, dict[str, Any]]] = {}
    for interval in SWEEP_INTERVALS:
        policy = Policy(
            max_running=MAX_RUNNING, poll_interval=interval, express_lane=False
        )
        sweep[f"{interval:g}"] = {
            name: run(
                by_name[name], Ours("strict", policy), max_running=MAX_RUNNING, box=BOX
            )
            for name in SWEEP_WORKLOADS
        }
    return sweep


def render_sweep(
    sweep: dict[str, dict[str, dict[str, Any]]],
    results: dict[str, dict[str, dict[str, Any]]],
) -> str:
    """Return the strict-cap sweep as a table, photo latency against the add-on's."""
    lines = [
        "| reads every | workload | peak running: exact / from the first read that saw work | photo→thumbnail s median (× sooner than addon) | requests/h |",
        "|---|---|---|---|---|",
    ]
    for interval, row in sweep.items():
        for name, f in row.items():
            median = f["upload_to_thumbnail_s"]["median"]
            addon = results[name]["addon"]["upload_to_thumbnail_s"]["median"]
            lines.append(
                f"| {interval} s | {name} "
                f"| {f['peak_running_queues']} / {f['peak_running_once_seen']} "
                f"| {_num(median, '.2f')} ({_num(addon / median if median else None, '.1f')}×) "
                f"| {f['requests_per_hour']:.0f} |"
            )
    return "\n".join(lines) + "\n"


def _replace(text: str, begin: str, end: str, body: str) -> str:
    """Return the text with what lies between two markers replaced (unchanged without them)."""
    if begin not in text or end not in text:
        return text
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{begin}\n{body}\n{end}{tail}"


def render(results: dict[str, dict[str, dict[str, Any]]]) -> str:
    """Return the results as one markdown table per workload."""
    lines: list[str] = []
    for workload in WORKLOADS:
        lines += [
            f"**{workload.name}**: {workload.description}",
            "",
            "| controller | makespan s (× unmanaged) | stall s | photo→thumbnail s median (p95) | probe slowdown p50 / p95 / max | CPU busy | a core free | heavy queues at once: whole run / once seen (s above N) | sustained: whole run / once seen | ML models MB | peak running: exact / once seen / sampled 1 s | hand-off gap s median | requests/h |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for name, f in results[workload.name].items():
            latency = f["upload_to_thumbnail_s"]
            probe = f["probe_slowdown"]
            lines.append(
                f"| {name} | {f['makespan_s']:.1f} ({_num(f['makespan_ratio'], '.3f')}) "
                f"| {f['stall_s']:.1f} "
                f"| {_num(latency['median'], '.2f')} ({_num(latency['p95'], '.1f')}) "
                f"| {_num(probe['p50'], '.2f')} / {_num(probe['p95'], '.2f')} / {_num(probe['max'], '.1f')} "
                f"| {100 * f['cpu_busy']:.0f} % | {100 * f['core_free']:.0f} % "
                f"| {f['peak_heavy_running']} / {_num(f['peak_heavy_once_seen'], 'd')} "
                f"({f['heavy_over_cap_s']:.1f}) "
                f"| {f['peak_sustained_running']} / {_num(f['peak_sustained_once_seen'], 'd')} "
                f"| {_num(f['ml_memory_peak_mb'], 'd')} "
                f"| {f['peak_running_queues']} / {_num(f['peak_running_once_seen'], 'd')} / {f['peak_running_sampled_1s']} "
                f"| {f['handoff_gap_s']['median']:.1f} "
                f"| {f['requests_per_hour']:.0f} |"
            )
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def acceptance(results: dict[str, dict[str, dict[str, Any]]]) -> str:
    """Return issue 17's acceptance figures for today's scheduler and the variant."""
    upload = results["video_backlog_uploads"]
    during = results["video_backlog_uploads_during_transcoding"]
    base = upload["unmanaged"]
    lines = [
        "| figure (slower box, N = 1, 10 s) | target | unmanaged | preemptive | variant_idle_back_off (the earlier idle rule) |",
        "|---|---|---|---|---|",
    ]

    def row(label: str, target: str, value: Any) -> None:
        cells = " | ".join(
            value(name) for name in ("unmanaged", "preemptive", "variant_idle_back_off")
        )
        lines.append(f"| {label} | {target} | {cells} |")

    row(
        "photo→thumbnail median at upload (× unmanaged)",
        "≤ 0.2 ×",
        lambda n: f"{upload[n]['upload_to_thumbnail_s']['median']:.1f} s "
        f"({upload[n]['upload_to_thumbnail_s']['median'] / base['upload_to_thumbnail_s']['median']:.2f} ×)",
    )
    row(
        "photo→thumbnail median during transcodes",
        "≤ 1 s",
        lambda n: f"{during[n]['upload_to_thumbnail_s']['median']:.2f} s",
    )
    row(
        "makespan × unmanaged (photos at upload / during transcodes)",
        "≤ 1.0",
        lambda n: f"{upload[n]['makespan_ratio']:.3f} / {during[n]['makespan_ratio']:.3f}",
    )
    row(
        "heavy queues at once from the first read, unmanaged: whole run (s above N)",
        "≤ N = 1",
        lambda n: f"{_num(upload[n]['peak_heavy_once_seen'] or upload[n]['peak_heavy_running'], 'd')} "
        f"({upload[n]['heavy_over_cap_s']:.1f} s)",
    )
    row(
        "probe slowdown p50 / p95 (real: unmanaged 1.87 / 4.10, ours 1.92 / 3.35)",
        "within 20 %",
        lambda n: f"{upload[n]['probe_slowdown']['p50']:.2f} / {upload[n]['probe_slowdown']['p95']:.2f}",
    )
    row(
        "requests/h while working",
        "—",
        lambda n: f"{upload[n]['requests_per_hour']:.0f}",
    )
    row(
        "requests/h at idle (idle_day)",
        "≤ 360",
        lambda n: f"{results['idle_day'][n]['requests_per_hour']:.0f}",
    )
    return "\n".join(lines) + "\n"


def _num(value: float | None, spec: str) -> str:
    return "—" if value is None else format(value, spec)


if __name__ == "__main__":
    sys.exit(main())
