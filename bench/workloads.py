"""Workloads, each a scenario of uploads on a fresh simulated Immich (baseline.md costs)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from simulator.model import ImmichModel
from simulator.scenarios import library_import, trickle, video_backlog_with_uploads


@dataclass(frozen=True, slots=True)
class Workload:
    """A named scenario, and how long to watch at least (the idle day has no end of its own)."""

    name: str
    setup: Callable[[ImmichModel], None]
    window: float = 0.0
    description: str = ""


def _idle_day(model: ImmichModel) -> None:
    """Nothing happens: the state most polls see."""


WORKLOADS: tuple[Workload, ...] = (
    Workload(
        "video_backlog_uploads",
        video_backlog_with_uploads,
        description="baseline.md: 20 HEVC videos at T0, photos at T0+30, 40, 50, 60, 70 s",
    ),
    Workload(
        "video_backlog_uploads_during_transcoding",
        lambda model: video_backlog_with_uploads(model, first_photo_at=100.0),
        description="20 HEVC videos at T0, photos at T0+100…140 s, while every controller transcodes",
    ),
    Workload(
        "library_import",
        library_import,
        description="500 photos and 20 videos at once",
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
