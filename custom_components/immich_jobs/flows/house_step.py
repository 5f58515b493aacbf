"""The options' "work when it suits the house" step: its form, and its answers as options.

Field keys are static (translations need them), so per-queue conditions and never-together
groups are numbered rows; in the options they are stored by queue and as lists of queues
(conditions.py, uploads.py and groups.py read them).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
import math
from typing import Any

from homeassistant.helpers.selector import (
    BooleanSelector,
    EntitySelector,
    EntitySelectorConfig,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
)

from ..compat import vol
from ..const import (
    CONF_CONDITION_ENTITY,
    CONF_CONDITION_MIN_MINUTES,
    CONF_CONDITION_WORK_WHEN,
    CONF_HEAVY_QUEUES,
    CONF_NEVER_TOGETHER,
    CONF_QUEUE_CONDITIONS,
    CONF_SERVER_CONDITION,
    CONF_UPLOAD_MAX_HOLD_MINUTES,
    CONF_UPLOAD_QUIET,
    CONF_UPLOAD_QUIET_MINUTES,
    DEFAULT_CONDITION_MIN_MINUTES,
    DEFAULT_UPLOAD_MAX_HOLD_MINUTES,
    DEFAULT_UPLOAD_QUIET,
    DEFAULT_UPLOAD_QUIET_MINUTES,
    MAX_CONDITION_MIN_MINUTES,
    MAX_UPLOAD_MAX_HOLD_MINUTES,
    MAX_UPLOAD_QUIET_MINUTES,
    MIN_CONDITION_MIN_MINUTES,
    MIN_UPLOAD_MAX_HOLD_MINUTES,
    MIN_UPLOAD_QUIET_MINUTES,
)
from ..engine.house.conditions import CONDITION_DOMAINS, OFF, ON
from ..engine.house.groups import validate_groups
from ..engine.house.uploads import DEFAULT_HEAVY_QUEUES, UPLOAD_PATH, validate_heavy
from ..engine.queues import queue_display_name

# How many per-queue conditions and never-together groups the form offers.
ROWS = 3
SERVER_ENTITY = "server_condition"
SERVER_WORK_WHEN = "server_condition_work_when"
ROW_ENTITY = "condition_{}_entity"
ROW_WORK_WHEN = "condition_{}_work_when"
ROW_QUEUES = "condition_{}_queues"
GROUP = "never_together_{}"


@dataclass(frozen=True, slots=True)
class HouseError:
    """Why the answers cannot be saved: a field (or "base"), a translation key, the queue."""

    field: str
    key: str
    queue: str = ""


def _queues(queues: Sequence[str]) -> SelectSelector:
    return SelectSelector(
        SelectSelectorConfig(
            options=[
                SelectOptionDict(value=q, label=queue_display_name(q)) for q in queues
            ],
            multiple=True,
            mode=SelectSelectorMode.DROPDOWN,
        )
    )


def _minutes(low: int, high: int) -> NumberSelector:
    return NumberSelector(
        NumberSelectorConfig(
            min=low,
            max=high,
            step=1,
            unit_of_measurement="min",
            mode=NumberSelectorMode.BOX,
        )
    )


def house_schema(managed: Sequence[str]) -> vol.Schema:
    """Return the step's form for these managed queues (values come as suggestions)."""
    entity = EntitySelector(EntitySelectorConfig(domain=list(CONDITION_DOMAINS)))
    work_when = SelectSelector(
        SelectSelectorConfig(options=[ON, OFF], translation_key="work_when")
    )
    fields: dict[vol.Marker, Any] = {
        vol.Optional(SERVER_ENTITY): entity,
        vol.Required(SERVER_WORK_WHEN, default=ON): work_when,
    }
    for row in range(1, ROWS + 1):
        fields[vol.Optional(ROW_ENTITY.format(row))] = entity
        fields[vol.Required(ROW_WORK_WHEN.format(row), default=ON)] = work_when
        fields[vol.Optional(ROW_QUEUES.format(row))] = _queues(managed)
    fields[
        vol.Required(CONF_CONDITION_MIN_MINUTES, default=DEFAULT_CONDITION_MIN_MINUTES)
    ] = _minutes(MIN_CONDITION_MIN_MINUTES, MAX_CONDITION_MIN_MINUTES)
    fields[vol.Required(CONF_UPLOAD_QUIET, default=DEFAULT_UPLOAD_QUIET)] = (
        BooleanSelector()
    )
    fields[vol.Optional(CONF_HEAVY_QUEUES)] = _queues(
        [q for q in managed if q not in UPLOAD_PATH]
    )
    fields[
        vol.Required(CONF_UPLOAD_QUIET_MINUTES, default=DEFAULT_UPLOAD_QUIET_MINUTES)
    ] = _minutes(MIN_UPLOAD_QUIET_MINUTES, MAX_UPLOAD_QUIET_MINUTES)
    fields[
        vol.Required(
            CONF_UPLOAD_MAX_HOLD_MINUTES, default=DEFAULT_UPLOAD_MAX_HOLD_MINUTES
        )
    ] = _minutes(MIN_UPLOAD_MAX_HOLD_MINUTES, MAX_UPLOAD_MAX_HOLD_MINUTES)
    for row in range(1, ROWS + 1):
        fields[vol.Optional(GROUP.format(row))] = _queues(managed)
    return vol.Schema(fields)


def house_suggestions(
    options: Mapping[str, Any], managed: Sequence[str]
) -> dict[str, Any]:
    """Return the form's values from the options (queues no longer managed left out)."""
    known = set(managed)
    values: dict[str, Any] = {}
    server = options.get(CONF_SERVER_CONDITION)
    if isinstance(server, Mapping) and server.get(CONF_CONDITION_ENTITY):
        values[SERVER_ENTITY] = server[CONF_CONDITION_ENTITY]
        values[SERVER_WORK_WHEN] = server.get(CONF_CONDITION_WORK_WHEN, ON)
    rows: dict[tuple[str, str], list[str]] = {}
    for queue, condition in dict(options.get(CONF_QUEUE_CONDITIONS) or {}).items():
        if queue in known and isinstance(condition, Mapping):
            pair = (
                condition.get(CONF_CONDITION_ENTITY, ""),
                condition.get(CONF_CONDITION_WORK_WHEN, ON),
            )
            rows.setdefault(pair, []).append(queue)
    for row, ((entity_id, work_when), queues) in enumerate(
        list(rows.items())[:ROWS], start=1
    ):
        values[ROW_ENTITY.format(row)] = entity_id
        values[ROW_WORK_WHEN.format(row)] = work_when
        values[ROW_QUEUES.format(row)] = [q for q in managed if q in queues]
    for key in (
        CONF_CONDITION_MIN_MINUTES,
        CONF_UPLOAD_QUIET,
        CONF_UPLOAD_QUIET_MINUTES,
        CONF_UPLOAD_MAX_HOLD_MINUTES,
    ):
        if key in options:
            values[key] = options[key]
    heavy = options.get(CONF_HEAVY_QUEUES, DEFAULT_HEAVY_QUEUES)
    values[CONF_HEAVY_QUEUES] = [
        q for q in managed if q in heavy and q not in UPLOAD_PATH
    ]
    for row, group in enumerate(list(options.get(CONF_NEVER_TOGETHER) or [])[:ROWS]):
        values[GROUP.format(row + 1)] = [q for q in managed if q in group]
    return values


def whole_number(value: float) -> int | None:
    """Return a number field as an int; None for a fraction or NaN (the range check lets NaN by)."""
    if not math.isfinite(value) or value != int(value):
        return None
    return int(value)


def house_options(
    answers: Mapping[str, Any], managed: Sequence[str]
) -> tuple[dict[str, Any], HouseError | None]:
    """Turn the step's answers into options, or say what is wrong with them."""
    options: dict[str, Any] = {}
    if entity_id := answers.get(SERVER_ENTITY):
        options[CONF_SERVER_CONDITION] = {
            CONF_CONDITION_ENTITY: entity_id,
            CONF_CONDITION_WORK_WHEN: answers.get(SERVER_WORK_WHEN, ON),
        }
    per_queue: dict[str, dict[str, Any]] = {}
    for row in range(1, ROWS + 1):
        entity_id = answers.get(ROW_ENTITY.format(row))
        queues = list(answers.get(ROW_QUEUES.format(row)) or [])
        if entity_id and not queues:
            return {}, HouseError(ROW_QUEUES.format(row), "condition_no_queues")
        if queues and not entity_id:
            return {}, HouseError(ROW_ENTITY.format(row), "condition_no_entity")
        for queue in queues:
            if queue in per_queue:
                return {}, HouseError("base", "condition_queue_twice", queue)
            per_queue[queue] = {
                CONF_CONDITION_ENTITY: entity_id,
                CONF_CONDITION_WORK_WHEN: answers.get(ROW_WORK_WHEN.format(row), ON),
            }
    if per_queue:
        options[CONF_QUEUE_CONDITIONS] = per_queue
    for key in (
        CONF_CONDITION_MIN_MINUTES,
        CONF_UPLOAD_QUIET_MINUTES,
        CONF_UPLOAD_MAX_HOLD_MINUTES,
    ):
        if (minutes := whole_number(answers[key])) is None:
            return {}, HouseError(key, "whole_number")
        options[key] = minutes
    options[CONF_UPLOAD_QUIET] = bool(answers.get(CONF_UPLOAD_QUIET))
    heavy = list(answers.get(CONF_HEAVY_QUEUES) or [])
    if heavy_error := validate_heavy(heavy):
        return {}, HouseError(CONF_HEAVY_QUEUES, heavy_error)
    options[CONF_HEAVY_QUEUES] = heavy
    groups = [
        list(group)
        for row in range(1, ROWS + 1)
        if (group := answers.get(GROUP.format(row)))
    ]
    if error := validate_groups(groups, managed):
        return {}, HouseError("base", error.key, error.queue)
    options[CONF_NEVER_TOGETHER] = groups
    return options, None
