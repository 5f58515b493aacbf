"""Immich's own knobs (system configuration): queue concurrency and ffmpeg's thread count."""

from __future__ import annotations

from typing import Any

from custom_components.immich_jobs.engine.scheduler import Policy

from .controllers import Controller, Ours, Unmanaged
from .run import run
from .workloads import video_backlog

# (label, concurrency overrides, ffmpeg threads)
KNOBS: tuple[tuple[str, dict[str, int], int], ...] = (
    ("Immich's defaults", {}, 0),
    ("ffmpeg threads 1", {}, 1),
    ("thumbnail concurrency 1", {"thumbnailGeneration": 1}, 0),
    (
        "the real box's run: ffmpeg threads 1, thumbnail, metadata and video concurrency 1",
        {"thumbnailGeneration": 1, "metadataExtraction": 1, "videoConversion": 1},
        1,
    ),
    (
        "every queue at concurrency 1, ffmpeg threads 1",
        dict.fromkeys(
            (
                "thumbnailGeneration",
                "metadataExtraction",
                "videoConversion",
                "faceDetection",
                "smartSearch",
                "ocr",
                "storageTemplateMigration",
            ),
            1,
        ),
        1,
    ),
)


def _controllers() -> list[Controller]:
    return [Unmanaged(), Ours("ours", Policy(max_running=1, poll_interval=10.0))]


def knobs_table() -> tuple[str, list[dict[str, Any]]]:
    """Run unmanaged Immich and ours with each set of knobs on the measured workload."""
    lines = [
        "| Immich's knobs | controller | makespan s | photo→thumbnail s median | probe slowdown p50 / p95 / max | CPU busy | a core free |",
        "|---|---|---|---|---|---|---|",
    ]
    data: list[dict[str, Any]] = []
    for label, concurrency, threads in KNOBS:
        for controller in _controllers():
            f = run(
                video_backlog(30.0),
                controller,
                concurrency=concurrency,
                ffmpeg_threads=threads,
            )
            probe = f["probe_slowdown"]
            lines.append(
                f"| {label} | {controller.name} | {f['makespan_s']:.1f} "
                f"| {f['upload_to_thumbnail_s']['median']:.1f} "
                f"| {probe['p50']:.2f} / {probe['p95']:.2f} / {probe['max']:.1f} "
                f"| {100 * f['cpu_busy']:.0f} % | {100 * f['core_free']:.0f} % |"
            )
            data.append({"knobs": label, "controller": controller.name, **f})
    return "\n".join(lines) + "\n", data
