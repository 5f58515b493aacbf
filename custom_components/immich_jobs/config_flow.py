"""Config flow: connect one Immich server, re-authenticate, reconfigure, and set the options."""

from __future__ import annotations

from collections.abc import Mapping
import math
import re
from typing import Any

from yarl import URL

from homeassistant.config_entries import (
    ConfigEntry,
    ConfigEntryState,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlow,
)
from homeassistant.const import CONF_API_KEY, CONF_URL, CONF_VERIFY_SSL
from homeassistant.core import callback
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)

from . import create_client
from .api import (
    CannotConnect,
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
from .compat import vol
from .const import (
    CONF_EXPRESS_LANE,
    CONF_EXPRESS_MAX_JOBS,
    CONF_MANAGED_QUEUES,
    CONF_MAX_RUNNING,
    CONF_POLICY,
    CONF_POLL_INTERVAL,
    CONF_PRIORITY,
    DEFAULT_EXPRESS_MAX_JOBS,
    DEFAULT_MAX_RUNNING,
    DEFAULT_POLL_INTERVAL,
    DOMAIN,
    LOGGER,
    MAX_EXPRESS_MAX_JOBS,
    MAX_MAX_RUNNING,
    MAX_POLL_INTERVAL,
    MIN_POLL_INTERVAL,
    POLICIES,
)
from .queues import DEFAULT_MANAGED, DEFAULT_PRIORITY, is_manageable, queue_display_name

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
PRIORITY_FIELD = "priority_{}"


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
        except CannotConnect as err:
            raise CheckFailed(err.reason) from err
        except InvalidAuth as err:
            raise CheckFailed("invalid_auth", CONF_API_KEY) from err
        except NotAdmin as err:
            raise CheckFailed("not_admin", CONF_API_KEY) from err
        except Unsupported as err:
            raise CheckFailed("unsupported_version") from err
        except MaintenanceMode as err:
            raise CheckFailed("maintenance") from err
        except InvalidResponse as err:
            raise CheckFailed("invalid_response") from err
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
                    title=f"Immich ({URL(base).host})",
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
                return self.async_update_reload_and_abort(
                    entry, data_updates={**user_input, CONF_URL: base}
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


def _without_key(user_input: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Never echo the API key back into a form."""
    if user_input is None:
        return None
    return {key: value for key, value in user_input.items() if key != CONF_API_KEY}


class ImmichJobsOptionsFlow(OptionsFlow):
    """Two steps: the rules, then the priority of the managed queues."""

    def __init__(self) -> None:
        """Hold the first step's answers until the second."""
        self._options: dict[str, Any] = {}

    def _queues(self) -> list[str]:
        """List the manageable queues this server has (all known ones when it cannot be read)."""
        entry = self.config_entry
        present = (
            list(entry.runtime_data.data.queues)
            if entry.state is ConfigEntryState.LOADED
            else []
        )
        known = list(DEFAULT_PRIORITY) + [
            q for q in present if q not in DEFAULT_PRIORITY
        ]
        return [q for q in known if is_manageable(q) and (not present or q in present)]

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the limit, polling interval, policy, express lane and managed queues."""
        queues = self._queues()
        options = self.config_entry.options
        errors: dict[str, str] = {}
        if user_input is not None:
            numbers = {
                key: _whole_number(user_input[key])
                for key in (CONF_MAX_RUNNING, CONF_POLL_INTERVAL, CONF_EXPRESS_MAX_JOBS)
            }
            errors.update(
                (key, "whole_number") for key, value in numbers.items() if value is None
            )
            if not user_input[CONF_MANAGED_QUEUES]:
                errors[CONF_MANAGED_QUEUES] = "no_managed_queues"
            if not errors:
                self._options = {**user_input, **numbers}
                return await self.async_step_priority()
        managed_default = [
            q for q in options.get(CONF_MANAGED_QUEUES, DEFAULT_MANAGED) if q in queues
        ]
        schema = vol.Schema(
            {
                vol.Required(
                    CONF_MAX_RUNNING,
                    default=options.get(CONF_MAX_RUNNING, DEFAULT_MAX_RUNNING),
                ): NumberSelector(
                    NumberSelectorConfig(
                        min=0, max=MAX_MAX_RUNNING, step=1, mode=NumberSelectorMode.BOX
                    )
                ),
                vol.Required(
                    CONF_POLL_INTERVAL,
                    default=options.get(CONF_POLL_INTERVAL, DEFAULT_POLL_INTERVAL),
                ): NumberSelector(
                    NumberSelectorConfig(
                        min=MIN_POLL_INTERVAL,
                        max=MAX_POLL_INTERVAL,
                        step=1,
                        unit_of_measurement="s",
                        mode=NumberSelectorMode.BOX,
                    )
                ),
                vol.Required(
                    CONF_POLICY, default=options.get(CONF_POLICY, POLICIES[0])
                ): SelectSelector(
                    SelectSelectorConfig(
                        options=list(POLICIES), translation_key="policy"
                    )
                ),
                vol.Required(
                    CONF_EXPRESS_LANE, default=options.get(CONF_EXPRESS_LANE, True)
                ): BooleanSelector(),
                vol.Required(
                    CONF_EXPRESS_MAX_JOBS,
                    default=options.get(
                        CONF_EXPRESS_MAX_JOBS, DEFAULT_EXPRESS_MAX_JOBS
                    ),
                ): NumberSelector(
                    NumberSelectorConfig(
                        min=1,
                        max=MAX_EXPRESS_MAX_JOBS,
                        step=1,
                        mode=NumberSelectorMode.BOX,
                    )
                ),
                vol.Required(
                    CONF_MANAGED_QUEUES, default=managed_default
                ): SelectSelector(
                    SelectSelectorConfig(
                        options=[
                            SelectOptionDict(value=q, label=queue_display_name(q))
                            for q in queues
                        ],
                        multiple=True,
                        mode=SelectSelectorMode.LIST,
                    )
                ),
            }
        )
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(schema, user_input),
            errors=errors,
        )

    async def async_step_priority(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Order the managed queues: one drop-down per rank, each queue exactly once."""
        managed: list[str] = self._options[CONF_MANAGED_QUEUES]
        current = list(self.config_entry.options.get(CONF_PRIORITY, DEFAULT_PRIORITY))
        ranked = [q for q in current if q in managed] + [
            q for q in managed if q not in current
        ]
        errors: dict[str, str] = {}
        if user_input is not None:
            chosen = [
                user_input[PRIORITY_FIELD.format(rank + 1)]
                for rank in range(len(ranked))
            ]
            if sorted(chosen) != sorted(ranked):
                errors["base"] = "priority_not_a_permutation"
            else:
                rest = [q for q in current if q not in chosen]
                options = {**self._options, CONF_PRIORITY: chosen + rest}
                entry = self.config_entry
                if entry.state is ConfigEntryState.LOADED and options.get(
                    CONF_MAX_RUNNING
                ) != entry.options.get(CONF_MAX_RUNNING, DEFAULT_MAX_RUNNING):
                    entry.runtime_data.async_limit_set_by_user()
                if set(managed) != set(
                    entry.options.get(CONF_MANAGED_QUEUES, DEFAULT_MANAGED)
                ):
                    # Entities follow the managed set: they are made at set-up.
                    self.hass.config_entries.async_schedule_reload(entry.entry_id)
                elif entry.state is ConfigEntryState.LOADED:
                    # No update listener (it would clash with reconfigure's reload): the
                    # coordinator reads the options each cycle; run one once they are saved.
                    entry.runtime_data.async_refresh_soon()
                return self.async_create_entry(data=options)
        choices = [
            SelectOptionDict(value=q, label=queue_display_name(q)) for q in ranked
        ]
        schema = vol.Schema(
            {
                vol.Required(
                    PRIORITY_FIELD.format(rank + 1), default=queue
                ): SelectSelector(
                    SelectSelectorConfig(
                        options=choices, mode=SelectSelectorMode.DROPDOWN
                    )
                )
                for rank, queue in enumerate(ranked)
            }
        )
        return self.async_show_form(
            step_id="priority",
            data_schema=self.add_suggested_values_to_schema(schema, user_input),
            errors=errors,
        )


def _whole_number(value: float) -> int | None:
    """Return a number field as an int; None for a fraction or NaN (the range check lets NaN by)."""
    if not math.isfinite(value) or value != int(value):
        return None
    return int(value)
