"""Run every controller on every workload; print the table, write bench/results.json."""

from __future__ import annotations

import json
from pathlib import Path
import sys
from typing import Any

from .controllers import controllers
from .run import run
from .workloads import WORKLOADS

MAX_RUNNING = 1
INTERVAL = 10.0
HERE = Path(__file__).parent
BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"


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
    data = {
        "settings": {"max_running": MAX_RUNNING, "poll_interval_s": INTERVAL},
        "workloads": results,
    }
    (HERE / "results.json").write_text(json.dumps(data, indent=2) + "\n")
    table = render(results)
    print(table)
    readme = HERE / "README.md"
    if readme.exists():
        text = readme.read_text()
        if BEGIN in text and END in text:
            head, rest = text.split(BEGIN, 1)
            _, tail = rest.split(END, 1)
            readme.write_text(f"{head}{BEGIN}\n{table}\n{END}{tail}")
    return 0


def render(results: dict[str, dict[str, dict[str, Any]]]) -> str:
    """Return the results as one markdown table per workload."""
    lines: list[str] = []
    for workload in WORKLOADS:
        lines += [
            f"**{workload.name}**: {workload.description}",
            "",
            "| controller | makespan s (× unmanaged) | stall s (%) | peak running: exact / sampled 1 s / heavy / sustained | photo→thumbnail s median (p95) | hand-off gap s median (max) | requests/h | plan µs/call |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for name, f in results[workload.name].items():
            latency = f["upload_to_thumbnail_s"]
            gap = f["handoff_gap_s"]
            lines.append(
                f"| {name} | {f['makespan_s']:.1f} ({_num(f['makespan_ratio'], '.2f')}) "
                f"| {f['stall_s']:.1f} ({100 * f['stall_ratio']:.0f} %) "
                f"| {f['peak_running_queues']} / {f['peak_running_sampled_1s']} / {f['peak_heavy_running']} / {f['peak_sustained_running']} "
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
