"""The per-box calibration: the model replays a real run, and its fit reproduces that run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.controllers import Unmanaged
from bench.real.calibrate import fit_box, replayed
from bench.run import run
from simulator.model import ImmichModel

RUNS = Path(__file__).parents[2] / "bench" / "real" / "runs"


def test_the_model_replays_a_real_runs_uploads() -> None:
    """Two clips done uploading at 1.5 s and 3 s, a photo at 30 s: the model's assets too."""
    model = ImmichModel()
    replayed({"videos_uploaded_s": [1.5, 3.0], "photos_uploaded_s": [30.0]}).setup(
        model
    )
    model.advance_to(31.0)
    assert sorted((a.uploaded_at, a.kind) for a in model.assets.values()) == [
        (1.5, "video"),
        (3.0, "video"),
        (30.0, "photo"),
    ]


def test_the_fitted_box_reproduces_the_short_run_it_was_fitted_on() -> None:
    """The model on the box fitted to the committed short run shows what that run showed.

    The run: 8 clips, unmanaged, on the real-bench box; 133.4 s of work, the probe's median
    1.0 × idle, the thumbnail queue busy 13.5 s. The model replays the run's uploads.
    """
    record = json.loads((RUNS / "calibration.json").read_text())
    box, _ = fit_box(record, "real-bench box")
    model = run(replayed(record), Unmanaged(), box=box)
    assert model["makespan_s"] == pytest.approx(133.4, rel=0.02)
    assert model["probe_slowdown"]["p50"] == pytest.approx(1.0, abs=0.05)
    thumbnails = model["busy_windows_s"]["thumbnailGeneration"]
    assert thumbnails[1] - thumbnails[0] == pytest.approx(13.5, rel=0.05)
