"""Run a simulated Immich in real time for a demo: ``python -m simulator --scenario import``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys

from .model import ImmichModel
from .profiles import PROFILES
from .scenarios import SCENARIOS
from .server import SimulatedImmich


def describe_keys(server: SimulatedImmich) -> list[str]:
    """Return one line per accepted API key: the secret, its name and what it may do."""
    mode = server.profile.permission_mode
    lines = []
    for key in server.keys.values():
        admin = "admin" if key.user.is_admin else "NOT admin (job endpoints: 403)"
        if mode == "fine":
            perms = ", ".join(key.permissions)
        elif mode == "all":
            perms = ", ".join(key.permissions) + (
                "" if "all" in key.permissions else " (v1.136 needs 'all')"
            )
        else:
            perms = "any (permissions not checked before v1.136)"
        lines.append(f"  {key.secret:<28} {key.name:<16} {admin}; permissions: {perms}")
    return lines


async def serve(args: argparse.Namespace) -> None:
    """Start the server and keep it running until cancelled."""
    profile = PROFILES[args.profile]
    model = ImmichModel(queues=profile.queues)
    SCENARIOS[args.scenario](model)
    server = SimulatedImmich(args.profile, model, clock="real", speed=args.speed)
    url = await server.start(args.host, args.port)
    print(
        f"Simulated Immich {args.profile} at {url}/api (scenario {args.scenario!r})",
        flush=True,
    )  # noqa: T201
    print("API keys (header x-api-key):", flush=True)  # noqa: T201
    print("\n".join(describe_keys(server)), flush=True)  # noqa: T201
    print("Ctrl-C to stop.", flush=True)  # noqa: T201
    try:
        await asyncio.Event().wait()
    finally:
        await server.stop()


def main(argv: list[str] | None = None) -> int:
    """Parse arguments and run until Ctrl-C."""
    parser = argparse.ArgumentParser(prog="python -m simulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=2283)
    parser.add_argument("--profile", choices=sorted(PROFILES), default="v3.1")
    parser.add_argument("--scenario", choices=sorted(SCENARIOS), default="import")
    parser.add_argument(
        "--speed", type=float, default=1.0, help="simulated seconds per real second"
    )
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
