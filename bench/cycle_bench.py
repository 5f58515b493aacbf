"""Event-loop time of one coordinator cycle, network excluded (design target: well under 5 ms).

Run by `scripts/bench` through pytest (it needs Home Assistant's test harness), never by the
test suite: it measures, it does not assert a time. The integration runs for real (coordinator,
scheduler, every entity writing its state) against a client whose reads and commands answer at
once from the simulator's model, so only Home Assistant-side work is timed.
"""

from __future__ import annotations

import json
from pathlib import Path
import statistics
import time

from pytest_homeassistant_custom_component.common import MockConfigEntry

from bench.run import to_status
from custom_components.immich_jobs.immich import QueueStatus, Snapshot
from homeassistant.core import HomeAssistant
from simulator.server import SimulatedImmich

CYCLES = 300
HERE = Path(__file__).parent
RESULTS = HERE / "cycle.json"
BEGIN, END = "<!-- cycle:begin -->", "<!-- cycle:end -->"


async def test_cycle_time(
    hass: HomeAssistant, immich: SimulatedImmich, loaded_entry: MockConfigEntry
) -> None:
    """Time `CYCLES` cycles of an import in progress (reads, plans, commands, state writes)."""
    coordinator = loaded_entry.runtime_data
    model = immich.model
    model.upload(photos=2000, videos=40)

    async def read() -> Snapshot:
        return to_status(model.snapshot())

    async def command(name: str, paused: bool) -> QueueStatus:
        (model.pause if paused else model.resume)(name)
        return to_status({name: model.counts(name)})[name]

    coordinator.client.async_get_queues = read
    coordinator.client.async_set_paused = command

    durations: list[float] = []
    commands = 0
    for _ in range(CYCLES):
        model.advance(2)
        started = time.perf_counter()
        await coordinator.async_refresh()
        durations.append((time.perf_counter() - started) * 1000)
        commands += len(coordinator.last_plan.commands)
    entities = len(hass.states.async_all())
    cycle_ms = {
        "median": round(statistics.median(durations), 3),
        "p95": round(sorted(durations)[int(0.95 * len(durations))], 3),
        "max": round(max(durations), 3),
    }
    figures = {
        "cycles": CYCLES,
        "entities": entities,
        "commands_planned": commands,
        "cycle_ms": cycle_ms,
    }
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n")
    line = (
        f"One coordinator cycle, network excluded ({entities} entities, {CYCLES} cycles "
        f"of an import, {commands} commands planned): median "
        f"{cycle_ms['median']} ms, p95 {cycle_ms['p95']} ms, "
        f"max {cycle_ms['max']} ms of event-loop time."
    )
    print(f"\n{line}")  # noqa: T201
    readme = HERE / "README.md"
    text = readme.read_text()
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        readme.write_text(f"{head}{BEGIN}\n{line}\n{END}{rest.split(END, 1)[1]}")
