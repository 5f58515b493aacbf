"""The checks scripts/test promises: lint, strict types, 2026.11 imports, coverage of 95 %."""

from __future__ import annotations

import configparser
from pathlib import Path

from mypy import api as mypy_api

ROOT = Path(__file__).resolve().parents[2]


def test_scripts_test_runs_every_check() -> None:
    """Ruff (lint and format), strict mypy, the 2026.11 import check and pytest with coverage."""
    script = (ROOT / "scripts" / "test").read_text()
    for step in (
        "ruff check",
        "ruff format --check",
        "mypy custom_components/immich_jobs",
        "check_forward_compat.py",
        "pytest",
        "--cov",
    ):
        assert step in script, step
    assert "scripts/test" in (ROOT / ".ci" / "run").read_text()


def test_coverage_threshold() -> None:
    """Coverage of the integration below 95 % fails the run."""
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    assert config["coverage:run"]["source"] == "custom_components/immich_jobs"
    assert float(config["coverage:report"]["fail_under"]) >= 95


def test_integration_is_strictly_typed() -> None:
    """HA's strict-typing settings pass on the integration (mypy, setup.cfg)."""
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    for option in ("disallow_untyped_defs", "disallow_any_generics", "warn_return_any"):
        if option in config["mypy"]:
            assert config["mypy"][option] == "true", option
    out, err, status = mypy_api.run(
        [
            "--config-file",
            str(ROOT / "setup.cfg"),
            str(ROOT / "custom_components/immich_jobs"),
        ]
    )
    assert status == 0, out + err


def test_both_lanes_pin_what_the_readme_says() -> None:
    """Each lane's requirements pin the stack docs/development.md "Test lanes" names."""
    readme = (ROOT / "docs" / "development.md").read_text()
    pins = {
        "requirements_test.txt": "pytest-homeassistant-custom-component==0.13.236",
        "requirements_test_2026.txt": "pytest-homeassistant-custom-component==0.13.375",
        "requirements_demo_2026.txt": "homeassistant==2026.11.0",
    }
    for file, pin in pins.items():
        assert pin in (ROOT / file).read_text().splitlines(), (file, pin)
        assert pin.split("==")[1] in readme, pin
    script = (ROOT / "scripts" / "test").read_text()
    assert "lanes=(2025 2026)" in script
    assert "scripts/lane2026" in script
