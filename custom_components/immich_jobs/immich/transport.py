"""HTTP to one Immich server with one API key: safe requests, bounded answers, mapped errors.

The caller injects the session and must create it with ``aiohttp.DummyCookieJar()``: Immich
checks session credentials (the ``immich_access_token`` cookie, a Bearer token) *before* the API
key, so a cookie picked up by a shared session would silently replace the key's identity and
permissions. As a second line of defence the transport never passes cookies or an
Authorization header itself and, before every request, drops whatever the session's jar holds
for the Immich host. The API key never appears in messages or logs.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
import json
import logging
import re
import ssl
from typing import Final

import aiohttp
from yarl import URL

from .errors import (
    CannotConnect,
    CommandRejected,
    InvalidAuth,
    InvalidResponse,
    MaintenanceMode,
    MissingPermission,
    NotAdmin,
    Unsupported,
)
from .parsing import parse_error
from .url import normalize_url

_LOGGER = logging.getLogger(__name__)

REQUEST_TIMEOUT: Final = 10.0
# A /api/jobs answer is about 3 kB; anything this large is not Immich (a download behind a proxy).
MAX_BODY_BYTES: Final = 4 * 1024 * 1024
# Immich's keys are 43 characters; anything this long was pasted by mistake.
MAX_KEY_LENGTH: Final = 1024
_MAX_MESSAGE = 300

_PERMISSION_RE: Final = re.compile(r"^Missing required permission: (\S+)$")
# Printable ASCII without spaces: Immich's keys are alphanumeric, and anything else would break
# (or smuggle) an HTTP header.
_KEY_RE: Final = re.compile(r"^[!-~]+$")


@dataclass(slots=True)
class _Answer:
    status: int
    body: object
    is_json: bool
    location: str


class ImmichTransport:
    """Sends requests to one Immich server and turns every failure into an ImmichError.

    Knows HTTP and Immich's error conventions, not what the endpoints mean: that is the
    client's job (:class:`~.client.ImmichClient` builds on this).
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
        """Tell whether an absent route is explained by maintenance mode.

        Only the client knows how to ask the server; the transport alone cannot tell.
        """
        return False
