"""A release is consistent: the tag, manifest.json and CHANGELOG.md name one version.

docs/development.md ("Releasing"): the tag is manifest.json's version, and the changelog's
section of that version is the release notes the Marketplace and HACS show.
"""

from __future__ import annotations

import json
from pathlib import Path
import re

from awesomeversion import AwesomeVersion

ROOT = Path(__file__).resolve().parents[2]
CHANGELOG = (ROOT / "CHANGELOG.md").read_text()
# Keep a Changelog: "## [Unreleased]", then "## [1.2.3] - 2026-12-05", newest first.
SECTION = re.compile(r"^## \[([^\]]+)\](?: - (\d{4}-\d{2}-\d{2}))?$", re.MULTILINE)


def sections() -> list[tuple[str, str | None, str]]:
    """Return each changelog section's (version, date, text), newest first."""
    found = list(SECTION.finditer(CHANGELOG))
    ends = [match.start() for match in found[1:]] + [len(CHANGELOG)]
    return [
        (match[1], match[2], CHANGELOG[match.end() : end])
        for match, end in zip(found, ends, strict=True)
    ]


def released() -> list[tuple[str, str | None, str]]:
    """Return the released sections, newest first."""
    return [section for section in sections() if section[0] != "Unreleased"]


def test_manifest_version_is_the_newest_release() -> None:
    """manifest.json's version is the newest released section's, as the tag must be."""
    manifest = json.loads(
        (ROOT / "custom_components" / "immich_jobs" / "manifest.json").read_text()
    )
    newest = released()[0][0]
    assert manifest["version"] == newest


def test_no_other_file_carries_another_version() -> None:
    """hacs.json names no version of its own (the Marketplace takes the tag's)."""
    hacs = json.loads((ROOT / "hacs.json").read_text())
    assert "version" not in hacs
    assert hacs.get("hacs") is None


def test_changelog_keeps_a_changelog() -> None:
    """Unreleased comes first; released sections are dated, newest first, each with notes."""
    versions = [section[0] for section in sections()]
    assert versions[0] == "Unreleased"
    assert released(), "at least one released version"
    for version, date, text in released():
        assert AwesomeVersion(version).valid, version
        assert not version.startswith("v"), "tags and versions carry no v"
        assert date is not None, f"{version} has no date"
        assert re.search(
            r"^### (Added|Changed|Deprecated|Removed|Fixed|Security)$",
            text,
            re.MULTILINE,
        ), version
        assert f"[{version}]: " in CHANGELOG, f"no link for {version}"
    numbers = [AwesomeVersion(version) for version, _, _ in released()]
    assert numbers == sorted(numbers, reverse=True)
    dates = [str(date) for _, date, _ in released()]
    assert dates == sorted(dates, reverse=True)


def test_section_parsing() -> None:
    """The sections are read as a person reads them (a check of the parser itself)."""
    assert [(v, d) for v, d, _ in sections()][:2] == [
        ("Unreleased", None),
        ("0.2.0", "2026-12-05"),
    ]
