"""Run the demo: ``python -m demo [--check] [--immich-url URL --api-key KEY]`` (see scripts/demo).

Starts the bundled Immich simulator in this process (unless a real Immich is given) and a real
Home Assistant in a child process group, onboards it over the REST API, adds Immich Jobs
through its config flow, writes a dashboard, and starts a library import. Ctrl-C (or SIGTERM)
stops everything it started.
"""

from __future__ import annotations

import argparse
import asyncio
import os
from pathlib import Path
import shutil
import signal
import socket
import sys
import time

import aiohttp

from simulator.model import ImmichModel
from simulator.profiles import PROFILES
from simulator.scenarios import library_import, trickle
from simulator.server import KEY_QUEUES, SimulatedImmich

from . import check as checks, dashboard, screenshot
from .check import say
from .cli import DEFAULT_PORT, parse_args
from .hass import (
    DASHBOARD_FILE,
    REPO,
    DemoError,
    HomeAssistantApi,
    prepare_config,
    shown,
    start_process,
    stop_process,
)

USERNAME = "demo"
PASSWORD = "immich-demo"
STATE_DIR = REPO / ".demo"
DASHBOARD_PATH = "immich-jobs/queues"
START_TIMEOUT = 120.0
EXPRESS_MAX_JOBS = 25  # the integration's default, left unchanged
# The workload: a library migrated into Immich, then a phone backing up now and then.
IMPORT_PHOTOS = 1000
IMPORT_VIDEOS = 30
TRICKLE_EVERY = 45.0
TRICKLE_PHOTOS = 5
GRAPH_HOURS = 0.1  # the demo's graph shows its few minutes


def port_free(port: int) -> bool:
    """Tell whether nothing listens on 127.0.0.1:port."""
    with socket.socket() as sock:
        # Like the servers themselves: connections in TIME_WAIT do not make a port busy.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    """Return a port nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def choose_port(wanted: int, *, fallback: bool, what: str) -> int:
    """Use `wanted`, or a free port when allowed; otherwise say what to do."""
    if port_free(wanted):
        return wanted
    if fallback:
        return free_port()
    raise DemoError(
        f"port {wanted} is in use ({what}); stop what uses it or pass another port"
    )


def log_tail(log: Path, lines: int = 25) -> str:
    """Return the end of Home Assistant's log, to explain a failure."""
    if not log.exists():
        return ""
    tail = log.read_text(errors="replace").splitlines()[-lines:]
    return "\n".join(f"    {line}" for line in tail)


class Demo:
    """Everything the demo starts, and how to stop it."""

    def __init__(self, args: argparse.Namespace) -> None:
        """Keep the command line."""
        self.args = args
        if args.check:
            name = f"check-{os.getpid()}"
        else:
            name = "screenshot" if args.screenshot else "config"
        self.config_dir = STATE_DIR / name
        self.log = self.config_dir / "home-assistant.log"
        self.server: SimulatedImmich | None = None
        self.hass: asyncio.subprocess.Process | None = None

    async def stop(self) -> None:
        """Stop Home Assistant (its whole process group), then the simulator."""
        if self.hass is not None:
            await stop_process(self.hass)
        if self.server is not None:
            await self.server.stop()

    async def start_simulator(self) -> tuple[str, str]:
        """Start the simulated Immich here; return its URL and the API key to use."""
        profile = self.args.profile
        self.server = SimulatedImmich(
            profile,
            ImmichModel(queues=PROFILES[profile].queues),
            clock="real",
            speed=self.args.speed,
        )
        port = choose_port(
            self.args.immich_port, fallback=True, what="Immich simulator"
        )
        url = await self.server.start("127.0.0.1", 0 if self.args.check else port)
        return url, KEY_QUEUES

    def start_workload(self) -> None:
        """Upload a library now; outside --check, keep a phone's backups trickling in."""
        assert self.server is not None
        model = self.server.model
        self.server.sync_clock()
        library_import(model, photos=IMPORT_PHOTOS, videos=IMPORT_VIDEOS, at=model.now)
        if not self.args.check:
            trickle(
                model,
                count=10_000,
                every=TRICKLE_EVERY,
                photos_each=TRICKLE_PHOTOS,
                start=model.now + 4 * TRICKLE_EVERY,
            )

    async def run(self) -> int:
        """Start everything, then check or wait for Ctrl-C."""
        started = time.monotonic()
        if self.args.immich_url:
            immich_url, api_key = self.args.immich_url, self.args.api_key
        else:
            immich_url, api_key = await self.start_simulator()
        if self.args.check and self.args.port is None:
            # Headless: a port the OS gives now, never a fixed one someone else may hold.
            port = free_port()
        else:
            port = choose_port(
                self.args.port or DEFAULT_PORT,
                fallback=bool(self.args.check or self.args.screenshot),
                what="Home Assistant",
            )
        prepare_config(self.config_dir, port)
        self.hass = await start_process(
            [
                sys.executable,
                "-m",
                "homeassistant",
                "--config",
                str(self.config_dir),
                "--skip-pip",
            ],
            self.config_dir / "console.log",
        )
        base = f"http://127.0.0.1:{port}"
        async with aiohttp.ClientSession() as session:
            api = HomeAssistantApi(session, base)
            await api.wait_until_up(self.hass, self.log, START_TIMEOUT)
            await api.onboard(USERNAME, PASSWORD)
            await api.wait_until_running(self.log, START_TIMEOUT)
            created = await api.flow(
                "/api/config/config_entries/flow",
                "immich_jobs",
                [{"url": immich_url, "api_key": api_key, "verify_ssl": True}],
            )
            entry_id = created["result"]["entry_id"]
            if self.server is not None:
                # Before the options are saved: saving them makes the integration look at
                # once, so it meets the import from its first second.
                self.start_workload()
            await api.flow(
                "/api/config/config_entries/options/flow",
                entry_id,
                # The rules (the poll interval), then the priority and the house as shown.
                [{"poll_interval": self.args.poll_interval}, {}, self.house()],
            )
            entities = dashboard.Entities.from_registry(await api.registry(entry_id))
            board = (api, entry_id, self.config_dir / DASHBOARD_FILE, GRAPH_HOURS)
            await dashboard.write(*board)
            ready = time.monotonic() - started
            if self.args.check:
                return await self.check(api, entry_id, entities, ready)
            if self.args.screenshot:
                return await self.screenshot(base, entities)
            self.banner(base, immich_url, api_key, ready)
            # The dashboard follows the options (a new priority reorders its queues).
            following = asyncio.create_task(dashboard.follow(*board))
            await self.hass.wait()
            following.cancel()
            raise DemoError(
                f"Home Assistant stopped (code {self.hass.returncode}); see {shown(self.log)}"
            )

    def house(self) -> dict[str, object]:
        """Return the house step's answers from the command line (nothing given: as shown).

        The form is in sections (the whole server, quiet while uploading, ...): each answer
        goes in its section, as the frontend sends it.
        """
        answers: dict[str, object] = {}
        if self.args.server_condition:
            answers["server"] = {
                "entity": self.args.server_condition,
                "work_when": "on",
            }
        if self.args.condition_min_minutes is not None:
            answers["condition_min_minutes"] = self.args.condition_min_minutes
        if self.args.quiet_period is not None:
            answers["uploads"] = {"upload_quiet": self.args.quiet_period == "on"}
        return answers

    def banner(self, base: str, immich_url: str, api_key: str, ready: float) -> None:
        """Tell the newcomer where to look."""
        lines = [
            f"Immich Jobs demo ready in {ready:.0f} s.",
            f"  Dashboard:  {base}/{DASHBOARD_PATH}",
            f"  Login:      {USERNAME} / {PASSWORD} (a browser on this machine is let in directly)",
        ]
        if self.server is not None:
            lines += [
                f"  Immich:     simulated {self.args.profile} at {immich_url}/api, "
                f"API key {api_key}, speed {self.args.speed:g}x",
                f"  Workload:   a library import ({IMPORT_PHOTOS} photos, {IMPORT_VIDEOS} "
                f"videos) now, then {TRICKLE_PHOTOS} photos every {TRICKLE_EVERY:.0f} s",
            ]
        else:
            lines.append(f"  Immich:     {immich_url}")
        lines += [f"  Logs:       {shown(self.log)}", "Ctrl-C stops everything."]
        say("\n".join(lines))

    async def screenshot(self, base: str, entities: dashboard.Entities) -> int:
        """Photograph the dashboard once the import is visibly under way."""
        if self.server is not None:
            model = self.server.model
            say("Waiting for videos to queue up behind the thumbnails...")
            await checks.wait_for(
                "thumbnail generation running while video conversion waits its turn",
                lambda: (
                    model.counts("thumbnailGeneration").active > 0
                    and model.counts("videoConversion").is_paused
                    and model.counts("videoConversion").paused > 0
                ),
                timeout=300,
            )
        await screenshot.take(
            f"{base}/{DASHBOARD_PATH}", self.args.screenshot, len(entities.queues)
        )
        say(f"Saved {self.args.screenshot}")
        return 0

    async def check(
        self,
        api: HomeAssistantApi,
        entry_id: str,
        entities: dashboard.Entities,
        ready: float,
    ) -> int:
        """Verify the demo end to end; raise DemoError on the first failure."""
        say(f"demo --check: Home Assistant and Immich Jobs ready in {ready:.0f} s")
        if (state := await api.entry_state(entry_id)) != "loaded":
            raise DemoError(f"the config entry is {state!r}, not loaded")
        checks.ok("config entry loaded")
        await checks.check_nothing_to_confirm(api)
        if self.server is None:
            present = list(entities.queues)
        else:
            present = list(self.server.model.queue_names)
        await checks.check_entities(api, entities, present)
        if self.server is None:
            say("  --  scheduling checks skipped: they need the simulator's workload")
            return 0
        queues = checks.expected_queues(present)
        watcher = checks.Watcher(self.server)
        watcher.start()
        try:
            await checks.check_priority(
                watcher,
                queues,
                max_running=1,
                express_max=EXPRESS_MAX_JOBS,
                poll_interval=self.args.poll_interval,
            )
            await checks.check_hold(
                api,
                watcher,
                entities,
                queues,
                express_max=EXPRESS_MAX_JOBS,
                hold_for=3 * self.args.poll_interval,
            )
        finally:
            await watcher.stop()
        say(f"  queue commands sent to Immich: {checks.command_summary(self.server)}")
        return 0


async def amain(args: argparse.Namespace) -> int:
    """Run the demo; on Ctrl-C, SIGTERM or SIGHUP stop what was started, once."""
    demo = Demo(args)
    task = asyncio.current_task()
    assert task is not None
    stopping = False

    def on_signal() -> None:
        nonlocal stopping
        if not stopping:
            stopping = True
            say("\nStopping the demo...")
            task.cancel()

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        loop.add_signal_handler(sig, on_signal)
    started = time.monotonic()
    code = 1
    try:
        code = await demo.run()
    except asyncio.CancelledError:
        task.uncancel()
        code = 0
    except DemoError as err:
        say(f"scripts/demo{' --check' if args.check else ''} FAILED: {err}", error=True)
        if tail := log_tail(demo.log):
            say(f"  end of {shown(demo.log)}:\n{tail}", error=True)
    finally:
        await demo.stop()
    if args.check:
        if code == 0:
            shutil.rmtree(demo.config_dir, ignore_errors=True)
            say(f"demo --check passed in {time.monotonic() - started:.0f} s")
        else:
            say(
                f"  Home Assistant's files are kept in {shown(demo.config_dir)}",
                error=True,
            )
    return code


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    return asyncio.run(amain(parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
