"""Client for Immich's job-queue API.

aiohttp only, no Home Assistant imports: the caller injects the session (one that sends no
cookies, since an Immich session cookie silently replaces the API key's identity).
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp

from .queues import QueueStatus, Snapshot

REQUEST_TIMEOUT = 10.0


class ImmichError(Exception):
    """Base of every error the client raises."""


class CannotConnect(ImmichError):
    """Immich could not be reached (refused, DNS, TLS, timeout)."""


class InvalidAuth(ImmichError):
    """The API key is unknown or revoked (401)."""


class InvalidResponse(ImmichError):
    """The answer is not Immich's (HTML from a proxy, malformed or wrongly shaped JSON)."""


_COUNTS = ("active", "waiting", "paused", "delayed", "failed")


def _int_count(counts: dict[str, Any], key: str) -> int:
    value = counts.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InvalidResponse(f"count {key!r} is missing or not a count")
    return value


def parse_legacy_jobs(body: object) -> dict[str, QueueStatus]:
    """Normalise a `GET /api/jobs` body into one status per queue."""
    if not isinstance(body, dict):
        raise InvalidResponse("queue status is not an object")
    queues: dict[str, QueueStatus] = {}
    for name, entry in body.items():
        if not isinstance(entry, dict):
            raise InvalidResponse(f"queue {name!r} is not an object")
        counts = entry.get("jobCounts")
        status = entry.get("queueStatus")
        if not isinstance(counts, dict) or not isinstance(status, dict):
            raise InvalidResponse(f"queue {name!r} lacks jobCounts or queueStatus")
        is_paused = status.get("isPaused")
        if not isinstance(is_paused, bool):
            raise InvalidResponse(f"queue {name!r} lacks isPaused")
        values = {key: _int_count(counts, key) for key in _COUNTS}
        queues[name] = QueueStatus(name=name, is_paused=is_paused, **values)
    return queues


class ImmichClient:
    """Talks to one Immich server with one API key."""

    def __init__(self, session: aiohttp.ClientSession, url: str, api_key: str) -> None:
        """Keep the session, the server's base URL and the key."""
        self._session = session
        self._base = url.rstrip("/")
        self._api_key = api_key

    async def _request(
        self, method: str, path: str, json: object | None = None
    ) -> object:
        try:
            async with asyncio.timeout(REQUEST_TIMEOUT):
                async with self._session.request(
                    method,
                    f"{self._base}/api{path}",
                    headers={"x-api-key": self._api_key, "Accept": "application/json"},
                    json=json,
                ) as response:
                    if response.status == 401:
                        raise InvalidAuth
                    if response.status >= 400:
                        raise InvalidResponse(f"HTTP {response.status}")
                    try:
                        return await response.json()
                    except (aiohttp.ContentTypeError, ValueError) as err:
                        raise InvalidResponse("response is not JSON") from err
        except (TimeoutError, aiohttp.ClientError) as err:
            raise CannotConnect(str(err) or type(err).__name__) from err

    async def async_get_queues(self) -> Snapshot:
        """Read every queue's counts."""
        return parse_legacy_jobs(await self._request("GET", "/jobs"))
