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

# Machine learning on, seconds per asset: ASSUMED for a small CPU-only server, not measured
# (the real-server measurements were made with machine learning off). Shows what the express lane and the cap
# do when the ML queues are real work rather than milliseconds.
ML_SECONDS: dict[str, float] = {
    SMART_SEARCH: 0.8,
    FACE_DETECTION: 0.6,
    OCR: 1.2,
    FACIAL_RECOGNITION: 0.1,
}


@dataclass(frozen=True, slots=True)
class Workload:
    """A named scenario, and how long to watch at least (the idle day has no end of its own)."""

    name: str
    setup: Callable[[ImmichModel], None]
    window: float = 0.0
    description: str = ""


def _idle_day(model: ImmichModel) -> None:
    """Nothing happens: the state most polls see."""


def with_ml(setup: Callable[[ImmichModel], None]) -> Callable[[ImmichModel], None]:
    """Return a workload's set-up on a server with machine learning on (ML_SECONDS)."""

    def setup_with_ml(model: ImmichModel) -> None:
        model.costs.update(
            {(q, kind): Cost(s) for q, s in ML_SECONDS.items() for kind in KINDS}
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
        description="the first workload with machine learning on (assumed costs: smart search "
        "0.8 s, face detection 0.6 s, OCR 1.2 s per asset)",
    ),
    Workload(
        "library_import_ml",
        with_ml(library_import),
        description="the library import with machine learning on (same assumed costs)",
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
