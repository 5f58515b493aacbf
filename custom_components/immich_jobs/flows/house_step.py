"""The options' "work when it suits the house" step: its form in sections, its answers as options.

Each kind of rule is a section of the form (collapsed while unused): the whole server, three
per-queue conditions, the quiet period while uploading, never-together groups. Sections nest
the answers; the options stay flat (the keys of const.py, read by conditions.py, uploads.py and
groups.py), so entries saved before the sections load unchanged.

Home Assistant's frontend shows an error only beside a field of the form's top level, or at
the top of a section (keyed by the section's name); nothing inside a section. So an error of a
field in a section is keyed by its section, which is opened, and says which field it means.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
import math
from typing import Any

from homeassistant import data_entry_flow
from homeassistant.data_entry_flow import section
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
# Sections (their names key the translations and the errors) and their fields.
SERVER = "server"
CONDITION = "condition_{}"
UPLOADS = "uploads"
GROUPS = "groups"
ENTITY = "entity"
WORK_WHEN = "work_when"
QUEUES = "queues"
GROUP = "group_{}"


@dataclass(frozen=True, slots=True)
class HouseError:
    """Why the answers cannot be saved: where (a section or field), a translation key, details."""

    field: str
    key: str
    queue: str = ""
    low: int = 0
    high: int = 0


class NumberBox(NumberSelector):
    """A number box whose range the frontend shows, checked by the step with a translated error.

    The plain selector refuses a number out of range itself, in untranslated words that do not
    say the range ("Value 1.0 is too small"); `in_range` says "Choose from 1 to 60 minutes".
    """

    def __call__(self, data: Any) -> float:
        """Accept any number; the step checks the range."""
        return float(vol.Coerce(float)(data))


def number_box(low: int, high: int, unit: str | None = None) -> NumberBox:
    """Return a box for a whole number from `low` to `high`."""
    config = NumberSelectorConfig(
        min=low, max=high, step=1, mode=NumberSelectorMode.BOX
    )
    if unit:
        config["unit_of_measurement"] = unit
    return NumberBox(config)


def whole_number(value: float) -> int | None:
    """Return a number field as an int; None for a fraction or NaN (the range check lets NaN by)."""
    if not math.isfinite(value) or value != int(value):
        return None
    return int(value)


def in_range(value: float, low: int, high: int) -> bool:
    """Tell whether a number field's value lies in its range."""
    return low <= value <= high


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


def _work_when_field() -> vol.Marker:
    """Return "Work while it is", shown once an entity is chosen where Home Assistant can.

    Home Assistant 2026.11 added markers with a `visible` condition; older versions show the
    radios always (their value is ignored without an entity).
    """
    # Older versions' data_entry_flow has a `Required` too: typing's, imported for its types.
    marker = getattr(data_entry_flow, "Required", None)
    if not (isinstance(marker, type) and issubclass(marker, vol.Required)):
        return vol.Required(WORK_WHEN, default=ON)
    return marker(  # type: ignore[call-arg]
        WORK_WHEN, default=ON, visible={"field": ENTITY, "operator": "exists"}
    )


def house_schema(
    managed: Sequence[str], values: Mapping[str, Any], open_section: str = ""
) -> vol.Schema:
    """Return the step's form; a section is open when `values` use it, or it has the error."""
    entity = EntitySelector(EntitySelectorConfig(domain=list(CONDITION_DOMAINS)))
    work_when = SelectSelector(
        SelectSelectorConfig(options=[ON, OFF], translation_key="work_when")
    )

    def part(name: str, fields: dict[vol.Marker, Any]) -> section:
        collapsed = name != open_section and not _used(name, values.get(name))
        return section(vol.Schema(fields), {"collapsed": collapsed})

    fields: dict[vol.Marker, Any] = {
        vol.Required(SERVER): part(
            SERVER, {vol.Optional(ENTITY): entity, _work_when_field(): work_when}
        )
    }
    for row in range(1, ROWS + 1):
        fields[vol.Required(CONDITION.format(row))] = part(
            CONDITION.format(row),
            {
                vol.Optional(ENTITY): entity,
                _work_when_field(): work_when,
                vol.Optional(QUEUES): _queues(managed),
            },
        )
    fields[
        vol.Required(CONF_CONDITION_MIN_MINUTES, default=DEFAULT_CONDITION_MIN_MINUTES)
    ] = number_box(MIN_CONDITION_MIN_MINUTES, MAX_CONDITION_MIN_MINUTES, "min")
    fields[vol.Required(UPLOADS)] = part(
        UPLOADS,
        {
            vol.Required(CONF_UPLOAD_QUIET, default=DEFAULT_UPLOAD_QUIET): (
                BooleanSelector()
            ),
            vol.Optional(CONF_HEAVY_QUEUES): _queues(
                [q for q in managed if q not in UPLOAD_PATH]
            ),
            vol.Required(
                CONF_UPLOAD_QUIET_MINUTES, default=DEFAULT_UPLOAD_QUIET_MINUTES
            ): number_box(MIN_UPLOAD_QUIET_MINUTES, MAX_UPLOAD_QUIET_MINUTES, "min"),
            vol.Required(
                CONF_UPLOAD_MAX_HOLD_MINUTES, default=DEFAULT_UPLOAD_MAX_HOLD_MINUTES
            ): number_box(
                MIN_UPLOAD_MAX_HOLD_MINUTES, MAX_UPLOAD_MAX_HOLD_MINUTES, "min"
            ),
        },
    )
    fields[vol.Required(GROUPS)] = part(
        GROUPS,
        {
            vol.Optional(GROUP.format(row)): _queues(managed)
            for row in range(1, ROWS + 1)
        },
    )
    return vol.Schema(fields)


def _used(name: str, values: Any) -> bool:
    """Tell whether a section holds anything of the user's (else it starts collapsed)."""
    if not isinstance(values, Mapping):
        return False
    if name == UPLOADS:
        return (
            values.get(CONF_UPLOAD_QUIET, DEFAULT_UPLOAD_QUIET) != DEFAULT_UPLOAD_QUIET
            or values.get(CONF_UPLOAD_QUIET_MINUTES, DEFAULT_UPLOAD_QUIET_MINUTES)
            != DEFAULT_UPLOAD_QUIET_MINUTES
            or sorted(values.get(CONF_HEAVY_QUEUES) or [])
            != sorted(DEFAULT_HEAVY_QUEUES)
        )
    return any(values.get(key) for key in (ENTITY, QUEUES)) or (
        name == GROUPS and any(values.values())
    )


def house_suggestions(
    options: Mapping[str, Any], managed: Sequence[str]
) -> dict[str, Any]:
    """Return the form's values (by section) from the options; unmanaged queues left out."""
    known = set(managed)
    values: dict[str, Any] = {SERVER: {}, UPLOADS: {}, GROUPS: {}}
    server = options.get(CONF_SERVER_CONDITION)
    if isinstance(server, Mapping) and server.get(CONF_CONDITION_ENTITY):
        values[SERVER] = {
            ENTITY: server[CONF_CONDITION_ENTITY],
            WORK_WHEN: server.get(CONF_CONDITION_WORK_WHEN, ON),
        }
    rows: dict[tuple[str, str], list[str]] = {}
    for queue, condition in dict(options.get(CONF_QUEUE_CONDITIONS) or {}).items():
        if queue in known and isinstance(condition, Mapping):
            pair = (
                condition.get(CONF_CONDITION_ENTITY, ""),
                condition.get(CONF_CONDITION_WORK_WHEN, ON),
            )
            rows.setdefault(pair, []).append(queue)
    listed = list(rows.items())[:ROWS]
    for row in range(1, ROWS + 1):
        values[CONDITION.format(row)] = {}
        if row <= len(listed):
            (entity_id, work_when), queues = listed[row - 1]
            values[CONDITION.format(row)] = {
                ENTITY: entity_id,
                WORK_WHEN: work_when,
                QUEUES: [q for q in managed if q in queues],
            }
    if CONF_CONDITION_MIN_MINUTES in options:
        values[CONF_CONDITION_MIN_MINUTES] = options[CONF_CONDITION_MIN_MINUTES]
    for key in (
        CONF_UPLOAD_QUIET,
        CONF_UPLOAD_QUIET_MINUTES,
        CONF_UPLOAD_MAX_HOLD_MINUTES,
    ):
        if key in options:
            values[UPLOADS][key] = options[key]
    heavy = options.get(CONF_HEAVY_QUEUES, DEFAULT_HEAVY_QUEUES)
    values[UPLOADS][CONF_HEAVY_QUEUES] = [
        q for q in managed if q in heavy and q not in UPLOAD_PATH
    ]
    for row, group in enumerate(list(options.get(CONF_NEVER_TOGETHER) or [])[:ROWS]):
        values[GROUPS][GROUP.format(row + 1)] = [q for q in managed if q in group]
    return values


def _minutes(
    answers: Mapping[str, Any], key: str, where: str, low: int, high: int
) -> int | HouseError:
    value = float(answers[key])
    if not in_range(value, low, high):
        return HouseError(where, "minutes_range", low=low, high=high)
    if (minutes := whole_number(value)) is None:
        return HouseError(where, "whole_number")
    return minutes


def house_options(
    answers: Mapping[str, Any], managed: Sequence[str]
) -> tuple[dict[str, Any], HouseError | None]:
    """Turn the step's answers (by section) into options, or say what is wrong with them."""
    options: dict[str, Any] = {}
    server = answers.get(SERVER) or {}
    if entity_id := server.get(ENTITY):
        options[CONF_SERVER_CONDITION] = {
            CONF_CONDITION_ENTITY: entity_id,
            CONF_CONDITION_WORK_WHEN: server.get(WORK_WHEN, ON),
        }
    per_queue: dict[str, dict[str, Any]] = {}
    for row in range(1, ROWS + 1):
        name = CONDITION.format(row)
        condition = answers.get(name) or {}
        entity_id = condition.get(ENTITY)
        queues = list(condition.get(QUEUES) or [])
        if entity_id and not queues:
            return {}, HouseError(name, "condition_no_queues")
        if queues and not entity_id:
            return {}, HouseError(name, "condition_no_entity")
        for queue in queues:
            if queue in per_queue:
                return {}, HouseError(name, "condition_queue_twice", queue)
            per_queue[queue] = {
                CONF_CONDITION_ENTITY: entity_id,
                CONF_CONDITION_WORK_WHEN: condition.get(WORK_WHEN, ON),
            }
    if per_queue:
        options[CONF_QUEUE_CONDITIONS] = per_queue
    uploads = answers.get(UPLOADS) or {}
    # The three times in minutes, each checked alike, its error shown where its field is.
    for where, given, key, default, low, high in (
        (
            CONF_CONDITION_MIN_MINUTES,
            answers,
            CONF_CONDITION_MIN_MINUTES,
            DEFAULT_CONDITION_MIN_MINUTES,
            MIN_CONDITION_MIN_MINUTES,
            MAX_CONDITION_MIN_MINUTES,
        ),
        (
            UPLOADS,
            uploads,
            CONF_UPLOAD_QUIET_MINUTES,
            DEFAULT_UPLOAD_QUIET_MINUTES,
            MIN_UPLOAD_QUIET_MINUTES,
            MAX_UPLOAD_QUIET_MINUTES,
        ),
        (
            UPLOADS,
            uploads,
            CONF_UPLOAD_MAX_HOLD_MINUTES,
            DEFAULT_UPLOAD_MAX_HOLD_MINUTES,
            MIN_UPLOAD_MAX_HOLD_MINUTES,
            MAX_UPLOAD_MAX_HOLD_MINUTES,
        ),
    ):
        minutes = _minutes({key: default, **given}, key, where, low, high)
        if isinstance(minutes, HouseError):
            return {}, minutes
        options[key] = minutes
    options[CONF_UPLOAD_QUIET] = bool(uploads.get(CONF_UPLOAD_QUIET))
    heavy = list(uploads.get(CONF_HEAVY_QUEUES) or [])
    if heavy_error := validate_heavy(heavy):
        return {}, HouseError(UPLOADS, heavy_error)
    options[CONF_HEAVY_QUEUES] = heavy
    chosen = answers.get(GROUPS) or {}
    groups = [
        list(group)
        for row in range(1, ROWS + 1)
        if (group := chosen.get(GROUP.format(row)))
    ]
    if error := validate_groups(groups, managed):
        return {}, HouseError(GROUPS, error.key, error.queue)
    options[CONF_NEVER_TOGETHER] = groups
    return options, None
