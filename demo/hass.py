"""A real Home Assistant for the demo: its config dir, its process and its REST/websocket API."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
import contextlib
import ctypes
import importlib.util
import json
import os
from pathlib import Path
import shutil
import signal
from string import Template
import sys
import time
from typing import Any

import aiohttp

REPO = Path(__file__).resolve().parent.parent
INTEGRATION = REPO / "custom_components" / "immich_jobs"
CLIENT_ID = "http://127.0.0.1/"
DOMAIN = "immich_jobs"
DASHBOARD_FILE = "immich_jobs_dashboard.yaml"
# Steps the demo does not need a person for; the user step is done over the REST API.
PRESEEDED_ONBOARDING = ["core_config", "analytics", "integration"]


class DemoError(Exception):
    """Something the person running the demo must be told, in one sentence."""


def http_config_in_storage() -> bool:
    """Tell whether this Home Assistant keeps the HTTP server's settings in .storage (2026.11+).

    Such a release turns an http: block of configuration.yaml into a change to confirm (a modal
    with a countdown) and a repair issue saying the YAML is deprecated.
    """
    spec = importlib.util.find_spec("homeassistant")
    if spec is None or not spec.submodule_search_locations:
        return False
    package = Path(next(iter(spec.submodule_search_locations)))
    return (package / "components" / "http" / "config.py").is_file()


def http_settings(config_dir: Path, port: int) -> str:
    """Put the server's address where this release reads it; return the YAML block, if any."""
    if not http_config_in_storage():
        return f"http:\n  server_host: 127.0.0.1\n  server_port: {port}\n"
    # Version 1 is the plain settings (2025's recovery copy); the release migrates it itself.
    store = {
        "version": 1,
        "key": "http",
        "data": {"server_host": ["127.0.0.1"], "server_port": port},
    }
    (config_dir / ".storage" / "http").write_text(json.dumps(store))
    return "# http: in .storage/http, where this Home Assistant keeps it\n"


def shown(path: Path) -> str:
    """Return a path of the repository as the person who started the demo can open it.

    In lane 2026's chroot the repository is bind-mounted at /repo; the mount table names the
    host's directory (relative to its filesystem's root, which is / on the hosts the lane runs).
    """
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/mountinfo").read_text().splitlines():
            fields = line.split()
            if fields[4] == str(REPO) and fields[3] not in ("/", str(REPO)):
                return str(Path(fields[3]) / path.relative_to(REPO))
    return str(path)


def prepare_config(config_dir: Path, port: int) -> None:
    """Write a fresh config dir: configuration.yaml, the integration, onboarding's steps.

    The core_config onboarding step is pre-seeded rather than posted: posting it starts the
    flows of four example integrations, whose packages Home Assistant would fetch.
    """
    if config_dir.exists():
        shutil.rmtree(config_dir)
    (config_dir / "custom_components").mkdir(parents=True)
    (config_dir / ".storage").mkdir()
    template = Template((Path(__file__).parent / "configuration.yaml").read_text())
    http = http_settings(config_dir, port)
    (config_dir / "configuration.yaml").write_text(template.substitute(http=http))
    (config_dir / "custom_components" / DOMAIN).symlink_to(INTEGRATION)
    onboarding = {
        "version": 4,
        "minor_version": 1,
        "key": "onboarding",
        "data": {"done": PRESEEDED_ONBOARDING},
    }
    (config_dir / ".storage" / "onboarding").write_text(json.dumps(onboarding))
    (config_dir / DASHBOARD_FILE).write_text("views: []\n")


def _die_with_parent() -> None:
    """In the child: get SIGTERM if the demo itself dies, even by SIGKILL (Linux)."""
    if sys.platform == "linux":
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(
            1, signal.SIGTERM
        )  # PR_SET_PDEATHSIG


async def start_process(args: list[str], log: Path) -> asyncio.subprocess.Process:
    """Start a child in a process group of its own, output to a log file."""
    with log.open("ab") as out:
        return await asyncio.create_subprocess_exec(
            *args,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=out,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent,  # noqa: PLW1509 - only sets the death signal
        )


async def stop_process(proc: asyncio.subprocess.Process, grace: float = 30.0) -> None:
    """SIGTERM the child's process group, wait up to `grace` seconds, then SIGKILL it."""
    if proc.returncode is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        await asyncio.wait_for(proc.wait(), grace)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        await proc.wait()


def form_as_shown(fields: list[dict[str, Any]]) -> dict[str, Any]:
    """Fill a form as the frontend does: a suggested value, else a default; sections nested."""
    data: dict[str, Any] = {}
    for field in fields:
        suggested = (field.get("description") or {}).get("suggested_value")
        if field.get("type") == "expandable":
            data[field["name"]] = form_as_shown(field.get("schema", []))
        elif suggested is not None:
            data[field["name"]] = suggested
        elif "default" in field:
            data[field["name"]] = field["default"]
    return data


def answered(shown: Mapping[str, Any], answer: Mapping[str, Any]) -> dict[str, Any]:
    """Return a form as shown with these answers: a section's answers change only its fields."""
    data = dict(shown)
    for name, value in answer.items():
        if isinstance(value, Mapping) and isinstance(data.get(name), Mapping):
            data[name] = {**data[name], **value}
        else:
            data[name] = value
    return data


class HomeAssistantApi:
    """The few REST and websocket calls the demo makes, as the demo user."""

    def __init__(self, session: aiohttp.ClientSession, base: str) -> None:
        """Talk to the Home Assistant at `base` (http://127.0.0.1:port)."""
        self.session = session
        self.base = base
        self.token = ""

    async def wait_until_up(
        self, proc: asyncio.subprocess.Process, log: Path, timeout: float
    ) -> None:
        """Poll /api/onboarding until it answers (bounded), failing early if hass exits."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.returncode is not None:
                raise DemoError(
                    f"Home Assistant exited with code {proc.returncode} while starting; "
                    f"see {shown(log)}"
                )
            with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                async with self.session.get(
                    f"{self.base}/api/onboarding",
                    timeout=aiohttp.ClientTimeout(total=5),
                ) as resp:
                    if resp.status == 200:
                        return
            await asyncio.sleep(0.5)
        raise DemoError(
            f"Home Assistant did not answer within {timeout:.0f} s; see {shown(log)}"
        )

    async def _json(
        self, method: str, path: str, payload: Mapping[str, Any] | None = None
    ) -> Any:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        async with self.session.request(
            method, f"{self.base}{path}", json=payload, headers=headers
        ) as resp:
            text = await resp.text()
            if resp.status >= 400:
                raise DemoError(f"{method} {path} answered {resp.status}: {text[:300]}")
            return json.loads(text) if text else None

    async def get(self, path: str) -> Any:
        """GET a REST path."""
        return await self._json("GET", path)

    async def post(self, path: str, payload: Mapping[str, Any] | None = None) -> Any:
        """POST to a REST path."""
        return await self._json("POST", path, payload or {})

    async def onboard(self, username: str, password: str) -> None:
        """Create the owner account and log in as it."""
        created = await self.post(
            "/api/onboarding/users",
            {
                "client_id": CLIENT_ID,
                "name": "Demo",
                "username": username,
                "password": password,
                "language": "en",
            },
        )
        await self._token(created["auth_code"])

    async def login(self, username: str, password: str) -> None:
        """Log in as an existing user (another process than the one that onboarded)."""
        flow = await self.post(
            "/auth/login_flow",
            {
                "client_id": CLIENT_ID,
                "handler": ["homeassistant", None],
                "redirect_uri": CLIENT_ID,
            },
        )
        done = await self.post(
            f"/auth/login_flow/{flow['flow_id']}",
            {"client_id": CLIENT_ID, "username": username, "password": password},
        )
        if done.get("type") != "create_entry":
            raise DemoError(f"logging in as {username} failed: {done.get('errors')}")
        await self._token(done["result"])

    async def _token(self, code: str) -> None:
        async with self.session.post(
            f"{self.base}/auth/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "client_id": CLIENT_ID,
            },
        ) as resp:
            if resp.status != 200:
                raise DemoError(f"/auth/token answered {resp.status}")
            tokens = await resp.json()
        self.token = tokens["access_token"]

    async def wait_until_running(self, log: Path, timeout: float) -> None:
        """Wait until Home Assistant has started (its API answers earlier, while it starts).

        An entry set up while Home Assistant starts begins as after a host's boot: its pauses
        wait out the grace period, which the demo's import must not meet.
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if (await self.get("/api/config")).get("state") == "RUNNING":
                return
            await asyncio.sleep(0.5)
        raise DemoError(
            f"Home Assistant did not finish starting within {timeout:.0f} s; "
            f"see {shown(log)}"
        )

    async def flow(self, path: str, handler: str, steps: list[dict[str, Any]]) -> Any:
        """Run a config or options flow over REST, one form answer per step."""
        result = await self.post(path, {"handler": handler})
        for answer in steps:
            if result.get("type") != "form":
                break
            data = answered(form_as_shown(result.get("data_schema", [])), answer)
            result = await self.post(f"{path}/{result['flow_id']}", data)
            if result.get("errors"):
                raise DemoError(
                    f"{handler}: step {result.get('step_id')} refused: {result['errors']}"
                )
        if result.get("type") != "create_entry":
            raise DemoError(
                f"{handler}: the flow ended with {json.dumps(result)[:400]}"
            )
        return result

    async def call_service(
        self, domain: str, service: str, data: Mapping[str, Any]
    ) -> None:
        """Call an action."""
        await self.post(f"/api/services/{domain}/{service}", data)

    async def state(self, entity_id: str) -> str:
        """Return an entity's state (raises if it does not exist)."""
        data = await self.get(f"/api/states/{entity_id}")
        return str(data["state"])

    async def entry_state(self, entry_id: str) -> str:
        """Return a config entry's state (loaded, setup_retry...)."""
        entries = await self.get(f"/api/config/config_entries/entry?domain={DOMAIN}")
        for entry in entries:
            if entry["entry_id"] == entry_id:
                return str(entry["state"])
        raise DemoError(f"config entry {entry_id} is gone")

    async def ws(self, command: Mapping[str, Any]) -> Any:
        """Send one websocket command and return its result."""
        async with self.session.ws_connect(f"{self.base}/api/websocket") as sock:
            await sock.receive_json()  # auth_required
            await sock.send_json({"type": "auth", "access_token": self.token})
            if (await sock.receive_json())["type"] != "auth_ok":
                raise DemoError("the websocket API refused the demo user's token")
            await sock.send_json({"id": 1, **command})
            reply = await sock.receive_json()
        if not reply.get("success"):
            raise DemoError(f"websocket {command['type']} failed: {reply.get('error')}")
        return reply["result"]

    async def registry(self, entry_id: str) -> list[dict[str, Any]]:
        """Return the entity registry entries of a config entry, in registration order."""
        entries = await self.ws({"type": "config/entity_registry/list"})
        return [e for e in entries if e.get("config_entry_id") == entry_id]
