"""Fail when the integration imports a Home Assistant name that 2026.11 no longer has.

Users run Home Assistant up to 2026.11 while the test stack runs 2025.4. The 2026.11 wheel
(downloaded once into .cache/, without dependencies) is read as text: every
`homeassistant.*` module and name the integration imports must exist there.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from functools import cache
from pathlib import Path
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile

ROOT = Path(__file__).resolve().parent.parent
INTEGRATION = ROOT / "custom_components" / "immich_jobs"
TARGET_VERSION = "2026.11.0"
WHEEL_DIR = ROOT / ".cache" / "wheels"


class WheelDownloadError(RuntimeError):
    """pip could not download the Home Assistant wheel (usually: no network)."""


def wheel_path() -> Path:
    """Return the cached 2026.11 wheel, downloading it on first use."""
    wheel = WHEEL_DIR / f"homeassistant-{TARGET_VERSION}-py3-none-any.whl"
    if not wheel.exists():
        WHEEL_DIR.mkdir(parents=True, exist_ok=True)
        # Into a folder of its own, then renamed: both test lanes may download at once.
        partial = Path(tempfile.mkdtemp(dir=WHEEL_DIR, prefix=".download-"))
        download = subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                f"homeassistant=={TARGET_VERSION}",
                "--no-deps",
                "--only-binary=:all:",
                "--python-version",
                "3.14.2",
                "--disable-pip-version-check",
                "-q",
                "-d",
                str(partial),
            ],
            check=False,
            stderr=subprocess.PIPE,
            text=True,
        )
        if download.returncode != 0:
            shutil.rmtree(partial, ignore_errors=True)
            raise WheelDownloadError(
                f"{download.stderr.rstrip()}\n"
                f"Could not download Home Assistant {TARGET_VERSION} with pip: this check "
                f"needs network access (PyPI) once; the wheel is then cached in "
                f"{WHEEL_DIR.relative_to(ROOT)}/."
            )
        (partial / wheel.name).replace(wheel)
        shutil.rmtree(partial, ignore_errors=True)
    return wheel


# Python 3.14 allows `except A, B:`; the 3.13 parser needs the parentheses back.
_UNPARENTHESIZED_EXCEPT = re.compile(
    r"^(\s*except\*?\s+)([^():\n]+,[^():\n]+?)(\s+as\s+\w+)?:", re.MULTILINE
)


def parse_newer_python(source: str) -> ast.Module:
    """Parse a module written for a newer Python than the one running this check."""
    try:
        return ast.parse(source)
    except SyntaxError:
        return ast.parse(_UNPARENTHESIZED_EXCEPT.sub(r"\1(\2)\3:", source))


class HomeAssistantTree:
    """The modules of one Home Assistant wheel, parsed on demand."""

    def __init__(self, wheel: Path) -> None:
        """Open the wheel."""
        self._zip = zipfile.ZipFile(wheel)
        self._files = set(self._zip.namelist())

    def _source(self, module: str) -> str | None:
        base = module.replace(".", "/")
        for candidate in (f"{base}.py", f"{base}/__init__.py"):
            if candidate in self._files:
                return self._zip.read(candidate).decode()
        return None

    def has_module(self, module: str) -> bool:
        """Tell whether the module exists."""
        return self._source(module) is not None

    @cache  # noqa: B019 - one tree per run, kept for the run's length
    def names(self, module: str) -> frozenset[str]:
        """Return every name a module binds at top level (defs, classes, assignments, imports)."""
        source = self._source(module)
        if source is None:
            return frozenset()
        names: set[str] = set()
        for node in ast.walk(parse_newer_python(source)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                names.update(
                    (alias.asname or alias.name).split(".")[0] for alias in node.names
                )
            elif isinstance(node, ast.TypeAlias) and isinstance(node.name, ast.Name):
                names.add(node.name.id)
        is_package = self._source(f"{module}.__init__") is None and (
            f"{module.replace('.', '/')}/__init__.py" in self._files
        )
        if is_package:
            prefix = module.replace(".", "/") + "/"
            names.update(
                name[len(prefix) :].split("/")[0].removesuffix(".py")
                for name in self._files
                if name.startswith(prefix)
            )
        return frozenset(names)


def imported_names(
    sources: Iterable[tuple[str, str]],
) -> list[tuple[str, str, str | None]]:
    """List (file, module, name) for every `homeassistant` import in the given sources."""
    found: list[tuple[str, str, str | None]] = []
    for filename, source in sources:
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                if node.module.split(".")[0] == "homeassistant":
                    found.extend(
                        (filename, node.module, alias.name) for alias in node.names
                    )
            elif isinstance(node, ast.Import):
                found.extend(
                    (filename, alias.name, None)
                    for alias in node.names
                    if alias.name.split(".")[0] == "homeassistant"
                )
    return found


def missing_imports(
    tree: HomeAssistantTree, sources: Iterable[tuple[str, str]]
) -> list[str]:
    """Describe every import that the given Home Assistant tree cannot satisfy."""
    problems = []
    for filename, module, name in imported_names(sources):
        if not tree.has_module(module):
            problems.append(f"{filename}: module {module} does not exist")
        elif name is not None and name not in tree.names(module):
            # `from package import submodule` is fine too.
            if not tree.has_module(f"{module}.{name}"):
                problems.append(f"{filename}: {module}.{name} does not exist")
    return problems


def integration_sources() -> list[tuple[str, str]]:
    """Return (relative path, text) of every Python file of the integration."""
    return [
        (str(path.relative_to(ROOT)), path.read_text())
        for path in sorted(INTEGRATION.rglob("*.py"))
    ]


def main() -> int:
    """Check the integration against Home Assistant 2026.11."""
    sources = integration_sources()
    try:
        wheel = wheel_path()
    except WheelDownloadError as err:
        print(err, file=sys.stderr)
        return 1
    problems = missing_imports(HomeAssistantTree(wheel), sources)
    for problem in problems:
        print(f"Home Assistant {TARGET_VERSION}: {problem}")
    if problems:
        return 1
    count = len(imported_names(sources))
    print(f"{count} Home Assistant imports all exist in {TARGET_VERSION}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
