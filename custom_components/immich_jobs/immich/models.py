"""What the client hands back: releases, queues, users and what a key may do."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import total_ordering
import re
from typing import Final

from .errors import InvalidResponse


@total_ordering
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
class QueueStatus:
    """One queue's counts as read from Immich, whatever API generation served them."""

    name: str
    active: int
    waiting: int
    paused: int
    delayed: int
    failed: int
    is_paused: bool

    @property
    def runnable(self) -> int:
        """Jobs that would run now if the queue were resumed (a paused backlog sits in `paused`)."""
        return self.waiting + self.paused

    @property
    def pending(self) -> int:
        """Jobs not yet started, as Immich's own page counts them."""
        return self.waiting + self.paused + self.delayed

    @property
    def busy(self) -> bool:
        """Jobs are running right now (they keep running after a pause)."""
        return self.active > 0

    @property
    def has_work(self) -> bool:
        """Something to run or still running."""
        return self.runnable > 0 or self.busy


type Snapshot = Mapping[str, QueueStatus]
"""Every queue of one read, by name (names from newer releases included)."""


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
