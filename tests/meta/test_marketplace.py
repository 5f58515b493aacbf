"""Home Assistant 2026.11's Marketplace installs Immich Jobs from hacs.json and manifest.json.

The Marketplace's own parsing and validation run on this repository's files (through
marketplace_reads.py, in a Python whose Home Assistant ships the Marketplace: lane 2026's demo
venv, $DEMO_PYTHON). A key it ignores or a value it refuses fails here, not on a user's install.
"""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path
import subprocess
import sys
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = Path(__file__).with_name("marketplace_reads.py")
NO_MARKETPLACE = 3


def marketplace_python() -> str | None:
    """Return a Python whose Home Assistant has the Marketplace, if this lane has one."""
    if importlib.util.find_spec("homeassistant.components.marketplace") is not None:
        return sys.executable
    return os.environ.get("DEMO_PYTHON")


def run_probe(root: Path) -> dict[str, Any]:
    """Return what the Marketplace reads from the repository at `root`."""
    python = marketplace_python()
    if python is None:
        pytest.skip(
            "Home Assistant's Marketplace ships in 2026.11: lane 2026 runs this test "
            "(its demo venv, $DEMO_PYTHON); this lane has neither"
        )
    done = subprocess.run(
        [python, str(PROBE), str(root)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode == NO_MARKETPLACE:
        pytest.skip(f"{python}'s Home Assistant has no Marketplace (before 2026.11)")
    assert done.returncode == 0, done.stderr[-3000:]
    read: dict[str, Any] = json.loads(done.stdout)
    return read


@pytest.fixture(scope="module")
def read() -> dict[str, Any]:
    """Return what the Marketplace makes of this repository."""
    return run_probe(ROOT)


def test_hacs_json_read_whole(read: dict[str, Any]) -> None:
    """Every key of hacs.json is one the Marketplace reads, with a value it accepts."""
    assert read["hacs_ignored"] == []
    assert read["warnings"] == []
    assert read["hacs_read"] == {"name": "Immich Jobs", "homeassistant": "2025.4.0"}
    assert read["display_name"] == "Immich Jobs"


def test_installs_the_tagged_tree(read: dict[str, Any]) -> None:
    """No zip asset: the Marketplace installs custom_components/immich_jobs of the tag."""
    assert read["zip_release"] is False
    assert read["content_in_root"] is False


def test_manifest_accepted(read: dict[str, Any]) -> None:
    """manifest.json gives the domain, name, owners and config flow, and a loadable version."""
    assert read["refused"] == []
    assert read["domain"] == "immich_jobs"
    assert read["manifest_name"] == "Immich Jobs"
    assert read["config_flow"] is True
    assert read["authors"] == ["@immich-jobs"]


def test_installable_on_2026_11(read: dict[str, Any]) -> None:
    """The minimum Home Assistant of hacs.json lets 2026.11 install it."""
    assert read["can_install"] is True
