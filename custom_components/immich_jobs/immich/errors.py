"""Every failure the client raises: a subclass of :class:`ImmichError`.

Each carries a ``reason`` (a short stable key a caller can map to a translated message) and,
when an HTTP answer was received, its ``status``. Messages never contain the API key.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, Literal

if TYPE_CHECKING:
    from .models import ServerVersion


class ImmichError(Exception):
    """Base of every error the client raises.

    ``reason`` is the translation key of the words a user reads (the integration has no other
    map from errors to keys) and ``placeholders`` fill them; ``status`` is the HTTP status when
    one was read.
    """

    reason: str = "unknown"

    def __init__(self, message: str = "", *, status: int | None = None) -> None:
        """Keep the message (already free of secrets) and the HTTP status."""
        super().__init__(message or self.__class__.__doc__ or self.reason)
        self.message = message
        self.status = status

    @property
    def placeholders(self) -> dict[str, str]:
        """Return what the translated words need besides the key (nothing, unless said)."""
        return {}


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

    @property
    def placeholders(self) -> dict[str, str]:
        """Name the missing permission."""
        return {"permission": self.permission}


class Unsupported(ImmichError):
    """The address does not offer what the client needs: an endpoint is absent (404, 405).

    The version check raises the two subclasses, which say why: :class:`NotImmich` (no Immich
    at all) and :class:`TooOld`. ``version`` is the detected server version when known.
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


class NotImmich(Unsupported):
    """The address answers, but it is not an Immich server.

    Every Immich release answers `/api/server/version` (v1.107+) or `/api/server-info/version`
    (every release before, back to v1.0): a server that has neither is something else, such as
    Home Assistant's own port or another web server.
    """

    reason = "not_immich"


class TooOld(Unsupported):
    """A real Immich, older than the oldest release the client speaks; ``version`` names it."""

    reason = "too_old"
    version: ServerVersion

    def __init__(self, message: str, *, version: ServerVersion) -> None:
        """Keep the version the user must upgrade from."""
        super().__init__(message, version=version)

    @property
    def placeholders(self) -> dict[str, str]:
        """Name the version the user must upgrade from."""
        return {"version": str(self.version)}


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

    @property
    def placeholders(self) -> dict[str, str]:
        """Quote Immich's own words."""
        return {"message": self.message}


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
