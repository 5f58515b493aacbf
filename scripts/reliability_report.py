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
    skipped = [e for e in entries if e["kind"] == "skipped"]
    soaks = [e for e in entries if e["kind"] == "soak"]
    kinds = sorted({name for e in entries for name in e["invariants"]})
    checks = sum(len(e["invariants"]) for e in entries)
    input_groups = Counter(e["case"].split("_", 1)[0] for e in inputs)
    # Paths in the order the suite ran them (results written before paths: one unnamed).
    paths = list(dict.fromkeys(e.get("path", "") for e in [*faults, *skipped]))
    per_path = []
    for path in paths:
        ran = [e for e in faults if e.get("path", "") == path]
        groups = Counter(e["group"] for e in ran)
        profile = next((e["profile"] for e in ran if "profile" in e), None)
        text = f"{path} (Immich {profile}) " if path and profile else ""
        text += (
            f"{len(ran)} ({', '.join(f'{n} {g}' for g, n in sorted(groups.items()))}"
        )
        text += "".join(
            f"; skipped: {e['case']}, {e['reason']}"
            for e in skipped
            if e.get("path", "") == path
        )
        per_path.append(text + ")")
    detail = "; ".join(per_path)
    lines = [
        f"- Fault cases: {len(faults)} injected during a running schedule"
        + (f", per API path: {detail}" if len(paths) > 1 else f": {detail}")
        + f"; plus {len(controls)} fault-free control run"
        + ("s (one per path)." if len(controls) > 1 else "."),
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
            f"interval ({_name(worst)}); data back within "
            f"{max(e['recovered_after_s'] for e in faults):g} s of the fault's end; Immich "
            f"matching the plan within {converged['converged_after_s']:g} s "
            f"({_name(converged)})."
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


def _name(entry: dict[str, Any]) -> str:
    """Name a fault case with its API path ("legacy/http_503")."""
    return f"{entry['path']}/{entry['case']}" if entry.get("path") else entry["case"]


def table(data: dict[str, Any]) -> list[str]:
    """Return the per-case table of the fault matrix (Markdown), one row per path."""
    lines = [
        "| path | case | group | requests during fault | per poll | data back (s) "
        "| plan matched (s) |",
        "|---|---|---|---|---|---|---|",
    ]
    for e in data["entries"]:
        if e["kind"] == "fault":
            lines.append(
                f"| {e.get('path', '')} | {e['case']} | {e['group']} "
                f"| {e['requests_during_fault']} | {e['requests_per_poll']} "
                f"| {e['recovered_after_s']:g} | {e['converged_after_s']:g} |"
            )
        elif e["kind"] == "skipped":
            lines.append(
                f"| {e['path']} | {e['case']} | skipped: {e['reason']} | | | | |"
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
