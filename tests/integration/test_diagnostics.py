"""Diagnostics: enough to debug a schedule, nothing that identifies the server or opens it."""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.immich_jobs.diagnostics import async_get_config_entry_diagnostics
from homeassistant.core import HomeAssistant
from homeassistant.helpers.json import json_dumps
from simulator.faults import Fault
from simulator.server import KEY_ALL, SimulatedImmich

from .helpers import run_for, setup_one_slot


async def test_diagnostics(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    loaded_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Options, version, permissions, the last snapshot, intents, plans with reasons, errors."""
    immich.model.upload(videos=3)
    immich.model.upload(photos=200)
    await run_for(hass, freezer, immich, 20)
    immich.faults.add(Fault(kind="html", status=502, count=1))
    await run_for(hass, freezer, immich, 20)

    # Called directly: the HTTP view chokes on freezegun's datetimes in HA's own part.
    diagnostics = await async_get_config_entry_diagnostics(hass, loaded_entry)
    text = json_dumps(diagnostics)
    assert KEY_ALL not in text
    assert immich.url not in text
    assert immich.admin.id not in text
    assert diagnostics["entry"]["data"]["api_key"] == "**REDACTED**"
    assert diagnostics["immich_version"] == "v3.1.0"
    assert diagnostics["access"]["missing_control"] == []
    assert diagnostics["access"]["read_api"] == "queues"
    assert diagnostics["queues"]["thumbnailGeneration"]["waiting"] >= 0
    assert diagnostics["intents"]["scheduling"] is True
    # The import counts as uploads: the quiet period holds the videos.
    assert diagnostics["house"]["holds"]["videoConversion"] == {
        "held_by": "uploads_arriving",
        "subject": "",
    }
    assert diagnostics["house"]["kept"] == {"uploads_arriving": True}
    reasons = [c["reason"] for plan in diagnostics["plans"] for c in plan["commands"]]
    assert any("higher-priority" in reason for reason in reasons)
    assert diagnostics["recent_errors"][-1]["error"] == "invalid_response"


async def test_diagnostics_keep_the_plans_that_changed_something(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Half an hour of idle polls after an import does not push the import's plans out.

    One slot: the videos wait for the thumbnails (a pause the import's plans hold).
    """
    immich.model.enqueue("thumbnailGeneration", 30, duration=1)
    immich.model.enqueue("videoConversion", 2, kind="video", duration=10)
    loaded_entry = await setup_one_slot(hass, config_entry)
    await run_for(hass, freezer, immich, 120)
    videos = immich.model.counts("videoConversion")
    assert videos.waiting + videos.paused + videos.active == 0
    # The plans a download shows now, the import's.
    kept = len((await async_get_config_entry_diagnostics(hass, loaded_entry))["plans"])

    # Idle: a look every 30 s, 60 of them, each commanding and changing nothing.
    polls = immich.count("GET", "/api/queues")
    await run_for(hass, freezer, immich, 1800, step=5)
    assert immich.count("GET", "/api/queues") - polls >= 55

    diagnostics = await async_get_config_entry_diagnostics(hass, loaded_entry)
    plans = diagnostics["plans"]
    assert len(plans) == kept <= 20
    paused = [c for plan in plans for c in plan["commands"] if c["action"] == "pause"]
    assert {"queue": "videoConversion", "action": "pause"} in [
        {"queue": c["queue"], "action": c["action"]} for c in paused
    ]
    # Each kept plan says why every managed queue was in its state.
    first_pause = next(plan for plan in plans if plan["commands"])
    assert first_pause["reasons"]["thumbnailGeneration"] == {
        "code": "slot",
        "slot": 1,
        "behind": [],
    }
    assert diagnostics["reasons"]["videoConversion"]["code"] == "idle"
