"""Immich's HTTP API over the queue model, per release, on 127.0.0.1.

Speaks what the integration talks to: version/identity endpoints, the legacy ``/api/jobs`` and
the new ``/api/queues`` API, with each release's permissions, admin checks, status codes and
error bodies (immich-api.md, recorded v3.1.0 samples). Every request is recorded so tests and
benchmarks can count them.

Maintenance mode (v2.3+): Immich then runs its separate maintenance worker, which only serves
the public server endpoints; every other route answers 404 like an unknown route, so jobs and
queues are simply not served. ``/api/server/config`` reports ``maintenanceMode: true``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
import json
import re
import time
from typing import Any, Literal
import uuid

from aiohttp import web

from .faults import Fault, Faults
from .model import BACKGROUND_TASK, CommandRefused, ImmichModel, QueueCounts
from .profiles import PROFILES, Profile

type Json = Any
type Clock = Literal["manual", "real"]

# Well-known keys, named after what they can do.
KEY_ALL = "sim-key-all"
KEY_SEED = "sim-key-seed"
KEY_READ_ONLY = "sim-key-read-only"
KEY_QUEUES = "sim-key-queues"
KEY_QUEUE_READ_ONLY = "sim-key-queue-read-only"
KEY_NO_QUEUE_PERMS = "sim-key-no-queue-perms"
KEY_NON_ADMIN = "sim-key-non-admin"

# A browser session of the admin and of a non-admin user (cookie ``immich_access_token``).
SESSION_ADMIN = "sim-session-admin"
SESSION_NON_ADMIN = "sim-session-non-admin"

SESSION_COOKIE = "immich_access_token"
COMMANDS = ("start", "pause", "resume", "empty", "clear-failed")
_REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
_STAMP = "2026-11-28T16:10:19.077Z"


@dataclass(slots=True)
class User:
    """An Immich user; only admins may touch jobs and queues."""

    id: str
    name: str
    email: str
    is_admin: bool


@dataclass(slots=True)
class ApiKey:
    """An API key: its user, its permissions, and when (model time) it gets revoked."""

    secret: str
    name: str
    permissions: list[str]
    user: User
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    revoked_at: float | None = None


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One request as the server saw it; ``status`` is None when the connection was dropped."""

    method: str
    path: str
    key: str | None
    key_name: str | None
    status: int | None
    time: float
    body: Json = None


class ApiError(Exception):
    """An Immich error response."""

    def __init__(
        self, status: int, message: str | list[str], errors: Json = None
    ) -> None:
        """Carry status, Immich's message and (v3 validation) the errors list."""
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors


@dataclass(frozen=True, slots=True)
class Route:
    """One served operation, its path written as in Immich's OpenAPI spec (``/api`` included)."""

    method: str
    path: str
    pattern: re.Pattern[str]
    handler: Callable[[web.Request, dict[str, str], ApiKey | None], Awaitable[Json]]
    auth: bool
    admin: bool
    permission: str | None  # fine-grained permission (v1.137+)
    all_on_v1_136: bool  # needs ``all`` on v1.136
    in_maintenance: bool = False


class SimulatedImmich:
    """A fake Immich server for one release profile, over an ``ImmichModel``."""

    def __init__(
        self,
        profile: str = "v3.1",
        model: ImmichModel | None = None,
        *,
        clock: Clock = "manual",
        speed: float = 1.0,
        tick: float = 0.25,
    ) -> None:
        """Build the server; ``clock="real"`` makes model time follow the wall clock."""
        self.profile: Profile = PROFILES[profile]
        self.model = (
            model if model is not None else ImmichModel(queues=self.profile.queues)
        )
        self.clock = clock
        self.speed = speed
        self.tick = tick
        self.requests: list[RequestRecord] = []
        self.faults = Faults()
        self.maintenance = False
        self.admin = User(str(uuid.uuid4()), "Admin", "admin@example.test", True)
        self.non_admin = User(str(uuid.uuid4()), "Family", "family@example.test", False)
        self.keys: dict[str, ApiKey] = {}
        self.sessions: dict[str, User] = {
            SESSION_ADMIN: self.admin,
            SESSION_NON_ADMIN: self.non_admin,
        }
        everything = ["all"]
        for secret, name, perms, user in (
            (KEY_ALL, "all", everything, self.admin),
            (KEY_SEED, "seed", ["job.read", "job.create"], self.admin),
            (KEY_READ_ONLY, "read-only", ["job.read"], self.admin),
            (
                KEY_QUEUES,
                "queues",
                ["job.read", "job.create", "queue.read", "queue.update"],
                self.admin,
            ),
            (
                KEY_QUEUE_READ_ONLY,
                "queue-read-only",
                ["job.read", "queue.read"],
                self.admin,
            ),
            (
                KEY_NO_QUEUE_PERMS,
                "no-queue-perms",
                ["asset.read", "asset.upload"],
                self.admin,
            ),
            (KEY_NON_ADMIN, "non-admin", everything, self.non_admin),
        ):
            self.add_key(secret, name=name, permissions=perms, user=user)
        self._routes = tuple(self._build_routes())
        self._runner: web.AppRunner | None = None
        self._ticker: asyncio.Task[None] | None = None
        self._started_wall = 0.0
        self._started_model = 0.0
        self.url = ""

    # --- keys, users, state faults -----------------------------------------------------

    def add_key(
        self,
        secret: str,
        *,
        name: str | None = None,
        permissions: list[str] | None = None,
        user: User | None = None,
        admin: bool = True,
    ) -> ApiKey:
        """Create a key; by default an admin's key with every permission."""
        if user is None:
            user = self.admin if admin else self.non_admin
        key = ApiKey(
            secret=secret,
            name=name or secret,
            permissions=list(permissions or ["all"]),
            user=user,
        )
        self.keys[secret] = key
        return key

    def revoke_key(self, secret: str, at: float | None = None) -> None:
        """Revoke a key now, or at model time ``at``: it then gets 401 "Invalid API key"."""
        self.keys[secret].revoked_at = self.model.now if at is None else at

    def set_permissions(self, secret: str, permissions: list[str]) -> None:
        """Replace a key's permissions, as an admin editing it in Immich's UI."""
        self.keys[secret].permissions = list(permissions)

    def set_admin(self, secret: str, is_admin: bool) -> None:
        """Give or take admin rights from the key's own user (a copy: other keys keep theirs)."""
        key = self.keys[secret]
        key.user = User(key.user.id, key.user.name, key.user.email, is_admin)

    def set_maintenance(self, on: bool) -> None:
        """Turn maintenance mode on or off (v2.3+ only)."""
        if on and not self.profile.has_maintenance_mode:
            raise ValueError(f"{self.profile.name} has no maintenance mode")
        self.maintenance = on

    def restart(self, downtime: float = 0.0) -> None:
        """Restart Immich: jobs re-run, pause kept except metadataExtraction.

        During ``downtime`` seconds of model time nothing runs and every request gets the
        reverse proxy's 502 page.
        """
        self.model.restart(downtime)

    def advance(self, seconds: float) -> None:
        """Advance the model's simulated time (manual clock)."""
        self.model.advance(seconds)

    def advance_to(self, time: float) -> None:
        """Advance the model to simulated ``time`` (manual clock)."""
        self.model.advance_to(time)

    # --- time ----------------------------------------------------------------------------

    def sync_clock(self) -> None:
        """With the real clock, bring the model to the wall-clock time; no-op when manual."""
        if self.clock == "real":
            elapsed = (time.monotonic() - self._started_wall) * self.speed
            self.model.advance_to(self._started_model + elapsed)

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(self.tick)
            self.sync_clock()

    # --- lifecycle -----------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Listen (port 0 = ephemeral) and return the base URL, e.g. ``http://127.0.0.1:4321``."""
        app = web.Application(middlewares=[self._middleware])
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        # No aiohttp access log: the simulator records its requests itself, and the access
        # log's local-time lookup breaks under a frozen test clock (Python 3.14's aiohttp).
        self._runner = web.AppRunner(
            app, handle_signals=False, shutdown_timeout=0.1, access_log=None
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port, shutdown_timeout=0.1)
        await site.start()
        server = site._server  # noqa: SLF001 - the only way to learn the ephemeral port
        assert isinstance(server, asyncio.base_events.Server)
        bound_port = server.sockets[0].getsockname()[1]
        self.url = f"http://{host}:{bound_port}"
        self._started_wall = time.monotonic()
        self._started_model = self.model.now
        if self.clock == "real":
            self._ticker = asyncio.create_task(self._tick())
        return self.url

    async def stop(self) -> None:
        """Release hanging responses and shut down."""
        self.faults.release()
        if self._ticker is not None:
            self._ticker.cancel()
            self._ticker = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # --- request pipeline ----------------------------------------------------------------

    def count(self, method: str | None = None, path: str | None = None) -> int:
        """Count recorded requests, optionally by method and exact path."""
        return sum(
            1
            for r in self.requests
            if (method is None or r.method == method)
            and (path is None or r.path == path)
        )

    @web.middleware
    async def _middleware(
        self,
        request: web.Request,
        handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
    ) -> web.StreamResponse:
        """Apply the clock and faults, then record the request with its final status."""
        self.sync_clock()
        secret = request.headers.get("x-api-key")
        key = self.keys.get(secret) if secret else None
        status: int | None = None
        try:
            response = await self._faulted(request, handler)
            status = None if isinstance(response, _CutResponse) else response.status
        finally:
            self.requests.append(
                RequestRecord(
                    method=request.method,
                    path=request.path,
                    key=secret,
                    key_name=key.name if key else None,
                    status=status,
                    time=self.model.now,
                )
            )
        return response

    async def _faulted(
        self,
        request: web.Request,
        handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
    ) -> web.StreamResponse:
        if self.model.is_down:
            return _html(502, "Bad Gateway")
        fault = self.faults.take(request.method, request.path)
        if fault is None:
            return await handler(request)
        return await self._apply_fault(fault, request, handler)

    async def _apply_fault(
        self,
        fault: Fault,
        request: web.Request,
        handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
    ) -> web.StreamResponse:
        if fault.kind in ("hang", "delay"):
            timeout = None if fault.kind == "hang" else fault.delay
            try:
                async with asyncio.timeout(timeout):
                    await self.faults.released.wait()
            except TimeoutError:
                pass
            return await handler(request)
        if fault.kind == "status":
            return self._error_response(
                ApiError(
                    fault.status, fault.body or _REASONS.get(fault.status, "Error")
                )
            )
        if fault.kind == "html":
            return _html(
                fault.status, fault.body or _REASONS.get(fault.status, "Error")
            )
        if fault.kind == "malformed_json":
            return web.Response(
                status=200,
                text=fault.body or '{"thumbnailGeneration": {"jobCounts": ',
                content_type="application/json",
            )
        if fault.kind == "wrong_shape":
            return web.Response(
                status=200,
                text=fault.body or '["unexpected", 42, {"name": null}]',
                content_type="application/json",
            )
        # "drop": send half of the real body, then cut the connection.
        real = await handler(request)
        assert isinstance(real, web.Response)
        payload = real.body if isinstance(real.body, bytes) else b"{}"
        cut = _CutResponse(status=real.status)
        cut.content_type = "application/json"
        cut.content_length = len(payload)
        await cut.prepare(request)
        await cut.write(payload[: max(1, len(payload) // 2)])
        if request.transport is not None:
            request.transport.close()
        return cut

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        try:
            route, params = self._match(request.method, request.path)
            key = self._authenticate(request, route)
            body = await route.handler(request, params, key)
        except ApiError as err:
            return self._error_response(err)
        return web.json_response(body)

    @property
    def routes(self) -> tuple[Route, ...]:
        """Return the operations this release serves, with their access rules."""
        return self._routes

    def _match(self, method: str, path: str) -> tuple[Route, dict[str, str]]:
        for route in self._routes:
            if route.method != method:
                continue
            if self.maintenance and not route.in_maintenance:
                continue
            match = route.pattern.fullmatch(path)
            if match:
                return route, match.groupdict()
        raise ApiError(404, f"Cannot {method} {path}")

    def _authenticate(self, request: web.Request, route: Route) -> ApiKey | None:
        """Authenticate like Immich: session (cookie/Bearer) first, then the API key."""
        if not route.auth:
            return None
        token = request.cookies.get(SESSION_COOKIE)
        auth_header = request.headers.get("Authorization", "")
        if not token and auth_header.lower().startswith("bearer "):
            token = auth_header[7:].strip()
        key: ApiKey | None
        if token:
            user = self.sessions.get(token)
            if user is None:
                raise ApiError(401, "Invalid user token")
            key = ApiKey(secret="", name="session", permissions=["all"], user=user)
        else:
            secret = request.headers.get("x-api-key")
            if not secret:
                raise ApiError(401, "Authentication required")
            key = self.keys.get(secret)
            if key is None or (
                key.revoked_at is not None and self.model.now >= key.revoked_at
            ):
                raise ApiError(401, "Invalid API key")
        if route.admin and not key.user.is_admin:
            raise ApiError(403, "Forbidden")
        needed = self._permission_needed(route)
        if needed and "all" not in key.permissions and needed not in key.permissions:
            raise ApiError(403, f"Missing required permission: {needed}")
        return key

    def _permission_needed(self, route: Route) -> str | None:
        mode = self.profile.permission_mode
        if mode == "fine":
            return route.permission
        if mode == "all" and route.all_on_v1_136:
            return "all"
        return None

    def _error_response(self, err: ApiError) -> web.Response:
        body: dict[str, Json]
        if self.profile.v3_errors:
            body = {"message": err.message}
            if err.errors is not None:
                body["errors"] = err.errors
        else:
            body = {
                "message": err.message,
                "error": _REASONS.get(err.status, "Error"),
                "statusCode": err.status,
                "correlationId": uuid.uuid4().hex[:8],
            }
        return web.json_response(body, status=err.status)

    # --- validation (v3: zod; v1/v2: class-validator) -----------------------------------

    def _invalid_enum(self, field_name: str, values: tuple[str, ...]) -> ApiError:
        if self.profile.v3_errors:
            expected = "|".join(f'"{v}"' for v in values)
            return ApiError(
                400,
                "Validation failed",
                [
                    {
                        "code": "invalid_value",
                        "values": list(values),
                        "path": [field_name],
                        "message": f"Invalid option: expected one of {expected}",
                    }
                ],
            )
        return ApiError(
            400,
            [f"{field_name} must be one of the following values: {', '.join(values)}"],
        )

    def _invalid_boolean(self, field_name: str, value: Json) -> ApiError:
        if self.profile.v3_errors:
            received = "undefined" if value is _MISSING else _js_type(value)
            return ApiError(
                400,
                "Validation failed",
                [
                    {
                        "expected": "boolean",
                        "code": "invalid_type",
                        "path": [field_name],
                        "message": f"Invalid input: expected boolean, received {received}",
                    }
                ],
            )
        return ApiError(400, [f"{field_name} must be a boolean value"])

    def _queue_param(self, params: dict[str, str], param: str) -> str:
        name = params[param]
        if name not in self.profile.queues or not self.model.has_queue(name):
            raise self._invalid_enum(param, self.profile.queues)
        return name

    @staticmethod
    async def _json_body(request: web.Request) -> dict[str, Json]:
        try:
            body = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            body = None
        return body if isinstance(body, dict) else {}

    # --- bodies --------------------------------------------------------------------------

    @staticmethod
    def _counts_body(counts: QueueCounts) -> dict[str, int]:
        return {
            "active": counts.active,
            "completed": counts.completed,
            "failed": counts.failed,
            "delayed": counts.delayed,
            "waiting": counts.waiting,
            "paused": counts.paused,
        }

    def _legacy(self, name: str) -> Json:
        counts = self.model.counts(name)
        return {
            "queueStatus": {"isPaused": counts.is_paused, "isActive": counts.is_active},
            "jobCounts": self._counts_body(counts),
        }

    def _queue_obj(self, name: str) -> Json:
        counts = self.model.counts(name)
        return {
            "name": name,
            "isPaused": counts.is_paused,
            "statistics": self._counts_body(counts),
        }

    def _listed_queues(self) -> list[str]:
        return [n for n in self.profile.queues if self.model.has_queue(n)]

    # --- handlers ------------------------------------------------------------------------

    async def _version(
        self, request: web.Request, p: dict[str, str], k: ApiKey | None
    ) -> Json:
        body: dict[str, Json] = {
            "major": self.profile.major,
            "minor": self.profile.minor,
            "patch": self.profile.patch,
        }
        if self.profile.major >= 3:
            body["prerelease"] = None
        return body

    async def _ping(
        self, request: web.Request, p: dict[str, str], k: ApiKey | None
    ) -> Json:
        return {"res": "pong"}

    async def _config(
        self, request: web.Request, p: dict[str, str], k: ApiKey | None
    ) -> Json:
        body: dict[str, Json] = {
            "loginPageMessage": "",
            "trashDays": 30,
            "userDeleteDelay": 7,
            "oauthButtonText": "Login with OAuth",
            "isInitialized": True,
            "isOnboarded": False,
            "externalDomain": "",
        }
        if self.profile.at_least(1, 136):
            body["publicUsers"] = True
            body["mapDarkStyleUrl"] = "https://tiles.immich.cloud/v1/style/dark.json"
            body["mapLightStyleUrl"] = "https://tiles.immich.cloud/v1/style/light.json"
        if self.profile.has_maintenance_mode:
            body["maintenanceMode"] = self.maintenance
        if self.profile.major >= 3:
            body["minFaces"] = 3
        return body

    async def _features(
        self, request: web.Request, p: dict[str, str], k: ApiKey | None
    ) -> Json:
        body: dict[str, Json] = {
            "smartSearch": False,
            "facialRecognition": False,
            "duplicateDetection": False,
            "map": True,
            "reverseGeocoding": True,
            "sidecar": True,
            "search": True,
            "trash": True,
            "oauth": False,
            "oauthAutoLaunch": False,
            "passwordLogin": True,
            "configFile": False,
            "email": False,
        }
        if self.profile.has_import_faces:
            body["importFaces"] = False
        if self.profile.at_least(2, 2):
            body["ocr"] = False
        if self.profile.major >= 3:
            body["realtimeTranscoding"] = False
        return body

    async def _about(
        self, request: web.Request, p: dict[str, str], k: ApiKey | None
    ) -> Json:
        version = "v{}.{}.{}".format(*self.profile.version)
        return {
            "version": version,
            "versionUrl": f"https://github.com/immich-app/immich/releases/tag/{version}",
            "licensed": False,
            "nodejs": "v24.15.0",
            "exiftool": "13.59",
            "ffmpeg": "",
            "libvips": "8.17.3",
            "imagemagick": "",
        }

    async def _users_me(
        self, request: web.Request, p: dict[str, str], k: ApiKey | None
    ) -> Json:
        assert k is not None
        user = k.user
        body: dict[str, Json] = {
            "id": user.id,
            "email": user.email,
            "name": user.name,
            "profileImagePath": "",
            "avatarColor": "orange",
            "storageLabel": "admin" if user.is_admin else None,
            "shouldChangePassword": False,
            "isAdmin": user.is_admin,
            "createdAt": _STAMP,
            "deletedAt": None,
            "updatedAt": _STAMP,
            "oauthId": "",
            "quotaSizeInBytes": None,
            "quotaUsageInBytes": 0,
            "status": "active",
        }
        if self.profile.at_least(1, 113):
            body["license"] = None
        if self.profile.has_profile_changed_at:
            body["profileChangedAt"] = _STAMP
        return body

    async def _api_key_me(
        self, request: web.Request, p: dict[str, str], k: ApiKey | None
    ) -> Json:
        assert k is not None
        return {
            "id": k.id,
            "name": k.name,
            "createdAt": _STAMP,
            "updatedAt": _STAMP,
            "permissions": list(k.permissions),
        }

    async def _get_jobs(
        self, request: web.Request, p: dict[str, str], k: ApiKey | None
    ) -> Json:
        return {name: self._legacy(name) for name in self._listed_queues()}

    async def _put_job(
        self, request: web.Request, p: dict[str, str], k: ApiKey | None
    ) -> Json:
        name = self._queue_param(p, self.profile.job_param)
        body = await self._json_body(request)
        command = body.get("command")
        if command not in COMMANDS:
            raise self._invalid_enum("command", COMMANDS)
        force = body.get("force", _MISSING)
        if force is _MISSING and self.profile.force_required:
            raise self._invalid_boolean("force", force)
        if force is not _MISSING and not isinstance(force, bool):
            raise self._invalid_boolean("force", force)
        model = self.model
        if command == "pause":
            model.pause(name)
        elif command == "resume":
            model.resume(name)
        elif command == "empty":
            model.empty(name)
        elif command == "clear-failed":
            model.clear_failed(name)
        else:
            try:
                model.start(name, force=force is True)
            except CommandRefused as err:
                raise ApiError(400, err.message) from None
        return self._legacy(name)

    async def _get_queues(
        self, request: web.Request, p: dict[str, str], k: ApiKey | None
    ) -> Json:
        return [self._queue_obj(name) for name in self._listed_queues()]

    async def _get_queue(
        self, request: web.Request, p: dict[str, str], k: ApiKey | None
    ) -> Json:
        return self._queue_obj(self._queue_param(p, "name"))

    async def _put_queue(
        self, request: web.Request, p: dict[str, str], k: ApiKey | None
    ) -> Json:
        name = self._queue_param(p, "name")
        body = await self._json_body(request)
        is_paused = body.get("isPaused", _MISSING)
        if is_paused is not _MISSING and not isinstance(is_paused, bool):
            raise self._invalid_boolean("isPaused", is_paused)
        if is_paused is True:
            if name == BACKGROUND_TASK:
                raise ApiError(400, "The BackgroundTask queue cannot be paused")
            self.model.pause(name)
        elif is_paused is False:
            self.model.resume(name)
        return self._queue_obj(name)

    def _build_routes(self) -> list[Route]:
        p = self.profile
        routes: list[Route] = []

        def add(
            method: str,
            path: str,
            handler: Callable[
                [web.Request, dict[str, str], ApiKey | None], Awaitable[Json]
            ],
            *,
            auth: bool = True,
            admin: bool = False,
            permission: str | None = None,
            all_on_v1_136: bool = True,
            in_maintenance: bool = False,
        ) -> None:
            regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", path)
            routes.append(
                Route(
                    method,
                    path,
                    re.compile(regex),
                    handler,
                    auth,
                    admin,
                    permission,
                    all_on_v1_136,
                    in_maintenance,
                )
            )

        public = (
            ("version", self._version),
            ("ping", self._ping),
            ("config", self._config),
            ("features", self._features),
        )
        # v1.107-v1.112 serve both bases; v1.106 only the old one, v1.113+ only the new one.
        bases = ["/api/server-info"] if p.has_server_info else []
        if p.has_server:
            bases.append("/api/server")
        for base in bases:
            for name, handler in public:
                add("GET", f"{base}/{name}", handler, auth=False, in_maintenance=True)
        if p.has_server:
            add("GET", "/api/server/about", self._about, permission="server.about")
        add("GET", "/api/users/me", self._users_me, permission="user.read")
        if p.has_api_keys_me:
            add("GET", "/api/api-keys/me", self._api_key_me, all_on_v1_136=False)
        add("GET", "/api/jobs", self._get_jobs, admin=True, permission="job.read")
        add(
            "PUT",
            f"/api/jobs/{{{p.job_param}}}",
            self._put_job,
            admin=True,
            permission="job.create",
        )
        if p.has_queues_api:
            add(
                "GET",
                "/api/queues",
                self._get_queues,
                admin=True,
                permission="queue.read",
            )
            add(
                "GET",
                "/api/queues/{name}",
                self._get_queue,
                admin=True,
                permission="queue.read",
            )
            add(
                "PUT",
                "/api/queues/{name}",
                self._put_queue,
                admin=True,
                permission="queue.update",
            )
        return routes


class _CutResponse(web.StreamResponse):
    """A response whose connection was cut mid-body on purpose (fault "drop")."""


class _Missing:
    """Marker for a body field that was not sent."""


_MISSING: Any = _Missing()


def _js_type(value: Json) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _html(status: int, title: str) -> web.Response:
    page = (
        f"<html><head><title>{status} {title}</title></head>"
        f"<body><center><h1>{status} {title}</h1></center><hr><center>nginx</center>"
        "</body></html>"
    )
    return web.Response(status=status, text=page, content_type="text/html")
