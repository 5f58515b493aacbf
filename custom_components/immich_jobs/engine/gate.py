"""When a planned command may go to Immich: grace period, back-off, permission block.

No Home Assistant and no clock of its own: the coordinator injects a monotonic clock (seconds),
tests a number they move by hand.
"""

from __future__ import annotations

from collections.abc import Callable

from .model import Action, Command
from .reasons import Reason

# Immich pauses and resumes metadataExtraction itself while it boots: after an outage (and at a
# start that may be a host's boot) pauses wait this long. Resumes never wait: they give back
# work we paused, which is where Immich's own boot ends too.
GRACE_PERIOD = 60.0
# After Immich refused a command for lack of permission, try again this much later.
FORBIDDEN_BACKOFF = 300.0
# A failed command is retried after this, doubling up to the maximum.
COMMAND_RETRY = 10.0
MAX_COMMAND_RETRY = 300.0


class CommandGate:
    """Decides, command by command, whether it may go now, and remembers what failed."""

    def __init__(self, clock: Callable[[], float], *, outage: bool = False) -> None:
        """Start open; `outage` starts as after an outage (the first good read begins the grace)."""
        self._clock = clock
        self.outage = outage
        self.quiet_until: float | None = None
        self.blocked_until: float | None = None
        self._failures: dict[str, tuple[int, float]] = {}

    def read_failed(self) -> None:
        """Note a failed read: Immich may be restarting."""
        self.outage = True

    def read_ok(self) -> bool:
        """Note a good read; tell whether it ends an outage (the grace period starts then)."""
        if not self.outage:
            return False
        self.outage = False
        self.quiet_until = self._clock() + GRACE_PERIOD
        return True

    @property
    def in_grace(self) -> bool:
        """Tell whether pauses are held back because Immich may still be booting."""
        return self.quiet_until is not None and self._clock() < self.quiet_until

    def wait(self, command: Command, *, user: bool = False) -> float | None:
        """Return the seconds until `command` may go, or None if it may go now.

        A user's own command goes at once: the user asked now, and is told if it fails.
        """
        if user:
            return None
        waits = self._waits(command)
        return max(waits.values()) if waits else None

    def holding(self, command: Command) -> Reason | None:
        """Say what holds `command` back longest (the reason its queue shows), if anything."""
        waits = self._waits(command)
        return max(waits, key=waits.__getitem__) if waits else None

    def _waits(self, command: Command) -> dict[Reason, float]:
        now = self._clock()
        untils = {
            Reason.GRACE_PERIOD: self.quiet_until
            if command.action is Action.PAUSE
            else None,
            Reason.NO_PERMISSION: self.blocked_until,
            Reason.RETRYING: self._failures.get(command.queue, (0, None))[1],
        }
        return {
            kind: until - now
            for kind, until in untils.items()
            if until is not None and now < until
        }

    def sent(self, queue: str) -> None:
        """End the queue's back-off: Immich obeyed."""
        self._failures.pop(queue, None)

    def failed(self, queue: str) -> bool:
        """Immich failed a command: back off that queue; tell whether it is the first failure."""
        count = self._failures.get(queue, (0, 0.0))[0] + 1
        delay = min(COMMAND_RETRY * 2 ** (count - 1), MAX_COMMAND_RETRY)
        self._failures[queue] = (count, self._clock() + delay)
        return count == 1

    def forbidden(self) -> None:
        """Immich refused for lack of permission: no command for a while."""
        self.blocked_until = self._clock() + FORBIDDEN_BACKOFF

    @property
    def blocked(self) -> bool:
        """Tell whether commands wait for a missing permission."""
        return self.blocked_until is not None

    def recheck_due(self) -> bool:
        """Tell whether the permission block is over and the key should be checked again."""
        return self.blocked_until is not None and self._clock() >= self.blocked_until

    def unblock(self) -> None:
        """Let commands go again: the key may command queues."""
        self.blocked_until = None

    def retry_in(self) -> float:
        """Return the seconds until the last queue backing off may be commanded again."""
        now = self._clock()
        return max((at - now for _, at in self._failures.values()), default=0.0)
