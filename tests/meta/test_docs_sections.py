"""The README has every section the quality scale's documentation rules ask for."""

from __future__ import annotations

from pathlib import Path
import re

import pytest

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()
HEADINGS = {h.strip() for h in re.findall(r"^#{2,3} (.+)$", README, flags=re.MULTILINE)}


@pytest.mark.parametrize(
    "heading",
    [
        "How it differs",  # docs-high-level-description
        "Installation",  # docs-installation-instructions
        "Through HACS (custom repository)",
        "Manually",
        "The API key",  # docs-installation-parameters
        "Set-up fields",
        "Options",  # docs-configuration-parameters
        "Entities",  # docs-supported-functions
        "Actions",  # docs-actions
        "How data is updated",  # docs-data-update
        "Dashboard card",  # docs-examples
        "Automation examples",  # docs-examples, docs-use-cases
        "Troubleshooting",  # docs-troubleshooting
        "Known limitations",  # docs-known-limitations
        "Removal",  # docs-removal-instructions
        "Supported versions",
    ],
)
def test_readme_section(heading: str) -> None:
    """The section exists and says something."""
    assert heading in HEADINGS
    match = re.search(rf"^#{{2,3}} {re.escape(heading)}$", README, flags=re.MULTILINE)
    assert match is not None
    body = README[match.end() :].split("\n## ", 1)[0]
    assert len(body.split()) >= 20, f"section {heading!r} is nearly empty"


def test_removal_says_what_happens_to_the_queues() -> None:
    """Removing the integration resumes the queues it paused: users must know."""
    body = README.split("\n## Removal\n", 1)[1].split("\n## ", 1)[0]
    assert "resume" in body.lower()
