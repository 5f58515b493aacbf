"""What each Immich release serves: endpoints, permissions, error style, queue set.

Facts from immich-api.md and the OpenAPI specs of each release; a profile is named after the
release line the integration must support.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .model import queue_names

type PermissionMode = Literal["admin", "all", "fine"]


@dataclass(frozen=True, slots=True)
class Profile:
    """One Immich release as seen over HTTP."""

    name: str
    major: int
    minor: int
    patch: int = 0

    @property
    def version(self) -> tuple[int, int, int]:
        """Return the release as a comparable tuple."""
        return (self.major, self.minor, self.patch)

    def at_least(self, major: int, minor: int) -> bool:
        """Tell whether this release is ``major.minor`` or newer."""
        return (self.major, self.minor) >= (major, minor)

    @property
    def queues(self) -> tuple[str, ...]:
        """Return the queue names this release lists."""
        return queue_names((self.major, self.minor))

    @property
    def permission_mode(self) -> PermissionMode:
        """Return how keys are checked: admin only, ``all`` (v1.136), fine-grained (v1.137+)."""
        if self.at_least(1, 137):
            return "fine"
        if self.at_least(1, 136):
            return "all"
        return "admin"

    @property
    def v3_errors(self) -> bool:
        """Tell whether errors are v3's ``{"message"}`` bodies (zod validation)."""
        return self.major >= 3

    @property
    def has_server_info(self) -> bool:
        """Return whether the old ``/api/server-info/*`` routes exist.

        v1.107 added ``/api/server/*`` but kept the old routes beside it; the v1.113 spec has
        none of them any more, so they go from v1.113 on.
        """
        return not self.at_least(1, 113)

    @property
    def has_server(self) -> bool:
        """Return whether ``/api/server/*`` exists (v1.107+)."""
        return self.at_least(1, 107)

    @property
    def has_api_keys_me(self) -> bool:
        """Return whether ``GET /api/api-keys/me`` exists (v1.139+)."""
        return self.at_least(1, 139)

    @property
    def has_queues_api(self) -> bool:
        """Return whether the new ``/api/queues`` API exists (v2.4+)."""
        return self.at_least(2, 4)

    @property
    def has_maintenance_mode(self) -> bool:
        """Return whether the release has maintenance mode (v2.3+)."""
        return self.at_least(2, 3)

    @property
    def job_param(self) -> str:
        """Return the path parameter's name in ``PUT /api/jobs/{…}`` (``id`` before v2)."""
        return "name" if self.major >= 2 else "id"

    @property
    def force_required(self) -> bool:
        """Return whether ``force`` is required in the job command body.

        Required in the v1.106 and v1.113 specs, optional in v1.136's; the release in between
        that relaxed it is not known, so the cut sits right after v1.113.
        """
        return not self.at_least(1, 114)

    @property
    def has_import_faces(self) -> bool:
        """Return whether server features list ``importFaces``.

        Absent from the v1.113 spec, present in v1.136's (exact release in between unknown).
        """
        return self.at_least(1, 114)

    @property
    def has_profile_changed_at(self) -> bool:
        """Return whether users carry ``profileChangedAt``.

        Absent from the v1.113 spec, present in v1.136's (exact release in between unknown).
        """
        return self.at_least(1, 114)


PROFILES: dict[str, Profile] = {
    p.name: p
    for p in (
        Profile("v1.106", 1, 106),
        Profile("v1.113", 1, 113),
        Profile("v1.136", 1, 136),
        Profile("v1.137", 1, 137),
        Profile("v1.139", 1, 139),
        Profile("v2.3", 2, 3),
        Profile("v2.4", 2, 4),
        Profile("v3.1", 3, 1),
    )
}
