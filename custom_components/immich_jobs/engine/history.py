"""The plans diagnostics keep: those that changed something, not the idle polls between them.

A poll that commands nothing and leaves every queue's state and reason as they were tells a bug
report nothing; after an import, such polls would push the interesting plans out within a
minute. So a plan is kept when it sends commands or when a queue's state or reason changed.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from .model import Plan
from .reasons import QueueReason, QueueState

# How many plans diagnostics keep.
PLAN_HISTORY = 20


@dataclass(frozen=True, slots=True)
class KeptPlan:
    """One plan that changed something, as Immich ended up (held-back commands included)."""

    at: str  # ISO time and what ran the cycle ("cycle", "user")
    plan: Plan


class PlanHistory:
    """The last plans that changed something, bounded."""

    def __init__(self, size: int = PLAN_HISTORY) -> None:
        """Keep nothing yet."""
        self._kept: deque[KeptPlan] = deque(maxlen=size)
        self._last: (
            tuple[Mapping[str, QueueState], Mapping[str, QueueReason]] | None
        ) = None

    def add(self, at: str, plan: Plan) -> None:
        """Keep the plan if it commands something or changes a state or a reason."""
        seen = (dict(plan.states), dict(plan.reasons))
        if plan.commands or seen != self._last:
            self._kept.append(KeptPlan(at, plan))
        self._last = seen

    def __iter__(self) -> Iterator[KeptPlan]:
        """Oldest first."""
        return iter(self._kept)

    def __len__(self) -> int:
        """How many plans are kept."""
        return len(self._kept)
