"""Invariants of the house features over random timelines, snapshots and options."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
import random

from hypothesis import assume, given, settings, strategies as st
import pytest

from custom_components.immich_jobs.engine.house.conditions import (
    Condition,
    ConditionMemory,
    ConditionOptions,
    ConditionOutcome,
    conditions_from_options,
    evaluate,
)
from custom_components.immich_jobs.engine.house.groups import never_together, settle
from custom_components.immich_jobs.engine.house.holds import Hold
from custom_components.immich_jobs.engine.house.uploads import (
    UploadMemory,
    UploadOptions,
    watch,
)
from custom_components.immich_jobs.engine.scheduler import Intents, Memory, Policy, plan
from custom_components.immich_jobs.immich import QueueStatus
from tests.scheduler.helpers import apply, queue, snap
from tests.scheduler.test_properties import (
    NOW,
    intents_st,
    memories,
    policies,
    snapshots,
)

SETTINGS = settings(max_examples=75, deadline=None)
ENTITY = "binary_sensor.box_free"
QUEUE = "videoConversion"
# Every kind of state Home Assistant can show, and a missing entity (None).
STATES = ("on", "off", "unavailable", "unknown", None, "playing", "")


def drive(
    options: ConditionOptions, events: list[tuple[float, str | None]], end: float
) -> list[tuple[float, str | None, ConditionOutcome]]:
    """Evaluate at each state change and whenever the last outcome asked to look again.

    Returns (time, the entity's state then, outcome) for every evaluation before `end`.
    """
    memory = ConditionMemory()
    seen: list[tuple[float, str | None, ConditionOutcome]] = []
    state: str | None = None
    pending = sorted(events, key=lambda event: event[0])
    now = 0.0
    wake: float | None = None
    while True:
        next_event = pending[0][0] if pending else end
        if wake is not None and wake < next_event:
            now = wake
        elif pending:
            now, state = pending.pop(0)
        else:
            return seen
        if now >= end:
            return seen
        outcome = evaluate(memory, options, {ENTITY: state}, (QUEUE,), now)
        memory = outcome.memory
        seen.append((now, state, outcome))
        wake = None if outcome.next_check is None else now + outcome.next_check


@st.composite
def timelines(draw: st.DrawFn) -> list[tuple[float, str | None]]:
    """Draw an entity's states from 0 s on, each lasting 1 s to 15 min."""
    events = []
    now = 0.0
    for gap, state in draw(
        st.lists(
            st.tuples(
                st.sampled_from((1.0, 3.0, 30.0, 200.0, 299.0, 300.0, 301.0, 900.0)),
                st.sampled_from(STATES),
            ),
            min_size=1,
            max_size=60,
        )
    ):
        events.append((now, state))
        now += gap
    return events


def flapping(seed: int, states: tuple[str, ...]) -> list[tuple[float, str | None]]:
    """Return an hour of states drawn from `states`, each lasting 1 to 10 s."""
    rng = random.Random(seed)
    events: list[tuple[float, str | None]] = []
    now = 0.0
    while now < 3600:
        events.append((now, rng.choice(states)))
        now += rng.uniform(1.0, 10.0)
    return events


def _lasted(
    events: list[tuple[float, str | None]],
    now: float,
    alike: Callable[[str | None], bool],
) -> float:
    """Return how long, at `now`, the entity's states have all been `alike`."""
    start = now
    for time, state in reversed([event for event in events if event[0] <= now]):
        if not alike(state):
            break
        start = time
    return now - start


@SETTINGS
@given(timelines(), st.sampled_from(("on", "off")))
def test_a_condition_off_for_five_minutes_always_holds(events, work_when) -> None:
    """Once the entity has said "no work" for 5 min straight, the queue is held.

    And once it has said "work" for 5 min straight, the queue is free.
    """
    options = ConditionOptions(
        queues={QUEUE: Condition(entity_id=ENTITY, work_when=work_when)}
    )
    for now, state, outcome in drive(options, events, 7200):
        if state not in ("on", "off"):
            continue
        if _lasted(events, now, lambda earlier, state=state: earlier == state) >= 300:
            assert (QUEUE in outcome.held) == (state != work_when)


@pytest.mark.parametrize(
    ("minutes", "most_changes_per_hour"),
    # One change per `minutes` at most: 60/1, 60/5, 60/10, 60/30.
    [(1, 60), (5, 12), (10, 6), (30, 2)],
)
@SETTINGS
@given(seed=st.integers(0, 2**32))
def test_hysteresis_bounds_the_changes_under_a_flapping_entity(
    minutes, most_changes_per_hour, seed
) -> None:
    """An entity flipping every 1 to 10 s changes the hold at most once per minimum time.

    The first on/off state seen is learnt (it may hold the queue: one change); the change
    right after it is free, and every later one comes at least the minimum time after the
    previous: in [0 s, 3600 s), at most 3600 / (60 × minutes) changes after the learning.
    """
    events = flapping(seed, ("on", "off", "on", "off", "unavailable"))
    options = conditions_from_options(
        {
            "queue_conditions": {QUEUE: {"entity_id": ENTITY}},
            "condition_min_minutes": minutes,
        }
    )
    held = False  # before the first evaluation nothing is held
    changes = 0
    for _, _, outcome in drive(options, events, 3600):
        if (QUEUE in outcome.held) != held:
            held = not held
            changes += 1
    # One more: learning the first on/off state may hold the queue.
    assert changes <= most_changes_per_hour + 1


@SETTINGS
@given(seed=st.integers(0, 2**32))
def test_a_flapping_entity_costs_at_most_thirteen_commands_an_hour(seed) -> None:
    """Through the scheduler: a video backlog under a sensor flapping every 1 to 10 s.

    Each change of the hold is one pause or one resume: 12 in an hour at the default 5 min,
    plus one for learning the first state.
    """
    events = flapping(seed, ("on", "off", "unknown"))
    options = ConditionOptions(queues={QUEUE: Condition(entity_id=ENTITY)})
    policy = Policy(managed=frozenset({QUEUE}))
    snapshot = snap(queue(QUEUE, 40, active=1))
    memory = Memory()
    commands = 0
    for time, _, outcome in drive(options, events, 3600):
        result = plan(snapshot, policy, Intents(house=outcome.held), memory, time)
        snapshot, memory = apply(snapshot, result), result.memory
        commands += len(result.commands)
    assert commands <= 13


@SETTINGS
@given(timelines())
def test_an_entity_without_state_for_ten_minutes_never_holds(events) -> None:
    """Unavailable, unknown or deleted for 10 min straight: work is allowed (never stuck)."""
    options = ConditionOptions(queues={QUEUE: Condition(entity_id=ENTITY)})
    for now, state, outcome in drive(options, events, 7200):
        if state not in ("on", "off") and (
            _lasted(events, now, lambda earlier: earlier not in ("on", "off")) >= 600
        ):
            assert QUEUE not in outcome.held


@SETTINGS
@given(
    st.dictionaries(
        st.text(max_size=12), st.one_of(st.booleans(), st.integers(), st.none())
    ),
    st.dictionaries(
        st.sampled_from(
            ("server_condition", "queue_conditions", "condition_min_minutes")
        ),
        st.one_of(
            st.none(),
            st.text(max_size=8),
            st.floats(allow_nan=True),
            st.dictionaries(
                st.text(max_size=12),
                st.one_of(
                    st.text(max_size=12),
                    st.dictionaries(
                        st.sampled_from(("entity_id", "work_when")),
                        st.one_of(st.text(max_size=12), st.integers()),
                    ),
                ),
            ),
        ),
    ),
    st.dictionaries(st.text(max_size=12), st.one_of(st.text(max_size=12), st.none())),
    st.floats(min_value=-1e6, max_value=1e9),
)
def test_no_state_options_or_stored_memory_makes_it_raise(
    stored, options, states, now
) -> None:
    """Whatever storage, the options and Home Assistant's states hold, it decides."""
    outcome = evaluate(
        ConditionMemory.from_dict(stored),
        conditions_from_options(options),
        states,
        ("smartSearch", QUEUE),
        now,
    )
    assert outcome.next_check is None or outcome.next_check >= 0


def _after(snapshot: Mapping[str, QueueStatus], held: Mapping[str, Hold], args):
    """Plan with `held` joining the user's holds; return the snapshot Immich ends with."""
    policy, intents, memory = args
    result = plan(
        snapshot,
        policy,
        Intents(
            scheduling=intents.scheduling,
            held=intents.held | frozenset(held),
            run_now=intents.run_now,
        ),
        memory,
        NOW,
    )
    return apply(snapshot, result)


@st.composite
def grouped(draw: st.DrawFn):
    """Draw a snapshot, the scheduler's inputs, and disjoint groups of its managed queues."""
    snapshot = draw(snapshots())
    policy = draw(policies())
    managed = [
        name
        for name in sorted(snapshot)
        if name in policy.managed and name not in ("backgroundTask", "notifications")
    ]
    order = draw(st.permutations(managed))
    groups = []
    while len(order) >= 2 and draw(st.booleans()):
        size = draw(st.integers(2, len(order)))
        groups.append(frozenset(order[:size]))
        order = order[size:]
    return snapshot, groups, (policy, draw(intents_st), draw(memories()))


@SETTINGS
@given(grouped())
def test_never_two_members_of_a_group_resumed(case) -> None:
    """Whatever N, the policy kind, the holds and run now: one member of a group resumed.

    Only while scheduling is on: switched off, Immich Jobs stops commanding and Immich runs
    every queue as it would unmanaged (docs/reference.md), groups included.
    """
    snapshot, groups, (policy, intents, memory) = case
    assume(intents.scheduling)
    result = plan(
        snapshot, replace(policy, exclusive_groups=tuple(groups)), intents, memory, NOW
    )
    after = apply(snapshot, result)
    resumed = {name for name, status in after.items() if not status.is_paused}
    for group in groups:
        assert len(group & resumed) <= 1, (group, resumed)


@SETTINGS
@given(grouped())
def test_settle_leaves_one_member_of_a_group_resumed(case) -> None:
    """Planned with the group holds settled, at most one member of a group is resumed."""
    snapshot, groups, args = case
    policy = args[0]

    def resumed_with(held: Mapping[str, Hold]) -> set[str]:
        after = _after(snapshot, held, args)
        return {name for name, status in after.items() if not status.is_paused}

    held = settle(resumed_with, snapshot, groups, policy.priority, args[1].run_now)
    resumed = resumed_with(held)
    for group in groups:
        assert len(group & resumed) <= 1, (group, resumed)


@SETTINGS
@given(grouped(), st.frozensets(st.sampled_from(("smartSearch", "ocr", "sidecar"))))
def test_never_together_holds_back_only_what_was_to_resume(case, resumed) -> None:
    """It only ever holds back resumed queues, and leaves one of each group."""
    snapshot, groups, args = case
    held = never_together(resumed, snapshot, groups, args[0].priority, args[1].run_now)
    assert set(held) <= resumed
    for group in groups:
        assert len(group & (resumed - set(held))) <= 1


@SETTINGS
@given(snapshots(), policies(), intents_st, memories())
def test_a_queue_outside_its_schedule_always_ends_paused(
    snapshot, policy, intents, memory
) -> None:
    """The schedule is off: every managed queue it holds ends paused (scheduling on).

    The holds come in as the house's intents, as the coordinator passes them.
    """
    outcome = evaluate(
        ConditionMemory(),
        ConditionOptions(server=Condition(entity_id="schedule.night")),
        {"schedule.night": "off"},
        snapshot,
        NOW,
    )
    result = plan(
        snapshot,
        policy,
        replace(intents, scheduling=True, house=outcome.held),
        memory,
        NOW,
    )
    after = apply(snapshot, result)
    for name in outcome.held:
        if name in policy.managed and name not in ("backgroundTask", "notifications"):
            assert after[name].is_paused
            # Held while it has work; an empty held queue is Idle (docs/statuses.md).
            has_work = snapshot[name].pending > 0 or snapshot[name].active > 0
            assert result.states[name] in (
                ("held", "held_in_immich") if has_work else ("idle", "held_in_immich")
            )


@st.composite
def upload_reads(draw: st.DrawFn) -> list[tuple[float, int | None]]:
    """Draw reads 2 to 60 s apart, each with how many assets arrived since (None: failed).

    The first read sees nothing arrive: it is what later reads compare with.
    """
    reads: list[tuple[float, int | None]] = [(0.0, 0)]
    now = 10.0
    for _ in range(draw(st.integers(1, 120))):
        reads.append((now, draw(st.one_of(st.none(), st.sampled_from((0, 1, 5, 30))))))
        now += draw(st.sampled_from((2.0, 10.0, 60.0)))
    return reads


@SETTINGS
@given(upload_reads())
def test_the_quiet_period_follows_big_backups_and_every_hold_ends(reads) -> None:
    """Held within 5 min of a big backup only, 30 min at most, each hold with its end.

    A big backup: a read saw assets arrive, and 60 arrived within the 2 minutes before it.
    Thumbnails are never held.

    The assets come down a paused smart search (one job each); a failed read sees nothing,
    and what arrived meanwhile shows at the next good read.
    """
    memory = UploadMemory()
    jobs, unseen = 0, 0
    good: list[tuple[float, int]] = []
    big_at: float | None = None
    held_since: float | None = None
    for now, arrived in reads:
        unseen += arrived or 0
        snapshot = None
        if arrived is not None:
            jobs += unseen
            good.append((now, unseen))
            if unseen and sum(n for t, n in good if t > now - 120.0) >= 60:
                big_at = now
            unseen = 0
            snapshot = snap(
                queue("metadataExtraction"),
                queue("smartSearch", jobs, paused=True),
                queue("videoConversion", 3),
            )
        outcome = watch(memory, UploadOptions(), snapshot, now)
        memory = outcome.memory
        assert outcome.active == (big_at is not None and now - big_at < 300.0)
        if not outcome.held:
            held_since = None
            continue
        held_since = now if held_since is None else held_since
        assert now - held_since < 1800.0
        assert "thumbnailGeneration" not in outcome.held
        for hold in outcome.held.values():
            assert hold.until is not None
            assert now < hold.until <= held_since + 1800.0
