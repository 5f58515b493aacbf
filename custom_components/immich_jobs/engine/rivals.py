"""Another controller at work: queues flipped against our commands, counted (pure).

The old add-on left running, immich-go, a second Home Assistant: each flips a queue back
after we command it. Three flips in ten minutes make the queue contested; the coordinator
then leaves it alone and raises a repair issue (runtime/issues.py).
"""

from __future__ import annotations

from collections import deque

from ..immich.models import Snapshot

# A queue flipped against our commands this many times...
FIGHT_FLIPS = 3
# ...within this window (seconds) is contested.
FIGHT_WINDOW = 600.0


class RivalWatch:
    """Notices queues flipped against our commands: another controller is at work."""

    def __init__(self) -> None:
        """Expect nothing yet."""
        self.expected: dict[str, bool] = {}
        self.contested: set[str] = set()
        self._flips: dict[str, deque[float]] = {}

    def commanded(self, queue: str, paused: bool) -> None:
        """Immich obeyed a command: the queue should stay so until we say otherwise."""
        self.expected[queue] = paused

    def forget(self) -> None:
        """Drop what we expect (after an outage Immich's state may differ for good reasons)."""
        self.expected.clear()

    def observe(self, snapshot: Snapshot, now: float) -> set[str]:
        """Count flips against our commands; return the queues newly seen as contested."""
        newly: set[str] = set()
        for queue, paused in list(self.expected.items()):
            status = snapshot.get(queue)
            if status is None or status.is_paused == paused:
                continue
            del self.expected[queue]
            flips = self._flips.setdefault(queue, deque())
            flips.append(now)
            while flips and now - flips[0] > FIGHT_WINDOW:
                flips.popleft()
            if len(flips) >= FIGHT_FLIPS and queue not in self.contested:
                self.contested.add(queue)
                newly.add(queue)
        return newly
