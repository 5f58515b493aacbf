"""The model against the real boxes: the project's baseline measurements, figure by figure.

The real figures are copied here from the project's baseline measurements (real Immich
v3.1.0, 2 cores, machine learning off, one run each; the measurements themselves are not in
this repository): 20 HEVC videos at T0, 5 photos at T0+30…70 s or T0+150…190 s.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from custom_components.immich_jobs.engine.scheduler import Policy
from simulator.cpu import FASTER_BOX, SLOWER_BOX, Box

from .controllers import AddOn, BacksOffAtIdle, Controller, Unmanaged
from .run import run
from .workloads import video_backlog

# The add-on's reads fell at T0+8.5, 18.5, … s in the real run on the slower box (storage
# template work from 8.5 s, thumbnails from 19 s); ours first looked at T0+15-16 s.
ADDON_FIRST_POLL = -11.5
KNOBS_CONCURRENCY = {
    "thumbnailGeneration": 1,
    "metadataExtraction": 1,
    "videoConversion": 1,
}


@dataclass(frozen=True, slots=True)
class RealRun:
    """One real run's figures (times in seconds after T0)."""

    label: str
    box: Box
    photos_at: float
    controller: str
    makespan: float
    median: float
    ready: tuple[float, ...] = ()  # each photo's thumbnail ready, upload order
    stall: float | None = None
    peak: int | None = None
    cpu: float | None = None
    probe: tuple[float, float, float] | None = None  # p50, p95, max
    windows: dict[str, tuple[float, float]] = field(default_factory=dict)
    knobs: bool = False


def _ready(latencies: tuple[float, ...], first: float = 30.0) -> tuple[float, ...]:
    return tuple(round(first + 10 * i + s, 1) for i, s in enumerate(latencies))


REAL: tuple[RealRun, ...] = (
    RealRun(
        "slower, unmanaged",
        SLOWER_BOX,
        30,
        "unmanaged",
        378,
        42.3,
        (91.5, 91.8, 92.4, 92.4, 93.0),
        stall=0,
        peak=5,
        cpu=0.97,
        windows={
            "metadataExtraction": (0.5, 6.5),
            "thumbnailGeneration": (1.0, 102),
            "videoConversion": (12.5, 377.5),
        },
    ),
    RealRun(
        "slower, add-on",
        SLOWER_BOX,
        30,
        "addon",
        452.5,
        69.2,
        (119.3, 119.6, 119.3, 119.6, 119.6),
        stall=99,
        peak=1,
        cpu=0.77,
        windows={
            "storageTemplateMigration": (8.5, 107),
            "thumbnailGeneration": (19, 119.5),
            "videoConversion": (164, 449),  # runs from 164 s
        },
    ),
    RealRun(
        "slower, ours",
        SLOWER_BOX,
        30,
        "ours",
        367.5,
        11.8,
        (61.0, 61.5, 61.8, 62.0, 70.6),
        stall=7.5,
        peak=2,
        cpu=0.94,
        windows={
            "metadataExtraction": (0.5, 6),
            "thumbnailGeneration": (1.0, 65.5),
            "videoConversion": (11.5, 367),
        },
    ),
    RealRun(
        "slower, ours (probe run)",
        SLOWER_BOX,
        30,
        "ours",
        405.5,
        20.6,
        _ready((40.0, 30.4, 20.6, 10.9, 1.1)),
        cpu=0.95,
        probe=(1.92, 3.35, 8.2),
    ),
    RealRun(
        "slower, unmanaged (probe run)",
        SLOWER_BOX,
        30,
        "unmanaged",
        430.5,
        57.1,
        _ready((76.4, 66.7, 57.1, 47.4, 38.0)),
        cpu=0.97,
        probe=(1.87, 4.10, 9.4),
    ),
    RealRun(
        "slower, unmanaged, knobs down (probe run)",
        SLOWER_BOX,
        30,
        "unmanaged",
        406,
        97.2,
        _ready((116.5, 107.0, 97.2, 87.7, 77.9)),
        cpu=0.94,
        probe=(1.74, 3.60, 6.3),
        knobs=True,
    ),
    RealRun("slower, unmanaged", SLOWER_BOX, 150, "unmanaged", 399.5, 0.56, peak=3),
    RealRun(
        "slower, add-on", SLOWER_BOX, 150, "addon", 543.5, 329, stall=134, cpu=0.74
    ),
    RealRun("slower, ours", SLOWER_BOX, 150, "ours", 399.5, 0.58, stall=2, cpu=0.96),
    RealRun(
        "faster, unmanaged", FASTER_BOX, 30, "unmanaged", 192, 0.3, stall=0, peak=2
    ),
    RealRun("faster, add-on", FASTER_BOX, 30, "addon", 314, 42, stall=110, peak=1),
    RealRun("faster, add-on", FASTER_BOX, 150, "addon", 346, 123, stall=130, peak=1),
)


def controller(name: str) -> tuple[Controller, float | None]:
    """Return a fresh controller for a real run's name, and its first read."""
    if name == "unmanaged":
        return Unmanaged(), None
    if name == "addon":
        return AddOn(), ADDON_FIRST_POLL
    # The real runs of ours were made before the idle rule changed (3 × the interval at idle):
    # the model is calibrated against the rule that ran there.
    return BacksOffAtIdle("ours", Policy(max_running=1, poll_interval=10.0)), None


def model_run(real: RealRun) -> dict[str, Any]:
    """Run the model as the real run was made."""
    chosen, first_poll = controller(real.controller)
    extra: dict[str, Any] = {}
    if first_poll is not None:
        extra["first_poll"] = first_poll
    if real.knobs:
        extra["concurrency"] = KNOBS_CONCURRENCY
        extra["ffmpeg_threads"] = 1
    return run(video_backlog(real.photos_at), chosen, box=real.box, **extra)


def rows(real: RealRun, model: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """Return (figure, real, model, difference) rows for one real run."""
    out = [
        _row("makespan s", real.makespan, model["makespan_s"]),
        _row(
            "photo→thumbnail median s",
            real.median,
            model["upload_to_thumbnail_s"]["median"],
        ),
    ]
    if real.ready:
        got = model["photo_thumbnail_at_s"]
        worst = max(abs(g - r) / r for g, r in zip(got, real.ready, strict=True))
        out.append(
            (
                "each photo's thumbnail at s",
                " ".join(f"{r:g}" for r in real.ready),
                " ".join(f"{g:.1f}" for g in got),
                f"worst {100 * worst:+.0f} %".replace("+", "±"),
            )
        )
    for name, (start, end) in real.windows.items():
        window = model["busy_windows_s"].get(name, [0.0, 0.0])
        if name == "videoConversion" and real.controller == "addon":
            window = [model["first_run_s"].get(name, 0.0), window[1]]
        out.append(
            (
                f"{name} busy s",
                f"{start:g}→{end:g}",
                f"{window[0]:.1f}→{window[1]:.1f}",
                f"end {_pct(end, window[1])}",
            )
        )
    if real.stall is not None:
        out.append(_row("stall s", real.stall, model["stall_s"], relative=False))
    if real.peak is not None:
        out.append(
            _row(
                "peak queues active (sampled 1 s)",
                real.peak,
                model["peak_running_sampled_1s"],
            )
        )
    if real.cpu is not None:
        out.append(_row("CPU busy", real.cpu, model["cpu_busy"]))
    if real.probe is not None:
        probe = model["probe_slowdown"]
        for label, value, key in zip(
            ("p50", "p95", "max"), real.probe, ("p50", "p95", "max"), strict=True
        ):
            out.append(_row(f"probe slowdown {label} ×", value, probe[key]))
    return out


def _row(
    figure: str, real: float, model: float | None, *, relative: bool = True
) -> tuple[str, str, str, str]:
    if model is None:
        return figure, f"{real:g}", "—", ""
    return (
        figure,
        f"{real:g}",
        f"{model:.2f}".rstrip("0").rstrip("."),
        (_pct(real, model) if relative or real else ""),
    )


def _pct(real: float, model: float) -> str:
    if not real:
        return ""
    return f"{100 * (model - real) / real:+.0f} %"


def table() -> tuple[str, list[dict[str, Any]]]:
    """Return the calibration table as markdown, and its rows as data."""
    lines = [
        "| real run (box, controller) | photos at | figure | real | model | model − real |",
        "|---|---|---|---|---|---|",
    ]
    data: list[dict[str, Any]] = []
    for real in REAL:
        model = model_run(real)
        for figure, real_value, model_value, diff in rows(real, model):
            lines.append(
                f"| {real.label} | T0+{real.photos_at:g} s | {figure} | {real_value} "
                f"| {model_value} | {diff} |"
            )
            data.append(
                {
                    "run": real.label,
                    "photos_at": real.photos_at,
                    "figure": figure,
                    "real": real_value,
                    "model": model_value,
                    "difference": diff,
                }
            )
    return "\n".join(lines) + "\n", data
