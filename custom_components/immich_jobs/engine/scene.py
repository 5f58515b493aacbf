"""One cycle's view of the managed queues, and the wishes the plan's phases make for them.

Pure module (no Home Assistant): `Scene.read` sorts the snapshot's queues by what the user, the
options and ownership say; each phase (slots.py) returns `Wants`, joined into commands
(commands.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..immich.models import Snapshot
from .house.holds import Hold
from .intents import Intents
from .model import Memory, Policy, managed_queues
from .reasons import QueueReason, Reason


@dataclass(frozen=True, slots=True)
class Want:
    """A queue's desired pause state, and why."""

    paused: bool
    why: QueueReason
    # What holds it (a condition entity), for the command's words.
    held_by: str = ""


type Wants = dict[str, Want]


@dataclass(frozen=True, slots=True, kw_only=True)
class Scene:
    """One cycle's view of the managed queues, read from the snapshot and the intents."""

    snapshot: Snapshot
    managed: list[str]  # highest priority first
    held: frozenset[str]
    # Held by the house, not by the user (not taken over: a pause made in Immich stays theirs).
    house: Mapping[str, Hold]
    # Paused by someone else (not by us, not held by the user): left alone.
    in_immich: frozenset[str]
    run_now: list[str]  # run now and not finished, in priority order
    finished_run_now: frozenset[str]
    # What holds everything while the limit is 0.
    limit_zero: QueueReason = QueueReason(Reason.LIMIT_ZERO)

    @property
    def free(self) -> list[str]:
        """The managed queues the scheduler decides for (not held here or in Immich)."""
        return [
            name
            for name in self.managed
            if name not in self.held
            and name not in self.house
            and name not in self.in_immich
        ]

    @classmethod
    def read(
        cls,
        snapshot: Snapshot,
        policy: Policy,
        intents: Intents,
        memory: Memory,
        house: Mapping[str, Hold],
    ) -> Scene:
        """Sort the snapshot's queues by what the user, the options and ownership say."""
        managed = managed_queues(snapshot, policy)
        managed_set = frozenset(managed)
        held = intents.held & managed_set
        in_immich = frozenset(
            name
            for name in managed
            if memory.took_over
            and snapshot[name].is_paused
            and name not in memory.owned
            and name not in held
        )
        finished = frozenset(
            name
            for name in intents.run_now
            if name in snapshot
            and (name not in managed_set or not snapshot[name].has_work)
        )
        house = {
            name: hold
            for name, hold in house.items()
            if intents.scheduling
            and name in managed_set
            and name not in held
            and name not in in_immich
        }
        run_now = [
            name
            for name in managed
            if name in intents.run_now
            and name not in held
            and name not in house
            and name not in finished
        ]
        return cls(
            snapshot=snapshot,
            managed=managed,
            held=held,
            house=house,
            in_immich=in_immich,
            run_now=run_now,
            finished_run_now=finished,
            limit_zero=QueueReason(
                Reason.PAUSED_UNTIL if intents.timed_pause else Reason.LIMIT_ZERO
            ),
        )


NO_WORK = QueueReason(Reason.NO_WORK)
RIVAL = QueueReason(Reason.HELD_BY_RIVAL)
SCHEDULING_OFF = QueueReason(Reason.SCHEDULING_OFF)
