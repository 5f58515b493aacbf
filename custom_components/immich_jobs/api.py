"""Client for Immich's job-queue API, Immich v1.106 to v3.x.

aiohttp only, no Home Assistant imports. The caller injects the session and must create it
with ``aiohttp.DummyCookieJar()``: Immich checks session credentials (the
``immich_access_token`` cookie, a Bearer token) *before* the API key, so a cookie picked up by a
shared session would silently replace the key's identity and permissions. As a second line of
defence the client never passes cookies or an Authorization header itself and, before every
request, drops whatever the session's jar holds for the Immich host.

Two API generations exist: the legacy ``/api/jobs`` (every version, still what Immich's own web
UI uses) and ``/api/queues`` (v2.4+, permission ``queue.read``/``queue.update``). The client
picks per operation what the server and the key allow, and normalises both into
:class:`QueueStatus`.

Every failure surfaces as a subclass of :class:`ImmichError`; each carries a ``reason`` (a short
key a config flow can map to a translated message) and, when an HTTP answer was received, its
``status``. The API key never appears in messages or logs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
import json
import logging
import re
import ssl
from typing import Final, Literal
from urllib.parse import urlsplit

import aiohttp
from yarl import URL

from .queues import QueueStatus, Snapshot

_LOGGER = logging.getLogger(__name__)

REQUEST_TIMEOUT: Final = 10.0
# A /api/jobs answer is about 3 kB; anything this large is not Immich (a download behind a proxy).
MAX_BODY_BYTES: Final = 4 * 1024 * 1024
# Longer than any real URL; bounds the work done on pasted garbage.
MAX_URL_LENGTH: Final = 2048
_MAX_MESSAGE = 300

_PERMISSION_RE: Final = re.compile(r"^Missing required permission: (\S+)$")
# Immich's queue names are camelCase identifiers; anything else never reaches the server.
_QUEUE_NAME_RE: Final = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,99}$")
# Printable ASCII without spaces: Immich's keys are alphanumeric, and anything else would break
# (or smuggle) an HTTP header.
_KEY_RE: Final = re.compile(r"^[!-~]+$")
# Immich's keys are 43 characters; anything this long was pasted by mistake.
MAX_KEY_LENGTH: Final = 1024
# A queue name Immich rejects at validation, after its permission and admin checks: probing
# with it tells whether a command would be allowed without commanding anything.
_PROBE_QUEUE: Final = "immichJobsAccessProbe"

_COUNTS: Final = ("active", "waiting", "paused", "delayed", "failed")

PERMISSION_ALL: Final = "all"
PERMISSION_JOB_READ: Final = "job.read"
PERMISSION_JOB_CREATE: Final = "job.create"
PERMISSION_QUEUE_READ: Final = "queue.read"
PERMISSION_QUEUE_UPDATE: Final = "queue.update"
PERMISSION_USER_READ: Final = "user.read"


# --------------------------------------------------------------------------------------------
# Errors


class ImmichError(Exception):
    """Base of every error the client raises.

    ``reason`` is a stable key for translations; ``status`` the HTTP status when one was read.
    """

    reason: str = "unknown"

    def __init__(self, message: str = "", *, status: int | None = None) -> None:
        """Keep the message (already free of secrets) and the HTTP status."""
        super().__init__(message or self.__class__.__doc__ or self.reason)
        self.message = message
        self.status = status


class InvalidUrl(ImmichError):
    """The configured URL is not an Immich base URL (`reason` says why)."""

    REASONS: Final = (
        "invalid_url",
        "invalid_scheme",
        "missing_host",
        "credentials_in_url",
    )

    def __init__(
        self,
        reason: Literal[
            "invalid_url", "invalid_scheme", "missing_host", "credentials_in_url"
        ],
        message: str = "",
    ) -> None:
        """Keep the reason key the config flow translates."""
        super().__init__(message or reason)
        self.reason = reason


class CannotConnect(ImmichError):
    """Immich could not be reached (refused, DNS, TLS, timeout, connection dropped).

    ``reason`` is "timeout", "tls_error" or "cannot_connect".
    """

    reason = "cannot_connect"

    def __init__(
        self,
        message: str = "",
        *,
        reason: Literal["cannot_connect", "timeout", "tls_error"] = "cannot_connect",
    ) -> None:
        """Keep the kind of failure: a TLS error calls for a different fix than a timeout."""
        super().__init__(message)
        self.reason = reason


class InvalidAuth(ImmichError):
    """The API key is missing, unknown or revoked (401): a reauth is needed."""

    reason = "invalid_auth"


class Forbidden(ImmichError):
    """Immich refused the key (403); see the subclasses for why."""

    reason = "forbidden"


class NotAdmin(Forbidden):
    """The key belongs to a non-admin user: every job/queue endpoint is admin-only."""

    reason = "not_admin"


class MissingPermission(Forbidden):
    """The key lacks one permission; ``permission`` names it (e.g. "job.create")."""

    reason = "missing_permission"

    def __init__(
        self, permission: str, message: str = "", *, status: int | None = 403
    ) -> None:
        """Keep the permission a repair issue must name."""
        super().__init__(
            message or f"Missing required permission: {permission}", status=status
        )
        self.permission = permission


class Unsupported(ImmichError):
    """The server is too old, or an endpoint that should exist is absent (404).

    ``version`` is the detected server version when known.
    """

    reason = "unsupported"

    def __init__(
        self,
        message: str = "",
        *,
        status: int | None = None,
        version: ServerVersion | None = None,
    ) -> None:
        """Keep the version that explains the refusal."""
        super().__init__(message, status=status)
        self.version = version


class MaintenanceMode(ImmichError):
    """Immich is in maintenance mode (v2.3+): queues are not served until it ends."""

    reason = "maintenance_mode"


class CommandRejected(ImmichError):
    """Immich refused a command (400); ``message`` is Immich's own words.

    ``details`` holds the individual validation messages when Immich gave several.
    """

    reason = "command_rejected"

    def __init__(
        self,
        message: str,
        *,
        details: tuple[str, ...] = (),
        status: int | None = 400,
        queue: str | None = None,
    ) -> None:
        """Keep what the user must read and the queue it is about."""
        super().__init__(message, status=status)
        self.details = details
        self.queue = queue


class InvalidResponse(ImmichError):
    """The answer is not Immich's: HTML from a proxy, malformed or wrongly shaped JSON, 5xx.

    ``reason`` is "redirect" when the server redirected (the URL should be the target).
    """

    reason = "invalid_response"

    def __init__(
        self,
        message: str = "",
        *,
        status: int | None = None,
        reason: Literal["invalid_response", "redirect"] = "invalid_response",
    ) -> None:
        """Keep the status, useful in logs to tell a proxy's 502 from garbage."""
        super().__init__(message, status=status)
        self.reason = reason


# --------------------------------------------------------------------------------------------
# Models


@dataclass(frozen=True, slots=True)
class ServerVersion:
    """An Immich release, ordered; a pre-release sorts before its release."""

    major: int
    minor: int
    patch: int
    prerelease: int | None = None

    def __str__(self) -> str:
        """Render as Immich tags its releases ("v3.1.0")."""
        text = f"v{self.major}.{self.minor}.{self.patch}"
        if self.prerelease is not None:
            text += f"-rc.{self.prerelease}"
        return text

    def _key(self) -> tuple[int, int, int, int, int]:
        if self.prerelease is None:
            return (self.major, self.minor, self.patch, 1, 0)
        return (self.major, self.minor, self.patch, 0, self.prerelease)

    def __lt__(self, other: ServerVersion) -> bool:
        """Order releases."""
        return self._key() < other._key()

    def __le__(self, other: ServerVersion) -> bool:
        """Order releases."""
        return self._key() <= other._key()

    def __gt__(self, other: ServerVersion) -> bool:
        """Order releases."""
        return self._key() > other._key()

    def __ge__(self, other: ServerVersion) -> bool:
        """Order releases."""
        return self._key() >= other._key()

    def at_least(self, major: int, minor: int, patch: int = 0) -> bool:
        """Tell whether a feature released in that version exists (its pre-releases count)."""
        return (self.major, self.minor, self.patch) >= (major, minor, patch)

    @classmethod
    def parse(cls, text: str) -> ServerVersion:
        """Read "v3.1.0" or "3.0.0-rc.1" (for stored or displayed versions)."""
        match = re.fullmatch(
            r"v?(\d{1,9})\.(\d{1,9})\.(\d{1,9})(?:-[A-Za-z]*\.?(\d{1,9}))?", text
        )
        if match is None:
            raise InvalidResponse(f"not a version: {text[:40]!r}")
        major, minor, patch, pre = match.groups()
        return cls(
            int(major), int(minor), int(patch), None if pre is None else int(pre)
        )


MIN_VERSION: Final = ServerVersion(1, 106, 0)


class ApiGeneration(StrEnum):
    """Which of Immich's two queue APIs an operation goes through."""

    LEGACY = "legacy"  # /api/jobs, every version
    QUEUES = "queues"  # /api/queues, v2.4+


@dataclass(frozen=True, slots=True, kw_only=True)
class ImmichUser:
    """The user who owns the API key."""

    id: str
    email: str
    name: str
    is_admin: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class ServerInfo:
    """What the server says about itself without credentials."""

    version: ServerVersion
    maintenance_mode: bool
    features: frozenset[str]
    """Names of the features that are enabled (e.g. "smartSearch", "ocr")."""


@dataclass(frozen=True, slots=True, kw_only=True)
class KeyAccess:
    """What the API key can do on this server, and how the client will talk to it."""

    version: ServerVersion
    is_admin: bool | None
    """None when the key may read nothing that tells."""
    permissions: frozenset[str] | None
    """As Immich lists them (v1.139+); None on servers that cannot tell."""
    missing_read: tuple[str, ...]
    """Permissions to add so that queues can be read (e.g. ("job.read",))."""
    missing_control: tuple[str, ...]
    """Permissions to add so that queues can be paused, resumed and started."""
    read_api: ApiGeneration
    control_api: ApiGeneration
    """Used for pause/resume; start and clear-failed always use the legacy API."""

    @property
    def can_read(self) -> bool:
        """Queues can be read."""
        return not self.missing_read and self.is_admin is not False

    @property
    def can_control(self) -> bool:
        """Queues can be paused, resumed, started and cleared."""
        return not self.missing_control and self.is_admin is not False


# --------------------------------------------------------------------------------------------
# URL handling


def normalize_url(url: str) -> str:
    """Return the server's base URL ("https://host:port", no "/api"), or raise InvalidUrl.

    Accepts "http(s)://host[:port]" with an optional "/", "/api" or "/api/"; the host is
    lowercased and an IDN host converted to its ASCII form, which is what goes on the wire.
    """
    text = url.strip()
    if not text or len(text) > MAX_URL_LENGTH:
        raise InvalidUrl("invalid_url", "empty or overlong URL")
    try:
        parts = urlsplit(text)
    except ValueError as err:
        raise InvalidUrl("invalid_url", "unparsable URL") from err
    if parts.scheme.lower() not in ("http", "https") or not text.lower().startswith(
        f"{parts.scheme.lower()}://"
    ):
        raise InvalidUrl(
            "invalid_scheme", "the URL must start with http:// or https://"
        )
    if "@" in parts.netloc:
        raise InvalidUrl(
            "credentials_in_url", "the URL must not contain a user or password"
        )
    if parts.query or parts.fragment or "?" in text or "#" in text:
        raise InvalidUrl("invalid_url", "the URL must not have a query or fragment")
    if parts.path not in ("", "/", "/api", "/api/"):
        raise InvalidUrl("invalid_url", "the URL must not have a path other than /api")
    host = parts.hostname
    if not host:
        raise InvalidUrl("missing_host", "the URL has no host")
    try:
        port = parts.port
        if port == 0:
            raise ValueError("port 0")  # noqa: TRY301
        base = URL.build(scheme=parts.scheme.lower(), host=host, port=port)
        result = str(base)
    except (ValueError, UnicodeError) as err:
        raise InvalidUrl("invalid_url", "the host or port is not valid") from err
    return result


# --------------------------------------------------------------------------------------------
# Parsing (pure functions, tested against recorded responses)


def _count(counts: Mapping[str, object], key: str, queue: str) -> int:
    value = counts.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InvalidResponse(
            f"queue {queue!r}: count {key!r} is missing or not a count"
        )
    return value


def _counts(counts: object, queue: str) -> dict[str, int]:
    if not isinstance(counts, dict):
        raise InvalidResponse(f"queue {queue!r} has no counts")
    return {key: _count(counts, key, queue) for key in _COUNTS}


def _flag(value: object, what: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidResponse(f"{what} is missing or not a boolean")
    return value


def parse_legacy_queue(name: str, body: object) -> QueueStatus:
    """Normalise one queue of the legacy API ({jobCounts, queueStatus})."""
    if not isinstance(body, dict):
        raise InvalidResponse(f"queue {name!r} is not an object")
    status = body.get("queueStatus")
    if not isinstance(status, dict):
        raise InvalidResponse(f"queue {name!r} lacks queueStatus")
    is_paused = _flag(status.get("isPaused"), f"queue {name!r} isPaused")
    return QueueStatus(
        name=name, is_paused=is_paused, **_counts(body.get("jobCounts"), name)
    )


def parse_legacy_jobs(body: object) -> dict[str, QueueStatus]:
    """Normalise a `GET /api/jobs` body into one status per queue (unknown names kept)."""
    if not isinstance(body, dict):
        raise InvalidResponse("queue status is not an object")
    return {
        str(name): parse_legacy_queue(str(name), entry) for name, entry in body.items()
    }


def parse_queue(body: object) -> QueueStatus:
    """Normalise one queue of the v2.4+ API ({name, isPaused, statistics})."""
    if not isinstance(body, dict):
        raise InvalidResponse("queue is not an object")
    name = body.get("name")
    if not isinstance(name, str) or not name:
        raise InvalidResponse("queue has no name")
    is_paused = _flag(body.get("isPaused"), f"queue {name!r} isPaused")
    return QueueStatus(
        name=name, is_paused=is_paused, **_counts(body.get("statistics"), name)
    )


def parse_queues(body: object) -> dict[str, QueueStatus]:
    """Normalise a `GET /api/queues` body (a list) into one status per queue."""
    if not isinstance(body, list):
        raise InvalidResponse("queue list is not a list")
    queues: dict[str, QueueStatus] = {}
    for item in body:
        queue = parse_queue(item)
        if queue.name in queues:
            raise InvalidResponse(f"queue {queue.name!r} listed twice")
        queues[queue.name] = queue
    return queues


def parse_version(body: object) -> ServerVersion:
    """Read `{major, minor, patch, prerelease?}`."""
    if not isinstance(body, dict):
        raise InvalidResponse("version is not an object")
    parts: list[int] = []
    for key in ("major", "minor", "patch"):
        value = body.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise InvalidResponse(f"version {key!r} is missing or not a number")
        parts.append(value)
    pre = body.get("prerelease")
    if pre is not None and (
        not isinstance(pre, int) or isinstance(pre, bool) or pre < 0
    ):
        raise InvalidResponse("version prerelease is not a number")
    return ServerVersion(parts[0], parts[1], parts[2], pre)


def parse_user(body: object) -> ImmichUser:
    """Read the fields of `GET /api/users/me` the integration needs."""
    if not isinstance(body, dict):
        raise InvalidResponse("user is not an object")
    user_id, email, name = body.get("id"), body.get("email"), body.get("name", "")
    if not isinstance(user_id, str) or not user_id or not isinstance(email, str):
        raise InvalidResponse("user lacks id or email")
    return ImmichUser(
        id=user_id,
        email=email,
        name=name if isinstance(name, str) else "",
        is_admin=_flag(body.get("isAdmin"), "user isAdmin"),
    )


def parse_permissions(body: object) -> frozenset[str]:
    """Read the permission list of `GET /api/api-keys/me`."""
    permissions = body.get("permissions") if isinstance(body, dict) else None
    if not isinstance(permissions, list) or not all(
        isinstance(p, str) for p in permissions
    ):
        raise InvalidResponse("API key has no permission list")
    return frozenset(str(p) for p in permissions)


def parse_error(body: object) -> tuple[str, tuple[str, ...]]:
    """Return Immich's error message and its individual details.

    v3 sends {"message": str, "errors": [{"message": str}...]}; v1/v2 send validation errors as
    {"message": [str, ...]}.
    """
    if not isinstance(body, dict):
        return "", ()
    message = body.get("message")
    details: list[str] = []
    if isinstance(message, list):
        details = [item for item in message if isinstance(item, str)]
        message = "; ".join(details)
    errors = body.get("errors")
    if isinstance(errors, list):
        details.extend(
            item["message"]
            for item in errors
            if isinstance(item, dict) and isinstance(item.get("message"), str)
        )
    return (message if isinstance(message, str) else ""), tuple(details)


def _has(permissions: frozenset[str], permission: str) -> bool:
    return PERMISSION_ALL in permissions or permission in permissions


# --------------------------------------------------------------------------------------------
# Client


@dataclass(slots=True)
class _Answer:
    status: int
    body: object
    is_json: bool
    location: str


class ImmichClient:
    """Talks to one Immich server with one API key.

    The server version (and, on v2.4+, the key's permissions) is detected on first use and kept;
    :meth:`async_get_version` forgets both when the version changed (an upgrade) and
    :meth:`async_get_access` reads them again (a key change).
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        url: str,
        api_key: str,
        *,
        timeout: float = REQUEST_TIMEOUT,
    ) -> None:
        """Keep the session (with a DummyCookieJar), the base URL and the key.

        Raises InvalidUrl when the URL is not acceptable (see normalize_url).
        """
        self._session = session
        self._base = normalize_url(url)
        self._host = URL(self._base).raw_host or ""
        self._api_key = api_key
        self._timeout = timeout
        self._version: ServerVersion | None = None
        self._permissions: frozenset[str] | None = None
        self._read_api: ApiGeneration | None = None
        self._control_api: ApiGeneration | None = None
        if (
            session.auth is not None
            or aiohttp.hdrs.AUTHORIZATION in session.headers
            or aiohttp.hdrs.COOKIE in session.headers
        ):
            # Immich would let these replace the key's identity; the client cannot strip
            # a session's defaults, so the caller must fix the session.
            _LOGGER.warning(
                "The session sends default credentials; Immich may use them instead of "
                "the API key. Give the client a session of its own"
            )

    @property
    def base_url(self) -> str:
        """The normalised base URL (no "/api")."""
        return self._base

    @property
    def version(self) -> ServerVersion | None:
        """The version detected last, if any."""
        return self._version

    # ---- transport -------------------------------------------------------------------------

    def _clean(self, text: str) -> str:
        """Make a text safe for messages and logs: no key, bounded length."""
        if self._api_key:
            text = text.replace(self._api_key, "**REDACTED**")
        return text[:_MAX_MESSAGE]

    async def _send(
        self, method: str, path: str, payload: object | None, *, auth: bool
    ) -> _Answer:
        """Send one request and read the whole answer, mapping transport failures."""
        headers = {"Accept": "application/json"}
        if auth:
            if len(self._api_key) > MAX_KEY_LENGTH or not _KEY_RE.fullmatch(
                self._api_key
            ):
                raise InvalidAuth(
                    "the API key is empty, too long or contains invalid characters"
                )
            headers["x-api-key"] = self._api_key
        if self._session.closed:
            # Home Assistant closes sessions at shutdown; a late poll is just unreachable.
            raise CannotConnect(f"{method} {path}: the HTTP session is closed")
        # Whatever a shared jar learnt from Immich would override the key: never send it.
        self._session.cookie_jar.clear_domain(self._host)
        try:
            async with asyncio.timeout(self._timeout):
                async with self._session.request(
                    method,
                    f"{self._base}/api{path}",
                    headers=headers,
                    json=payload,
                    allow_redirects=False,
                ) as response:
                    chunks: list[bytes] = []
                    size = 0
                    async for chunk in response.content.iter_any():
                        size += len(chunk)
                        if size > MAX_BODY_BYTES:
                            raise InvalidResponse(
                                f"{method} {path}: answer larger than {MAX_BODY_BYTES} bytes",
                                status=response.status,
                            )
                        chunks.append(chunk)
                    status = response.status
                    content_type = response.headers.get("Content-Type", "")
                    location = response.headers.get("Location", "")
        except TimeoutError as err:
            raise CannotConnect(
                f"{method} {path}: no answer within {self._timeout:g} s",
                reason="timeout",
            ) from err
        except (aiohttp.ClientSSLError, ssl.SSLError) as err:
            raise CannotConnect(
                self._clean(f"{method} {path}: TLS error: {err}"), reason="tls_error"
            ) from err
        except (aiohttp.ClientError, OSError) as err:
            raise CannotConnect(
                self._clean(f"{method} {path}: {type(err).__name__}: {err}")
            ) from err
        except ValueError as err:
            raise InvalidResponse(self._clean(f"{method} {path}: {err}")) from err
        _LOGGER.debug("%s %s -> %s", method, path, status)
        raw = b"".join(chunks)
        body: object = None
        is_json = False
        if raw and "html" not in content_type.lower():
            try:
                body = json.loads(raw)
                is_json = True
            except (ValueError, RecursionError):
                body = None
        return _Answer(status, body, is_json, location)

    async def _request(
        self,
        method: str,
        path: str,
        payload: object | None = None,
        *,
        auth: bool = True,
        queue: str | None = None,
    ) -> object:
        """Send a request and return its JSON body, or raise the matching ImmichError."""
        answer = await self._send(method, path, payload, auth=auth)
        status = answer.status
        where = f"{method} {path}"
        if 200 <= status < 300:
            if not answer.is_json:
                raise InvalidResponse(f"{where}: answer is not JSON", status=status)
            return answer.body
        message, details = parse_error(answer.body)
        message = self._clean(message)
        details = tuple(self._clean(item) for item in details)
        if 300 <= status < 400:
            raise InvalidResponse(
                self._clean(f"{where}: redirected to {answer.location or '?'}"),
                status=status,
                reason="redirect",
            )
        if status == 401:
            raise InvalidAuth(message or "authentication failed", status=status)
        # In maintenance mode (v2.3+) only the public server routes are served: every
        # other route is absent (404), or a proxy may answer 503.
        if status in (404, 503) and auth and await self._in_maintenance():
            raise MaintenanceMode("Immich is in maintenance mode", status=status)
        if status in (404, 405):
            raise Unsupported(
                f"{where}: endpoint absent (HTTP {status})", status=status
            )
        if not answer.is_json:
            raise InvalidResponse(
                f"{where}: HTTP {status} with an answer that is not Immich's",
                status=status,
            )
        if status == 403:
            match = _PERMISSION_RE.match(message)
            if match:
                raise MissingPermission(match.group(1), message, status=status)
            raise NotAdmin(message or "Forbidden", status=status)
        if status == 400 and method != "GET":
            raise CommandRejected(
                message or "rejected", details=details, status=status, queue=queue
            )
        raise InvalidResponse(
            f"{where}: HTTP {status}" + (f" ({message})" if message else ""),
            status=status,
        )

    async def _in_maintenance(self) -> bool:
        """Tell whether a failure is explained by maintenance mode (v2.3+)."""
        if self._version is not None and not self._version.at_least(2, 3):
            return False
        try:
            return await self._get_config()
        except ImmichError:
            return False

    # ---- version and capabilities ---------------------------------------------------------

    async def async_get_version(self) -> ServerVersion:
        """Detect the server's version (no credentials needed), and remember it."""
        try:
            body = await self._request("GET", "/server/version", auth=False)
        except Unsupported:
            # v1.106 only knows the older route (removed in v1.113).
            try:
                body = await self._request("GET", "/server-info/version", auth=False)
            except Unsupported as err:
                raise Unsupported(
                    "no Immich version endpoint: not an Immich server, or a release older "
                    f"than {MIN_VERSION}",
                    status=err.status,
                ) from err
        version = parse_version(body)
        if version < MIN_VERSION:
            raise Unsupported(
                f"Immich {version} is older than {MIN_VERSION}, the oldest supported",
                version=version,
            )
        if version != self._version:
            self._version = version
            self._permissions = None
            self._read_api = self._control_api = None
        return version

    async def _get_config(self) -> bool:
        """Read maintenance mode from the public server config."""
        version = self._version or await self.async_get_version()
        path = "/server/config" if version.at_least(1, 107) else "/server-info/config"
        body = await self._request("GET", path, auth=False)
        if not isinstance(body, dict):
            raise InvalidResponse("server config is not an object")
        return body.get("maintenanceMode") is True

    async def async_get_server_info(self) -> ServerInfo:
        """Read the version, maintenance mode and enabled features (no credentials needed)."""
        version = await self.async_get_version()
        maintenance = await self._get_config()
        path = (
            "/server/features" if version.at_least(1, 107) else "/server-info/features"
        )
        body = await self._request("GET", path, auth=False)
        if not isinstance(body, dict):
            raise InvalidResponse("server features are not an object")
        features = frozenset(str(key) for key, value in body.items() if value is True)
        return ServerInfo(
            version=version, maintenance_mode=maintenance, features=features
        )

    async def _get_permissions(self) -> frozenset[str]:
        """Read the key's own permissions (v1.139+; any key may)."""
        self._permissions = parse_permissions(
            await self._request("GET", "/api-keys/me")
        )
        return self._permissions

    async def _apis(self) -> tuple[ApiGeneration, ApiGeneration]:
        """Choose the API generations for reading and for pause/resume."""
        if self._read_api is not None and self._control_api is not None:
            return self._read_api, self._control_api
        version = self._version or await self.async_get_version()
        read = control = ApiGeneration.LEGACY
        if version.at_least(2, 4):
            permissions = self._permissions
            if permissions is None:
                permissions = await self._get_permissions()
            if _has(permissions, PERMISSION_QUEUE_READ):
                read = ApiGeneration.QUEUES
            if _has(permissions, PERMISSION_QUEUE_UPDATE):
                control = ApiGeneration.QUEUES
        self._read_api, self._control_api = read, control
        return read, control

    async def async_get_user(self) -> ImmichUser | None:
        """Read the key's user; None when the key may not (user.read is optional)."""
        try:
            return parse_user(await self._request("GET", "/users/me"))
        except Forbidden:
            return None

    async def async_get_access(self) -> KeyAccess:
        """Report what the key can do, naming every missing permission.

        v1.139+: the key lists its own permissions (`GET /api/api-keys/me`); admin rights are
        read from a queue read (or `users/me`). Older servers cannot list them, so the client
        probes: a `GET /api/jobs` passes or fails the same permission and admin gate as every
        job command on v1.106-v1.136 (admin only up to v1.135, permission `all` on v1.136), so
        it answers for control too. On v1.137-v1.138 commands need `job.create`, a separate
        permission: the client sends a command for a queue that does not exist, which Immich
        checks for permission and admin rights before rejecting it as invalid (400). No real
        command is ever sent.
        """
        version = await self.async_get_version()
        if version.at_least(1, 139):
            return await self._access_from_permissions(version)
        is_admin: bool | None = None
        missing_read: tuple[str, ...] = ()
        missing_control: tuple[str, ...] = ()
        try:
            await self._request("GET", "/jobs")
            is_admin = True
        except MissingPermission as err:
            missing_read = (err.permission,)
        except NotAdmin:
            is_admin = False
        if not version.at_least(1, 137):
            missing_control = missing_read
        else:
            try:
                await self._request(
                    "PUT",
                    f"/jobs/{_PROBE_QUEUE}",
                    {"command": "clear-failed", "force": False},
                    queue=_PROBE_QUEUE,
                )
            except CommandRejected:
                pass
            except MissingPermission as err:
                missing_control = (err.permission,)
            except NotAdmin:
                is_admin = False
            if is_admin is None:
                user = await self.async_get_user()
                is_admin = None if user is None else user.is_admin
        self._read_api = self._control_api = ApiGeneration.LEGACY
        return KeyAccess(
            version=version,
            is_admin=is_admin,
            permissions=None,
            missing_read=missing_read,
            missing_control=missing_control,
            read_api=ApiGeneration.LEGACY,
            control_api=ApiGeneration.LEGACY,
        )

    async def _access_from_permissions(self, version: ServerVersion) -> KeyAccess:
        permissions = await self._get_permissions()
        self._read_api = self._control_api = None
        read_api, control_api = await self._apis()
        can_read = (
            _has(permissions, PERMISSION_JOB_READ) or read_api is ApiGeneration.QUEUES
        )
        missing_read = () if can_read else (PERMISSION_JOB_READ,)
        missing_control = (
            () if _has(permissions, PERMISSION_JOB_CREATE) else (PERMISSION_JOB_CREATE,)
        )
        is_admin: bool | None = None
        if can_read:
            # Every queue endpoint is admin-only: a read proves or disproves it.
            try:
                await self._read_raw(read_api)
                is_admin = True
            except NotAdmin:
                is_admin = False
        if is_admin is None and _has(permissions, PERMISSION_USER_READ):
            user = await self.async_get_user()
            is_admin = None if user is None else user.is_admin
        return KeyAccess(
            version=version,
            is_admin=is_admin,
            permissions=permissions,
            missing_read=missing_read,
            missing_control=missing_control,
            read_api=read_api,
            control_api=control_api,
        )

    # ---- queues ---------------------------------------------------------------------------

    async def _read_raw(self, api: ApiGeneration) -> dict[str, QueueStatus]:
        if api is ApiGeneration.QUEUES:
            return parse_queues(await self._request("GET", "/queues"))
        return parse_legacy_jobs(await self._request("GET", "/jobs"))

    async def async_get_queues(self) -> Snapshot:
        """Read every queue's counts, through the best API the server and key allow."""
        read_api, _ = await self._apis()
        if read_api is ApiGeneration.QUEUES:
            try:
                return await self._read_raw(ApiGeneration.QUEUES)
            except (MissingPermission, Unsupported):
                # The key lost queue.read, or the server was downgraded: the legacy API stays.
                _LOGGER.debug("GET /queues refused, falling back to GET /jobs")
                self._read_api = ApiGeneration.LEGACY
        return await self._read_raw(ApiGeneration.LEGACY)

    async def _legacy_command(
        self, name: str, command: str, *, force: bool
    ) -> QueueStatus:
        body = await self._request(
            "PUT",
            f"/jobs/{name}",
            {"command": command, "force": force},
            queue=name,
        )
        return parse_legacy_queue(name, body)

    async def async_set_paused(self, name: str, paused: bool) -> QueueStatus:
        """Pause or resume one queue; running jobs finish either way. Returns its new state."""
        _check_name(name)
        _, control_api = await self._apis()
        if control_api is ApiGeneration.QUEUES:
            try:
                body = await self._request(
                    "PUT", f"/queues/{name}", {"isPaused": paused}, queue=name
                )
            except (MissingPermission, Unsupported):
                _LOGGER.debug("PUT /queues refused, falling back to PUT /jobs")
                self._control_api = ApiGeneration.LEGACY
            else:
                queue = parse_queue(body)
                if queue.name != name:
                    raise InvalidResponse(f"asked for {name!r}, got {queue.name!r}")
                return queue
        return await self._legacy_command(
            name, "pause" if paused else "resume", force=False
        )

    async def async_pause(self, name: str) -> QueueStatus:
        """Pause one queue (its running jobs finish)."""
        return await self.async_set_paused(name, True)

    async def async_resume(self, name: str) -> QueueStatus:
        """Resume one queue."""
        return await self.async_set_paused(name, False)

    async def async_start(self, name: str, *, force: bool = False) -> QueueStatus:
        """Queue a run: missing assets only, or all of them with force.

        Does not resume a paused queue. Raises CommandRejected when the queue is running
        ("Job is already running") or has no run ("Invalid job name").
        """
        _check_name(name)
        return await self._legacy_command(name, "start", force=force)

    async def async_clear_failed(self, name: str) -> QueueStatus:
        """Remove the queue's failed jobs."""
        _check_name(name)
        return await self._legacy_command(name, "clear-failed", force=False)


def _check_name(name: str) -> None:
    """Refuse names that are not Immich queue names before they reach a URL."""
    if not _QUEUE_NAME_RE.fullmatch(name):
        raise CommandRejected(
            f"Invalid queue name: {name[:40]!r}", status=None, queue=None
        )
