"""What an API key may do: Immich's permission names and rules, as pure functions.

The client reads a key's permissions (v1.139+) or probes for them (older releases); these
rules turn what it learnt into which API to use and what the key still lacks.
"""

from __future__ import annotations

from typing import Final

from .models import ApiGeneration, ServerVersion

PERMISSION_ALL: Final = "all"
PERMISSION_JOB_READ: Final = "job.read"
PERMISSION_JOB_CREATE: Final = "job.create"
PERMISSION_QUEUE_READ: Final = "queue.read"
PERMISSION_QUEUE_UPDATE: Final = "queue.update"
PERMISSION_USER_READ: Final = "user.read"


def grants(permissions: frozenset[str], permission: str) -> bool:
    """Tell whether a key's permission list allows one permission ("all" allows every one)."""
    return PERMISSION_ALL in permissions or permission in permissions


def api_generations(
    version: ServerVersion, permissions: frozenset[str] | None
) -> tuple[ApiGeneration, ApiGeneration]:
    """Choose the API for reading and for pause/resume.

    The queues API (v2.4+) where the key may use it, the legacy one otherwise (and whenever
    the key's permissions are unknown).
    """
    if permissions is None or not version.at_least(2, 4):
        return ApiGeneration.LEGACY, ApiGeneration.LEGACY
    read, control = ApiGeneration.LEGACY, ApiGeneration.LEGACY
    if grants(permissions, PERMISSION_QUEUE_READ):
        read = ApiGeneration.QUEUES
    if grants(permissions, PERMISSION_QUEUE_UPDATE):
        control = ApiGeneration.QUEUES
    return read, control


def missing_permissions(
    permissions: frozenset[str], read_api: ApiGeneration
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Name what a key must be given to read the queues, and to command them (v1.137+).

    Reading needs `job.read`, unless the queues API reads them; commanding needs
    `job.create`, since starting a run only exists in the legacy API.
    """
    can_read = (
        grants(permissions, PERMISSION_JOB_READ) or read_api is ApiGeneration.QUEUES
    )
    missing_read = () if can_read else (PERMISSION_JOB_READ,)
    missing_control = (
        () if grants(permissions, PERMISSION_JOB_CREATE) else (PERMISSION_JOB_CREATE,)
    )
    return missing_read, missing_control
