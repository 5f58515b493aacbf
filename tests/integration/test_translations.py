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
    """A German system names the entities in German (Home Assistant derives their ids from it).

    A queue's name, a placeholder in the entity's name, is German too.
    """
    hass.config.language = "de"
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()

    names = {
        entity_id: state.name if (state := hass.states.get(entity_id)) else None
        for entity_id in (
            "sensor.immich_127_0_0_1_ausstehende_aufgaben",
            "sensor.immich_127_0_0_1_intelligente_suche_status",
            "switch.immich_127_0_0_1_video_transkodierung_erlaubt",
            "number.immich_127_0_0_1_max_gleichzeitige_warteschlangen",
        )
    }
    assert list(names.values()) == [
        "Immich (127.0.0.1) Ausstehende Aufgaben",
        "Immich (127.0.0.1) Intelligente Suche Status",
        "Immich (127.0.0.1) Video-Transkodierung erlaubt",
        "Immich (127.0.0.1) Max. gleichzeitige Warteschlangen",
    ]


# What the frontend shows from these strings, by their key (its first word: the category).
GERMAN = {
    # A queue's status and its reason.
    "entity.sensor.status.state.running": "Läuft",
    "entity.sensor.status.state.held": "Angehalten",
    "entity.sensor.status.state_attributes.reason.state.waits_for_slot": (
        "Wartet: Andere belegen die Plätze"
    ),
    # The set-up form, with Home Assistant's own words for the usual fields.
    "config.step.user.title": "Mit Immich verbinden",
    "config.step.user.data.api_key": "API-Schlüssel",
    "config.step.user.data.verify_ssl": "SSL-Zertifikat überprüfen",
    "options.step.init.data.max_running": "Max. gleichzeitige Warteschlangen",
}


@pytest.mark.parametrize(("key", "german"), GERMAN.items())
async def test_the_frontend_words_in_german(
    hass: HomeAssistant, key: str, german: str
) -> None:
    """The frontend shows states, reasons and forms from these strings."""
    category = key.split(".")[0]
    translations = await async_get_translations(hass, "de", category, {DOMAIN})
    assert translations[f"component.{DOMAIN}.{key}"] == german


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
