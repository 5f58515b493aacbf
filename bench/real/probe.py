"""The usable-box probe: a fixed piece of CPU work in the foreground, timed once a second.

Run as its own process at normal priority (``python -m bench.real.probe OUT``); it writes one
line per sample, "<monotonic start> <seconds taken>", until it gets SIGTERM. The work is a fixed
count of loop steps (about 20 ms of one core on the project's 2-core box at idle), so every box
does the same work and the bench divides by the idle box's own median.
"""

from __future__ import annotations

from pathlib import Path
import signal
import sys
import time

STEPS = 300_000
EVERY = 1.0


def work(steps: int = STEPS) -> int:
    """Do the fixed CPU work (a loop the interpreter cannot skip)."""
    total = 0
    for i in range(steps):
        total += i * i % 7
    return total


def main(out: str) -> None:
    """Sample until SIGTERM."""
    running = True

    def stop(*_: object) -> None:
        nonlocal running
        running = False

    signal.signal(signal.SIGTERM, stop)
    next_at = time.monotonic()
    with Path(out).open("w", encoding="utf-8") as fh:
        while running:
            started = time.monotonic()
            work()
            fh.write(f"{started:.4f} {time.monotonic() - started:.5f}\n")
            fh.flush()
            next_at += EVERY
            time.sleep(max(0.0, next_at - time.monotonic()))


if __name__ == "__main__":
    main(sys.argv[1])
