"""Holds that end: random interleavings of everything a house and a user do, on a model Immich.

The house's rules and the scheduler run as the coordinator runs them (a read every 10 s),
against the simulator's queue model (fixed-length jobs for the standing backlog, the real
pipeline for uploads). After every read, two promises hold:
- every time-bounded hold says when it ends (the quiet period's hold always; a condition's
  hold once its entity allows work again and the minimum time runs), and the quiet period's
  hold never lasts longer than the longest hold at a stretch;
- the box is never left idle while a managed queue has work that nothing the user chose
  holds (the switch, a condition, the limit or a timed pause, run now of other queues).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings, strategies as st

from bench.run import to_status
from custom_components.immich_jobs.engine.house.rules import HouseRules
from custom_components.immich_jobs.engine.reasons import Reason
from custom_components.immich_jobs.engine.scheduler import Action, Intents, Memory, plan
from custom_components.immich_jobs.engine.settings import Settings
from custom_components.immich_jobs.immich import Snapshot
from simulator.model import ImmichModel

ENTITY = "input_boolean.box_free"
# A timed pause's end on the wall clock (the model runs on its own clock: only "timed" counts).
PAUSE_END = datetime(2026, 12, 1, 12, tzinfo=UTC)
VIDEO = "videoConversion"
SMART = "smartSearch"
HEAVY = (VIDEO, SMART, "faceDetection", "ocr")
INTERVAL = 10.0
# The longest hold at its lowest (5 minutes), so that random runs of a few hours reach it.
MAX_HOLD = 300.0
OPTIONS: dict[str, Any] = {
    "queue_conditions": {VIDEO: {"entity_id": ENTITY, "work_when": "on"}},
    "upload_max_hold_minutes": 5,
}
SETTINGS = Settings.from_options(OPTIONS)

# (what happens, its argument), then how long until the next event.
EVENTS = st.one_of(
    st.tuples(st.just("upload"), st.sampled_from((1, 5, 80, 400))),
    st.tuples(st.just("flip"), st.sampled_from(("on", "off"))),
    st.tuples(st.just("timed_pause"), st.sampled_from((60.0, 600.0))),
    st.tuples(st.just("run_now"), st.sampled_from(HEAVY)),
    st.tuples(st.just("switch"), st.sampled_from(HEAVY)),
    st.tuples(st.just("limit"), st.integers(0, 3)),
    st.tuples(st.just("outage"), st.sampled_from((1, 3, 30))),
)
GAPS = st.sampled_from((10.0, 30.0, 120.0, 600.0))


@dataclass
class House:
    """The user's wishes, the entity's state and the controller's memory over one run."""

    model: ImmichModel
    rules: HouseRules = field(default_factory=HouseRules)
    memory: Memory = field(default_factory=Memory)
    state: str = "on"
    held: set[str] = field(default_factory=set)
    run_now: set[str] = field(default_factory=set)
    limit: int = 1
    pause_ends: float | None = None
    limit_after: int = 1
    failing: int = 0
    uploads_held_since: dict[str, float] = field(default_factory=dict)

    def happen(self, kind: str, arg: Any) -> None:
        """Apply one event at the model's time."""
        now = self.model.now
        match kind:
            case "upload":
                self.model.upload(photos=arg)
            case "flip":
                self.state = arg
            case "timed_pause":
                if self.pause_ends is None:
                    self.limit_after = self.limit
                self.limit, self.pause_ends = 0, now + arg
            case "run_now":
                self.run_now.add(arg)
            case "switch":
                self.held ^= {arg}
            case "limit":
                self.limit, self.pause_ends = arg, None
            case "outage":
                self.failing = arg

    def read(self) -> None:
        """One cycle: the house decides, the scheduler plans, Immich obeys; then check."""
        now = self.model.now
        if self.pause_ends is not None and now >= self.pause_ends:
            self.limit, self.pause_ends = self.limit_after, None
        snapshot = None if self.failing else to_status(self.model.snapshot())
        self.failing = max(0, self.failing - 1)
        policy = SETTINGS.policy_in_force(self.limit)
        self.rules.decide(
            SETTINGS.conditions, {ENTITY: self.state}, policy.managed, now
        )
        self.rules.observe(SETTINGS.uploads, snapshot, now)
        intents = Intents(
            held=frozenset(self.held),
            run_now=frozenset(self.run_now),
            max_running=self.limit,
            hold_until=PAUSE_END if self.pause_ends is not None else None,
            house=self.rules.holds(frozenset(self.run_now)),
        )
        result = plan(snapshot, policy, intents, self.memory, now)
        self.memory = result.memory
        self.run_now -= result.finished_run_now
        for command in result.commands:
            if command.action is Action.PAUSE:
                self.model.pause(command.queue)
            else:
                self.model.resume(command.queue)
        if snapshot is not None:
            self._check(snapshot, intents, result.holds, now)

    def _check(
        self, snapshot: Snapshot, intents: Intents, holds: Any, now: float
    ) -> None:
        for name, hold in holds.items():
            if hold.code is Reason.UPLOADS_ARRIVING:
                assert hold.until is not None and now < hold.until, (name, hold)
                since = self.uploads_held_since.setdefault(name, now)
                assert now - since <= MAX_HOLD, (name, since, now)
            elif hold.code is Reason.HELD_BY_ENTITY and self.state == "on":
                # Allowed again, held only for the minimum time: it says until when.
                assert hold.until is not None and now < hold.until, (name, hold)
        for name in set(self.uploads_held_since) - {
            n for n, h in holds.items() if h.code is Reason.UPLOADS_ARRIVING
        }:
            del self.uploads_held_since[name]
        after = to_status(self.model.snapshot())
        free = [
            name
            for name in sorted(policy_managed(snapshot))
            if snapshot[name].runnable > 0
            and name not in intents.held
            and name not in holds
        ]
        if free and self.limit > 0:
            assert any(
                status.busy or (status.has_work and not status.is_paused)
                for status in after.values()
            ), (free, after)


def policy_managed(snapshot: Snapshot) -> set[str]:
    """Return the managed queues present (the default managed set)."""
    return set(SETTINGS.policy.managed) & set(snapshot)


def _run(events: list[tuple[tuple[str, Any], float]]) -> None:
    model = ImmichModel()
    model.enqueue(VIDEO, 40, kind="video", duration=20.0)
    model.enqueue(SMART, 40, kind="photo", duration=5.0)
    house = House(model)
    house.read()
    for (kind, arg), gap in events:
        house.happen(kind, arg)
        end = model.now + gap
        while model.now + INTERVAL <= end:
            model.advance(INTERVAL)
            house.read()


# 150 interleavings of up to 25 events, each followed by 10 s to 10 min of reads every 10 s
# (about 25,000 plans in all, about a minute here): enough to reach a 5-minute longest hold,
# its turn and a hold again, with timed pauses, outages and limit changes in between, while
# fixed (derandomized) so that a failure found once is found again.
@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.lists(st.tuples(EVENTS, GAPS), min_size=1, max_size=25))
def test_every_hold_ends_and_the_box_never_idles_with_free_work(events) -> None:
    """Whatever happens, each time-bounded hold has its end and free work keeps running."""
    _run(events)
