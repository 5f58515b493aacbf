"""What the house features share: joining their holds into one reason per queue."""

from __future__ import annotations

from custom_components.immich_jobs.engine.house.holds import Hold, merge
from custom_components.immich_jobs.engine.reasons import QueueReason, Reason, in_words


def test_the_first_layer_that_holds_a_queue_gives_its_reason() -> None:
    """Server condition before uploads: video shows the schedule, OCR the uploads."""
    schedule = Hold(Reason.OUTSIDE_SCHEDULE, "schedule.immich_night")
    uploads = Hold(Reason.UPLOADS_ARRIVING)
    assert merge(
        {"videoConversion": schedule},
        {"videoConversion": uploads, "ocr": uploads},
    ) == {"videoConversion": schedule, "ocr": uploads}


def test_nothing_held_anywhere_is_nothing_held() -> None:
    """No layer, or empty layers: no hold."""
    assert merge() == {}
    assert merge({}, {}) == {}


def test_each_hold_says_in_words_what_holds_the_queue() -> None:
    """The command's reason (debug log, diagnostics) names the entity or the group's keeper."""
    holds = {
        Reason.OUTSIDE_SCHEDULE: "held: outside its schedule (schedule.immich_night)",
        Reason.HELD_BY_ENTITY: "held by schedule.immich_night",
        Reason.UPLOADS_ARRIVING: "held: uploads in progress",
    }
    for code, words in holds.items():
        why = QueueReason(code)
        assert in_words(why, "schedule.immich_night") == words
    group = QueueReason(Reason.NEVER_TOGETHER, behind=("smartSearch",))
    assert in_words(group) == "held: never together with smartSearch"
