"""The scheduler's model: its commands, the user's options (policy), its memory, its plan.

Pure module (no Home Assistant); scheduler.py plans with these types.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from ..const import DEFAULT_EXPRESS_MAX_JOBS, POLICY_PREEMPTIVE
from ..immich.models import Snapshot
from .house.holds import Hold
from .queues import DEFAULT_MANAGED, DEFAULT_PRIORITY, is_manageable
from .reasons import QueueReason, QueueState, in_words

# Look again this soon at the earliest: a hand-off should take a second or two, not a poll.
MIN_CHECK = 1.0
# Look again this soon after sending commands, to see them take effect.
AFTER_COMMAND_CHECK = 2.0
# While a queue waits for a slot whose holder should be done within a poll, look at least this
# often: a duration estimate that comes late leaves the slot idle (a real box showed a hand-off
# of 8 s: the look planned from the learned job time came 3.6 s after the queue had emptied).
HANDOFF_CHECK = 2.0
# Express lane: a backlog runs without a slot if it is expected to be done within this time.
DEFAULT_EXPRESS_MAX_SECONDS = 5.0
# Look again this soon after a release (the coordinator retries while it cannot reach Immich).
DEFAULT_RELEASE_RETRY = 10.0


class Action(StrEnum):
    """What the integration asks Immich to do with a queue."""

    PAUSE = "pause"
    RESUME = "resume"


@dataclass(frozen=True, slots=True)
class Command:
    """One command to send, with the reason to log and show."""

    queue: str
    action: Action
    why: QueueReason
    # What holds it, for the words (a condition entity).
    held_by: str = ""

    @property
    def reason(self) -> str:
        """Say why in words (the debug log, the diagnostics' plans)."""
        return in_words(self.why, self.held_by)


@dataclass(frozen=True, slots=True, kw_only=True)
class Policy:
    """The user's options: how many queues may run, in which order, which queues are ours."""

    max_running: int = 1
    priority: tuple[str, ...] = DEFAULT_PRIORITY
    managed: frozenset[str] = DEFAULT_MANAGED
    kind: str = POLICY_PREEMPTIVE
    express_lane: bool = True
    express_max_jobs: int = DEFAULT_EXPRESS_MAX_JOBS
    poll_interval: float = 10.0
    express_max_seconds: float = DEFAULT_EXPRESS_MAX_SECONDS
    # Managed queues another controller flips: never commanded, shown with their state.
    contested: frozenset[str] = frozenset()
    # Never together: of each group, at most one queue is resumed (groups.py).
    exclusive_groups: tuple[frozenset[str], ...] = ()
    # Left paused while empty and other queues work (not at global idle), so that new
    # uploads show in their counts (the quiet period: resumed, a queue runs a photo's job
    # between two reads, unseen).
    watch_empty: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True, kw_only=True)
class Memory:
    """What the scheduler remembers between cycles (store.py keeps part of it)."""

    # Queues the integration paused (or took over) and must resume on release. A queue paused
    # by someone else is not ours to resume; ours ends when a read shows it resumed.
    owned: frozenset[str] = frozenset()
    # The managed queues found paused at the first read were taken over (once per entry: what
    # a previous controller, such as the add-on, left paused becomes ours to schedule).
    took_over: bool = False
    # Observed seconds of queue time per job (1 / throughput), per queue.
    job_seconds: Mapping[str, float] = field(default_factory=dict)
    # Work (runnable + active) per queue at the last read, to see progress from falling counts.
    work: Mapping[str, int] = field(default_factory=dict)
    # When each working queue last made progress (or started working).
    progress_at: Mapping[str, float] = field(default_factory=dict)
    # When each working queue began its current stretch of work (sustained work needs a slot).
    running_since: Mapping[str, float] = field(default_factory=dict)
    # When the integration last commanded each queue.
    commanded_at: Mapping[str, float] = field(default_factory=dict)
    # Time of the last successful read.
    read_at: float | None = None


@dataclass(frozen=True, slots=True)
class Plan:
    """The outcome of one cycle: commands, memory to keep, and when to look again."""

    commands: tuple[Command, ...]
    memory: Memory
    next_check: float  # seconds from now
    states: Mapping[str, QueueState] = field(default_factory=dict)
    finished_run_now: frozenset[str] = frozenset()
    # Queues running (or allowed to run) without a slot because their backlog is small.
    express: frozenset[str] = frozenset()
    # Why each managed (and contested) queue is in its state, for the status sensor.
    reasons: Mapping[str, QueueReason] = field(default_factory=dict)
    # The house's holds in force (never-together groups included), for the status sensor.
    holds: Mapping[str, Hold] = field(default_factory=dict)


def managed_queues(snapshot: Snapshot, policy: Policy) -> list[str]:
    """Return the managed queues present in the snapshot, highest priority first."""
    rank = {name: index for index, name in enumerate(policy.priority)}
    names = [
        name for name in snapshot if name in policy.managed and is_manageable(name)
    ]
    return sorted(names, key=lambda name: (rank.get(name, len(rank)), name))
