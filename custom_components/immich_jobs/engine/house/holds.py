"""What the house's holds share: a condition, arriving uploads, a never-together group.

Pure module (no Home Assistant): `conditions`, `uploads` and `groups` say *why* a queue is held
as a kind and a subject, and the coordinator turns that into the status sensor's translated
reason; the scheduler only needs the queue names (they join the user's holds).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
import math
from typing import Any


class HoldKind(StrEnum):
    """What holds a queue; the value is the translation key of the reason."""

    # A `schedule` helper allowing work is off: "outside its schedule".
    SCHEDULE = "outside_schedule"
    # Any other condition entity says no: "held by {entity}".
    ENTITY = "held_by_entity"
    # New uploads keep arriving and the queue is marked heavy: "held while uploads arrive".
    UPLOADS = "uploads_arriving"
    # Another queue of its never-together group runs: "waiting for {queue} (never together)".
    GROUP = "never_together"


@dataclass(frozen=True, slots=True)
class Hold:
    """One reason to hold a queue: its kind, what caused it (an entity id or a queue), its end.

    `until` is when the hold ends by itself, on the scheduler's clock (monotonic seconds):
    the quiet period's end, a condition's minimum time, the maximum hold. None: no end of its
    own (a condition the user chose that still says no, a never-together group).
    """

    kind: HoldKind
    subject: str = ""
    until: float | None = None

    @property
    def reason(self) -> str:
        """Say in words why the queue is held (the command's reason, in the logbook)."""
        match self.kind:
            case HoldKind.SCHEDULE:
                return f"held: outside its schedule ({self.subject})"
            case HoldKind.ENTITY:
                return f"held by {self.subject}"
            case HoldKind.UPLOADS:
                return "held: uploads in progress"
        return f"held: never together with {self.subject}"


def merge(*layers: Mapping[str, Hold]) -> dict[str, Hold]:
    """Join holds by queue; the first layer that holds a queue gives its reason."""
    held: dict[str, Hold] = {}
    for layer in layers:
        for queue, hold in layer.items():
            held.setdefault(queue, hold)
    return held


def minutes_option(
    options: Mapping[str, Any], key: str, default: int, low: int, high: int
) -> float:
    """Read a minutes option as seconds, clamped to its range; malformed is the default."""
    minutes = options.get(key, default)
    if (
        not isinstance(minutes, int | float)
        or isinstance(minutes, bool)
        or not math.isfinite(minutes)
    ):
        minutes = default
    return float(min(max(minutes, low), high)) * 60.0
