"""A client for Immich's job-queue API, Immich v1.106 to v3.x.

Self-contained: aiohttp (and yarl) only, nothing from Home Assistant, so that it could be
published as a library unchanged. Modules, each with one job:

- ``errors``: every failure, as a subclass of :class:`ImmichError` with a stable ``reason``;
- ``models``: what the client hands back (releases, queues, users, a key's access);
- ``access``: Immich's permission names, and which API a key may use;
- ``url``: the rules for a base URL;
- ``parsing``: Immich's answers read into the models;
- ``transport``: HTTP with one key, no cookies, bounded answers, statuses mapped to errors;
- ``client``: what the endpoints mean (version, key access, reading and commanding queues).
"""

from .access import (
    PERMISSION_ALL,
    PERMISSION_JOB_CREATE,
    PERMISSION_JOB_READ,
    PERMISSION_QUEUE_READ,
    PERMISSION_QUEUE_UPDATE,
    PERMISSION_USER_READ,
)
from .client import ImmichClient
from .errors import (
    CannotConnect,
    CommandRejected,
    Forbidden,
    ImmichError,
    InvalidAuth,
    InvalidResponse,
    InvalidUrl,
    MaintenanceMode,
    MissingPermission,
    NotAdmin,
    NotImmich,
    TooOld,
    Unsupported,
)
from .models import (
    MIN_VERSION,
    ApiGeneration,
    ImmichUser,
    KeyAccess,
    QueueStatus,
    ServerInfo,
    ServerVersion,
    Snapshot,
)
from .transport import MAX_BODY_BYTES, MAX_KEY_LENGTH, REQUEST_TIMEOUT
from .url import MAX_URL_LENGTH, normalize_url

__all__ = [
    "MAX_BODY_BYTES",
    "MAX_KEY_LENGTH",
    "MAX_URL_LENGTH",
    "MIN_VERSION",
    "PERMISSION_ALL",
    "PERMISSION_JOB_CREATE",
    "PERMISSION_JOB_READ",
    "PERMISSION_QUEUE_READ",
    "PERMISSION_QUEUE_UPDATE",
    "PERMISSION_USER_READ",
    "REQUEST_TIMEOUT",
    "ApiGeneration",
    "CannotConnect",
    "CommandRejected",
    "Forbidden",
    "ImmichClient",
    "ImmichError",
    "ImmichUser",
    "InvalidAuth",
    "InvalidResponse",
    "InvalidUrl",
    "KeyAccess",
    "MaintenanceMode",
    "MissingPermission",
    "NotAdmin",
    "NotImmich",
    "QueueStatus",
    "ServerInfo",
    "ServerVersion",
    "Snapshot",
    "TooOld",
    "Unsupported",
    "normalize_url",
]
