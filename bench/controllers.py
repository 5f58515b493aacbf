"""The controllers compared: none, the old add-on's algorithm, and ours."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from custom_components.immich_jobs.const import POLICY_FINISH_FIRST, POLICY_PREEMPTIVE
from custom_components.immich_jobs.engine.cycle import decide
from custom_components.immich_jobs.engine.house.holds import Hold
from custom_components.immich_jobs.engine.house.rules import HouseRules
from custom_components.immich_jobs.engine.queues import DEFAULT_PRIORITY
from custom_components.immich_jobs.engine.scheduler import (
    MIN_CHECK,
    Action,
    Intents,
    Memory,
    Plan,
    Policy,
)
from custom_components.immich_jobs.engine.settings import Settings
from custom_components.immich_jobs.immich import Snapshot


@dataclass(frozen=True, slots=True)
class Decision:
    """What a controller does after a read: commands, and when it reads again."""

    commands: tuple[tuple[str, Action], ...]
    next_check: float | None  # seconds from now; None = never again


class Controller(Protocol):
    """Anything that reads Immich's queues and pauses or resumes them."""

    name: str
    reads: bool  # False: never reads Immich (no request at all)

    def poll(self, snapshot: Snapshot, now: float) -> Decision:
        """Decide from one read."""


class Unmanaged:
    """Immich on its own: never reads, never commands."""

    name = "unmanaged"
    reads = False

    def poll(self, snapshot: Snapshot, now: float) -> Decision:
        """Do nothing, ever."""
        return Decision((), None)


class AddOn:
    """The add-on's published algorithm, re-implemented faithfully (see bench/README.md).

    Poll every interval. If any queue is active, keep the first N active ones (in its priority
    order); otherwise resume the first N with work; pause all others, system queues included.
    Commands only when its decision changes; it pauses every queue at start.
    """

    name = "addon"
    reads = True

    def __init__(
        self,
        max_running: int = 1,
        interval: float = 10.0,
        priority: Sequence[str] = DEFAULT_PRIORITY,
    ) -> None:
        """Remember the options; nothing commanded yet."""
        self.max_running = max_running
        self.interval = interval
        self.priority = tuple(priority)
        self.last: dict[str, Action] = {}

    def poll(self, snapshot: Snapshot, now: float) -> Decision:
        """Apply the add-on's rule to one read."""
        ordered = [name for name in self.priority if name in snapshot]
        active = [name for name in ordered if snapshot[name].active > 0]
        if active:
            run = active[: self.max_running]
        else:
            run = [name for name in ordered if snapshot[name].runnable > 0][
                : self.max_running
            ]
        commands: list[tuple[str, Action]] = []
        for name in snapshot:
            action = Action.RESUME if name in run else Action.PAUSE
            if self.last.get(name) != action:
                self.last[name] = action
                commands.append((name, action))
        return Decision(tuple(commands), self.interval)


class Ours:
    """The integration's cycle (engine/cycle.py's decide), following its 'look again' hint."""

    def __init__(self, name: str, policy: Policy) -> None:
        """Start with an empty memory, as after installing the integration."""
        self.name = name
        self.reads = True
        self.policy = policy
        self.intents = Intents()
        self.memory = Memory()
        self.last: Plan | None = None  # the last plan, for measures that look inside

    def poll(self, snapshot: Snapshot, now: float) -> Decision:
        """Plan from one read, keep the memory, hand back the plan's commands."""
        result = decide(
            snapshot,
            self.policy,
            self.intents,
            self.memory,
            now,
            house=self.house(snapshot, now),
        ).plan
        self.memory = result.memory
        self.last = result
        return Decision(
            tuple((command.queue, command.action) for command in result.commands),
            self.look_again(result.next_check, now),
        )

    def house(self, snapshot: Snapshot, now: float) -> Mapping[str, Hold]:
        """Return the house's holds of this read (none)."""
        return {}

    def look_again(self, hint: float, now: float) -> float:
        """Return when to read again: the plan's hint."""
        return hint


@dataclass(frozen=True, slots=True)
class Timeline:
    """A condition entity's states over simulated time: (from, state), in order."""

    entity_id: str
    changes: tuple[tuple[float, str], ...]

    def state_at(self, now: float) -> str | None:
        """Return the state in force at `now` (None before the first)."""
        current = None
        for since, state in self.changes:
            if since <= now:
                current = state
        return current

    def next_change(self, now: float) -> float | None:
        """Return when the state next changes after `now`, if it does."""
        return next((since for since, _ in self.changes if since > now), None)


class OursInHouse(Ours):
    """Ours as the coordinator runs it with the house's options (house_rules.py).

    The condition entity's state comes from a timeline; the coordinator's listener, which
    plans again when the entity changes, is a read at each change.
    """

    def __init__(
        self,
        name: str,
        policy: Policy,
        options: Mapping[str, Any],
        timeline: Timeline | None = None,
    ) -> None:
        """Start as after installing, with these options."""
        self.settings = Settings.from_options(options)
        super().__init__(name, self.settings.with_house(policy))
        self.timeline = timeline
        self.rules = HouseRules()

    def house(self, snapshot: Snapshot, now: float) -> Mapping[str, Hold]:
        """Decide the conditions and watch for uploads, as each cycle does."""
        states = (
            {self.timeline.entity_id: self.timeline.state_at(now)}
            if self.timeline
            else {}
        )
        self.rules.decide(self.settings.conditions, states, self.policy.managed, now)
        self.rules.observe(self.settings.uploads, snapshot, now)
        return self.rules.holds()

    def look_again(self, hint: float, now: float) -> float:
        """Read again at the plan's hint, the house's, or the entity's next change."""
        change = self.timeline.next_change(now) if self.timeline else None
        checks = [hint, self.rules.next_check, None if change is None else change - now]
        return max(MIN_CHECK, min(check for check in checks if check is not None))


class BacksOffAtIdle(Ours):
    """A variant: ours with the earlier idle rule, looking again after 3 × the interval at idle.

    Kept to show what that rule cost on the calibrated model (bench/README.md); this wrapper
    only lengthens the scheduler's 'look again' hint when no queue has work.
    """

    def poll(self, snapshot: Snapshot, now: float) -> Decision:
        """Plan like ours; at idle, look again after three intervals."""
        decision = super().poll(snapshot, now)
        idle = not decision.commands and not any(
            status.has_work for status in snapshot.values()
        )
        if not idle:
            return decision
        return Decision(decision.commands, 3 * self.policy.poll_interval)


def controllers(max_running: int = 1, interval: float = 10.0) -> list[Controller]:
    """Return fresh controllers, in the order the table shows them."""
    base = Policy(max_running=max_running, poll_interval=interval)
    return [
        Unmanaged(),
        AddOn(max_running, interval),
        Ours(
            "finish_first",
            Policy(
                max_running=max_running,
                poll_interval=interval,
                kind=POLICY_FINISH_FIRST,
            ),
        ),
        Ours("preemptive", base),
        Ours(
            "preemptive_no_express",
            Policy(
                max_running=max_running,
                poll_interval=interval,
                kind=POLICY_PREEMPTIVE,
                express_lane=False,
            ),
        ),
        BacksOffAtIdle("variant_idle_back_off", base),
    ]
