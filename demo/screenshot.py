"""Photograph the demo dashboard in headless Chromium, driven over the DevTools protocol."""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
from pathlib import Path
import shutil
import tempfile
import time
from typing import Any

import aiohttp

from .hass import DemoError, start_process, stop_process

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--remote-debugging-port=0",
]
# Count elements by tag through every shadow root (Home Assistant's frontend is all shadow DOM).
_COUNT = """(() => {
  const counts = {};
  const walk = (root) => {
    for (const el of root.querySelectorAll("*")) {
      const tag = el.tagName.toLowerCase();
      counts[tag] = (counts[tag] || 0) + 1;
      if (tag === "ha-chart-base" && el.data && el.data.length) counts["chart-series"] = el.data.length;
      if (el.shadowRoot) walk(el.shadowRoot);
    }
  };
  walk(document);
  return JSON.stringify(counts);
})()"""


def find_chromium() -> str:
    """Return Chromium's executable, or say how to get it."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if path := shutil.which(name):
            return path
    raise DemoError(
        "Chromium is not installed: run scripts/screenshot (it installs it)"
    )


class DevTools:
    """One page of a browser, over the DevTools websocket."""

    def __init__(self, sock: aiohttp.ClientWebSocketResponse) -> None:
        """Wrap a page's websocket."""
        self.sock = sock
        self._ids = itertools.count(1)

    async def call(self, method: str, **params: Any) -> Any:
        """Send a command and return its result (events in between are skipped)."""
        call_id = next(self._ids)
        await self.sock.send_json({"id": call_id, "method": method, "params": params})
        while True:
            message = await self.sock.receive_json()
            if message.get("id") == call_id:
                if "error" in message:
                    raise DemoError(f"Chromium: {method} failed: {message['error']}")
                return message.get("result", {})

    async def counts(self) -> dict[str, int]:
        """Count the page's elements by tag (nothing while the page navigates)."""
        try:
            result = await self.call(
                "Runtime.evaluate", expression=_COUNT, returnByValue=True
            )
        except DemoError:
            return {}  # the login redirects replace the page under our feet
        value = result.get("result", {}).get("value")
        return json.loads(value) if isinstance(value, str) else {}


async def _page_socket(session: aiohttp.ClientSession, profile: Path) -> str:
    """Wait (bounded) for Chromium's DevTools port; return the first page's websocket URL."""
    deadline = time.monotonic() + 30
    port_file = profile / "DevToolsActivePort"
    while time.monotonic() < deadline:
        if port_file.exists() and (lines := port_file.read_text().split()):
            async with session.get(f"http://127.0.0.1:{lines[0]}/json/list") as resp:
                targets = await resp.json()
            for target in targets:
                if target.get("type") == "page":
                    return str(target["webSocketDebuggerUrl"])
        await asyncio.sleep(0.2)
    raise DemoError("Chromium's DevTools did not come up within 30 s")


async def take(
    url: str, out: Path, queues: int, size: tuple[int, int] = (1280, 1650)
) -> None:
    """Open `url`, wait until the dashboard's cards and graph are drawn, save a PNG."""
    profile = Path(tempfile.mkdtemp(prefix="immich-jobs-chromium-"))
    log = profile / "chromium.log"
    proc = await start_process(
        [
            find_chromium(),
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            f"--window-size={size[0]},{size[1]}",
            "about:blank",
        ],
        log,
    )
    try:
        async with aiohttp.ClientSession() as session:
            ws_url = await _page_socket(session, profile)
            async with session.ws_connect(ws_url, max_msg_size=0) as sock:
                page = DevTools(sock)
                await page.call("Page.enable")
                await page.call("Page.navigate", url=url)
                await _wait_for_dashboard(page, queues)
                shot = await page.call("Page.captureScreenshot", format="png")
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(base64.b64decode(shot["data"]))
    finally:
        await stop_process(proc, grace=5)
        shutil.rmtree(profile, ignore_errors=True)


async def _wait_for_dashboard(page: DevTools, queues: int, timeout: float = 60) -> None:
    """Poll (bounded) until every queue card and the graph's canvas are on the page."""
    deadline = time.monotonic() + timeout
    counts: dict[str, int] = {}
    previous: dict[str, int] = {}
    stable = 0
    while time.monotonic() < deadline:
        counts = await page.counts()
        drawn = (
            counts.get("hui-tile-card", 0) >= queues
            and counts.get("chart-series", 0) >= 1
            and counts.get("canvas", 0) >= 1
        )
        # Done when drawn and the page did not change for three polls (chart animation).
        stable = stable + 1 if drawn and counts == previous else 0
        if stable >= 3:
            return
        previous = counts
        await asyncio.sleep(0.5)
    raise DemoError(
        f"the dashboard did not render within {timeout:.0f} s "
        f"(tiles {counts.get('hui-tile-card', 0)} of {queues}, "
        f"graph series {counts.get('chart-series', 0)})"
    )
