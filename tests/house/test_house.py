"""What the house features share: joining their holds into one reason per queue."""

from __future__ import annotations

from custom_components.immich_jobs.engine.house.holds import Hold, HoldKind, merge


def test_the_first_layer_that_holds_a_queue_gives_its_reason() -> None:
    """Server condition before uploads: video shows the schedule, OCR the uploads."""
    schedule = Hold(HoldKind.SCHEDULE, "schedule.immich_night")
    uploads = Hold(HoldKind.UPLOADS)
    assert merge(
        {"videoConversion": schedule},
        {"videoConversion": uploads, "ocr": uploads},
    ) == {"videoConversion": schedule, "ocr": uploads}


def test_nothing_held_anywhere_is_nothing_held() -> None:
    """No layer, or empty layers: no hold."""
    assert merge() == {}
    assert merge({}, {}) == {}


def test_reason_kinds_are_the_translation_keys() -> None:
    """The coordinator looks the reasons up in en.json under these keys."""
    assert [kind.value for kind in HoldKind] == [
        "outside_schedule",
        "held_by_entity",
        "uploads_arriving",
        "never_together",
    ]
