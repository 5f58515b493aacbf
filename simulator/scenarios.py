"""Workloads as uploads scheduled on a model, shared by tests, the demo and benchmarks."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .model import ImmichModel

type Scenario = Callable[[ImmichModel], None]


def _upload_at(
    model: ImmichModel, time: float, photos: int = 0, videos: int = 0
) -> None:
    model.at(time, lambda m: m.upload(photos=photos, videos=videos))


def empty_server(model: ImmichModel) -> None:
    """Nothing to do: an idle server, the state most polls see."""


def library_import(
    model: ImmichModel, *, photos: int = 500, videos: int = 20, at: float = 0.0
) -> None:
    """Upload a whole library at once, as after migrating from another photo service."""
    _upload_at(model, at, photos=photos, videos=videos)


def trickle(
    model: ImmichModel,
    *,
    count: int = 30,
    every: float = 60.0,
    photos_each: int = 1,
    start: float = 0.0,
) -> None:
    """Upload like a phone backing up now and then: small bursts far apart."""
    for i in range(count):
        _upload_at(model, start + i * every, photos=photos_each)


def video_backlog_with_uploads(
    model: ImmichModel,
    *,
    videos: int = 20,
    photos: int = 5,
    first_photo_at: float = 30.0,
    photo_every: float = 10.0,
    start: float = 0.0,
) -> None:
    """Upload the measured baseline workload: HEVC videos at T0, then photos while they transcode."""
    _upload_at(model, start, videos=videos)
    for i in range(photos):
        _upload_at(model, start + first_photo_at + i * photo_every, photos=1)


def uploads_at(
    model: ImmichModel, *, videos: Sequence[float], photos: Sequence[float]
) -> None:
    """Upload one asset at each given time: a real run's uploads, replayed on the model."""
    for time in videos:
        _upload_at(model, time, videos=1)
    for time in photos:
        _upload_at(model, time, photos=1)


SCENARIOS: dict[str, Scenario] = {
    "empty": empty_server,
    "import": library_import,
    "trickle": trickle,
    "backlog": video_backlog_with_uploads,
}
