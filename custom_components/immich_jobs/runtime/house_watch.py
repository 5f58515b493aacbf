"""Feed the house's rules what Home Assistant and the reads show, for one entry.

The rules are pure (house_rules.py, conditions.py, uploads.py); this class reads the condition
entities' states, listens to their changes (asking for a cycle only when a hold changes, so a
flap within the minimum time reads nothing from Immich), watches each read for uploads, and
hands the coordinator the holds and when to look again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from homeassistant.core import (
    CALLBACK_TYPE,
    Event,
    EventStateChangedData,
    HomeAssistant,
    callback,
)
from homeassistant.helpers.event import async_track_state_change_event

from ..engine.house.conditions import ConditionOutcome
from ..engine.house.holds import Hold
from ..engine.house.rules import HouseRules
from ..engine.house.uploads import UploadOutcome
from ..engine.settings import Settings
from ..immich import Snapshot


class HouseWatch:
    """The house's holds of one entry: condition entities and arriving uploads."""

    def __init__(
        self,
        hass: HomeAssistant,
        settings: Callable[[], Settings],
        clock: Callable[[], float],
        on_change: Callable[[], None],
    ) -> None:
        """Nothing is listened to until `listen`; nothing is held until a first evaluation."""
        self._hass = hass
        self._settings = settings
        self._clock = clock
        self._on_change = on_change
        self.rules = HouseRules()
        self._managed: tuple[str, ...] = ()
        self._listening: frozenset[str] = frozenset()
        self._unsub: CALLBACK_TYPE | None = None
        self._closed = False

    @callback
    def restore(self, stored: Mapping[str, Any]) -> None:
        """Take back what the last run kept (a hold stays a hold)."""
        self.rules.restore(stored, self._clock())

    @callback
    def listen(self) -> None:
        """Listen to the chosen condition entities (again, when the options changed them)."""
        entities = self._settings().conditions.entity_ids
        if entities == self._listening or self._closed:
            return
        self._unlisten()
        self._listening = entities
        if entities:
            self._unsub = async_track_state_change_event(
                self._hass, sorted(entities), self._async_changed
            )

    @callback
    def stop(self) -> None:
        """Stop listening for good (unload)."""
        self._closed = True
        self._unlisten()

    @callback
    def _unlisten(self) -> None:
        if self._unsub is not None:
            self._unsub()
            self._unsub = None
        self._listening = frozenset()

    @callback
    def _async_changed(self, _event: Event[EventStateChangedData]) -> None:
        """Ask for a cycle when a condition entity's change changes a hold."""
        before = self.rules.condition.held if self.rules.condition else {}
        if self.evaluate(self._managed).held != before:
            self._on_change()

    @callback
    def evaluate(self, managed: Iterable[str]) -> ConditionOutcome:
        """Decide the conditions' holds from the entities' states now."""
        self._managed = tuple(managed)
        conditions = self._settings().conditions
        states = {
            entity_id: state.state
            if (state := self._hass.states.get(entity_id))
            else None
            for entity_id in conditions.entity_ids
        }
        return self.rules.decide(conditions, states, self._managed, self._clock())

    @callback
    def update(self, snapshot: Snapshot, managed: Iterable[str]) -> UploadOutcome:
        """At each cycle: follow the options' entities, decide, learn from the read."""
        self.listen()
        self.evaluate(managed)
        return self.rules.observe(self._settings().uploads, snapshot, self._clock())

    def holds(self) -> dict[str, Hold]:
        """Return the queues the house holds now (the cycle exempts those run now)."""
        return self.rules.holds()

    @property
    def next_check(self) -> float | None:
        """Return in how many seconds a hold could end or begin without a new state."""
        return self.rules.next_check

    def as_dict(self) -> dict[str, Any]:
        """Return what is kept across a restart (house_rules.py)."""
        return self.rules.as_dict()
