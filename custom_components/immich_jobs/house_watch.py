"""Feed the house's rules what Home Assistant and the reads show, for one entry.

The rules are pure (conditions.py, uploads.py, groups.py); this class reads the condition
entities' states, listens to their changes (asking for a cycle only when a hold changes, so a
flap within the minimum time reads nothing from Immich), watches each read for uploads, and
hands the coordinator the holds and when to look again.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import (
    CALLBACK_TYPE,
    Event,
    EventStateChangedData,
    HomeAssistant,
    callback,
)
from homeassistant.helpers.event import async_track_state_change_event

from .conditions import (
    ConditionMemory,
    ConditionOutcome,
    conditions_from_options,
    evaluate,
)
from .house import Hold, merge
from .immich import Snapshot
from .uploads import UploadMemory, UploadOutcome, uploads_from_options, watch


class HouseWatch:
    """The house's holds of one entry: condition entities and arriving uploads."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        clock: Callable[[], float],
        on_change: Callable[[], None],
    ) -> None:
        """Nothing is listened to until `listen`; nothing is held until a first evaluation."""
        self._hass = hass
        self._entry = entry
        self._clock = clock
        self._on_change = on_change
        self.conditions = ConditionMemory()
        self.uploads = UploadMemory()
        self.condition: ConditionOutcome | None = None
        self.upload: UploadOutcome | None = None
        self._managed: tuple[str, ...] = ()
        self._listening: frozenset[str] = frozenset()
        self._unsub: CALLBACK_TYPE | None = None

    @property
    def _options(self) -> Mapping[str, Any]:
        return self._entry.options

    @callback
    def restore(self, stored: object) -> None:
        """Take back the decided states kept across a restart (a hold stays a hold)."""
        self.conditions = ConditionMemory.from_dict(stored)

    @callback
    def listen(self) -> None:
        """Listen to the chosen condition entities (again, when the options changed them)."""
        entities = conditions_from_options(self._options).entity_ids
        if entities == self._listening:
            return
        self.stop()
        self._listening = entities
        if entities:
            self._unsub = async_track_state_change_event(
                self._hass, sorted(entities), self._async_changed
            )

    @callback
    def stop(self) -> None:
        """Stop listening (unload)."""
        if self._unsub is not None:
            self._unsub()
            self._unsub = None
        self._listening = frozenset()

    @callback
    def _async_changed(self, _event: Event[EventStateChangedData]) -> None:
        """Ask for a cycle when a condition entity's change changes a hold."""
        before = self.condition.held if self.condition else {}
        if self.evaluate(self._managed).held != before:
            self._on_change()

    @callback
    def evaluate(self, managed: Iterable[str]) -> ConditionOutcome:
        """Decide the conditions' holds from the entities' states now."""
        self._managed = tuple(managed)
        options = conditions_from_options(self._options)
        states = {
            entity_id: state.state
            if (state := self._hass.states.get(entity_id))
            else None
            for entity_id in options.entity_ids
        }
        self.condition = evaluate(
            self.conditions, options, states, self._managed, self._clock()
        )
        self.conditions = self.condition.memory
        return self.condition

    @callback
    def observe(self, snapshot: Snapshot) -> UploadOutcome:
        """Learn from a read whether uploads are arriving."""
        self.upload = watch(
            self.uploads, uploads_from_options(self._options), snapshot, self._clock()
        )
        self.uploads = self.upload.memory
        return self.upload

    def holds(self, run_now: Collection[str]) -> dict[str, Hold]:
        """Return the queues the house holds now; a queue run now is exempt (it was asked)."""
        held = merge(
            self.condition.held if self.condition else {},
            self.upload.held if self.upload else {},
        )
        return {queue: hold for queue, hold in held.items() if queue not in run_now}

    @property
    def next_check(self) -> float | None:
        """Return in how many seconds a hold could end or begin without a new state."""
        checks = [
            outcome.next_check
            for outcome in (self.condition, self.upload)
            if outcome is not None and outcome.next_check is not None
        ]
        return min(checks) if checks else None

    def as_dict(self) -> dict[str, bool]:
        """Return what is kept across a restart: the decided states."""
        return self.conditions.as_dict()
