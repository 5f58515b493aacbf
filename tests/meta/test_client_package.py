"""The Immich client is a package that could be published as a library unchanged.

It may import the standard library, aiohttp and yarl (aiohttp's own URL library), and its own
modules: nothing from Home Assistant, nothing from the rest of the integration.
"""

from __future__ import annotations

import ast
from pathlib import Path
import sys

import pytest

PACKAGE = (
    Path(__file__).resolve().parents[2] / "custom_components" / "immich_jobs" / "immich"
)
LIBRARIES = {"aiohttp", "yarl"}


def imports(path: Path) -> list[tuple[int, str]]:
    """Return (relative level, module) of every import in a file, nested ones included."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.extend((0, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            found.append((node.level, node.module or ""))
    return found


MODULES = sorted(PACKAGE.glob("*.py"))


def test_package_has_its_modules() -> None:
    """The scan below looks at the real package (an empty glob would pass anything)."""
    assert {path.stem for path in MODULES} >= {
        "__init__",
        "client",
        "errors",
        "models",
        "parsing",
        "transport",
        "url",
    }


@pytest.mark.parametrize("path", MODULES, ids=lambda path: path.name)
def test_no_home_assistant(path: Path) -> None:
    """No module imports Home Assistant, even inside a function or TYPE_CHECKING."""
    offending = [
        module
        for level, module in imports(path)
        if level == 0 and module.split(".")[0] == "homeassistant"
    ]
    assert not offending, f"{path.name} imports {offending}"


@pytest.mark.parametrize("path", MODULES, ids=lambda path: path.name)
def test_self_contained(path: Path) -> None:
    """Only the standard library, aiohttp, yarl and the package's own modules."""
    offending = [
        ("." * level) + module
        for level, module in imports(path)
        if level > 1
        or (
            level == 0
            and module.split(".")[0] not in LIBRARIES | sys.stdlib_module_names
        )
    ]
    assert not offending, f"{path.name} imports {offending}"
