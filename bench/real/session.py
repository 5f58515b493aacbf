"""One run of the real bench: reset, controller, idle probe, workload, samples, reset.

The workload is the project's baseline: the 20 clips uploaded at T0 (four at a time), the
5 photos at T0+30, 40, 50, 60, 70 s. A sampler reads every queue each half second (with the
bench's own key, straight to Immich) and asks each photo whether its thumbnail exists; the
controller talks to Immich through the counting proxy.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
import json
import os
from pathlib import Path
import sys
import time
from typing import Any

import aiohttp

from .controllers import VARIANTS, Running
from .immich import BenchError, Immich
from .measures import Request, Sample, has_work, paused
from .media import Media
from .reset import plan_reset, refusal

PHOTOS_AT = (30.0, 40.0, 50.0, 60.0, 70.0)
UPLOADS_AT_ONCE = 4
SAMPLE_EVERY = 0.5
IDLE_SECONDS = 40.0  # the probe's idle reference, controller started, nothing queued
QUIET_TO_FINISH = 10.0  # no work anywhere this long (after the last photo) ends the run
LIMIT = 2400.0
RESET_TIMEOUT = 300.0


@dataclass(frozen=True, slots=True)
class Settings:
    """Where and how to run."""

    url: str
    key: str  # every permission: uploads, deletes, reads
    controller_key: str  # the key the controllers get
    media: Media
    work: Path  # logs, the probe's file, the state of an unfinished run (outside the repo)
    allow_existing: bool = False
    interval: int = 10
    demo_python: str | None = None


def _state_file(settings: Settings) -> Path:
    return settings.work / "uploaded.json"


def _own(settings: Settings) -> list[str]:
    path = _state_file(settings)
    return list(json.loads(path.read_text())) if path.exists() else []


def _note_own(settings: Settings, ids: list[str]) -> None:
    _state_file(settings).write_text(json.dumps(ids))


async def reset(immich: Immich, settings: Settings, *, server_was_empty: bool) -> None:
    """Resume every queue, delete the bench's assets, wait until nothing is left to do."""
    ids = _own(settings)
    plan = plan_reset(ids, await immich.queues(), server_was_empty=server_was_empty)
    for name in plan.resume:
        await immich.set_paused(name, False)
    await immich.delete(list(plan.delete))
    if plan.empty_trash:
        await immich.empty_trash()
    _note_own(settings, [])
    deadline = time.monotonic() + RESET_TIMEOUT
    quiet_since: float | None = None
    while time.monotonic() < deadline:
        queues = await immich.queues()
        for name in paused(
            queues
        ):  # a controller stopped meanwhile may have paused more
            await immich.set_paused(name, False)
        if any(has_work(q) for q in queues.values()) or paused(queues):
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since >= 5:
            return
        await asyncio.sleep(1)
    raise BenchError("the server did not settle after the reset")


async def check_server(immich: Immich, settings: Settings) -> bool:
    """Refuse a server with assets of its own; return whether it was empty."""
    count = await immich.asset_count()
    own = _own(settings)
    if why := refusal(count, own, allow_existing=settings.allow_existing):
        raise BenchError(why)
    return count - len(own) <= 0


def _read_probe(path: Path) -> list[tuple[float, float]]:
    if not path.exists():
        return []
    out = []
    for line in path.read_text().splitlines():
        parts = line.split()
        if len(parts) == 2:
            out.append((float(parts[0]), float(parts[1])))
    return out


async def run(settings: Settings, name: str) -> dict[str, Any]:
    """Run one controller on the workload; return its raw record."""
    variant = VARIANTS[name]
    settings.work.mkdir(parents=True, exist_ok=True)
    timeout = aiohttp.ClientTimeout(total=600)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        immich = Immich(session, settings.url, settings.key)
        server_was_empty = await check_server(immich, settings)
        await reset(immich, settings, server_was_empty=server_was_empty)
        from .proxy import (
            CountingProxy,  # noqa: PLC0415 - aiohttp.web only when running
        )

        proxy = CountingProxy(session, settings.url)
        controller = Running(variant, settings.work / "logs")
        probe_file = settings.work / f"probe-{name}.txt"
        probe = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.real.probe", str(probe_file),
            cwd=Path(__file__).resolve().parents[2],
        )  # fmt: skip
        try:
            proxy_url = await proxy.start()
            await controller.start(
                session,
                proxy_url,
                settings.controller_key,
                settings.interval,
                settings.demo_python,
            )
            await asyncio.sleep(IDLE_SECONDS)
            record = await _workload(immich, settings, controller)
            record["load_average_at_end"] = list(os.getloadavg())
        finally:
            await controller.stop()
            probe.terminate()
            await probe.wait()
            await proxy.stop()
        await asyncio.sleep(5)
        record["left_paused_after_stop"] = paused(await immich.queues())
        await reset(immich, settings, server_was_empty=server_was_empty)
    t0 = record["t0_monotonic"]
    record["probe"] = [
        (round(at - t0, 3), taken) for at, taken in _read_probe(probe_file)
    ]
    record["requests"] = [
        (round(at - t0, 3), method, path) for at, method, path in proxy.seen
    ]
    record["condition_switched"] = controller.switched
    record["estimates"] = controller.estimates
    record["controller"] = name
    record["description"] = variant.description
    return record


async def _workload(
    immich: Immich, settings: Settings, controller: Running
) -> dict[str, Any]:
    """Upload at T0, sample until the work is done; return what was seen."""
    load = list(os.getloadavg())
    started_utc = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    t0 = time.monotonic()
    own: list[str] = []
    gate = asyncio.Semaphore(UPLOADS_AT_ONCE)
    photo_ids: list[str | None] = [None] * len(settings.media.photos)
    photo_up: list[float | None] = [None] * len(settings.media.photos)
    videos_up: list[float] = []

    async def video(index: int, path: Path) -> None:
        async with gate:
            own.append(await immich.upload(path, index))
            _note_own(settings, own)
            videos_up.append(time.monotonic() - t0)

    async def photo(index: int, path: Path) -> None:
        await asyncio.sleep(max(0.0, t0 + PHOTOS_AT[index] - time.monotonic()))
        asset = await immich.upload(path, 100 + index)
        photo_up[index] = time.monotonic() - t0
        photo_ids[index] = asset
        own.append(asset)
        _note_own(settings, own)

    uploads = [
        asyncio.create_task(video(i, p)) for i, p in enumerate(settings.media.videos)
    ] + [asyncio.create_task(photo(i, p)) for i, p in enumerate(settings.media.photos)]
    samples: list[Sample] = []
    ready: list[float | None] = [None] * len(photo_ids)
    quiet_since: float | None = None
    next_estimate = 0.0
    while True:
        at = time.monotonic() - t0
        queues = await immich.queues()
        samples.append(Sample(round(at, 2), queues))
        for i, asset in enumerate(photo_ids):
            if (
                asset is not None
                and ready[i] is None
                and await immich.thumbnail_done(asset)
            ):
                ready[i] = round(at, 2)
        await controller.tick(at)
        if at >= next_estimate:
            await controller.read_estimates(at)
            next_estimate += 5.0
        failed = [t for t in uploads if t.done() and t.exception() is not None]
        if failed:
            for task in uploads:
                task.cancel()
            raise BenchError(f"an upload failed: {failed[0].exception()!r}")
        busy = any(has_work(q) for q in queues.values())
        finished = all(t.done() for t in uploads) and None not in ready
        quiet_since = None if busy or not finished else (quiet_since or at)
        if quiet_since is not None and at - quiet_since >= QUIET_TO_FINISH:
            break
        if at > LIMIT:
            break
        await asyncio.sleep(max(0.0, t0 + at + SAMPLE_EVERY - time.monotonic()))
    for task in uploads:
        task.cancel()
    return {
        "t0_monotonic": t0,
        "started_utc": started_utc,
        "load_average_before_t0": load,
        "finished": at <= LIMIT,
        "videos_uploaded_s": sorted(round(v, 2) for v in videos_up),
        "photos_uploaded_s": [None if v is None else round(v, 2) for v in photo_up],
        "photos_thumbnail_s": ready,
        "left_paused_when_done": paused(samples[-1].queues),
        "samples": [_compact(s) for s in samples],
    }


def _compact(sample: Sample) -> dict[str, Any]:
    """Return a sample as JSON: queues with work or paused, [active, waiting, paused, ...]."""
    return {
        "at": sample.at,
        "q": {
            name: [q.active, q.waiting, q.paused, q.delayed, int(q.is_paused)]
            for name, q in sample.queues.items()
            if has_work(q) or q.is_paused
        },
    }


def requests_of(record: dict[str, Any]) -> list[Request]:
    """Return a record's requests as measures want them."""
    return [Request(at, method, path) for at, method, path in record["requests"]]
