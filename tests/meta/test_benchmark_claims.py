"""The README's real-server figures are what a committed real run showed (bench/real/)."""

from __future__ import annotations

import json
from pathlib import Path
import re

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUNS = json.loads((ROOT / "bench" / "real" / "results.json").read_text())["runs"]
ROWS = {
    "Immich on its own": "unmanaged",
    "the Immich Job Daemon app's algorithm": "addon",
    "Immich Jobs, defaults": "ours",
    "Immich Jobs, with the server condition off for 3 minutes": "ours_condition",
}


def _table() -> dict[str, list[str]]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Measured on a real server", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ")]
    return {
        cells[0]: cells[1:]
        for cells in (
            [c.strip() for c in row.strip("|").split("|")] for row in rows[1:]
        )
    }


def _seconds(cell: str) -> float:
    match = re.fullmatch(r"([0-9.]+) s", cell)
    assert match is not None, cell
    return float(match.group(1))


@pytest.mark.parametrize(("label", "controller"), ROWS.items())
def test_each_readme_figure_is_a_real_runs(label: str, controller: str) -> None:
    """Makespan (whole seconds), photo median, stall and queues left paused, as measured."""
    run = RUNS[controller]
    makespan, photos, stall, left = _table()[label]
    assert _seconds(makespan) == round(run["makespan_s"])
    assert _seconds(photos) == run["photo_thumbnail_median_s"]
    assert _seconds(stall) == run["stall_s"]
    assert int(left) == len(run["left_paused_after_stop"])


def test_the_readme_table_has_no_row_without_a_run() -> None:
    """Every row of the table is one of the runs above."""
    assert set(_table()) == set(ROWS)
