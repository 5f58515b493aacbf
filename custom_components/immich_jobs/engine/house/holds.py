"""What the house's holds share: a condition, arriving uploads, a never-together group.

Pure module (no Home Assistant): `conditions`, `uploads` and `groups` say *why* a queue is held
as a `Reason` (the status sensor's own code) and a subject; the scheduler plans them like the
user's holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
import math
from typing import Any

from ..reasons import Reason


@dataclass(frozen=True, slots=True)
class Hold:
    """One reason to hold a queue: its code, what caused it (an entity id or a queue), its end.

    `code` is one of the house's reasons (outside_schedule, held_by_entity, uploads_arriving,
    never_together). `until` is when the hold ends by itself, on the scheduler's clock (monotonic seconds): the quiet period's end,
    a condition's minimum time, the maximum hold. None: no end of its own (a condition the
    user chose that still says no, a never-together group).
    """

    code: Reason
    subject: str = ""
    until: float | None = None


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
