"""Config flow: connect one Immich server, re-authenticate, reconfigure, and set the options."""

from __future__ import annotations

from collections.abc import Mapping
import re
from typing import Any

from yarl import URL

from homeassistant.config_entries import ConfigEntry, ConfigFlow, ConfigFlowResult
from homeassistant.const import CONF_API_KEY, CONF_URL, CONF_VERIFY_SSL
from homeassistant.core import callback
from homeassistant.helpers.selector import (
    BooleanSelector,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)

from .compat import vol
from .const import DOMAIN, LOGGER
from .flows.options import ImmichJobsOptionsFlow
from .immich import (
    CannotConnect,
    Forbidden,
    ImmichError,
    InvalidAuth,
    InvalidResponse,
    InvalidUrl,
    KeyAccess,
    MaintenanceMode,
    NotAdmin,
    Unsupported,
    normalize_url,
)
from .runtime.client import create_client

CONNECTION_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_URL): TextSelector(
            TextSelectorConfig(type=TextSelectorType.URL, autocomplete="url")
        ),
        vol.Required(CONF_API_KEY): TextSelector(
            TextSelectorConfig(type=TextSelectorType.PASSWORD)
        ),
        vol.Required(CONF_VERIFY_SSL, default=True): BooleanSelector(),
    }
)
REAUTH_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_API_KEY): TextSelector(
            TextSelectorConfig(type=TextSelectorType.PASSWORD)
        )
    }
)
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class CheckFailed(Exception):
    """A check failed: `field` is the form field to mark, `error` the translation key."""

    def __init__(self, error: str, field: str = "base", **placeholders: str) -> None:
        """Keep where and what to show."""
        super().__init__(error)
        self.error = error
        self.field = field
        self.placeholders = placeholders


def _describe_access(access: KeyAccess) -> None:
    """Refuse a key that cannot read and control the queues, saying what it lacks."""
    if access.is_admin is False:
        raise CheckFailed("not_admin", CONF_API_KEY)
    missing = sorted({*access.missing_read, *access.missing_control})
    if missing:
        raise CheckFailed(
            "missing_permissions", CONF_API_KEY, permissions=", ".join(missing)
        )


class ImmichJobsConfigFlow(ConfigFlow, domain=DOMAIN):
    """Ask for the server and an API key, and check both before saving anything."""

    VERSION = 1
    # 1.2: the limit lives in the Store (the number), not in the options.
    MINOR_VERSION = 2

    async def _async_check(
        self, url: str, api_key: str, verify_ssl: bool
    ) -> tuple[str, str]:
        """Check the server and the key; return the base URL and the server's identity.

        The identity is the admin user's id when the key may read it (it survives a change of
        address), otherwise the server's base URL.
        """
        try:
            base = normalize_url(url)
        except InvalidUrl as err:
            raise CheckFailed(err.reason, CONF_URL) from err
        client = create_client(self.hass, base, api_key, verify_ssl)
        try:
            access = await client.async_get_access()
            _describe_access(access)
            user = await client.async_get_user()
        except (InvalidAuth, NotAdmin) as err:
            raise CheckFailed(err.reason, CONF_API_KEY, **err.placeholders) from err
        except (
            CannotConnect,
            Unsupported,
            MaintenanceMode,
            InvalidResponse,
            Forbidden,
        ) as err:
            # The error names its own words (immich/errors.py); this step adds the field.
            raise CheckFailed(err.reason, **err.placeholders) from err
        except ImmichError as err:
            LOGGER.debug("Immich refused the check: %s", err)
            raise CheckFailed("unknown") from err
        return base, user.id if user is not None else base

    async def _async_form_errors(
        self, user_input: Mapping[str, Any]
    ) -> tuple[dict[str, str], dict[str, str], tuple[str, str] | None]:
        """Run the checks; return (errors, placeholders, (base URL, identity) or None)."""
        try:
            result = await self._async_check(
                user_input[CONF_URL],
                user_input[CONF_API_KEY],
                user_input[CONF_VERIFY_SSL],
            )
        except CheckFailed as err:
            return {err.field: err.error}, err.placeholders, None
        except Exception:  # noqa: BLE001 - a flow must always answer the user
            LOGGER.exception("Unexpected error while checking Immich")
            return {"base": "unknown"}, {}, None
        return {}, {}, result

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Take the URL and key from the user."""
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        if user_input is not None:
            errors, placeholders, result = await self._async_form_errors(user_input)
            if result is not None:
                base, identity = result
                await self.async_set_unique_id(identity)
                self._abort_if_unique_id_configured()
                self._async_abort_entries_match({CONF_URL: base})
                return self.async_create_entry(
                    title=entry_title(base),
                    data={**user_input, CONF_URL: base},
                )
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(
                CONNECTION_SCHEMA, _without_key(user_input)
            ),
            errors=errors,
            description_placeholders=placeholders or {"permissions": ""},
        )

    async def async_step_reauth(
        self, entry_data: Mapping[str, Any]
    ) -> ConfigFlowResult:
        """Immich stopped accepting the key: ask for a new one."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Take a new key for the same server."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {"title": entry.title, "permissions": ""}
        if user_input is not None:
            errors, extra, result = await self._async_form_errors(
                {**entry.data, **user_input}
            )
            placeholders.update(extra)
            if result is not None:
                _, identity = result
                await self._abort_if_other_account(entry, identity)
                return self.async_update_reload_and_abort(
                    entry, data_updates={CONF_API_KEY: user_input[CONF_API_KEY]}
                )
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=REAUTH_SCHEMA,
            errors=errors,
            description_placeholders=placeholders,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the address, the key or the certificate check."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {"permissions": ""}
        if user_input is not None:
            errors, placeholders, result = await self._async_form_errors(user_input)
            if result is not None:
                base, identity = result
                await self._abort_if_other_account(entry, identity)
                # The entry keeps its unique id: entities and the device are keyed on it.
                # A title the user did not choose follows the new address.
                title = (
                    entry_title(base)
                    if entry.title == entry_title(entry.data[CONF_URL])
                    else entry.title
                )
                return self.async_update_reload_and_abort(
                    entry, title=title, data_updates={**user_input, CONF_URL: base}
                )
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                CONNECTION_SCHEMA, _without_key(user_input or dict(entry.data))
            ),
            errors=errors,
            description_placeholders=placeholders or {"permissions": ""},
        )

    async def _abort_if_other_account(self, entry: ConfigEntry, identity: str) -> None:
        """Refuse a key of another server or another admin, when both ids are known."""
        if (
            entry.unique_id
            and _UUID.fullmatch(entry.unique_id)
            and _UUID.fullmatch(identity)
        ):
            await self.async_set_unique_id(identity, raise_on_progress=False)
            self._abort_if_unique_id_mismatch(reason="wrong_server")

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> ImmichJobsOptionsFlow:
        """Options: the limit, polling, policy, managed queues and their priority."""
        return ImmichJobsOptionsFlow()


def entry_title(base: str) -> str:
    """Name a server by its host, and its port unless the scheme's default one.

    Two Immich servers on one host (ports 2283 and 2284) get different titles, device names
    and entries in the actions' server drop-down.
    """
    return f"Immich ({URL(base).host_port_subcomponent})"


def _without_key(user_input: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Never echo the API key back into a form."""
    if user_input is None:
        return None
    return {key: value for key, value in user_input.items() if key != CONF_API_KEY}
