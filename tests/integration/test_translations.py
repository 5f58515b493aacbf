"""Home Assistant loads the German translation: names, states, forms and errors in German."""

from __future__ import annotations

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.immich_jobs.const import DOMAIN
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.translation import async_get_translations
from simulator.server import SimulatedImmich


async def test_entity_names_in_german(
    hass: HomeAssistant, immich: SimulatedImmich, config_entry: MockConfigEntry
) -> None:
    """A German system names the entities in German (Home Assistant derives their ids from it)."""
    hass.config.language = "de"
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()

    pending = hass.states.get("sensor.immich_127_0_0_1_ausstehende_aufgaben")
    assert pending is not None
    assert (
        pending.attributes["friendly_name"] == "Immich (127.0.0.1) Ausstehende Aufgaben"
    )
    # The queue's name, a placeholder in the entity's name, is German too.
    status = hass.states.get("sensor.immich_127_0_0_1_intelligente_suche_status")
    assert status is not None
    assert (
        status.attributes["friendly_name"]
        == "Immich (127.0.0.1) Intelligente Suche Status"
    )
    allowed = hass.states.get("switch.immich_127_0_0_1_video_transkodierung_erlaubt")
    assert allowed is not None
    assert allowed.attributes["friendly_name"] == (
        "Immich (127.0.0.1) Video-Transkodierung erlaubt"
    )
    limit = hass.states.get("number.immich_127_0_0_1_max_gleichzeitige_warteschlangen")
    assert limit is not None
    assert (
        limit.attributes["friendly_name"]
        == "Immich (127.0.0.1) Max. gleichzeitige Warteschlangen"
    )


async def test_states_and_reasons_in_german(hass: HomeAssistant) -> None:
    """The frontend shows a queue's status and its reason from these strings."""
    entity = await async_get_translations(hass, "de", "entity", {DOMAIN})
    status = f"component.{DOMAIN}.entity.sensor.status"
    assert entity[f"{status}.state.running"] == "Läuft"
    assert entity[f"{status}.state.held"] == "Angehalten"
    assert (
        entity[f"{status}.state_attributes.reason.state.waits_for_slot"]
        == "Wartet: Wichtigere Warteschlangen belegen die Plätze"
    )


async def test_config_flow_in_german(hass: HomeAssistant) -> None:
    """The set-up form speaks German, with Home Assistant's own words for the usual fields."""
    config = await async_get_translations(hass, "de", "config", {DOMAIN})
    user = f"component.{DOMAIN}.config.step.user"
    assert config[f"{user}.title"] == "Mit Immich verbinden"
    assert config[f"{user}.data.api_key"] == "API-Schlüssel"
    assert config[f"{user}.data.verify_ssl"] == "SSL-Zertifikat überprüfen"
    options = await async_get_translations(hass, "de", "options", {DOMAIN})
    assert (
        options[f"component.{DOMAIN}.options.step.init.data.max_running"]
        == "Max. gleichzeitige Warteschlangen"
    )


async def test_action_error_in_german(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """The frontend words a refused action from the error's key: German for a German user."""
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "pause_processing",
            {"config_entry_id": "nonexistent"},
            blocking=True,
        )
    assert err.value.translation_domain == DOMAIN
    exceptions = await async_get_translations(hass, "de", "exceptions", {DOMAIN})
    message = exceptions[
        f"component.{DOMAIN}.exceptions.{err.value.translation_key}.message"
    ]
    assert message.format(**(err.value.translation_placeholders or {})) == (
        "Es gibt keinen Immich Jobs-Server mit der ID nonexistent."
    )
