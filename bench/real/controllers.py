"""The controllers of the real bench, as processes beside a real Immich.

- unmanaged: nothing runs;
- addon: ``python -m bench.real.addon`` (bench/controllers.py's AddOn against the server);
- ours*: the integration in a real Home Assistant, started by ``scripts/demo --immich-url``
  with the house step's options of the variant; the server condition's toggle is switched
  over Home Assistant's REST API, as a person or an automation would.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
import contextlib
from dataclasses import dataclass, field
import os
from pathlib import Path
import signal
import socket
import sys
from typing import Any

import aiohttp

from demo.hass import REPO, HomeAssistantApi

from .immich import BenchError

DEMO_USER = ("demo", "immich-demo")  # demo/__main__.py's login
CONDITION_ENTITY = "input_boolean.immich_box_free"  # demo/configuration.yaml's toggle
HOLD = (120.0, 300.0)  # the server condition is off from T0+120 s to T0+300 s
READY_TIMEOUT = 300.0


@dataclass(frozen=True, slots=True)
class Variant:
    """One controller of the table: how it is started."""

    name: str
    description: str
    demo_args: tuple[str, ...] | None = None  # None: not the integration
    hold: tuple[float, float] | None = None


VARIANTS: dict[str, Variant] = {
    v.name: v
    for v in (
        Variant("unmanaged", "Immich on its own"),
        Variant("addon", "the add-on's algorithm (N = 1, 10 s), as a small process"),
        Variant("ours", "ours, defaults (quiet period on)", ()),
        Variant(
            "ours_quiet_off",
            "ours, quiet period off",
            ("--quiet-period", "off"),
        ),
        Variant(
            "ours_condition",
            "ours, quiet period off, server condition off T0+120…300 s",
            (
                "--quiet-period",
                "off",
                "--server-condition",
                CONDITION_ENTITY,
                "--condition-min-minutes",
                "1",
            ),
            hold=HOLD,
        ),
    )
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Running:
    """A started controller: its process, its Home Assistant, what it reported."""

    variant: Variant
    logs: Path
    process: asyncio.subprocess.Process | None = None
    hass: HomeAssistantApi | None = None
    switched: list[tuple[float, str]] = field(default_factory=list)
    estimates: list[dict[str, Any]] = field(default_factory=list)

    async def start(
        self,
        session: aiohttp.ClientSession,
        url: str,
        key: str,
        interval: int,
        demo_python: str | None,
    ) -> None:
        """Start the controller against `url` (the counting proxy) and wait until it runs."""
        if self.variant.name == "unmanaged":
            return
        self.logs.mkdir(parents=True, exist_ok=True)
        log = self.logs / f"{self.variant.name}.log"
        if self.variant.demo_args is None:
            args: Sequence[str] = (
                sys.executable,
                "-m",
                "bench.real.addon",
                url,
                key,
                "--interval",
                str(interval),
            )
            self.process = await _spawn(args, log, {})
            return
        port = _free_port()
        args = (
            "bash",
            "scripts/demo",
            "--immich-url",
            url,
            "--api-key",
            key,
            "--poll-interval",
            str(interval),
            "--port",
            str(port),
            *self.variant.demo_args,
        )
        env = {"DEMO_PYTHON": demo_python} if demo_python else {}
        self.process = await _spawn(args, log, env)
        await _wait_for_line(self.process, log, "demo ready", READY_TIMEOUT)
        self.hass = HomeAssistantApi(session, f"http://127.0.0.1:{port}")
        await self.hass.login(*DEMO_USER)

    async def tick(self, at: float) -> None:
        """Fail if the controller died; switch the server condition at the hold's edges."""
        if self.process is not None and self.process.returncode is not None:
            raise BenchError(
                f"the controller exited ({self.process.returncode}); see {self.logs}"
            )
        hold = self.variant.hold
        if hold is None or self.hass is None:
            return
        for edge, service in zip(hold, ("turn_off", "turn_on"), strict=True):
            if at >= edge and service not in {s for _, s in self.switched}:
                await self.hass.call_service(
                    "input_boolean", service, {"entity_id": CONDITION_ENTITY}
                )
                self.switched.append((at, service))

    async def read_estimates(self, at: float) -> None:
        """Note the integration's time-until-idle and time-left sensors."""
        if self.hass is None:
            return
        states = await self.hass.get("/api/states")
        seen = {
            s["entity_id"]: [s["state"], s["attributes"].get("unit_of_measurement")]
            for s in states
            if s["entity_id"].startswith("sensor.")
            and s["entity_id"].endswith(("_time_until_idle", "_time_left"))
        }
        self.estimates.append({"at": round(at, 1), "sensors": seen})

    async def stop(self) -> None:
        """Stop the controller's process group (Home Assistant and all)."""
        proc = self.process
        if proc is None or proc.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            await asyncio.wait_for(proc.wait(), 60)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            await proc.wait()


async def _spawn(
    args: Sequence[str], log: Path, env: dict[str, str]
) -> asyncio.subprocess.Process:
    with log.open("wb") as out:
        return await asyncio.create_subprocess_exec(
            *args,
            cwd=REPO,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=out,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, **env},
        )


async def _wait_for_line(
    proc: asyncio.subprocess.Process, log: Path, text: str, timeout: float
) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        if text in log.read_text(errors="replace"):
            return
        if proc.returncode is not None:
            break
        await asyncio.sleep(1)
    raise BenchError(f"the controller did not say {text!r}; see {log}")
