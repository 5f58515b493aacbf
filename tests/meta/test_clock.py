"""No test reads real time: a busy machine must not change what a test sees."""

from __future__ import annotations

from pathlib import Path
import re

from pytest_homeassistant_custom_component.common import MockConfigEntry

from homeassistant.core import HomeAssistant

TESTS = Path(__file__).parents[1]

# Reading or waiting on the wall clock: the calls themselves, and imports of them.
REAL_TIME = re.compile(
    r"\btime\.(sleep|monotonic|time|perf_counter|process_time)(_ns)?\("
    r"|\bfrom time import\b"
    r"|\bdatetime\.(now|utcnow|today)\("
    r"|\basyncio\.sleep\((?!0\))"
    r"|\bloop\.time\("
)


def test_no_test_reads_the_wall_clock() -> None:
    """Every test drives time with the test clock (freezer) or the simulator's own."""
    found = [
        f"{path.relative_to(TESTS)}:{number}: {line.strip()}"
        for path in sorted(TESTS.rglob("*.py"))
        # timers.py fires the loop's due timers: it reads the loop's clock to know which
        # are due, and never waits on it.
        if path not in (Path(__file__), TESTS / "timers.py")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if REAL_TIME.search(line)
    ]
    assert found == []


def test_the_pattern_finds_real_time() -> None:
    """The check above would catch each way a test could read or wait on real time."""
    caught = [
        "time.sleep(0.1)",
        "start = time.monotonic()",
        "time.perf_counter_ns()",
        "from time import monotonic",
        "datetime.now(UTC)",
        "await asyncio.sleep(0.05)",
        "hass.loop.time()",
    ]
    allowed = ["await asyncio.sleep(0)", "freezer.tick(timedelta(seconds=5))"]
    assert [line for line in caught if not REAL_TIME.search(line)] == []
    assert [line for line in allowed if REAL_TIME.search(line)] == []


async def test_home_assistant_tests_run_on_a_stopped_clock(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """However long the machine takes, the integration's clock does not move by itself."""
    clock = loaded_entry.runtime_data.clock
    before = clock()
    # Work that takes real time on any machine (no sleep: CPU only).
    total = sum(i * i for i in range(300_000))
    await hass.async_block_till_done()
    assert total > 0
    assert clock() == before
