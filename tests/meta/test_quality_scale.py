"""quality_scale.yaml stays honest: every rule listed, reasons given, proofs that exist."""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
import re

import yaml

import homeassistant

ROOT = Path(__file__).parents[2]
INTEGRATION = ROOT / "custom_components" / "immich_jobs"
# pyload is Platinum: its file lists every rule of the scale, Bronze to Platinum.
REFERENCE = Path(homeassistant.__file__).parent / "components/pyload/quality_scale.yaml"
TEST_FILE = re.compile(r"tests/[\w/]+\.py")
PLATFORMS = ("button", "number", "sensor", "switch")
# Rules Home Assistant 2026 added to the scale (absent from 2025.4's list): the file lists them
# too, so that it is complete on either generation.
RULES_ADDED_IN_2026 = {"docs-conditions", "docs-triggers"}


def _rules(path: Path) -> dict[str, object]:
    rules = yaml.safe_load(path.read_text(encoding="utf-8"))["rules"]
    assert isinstance(rules, dict)
    return rules


def _status(value: object) -> tuple[str, str]:
    if isinstance(value, str):
        return value, ""
    assert isinstance(value, dict), value
    return value["status"], value.get("comment", "")


def test_every_rule_is_listed() -> None:
    """The file names every rule of the scale (2025's and 2026's) and nothing else."""
    assert set(_rules(INTEGRATION / "quality_scale.yaml")) == (
        set(_rules(REFERENCE)) | RULES_ADDED_IN_2026
    )


def test_statuses_are_explained_and_proven() -> None:
    """Exempt says why; done names a test file that exists."""
    for rule, value in _rules(INTEGRATION / "quality_scale.yaml").items():
        status, comment = _status(value)
        assert status in {"done", "exempt", "todo"}, rule
        if status == "exempt":
            assert comment.strip(), f"{rule}: exempt without a reason"
        if status == "done":
            proofs = TEST_FILE.findall(comment)
            assert proofs, f"{rule}: done without naming a test file"
            for proof in proofs:
                assert (ROOT / proof).is_file(), f"{rule}: {proof} does not exist"


def test_platforms_set_parallel_updates() -> None:
    """Every platform says how many updates or actions may run at once."""
    for platform in PLATFORMS:
        module = import_module(f"custom_components.immich_jobs.{platform}")
        assert isinstance(getattr(module, "PARALLEL_UPDATES", None), int), platform
