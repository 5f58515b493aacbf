"""Run Immich Jobs in a real Home Assistant against the bundled Immich simulator.

The simulator (or a real Immich, with --immich-url and --api-key) and a real Home Assistant
start; onboarding, the config flow and a dashboard are done for you, and a library import
starts. Ctrl-C (or SIGTERM) stops everything it started. Runtime files live in .demo/.
"""

from __future__ import annotations

import argparse
from pathlib import Path
import sys

# Standard library and the simulator's profiles only: --help answers before anything is
# installed (scripts/demo runs this module with any Python 3.13 when the venv is missing).
from simulator.profiles import PROFILES

DEFAULT_PORT = 8123


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(prog="scripts/demo", description=__doc__)
    parser.add_argument(
        "--check", action="store_true", help="verify headless, then stop"
    )
    parser.add_argument("--immich-url", help="a real Immich instead of the simulator")
    parser.add_argument("--api-key", help="an admin's API key of that Immich")
    parser.add_argument(
        "--port",
        type=int,
        default=None,
        help=f"Home Assistant's port (default {DEFAULT_PORT}; with --check a free one)",
    )
    parser.add_argument(
        "--immich-port", type=int, default=2283, help="the simulator's port"
    )
    parser.add_argument("--profile", choices=sorted(PROFILES), default="v3.1")
    parser.add_argument(
        "--speed", type=float, default=1.0, help="simulated seconds per real second"
    )
    parser.add_argument(
        "--poll-interval",
        type=int,
        default=None,
        help="the integration's poll interval option (default 5 s, 2 s with --check)",
    )
    parser.add_argument(
        "--screenshot", type=Path, help="save a PNG of the dashboard, then stop"
    )
    # The house step's options, for the real-server bench (bench/real/): unset = as shown.
    parser.add_argument(
        "--quiet-period",
        choices=("on", "off"),
        help="the house step's quiet period after uploads (default: the integration's)",
    )
    parser.add_argument(
        "--server-condition",
        metavar="ENTITY",
        help="the house step's 'Allowed when' for the whole server, e.g. "
        "input_boolean.immich_box_free (work when on)",
    )
    parser.add_argument(
        "--condition-min-minutes",
        type=int,
        help="the house step's minimum minutes between condition changes",
    )
    args = parser.parse_args(argv)
    if bool(args.immich_url) != bool(args.api_key):
        parser.error("--immich-url and --api-key go together")
    if args.poll_interval is None:
        args.poll_interval = 2 if args.check else 5
    return args


if __name__ == "__main__":
    parse_args(sys.argv[1:])
