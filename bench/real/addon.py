"""The old add-on's algorithm as a small process against a real Immich (bench/controllers.py).

``python -m bench.real.addon URL KEY [--interval 10] [--max-running 1]``: reads the queues every
interval, applies bench.controllers.AddOn (the same code the model bench runs), sends its
pauses and resumes (a command Immich refuses is logged and the loop goes on, as the add-on's
shell loop does). Like the add-on, it stops on SIGTERM without resuming anything.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal

import aiohttp

from bench.controllers import AddOn
from custom_components.immich_jobs.engine.scheduler import Action

from .immich import BenchError, Immich


async def control(url: str, key: str, interval: float, max_running: int) -> None:
    """Poll and command until cancelled."""
    addon = AddOn(max_running, interval)
    loop = asyncio.get_running_loop()
    async with aiohttp.ClientSession() as session:
        immich = Immich(session, url, key)
        while True:
            started = loop.time()
            snapshot = await immich.queues()
            decision = addon.poll(snapshot, started)
            for name, action in decision.commands:
                try:
                    await immich.set_paused(name, action is Action.PAUSE)
                except BenchError as err:  # v3 refuses to pause backgroundTask: go on
                    print(f"addon: {err}", flush=True)
            await asyncio.sleep(max(0.0, started + interval - loop.time()))


def main() -> None:
    """Run until SIGTERM."""
    parser = argparse.ArgumentParser(prog="python -m bench.real.addon")
    parser.add_argument("url")
    parser.add_argument("key")
    parser.add_argument("--interval", type=float, default=10.0)
    parser.add_argument("--max-running", type=int, default=1)
    args = parser.parse_args()

    async def run() -> None:
        task = asyncio.create_task(
            control(args.url, args.key, args.interval, args.max_running)
        )
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
        with contextlib.suppress(asyncio.CancelledError):
            await task

    asyncio.run(run())


if __name__ == "__main__":
    main()
