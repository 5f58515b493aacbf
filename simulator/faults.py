"""Faults the simulated server can inject: what a flaky Immich or its proxy does.

Per-request faults (``Fault``) match on path, method and scope and fire ``count`` times. State
faults (revoked keys, lost permissions, maintenance, restarts) live on the server itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from .model import ImmichModel

type FaultKind = Literal[
    "status",  # an error status with Immich's JSON error body
    "html",  # an HTML error page, as a reverse proxy returns (any status, even 200)
    "malformed_json",  # application/json that does not parse
    "wrong_shape",  # valid JSON of the wrong shape
    "drop",  # the connection closes in the middle of the body
    "hang",  # no answer until released (or the server stops)
    "delay",  # answer after ``delay`` seconds of real time (releasable too)
]
type Scope = Literal["all", "reads", "commands"]


@dataclass(slots=True, kw_only=True)
class Fault:
    """One injected failure; ``count=None`` means until removed."""

    kind: FaultKind
    path_prefix: str = "/api/"
    method: str | None = None
    scope: Scope = "all"
    count: int | None = 1
    status: int = 500
    delay: float = 0.0
    body: str | None = None
    hits: int = 0

    def matches(self, method: str, path: str) -> bool:
        """Tell whether this fault applies to a request."""
        if not path.startswith(self.path_prefix):
            return False
        if self.method is not None and method.upper() != self.method.upper():
            return False
        if self.scope == "reads" and method.upper() != "GET":
            return False
        if self.scope == "commands" and method.upper() == "GET":
            return False
        return self.count is None or self.hits < self.count


class Faults:
    """The server's fault registry; hangs wait on ``released`` so tests never sleep."""

    def __init__(self) -> None:
        """Start with no faults."""
        self.active: list[Fault] = []
        self.released = asyncio.Event()

    def add(self, fault: Fault) -> Fault:
        """Inject a fault; return it so the test can remove it or read ``hits``."""
        self.active.append(fault)
        self.released.clear()
        return fault

    def remove(self, fault: Fault) -> None:
        """Stop injecting a fault."""
        if fault in self.active:
            self.active.remove(fault)

    def clear(self) -> None:
        """Remove every fault and release anything hanging."""
        self.active.clear()
        self.release()

    def release(self) -> None:
        """Let every hanging or delayed response go (hangs answer normally afterwards)."""
        self.released.set()

    def take(self, method: str, path: str) -> Fault | None:
        """Return the first matching fault and count the hit (exhausted ones are dropped)."""
        for fault in self.active:
            if fault.matches(method, path):
                fault.hits += 1
                if fault.count is not None and fault.hits >= fault.count:
                    self.active.remove(fault)
                return fault
        return None


def another_controller(
    model: ImmichModel,
    queues: Iterable[str],
    *,
    paused: bool = True,
    start: float = 0.0,
    every: float = 10.0,
    until: float,
) -> None:
    """Schedule a rival controller (the old add-on, a second HA) forcing queues' pause state.

    Every ``every`` seconds of model time from ``start`` until ``until``, it pauses (or
    resumes) the given queues, whatever anyone else commanded. ``until`` is required so that
    ``run_until_idle`` ends.
    """
    names = tuple(queues)

    def act(m: ImmichModel) -> None:
        for name in names:
            if paused:
                m.pause(name)
            else:
                m.resume(name)
        nxt = m.now + every
        if nxt <= until:
            m.at(nxt, act)

    model.at(start, act)
