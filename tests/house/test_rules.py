"""The house's rules between looks, as the coordinator and the benchmark use them."""

from __future__ import annotations

from custom_components.immich_jobs.engine.house.holds import Hold
from custom_components.immich_jobs.engine.house.rules import HouseRules
from custom_components.immich_jobs.engine.reasons import Reason
from custom_components.immich_jobs.engine.settings import Settings
from tests.scheduler.helpers import queue, snap

OPTIONS = {
    "server_condition": {"entity_id": "binary_sensor.streaming", "work_when": "off"},
    "never_together": [["smartSearch", "ocr"]],
}
SETTINGS = Settings.from_options(OPTIONS)


def test_a_condition_and_uploads_together_the_condition_says_why() -> None:
    """Streaming and a big backup: video conversion is held, the reason is the stream."""
    rules = HouseRules()
    rules.decide(
        SETTINGS.conditions, {"binary_sensor.streaming": "on"}, ["videoConversion"], 0.0
    )
    rules.observe(
        SETTINGS.uploads,
        snap(queue("metadataExtraction", 80), queue("videoConversion")),
        0.0,
    )
    assert rules.holds() == {
        "videoConversion": Hold(Reason.HELD_BY_ENTITY, "binary_sensor.streaming")
    }
    # The quiet period ends 5 minutes after the uploads were seen.
    assert rules.next_check == 300.0


def test_a_queue_run_now_is_exempt() -> None:
    """Run now beats conditions and uploads: the user asked for it."""
    rules = HouseRules()
    rules.decide(
        SETTINGS.conditions,
        {"binary_sensor.streaming": "on"},
        ["ocr", "smartSearch"],
        0.0,
    )
    assert rules.holds(run_now={"ocr"}) == {
        "smartSearch": Hold(Reason.HELD_BY_ENTITY, "binary_sensor.streaming")
    }


def test_the_policy_takes_the_groups_and_the_quiet_period_queues() -> None:
    """Groups from the options; the default heavy queues watched while the period is on."""
    policy = SETTINGS.policy
    assert policy.exclusive_groups == (frozenset({"smartSearch", "ocr"}),)
    assert policy.watch_empty == frozenset(
        {"videoConversion", "smartSearch", "faceDetection", "ocr"}
    )
    quiet_off = Settings.from_options({"upload_quiet": False})
    assert quiet_off.policy.watch_empty == frozenset()
