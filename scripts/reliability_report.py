"""Print the reliability suite's figures from the results it wrote.

Used by ``scripts/reliability_summary``; reads ``.cache/reliability/results.json``.
"""

from __future__ import annotations

from collections import Counter
import json
from pathlib import Path
import sys
from typing import Any

RESULTS = Path(__file__).parents[1] / ".cache" / "reliability" / "results.json"


def summary(data: dict[str, Any]) -> list[str]:
    """Return the summary lines (Markdown bullets)."""
    entries: list[dict[str, Any]] = data["entries"]
    faults = [e for e in entries if e["kind"] == "fault" and e["group"] != "control"]
    controls = [e for e in entries if e["kind"] == "fault" and e["group"] == "control"]
    inputs = [e for e in entries if e["kind"] == "input"]
    soaks = [e for e in entries if e["kind"] == "soak"]
    kinds = sorted({name for e in entries for name in e["invariants"]})
    checks = sum(len(e["invariants"]) for e in entries)
    groups = Counter(e["group"] for e in faults)
    input_groups = Counter(e["case"].split("_", 1)[0] for e in inputs)
    lines = [
        f"- Fault cases: {len(faults)} injected during a running schedule "
        f"({', '.join(f'{n} {g}' for g, n in sorted(groups.items()))}), "
        f"plus {len(controls)} fault-free control run.",
        f"- Bad inputs tried: {len(inputs)} "
        f"({', '.join(f'{n} {g}' for g, n in sorted(input_groups.items()))}).",
        f"- Invariants: {len(kinds)} kinds, {checks} checks passed "
        f"({', '.join(kinds)}).",
    ]
    if faults:
        worst = max(faults, key=lambda e: e["requests_per_poll"])
        converged = max(faults, key=lambda e: e["converged_after_s"])
        lines.append(
            f"- During a fault: at most {worst['requests_per_poll']} requests per poll "
            f"interval ({worst['case']}); data back within "
            f"{max(e['recovered_after_s'] for e in faults):g} s of the fault's end; Immich "
            f"matching the plan within {converged['converged_after_s']:g} s "
            f"({converged['case']})."
        )
    for soak in soaks:
        fault_kinds = ", ".join(f"{n} {k}" for k, n in soak["fault_kinds"].items())
        lines.append(
            f"- Soak: {soak['days']} simulated days (seed {soak['seed']}, poll interval "
            f"{soak['poll_interval']} s), {soak['uploads']} uploads ({soak['photos']} "
            f"photos, {soak['videos']} videos), {soak['faults']} faults ({fault_kinds}): "
            "every backlog drained, no queue left paused; "
            f"{soak['requests']} requests in all, at most "
            f"{soak['max_requests_quiet_hour']} in a quiet hour (envelope "
            f"{soak['idle_limit']}, {soak['quiet_hours']} quiet hours) and "
            f"{soak['max_requests_hour']} in the busiest (envelope "
            f"{soak['working_limit']})."
        )
    lines.append(f"- Suite run time: {data['duration_s']:g} s.")
    return lines


def table(data: dict[str, Any]) -> list[str]:
    """Return the per-case table of the fault matrix (Markdown)."""
    lines = [
        "| case | group | requests during fault | per poll | data back (s) "
        "| plan matched (s) |",
        "|---|---|---|---|---|---|",
    ]
    lines.extend(
        f"| {e['case']} | {e['group']} | {e['requests_during_fault']} "
        f"| {e['requests_per_poll']} | {e['recovered_after_s']:g} "
        f"| {e['converged_after_s']:g} |"
        for e in data["entries"]
        if e["kind"] == "fault"
    )
    return lines


def main(argv: list[str]) -> int:
    """Print the summary (and the table with --table)."""
    if not RESULTS.exists():
        print(
            f"No results at {RESULTS}: run scripts/reliability_summary", file=sys.stderr
        )
        return 1
    data = json.loads(RESULTS.read_text())
    print("\n".join(summary(data)))
    if "--table" in argv:
        print()
        print("\n".join(table(data)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
