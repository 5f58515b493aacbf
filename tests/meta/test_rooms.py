"""The integration's rooms and what each may import (docs/design-notes.md, "Rooms").

- engine/ (the pure core, engine/house/ included): the standard library, const (constants
  only), immich.models and the engine itself. No Home Assistant, no I/O, no client.
- Platforms (button, event, number, sensor, switch) never import one another.
- Nothing imports the package's __init__ (Home Assistant alone loads it): a config flow that
  imported it would pull in every platform.
The client (immich/) has its own test: tests/meta/test_client_package.py.
"""

from __future__ import annotations

import ast
from pathlib import Path
import sys

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "custom_components" / "immich_jobs"
PLATFORMS = {"button", "event", "number", "sensor", "switch"}


def imports(path: Path, text: str | None = None) -> list[str]:
    """Return every module a file imports, as a dotted name inside the package when it is one.

    "custom_components.immich_jobs.engine.scheduler" and "..engine.scheduler" both come out as
    "@.engine.scheduler"; "@" is the package itself (its __init__); other modules as written.
    """
    here = path.relative_to(PACKAGE).with_suffix("").parts[:-1]
    found: list[str] = []
    source = path.read_text() if text is None else text
    for node in ast.walk(ast.parse(source, filename=str(path))):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level:
            base = here[: len(here) - (node.level - 1)]
            module = ".".join((*base, node.module) if node.module else base)
            if node.module is None:  # from . import a, b: each may be a module
                found.extend(
                    "@." + ".".join((*base, alias.name)) if base else f"@ {alias.name}"
                    for alias in node.names
                )
            else:
                found.append(f"@.{module}")
        elif isinstance(node, ast.ImportFrom):
            found.append(node.module or "")
    prefix = "custom_components.immich_jobs"
    return [
        "@" + name.removeprefix(prefix) if name.startswith(prefix) else name
        for name in found
    ]


def modules(folder: str = "") -> list[Path]:
    """Return the package's modules below a folder (all of them without one)."""
    return sorted((PACKAGE / folder).rglob("*.py"))


ENGINE = modules("engine")


def test_the_rooms_exist() -> None:
    """The scans below look at real folders (an empty glob would pass anything)."""
    names = {p.relative_to(PACKAGE).as_posix() for p in modules()}
    assert {
        "engine/scheduler.py",
        "engine/house/uploads.py",
        "runtime/store.py",
        "flows/options.py",
        "coordinator.py",
    } <= names


def impure(names: list[str], allowed_inside: tuple[str, ...]) -> list[str]:
    """Return the imports that are neither the standard library nor allowed modules."""
    return [
        name
        for name in names
        if not (
            name.split(".")[0] in sys.stdlib_module_names
            or name == "__future__"
            or any(name == a or name.startswith(a + ".") for a in allowed_inside)
        )
    ]


ENGINE_MAY_IMPORT = ("@.engine", "@.const", "@.immich.models")


@pytest.mark.parametrize(
    "path", ENGINE, ids=lambda p: p.relative_to(PACKAGE).as_posix()
)
def test_the_engine_is_pure(path: Path) -> None:
    """The engine imports the standard library, const, immich.models and itself only."""
    assert impure(imports(path), ENGINE_MAY_IMPORT) == []


def test_const_is_constants_only() -> None:
    """const.py, which the engine may import, imports nothing but the standard library."""
    assert impure(imports(PACKAGE / "const.py"), ()) == []


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
def test_platforms_do_not_import_each_other(platform: str) -> None:
    """A platform reads the coordinator's data, never another platform's entities."""
    others = {f"@.{other}" for other in PLATFORMS - {platform}}
    assert [n for n in imports(PACKAGE / f"{platform}.py") if n in others] == []


@pytest.mark.parametrize(
    "path", modules(), ids=lambda p: p.relative_to(PACKAGE).as_posix()
)
def test_nothing_imports_the_package_init(path: Path) -> None:
    """Only Home Assistant loads __init__.py (set-up, unload, removal)."""
    assert [n for n in imports(path) if n == "@" or n.startswith("@ ")] == []


def test_the_rules_catch_a_forbidden_import() -> None:
    """The engine rule fails on each import it forbids, as an engine module would write it."""
    sample = (
        "from homeassistant.core import HomeAssistant\n"
        "import aiohttp\n"
        "from ..runtime.store import IntentStore\n"
        "from ..immich import ImmichClient\n"
        "from .. import PLATFORMS\n"
        "from custom_components.immich_jobs.sensor import SENSORS\n"
        "from ..immich.models import Snapshot\n"
        "from ..const import DOMAIN\n"
        "from . import scheduler\n"
        "from .house.holds import Hold\n"
        "import math\n"
    )
    names = imports(PACKAGE / "engine" / "example.py", sample)
    assert impure(names, ENGINE_MAY_IMPORT) == [
        "homeassistant.core",
        "aiohttp",
        "@.runtime.store",
        "@.immich",
        "@ PLATFORMS",
        "@.sensor",
    ]
