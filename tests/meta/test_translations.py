"""Every translation says all that en.json says: same keys, placeholders and literal tokens.

Home Assistant falls back to English key by key, so a missing key shows English in the middle
of a German form, an extra key is dead text, and a lost `{placeholder}` shows the braces.
"""

from __future__ import annotations

from collections.abc import Iterator
import json
from pathlib import Path
import re
from typing import Any

import pytest

TRANSLATIONS = (
    Path(__file__).resolve().parents[2]
    / "custom_components"
    / "immich_jobs"
    / "translations"
)
LANGUAGES = ("de", "es", "fr", "it", "nl")

# Strings that are the same word in English and in some language (checked per value).
LEGITIMATELY_IDENTICAL = {"OCR", "Migration", "Assets", "{queue} status"}

PLACEHOLDER = re.compile(r"\{(\w+)\}")
# What a user types or reads back exactly: addresses, permissions, Immich's queue ids,
# version numbers, the port, the API path, bold marks and markdown link targets.
LITERAL = re.compile(
    r"https?://[\w.:/]*\w"
    r"|\b[a-z]+\.(?:read|create|update)\b"
    r"|\b[a-z]+[A-Z]\w*\b"
    r"|\b[a-z]+_[a-z_]+\b"
    r"|\bv\d+\.\d+(?:\.\d+)?"
    r"|\b2283\b"
    r"|/api\b"
    r"|\*\*"
    r"|\]\([^)]*\)"
)


def _flatten(tree: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key, value in tree.items():
        path = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            yield from _flatten(value, path)
        else:
            yield path, value


def _strings(language: str) -> dict[str, Any]:
    return dict(_flatten(json.loads((TRANSLATIONS / f"{language}.json").read_text())))


ENGLISH = _strings("en")


def test_the_languages_shipped() -> None:
    """English plus the five most asked-for languages of Home Assistant's users, no strays."""
    assert {path.name for path in TRANSLATIONS.iterdir()} == {
        "de.json",
        "en.json",
        "es.json",
        "fr.json",
        "it.json",
        "nl.json",
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_same_keys_as_english(language: str) -> None:
    """No key missing (English would show) and none extra (never shown), by key path."""
    strings = _strings(language)
    assert {
        "missing": sorted(set(ENGLISH) - set(strings)),
        "extra": sorted(set(strings) - set(ENGLISH)),
    } == {"missing": [], "extra": []}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_value_is_a_filled_string(language: str) -> None:
    """An empty or padded string renders as a blank label or a stray space."""
    bad = [
        path
        for path, value in _strings(language).items()
        if not isinstance(value, str) or not value.strip() or value != value.strip()
    ]
    assert bad == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_same_placeholders(language: str) -> None:
    """A lost placeholder hides the queue or server; an invented one shows raw braces."""
    strings = _strings(language)
    differ = {
        path: (
            sorted(set(PLACEHOLDER.findall(english))),
            sorted(set(PLACEHOLDER.findall(strings[path]))),
        )
        for path, english in ENGLISH.items()
        if path in strings
        and set(PLACEHOLDER.findall(english)) != set(PLACEHOLDER.findall(strings[path]))
    }
    assert differ == {}


@pytest.mark.parametrize("language", LANGUAGES)
def test_literal_tokens_kept(language: str) -> None:
    """Permissions, example addresses, queue ids and bold marks must survive translation."""
    strings = _strings(language)
    differ = {
        path: (sorted(LITERAL.findall(english)), sorted(LITERAL.findall(strings[path])))
        for path, english in ENGLISH.items()
        if path in strings
        and sorted(LITERAL.findall(english)) != sorted(LITERAL.findall(strings[path]))
    }
    assert differ == {}


@pytest.mark.parametrize("language", LANGUAGES)
def test_nothing_left_in_english(language: str) -> None:
    """A string copied unchanged from en.json is an untranslated string."""
    strings = _strings(language)
    untranslated = [
        path
        for path, english in ENGLISH.items()
        if strings.get(path) == english and english not in LEGITIMATELY_IDENTICAL
    ]
    assert untranslated == []


def test_the_token_checks_are_not_vacuous() -> None:
    """The placeholder and literal patterns find what a translation must keep."""
    api_key = ENGLISH["config.step.user.data_description.api_key"]
    assert sorted(LITERAL.findall(api_key)) == [
        "job.create",
        "job.read",
        "queue.read",
        "queue.update",
        "v1.137",
        "v2.4",
    ]
    assert (
        LITERAL.findall(ENGLISH["issues.missing_permission.description"]).count("**")
        == 4
    )
    assert PLACEHOLDER.findall(ENGLISH["exceptions.unknown_queue.message"]) == [
        "queue",
        "queues",
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_apostrophe_quotes_a_placeholder(language: str) -> None:
    """The frontend reads strings as ICU messages: an apostrophe before { quotes it (d'{title})."""
    quoted = [
        path for path, value in _strings(language).items() if re.search(r"'[{}]", value)
    ]
    assert quoted == []
