"""The rules for an Immich base URL, applied before anything is sent."""

from __future__ import annotations

from typing import Final
from urllib.parse import urlsplit

from yarl import URL

from .errors import InvalidUrl

# Longer than any real URL; bounds the work done on pasted garbage.
MAX_URL_LENGTH: Final = 2048


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
