"""Access to the responses recorded from a real Immich v3.1.0 (copied into tests/fixtures)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SAMPLES = Path(__file__).parent.parent / "fixtures" / "immich-samples" / "v3.1.0"


def sample(name: str) -> dict[str, Any]:
    """Return one recorded exchange: {request, status, body}."""
    data: dict[str, Any] = json.loads((SAMPLES / f"{name}.json").read_text())
    return data


def body(name: str) -> Any:
    """Return the body of one recorded exchange."""
    return sample(name)["body"]
