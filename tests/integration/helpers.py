"""Drive Home Assistant's clock and the simulated Immich's clock together."""

from __future__ import annotations

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from homeassistant.core import HomeAssistant
from simulator.server import SimulatedImmich


async def run_for(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    immich: SimulatedImmich,
    seconds: float,
    step: float = 1.0,
) -> None:
    """Let `seconds` pass on both clocks, firing whatever Home Assistant scheduled."""
    elapsed = 0.0
    while elapsed < seconds:
        immich.model.advance(step)
        freezer.tick(timedelta(seconds=step))
        async_fire_time_changed(hass)
        # The coordinator's cycles run as background tasks: let them finish at this time.
        await hass.async_block_till_done(wait_background_tasks=True)
        elapsed += step


def paused_queues(immich: SimulatedImmich) -> set[str]:
    """Return the queues paused in the simulated Immich."""
    return {
        name for name, counts in immich.model.snapshot().items() if counts.is_paused
    }


def commands(immich: SimulatedImmich) -> list[str]:
    """Return the pause/resume requests Immich received, as 'METHOD path'."""
    return [
        f"{record.method} {record.path}"
        for record in immich.requests
        if record.method == "PUT"
    ]
