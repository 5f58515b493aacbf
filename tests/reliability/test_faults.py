"""The fault matrix: every failure injected while a schedule is running, every invariant checked.

Every case runs on both API paths (``harness.API_PATHS``): ``queues`` (Immich v3.1, a key with
every permission: ``GET /api/queues``, ``PUT /api/queues/{name}``) and ``legacy`` (Immich
v1.137 with the add-on's ``job.read`` + ``job.create`` key: ``GET /api/jobs``, ``PUT
/api/jobs/{name}``); a case the legacy release cannot have is skipped there, with its reason.

Each case starts an import (videos and photos) so the scheduler is commanding queues, injects
its fault for two minutes of simulated time (more work arrives meanwhile), then ends it and
checks, in this order:

- during the fault: entities unavailable when the state is unknown, or available and showing
  Immich's counts when only commands fail; requests stay bounded (no retry storm);
- after it: data back within two poll intervals; Immich's pause state equal to the plan within
  two poll intervals after the grace period (outages) or the back-off (refused commands); the
  import then drains and no managed queue is left paused;
- throughout: no pause/resume while the state was unknown or within the grace period after an
  outage, no traceback or unhandled error in the log, unavailability logged once, the API key
  in no log record.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
import json
from typing import Any, Literal
from unittest.mock import patch

import pytest

from custom_components.immich_jobs.const import DOMAIN
from custom_components.immich_jobs.entity import queue_of_unique_id
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.const import CONF_API_KEY
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from simulator.faults import Fault, another_controller
from simulator.model import _Queue
from simulator.server import SimulatedImmich

from .conftest import Results
from .harness import (
    API_PATHS,
    GRACE_SECONDS,
    NEW_SECRET,
    SECRET,
    ApiPath,
    Harness,
    swap_client,
)

FAULT_SECONDS = 120.0
VIDEO = "videoConversion"
# The managed queue that vanishes from the listing: ocr (v2.2+) where it exists.
VANISHING = {"queues": "ocr", "legacy": "smartSearch"}
NEW_QUEUE = "smartAlbums"

type Expect = Literal["unavailable", "available", "queue_gone"]
type Step = Callable[[Harness, dict[str, Any]], Awaitable[None]]


async def _nothing(h: Harness, ctx: dict[str, Any]) -> None:
    """No action needed."""


@dataclass(frozen=True)
class Case:
    """One fault: how to start and end it, and what the user should see meanwhile."""

    id: str
    group: str
    start: Step
    stop: Step = _nothing
    expect: Expect = "unavailable"
    # What the integration waits for after the fault before commanding again.
    wait: Literal["none", "grace", "backoff", "permission", "reload"] = "grace"
    duration: float = FAULT_SECONDS
    needs_commands: bool = False
    issue: str | None = None
    # Why the case cannot happen on the legacy path's release (then it is skipped there).
    not_on_legacy: str | None = None
    notes: dict[str, Any] = field(default_factory=dict)


def _fault(**kwargs: Any) -> Step:
    async def start(h: Harness, ctx: dict[str, Any]) -> None:
        ctx["fault"] = h.immich.faults.add(Fault(count=None, **kwargs))

    return start


async def _clear(h: Harness, ctx: dict[str, Any]) -> None:
    h.immich.faults.clear()


def _read_body(**change: Any) -> Step:
    """Answer the queue read with 200 and Immich's real body, altered.

    The body has the shape of the path's read: ``GET /api/queues`` (a list of queue objects,
    counts in ``statistics``) or ``GET /api/jobs`` (an object by queue name, counts in
    ``jobCounts``).
    """

    async def start(h: Harness, ctx: dict[str, Any]) -> None:
        immich = h.immich
        body: Any
        if h.path.legacy:
            body = {name: immich._legacy(name) for name in immich._listed_queues()}
            counts = body["thumbnailGeneration"]["jobCounts"]
        else:
            body = [immich._queue_obj(name) for name in immich._listed_queues()]
            counts = next(
                queue["statistics"]
                for queue in body
                if queue["name"] == "thumbnailGeneration"
            )
        counts.update(change)
        for key, value in change.items():
            if value is None:
                del counts[key]
        ctx["fault"] = h.immich.faults.add(
            Fault(
                kind="wrong_shape",
                path_prefix=h.path.read_endpoint,
                method="GET",
                count=None,
                body=json.dumps(body),
            )
        )

    return start


def _swap(url: Callable[[SimulatedImmich], str]) -> tuple[Step, Step]:
    async def start(h: Harness, ctx: dict[str, Any]) -> None:
        ctx["client"] = swap_client(h, url(h.immich))

    async def stop(h: Harness, ctx: dict[str, Any]) -> None:
        h.coordinator.client = ctx["client"]

    return start, stop


async def _server_down(h: Harness, ctx: dict[str, Any]) -> None:
    ctx["port"] = int(h.immich.url.rsplit(":", 1)[1])
    await h.immich.stop()


async def _server_up(h: Harness, ctx: dict[str, Any]) -> None:
    await h.immich.start(port=ctx["port"])


async def _restart(h: Harness, ctx: dict[str, Any]) -> None:
    h.immich.restart(downtime=FAULT_SECONDS + 5)


async def _booted(h: Harness, ctx: dict[str, Any]) -> None:
    assert await h.advance_until(lambda: not h.immich.model.is_down, 30) is not None


async def _maintenance_on(h: Harness, ctx: dict[str, Any]) -> None:
    h.immich.set_maintenance(True)


async def _maintenance_off(h: Harness, ctx: dict[str, Any]) -> None:
    h.immich.set_maintenance(False)


def _listing(
    change: Callable[[Harness, list[str]], list[str]],
) -> tuple[Step, Step]:
    """Change the queues Immich lists (in both ``GET /api/jobs`` and ``GET /api/queues``)."""

    async def start(h: Harness, ctx: dict[str, Any]) -> None:
        real = h.immich._listed_queues
        ctx["patch"] = patch.object(
            h.immich, "_listed_queues", lambda: change(h, real())
        )
        ctx["patch"].start()

    async def stop(h: Harness, ctx: dict[str, Any]) -> None:
        ctx["patch"].stop()

    return start, stop


async def _new_queue_appears(h: Harness, ctx: dict[str, Any]) -> None:
    model = h.immich.model
    model._queues[NEW_QUEUE] = _Queue(name=NEW_QUEUE, concurrency=1)
    model.busy_log[NEW_QUEUE] = []
    model.enqueue(NEW_QUEUE, 40, duration=2.0)
    ctx["entities"] = set(h.entity_ids())
    await _listing(lambda h, names: [*names, NEW_QUEUE])[0](h, ctx)


async def _revoke(h: Harness, ctx: dict[str, Any]) -> None:
    h.immich.revoke_key(SECRET)


async def _reauth(h: Harness, ctx: dict[str, Any]) -> None:
    """Answer the reauth flow with a new key, as the user would (keys stay revoked)."""
    flows = [
        flow
        for flow in h.hass.config_entries.flow.async_progress()
        if flow["context"]["source"] == SOURCE_REAUTH
    ]
    assert len(flows) == 1, "a 401 must start exactly one reauth flow"
    h.immich.add_key(NEW_SECRET, name="new", permissions=list(h.path.permissions))
    result = await h.hass.config_entries.flow.async_configure(
        flows[0]["flow_id"], {CONF_API_KEY: NEW_SECRET}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    await h.settle()


def _keep_only(which: Callable[[ApiPath], tuple[str, ...]]) -> Step:
    """Leave the key only the permissions the path needs for reads, or for commands."""

    async def start(h: Harness, ctx: dict[str, Any]) -> None:
        h.immich.set_permissions(SECRET, list(which(h.path)))

    return start


async def _path_permissions(h: Harness, ctx: dict[str, Any]) -> None:
    h.immich.set_permissions(SECRET, list(h.path.permissions))


async def _not_admin(h: Harness, ctx: dict[str, Any]) -> None:
    h.immich.set_admin(SECRET, False)


async def _admin(h: Harness, ctx: dict[str, Any]) -> None:
    h.immich.set_admin(SECRET, True)


async def _rival(h: Harness, ctx: dict[str, Any]) -> None:
    another_controller(
        h.immich.model,
        [VIDEO],
        paused=False,
        start=h.now + 1,
        every=12,
        until=h.now + FAULT_SECONDS,
    )


async def _reload(h: Harness, ctx: dict[str, Any]) -> None:
    assert h.status_reason(VIDEO) == "held_by_rival"
    assert await h.hass.config_entries.async_reload(h.entry.entry_id)
    await h.settle()


_DNS = _swap(lambda immich: immich.url.replace("127.0.0.1", "immich.invalid"))
_TLS = _swap(lambda immich: immich.url.replace("http://", "https://"))
_GONE = _listing(
    lambda h, names: [name for name in names if name != VANISHING[h.path.id]]
)

CASES = [
    # control: the same run without a fault
    Case("no_fault", "control", _nothing, expect="available", wait="none"),
    # transport
    Case("connection_refused", "transport", _server_down, _server_up),
    Case("dns_failure", "transport", *_DNS),
    Case("tls_failure", "transport", *_TLS),
    Case("timeout_slow_answers", "transport", _fault(kind="delay", delay=15), _clear),
    Case("hanging_responses", "transport", _fault(kind="hang"), _clear),
    Case("dropped_mid_body", "transport", _fault(kind="drop"), _clear),
    # server
    *(
        Case(f"http_{status}", "server", _fault(kind="status", status=status), _clear)
        for status in (500, 502, 503, 504)
    ),
    Case("proxy_html_502", "server", _fault(kind="html", status=502), _clear),
    Case("proxy_html_200", "server", _fault(kind="html", status=200), _clear),
    Case(
        "malformed_json", "server", _fault(kind="malformed_json", scope="reads"), _clear
    ),
    Case("wrong_shape", "server", _fault(kind="wrong_shape", scope="reads"), _clear),
    Case("missing_counts", "server", _read_body(waiting=None), _clear),
    Case("negative_counts", "server", _read_body(waiting=-3), _clear),
    Case(
        "unknown_queue_appears",
        "server",
        _new_queue_appears,
        _nothing,
        expect="available",
        wait="none",
    ),
    Case("queue_disappears", "server", *_GONE, expect="queue_gone", wait="none"),
    Case(
        "maintenance_mode",
        "server",
        _maintenance_on,
        _maintenance_off,
        not_on_legacy="maintenance mode arrived in Immich v2.3; v1.137 has none",
    ),
    Case("immich_restart", "server", _restart, _booted),
    # auth
    Case("key_revoked", "auth", _revoke, _reauth, wait="reload"),
    Case(
        "permission_removed_read",
        "auth",
        _keep_only(lambda path: path.command_permissions),
        _path_permissions,
        issue="missing_permission",
    ),
    Case(
        "permission_removed_commands",
        "auth",
        _keep_only(lambda path: path.read_permissions),
        _path_permissions,
        expect="available",
        wait="permission",
        needs_commands=True,
        issue="missing_permission",
    ),
    Case("admin_removed", "auth", _not_admin, _admin, issue="not_admin"),
    # commands
    *(
        Case(
            f"command_rejected_{status}",
            "commands",
            _fault(kind="status", status=status, scope="commands"),
            _clear,
            expect="available",
            wait="backoff",
            needs_commands=True,
        )
        for status in (400, 403, 500)
    ),
    Case(
        "command_timeout",
        "commands",
        _fault(kind="hang", scope="commands"),
        _clear,
        expect="available",
        wait="backoff",
        needs_commands=True,
    ),
    Case(
        "another_controller",
        "commands",
        _rival,
        _reload,
        expect="available",
        wait="reload",
        needs_commands=True,
        issue="fighting_controller",
    ),
]


async def _running_schedule(h: Harness) -> None:
    """Start an import and wait until the scheduler has paused a queue."""
    h.immich.model.upload(videos=12, photos=400)
    took = await h.advance_until(lambda: bool(h.managed_paused()), 120)
    assert took is not None, "the scheduler never took control"


def _deadline(h: Harness, case: Case) -> float:
    """How long after the fault Immich's state must equal the plan."""
    two_polls = 2 * h.poll
    if case.wait == "grace":
        return GRACE_SECONDS + two_polls
    if case.wait == "permission":
        # Documented: a missing permission blocks commands for 5 minutes.
        return 300 + two_polls
    if case.wait == "backoff":
        # Documented: a refused command is retried after 10, 20, 40, 80, 160 s; the fault
        # lasts 2 minutes and allows at most 5 attempts, so the next is at most 160 s away.
        return 160 + two_polls
    return two_polls


def _matrix() -> list[Any]:
    """Every case on every API path (ids such as ``legacy-http_502``)."""
    return [
        pytest.param(path, case, id=f"{path.id}-{case.id}")
        for path in API_PATHS
        for case in CASES
    ]


def _assert_path_used(h: Harness) -> None:
    """Check the schedule ran through the path under test: its read and pause/resume."""
    path = h.path
    reads = h.immich.count("GET", path.read_endpoint)
    commands = sum(
        1
        for r in h.immich.requests
        if r.method == "PUT" and r.path.startswith(path.command_endpoint)
    )
    assert reads > 0, f"no {path.read_endpoint} read"
    assert commands > 0, f"no pause/resume through {path.command_endpoint}"
    if path.legacy:
        assert not any(r.path.startswith("/api/queues") for r in h.immich.requests)
    else:
        assert h.immich.count("GET", "/api/jobs") == 0, "reads fell back to /api/jobs"
    h.check("api_path_used")


@pytest.mark.parametrize(("api_path", "case"), _matrix())
async def test_fault(
    api_path: ApiPath,
    case: Case,
    harness: Harness,
    issue_registry: ir.IssueRegistry,
    results: Results,
) -> None:
    """The integration survives the fault, shows it honestly, and recovers by itself."""
    if api_path.legacy and case.not_on_legacy:
        # Skipped, not dropped: the results (and the summary) name it with its reason.
        results.record(
            "skipped",
            case.id,
            [],
            path=api_path.id,
            profile=api_path.profile,
            reason=case.not_on_legacy,
        )
        pytest.skip(case.not_on_legacy)
    h = harness
    await _running_schedule(h)
    _assert_path_used(h)
    ctx: dict[str, Any] = {}
    start = h.now
    await case.start(h, ctx)
    await h.advance(10)
    h.immich.model.upload(photos=120)  # a phone backs up during the fault
    await h.advance(case.duration - 10)
    end = h.now

    # During the fault.
    entities = set(h.entity_ids())
    unavailable = h.unavailable()
    if case.expect == "unavailable":
        assert unavailable == entities, "state unknown: every entity is unavailable"
        h.check("entities_unavailable_while_unknown")
    elif case.expect == "queue_gone":
        gone = VANISHING[h.path.id]
        registry = er.async_get(h.hass)
        assert unavailable, "the vanished queue's entities are unavailable"
        assert all(
            (entry := registry.async_get(entity)) is not None
            and queue_of_unique_id(h.entry.unique_id or "", entry.unique_id) == gone
            for entity in unavailable
        ), f"only {gone}'s entities are unavailable: {unavailable}"
        assert not any(
            cmd.endswith(f" {gone}")
            for t, kind, cmd in h.log.events
            if kind == "command" and t >= start
        ), "a vanished queue is never commanded"
        h.check("entities_unavailable_while_unknown")
    else:
        assert not unavailable, f"entities lost while reads work: {unavailable}"
        if case.id != "command_timeout":
            await h.tick(h.next_step())
            assert not h.pending_matches_immich(), "sensors show Immich's counts"
        h.check("entities_stay_correct")
    if case.issue:
        assert issue_registry.async_get_issue(
            DOMAIN, f"{case.issue}_{h.entry.entry_id}"
        ), f"repair issue {case.issue} raised"
        h.check("repair_issue_raised")
    if case.needs_commands:
        assert h.commands_between(start, end) > 0, "the case must exercise commands"

    sends = h.sends_between(start, end)
    reads = h.sends_between(start, end, method="GET")
    polls = case.duration / h.poll
    commands = h.commands_between(start, end)
    # No retry storm: at most two reads per poll interval (a read, and the maintenance probe
    # after a 404/503, or the look soon after commands) whatever fails, and a refused command
    # is retried with a doubling back-off (10, 20, 40, 80 s...): at most five per queue.
    # Commands the workload calls for are not a storm: they are bounded per queue below.
    assert reads <= 2 * (polls + 1), f"{reads} reads in {polls:.0f} polls"
    per_queue: dict[str, int] = {}
    for time, kind, command in h.log.events:
        if kind == "command" and start <= time < end:
            per_queue[str(command)] = per_queue.get(str(command), 0) + 1
    assert max(per_queue.values(), default=0) <= 5, per_queue
    h.check("requests_bounded")

    # After the fault.
    await case.stop(h, ctx)
    stopped = h.now
    recovered = await h.advance_until(h.all_available, 2 * h.poll)
    assert recovered is not None, "data back within two poll intervals"
    h.check("recovers_within_two_polls")
    if case.issue and case.wait != "reload":
        converged_issue = await h.advance_until(
            lambda: issue_registry.async_get_issue(
                DOMAIN, f"{case.issue}_{h.entry.entry_id}"
            )
            is None,
            _deadline(h, case),
        )
        assert converged_issue is not None, "the repair issue goes away by itself"
        h.check("repair_issue_cleared")
    deadline = _deadline(h, case)
    converged = await h.advance_until(h.recovered, deadline)
    assert converged is not None, (
        f"within {deadline} s ownership matches Immich and every paused queue shows why"
    )
    converged_after = h.now - stopped
    h.check("ends_in_a_visible_state")
    if case.id == "unknown_queue_appears":
        assert set(h.entity_ids()) == ctx["entities"]
        assert not any(
            cmd.endswith(NEW_QUEUE)
            for _, kind, cmd in h.log.events
            if kind == "command"
        ), "an unknown queue is never commanded"
        await h.advance_until(
            lambda: h.immich.model.counts(NEW_QUEUE).waiting == 0, 600
        )
    drained = await h.advance_until(
        lambda: h.immich.model.is_idle() and not h.managed_paused(), 3600
    )
    assert drained is not None, "the import drains and no managed queue stays paused"
    # Ownership ends at the read that sees a queue resumed (scheduler.py `_commands`): the
    # last resume may have gone out at the cycle that found the import drained.
    await h.advance(10)
    assert await h.recovered()
    assert not await h.owned(), "nothing paused, so nothing is ours"
    h.check("drains_nothing_left_paused")

    # A reauth reloads the entry: Immich never went away, no grace period is due.
    h.assert_no_command_on_unknown_state(grace=case.id != "key_revoked")
    h.assert_clean_log()
    results.record(
        "fault",
        case.id,
        h.checked,
        path=api_path.id,
        profile=api_path.profile,
        group=case.group,
        requests_during_fault=sends,
        commands_during_fault=commands,
        requests_per_poll=round(sends / polls, 2),
        recovered_after_s=round(recovered, 1),
        converged_after_s=round(converged_after, 1),
    )
