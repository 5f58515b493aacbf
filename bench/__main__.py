"""Run every controller on every workload; print the table, write bench/results.json."""

from __future__ import annotations

import json
from pathlib import Path
import sys
from typing import Any

from custom_components.immich_jobs.scheduler import Policy

from .controllers import Ours, controllers
from .run import run
from .workloads import WORKLOADS

MAX_RUNNING = 1
INTERVAL = 10.0
HERE = Path(__file__).parent
BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"
SWEEP_BEGIN, SWEEP_END = "<!-- strict:begin -->", "<!-- strict:end -->"
# The strict cap (express lane off) at shorter read intervals, on the video workloads.
SWEEP_INTERVALS = (1.0, 2.0, 5.0, 10.0)
SWEEP_WORKLOADS = ("video_backlog_uploads", "video_backlog_uploads_during_transcoding")


def main() -> int:
    """Run the benchmarks and publish their results."""
    results: dict[str, dict[str, dict[str, Any]]] = {}
    for workload in WORKLOADS:
        row: dict[str, dict[str, Any]] = {}
        for controller in controllers(MAX_RUNNING, INTERVAL):
            row[controller.name] = run(workload, controller, max_running=MAX_RUNNING)
        base = row["unmanaged"]["makespan_s"]
        for figures in row.values():
            figures["makespan_ratio"] = (
                round(figures["makespan_s"] / base, 3) if base else None
            )
        results[workload.name] = row
    sweep = strict_cap_sweep()
    data = {
        "settings": {"max_running": MAX_RUNNING, "poll_interval_s": INTERVAL},
        "workloads": results,
        "strict_cap": sweep,
    }
    (HERE / "results.json").write_text(json.dumps(data, indent=2) + "\n")
    table = render(results)
    sweep_table = render_sweep(sweep, results)
    print(table)
    print(sweep_table)
    readme = HERE / "README.md"
    if readme.exists():
        text = _replace(readme.read_text(), BEGIN, END, table)
        readme.write_text(_replace(text, SWEEP_BEGIN, SWEEP_END, sweep_table))
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
            name: run(by_name[name], Ours("strict", policy), max_running=MAX_RUNNING)
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
            "| controller | makespan s (× unmanaged) | stall s (%) | peak running: exact / once seen / sampled 1 s / heavy (once seen) / sustained (once seen) | photo→thumbnail s median (p95) | hand-off gap s median (max) | requests/h | plan µs/call |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for name, f in results[workload.name].items():
            latency = f["upload_to_thumbnail_s"]
            gap = f["handoff_gap_s"]
            lines.append(
                f"| {name} | {f['makespan_s']:.1f} ({_num(f['makespan_ratio'], '.2f')}) "
                f"| {f['stall_s']:.1f} ({100 * f['stall_ratio']:.0f} %) "
                f"| {f['peak_running_queues']} / {_num(f['peak_running_once_seen'], 'd')} / {f['peak_running_sampled_1s']} "
                f"/ {f['peak_heavy_running']} ({_num(f['peak_heavy_once_seen'], 'd')}) "
                f"/ {f['peak_sustained_running']} ({_num(f['peak_sustained_once_seen'], 'd')}) "
                f"| {_num(latency['median'], '.1f')} ({_num(latency['p95'], '.1f')}) "
                f"| {gap['median']:.1f} ({gap['max']:.1f}) "
                f"| {f['requests_per_hour']:.0f} | {f['plan_us_per_call']:.0f} |"
            )
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _num(value: float | None, spec: str) -> str:
    return "—" if value is None else format(value, spec)


if __name__ == "__main__":
    sys.exit(main())
