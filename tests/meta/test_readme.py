"""The user's docs cover everything a user meets: entities, fields, options, actions, errors.

The README is the newcomer's path; the rest lives in docs/ (reference, statuses, automations,
migration, troubleshooting). Each check reads them as one text, as a reader follows the links.
"""

from __future__ import annotations

import json
from pathlib import Path
import re
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
INTEGRATION = ROOT / "custom_components" / "immich_jobs"
USER_DOCS = [
    ROOT / "README.md",
    *(
        ROOT / "docs" / f"{name}.md"
        for name in (
            "reference",
            "statuses",
            "automations",
            "migration",
            "troubleshooting",
        )
    ),
]
# Line breaks inside a sentence do not matter to a reader: compare with whitespace collapsed.
README = " ".join(" ".join(page.read_text().split()) for page in USER_DOCS)
# The statuses' table (reason, state, words, what ends it) lives in docs/.
STATUSES = " ".join((ROOT / "docs" / "statuses.md").read_text().split())
# A name documented in the README or any page of docs/ is documented.
DOCS = " ".join(
    [README, *(" ".join(p.read_text().split()) for p in (ROOT / "docs").glob("*.md"))]
)
EN: dict[str, Any] = json.loads((INTEGRATION / "translations" / "en.json").read_text())
SERVICES: dict[str, Any] = yaml.safe_load((INTEGRATION / "services.yaml").read_text())


def first_sentence(message: str) -> str:
    """Return a message up to its first full stop, colon or placeholder (what a user reads first)."""
    return re.split(r"(?<=\.)\s|:\s|\{", message, maxsplit=1)[0].strip()


def entity_names() -> list[tuple[str, str]]:
    """Every entity's (platform.key, name) from the translations."""
    return [
        (f"{platform}.{key}", entity["name"])
        for platform, entities in EN["entity"].items()
        for key, entity in entities.items()
    ]


@pytest.mark.parametrize(("entity", "name"), entity_names())
def test_entity_documented(entity: str, name: str) -> None:
    """Each entity appears under its translated name, as a code span in the entity tables."""
    assert f"`{name}`" in DOCS, f"{entity} ({name!r}) is missing from the docs"


def test_status_states_documented() -> None:
    """Each state of the status sensor is explained."""
    states = EN["entity"]["sensor"]["status"]["state"]
    for label in states.values():
        assert f"**{label}**" in README, f"status {label!r} is missing from the docs"


def test_status_reasons_documented() -> None:
    """Each reason appears in docs/statuses.md's table with its words, and each attribute."""
    attributes = EN["entity"]["sensor"]["status"]["state_attributes"]
    for code, words in attributes["reason"]["state"].items():
        assert f"| `{code}` |" in STATUSES, f"reason {code} is missing"
        assert f"| {words} |" in STATUSES, f"the words of {code} are missing"
    for attribute in attributes:
        assert f"`{attribute}`" in DOCS, f"attribute {attribute} is missing"


def test_event_types_documented() -> None:
    """Each event type appears by its id and its translated name, on its entity's row."""
    for entity in EN["entity"]["event"].values():
        event_types = entity["state_attributes"]["event_type"]["state"]
        for event_type, name in event_types.items():
            assert f"| `{entity['name']}` | `{event_type}` | **{name}** |" in DOCS, (
                event_type
            )


@pytest.mark.parametrize(
    ("step", "section_name", "field", "label"),
    [
        (step, part.get("name"), field, label)
        for section in ("config", "options")
        for step, content in EN[section]["step"].items()
        for part in (content, *content.get("sections", {}).values())
        for field, label in part.get("data", {}).items()
    ],
)
def test_field_documented(
    step: str, section_name: str | None, field: str, label: str
) -> None:
    """Every set-up field and option appears under its label, in bold, and so does its section."""
    if section_name is not None:
        assert f"**{section_name}**" in README, (
            f"{step}: section {section_name!r} is missing"
        )
    assert f"**{label}**" in README, f"{step}.{field} ({label!r}) is missing"


@pytest.mark.parametrize(
    "title",
    [
        content["title"]
        for section in ("config", "options")
        for content in EN[section]["step"].values()
    ],
)
def test_step_named(title: str) -> None:
    """Every form is named so that a user can find it."""
    assert title in README


@pytest.mark.parametrize("action", sorted(SERVICES))
def test_action_documented(action: str) -> None:
    """Every action appears with its id, its name and each of its fields."""
    assert f"`immich_jobs.{action}`" in README
    assert f"**{EN['services'][action]['name']}**" in README
    for field in SERVICES[action].get("fields", {}):
        assert f"`{field}`" in README, f"{action}.{field} is missing"


@pytest.mark.parametrize(
    ("kind", "key", "message"),
    [
        (kind, key, message)
        for section in ("config", "options")
        for kind in ("error", "abort")
        for key, message in EN[section].get(kind, {}).items()
    ],
)
def test_flow_message_explained(kind: str, key: str, message: str) -> None:
    """Troubleshooting quotes every error and abort of the forms."""
    assert first_sentence(message) in README, f"{kind} {key}: {message!r}"


@pytest.mark.parametrize(
    "key", ["unknown_queue", "entry_not_found", "entry_not_loaded"]
)
def test_action_error_explained(key: str) -> None:
    """Troubleshooting quotes the errors an action's own input can cause."""
    message = EN["exceptions"][key]["message"]
    words = max(re.split(r"\{[^}]*\}", message), key=len).strip()
    assert len(words) > 10
    assert words in README, f"{key}: {message!r}"


def test_action_select_options_are_translated() -> None:
    """Every option of an action's drop-down has its text (hassfest would require it)."""
    for action, spec in SERVICES.items():
        for field, config in spec.get("fields", {}).items():
            select = config.get("selector", {}).get("select")
            if not select or "translation_key" not in select:
                continue
            labels = EN["selector"][select["translation_key"]]["options"]
            assert set(labels) == set(select["options"]), f"{action}.{field}"


@pytest.mark.parametrize("key", sorted(EN["issues"]))
def test_repair_issue_explained(key: str) -> None:
    """Troubleshooting names every repair issue by its title."""
    assert f"**{EN['issues'][key]['title']}**" in README
