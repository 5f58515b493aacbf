"""The demo hands the real bench's variants to the integration's house step as a person would."""

from __future__ import annotations

from bench.real.controllers import VARIANTS
from demo.__main__ import Demo
from demo.cli import parse_args


def test_no_option_leaves_the_house_step_as_shown() -> None:
    """Without options the form is submitted as the integration shows it (its defaults)."""
    assert Demo(parse_args(["--check"])).house() == {}


def test_quiet_period_off_and_a_server_condition() -> None:
    """The bench's condition variant: quiet period off, the toggle allows work when on."""
    args = parse_args(list(VARIANTS["ours_condition"].demo_args or ()))
    assert Demo(args).house() == {
        "server": {"entity": "input_boolean.immich_box_free", "work_when": "on"},
        "condition_min_minutes": 1,
        "uploads": {"upload_quiet": False},
    }
