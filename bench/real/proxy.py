"""A counting proxy on 127.0.0.1: the controller talks to Immich through it, the bench counts.

Every request is forwarded as it came (method, path, query, headers, body) and noted with the
time it arrived; nothing is changed on the way.
"""

from __future__ import annotations

import time

import aiohttp
from aiohttp import web

_HOP = {"host", "content-length", "transfer-encoding", "connection"}


class CountingProxy:
    """Forwards to `target`; `seen` holds (monotonic time, method, path) per request."""

    def __init__(self, session: aiohttp.ClientSession, target: str) -> None:
        """Forward to `target` (scheme://host:port)."""
        self.session = session
        self.target = target.rstrip("/")
        self.seen: list[tuple[float, str, str]] = []
        self.runner: web.AppRunner | None = None

    async def _forward(self, request: web.Request) -> web.Response:
        self.seen.append((time.monotonic(), request.method, request.path))
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP}
        async with self.session.request(
            request.method,
            self.target + request.path_qs,
            headers=headers,
            data=await request.read(),
            allow_redirects=False,
        ) as resp:
            body = await resp.read()
            out = {k: v for k, v in resp.headers.items() if k.lower() not in _HOP}
            out.pop("Content-Encoding", None)
            return web.Response(status=resp.status, body=body, headers=out)

    async def start(self) -> str:
        """Listen on a free port of 127.0.0.1; return the proxy's URL."""
        app = web.Application(client_max_size=1024**3)
        app.router.add_route("*", "/{tail:.*}", self._forward)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        server = site._server  # noqa: SLF001 - aiohttp keeps the bound socket there
        assert server is not None
        port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        return f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        """Stop listening."""
        if self.runner is not None:
            await self.runner.cleanup()
