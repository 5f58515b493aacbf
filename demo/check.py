"""`scripts/demo --check`: prove over HA's REST API and the simulator that the demo works."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
import sys
import time

from custom_components.immich_jobs.engine.queues import (
    DEFAULT_MANAGED,
    DEFAULT_PRIORITY,
    INTERNAL_QUEUES,
)
from simulator.model import QueueCounts
from simulator.server import SimulatedImmich

from .dashboard import QUEUE_KEYS, SERVER_KEYS, Entities
from .hass import DOMAIN, DemoError, HomeAssistantApi, http_config_in_storage

# Raised by how the demo runs Home Assistant, not by what it configures: a Core install in a
# venv is unsupported since 2025.12 (every Core install sees it).
NOT_OF_THE_DEMOS_MAKING = {("homeassistant", "deprecated_method")}
STATUSES = {"running", "draining", "queued", "idle", "held"}
SAMPLE_EVERY = 0.25

type Snapshot = Mapping[str, QueueCounts]


def say(message: str, *, error: bool = False) -> None:
    """Write one line to the console (stderr for errors), at once."""
    stream = sys.stderr if error else sys.stdout
    stream.write(f"{message}\n")
    stream.flush()


def ok(message: str) -> None:
    """Report one passed check."""
    say(f"  ok  {message}")


def expected_queues(present: Sequence[str]) -> list[str]:
    """Return the queues managed by default on this server, in priority order."""
    return [q for q in DEFAULT_PRIORITY if q in DEFAULT_MANAGED and q in present]


async def check_entities(
    api: HomeAssistantApi, entities: Entities, present: Sequence[str]
) -> None:
    """Every expected entity exists, is enabled or disabled as designed, and has a sane state."""
    queues = expected_queues(present)
    if list(entities.queues) != queues:
        raise DemoError(
            f"queue entities are for {list(entities.queues)}, expected {queues} "
            "(managed by default, in priority order)"
        )
    missing = [k for k in SERVER_KEYS if k not in entities.server] + [
        f"{q}.{k}" for q in queues for k in QUEUE_KEYS if k not in entities.queues[q]
    ]
    if missing:
        raise DemoError(f"entities missing: {', '.join(missing)}")

    def integer(value: str) -> bool:
        return value.isdigit()

    def estimate(value: str) -> bool:
        """Unknown until a job was seen finishing; a duration (minutes, not negative) after."""
        try:
            return value == "unknown" or float(value) >= 0
        except ValueError:
            return False

    rules: dict[str, Callable[[str], bool]] = {
        "pending": integer,
        "status": STATUSES.__contains__,
        "allowed": {"on"}.__contains__,
        "run_now": lambda value: value != "unavailable",
        "scheduling": {"on"}.__contains__,
        "max_running": lambda value: value == "1",
        "total_pending": integer,
        "running_queues": integer,
        "time_left": estimate,
        "time_until_idle": estimate,
        # No timed pause at start.
        "paused_until": {"unknown"}.__contains__,
        # No event yet at start, or the first one (a timestamp).
        "events": lambda value: value not in ("unavailable", ""),
    }
    checked = 0
    for key, entity_id in [
        *entities.server.items(),
        *((k, e) for keys in entities.queues.values() for k, e in keys.items()),
    ]:
        if key in ("active", "failed", "reason"):
            if entity_id not in entities.disabled:
                raise DemoError(f"{entity_id} should be disabled by default")
            continue
        state = await api.state(entity_id)
        if not rules[key](state):
            raise DemoError(f"{entity_id} has the state {state!r}")
        checked += 1
    ok(
        f"{checked} entities with sane states for {len(queues)} queues "
        f"({', '.join(queues)}); active/failed sensors disabled by default"
    )


@dataclass(frozen=True, slots=True)
class Sample:
    """The simulated Immich's queues at one moment (wall-clock seconds)."""

    at: float
    queues: Snapshot


class Watcher:
    """Samples the simulated Immich's queues, as the scheduler's effects show in Immich."""

    def __init__(self, server: SimulatedImmich) -> None:
        """Watch one in-process simulated server."""
        self.server = server
        self.samples: list[Sample] = []
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start sampling."""
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        """Stop sampling."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self) -> None:
        while True:
            self.server.sync_clock()
            self.samples.append(Sample(time.monotonic(), self.server.model.snapshot()))
            await asyncio.sleep(SAMPLE_EVERY)

    def latest(self) -> Snapshot:
        """Return the queues as they are now."""
        self.server.sync_clock()
        return self.server.model.snapshot()


async def check_nothing_to_confirm(api: HomeAssistantApi) -> None:
    """Prove the demo's set-up raises no repair issue and leaves no HTTP change to confirm.

    An http: block in configuration.yaml did both on 2026.11: a modal counting down to a revert
    on the first page, and the repair "The HTTP YAML configuration is deprecated".
    """
    issues = (await api.ws({"type": "repairs/list_issues"}))["issues"]
    others = [
        f"{issue['domain']}.{issue['issue_id']}"
        for issue in issues
        if issue["domain"] != DOMAIN
        and (issue["domain"], issue["issue_id"]) not in NOT_OF_THE_DEMOS_MAKING
    ]
    if others:
        raise DemoError(f"repair issues not raised by Immich Jobs: {', '.join(others)}")
    ok("no repair issue of the demo's own making")
    if not http_config_in_storage():
        return
    http = await api.ws({"type": "http/config"})
    if http.get("pending") is not None or http.get("revert_at") is not None:
        raise DemoError(
            f"an HTTP server change waits for a confirmation (revert at {http['revert_at']})"
        )
    ok(
        f"no HTTP server change to confirm (running its {http['active_config_type']} settings)"
    )


def heavy(counts: QueueCounts, express_max: int) -> bool:
    """Tell whether a backlog is too big for the express lane: it must wait for a slot."""
    return counts.waiting + counts.paused > express_max


def slot_holders(
    snapshot: Snapshot, queues: Sequence[str], express_max: int
) -> tuple[list[str], list[str]]:
    """Return (managed queues with a heavy backlog in priority order, those of them resumed)."""
    backlog = [q for q in queues if heavy(snapshot[q], express_max)]
    return backlog, [q for q in backlog if not snapshot[q].is_paused]


async def wait_for(
    what: str, condition: Callable[[], bool], timeout: float, every: float = 0.25
) -> None:
    """Poll a condition (bounded); fail with `what` if it never holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise DemoError(f"{what}: not seen within {timeout:.0f} s")
        await asyncio.sleep(every)


async def check_priority(
    watcher: Watcher,
    queues: Sequence[str],
    max_running: int,
    express_max: int,
    poll_interval: float,
    min_evidence: int = 8,
    timeout: float = 45.0,
) -> None:
    """Heavy backlogs run by priority, at most `max_running` at once; internal queues untouched.

    The import lands on an idle server, where every queue is resumed (so that a new upload
    starts at once) and the integration polls slowly: the check starts once it has reacted,
    that is paused a queue. From then on a violation is tolerated for two poll intervals:
    a queue let through the express lane can grow past it until the next cycle pauses it.
    """
    await wait_for(
        "the integration pausing a queue after the import started",
        lambda: any(watcher.latest()[q].is_paused for q in queues),
        # Before any job was seen the scheduler plans from prior durations and pauses a
        # running queue only once the work ahead is known to outlast its job: a few reads.
        timeout=10 * poll_interval + 5,
    )
    tolerance = 2 * poll_interval + 1
    evidence = 0
    violation_since: float | None = None
    seen = len(watcher.samples)
    deadline = time.monotonic() + timeout
    while evidence < min_evidence:
        if time.monotonic() > deadline:
            raise DemoError(
                f"the scheduler was never seen holding back a lower-priority backlog "
                f"({evidence} of {min_evidence} samples in {timeout:.0f} s)"
            )
        await asyncio.sleep(SAMPLE_EVERY)
        for sample in watcher.samples[seen:]:
            backlog, resumed = slot_holders(sample.queues, queues, express_max)
            allowed = set(backlog[:max_running])
            wrong = [q for q in resumed if q not in allowed]
            if wrong:
                violation_since = violation_since or sample.at
                if sample.at - violation_since > tolerance:
                    raise DemoError(
                        f"priority broken for {sample.at - violation_since:.1f} s: "
                        f"{wrong} run while {backlog[:max_running]} come first "
                        f"(queues with a backlog, by priority: {backlog})"
                    )
            else:
                violation_since = None
                if len(backlog) > max_running and resumed:
                    evidence += 1
            internal = [
                q
                for q, c in sample.queues.items()
                if q in INTERNAL_QUEUES and c.is_paused
            ]
            if internal:
                raise DemoError(f"internal queues paused: {internal}")
        seen = len(watcher.samples)
    ok(
        f"priority respected: the top {max_running} of the backlogged queues ran, the "
        f"others were held paused ({evidence} samples); no internal queue paused"
    )


async def check_hold(
    api: HomeAssistantApi,
    watcher: Watcher,
    entities: Entities,
    queues: Sequence[str],
    express_max: int,
    hold_for: float,
) -> None:
    """Turn a running queue's switch off: Immich shows it paused, it stays so, then resumes."""
    backlog, resumed = slot_holders(watcher.latest(), queues, express_max)
    if not resumed:
        raise DemoError(f"no backlogged queue is running to hold (backlog: {backlog})")
    queue = resumed[0]
    switch = entities.queues[queue]["allowed"]
    status = entities.queues[queue]["status"]
    following = [q for q in backlog if q != queue]
    await api.call_service("switch", "turn_off", {"entity_id": switch})
    await wait_for(
        f"{queue} paused in Immich after {switch} was turned off",
        lambda: watcher.latest()[queue].is_paused,
        timeout=5,
    )
    held_since = time.monotonic()
    start = len(watcher.samples)
    await asyncio.sleep(hold_for)
    window = watcher.samples[start:]
    if not window or any(not s.queues[queue].is_paused for s in window):
        raise DemoError(f"{queue} did not stay paused while its switch was off")
    if (state := await api.state(status)) != "held":
        raise DemoError(f"{status} is {state!r} while its switch is off, not 'held'")
    runnable = watcher.latest()[queue]
    if runnable.waiting + runnable.paused == 0:
        raise DemoError(f"{queue} ran its backlog while held")
    moved_on = ""
    if following:
        nxt = following[0]
        await wait_for(
            f"{nxt} given the slot while {queue} is held",
            lambda: not watcher.latest()[nxt].is_paused,
            timeout=10,
        )
        moved_on = f"; {nxt} got the slot"
    ok(
        f"{switch} off held {queue} paused for {time.monotonic() - held_since:.0f} s "
        f"with {runnable.paused} jobs waiting{moved_on}"
    )
    await api.call_service("switch", "turn_on", {"entity_id": switch})
    await wait_for(
        f"{queue} resumed after {switch} was turned back on",
        lambda: not watcher.latest()[queue].is_paused,
        timeout=20,
    )
    ok(f"{switch} on: {queue} runs again")


def command_summary(server: SimulatedImmich) -> str:
    """Count the integration's queue commands in the simulator's request log."""
    commands: dict[str, int] = {}
    for record in server.requests:
        if record.method == "PUT" and record.path.startswith(
            ("/api/queues/", "/api/jobs/")
        ):
            name = record.path.rsplit("/", 1)[1]
            commands[name] = commands.get(name, 0) + 1
    return ", ".join(f"{q} {n}" for q, n in sorted(commands.items())) or "none"
