"""What the user (and the house) asks of the scheduler: one frozen type and its transitions.

Pure module (no Home Assistant): entities and actions hand the coordinator a transition
(`hold`, `run`, `pause`...), which returns new intents; the coordinator keeps them, the Store
only serialises them, the scheduler plans from them and entities show them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from ..const import DEFAULT_MAX_RUNNING
from .house.holds import Hold


@dataclass(frozen=True, slots=True, kw_only=True)
class Intents:
    """What the user asked for through the entities, and what the house holds this cycle."""

    scheduling: bool = True
    held: frozenset[str] = frozenset()
    run_now: frozenset[str] = frozenset()
    max_running: int = DEFAULT_MAX_RUNNING
    # pause_processing: the limit to put back (resume_processing gives it back) and, with a
    # duration, when it comes back by itself (wall time: "for two hours" holds across a
    # restart).
    restore_max_running: int | None = None
    hold_until: datetime | None = None
    # Held by the house (a condition, arriving uploads), with why: like `held`, running
    # jobs finish; ignored while scheduling is off. Set for each plan, never kept: the
    # coordinator leaves run-now queues out.
    house: Mapping[str, Hold] = field(default_factory=dict)

    @property
    def timed_pause(self) -> bool:
        """Tell whether the limit is 0 for a timed pause (said as the reason)."""
        return self.max_running == 0 and self.hold_until is not None

    def hold(self, queue: str, held: bool) -> Intents:
        """Hold a queue paused (it leaves run now), or hand it back to the scheduler."""
        if held:
            return replace(
                self, held=self.held | {queue}, run_now=self.run_now - {queue}
            )
        return replace(self, held=self.held - {queue})

    def run(self, queue: str) -> Intents:
        """Run a queue until it is empty, ahead of every other (it is held no more)."""
        return replace(self, run_now=self.run_now | {queue}, held=self.held - {queue})

    def cancel_run(self, queue: str | None) -> Intents:
        """Hand a queue run now (None: every one) back to the scheduler."""
        return self.finished(self.run_now if queue is None else {queue})

    def finished(self, queues: Iterable[str]) -> Intents:
        """Forget the queues run now that are done (empty, or no longer managed)."""
        done = self.run_now & frozenset(queues)
        return replace(self, run_now=self.run_now - done) if done else self

    def schedule(self, enabled: bool) -> Intents:
        """Switch automatic scheduling (off: the plan resumes what we paused)."""
        return replace(self, scheduling=enabled)

    def set_limit(self, value: int) -> Intents:
        """Set the limit the user chose; it ends a timed pause (the choice must stay)."""
        return replace(
            self, max_running=value, restore_max_running=None, hold_until=None
        )

    def pause(self, until: datetime | None) -> Intents:
        """Hold all processing (limit 0); with an end, the limit comes back then.

        The limit it replaced is kept either way, for resume_processing to give back.
        """
        restore = self.restore_max_running
        return replace(
            self,
            max_running=0,
            restore_max_running=self.max_running if restore is None else restore,
            hold_until=until,
        )

    def end_pause(self) -> Intents:
        """Give back the limit a pause replaced (nothing changes without a pause)."""
        if self.restore_max_running is None:
            return replace(self, hold_until=None)
        return replace(
            self,
            max_running=self.restore_max_running,
            restore_max_running=None,
            hold_until=None,
        )

    def with_house(self, holds: Mapping[str, Hold]) -> Intents:
        """Return the intents with the house's holds of this cycle."""
        return replace(self, house=holds)
