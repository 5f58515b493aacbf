"""The 2026.11 import check catches names that only older Home Assistant versions have."""

from __future__ import annotations

import pytest

from scripts.check_forward_compat import (
    HomeAssistantTree,
    integration_sources,
    missing_imports,
    wheel_path,
)


@pytest.fixture(scope="module")
def tree_2026_11() -> HomeAssistantTree:
    """Read the Home Assistant 2026.11 wheel without installing it."""
    return HomeAssistantTree(wheel_path())


def test_integration_imports_exist_in_2026_11(tree_2026_11: HomeAssistantTree) -> None:
    """Every Home Assistant name the integration imports exists in 2026.11."""
    assert missing_imports(tree_2026_11, integration_sources()) == []


def test_name_removed_after_2025_4_is_caught(tree_2026_11: HomeAssistantTree) -> None:
    """A constant that 2025.4 still has but 2026.11 dropped fails the check."""
    import homeassistant.config_entries as current  # noqa: PLC0415

    assert hasattr(current, "CONN_CLASS_LOCAL_POLL")  # present in the 2025.4 test stack
    source = (
        "from homeassistant.config_entries import ConfigEntry, CONN_CLASS_LOCAL_POLL\n"
    )
    assert missing_imports(tree_2026_11, [("example.py", source)]) == [
        "example.py: homeassistant.config_entries.CONN_CLASS_LOCAL_POLL does not exist"
    ]


def test_missing_module_is_caught(tree_2026_11: HomeAssistantTree) -> None:
    """A module that does not exist in 2026.11 fails the check."""
    source = "import homeassistant.helpers.no_such_module\n"
    assert missing_imports(tree_2026_11, [("example.py", source)]) == [
        "example.py: module homeassistant.helpers.no_such_module does not exist"
    ]


def test_submodule_import_is_accepted(tree_2026_11: HomeAssistantTree) -> None:
    """`from package import submodule` is a valid import."""
    source = "from homeassistant.helpers import config_validation as cv\n"
    assert missing_imports(tree_2026_11, [("example.py", source)]) == []
