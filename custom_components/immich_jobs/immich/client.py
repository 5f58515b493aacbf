"""The Immich client: version, key access and queues, Immich v1.106 to v3.x.

Two API generations exist: the legacy ``/api/jobs`` (every version, still what Immich's own web
UI uses) and ``/api/queues`` (v2.4+, permission ``queue.read``/``queue.update``). The client
picks per operation what the server and the key allow, and normalises both into
:class:`~.models.QueueStatus`.
"""

from __future__ import annotations

import logging
import re
from typing import Final

from .access import PERMISSION_USER_READ, api_generations, grants, missing_permissions
from .errors import (
    CommandRejected,
    Forbidden,
    ImmichError,
    InvalidResponse,
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
from .parsing import (
    parse_legacy_jobs,
    parse_legacy_queue,
    parse_permissions,
    parse_queue,
    parse_queues,
    parse_user,
    parse_version,
)
from .transport import ImmichTransport

_LOGGER = logging.getLogger(__name__)

# Immich's queue names are camelCase identifiers; anything else never reaches the server.
_QUEUE_NAME_RE: Final = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,99}$")
# A queue name Immich rejects at validation, after its permission and admin checks: probing
# with it tells whether a command would be allowed without commanding anything.
_PROBE_QUEUE: Final = "immichJobsAccessProbe"


def _server_route(version: ServerVersion, name: str) -> str:
    """Return a public server route: `/server/*` from v1.107, `/server-info/*` before."""
    return f"/server/{name}" if version.at_least(1, 107) else f"/server-info/{name}"


def _check_name(name: str) -> None:
    """Refuse names that are not Immich queue names before they reach a URL."""
    if not _QUEUE_NAME_RE.fullmatch(name):
        raise CommandRejected(
            f"Invalid queue name: {name[:40]!r}", status=None, queue=None
        )


class ImmichClient(ImmichTransport):
    """Talks to one Immich server with one API key.

    The server version (and, on v2.4+, the key's permissions) is detected on first use and kept;
    :meth:`async_get_version` forgets both when the version changed (an upgrade) and
    :meth:`async_get_access` reads them again (a key change).
    """

    _version: ServerVersion | None = None
    _permissions: frozenset[str] | None = None
    _read_api: ApiGeneration | None = None
    _control_api: ApiGeneration | None = None

    @property
    def version(self) -> ServerVersion | None:
        """The version detected last, if any."""
        return self._version

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
                raise NotImmich(
                    "no Immich version endpoint: this address answers, but not as Immich",
                    status=err.status,
                ) from err
        version = parse_version(body)
        if version < MIN_VERSION:
            raise TooOld(
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
        body = await self._request("GET", _server_route(version, "config"), auth=False)
        if not isinstance(body, dict):
            raise InvalidResponse("server config is not an object")
        return body.get("maintenanceMode") is True

    async def async_get_server_info(self) -> ServerInfo:
        """Read the version, maintenance mode and enabled features (no credentials needed)."""
        version = await self.async_get_version()
        maintenance = await self._get_config()
        body = await self._request(
            "GET", _server_route(version, "features"), auth=False
        )
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
        permissions = self._permissions
        if permissions is None and version.at_least(2, 4):
            permissions = await self._get_permissions()
        self._read_api, self._control_api = api_generations(version, permissions)
        return self._read_api, self._control_api

    async def async_get_user(self) -> ImmichUser | None:
        """Read the key's user; None when the key may not (user.read is optional)."""
        try:
            return parse_user(await self._request("GET", "/users/me"))
        except Forbidden:
            return None

    async def _user_is_admin(self) -> bool | None:
        """Tell from `users/me` whether the key is an admin's; None when it may not say."""
        user = await self.async_get_user()
        return None if user is None else user.is_admin

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
                is_admin = await self._user_is_admin()
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
        missing_read, missing_control = missing_permissions(permissions, read_api)
        is_admin: bool | None = None
        if not missing_read:
            # Every queue endpoint is admin-only: a read proves or disproves it.
            try:
                await self._read(read_api)
                is_admin = True
            except NotAdmin:
                is_admin = False
        if is_admin is None and grants(permissions, PERMISSION_USER_READ):
            is_admin = await self._user_is_admin()
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

    async def _read(self, api: ApiGeneration) -> dict[str, QueueStatus]:
        """Read every queue through one API generation, without falling back."""
        if api is ApiGeneration.QUEUES:
            return parse_queues(await self._request("GET", "/queues"))
        return parse_legacy_jobs(await self._request("GET", "/jobs"))

    async def async_get_queues(self) -> Snapshot:
        """Read every queue's counts, through the best API the server and key allow."""
        read_api, _ = await self._apis()
        if read_api is ApiGeneration.QUEUES:
            try:
                return await self._read(ApiGeneration.QUEUES)
            except (MissingPermission, Unsupported):
                # The key lost queue.read, or the server was downgraded: the legacy API stays.
                _LOGGER.debug("GET /queues refused, falling back to GET /jobs")
                self._read_api = ApiGeneration.LEGACY
        return await self._read(ApiGeneration.LEGACY)

    async def _legacy_command(
        self, name: str, command: str, *, force: bool
    ) -> QueueStatus:
        _check_name(name)
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
        return await self._legacy_command(name, "start", force=force)

    async def async_clear_failed(self, name: str) -> QueueStatus:
        """Remove the queue's failed jobs."""
        return await self._legacy_command(name, "clear-failed", force=False)
