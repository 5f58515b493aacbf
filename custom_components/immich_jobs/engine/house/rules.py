"""The house's rules between cycles: what the conditions and the uploads decided, and when.

Pure module (no Home Assistant, no I/O, no clock): the coordinator (through house_watch.py)
and the benchmarks feed it the settings' conditions and quiet period, the condition entities'
states, each read and the time; it hands back the holds for the scheduler's intents and when
to look again.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ...immich.models import Snapshot
from .conditions import ConditionMemory, ConditionOptions, ConditionOutcome, evaluate
from .holds import Hold, merge
from .uploads import UploadMemory, UploadOptions, UploadOutcome, watch

# The Store's keys for what the house keeps across a restart.
STORED_CONDITIONS = "conditions"
STORED_UPLOADS = "uploads_arriving"
HOUSE_KEYS = (STORED_CONDITIONS, STORED_UPLOADS)


@dataclass(slots=True)
class HouseRules:
    """The decisions of one entry's conditions and quiet period, from one look to the next."""

    conditions: ConditionMemory = field(default_factory=ConditionMemory)
    uploads: UploadMemory = field(default_factory=UploadMemory)
    condition: ConditionOutcome | None = None
    upload: UploadOutcome | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return what is kept across a restart: decided states, and uploads arriving.

        Both change seldom (a decision, the quiet period's start and end), so keeping them
        costs a write only then, not at every read.
        """
        kept: dict[str, Any] = {}
        if conditions := self.conditions.as_dict():
            kept[STORED_CONDITIONS] = conditions
        if self.upload is not None and self.upload.active:
            kept[STORED_UPLOADS] = True
        return kept

    def restore(self, stored: Mapping[str, Any], now: float) -> None:
        """Take back what a restart kept: a hold stays a hold.

        Uploads arriving at the stop count as seen at the start (the clock of the last run
        means nothing now): the quiet period runs its full time again.
        """
        self.conditions = ConditionMemory.from_dict(stored.get(STORED_CONDITIONS))
        if stored.get(STORED_UPLOADS) is True:
            self.uploads = UploadMemory(seen_at=now)

    def decide(
        self,
        options: ConditionOptions,
        states: Mapping[str, str | None],
        managed: Iterable[str],
        now: float,
    ) -> ConditionOutcome:
        """Decide the conditions' holds from the entities' states now."""
        self.condition = evaluate(self.conditions, options, states, managed, now)
        self.conditions = self.condition.memory
        return self.condition

    def observe(
        self, options: UploadOptions, snapshot: Snapshot | None, now: float
    ) -> UploadOutcome:
        """Learn from a read whether uploads are arriving (None: a failed read)."""
        self.upload = watch(self.uploads, options, snapshot, now)
        self.uploads = self.upload.memory
        return self.upload

    def holds(self, run_now: Collection[str] = ()) -> dict[str, Hold]:
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
