"""Every relative link of the README and docs/ leads somewhere, and the README stays short."""

from __future__ import annotations

from pathlib import Path
import re

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
README_MAX_LINES = 300
# [text](target) and ![alt](target), a target without spaces; not inside code.
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```.*?^```", flags=re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"`[^`\n]*`")


def prose(markdown: str) -> str:
    """Return the Markdown without fenced blocks and code spans (their brackets are code)."""
    return CODE_SPAN.sub("", FENCE.sub("", markdown))


def github_anchors(markdown: str) -> set[str]:
    """Return the anchors GitHub gives a Markdown file's headings, duplicates numbered."""
    anchors: set[str] = set()
    seen: dict[str, int] = {}
    for heading in re.findall(
        r"^#{1,6} (.+?)#*$", FENCE.sub("", markdown), re.MULTILINE
    ):
        text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link's text stays
        slug = re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        anchors.add(slug if count == 0 else f"{slug}-{count}")
    return anchors


def relative_links(page: Path) -> list[str]:
    """Return the page's links that point into the repository."""
    return [
        target
        for target in LINK.findall(prose(page.read_text()))
        if not re.match(r"[a-z][a-z0-9+.-]*:", target)  # http:, https:, mailto:
    ]


@pytest.mark.parametrize(
    "page", PAGES, ids=lambda page: page.relative_to(ROOT).as_posix()
)
def test_relative_links_resolve(page: Path) -> None:
    """Each relative link names an existing file, and its #anchor one of that file's headings."""
    broken = []
    for target in relative_links(page):
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        if not file.exists():
            broken.append(f"{target}: no file {path}")
        elif anchor and anchor not in github_anchors(file.read_text()):
            broken.append(f"{target}: no heading #{anchor} in {file.relative_to(ROOT)}")
    assert not broken, "\n".join(broken)


def test_anchor_rules_match_github() -> None:
    """Slugs as GitHub makes them: punctuation dropped, spaces to hyphens, repeats numbered."""
    markdown = (
        "# Immich Jobs for Home Assistant\n"
        "## Why is this queue waiting?\n"
        "### Errors in the options form (Configure)\n"
        "## Repair issues (Settings → System → Repairs)\n"
        "## Options\n## Options\n"
        "```yaml\n# not a heading\n```\n"
    )
    assert github_anchors(markdown) == {
        "immich-jobs-for-home-assistant",
        "why-is-this-queue-waiting",
        "errors-in-the-options-form-configure",
        "repair-issues-settings--system--repairs",
        "options",
        "options-1",
    }


def test_links_found_in_prose_only() -> None:
    """A link is read from the text, never from code, and pages do link somewhere."""
    assert relative_links(ROOT / "README.md"), "the README links to docs/"
    assert (
        prose("see `[x](nowhere.md)` and\n```\n[y](gone.md)\n```\n") == "see  and\n\n"
    )


def test_readme_is_short() -> None:
    """A newcomer reads the README to the end: the reference lives in docs/."""
    lines = len((ROOT / "README.md").read_text().splitlines())
    assert lines <= README_MAX_LINES, f"README.md has {lines} lines"
