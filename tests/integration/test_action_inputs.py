"""What actions accept: Immich's own queues refused, queues in words, the only server implied.

Home Assistant shows a translated error without its final full stop.
"""

from __future__ import annotations

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.immich_jobs.const import DOMAIN
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from simulator.server import SimulatedImmich

from .helpers import setup_one_slot

# Every queue a simulated Immich v3.1 has that an action may name, by its name in words.
QUEUES_IN_WORDS = (
    "Duplicate detection, External libraries, Face detection, Facial recognition, "
    "Metadata extraction, Migration, OCR, Sidecar metadata, Smart search, "
    "Storage template migration, Thumbnail generation, Video conversion"
)


async def _call(hass: HomeAssistant, service: str, **data: object) -> None:
    await hass.services.async_call(DOMAIN, service, data, blocking=True)


@pytest.mark.parametrize("service", ["start_queue", "clear_failed"])
@pytest.mark.parametrize("queue", ["backup_database", "backupDatabase"])
async def test_immich_own_queue_is_refused(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    config_entry: MockConfigEntry,
    service: str,
    queue: str,
) -> None:
    """The database backup is Immich's own: refused in words, nothing sent to Immich."""
    await setup_one_slot(hass, config_entry)

    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, service, queue=queue)

    assert err.value.translation_key == "internal_queue"
    assert str(err.value) == (
        "Backup database is Immich's own queue: "
        "Immich Jobs never starts, pauses or clears it"
    )
    assert [r.path for r in immich.requests if "backupDatabase" in r.path] == []


async def test_unknown_queue_lists_the_queues_in_words(
    hass: HomeAssistant, immich: SimulatedImmich, config_entry: MockConfigEntry
) -> None:
    """The error names the queues as Immich's page does, without Immich's own ones."""
    await setup_one_slot(hass, config_entry)

    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "start_queue", queue="thumbnails")

    assert str(err.value) == (
        f"Immich has no queue named thumbnails. Its queues are: {QUEUES_IN_WORDS}"
    )


async def test_the_only_server_is_implied(
    hass: HomeAssistant, immich: SimulatedImmich, config_entry: MockConfigEntry
) -> None:
    """With one server set up, an action without a server acts on it."""
    await setup_one_slot(hass, config_entry)

    await _call(hass, "start_queue", queue="smart_search")

    assert immich.count("PUT", "/api/jobs/smartSearch") == 1


async def test_several_servers_ask_to_choose(
    hass: HomeAssistant, immich: SimulatedImmich, config_entry: MockConfigEntry
) -> None:
    """With two servers set up, an action without a server names them and does nothing."""
    await setup_one_slot(hass, config_entry)
    MockConfigEntry(domain=DOMAIN, title="Immich (NAS)").add_to_hass(hass)

    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "start_queue", queue="smart_search")

    assert err.value.translation_key == "choose_server"
    assert str(err.value) == (
        "Several Immich servers are set up: choose one (Immich (127.0.0.1), Immich (NAS))"
    )
    assert immich.count("PUT", "/api/jobs/smartSearch") == 0
