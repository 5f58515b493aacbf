"""The entry's options, read once into Settings: defaults, and the policy of one cycle."""

from __future__ import annotations

from custom_components.immich_jobs.engine.settings import Settings

from .helpers import queue, snap


def test_no_options_are_the_defaults() -> None:
    """A fresh entry: preemptive, express lane on, a look every 10 s, no groups."""
    settings = Settings.from_options({})
    assert settings.policy.kind == "preemptive"
    assert settings.policy.express_lane is True
    assert settings.policy.express_max_jobs == 25
    assert settings.poll_interval == 10.0
    assert settings.policy.exclusive_groups == ()
    assert settings.conditions.min_seconds == 300.0
    assert settings.uploads.quiet_seconds == 300.0


def test_the_cycles_policy_has_the_limit_and_leaves_rivals_and_absent_queues_out() -> (
    None
):
    """Immich without OCR, a rival flipping video: two queues scheduled, video contested."""
    settings = Settings.from_options(
        {
            "managed_queues": ["thumbnailGeneration", "videoConversion", "ocr"],
            "poll_interval": 30,
        }
    )
    present = snap(queue("thumbnailGeneration"), queue("videoConversion"))
    policy = settings.policy_in_force(3, present, {"videoConversion"})
    assert policy.max_running == 3
    assert policy.managed == {"thumbnailGeneration"}
    assert policy.contested == {"videoConversion"}
    assert policy.poll_interval == 30.0
    assert settings.policy_in_force(0).managed == {
        "thumbnailGeneration",
        "videoConversion",
        "ocr",
    }
