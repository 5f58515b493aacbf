"""Let the event loop's timers run as if time had passed, without waiting for it.

For tests without Home Assistant (its test clock, `async_fire_time_changed`, does the same for
tests with it): a client's 10 s timeout trips at once, however busy the machine.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable


async def turns_until(done: Callable[[], bool], most: int = 10_000) -> None:
    """Turn the event loop until `done()` (a request reached the server, say).

    Turns, not seconds: the server under test answers in this same loop.
    """
    for _ in range(most):
        if done():
            return
        await asyncio.sleep(0)
    raise AssertionError(f"not done after {most} turns of the event loop")


def fire_timers(seconds: float) -> int:
    """Run every timer due within `seconds` from now; return how many ran."""
    loop = asyncio.get_running_loop()
    horizon = loop.time() + seconds
    due = [
        handle
        for handle in list(loop._scheduled)  # noqa: SLF001 - the loop's timer heap
        if not handle.cancelled() and handle.when() <= horizon
    ]
    for handle in due:
        handle._run()  # noqa: SLF001 - what the loop itself would do at that time
        handle.cancel()
    return len(due)


async def after(
    seconds: float, call: Awaitable[object], started: Callable[[], bool]
) -> object:
    """Await `call` with `seconds` of timers fired once it `started()` (e.g. a request hung)."""
    task = asyncio.ensure_future(call)
    await turns_until(lambda: started() or task.done())
    fire_timers(seconds)
    return await task
