"""The demo's dashboard: what the integration's get_dashboard action returns, kept current.

The action builds the dashboard in the priority in force, so the demo asks again whenever the
entry changes (options saved, reloaded) and rewrites the YAML-mode dashboard; an open browser
redraws it (Home Assistant tells it the dashboard was updated).
"""

from __future__ import annotations

from collections.abc import Mapping
import contextlib
from pathlib import Path
from typing import Any

import yaml

from custom_components.immich_jobs.runtime.dashboard import (
    QUEUE_KEYS,
    SERVER_KEYS,
    Entities,
    dashboard,
)

from .hass import DOMAIN, DemoError, HomeAssistantApi

__all__ = [
    "QUEUE_KEYS",
    "SERVER_KEYS",
    "Entities",
    "dashboard",
    "dump",
    "follow",
    "write",
]

URL_PATH = "immich-jobs"


def dump(config: Mapping[str, Any]) -> str:
    """Render as YAML (what a user would paste into a YAML-mode dashboard)."""
    return str(yaml.safe_dump(dict(config), sort_keys=False, allow_unicode=True))


def with_graph_hours(config: dict[str, Any], hours: float) -> dict[str, Any]:
    """Show the graph over the demo's few minutes rather than the action's hours."""
    for view in config.get("views", []):
        for part in view.get("sections", []):
            for card in part.get("cards", []):
                if card.get("type") == "history-graph":
                    card["hours_to_show"] = hours
    return config


async def write(api: HomeAssistantApi, entry_id: str, path: Path, hours: float) -> bool:
    """Write the dashboard get_dashboard returns now; tell browsers if it changed."""
    reply = await api.ws(
        {
            "type": "call_service",
            "domain": DOMAIN,
            "service": "get_dashboard",
            "service_data": {"config_entry_id": entry_id},
            "return_response": True,
        }
    )
    text = dump(with_graph_hours(reply["response"], hours))
    if path.exists() and path.read_text() == text:
        return False
    path.write_text(text)
    # Reading the file again fires lovelace_updated: open dashboards redraw.
    await api.ws({"type": "lovelace/config", "url_path": URL_PATH, "force": True})
    return True


async def follow(
    api: HomeAssistantApi, entry_id: str, path: Path, hours: float
) -> None:
    """Rewrite the dashboard each time the entry changes, until cancelled."""
    async with api.session.ws_connect(f"{api.base}/api/websocket") as sock:
        await sock.receive_json()  # auth_required
        await sock.send_json({"type": "auth", "access_token": api.token})
        await sock.receive_json()
        await sock.send_json({"id": 1, "type": "config_entries/subscribe"})
        async for message in sock:
            event = message.json().get("event") or []
            if any(change["entry"]["entry_id"] == entry_id for change in event):
                # While the entry reloads the action has no server to ask: the next
                # change (loaded) comes soon.
                with contextlib.suppress(DemoError):
                    await write(api, entry_id, path, hours)
