"""Options flow: the scheduling rules, the priority of the managed queues, then the house."""

from __future__ import annotations

from typing import Any, cast

from homeassistant.config_entries import ConfigEntryState, ConfigFlowResult, OptionsFlow
from homeassistant.helpers.selector import (
    BooleanSelector,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
)

from ..compat import vol
from ..const import (
    CONF_EXPRESS_LANE,
    CONF_EXPRESS_MAX_JOBS,
    CONF_MANAGED_QUEUES,
    CONF_MAX_RUNNING,
    CONF_POLICY,
    CONF_POLL_INTERVAL,
    CONF_PRIORITY,
    DEFAULT_EXPRESS_MAX_JOBS,
    DEFAULT_POLL_INTERVAL,
    MAX_EXPRESS_MAX_JOBS,
    MAX_MAX_RUNNING,
    MAX_POLL_INTERVAL,
    MIN_POLL_INTERVAL,
    POLICIES,
)
from ..engine.queues import (
    DEFAULT_MANAGED,
    DEFAULT_PRIORITY,
    is_manageable,
    queue_display_name,
)
from ..engine.settings import Settings
from .house_step import (
    house_options,
    house_schema,
    house_suggestions,
    in_range,
    number_box,
    whole_number,
)

PRIORITY_FIELD = "priority_{}"
# The first step's numbers: their ranges, and the error naming the range.
NUMBERS = {
    CONF_MAX_RUNNING: (0, MAX_MAX_RUNNING),
    CONF_POLL_INTERVAL: (MIN_POLL_INTERVAL, MAX_POLL_INTERVAL),
    CONF_EXPRESS_MAX_JOBS: (1, MAX_EXPRESS_MAX_JOBS),
}


class ImmichJobsOptionsFlow(OptionsFlow):
    """Three steps: the rules, the priority of the managed queues, the house."""

    def __init__(self) -> None:
        """Hold the first steps' answers until the last."""
        self._options: dict[str, Any] = {}
        self._order: list[str] = []

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
                key: whole_number(user_input[key])
                for key in NUMBERS
                if key in user_input
            }
            errors.update(
                (key, "whole_number") for key, value in numbers.items() if value is None
            )
            errors.update(
                (key, f"{key}_range")
                for key in numbers
                if not in_range(user_input[key], *NUMBERS[key])
            )
            if not user_input[CONF_MANAGED_QUEUES]:
                errors[CONF_MANAGED_QUEUES] = "no_managed_queues"
            if not errors:
                self._options = {**user_input, **numbers}
                return await self._async_step_order()
        managed_default = [
            q for q in options.get(CONF_MANAGED_QUEUES, DEFAULT_MANAGED) if q in queues
        ]
        # The limit is the running integration's (the number entity shows the same value):
        # an entry that is not loaded has none to show or change.
        limit: dict[vol.Marker, Any] = {}
        if self.config_entry.state is ConfigEntryState.LOADED:
            limit[
                vol.Required(
                    CONF_MAX_RUNNING,
                    default=self.config_entry.runtime_data.max_running,
                )
            ] = number_box(*NUMBERS[CONF_MAX_RUNNING])
        schema = vol.Schema(
            {
                **limit,
                vol.Required(
                    CONF_POLL_INTERVAL,
                    default=options.get(CONF_POLL_INTERVAL, DEFAULT_POLL_INTERVAL),
                ): number_box(*NUMBERS[CONF_POLL_INTERVAL], "s"),
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
                ): number_box(*NUMBERS[CONF_EXPRESS_MAX_JOBS]),
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
            description_placeholders={
                f"{key}_{end}": str(limit)
                for key, limits in NUMBERS.items()
                for end, limit in zip(("min", "max"), limits, strict=True)
            },
        )

    async def _async_step_order(self) -> ConfigFlowResult:
        """Go to the priority step this Home Assistant can show best."""
        if _reorder_supported():
            return await self.async_step_priority_list()
        return await self.async_step_priority()

    def _ranked(self) -> list[str]:
        """Return the managed queues in their current order (new ones last)."""
        managed: list[str] = self._options[CONF_MANAGED_QUEUES]
        current = self._current_priority()
        return [q for q in current if q in managed] + [
            q for q in managed if q not in current
        ]

    def _current_priority(self) -> list[str]:
        return list(Settings.from_options(self.config_entry.options).policy.priority)

    async def async_step_priority_list(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Order the managed queues by dragging them (a select selector with `reorder`)."""
        ranked = self._ranked()
        errors: dict[str, str] = {}
        placeholders = {"duplicates": "", "missing": ""}
        if user_input is not None:
            chosen: list[str] = user_input[CONF_PRIORITY]
            if problem := _order_problem(ranked, chosen):
                errors["base"], placeholders = problem
            else:
                self._order = chosen
                return await self.async_step_house()
        schema = vol.Schema(
            {
                vol.Required(CONF_PRIORITY, default=ranked): SelectSelector(
                    cast(
                        "SelectSelectorConfig",
                        {
                            "options": _choices(ranked),
                            "multiple": True,
                            "reorder": True,
                            "mode": SelectSelectorMode.LIST,
                        },
                    )
                )
            }
        )
        return self.async_show_form(
            step_id="priority_list",
            data_schema=self.add_suggested_values_to_schema(schema, user_input),
            errors=errors,
            description_placeholders=placeholders,
        )

    async def async_step_priority(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Order the managed queues with one drop-down per rank.

        Choosing a queue at another rank moves it there and shifts the queues in between, so
        moving the 9th queue to 1st is one change. Several changes must form an order.
        """
        ranked = self._ranked()
        errors: dict[str, str] = {}
        placeholders = {"duplicates": "", "missing": ""}
        if user_input is not None:
            chosen = [
                user_input[PRIORITY_FIELD.format(rank + 1)]
                for rank in range(len(ranked))
            ]
            order = _apply_ranks(ranked, chosen)
            if problem := _order_problem(ranked, order):
                errors["base"], placeholders = problem
            else:
                self._order = order
                return await self.async_step_house()
        schema = vol.Schema(
            {
                vol.Required(
                    PRIORITY_FIELD.format(rank + 1), default=queue
                ): SelectSelector(
                    SelectSelectorConfig(
                        options=_choices(ranked), mode=SelectSelectorMode.DROPDOWN
                    )
                )
                for rank, queue in enumerate(ranked)
            }
        )
        return self.async_show_form(
            step_id="priority",
            data_schema=self.add_suggested_values_to_schema(schema, user_input),
            errors=errors,
            description_placeholders=placeholders,
        )

    async def async_step_house(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask when work suits the house: conditions, the quiet period, never-together groups."""
        managed = self._order
        errors: dict[str, str] = {}
        placeholders = {"queue": "", "min": "", "max": ""}
        where = ""
        if user_input is not None:
            house, error = house_options(user_input, managed)
            if error is None:
                return await self._async_save(self._order, house)
            where = error.field
            errors[where] = error.key
            placeholders = {
                "queue": queue_display_name(error.queue),
                "min": str(error.low),
                "max": str(error.high),
            }
        values = user_input or house_suggestions(self.config_entry.options, managed)
        return self.async_show_form(
            step_id="house",
            data_schema=self.add_suggested_values_to_schema(
                house_schema(managed, values, open_section=where), values
            ),
            errors=errors,
            description_placeholders=placeholders,
        )

    async def _async_save(
        self, order: list[str], house: dict[str, Any]
    ) -> ConfigFlowResult:
        """Save the rules, the order and the house; apply them at once.

        The entry is reloaded if the managed set changed (entities follow it).
        """
        managed: list[str] = self._options[CONF_MANAGED_QUEUES]
        rest = [q for q in self._current_priority() if q not in order]
        options = {**self._options, CONF_PRIORITY: order + rest, **house}
        limit = options.pop(CONF_MAX_RUNNING, None)
        entry = self.config_entry
        reload = (
            frozenset(managed) != Settings.from_options(entry.options).policy.managed
        )
        # Saved here rather than when the flow ends, so that they apply at once.
        self.hass.config_entries.async_update_entry(entry, options=options)
        if entry.state is ConfigEntryState.LOADED:
            coordinator = entry.runtime_data
            if limit is not None and limit != coordinator.max_running:
                coordinator.async_set_limit_soon(limit)
            if not reload:
                await coordinator.async_request_refresh()
        if reload:
            # Entities follow the managed set: they are made at set-up.
            self.hass.config_entries.async_schedule_reload(entry.entry_id)
        return self.async_create_entry(data=options)


def _choices(queues: list[str]) -> list[SelectOptionDict]:
    return [SelectOptionDict(value=q, label=queue_display_name(q)) for q in queues]


def _reorder_supported() -> bool:
    """Tell whether this Home Assistant's select selector takes `reorder` (drag and drop).

    Home Assistant 2025.4 (and 2026.2) refuse the key; the drop-downs are the fallback.
    """
    try:
        SelectSelector(
            cast(
                "SelectSelectorConfig",
                {"options": ["queue"], "multiple": True, "reorder": True},
            )
        )
    except vol.Invalid:
        return False
    return True


def _apply_ranks(ranked: list[str], chosen: list[str]) -> list[str]:
    """Read the rank drop-downs: one changed rank moves that queue there; else as chosen."""
    changed = [
        (rank, queue) for rank, queue in enumerate(chosen) if queue != ranked[rank]
    ]
    if len(changed) != 1:
        return chosen
    rank, queue = changed[0]
    order = [q for q in ranked if q != queue]
    order.insert(rank, queue)
    return order


def _order_problem(
    ranked: list[str], order: list[str]
) -> tuple[str, dict[str, str]] | None:
    """Name the queues chosen twice and those left out, in words; None for a valid order."""
    if sorted(order) == sorted(ranked):
        return None
    duplicates = sorted({q for q in order if order.count(q) > 1}, key=order.index)
    missing = [q for q in ranked if q not in order]
    placeholders = {
        "duplicates": ", ".join(queue_display_name(q) for q in duplicates),
        "missing": ", ".join(queue_display_name(q) for q in missing),
    }
    return ("priority_duplicate" if duplicates else "priority_missing"), placeholders
