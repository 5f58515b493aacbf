"""Never together: each documented rule, with the expected outcome written by hand."""

from __future__ import annotations

from collections.abc import Mapping

from custom_components.immich_jobs.engine.house.groups import (
    GroupError,
    groups_from_options,
    never_together,
    settle,
    validate_groups,
)
from custom_components.immich_jobs.engine.house.holds import Hold
from custom_components.immich_jobs.engine.queues import (
    DEFAULT_MANAGED,
    DEFAULT_PRIORITY,
)
from custom_components.immich_jobs.engine.reasons import Reason
from custom_components.immich_jobs.engine.scheduler import Intents, Memory, Policy, plan
from tests.scheduler.helpers import apply, queue, snap

ML = frozenset({"smartSearch", "faceDetection", "ocr"})


def test_the_best_priority_member_keeps_the_group() -> None:
    """Smart search and OCR would both run: OCR (lower priority) waits for smart search."""
    snapshot = snap(queue("smartSearch", 40), queue("ocr", 40), queue("sidecar", 3))
    held = never_together(
        ["smartSearch", "ocr", "sidecar"], snapshot, [ML], DEFAULT_PRIORITY
    )
    assert held == {"ocr": Hold(Reason.NEVER_TOGETHER, "smartSearch")}


def test_a_member_with_running_jobs_is_not_churned() -> None:
    """OCR is running a job: smart search waits, although it comes first in priority."""
    snapshot = snap(queue("smartSearch", 40), queue("ocr", 40, active=1))
    held = never_together(["smartSearch", "ocr"], snapshot, [ML], DEFAULT_PRIORITY)
    assert held == {"smartSearch": Hold(Reason.NEVER_TOGETHER, "ocr")}


def test_a_member_already_resumed_keeps_the_group_over_a_paused_one() -> None:
    """OCR resumed with work (its fast jobs show no `active`) keeps it; smart search waits."""
    snapshot = snap(queue("smartSearch", 40, paused=True), queue("ocr", 40))
    held = never_together(["smartSearch", "ocr"], snapshot, [ML], DEFAULT_PRIORITY)
    assert held == {"smartSearch": Hold(Reason.NEVER_TOGETHER, "ocr")}


def test_a_member_with_work_comes_before_an_empty_one() -> None:
    """Both resumed, smart search empty: face detection, which has work, keeps the group."""
    snapshot = snap(queue("smartSearch"), queue("faceDetection", 9))
    held = never_together(
        ["smartSearch", "faceDetection"], snapshot, [ML], DEFAULT_PRIORITY
    )
    assert held == {"smartSearch": Hold(Reason.NEVER_TOGETHER, "faceDetection")}


def test_a_draining_member_makes_the_others_wait() -> None:
    """OCR was paused with a job still running: smart search starts once it is done."""
    snapshot = snap(
        queue("smartSearch", 40, paused=True), queue("ocr", 9, active=1, paused=True)
    )
    held = never_together(["smartSearch"], snapshot, [ML], DEFAULT_PRIORITY)
    assert held == {"smartSearch": Hold(Reason.NEVER_TOGETHER, "ocr")}


def test_a_queue_run_now_keeps_the_group_once_the_running_member_drains() -> None:
    """OCR runs a job, smart search is run now: OCR is paused, smart search waits for it."""
    snapshot = snap(queue("smartSearch", 40, paused=True), queue("ocr", 40, active=1))
    held = never_together(
        ["smartSearch", "ocr"], snapshot, [ML], DEFAULT_PRIORITY, first={"smartSearch"}
    )
    assert held == {
        "ocr": Hold(Reason.NEVER_TOGETHER, "smartSearch"),
        "smartSearch": Hold(Reason.NEVER_TOGETHER, "ocr"),
    }
    # Next cycle: OCR is paused and still draining; smart search keeps waiting, unchurned.
    draining = snap(
        queue("smartSearch", 40, paused=True), queue("ocr", 39, active=1, paused=True)
    )
    assert never_together(
        ["smartSearch"], draining, [ML], DEFAULT_PRIORITY, first={"smartSearch"}
    ) == {"smartSearch": Hold(Reason.NEVER_TOGETHER, "ocr")}
    # OCR's job is done: smart search runs.
    done = snap(queue("smartSearch", 40, paused=True), queue("ocr", 39, paused=True))
    assert never_together(["smartSearch"], done, [ML], DEFAULT_PRIORITY) == {}


def test_a_running_member_is_not_held_for_a_draining_one() -> None:
    """Smart search already runs jobs beside a draining OCR: holding it would stop nothing."""
    snapshot = snap(
        queue("smartSearch", 40, active=1), queue("ocr", 9, active=1, paused=True)
    )
    assert never_together(["smartSearch"], snapshot, [ML], DEFAULT_PRIORITY) == {}


def test_queues_outside_groups_and_lone_members_are_untouched() -> None:
    """One member resumed and another queue: nothing held."""
    snapshot = snap(queue("smartSearch", 40), queue("ocr"), queue("videoConversion", 4))
    held = never_together(
        ["smartSearch", "videoConversion"], snapshot, [ML], DEFAULT_PRIORITY
    )
    assert held == {}


def test_each_group_is_decided_on_its_own() -> None:
    """Two groups, two keepers: one queue of each may run."""
    groups = [
        frozenset({"smartSearch", "ocr"}),
        frozenset({"videoConversion", "faceDetection"}),
    ]
    snapshot = snap(
        queue("smartSearch", 1),
        queue("ocr", 1),
        queue("videoConversion", 4),
        queue("faceDetection", 4),
    )
    held = never_together(snapshot, snapshot, groups, DEFAULT_PRIORITY)
    assert held == {
        "ocr": Hold(Reason.NEVER_TOGETHER, "smartSearch"),
        "videoConversion": Hold(Reason.NEVER_TOGETHER, "faceDetection"),
    }


def test_settle_plans_again_when_a_hold_frees_a_slot_for_another_member() -> None:
    """N = 2 and three ML backlogs: OCR would take the slot face detection leaves.

    So OCR is held too, and smart search runs alone.
    """
    snapshot = snap(
        queue("smartSearch", 500, paused=True),
        queue("faceDetection", 500, paused=True),
        queue("ocr", 500, paused=True),
    )
    policy = Policy(max_running=2)

    def resumed_with(held: Mapping[str, Hold]) -> set[str]:
        result = plan(snapshot, policy, Intents(held=frozenset(held)), Memory(), 0.0)
        return {
            name
            for name, status in apply(snapshot, result).items()
            if not status.is_paused
        }

    held = settle(resumed_with, snapshot, [ML], DEFAULT_PRIORITY)
    assert held == {
        "faceDetection": Hold(Reason.NEVER_TOGETHER, "smartSearch"),
        "ocr": Hold(Reason.NEVER_TOGETHER, "smartSearch"),
    }
    assert resumed_with(held) == {"smartSearch"}


def test_valid_groups_pass() -> None:
    """The suggested ML group and a second one are fine."""
    groups = [["smartSearch", "faceDetection", "ocr"], ["videoConversion", "sidecar"]]
    assert validate_groups(groups, DEFAULT_MANAGED) is None


def test_a_queue_in_two_groups_is_refused() -> None:
    """OCR cannot be in both groups."""
    groups = [["smartSearch", "ocr"], ["videoConversion", "ocr"]]
    assert validate_groups(groups, DEFAULT_MANAGED) == GroupError(
        "group_queue_twice", "ocr"
    )


def test_an_unmanaged_or_unknown_queue_is_refused() -> None:
    """External libraries are not managed by default; a made-up name is unknown."""
    assert validate_groups([["library", "ocr"]], DEFAULT_MANAGED) == GroupError(
        "group_unknown_queue", "library"
    )
    assert validate_groups([["ocr", "nope"]], DEFAULT_MANAGED) == GroupError(
        "group_unknown_queue", "nope"
    )


def test_a_group_of_one_is_refused() -> None:
    """A group needs two queues; a name given twice is still one."""
    assert validate_groups([["ocr", "ocr"]], DEFAULT_MANAGED) == GroupError(
        "group_too_small", "ocr"
    )
    assert validate_groups([[]], DEFAULT_MANAGED) == GroupError("group_too_small")


def test_groups_option_is_read_leniently() -> None:
    """Lists of names are groups; junk and groups of one are left out."""
    assert groups_from_options(
        [["smartSearch", "ocr", 3], ["ocr"], "faceDetection", None]
    ) == (frozenset({"smartSearch", "ocr"}),)
    assert groups_from_options(None) == ()
    assert groups_from_options({"a": 1}) == ()
