"""Why is this queue waiting? The status sensor's attributes, as a user and an automation read them.

Each test drives the real Home Assistant and the simulated Immich, and reads the attributes a
dashboard shows and a template uses: `reason` (translated by the frontend), `slot` of `slots`,
`waits_behind` (Immich's queue names), `held_by` (what holds it, by the name a user reads),
`held_by_entity_id`, `held_until` and `run_now`.
"""

from __future__ import annotations

from typing import Any

import pytest

from custom_components.immich_jobs.const import DOMAIN
from custom_components.immich_jobs.engine.reasons import Reason
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.translation import async_get_translations
from simulator.faults import Fault, another_controller
from simulator.server import SimulatedImmich

from .setups import Home, home_fixture  # noqa: F401

VIDEO = "videoConversion"
THUMBNAILS = "thumbnailGeneration"
PREFIX = "sensor.immich_127_0_0_1"
VIDEO_SWITCH = "switch.immich_127_0_0_1_video_conversion_allowed"
VIDEO_RUN_NOW = "button.immich_127_0_0_1_video_conversion_run_now"
LIMIT = "number.immich_127_0_0_1_max_concurrent_queues"
PAUSED_UNTIL = "sensor.immich_127_0_0_1_processing_paused_until"


def _status(hass: HomeAssistant, queue: str) -> tuple[str, dict[str, Any]]:
    state = hass.states.get(f"{PREFIX}_{queue}_status")
    assert state is not None, queue
    return state.state, dict(state.attributes)


def _why(hass: HomeAssistant, queue: str) -> dict[str, Any]:
    """Return the status's own attributes, not Home Assistant's (name, device class, options)."""
    _, attributes = _status(hass, queue)
    keys = (
        "reason",
        "slot",
        "slots",
        "waits_behind",
        "held_by",
        "held_by_entity_id",
        "held_until",
        "run_now",
    )
    assert None not in (attributes.get(key, "absent") for key in keys[1:]), (
        "what does not apply is left out, not shown as Unknown"
    )
    return {key: attributes.get(key) for key in keys}


def _work(immich: SimulatedImmich) -> None:
    """Thumbnails (more important) and videos, both with a backlog: one slot for two."""
    immich.model.enqueue(THUMBNAILS, 30, duration=10)
    immich.model.enqueue(VIDEO, 3, kind="video", duration=20)


def _run_now(hass: HomeAssistant) -> set[str]:
    """Return the queues whose status sensor says they run now (as in their entity ids)."""
    return {
        state.entity_id.removeprefix(f"{PREFIX}_").removesuffix("_status")
        for state in hass.states.async_all("sensor")
        if state.entity_id.endswith("_status") and state.attributes.get("run_now")
    }


NOTHING = {
    "slot": None,
    "slots": None,
    "waits_behind": None,
    "held_by": None,
    "held_by_entity_id": None,
    "held_until": None,
    "run_now": False,
}
HELD_BY_THE_LIMIT = {
    "held_by": "Immich (127.0.0.1) Max concurrent queues",
    "held_by_entity_id": LIMIT,
}


@pytest.fixture
async def working(home: Home) -> Home:
    """Return the home set up with one slot for thumbnails and videos (see _work)."""
    _work(home.immich)
    await home.set_up_one_slot()
    return home


async def test_the_slot_holder_and_the_queue_waiting_behind_it(working: Home) -> None:
    """One slot: thumbnails hold slot 1 of 1, the videos wait behind them, the switch holds."""
    hass = working.hass
    assert _status(hass, "thumbnail_generation")[0] == "running"
    assert _why(hass, "thumbnail_generation") == NOTHING | {
        "reason": "slot",
        "slot": 1,
        "slots": 1,
    }
    # Paused, its first transcode still running.
    assert _status(hass, "video_conversion")[0] == "draining"
    assert _why(hass, "video_conversion") == NOTHING | {
        "reason": "waits_for_slot",
        "waits_behind": [THUMBNAILS],
    }
    assert _why(hass, "smart_search") == NOTHING | {"reason": "no_work"}

    await working.switch("turn_off", VIDEO_SWITCH)
    assert _status(hass, "video_conversion")[0] == "held"
    assert _why(hass, "video_conversion") == NOTHING | {
        "reason": "held_by_switch",
        "held_by": "Immich (127.0.0.1) Video conversion allowed",
        "held_by_entity_id": VIDEO_SWITCH,
    }


async def test_run_now_shows_and_can_be_cancelled(working: Home) -> None:
    """Run now takes the slot and says so; cancel_run_now hands the queue back at once."""
    hass = working.hass
    await working.call("button", "press", VIDEO_RUN_NOW)

    assert _status(hass, "video_conversion")[0] == "running"
    assert _why(hass, "video_conversion") == NOTHING | {
        "reason": "run_now",
        "slot": 1,
        "slots": 1,
        "run_now": True,
    }
    assert _why(hass, "thumbnail_generation") == NOTHING | {
        "reason": "run_now_of_other",
        "waits_behind": [VIDEO],
    }
    await working.run_for(12)
    assert _why(hass, "video_conversion")["run_now"] is True

    await working.act("cancel_run_now", queue="video_conversion")
    assert VIDEO in working.paused()
    assert _why(hass, "video_conversion")["reason"] == "waits_for_slot"
    assert _why(hass, "video_conversion")["run_now"] is False
    # The thumbnails have the slot back once the transcode under way has finished.
    assert _why(hass, "thumbnail_generation") == NOTHING | {
        "reason": "waits_for_draining",
        "waits_behind": [VIDEO],
    }
    assert _run_now(hass) == set()


async def test_cancel_run_now_of_every_queue_and_of_none(home: Home) -> None:
    """Without a queue every run-now queue is cancelled; with none run now, nothing changes."""
    _work(home.immich)
    # Work for smart search too: run now ends by itself on a queue that has none.
    home.immich.model.enqueue("smartSearch", 30, duration=10)
    await home.set_up_one_slot()
    await home.act("cancel_run_now")
    assert _why(home.hass, "thumbnail_generation")["reason"] == "slot"

    await home.call("button", "press", VIDEO_RUN_NOW)
    await home.call("button", "press", "button.immich_127_0_0_1_smart_search_run_now")
    assert _run_now(home.hass) == {"video_conversion", "smart_search"}
    await home.act("cancel_run_now")
    assert _run_now(home.hass) == set()
    assert VIDEO in home.paused()


async def test_cancel_run_now_of_an_unknown_queue_is_refused(working: Home) -> None:
    """A queue the server does not have is named in a translated error; nothing changes."""
    await working.call("button", "press", VIDEO_RUN_NOW)
    with pytest.raises(ServiceValidationError) as err:
        await working.act("cancel_run_now", queue="thumbnails")
    assert err.value.translation_key == "unknown_queue"
    assert _run_now(working.hass) == {"video_conversion"}


async def test_a_queue_run_now_runs_while_the_limit_is_zero(working: Home) -> None:
    """With the limit at 0 everything is held by the limit, except the queue run now."""
    hass = working.hass
    await working.call("number", "set_value", LIMIT, value=0)
    await working.call("button", "press", VIDEO_RUN_NOW)

    assert VIDEO not in working.paused()
    assert _status(hass, "video_conversion")[0] == "running"
    assert _why(hass, "video_conversion") == NOTHING | {
        "reason": "run_now",
        "run_now": True,
    }
    assert _why(hass, "thumbnail_generation") == NOTHING | {
        "reason": "limit_zero",
        **HELD_BY_THE_LIMIT,
    }


async def test_a_timed_pause_shows_its_end_and_resume_gives_the_limit_back(
    home: Home,
) -> None:
    """Paused until 12:30: the sensor and every status say so; resume_processing ends it."""
    hass = home.hass
    home.freezer.move_to("2026-12-01T12:00:00+00:00")
    _work(home.immich)
    await home.set_up_one_slot(max_running=2)
    assert home.state(PAUSED_UNTIL).state == "unknown"

    await home.act("pause_processing", duration={"minutes": 30})
    assert home.state(PAUSED_UNTIL).state == "2026-12-01T12:30:00+00:00"
    assert home.state(LIMIT).state == "0"
    assert _why(hass, "thumbnail_generation") == NOTHING | {
        "reason": "paused_until",
        **HELD_BY_THE_LIMIT,
        "held_until": "2026-12-01T12:30:00+00:00",
    }
    await home.run_for(60)
    assert {THUMBNAILS, VIDEO} <= home.paused()

    await home.act("resume_processing")
    assert home.state(LIMIT).state == "2"
    assert home.state(PAUSED_UNTIL).state == "unknown"
    assert _why(hass, "thumbnail_generation")["reason"] == "slot"
    assert not {THUMBNAILS, VIDEO} & home.paused()

    # Nothing to resume: the limit stays as it is.
    await home.act("resume_processing")
    assert home.state(LIMIT).state == "2"


async def test_resume_ends_an_untimed_pause_too(working: Home) -> None:
    """A pause without a duration has no end to show, and resume still gives the limit back."""
    await working.call("number", "set_value", LIMIT, value=3)
    await working.act("pause_processing")
    assert working.state(PAUSED_UNTIL).state == "unknown"
    assert _why(working.hass, "video_conversion")["reason"] == "limit_zero"

    # Across a restart of the entry, the limit to give back is kept.
    await working.reload()
    await working.act("resume_processing")
    assert working.state(LIMIT).state == "3"


async def test_a_pause_held_back_by_the_grace_period_shows_the_queue_running(
    home: Home,
) -> None:
    """Immich has just come back: the videos' pause waits, and their status says why."""
    hass, immich = home.hass, home.immich
    await home.set_up_one_slot()
    immich.restart(downtime=45)
    await home.run_for(60)
    # Back for 15 s: the 60 s grace period has 45 s to go.
    assert _status(hass, "video_conversion")[0] != "unavailable"
    immich.model.enqueue(VIDEO, 10, kind="video", duration=20)
    # 50 thumbnails: fewer than a big backup's, so the quiet period holds nothing.
    immich.model.enqueue(THUMBNAILS, 50, duration=5)
    await home.run_for(20)

    assert VIDEO not in home.paused()
    assert _status(hass, "video_conversion")[0] == "running"
    assert _why(hass, "video_conversion") == NOTHING | {
        "reason": "grace_period",
        "waits_behind": [THUMBNAILS],
    }
    await home.run_for(60)
    assert VIDEO in home.paused()
    assert _why(hass, "video_conversion")["reason"] == "waits_for_slot"


async def test_a_failed_command_shows_what_immich_has_and_that_it_is_retried(
    home: Home,
) -> None:
    """Immich fails the videos' pause: they run on, and their status says so."""
    _work(home.immich)
    home.immich.faults.add(Fault(kind="html", status=502, scope="commands", count=None))
    await home.set_up_one_slot()

    assert VIDEO not in home.paused()
    assert _status(home.hass, "video_conversion")[0] == "running"
    assert _why(home.hass, "video_conversion")["reason"] == "retrying"


async def test_a_contested_queue_has_a_real_state_and_says_why(home: Home) -> None:
    """Another controller keeps resuming the videos: left alone, shown running, not unknown."""
    immich = home.immich
    immich.model.enqueue(THUMBNAILS, 200, duration=5)
    immich.model.enqueue(VIDEO, 20, kind="video", duration=20)
    await home.set_up_one_slot()
    another_controller(
        immich.model, [VIDEO], paused=False, start=immich.model.now + 1, every=12,
        until=immich.model.now + 600,
    )  # fmt: skip
    await home.run_for(120)

    assert _status(home.hass, "video_conversion")[0] == "running"
    assert _why(home.hass, "video_conversion") == NOTHING | {"reason": "held_by_rival"}


async def test_every_reason_reads_in_words(hass: HomeAssistant) -> None:
    """The frontend translates the reason: each code has short words, the same in both places.

    Short enough for a phone's tile ("Held · " before them), and none repeats its state.
    """
    translations = await async_get_translations(hass, "en", "entity", {DOMAIN})
    key = f"component.{DOMAIN}.entity.sensor.status.state_attributes.reason.state"
    words = {code: translations.get(f"{key}.{code}") for code in Reason}
    assert all(words.values()), words
    assert words[Reason.WAITS_FOR_SLOT] == "Waits: others have the slots"
    assert words[Reason.PAUSED_UNTIL] == "Processing paused for a while"
    assert words[Reason.UPLOADS_ARRIVING] == "Uploads arriving (heavy queue)"
    assert words[Reason.IDLE] == "Nothing to do anywhere"
    assert max(len(text) for text in words.values() if text) <= 30
    assert not [text for text in words.values() if text and text.startswith("Held")]
    sensor = f"component.{DOMAIN}.entity.sensor.reason.state"
    assert {code: translations.get(f"{sensor}.{code}") for code in Reason} == words
    assert (
        translations[
            f"component.{DOMAIN}.entity.sensor.status.state_attributes.waits_behind.name"
        ]
        == "Waits behind"
    )
