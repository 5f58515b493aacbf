"""Fixtures of the reliability suite: recording clients, fake DNS, the harness, the results.

Every case that passes records what it checked; at the end of the session the results go to
``.cache/reliability/results.json`` (git-ignored), which ``scripts/reliability_summary``
turns into the figures of docs/development.md.
"""

from __future__ import annotations

from collections.abc import Generator
import json
from pathlib import Path
from typing import Any
from unittest.mock import patch

from aiohttp import DummyCookieJar
from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_create_clientsession
from simulator.server import SimulatedImmich

from .harness import (
    QUEUES_PATH,
    SECRET,
    ApiPath,
    ClientLog,
    FakeResolver,
    Harness,
    RecordingClient,
)

RESULTS = Path(__file__).parents[2] / ".cache" / "reliability" / "results.json"


class Results:
    """What the suite checked, case by case (only passing cases are recorded)."""

    def __init__(self) -> None:
        """Start empty."""
        # What pytest measured of each reliability test (the tests read no clock).
        self.seconds = 0.0
        self.entries: list[dict[str, Any]] = []

    def record(self, kind: str, case: str, checked: list[str], **data: Any) -> None:
        """Keep one passing case."""
        self.entries.append(
            {"kind": kind, "case": case, "invariants": sorted(set(checked)), **data}
        )

    def write(self) -> None:
        """Write the JSON the summary script reads."""
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "duration_s": round(self.seconds, 1),
            "entries": self.entries,
        }
        RESULTS.write_text(json.dumps(payload, indent=1, sort_keys=True))


_RESULTS = Results()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Add each reliability test's set-up, call and teardown time to the suite's run time."""
    if report.nodeid.startswith("tests/reliability/"):
        _RESULTS.seconds += report.duration


@pytest.fixture(scope="session")
def results() -> Generator[Results]:
    """Collect the suite's results; write them when the session ends."""
    collected = _RESULTS
    yield collected
    if collected.entries:
        collected.write()


@pytest.fixture(autouse=True)
def fake_dns() -> Generator[FakeResolver]:
    """Resolve names without the network: `immich.test` is the simulator's host."""
    resolver = FakeResolver({"immich.test": "127.0.0.1"})
    with patch(
        "homeassistant.helpers.aiohttp_client._async_make_resolver",
        return_value=resolver,
    ):
        yield resolver


@pytest.fixture
def client_log(immich: SimulatedImmich) -> Generator[ClientLog]:
    """Make the integration's clients record what they do."""
    log = ClientLog(immich)

    def create_client(
        hass: HomeAssistant, url: str, api_key: str, verify_ssl: bool
    ) -> RecordingClient:
        session = async_create_clientsession(
            hass, verify_ssl=verify_ssl, cookie_jar=DummyCookieJar()
        )
        return RecordingClient(session, url, api_key, log=log)

    with patch(
        "custom_components.immich_jobs.runtime.client.create_client", create_client
    ):
        yield log


@pytest.fixture
def api_path() -> ApiPath:
    """Return the API path under test (parametrize with ``API_PATHS`` to change it)."""
    return QUEUES_PATH


@pytest.fixture
def immich_profile(api_path: ApiPath) -> str:
    """Simulate the Immich release of the API path under test."""
    return api_path.profile


@pytest.fixture
def api_key(immich: SimulatedImmich, api_path: ApiPath) -> str:
    """Return an admin key only the reliability suite uses, with the path's permissions."""
    immich.add_key(SECRET, name="reliability", permissions=list(api_path.permissions))
    return SECRET


@pytest.fixture
def config_entry(config_entry: MockConfigEntry) -> MockConfigEntry:
    """Return the entry with the quiet period off.

    The suite's import would start the quiet period at its first read and hold the heavy
    queues through every case: the faults are met by the scheduler's own commands here; the
    quiet period has its own tests (tests/integration/test_house.py).
    """
    return MockConfigEntry(
        domain=config_entry.domain,
        title=config_entry.title,
        unique_id=config_entry.unique_id,
        data=config_entry.data,
        options={"upload_quiet": False},
    )


@pytest.fixture
async def harness(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    client_log: ClientLog,
    loaded_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    freezer: FrozenDateTimeFactory,
    api_path: ApiPath,
) -> Harness:
    """Return a loaded entry with both clocks in hand and debug logs captured."""
    caplog.set_level("DEBUG", logger="custom_components.immich_jobs")
    harness = Harness(hass, immich, loaded_entry, freezer, caplog, client_log, api_path)
    # Set-up leaves a refresh in flight: let it end before time jumps.
    await harness.settle()
    return harness
