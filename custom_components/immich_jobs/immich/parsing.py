"""Immich's answers read into the client's models: pure functions, strict about shapes.

Anything that is not the shape Immich sends raises InvalidResponse; unknown queue names are
valid data (new releases add queues).
"""

from __future__ import annotations

from typing import Final

from .errors import InvalidResponse
from .models import ImmichUser, QueueStatus, ServerVersion

_COUNTS: Final = ("active", "waiting", "paused", "delayed", "failed")


def _is_count(value: object) -> bool:
    """Tell whether JSON holds a whole number of at least 0 (a bool is not one)."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _counts(counts: object, queue: str) -> dict[str, int]:
    if not isinstance(counts, dict):
        raise InvalidResponse(f"queue {queue!r} has no counts")
    for key in _COUNTS:
        if not _is_count(counts.get(key)):
            raise InvalidResponse(
                f"queue {queue!r}: count {key!r} is missing or not a count"
            )
    return {key: counts[key] for key in _COUNTS}


def _flag(value: object, what: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidResponse(f"{what} is missing or not a boolean")
    return value


def _queue(name: str, is_paused: object, counts: object) -> QueueStatus:
    """Build one queue from its pause flag and its six counts, whichever API sent them."""
    return QueueStatus(
        name=name,
        is_paused=_flag(is_paused, f"queue {name!r} isPaused"),
        **_counts(counts, name),
    )


def parse_legacy_queue(name: str, body: object) -> QueueStatus:
    """Normalise one queue of the legacy API ({jobCounts, queueStatus})."""
    if not isinstance(body, dict):
        raise InvalidResponse(f"queue {name!r} is not an object")
    status = body.get("queueStatus")
    if not isinstance(status, dict):
        raise InvalidResponse(f"queue {name!r} lacks queueStatus")
    return _queue(name, status.get("isPaused"), body.get("jobCounts"))


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
    return _queue(name, body.get("isPaused"), body.get("statistics"))


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
    for key in ("major", "minor", "patch"):
        if not _is_count(body.get(key)):
            raise InvalidResponse(f"version {key!r} is missing or not a number")
    pre = body.get("prerelease")
    if pre is not None and not _is_count(pre):
        raise InvalidResponse("version prerelease is not a number")
    return ServerVersion(body["major"], body["minor"], body["patch"], pre)


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
