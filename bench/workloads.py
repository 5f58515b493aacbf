"""Workloads: scenarios of uploads on a fresh simulated Immich (real v3.1.0 job costs)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from simulator.cpu import Cost
from simulator.model import (
    FACE_DETECTION,
    FACIAL_RECOGNITION,
    OCR,
    SMART_SEARCH,
    ImmichModel,
)
from simulator.scenarios import library_import, trickle, video_backlog_with_uploads

# Machine learning on, per asset: CPU work on the reference box, ASSUMED (no published
# per-image CPU figure found for a small CPU-only server; the baseline measurements ran with
# machine learning off). ONNX Runtime runs one thread per core.
ML_COSTS: dict[str, Cost] = {
    SMART_SEARCH: Cost(0.8, 2.0),
    FACE_DETECTION: Cost(0.6, 2.0),
    OCR: Cost(1.2, 2.0),
    FACIAL_RECOGNITION: Cost(0.1),  # clustering in the server, no model
}
# Resident memory per model (MB) while loaded: a user's measurements of an OOM-killed
# container, immich-app users' report in adampetrovic/home-ops PR #2464 (CLIP ViT-B-32
# 600-800, buffalo_l 500-700, PP-OCRv5 200-300, Python/ONNX runtime 300-500); middle values.
# Immich's own ML PR #3934 measured 1.25-1.4 GB for all models at the defaults.
ML_MEMORY_MB: dict[str, float] = {SMART_SEARCH: 700, FACE_DETECTION: 600, OCR: 250}
ML_RUNTIME_MB = 400.0
# Immich's ML server unloads a model after 300 s without a request (its default model TTL;
# its log says "unloading after 300s of inactivity", immich-app/immich issue #18779).
ML_UNLOAD_AFTER = 300.0


@dataclass(frozen=True, slots=True)
class Workload:
    """A named scenario, and how long to watch at least (the idle day has no end of its own)."""

    name: str
    setup: Callable[[ImmichModel], None]
    window: float = 0.0
    description: str = ""
    ml: bool = False


def _idle_day(model: ImmichModel) -> None:
    """Nothing happens: the state most polls see."""


def with_ml(setup: Callable[[ImmichModel], None]) -> Callable[[ImmichModel], None]:
    """Return a workload's set-up on a server with machine learning on (ML_SECONDS)."""

    def setup_with_ml(model: ImmichModel) -> None:
        model.costs.update(
            {(q, kind): cost for q, cost in ML_COSTS.items() for kind in KINDS}
        )
        setup(model)

    return setup_with_ml


KINDS = ("photo", "video")


def video_backlog(first_photo_at: float = 30.0) -> Workload:
    """Return the measured workload: 20 HEVC videos at T0, 5 photos 10 s apart from then."""
    last = first_photo_at + 40
    return Workload(
        f"video_backlog_photos_{first_photo_at:g}",
        lambda model: video_backlog_with_uploads(model, first_photo_at=first_photo_at),
        description=f"20 HEVC videos at T0, photos at T0+{first_photo_at:g}…{last:g} s",
    )


WORKLOADS: tuple[Workload, ...] = (
    Workload(
        "video_backlog_uploads",
        video_backlog_with_uploads,
        description="the measured workload: 20 HEVC videos at T0, photos at T0+30, 40, 50, 60, 70 s",
    ),
    Workload(
        "video_backlog_uploads_during_transcoding",
        lambda model: video_backlog_with_uploads(model, first_photo_at=150.0),
        description="20 HEVC videos at T0, photos at T0+150…190 s, while every controller transcodes",
    ),
    Workload(
        "library_import",
        library_import,
        description="500 photos and 20 videos at once",
    ),
    Workload(
        "video_backlog_uploads_ml",
        with_ml(video_backlog_with_uploads),
        description="the first workload with machine learning on (assumed CPU per asset: "
        "smart search 0.8, face detection 0.6, OCR 1.2 core-seconds)",
        ml=True,
    ),
    Workload(
        "library_import_ml",
        with_ml(library_import),
        description="the library import with machine learning on (same assumed costs)",
        ml=True,
    ),
    Workload(
        "trickle",
        trickle,
        description="a phone backing up: one photo a minute for 30 minutes",
    ),
    Workload(
        "idle_day",
        _idle_day,
        window=24 * 3600.0,
        description="24 h with nothing to do",
    ),
)
