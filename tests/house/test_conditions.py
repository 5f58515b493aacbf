"""Allowed when: each documented rule, with the expected outcome written by hand."""

from __future__ import annotations

from custom_components.immich_jobs.engine.house.conditions import (
    Condition,
    ConditionMemory,
    ConditionOptions,
    ConditionOutcome,
    conditions_from_options,
    evaluate,
)
from custom_components.immich_jobs.engine.house.holds import Hold
from custom_components.immich_jobs.engine.reasons import Reason

NIGHT = "schedule.immich_night"
STREAMING = "binary_sensor.plex_streaming"
BOX_FREE = "input_boolean.immich_may_work"
QUEUES = ("thumbnailGeneration", "videoConversion", "smartSearch")

SERVER_NIGHT = ConditionOptions(server=Condition(entity_id=NIGHT))
# "Someone is streaming" holds work while on: work is allowed when it is off.
VIDEO_NOT_WHILE_STREAMING = ConditionOptions(
    queues={"videoConversion": Condition(entity_id=STREAMING, work_when="off")}
)


class Timeline:
    """Feed one entity's states to `evaluate` as the coordinator would, keeping the memory."""

    def __init__(
        self, options: ConditionOptions, memory: ConditionMemory | None = None
    ):
        """Start with no decision (or a restored memory)."""
        self.options = options
        self.memory = memory or ConditionMemory()

    def at(self, now: float, **states: str | None) -> ConditionOutcome:
        """Evaluate at `now` with the given states (keyword: the entity id's object id)."""
        entity_ids = {entity_id.split(".", 1)[1]: entity_id for entity_id in ALL}
        outcome = evaluate(
            self.memory,
            self.options,
            {entity_ids[key]: state for key, state in states.items()},
            QUEUES,
            now,
        )
        self.memory = outcome.memory
        return outcome


ALL = (NIGHT, STREAMING, BOX_FREE)


def test_no_condition_holds_nothing() -> None:
    """Without conditions every queue may work and nothing needs a second look."""
    outcome = evaluate(ConditionMemory(), ConditionOptions(), {}, QUEUES, 0.0)
    assert outcome.held == {}
    assert outcome.next_check is None


def test_schedule_off_holds_every_queue_outside_its_schedule() -> None:
    """A server-wide schedule that is off holds all queues with "outside its schedule"."""
    outcome = Timeline(SERVER_NIGHT).at(0.0, immich_night="off")
    assert outcome.held == {
        "thumbnailGeneration": Hold(Reason.OUTSIDE_SCHEDULE, NIGHT),
        "videoConversion": Hold(Reason.OUTSIDE_SCHEDULE, NIGHT),
        "smartSearch": Hold(Reason.OUTSIDE_SCHEDULE, NIGHT),
    }


def test_schedule_on_allows_work() -> None:
    """Inside its schedule, nothing is held."""
    assert Timeline(SERVER_NIGHT).at(0.0, immich_night="on").held == {}


def test_queue_condition_holds_only_its_queue_by_the_entity() -> None:
    """Streaming (work when off) holds video conversion alone, held by the entity."""
    outcome = Timeline(VIDEO_NOT_WHILE_STREAMING).at(0.0, plex_streaming="on")
    assert outcome.held == {"videoConversion": Hold(Reason.HELD_BY_ENTITY, STREAMING)}


def test_a_schedule_that_allows_work_when_off_is_named_as_an_entity() -> None:
    """Name a schedule that allows work when off as an entity, not as "outside"."""
    options = ConditionOptions(server=Condition(entity_id=NIGHT, work_when="off"))
    assert Timeline(options).at(0.0, immich_night="on").held["smartSearch"] == Hold(
        Reason.HELD_BY_ENTITY, NIGHT
    )


def test_server_reason_comes_before_the_queue_reason() -> None:
    """Both hold video conversion: the server-wide condition is the reason shown."""
    options = ConditionOptions(
        server=Condition(entity_id=BOX_FREE),
        queues={"videoConversion": Condition(entity_id=NIGHT)},
    )
    outcome = Timeline(options).at(0.0, immich_may_work="off", immich_night="off")
    assert outcome.held["videoConversion"] == Hold(Reason.HELD_BY_ENTITY, BOX_FREE)


def test_a_change_too_soon_waits_for_five_minutes_in_the_state() -> None:
    """Held at 0 s, allowed again at 60 s: work resumes at 300 s, not before."""
    timeline = Timeline(SERVER_NIGHT)
    timeline.at(-1000.0, immich_night="on")  # inside the schedule for a long time
    assert timeline.at(0.0, immich_night="off").held  # held at once
    early = timeline.at(60.0, immich_night="on")
    assert early.held  # still held
    assert early.next_check == 240.0  # look again when the five minutes are over
    assert timeline.at(299.0, immich_night="on").held
    assert timeline.at(300.0, immich_night="on").held == {}


def test_a_hold_waiting_out_its_minimum_time_says_when_it_ends() -> None:
    """Held at 0 s, allowed again at 60 s: each queue's hold ends at 300 s; off, no end."""
    timeline = Timeline(SERVER_NIGHT)
    timeline.at(-1000.0, immich_night="on")
    assert timeline.at(0.0, immich_night="off").held["videoConversion"].until is None
    early = timeline.at(60.0, immich_night="on")
    assert early.held == dict.fromkeys(
        QUEUES, Hold(Reason.OUTSIDE_SCHEDULE, NIGHT, until=300.0)
    )


def test_an_unavailable_entitys_hold_ends_with_its_grace() -> None:
    """Broken at 100 s while holding: the hold says it ends at 700 s."""
    timeline = Timeline(VIDEO_NOT_WHILE_STREAMING)
    timeline.at(0.0, plex_streaming="on")
    broken = timeline.at(100.0, plex_streaming="unavailable")
    assert broken.held == {
        "videoConversion": Hold(Reason.HELD_BY_ENTITY, STREAMING, until=700.0)
    }


def test_a_change_after_five_minutes_applies_at_once() -> None:
    """Held for 400 s already: turning the schedule on allows work immediately."""
    timeline = Timeline(SERVER_NIGHT)
    timeline.at(-1000.0, immich_night="on")
    timeline.at(0.0, immich_night="off")
    outcome = timeline.at(400.0, immich_night="on")
    assert outcome.held == {}
    assert outcome.next_check is None


def test_a_flap_that_went_back_changes_nothing() -> None:
    """Off at 0 s, on at 60 s, off again at 120 s: held throughout, nothing pending."""
    timeline = Timeline(SERVER_NIGHT)
    timeline.at(-1000.0, immich_night="on")
    timeline.at(0.0, immich_night="off")
    timeline.at(60.0, immich_night="on")
    back = timeline.at(120.0, immich_night="off")
    assert back.held
    assert back.next_check is None
    assert timeline.at(300.0, immich_night="off").held


def test_the_first_state_seen_is_learnt_and_the_next_change_applies_at_once() -> None:
    """Off when first seen at 0 s, on at 10 s: allowed at once; off at 70 s waits to 310 s."""
    timeline = Timeline(SERVER_NIGHT)
    assert timeline.at(0.0, immich_night="off").held
    assert timeline.at(10.0, immich_night="on").held == {}
    late = timeline.at(70.0, immich_night="off")
    assert late.held == {}
    assert late.next_check == 240.0
    assert timeline.at(310.0, immich_night="off").held


def test_unavailable_keeps_the_last_state_for_ten_minutes_then_allows() -> None:
    """A broken template sensor: held 10 min from when it broke, then work is allowed."""
    timeline = Timeline(VIDEO_NOT_WHILE_STREAMING)
    assert timeline.at(0.0, plex_streaming="on").held
    broken = timeline.at(100.0, plex_streaming="unavailable")
    assert broken.held
    assert broken.next_check == 600.0
    assert timeline.at(699.0, plex_streaming="unknown").held
    assert timeline.at(700.0, plex_streaming="unavailable").held == {}


def test_a_missing_entity_counts_as_unavailable() -> None:
    """An entity deleted after it was chosen is no state: the same ten minutes apply."""
    timeline = Timeline(VIDEO_NOT_WHILE_STREAMING)
    timeline.at(0.0, plex_streaming="on")
    assert timeline.at(10.0).held
    assert timeline.at(610.0).held == {}


def test_a_state_other_than_on_or_off_counts_as_unavailable() -> None:
    """Any other state string is not a decision either."""
    timeline = Timeline(SERVER_NIGHT)
    timeline.at(0.0, immich_night="off")
    assert timeline.at(5.0, immich_night="playing").next_check == 600.0


def test_never_seen_on_or_off_allows_work_and_the_first_state_applies_at_once() -> None:
    """Unknown at start allows work; the first real state 5 s later holds at once."""
    timeline = Timeline(SERVER_NIGHT)
    first = timeline.at(0.0, immich_night="unknown")
    assert first.held == {}
    assert first.next_check is None
    assert timeline.at(5.0, immich_night="off").held


def test_a_restart_holds_what_was_held_until_the_entity_says_otherwise() -> None:
    """Restored "off": held while the entity is still unknown, allowed at its first "on"."""
    stored = ConditionMemory(
        decisions=Timeline(SERVER_NIGHT).at(0.0, immich_night="off").memory.decisions
    ).as_dict()
    assert stored == {NIGHT: False}
    timeline = Timeline(SERVER_NIGHT, ConditionMemory.from_dict(stored))
    assert timeline.at(0.0, immich_night="unknown").held
    assert timeline.at(1.0, immich_night="on").held == {}


def test_storage_keeps_only_on_off_decisions_and_skips_malformed_data() -> None:
    """Undecided entities are not written; junk from storage is ignored."""
    timeline = Timeline(ConditionOptions(server=Condition(entity_id=NIGHT)))
    assert timeline.at(0.0, immich_night="unknown").memory.as_dict() == {}
    restored = ConditionMemory.from_dict({NIGHT: True, STREAMING: "off", 3: False})
    assert restored.as_dict() == {NIGHT: True}
    assert ConditionMemory.from_dict(["not", "a", "mapping"]).as_dict() == {}


def test_entities_to_listen_to() -> None:
    """The coordinator listens to each condition entity once."""
    options = ConditionOptions(
        server=Condition(entity_id=NIGHT),
        queues={
            "videoConversion": Condition(entity_id=STREAMING),
            "smartSearch": Condition(entity_id=STREAMING),
        },
    )
    assert options.entity_ids == {NIGHT, STREAMING}


def test_options_are_read_with_defaults_and_malformed_parts_left_out() -> None:
    """Entity ids without a domain, bad states and bad minutes fall back, never raise."""
    options = conditions_from_options(
        {
            "server_condition": {"entity_id": NIGHT},
            "queue_conditions": {
                "videoConversion": {"entity_id": STREAMING, "work_when": "off"},
                "smartSearch": {"entity_id": "no_domain"},
                "ocr": {"entity_id": BOX_FREE, "work_when": "maybe"},
                "faceDetection": "schedule.x",
            },
            "condition_min_minutes": 2,
        }
    )
    assert options == ConditionOptions(
        server=Condition(entity_id=NIGHT, work_when="on"),
        queues={"videoConversion": Condition(entity_id=STREAMING, work_when="off")},
        min_seconds=120.0,
    )


def test_minutes_are_clamped_and_junk_is_the_default() -> None:
    """0 minutes reads as 1, 1000 as 60, text and booleans as the default 5."""
    assert conditions_from_options({"condition_min_minutes": 0}).min_seconds == 60.0
    assert conditions_from_options({"condition_min_minutes": 1000}).min_seconds == 3600
    assert conditions_from_options({"condition_min_minutes": "x"}).min_seconds == 300
    assert conditions_from_options({"condition_min_minutes": True}).min_seconds == 300
    assert conditions_from_options({}) == ConditionOptions(min_seconds=300.0)
