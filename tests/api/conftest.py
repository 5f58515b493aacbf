"""A scriptable fake Immich on 127.0.0.1, for the client's unit tests.

The behavioural suite runs against the project's simulator; this fake serves recorded answers
and the protocol oddities (redirects, oversized bodies) a simulator has no reason to model.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
import json
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
import pytest

from .samples import sample

type Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(slots=True)
class Seen:
    """One request the fake received."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass(slots=True)
class FakeImmich:
    """Answers by (method, path); records every request."""

    routes: dict[tuple[str, str], Handler] = field(default_factory=dict)
    requests: list[Seen] = field(default_factory=list)
    url: str = ""

    def on(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        status: int = 200,
        text: str | None = None,
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
    ) -> None:
        """Answer a route with a JSON body (or raw text)."""
        payload = json.dumps(body) if text is None else text

        async def handler(request: web.Request) -> web.StreamResponse:
            return web.Response(
                status=status,
                text=payload,
                content_type=content_type,
                headers=headers,
            )

        self.routes[(method, path)] = handler

    def handle(self, method: str, path: str, handler: Handler) -> None:
        """Answer a route with custom code."""
        self.routes[(method, path)] = handler

    def replay(self, name: str) -> None:
        """Serve one recorded real answer at its recorded route."""
        recorded = sample(name)
        method, path = recorded["request"].split()[:2]
        self.on(method, path, recorded["body"], status=recorded["status"])

    def version(self, major: int, minor: int, patch: int = 0) -> None:
        """Serve a version at the route the release has."""
        path = "/api/server/version" if (major, minor) >= (1, 107) else None
        if path is None:
            self.on(
                "GET",
                "/api/server-info/version",
                {"major": major, "minor": minor, "patch": patch},
            )
        else:
            self.on("GET", path, {"major": major, "minor": minor, "patch": patch})

    def paths(self) -> list[str]:
        """Return "METHOD /path" of every request so far."""
        return [f"{seen.method} {seen.path}" for seen in self.requests]

    async def dispatch(self, request: web.Request) -> web.StreamResponse:
        """Record and answer one request (404 like NestJS for unknown routes)."""
        raw = await request.read()
        self.requests.append(
            Seen(
                request.method,
                request.path,
                dict(request.headers),
                json.loads(raw) if raw else None,
            )
        )
        handler = self.routes.get((request.method, request.path))
        if handler is None:
            return web.json_response(
                {
                    "message": f"Cannot {request.method} {request.path}",
                    "statusCode": 404,
                },
                status=404,
            )
        return await handler(request)


@pytest.fixture(autouse=True)
def _loopback(socket_enabled: None) -> None:
    """Allow sockets: the fake listens on 127.0.0.1, the only host pytest-socket allows."""


@pytest.fixture
async def fake() -> AsyncIterator[FakeImmich]:
    """Run a fake Immich for one test."""
    replayer = FakeImmich()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", replayer.dispatch)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    replayer.url = str(server.make_url("/"))
    yield replayer
    await server.close()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    """Give the client the kind of session the integration gives it: no cookies kept."""
    async with aiohttp.ClientSession(
        cookie_jar=aiohttp.DummyCookieJar()
    ) as client_session:
        yield client_session
