"""The few Immich calls the real bench makes (uploads, deletes, reads), with aiohttp."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp

from custom_components.immich_jobs.immich import QueueStatus
from custom_components.immich_jobs.immich.parsing import parse_queues


class BenchError(Exception):
    """Something the person running the bench must be told, in one sentence."""


class Immich:
    """One Immich server, one API key with every permission."""

    def __init__(self, session: aiohttp.ClientSession, url: str, key: str) -> None:
        """Talk to `url` (without /api) with `key`."""
        self.session = session
        self.api = url.rstrip("/") + "/api"
        self.headers = {"x-api-key": key, "Accept": "application/json"}

    async def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        async with self.session.request(
            method, self.api + path, headers=self.headers, **kwargs
        ) as resp:
            text = await resp.text()
            if resp.status >= 400:
                raise BenchError(
                    f"{method} {path} answered {resp.status}: {text[:200]}"
                )
            return await resp.json() if text else None

    async def queues(self) -> dict[str, QueueStatus]:
        """Read every queue."""
        return parse_queues(await self._call("GET", "/queues"))

    async def set_paused(self, name: str, paused: bool) -> None:
        """Pause or resume one queue."""
        await self._call("PUT", f"/queues/{name}", json={"isPaused": paused})

    async def version(self) -> str:
        """Return the server's version, e.g. 3.1.0."""
        v = await self._call("GET", "/server/version")
        return f"{v['major']}.{v['minor']}.{v['patch']}"

    async def machine_learning(self) -> bool:
        """Tell whether any machine-learning feature is on."""
        features = await self._call("GET", "/server/features")
        return bool(features.get("smartSearch") or features.get("facialRecognition"))

    async def asset_count(self) -> int:
        """Return how many assets the server holds (trash included)."""
        stats = await self._call("GET", "/server/statistics")
        trash = await self._call(
            "POST",
            "/search/metadata",
            json={"trashedAfter": "1970-01-01T00:00:00.000Z", "size": 1000},
        )
        return (
            int(stats["photos"]) + int(stats["videos"]) + len(trash["assets"]["items"])
        )

    async def upload(self, path: Path, index: int) -> str:
        """Upload one file; return the asset's id."""
        created = (
            datetime(2026, 1, 1, 12, 0, tzinfo=UTC) + timedelta(seconds=index)
        ).isoformat()
        form = aiohttp.FormData()
        form.add_field("fileCreatedAt", created)
        form.add_field("fileModifiedAt", created)
        form.add_field("filename", path.name)
        with path.open("rb") as fh:
            form.add_field("assetData", fh, filename=path.name)
            answer = await self._call("POST", "/assets", data=form)
        return str(answer["id"])

    async def thumbnail_done(self, asset_id: str) -> bool:
        """Tell whether an asset's thumbnail exists (its thumbhash is written with it)."""
        asset = await self._call("GET", f"/assets/{asset_id}")
        return bool(asset.get("thumbhash"))

    async def delete(self, ids: list[str]) -> None:
        """Delete assets for good (past the trash)."""
        if ids:
            await self._call("DELETE", "/assets", json={"ids": ids, "force": True})

    async def empty_trash(self) -> None:
        """Empty the key owner's trash."""
        await self._call("POST", "/trash/empty")
