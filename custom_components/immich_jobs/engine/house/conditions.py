"""Allowed when: entities of the house that allow or hold work, with hysteresis.

Pure module (no Home Assistant, no I/O, no clock): the coordinator hands in each condition
entity's state string as `hass.states` has it, and the time in seconds (the scheduler's
clock); `evaluate` says which queues are held and why, what to remember, and when the decision
could change without a new state (so the coordinator knows when to look again).

Rules (docs/design-notes.md, "Work when it suits the house"):
- One decided state per entity. A change of state is followed at once if the decided state has
  lasted `min_seconds` (default 5 min); sooner, it waits until then, and is dropped if the
  entity went back meanwhile. So a flapping entity changes the decision at most once per
  `min_seconds`. The first state ever seen (or the one restored after a restart) is learnt,
  not decided: a change right after it is followed at once.
- Anything but "on" or "off" (unavailable, unknown, a missing entity) is not a state: the
  decided state is kept for `UNUSABLE_GRACE`, then work is allowed (a broken template sensor
  must not hold Immich forever). An entity never seen on or off allows work.
- The whole server's condition holds every managed queue and gives the reason first; a
  queue's own condition holds that queue.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from ...const import (
    CONF_CONDITION_ENTITY,
    CONF_CONDITION_MIN_MINUTES,
    CONF_CONDITION_WORK_WHEN,
    CONF_QUEUE_CONDITIONS,
    CONF_SERVER_CONDITION,
    DEFAULT_CONDITION_MIN_MINUTES,
    MAX_CONDITION_MIN_MINUTES,
    MIN_CONDITION_MIN_MINUTES,
)
from ..reasons import Reason
from .holds import Hold, minutes_option

ON = "on"
OFF = "off"
SCHEDULE_DOMAIN = "schedule"
# Domains the options offer: a schedule helper, a toggle, any binary sensor.
CONDITION_DOMAINS: tuple[str, ...] = (SCHEDULE_DOMAIN, "input_boolean", "binary_sensor")
DEFAULT_MIN_SECONDS = DEFAULT_CONDITION_MIN_MINUTES * 60.0
# How long an unavailable entity keeps its last decided state before work is allowed again.
UNUSABLE_GRACE = 600.0


@dataclass(frozen=True, slots=True, kw_only=True)
class Condition:
    """An entity that allows work in one of its states ("on" by default)."""

    entity_id: str
    work_when: str = ON

    def allows(self, state: bool | None) -> bool:
        """Tell whether the entity's decided state (True = on, None = none) allows work."""
        return state is None or state == (self.work_when == ON)

    def hold(self) -> Hold:
        """Return the reason to show while this condition holds work."""
        if self.entity_id.startswith(f"{SCHEDULE_DOMAIN}.") and self.work_when == ON:
            return Hold(Reason.OUTSIDE_SCHEDULE, self.entity_id)
        return Hold(Reason.HELD_BY_ENTITY, self.entity_id)


@dataclass(frozen=True, slots=True, kw_only=True)
class ConditionOptions:
    """The user's conditions: one for the whole server, one per queue, and the hysteresis."""

    server: Condition | None = None
    queues: Mapping[str, Condition] = field(default_factory=dict)
    min_seconds: float = DEFAULT_MIN_SECONDS

    @property
    def entity_ids(self) -> frozenset[str]:
        """Return the entities whose state changes the coordinator must listen to."""
        conditions = [*self.queues.values(), *([self.server] if self.server else [])]
        return frozenset(condition.entity_id for condition in conditions)


@dataclass(frozen=True, slots=True, kw_only=True)
class Decision:
    """An entity's decided state (True = on, None = no usable state: work allowed)."""

    state: bool | None
    # When the decided state began; None when a change may follow at once (restored from
    # storage, learnt from the first state seen, or never seen on or off).
    since: float | None = None
    # When the entity stopped having a usable state, while it has none.
    unusable_since: float | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ConditionMemory:
    """The decided state of each condition entity between evaluations."""

    decisions: Mapping[str, Decision] = field(default_factory=dict)

    def as_dict(self) -> dict[str, bool]:
        """Return what is worth keeping across a restart: the decided on/off states."""
        return {
            entity_id: decision.state
            for entity_id, decision in sorted(self.decisions.items())
            if decision.state is not None
        }

    @classmethod
    def from_dict(cls, data: object) -> ConditionMemory:
        """Rebuild from storage (a restart holds what was held); skip anything malformed."""
        if not isinstance(data, Mapping):
            return cls()
        return cls(
            decisions={
                entity_id: Decision(state=state)
                for entity_id, state in data.items()
                if isinstance(entity_id, str) and isinstance(state, bool)
            }
        )


@dataclass(frozen=True, slots=True)
class ConditionOutcome:
    """Which queues the conditions hold, the memory to keep, and when to look again."""

    held: Mapping[str, Hold]
    memory: ConditionMemory
    # Seconds from now until a decision could change without a new state; None: only a new
    # state can change one.
    next_check: float | None


def _decide(
    previous: Decision | None, raw: str | None, now: float, min_seconds: float
) -> tuple[Decision, float | None]:
    """Return an entity's new decision, and the time it could change next without a state."""
    current = previous or Decision(state=None)
    grace_ends: float | None = None
    if raw in (ON, OFF):
        unusable_since = None
        target: bool | None = raw == ON
    else:
        unusable_since = (
            now if current.unusable_since is None else current.unusable_since
        )
        grace_ends = unusable_since + UNUSABLE_GRACE
        target = current.state if now < grace_ends else None
    kept = replace(current, unusable_since=unusable_since)
    if target == current.state:
        # Without a usable state, the decided one lasts until the grace ends.
        return kept, grace_ends if target is not None else None
    free_at = now if current.since is None else current.since + min_seconds
    if now < free_at:
        # Too soon after the last change: keep it, and look again when it may change.
        return kept, free_at
    # The first state ever seen is learnt, not a change: it does not start the minimum time.
    learnt = current.state is None and current.since is None
    return Decision(
        state=target, since=None if learnt else now, unusable_since=unusable_since
    ), None


def evaluate(
    memory: ConditionMemory,
    options: ConditionOptions,
    states: Mapping[str, str | None],
    queues: Iterable[str],
    now: float,
) -> ConditionOutcome:
    """Decide which of `queues` the conditions hold now, from the entities' current states.

    `states` maps an entity id to its state string; a missing entity is None. Call it when a
    condition entity changes, at each cycle, and `next_check` seconds later.
    """
    min_seconds = max(0.0, options.min_seconds)
    decisions: dict[str, Decision] = {}
    revisits: dict[str, float] = {}
    for entity_id in sorted(options.entity_ids):
        decision, revisit = _decide(
            memory.decisions.get(entity_id), states.get(entity_id), now, min_seconds
        )
        decisions[entity_id] = decision
        if revisit is not None:
            revisits[entity_id] = revisit

    def holding(condition: Condition | None) -> Hold | None:
        if condition is None or condition.allows(decisions[condition.entity_id].state):
            return None
        # A holding decision that may change without a new state ends then: the entity
        # allows work again but the minimum time runs, or it has no state and the grace runs.
        return replace(condition.hold(), until=revisits.get(condition.entity_id))

    server = holding(options.server)
    held: dict[str, Hold] = {}
    for queue in queues:
        hold = server or holding(options.queues.get(queue))
        if hold is not None:
            held[queue] = hold
    return ConditionOutcome(
        held=held,
        memory=ConditionMemory(decisions=decisions),
        next_check=max(0.0, min(revisits.values()) - now) if revisits else None,
    )


def _condition(value: object) -> Condition | None:
    """Read one condition option; anything malformed is no condition."""
    if not isinstance(value, Mapping):
        return None
    entity_id = value.get(CONF_CONDITION_ENTITY)
    work_when = value.get(CONF_CONDITION_WORK_WHEN, ON)
    if (
        not isinstance(entity_id, str)
        or "." not in entity_id
        or work_when not in (ON, OFF)
    ):
        return None
    return Condition(entity_id=entity_id, work_when=work_when)


def conditions_from_options(options: Mapping[str, Any]) -> ConditionOptions:
    """Turn the entry's options into the conditions (what is malformed is left out)."""
    per_queue = options.get(CONF_QUEUE_CONDITIONS)
    queues = {
        queue: condition
        for queue, value in (
            per_queue.items() if isinstance(per_queue, Mapping) else ()
        )
        if isinstance(queue, str) and (condition := _condition(value)) is not None
    }
    return ConditionOptions(
        server=_condition(options.get(CONF_SERVER_CONDITION)),
        queues=queues,
        min_seconds=minutes_option(
            options,
            CONF_CONDITION_MIN_MINUTES,
            DEFAULT_CONDITION_MIN_MINUTES,
            MIN_CONDITION_MIN_MINUTES,
            MAX_CONDITION_MIN_MINUTES,
        ),
    )
