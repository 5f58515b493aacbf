"""Drive Home Assistant and the simulated Immich through faults in simulated time.

The harness also checks the invariants every reliability case asserts.

Both clocks move together and in big steps: the driver jumps straight to the coordinator's
next cycle (its current ``update_interval``), so an idle hour costs ~40 cycles, not 3600
one-second steps. A request the simulator holds (``hang``/``delay`` faults) is detected and
simulated time is moved on until the client's own 10 s timeout fires: no real waiting.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
import logging
import re
import socket
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from bench.run import to_status
from custom_components.immich_jobs.const import (
    CONF_POLL_INTERVAL,
    DEFAULT_POLL_INTERVAL,
)
from custom_components.immich_jobs.diagnostics import async_get_config_entry_diagnostics
from custom_components.immich_jobs.immich import ImmichClient, QueueStatus, Snapshot
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from simulator.server import SimulatedImmich

# Documented (README, design notes): after an outage, pauses wait 60 s.
GRACE_SECONDS = 60.0

# A key long and odd enough that finding it in a log line cannot be a coincidence.
SECRET = "immich-jobs-reliability-Qx7Tb2Vn9pLw4Rk8"
NEW_SECRET = "immich-jobs-reliability-new-Zc3Hs6Mq1Yd5"
SECRETS = (SECRET, NEW_SECRET)


@dataclass(frozen=True)
class ApiPath:
    """One way the integration talks to Immich: the release and the key decide it.

    ``read_permissions``/``command_permissions`` are what reading and pausing need on that
    path (taking them away is what the permission faults do).
    """

    id: str
    profile: str
    permissions: tuple[str, ...]
    read_permissions: tuple[str, ...]
    command_permissions: tuple[str, ...]
    read_endpoint: str
    command_endpoint: str

    @property
    def legacy(self) -> bool:
        """Tell whether reads and commands go through ``/api/jobs``."""
        return self.read_endpoint == "/api/jobs"


# Immich v2.4+ with a key that has every permission: GET /api/queues, PUT /api/queues/{name}.
QUEUES_PATH = ApiPath(
    id="queues",
    profile="v3.1",
    permissions=("all",),
    read_permissions=("job.read", "queue.read"),
    command_permissions=("job.create", "queue.update"),
    read_endpoint="/api/queues",
    command_endpoint="/api/queues/",
)
# Immich v1.137 (no /api/queues, fine-grained permissions) with the add-on's key: GET
# /api/jobs, PUT /api/jobs/{name} {"command": "pause"|"resume"} (also what v1.106-v2.3, and
# any release with a key lacking queue.read/queue.update, go through).
LEGACY_PATH = ApiPath(
    id="legacy",
    profile="v1.137",
    permissions=("job.read", "job.create"),
    read_permissions=("job.read",),
    command_permissions=("job.create",),
    read_endpoint="/api/jobs",
    command_endpoint="/api/jobs/",
)
API_PATHS = (QUEUES_PATH, LEGACY_PATH)

# What Home Assistant logs when an exception escaped the integration.
_UNHANDLED = re.compile(
    r"Unexpected|Error doing job|Task exception|Exception in callback|"
    r"Uncaught|Traceback|Error (setting up|unloading) entry",
)


# The simulated Immich's own web server logs a client that hung up on a held request.
_SIMULATOR_SIDE = ("aiohttp.server", "aiohttp.web", "aiohttp.access")


class FakeResolver:
    """DNS for the tests: listed names resolve, every other name fails like NXDOMAIN."""

    def __init__(self, hosts: dict[str, str] | None = None) -> None:
        """Map host names to addresses."""
        self.hosts = hosts or {}

    async def resolve(
        self, host: str, port: int = 0, family: int = socket.AF_INET
    ) -> list[dict[str, Any]]:
        """Resolve a listed name; fail like a resolver that does not know the name."""
        if host in self.hosts:
            return [
                {
                    "hostname": host,
                    "host": self.hosts[host],
                    "port": port,
                    "family": family,
                    "proto": 0,
                    "flags": socket.AI_NUMERICHOST,
                }
            ]
        raise OSError(socket.EAI_NONAME, f"Name or service not known: {host}")

    async def close(self) -> None:
        """Nothing to release."""

    async def real_close(self) -> None:
        """Nothing to release (HA 2026 shares one resolver and closes it at shutdown)."""


@dataclass
class ClientLog:
    """What the integration's clients did, in simulated time (shared by every client)."""

    immich: SimulatedImmich
    # ("read", ok) and ("command", "pause X"/"resume X"), each with the model time.
    events: list[tuple[float, str, str | bool]] = field(default_factory=list)
    sends: list[tuple[float, str, str]] = field(default_factory=list)
    in_flight: int = 0
    waiters_at_send: int = 0

    def _waiters(self) -> int:
        return len(self.immich.faults.released._waiters)  # type: ignore[attr-defined]

    def hanging(self) -> bool:
        """Tell whether a request of ours is held by the simulator (only time frees it)."""
        return self.in_flight > 0 and self._waiters() > self.waiters_at_send


class RecordingClient(ImmichClient):
    """The integration's client, noting every read, command and request it makes."""

    def __init__(self, *args: Any, log: ClientLog, **kwargs: Any) -> None:
        """Build the real client; share the log."""
        super().__init__(*args, **kwargs)
        self.log = log

    async def async_get_queues(self) -> Snapshot:
        """Read, and note whether the state is known after it."""
        try:
            snapshot = await super().async_get_queues()
        except BaseException:
            self.log.events.append((self.log.immich.model.now, "read", False))
            raise
        self.log.events.append((self.log.immich.model.now, "read", True))
        return snapshot

    async def async_set_paused(self, name: str, paused: bool) -> QueueStatus:
        """Note the command before sending it."""
        verb = "pause" if paused else "resume"
        self.log.events.append((self.log.immich.model.now, "command", f"{verb} {name}"))
        return await super().async_set_paused(name, paused)

    async def _send(self, method: str, path: str, payload: object | None, **kw: Any):  # type: ignore[no-untyped-def]
        self.log.sends.append((self.log.immich.model.now, method, path))
        self.log.in_flight += 1
        self.log.waiters_at_send = self.log._waiters()
        try:
            return await super()._send(method, path, payload, **kw)
        finally:
            self.log.in_flight -= 1


def assert_clean_log(caplog: pytest.LogCaptureFixture, outages: int = 1) -> list[str]:
    """No traceback or unhandled error; unavailability logged once; no key anywhere.

    Return the invariants checked.
    """
    fetch_errors = 0
    for record in caplog.records:
        text = record.getMessage()
        if record.exc_text:
            text += record.exc_text
        for secret in SECRETS:
            assert secret not in text, f"API key in log: {record.name}: {text[:200]}"
        if record.levelno >= logging.ERROR and not record.name.startswith(
            _SIMULATOR_SIDE
        ):
            assert record.exc_info is None, f"traceback logged: {text[:300]}"
            assert not _UNHANDLED.search(text), f"unhandled error: {text[:300]}"
            if text.startswith(
                ("Error fetching Immich (", "Error requesting Immich (")
            ):
                fetch_errors += 1
    assert fetch_errors <= outages, f"unavailability logged {fetch_errors} times"
    return [
        "no_unhandled_error_logged",
        "unavailability_logged_once",
        "api_key_never_logged",
    ]


def model_snapshot(immich: SimulatedImmich) -> Snapshot:
    """Return the simulator's real state, as the integration's client would parse it."""
    return to_status(immich.model.snapshot())


class Harness:
    """One running integration against one simulated Immich, with the invariant checks."""

    def __init__(
        self,
        hass: HomeAssistant,
        immich: SimulatedImmich,
        entry: MockConfigEntry,
        freezer: FrozenDateTimeFactory,
        caplog: pytest.LogCaptureFixture,
        log: ClientLog,
        path: ApiPath = QUEUES_PATH,
    ) -> None:
        """Keep the pieces; asyncio debug mode off (it costs half of every cycle)."""
        self.hass = hass
        self.path = path
        self.immich = immich
        self.entry = entry
        self.freezer = freezer
        self.caplog = caplog
        self.log = log
        self.checked: list[str] = []
        hass.loop.set_debug(False)

    # --- clocks ----------------------------------------------------------------------

    @property
    def coordinator(self) -> Any:
        """The entry's coordinator (a new one after a reload): for the driver only.

        The driver jumps to its next cycle and swaps its client; what a case checks is read
        from entities, diagnostics and the simulated Immich.
        """
        return self.entry.runtime_data

    @property
    def now(self) -> float:
        """Simulated time (seconds) of both clocks."""
        return self.immich.model.now

    @property
    def poll(self) -> float:
        """The configured poll interval."""
        return float(self.entry.options.get(CONF_POLL_INTERVAL, DEFAULT_POLL_INTERVAL))

    def _move(self, seconds: float) -> None:
        self.immich.model.advance(seconds)
        self.freezer.tick(timedelta(seconds=seconds))
        async_fire_time_changed(self.hass)

    async def settle(self) -> None:
        """Let every task finish; a request held by the simulator waits in simulated time."""
        waiter = asyncio.ensure_future(
            self.hass.async_block_till_done(wait_background_tasks=True)
        )
        spins = waited = 0
        while not waiter.done():
            await asyncio.sleep(0)
            spins += 1
            # Only time can free a held request (the client's timeout, a delayed answer).
            # Spins count turns of the event loop, not seconds: the simulator answers in
            # this same loop, so a request takes the same number of turns however slow
            # the machine (a request held alongside one that was answered is not seen as
            # held, so turns, not the count of requests out, decide).
            if self.log.hanging() or spins > 20000:
                self._move(1.0)
                spins = 0
                waited += 1
                assert waited < 3600, "Home Assistant stayed busy for an hour"
        await waiter

    async def tick(self, seconds: float) -> None:
        """Move both clocks and run whatever became due."""
        self._move(seconds)
        await self.settle()

    def next_step(self) -> float:
        """Seconds to the coordinator's next cycle (at least one)."""
        interval = self.coordinator.update_interval
        return max(1.0, interval.total_seconds() if interval else self.poll)

    async def advance(self, seconds: float) -> None:
        """Let `seconds` pass, jumping from one coordinator cycle to the next."""
        end = self.now + seconds
        while self.now < end - 1e-6:
            await self.tick(min(self.next_step(), end - self.now))

    async def advance_until(
        self, predicate: Callable[[], bool | Awaitable[bool]], limit: float
    ) -> float | None:
        """Advance until `predicate` holds; return the time it took, None past `limit`."""
        start = self.now
        while not await _holds(predicate):
            if self.now - start >= limit:
                return None
            await self.tick(min(self.next_step(), limit - (self.now - start) + 1e-3))
        return self.now - start

    # --- what the user sees ----------------------------------------------------------

    def entity_ids(self) -> list[str]:
        """Return the entry's enabled entities."""
        registry = er.async_get(self.hass)
        return [
            entity.entity_id
            for entity in er.async_entries_for_config_entry(
                registry, self.entry.entry_id
            )
            if entity.disabled_by is None
        ]

    def unavailable(self) -> set[str]:
        """Return the entry's entities that show "unavailable"."""
        return {
            entity_id
            for entity_id in self.entity_ids()
            if (state := self.hass.states.get(entity_id)) is None
            or state.state == STATE_UNAVAILABLE
        }

    def all_available(self) -> bool:
        """Every entity of the entry shows a value (none does while the last read failed)."""
        return self.entry.state is ConfigEntryState.LOADED and not self.unavailable()

    def queue_entities(self, key: str) -> dict[str, str]:
        """Return each managed queue's entity of one kind (`pending`, `status`) by queue.

        A queue entity's unique id is "<server>_queue_<Immich's queue name>_<kind>".
        """
        prefix, suffix = f"{self.entry.unique_id}_queue_", f"_{key}"
        return {
            entity.unique_id.removeprefix(prefix).removesuffix(suffix): entity.entity_id
            for entity in er.async_entries_for_config_entry(
                er.async_get(self.hass), self.entry.entry_id
            )
            if entity.unique_id.startswith(prefix) and entity.unique_id.endswith(suffix)
        }

    def pending_matches_immich(self) -> list[str]:
        """Return the managed queues whose pending sensor differs from Immich's count."""
        wrong = []
        for name, entity_id in self.queue_entities("pending").items():
            if (state := self.hass.states.get(entity_id)) is None:
                continue
            counts = self.immich.model.counts(name)
            if state.state != str(counts.waiting + counts.paused + counts.delayed):
                wrong.append(name)
        return wrong

    def managed(self) -> set[str]:
        """Return the queues the integration schedules: a status sensor, no rival's."""
        return {
            name
            for name in self.queue_entities("status")
            if self.status_reason(name) != "held_by_rival"
        }

    def managed_paused(self) -> set[str]:
        """Return the managed queues paused in Immich."""
        managed = self.managed()
        return {
            name
            for name, counts in self.immich.model.snapshot().items()
            if counts.is_paused and name in managed
        }

    def status(self, name: str) -> str | None:
        """Return a managed queue's status sensor, as the user sees it."""
        entity_id = self.queue_entities("status").get(name)
        state = self.hass.states.get(entity_id) if entity_id else None
        return state.state if state else None

    def status_reason(self, name: str) -> str | None:
        """Return why a managed queue is in its state, as its status sensor says."""
        entity_id = self.queue_entities("status").get(name)
        state = self.hass.states.get(entity_id) if entity_id else None
        return state.attributes.get("reason") if state else None

    async def owned(self) -> set[str]:
        """Return the queues the integration counts as its own, as its diagnostics say."""
        diagnostics = await async_get_config_entry_diagnostics(self.hass, self.entry)
        return set(diagnostics["memory"]["owned"])

    async def recovered(self) -> bool:
        """Tell whether the stated end state holds (one a user can check, not a replan).

        Entities show values; every queue the integration counts as its own is paused in
        Immich (ownership matches Immich); every managed queue paused in Immich shows why
        on its status sensor: held, queued (waiting for a slot), draining, or idle while
        another managed queue has work.
        """
        if not self.all_available():
            return False
        snapshot = self.immich.model.snapshot()
        if any(
            name in snapshot and not snapshot[name].is_paused
            for name in await self.owned()
        ):
            return False
        managed = self.managed()
        working = {
            name
            for name, counts in snapshot.items()
            if name in managed and counts.waiting + counts.paused + counts.active > 0
        }
        for name in self.managed_paused():
            status = self.status(name)
            if status in ("held", "queued", "draining"):
                continue
            if status == "idle" and working - {name}:
                continue
            return False
        return True

    # --- invariants ------------------------------------------------------------------

    def check(self, name: str) -> None:
        """Count one invariant as checked for this case."""
        self.checked.append(name)

    def assert_no_command_on_unknown_state(self, *, grace: bool = True) -> None:
        """Every pause/resume followed a successful read; no pause came in a grace period.

        Resumes may go in the grace period: they give back work we paused (a stall otherwise).
        """
        known = False
        recovered_at: float | None = None
        failed_before = False
        for time, kind, value in self.log.events:
            if kind == "read":
                if value and failed_before and recovered_at is None:
                    recovered_at = time
                if not value:
                    failed_before = True
                    recovered_at = None
                known = bool(value)
            else:
                assert known, (
                    f"{value} sent at t={time:.0f} while the state was unknown"
                )
                if (
                    grace
                    and recovered_at is not None
                    and str(value).startswith("pause")
                ):
                    assert time >= recovered_at + GRACE_SECONDS - 1e-6, (
                        f"{value} sent {time - recovered_at:.0f} s after an outage"
                    )
                    failed_before = False
                    recovered_at = None
        self.check("no_command_on_unknown_state")
        if grace:
            self.check("grace_period_after_outage")

    def assert_clean_log(self, outages: int = 1) -> None:
        """No traceback or unhandled error; unavailability logged once; no key anywhere."""
        self.checked.extend(assert_clean_log(self.caplog, outages))

    def sends_between(self, start: float, end: float, method: str | None = None) -> int:
        """Count the requests (of `method`, or all) the integration tried in [start, end)."""
        return sum(
            1
            for time, sent, _ in self.log.sends
            if start <= time < end and method in (None, sent)
        )

    def commands_between(self, start: float, end: float) -> int:
        """Count the pause/resume commands the integration tried in [start, end)."""
        return sum(
            1
            for time, kind, _ in self.log.events
            if kind == "command" and start <= time < end
        )


async def _holds(predicate: Callable[[], bool | Awaitable[bool]]) -> bool:
    """Evaluate a predicate that may have to ask (diagnostics) before it can answer."""
    result = predicate()
    return await result if isinstance(result, Awaitable) else result


def swap_client(harness: Harness, url: str) -> ImmichClient:
    """Point the running coordinator at another address; return the client it had."""
    coordinator = harness.coordinator
    previous: ImmichClient = coordinator.client
    coordinator.client = RecordingClient(
        async_get_clientsession(harness.hass), url, SECRET, log=harness.log
    )
    return previous
