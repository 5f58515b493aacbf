"""The scheduling loop of one Immich server: read, plan, command, choose when to look again.

Data flows one way: Immich -> client -> coordinator -> scheduler -> client -> Immich. Entities
only read `coordinator.data` and hand the user's intents to the coordinator, which serializes
them with the scheduler's own commands.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import (
    ConfigEntryAuthFailed,
    ConfigEntryNotReady,
    HomeAssistantError,
)
from homeassistant.helpers import device_registry as dr, issue_registry as ir
from homeassistant.helpers.debounce import Debouncer
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.helpers.storage import Store
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
import homeassistant.util.dt as dt_util

from .const import (
    CONF_EXPRESS_LANE,
    CONF_EXPRESS_MAX_JOBS,
    CONF_MANAGED_QUEUES,
    CONF_MAX_RUNNING,
    CONF_POLICY,
    CONF_POLL_INTERVAL,
    CONF_PRIORITY,
    DEFAULT_EXPRESS_MAX_JOBS,
    DEFAULT_MAX_RUNNING,
    DEFAULT_POLL_INTERVAL,
    DOMAIN,
    LOGGER,
    POLICY_PREEMPTIVE,
)
from .immich import (
    CannotConnect,
    CommandRejected,
    ImmichClient,
    ImmichError,
    InvalidAuth,
    KeyAccess,
    MaintenanceMode,
    MissingPermission,
    NotAdmin,
    NotImmich,
    Snapshot,
    TooOld,
    Unsupported,
)
from .queues import DEFAULT_MANAGED, DEFAULT_PRIORITY, is_manageable
from .scheduler import (
    Action,
    Command,
    Intents,
    Memory,
    Plan,
    Policy,
    QueueState,
    managed_queues as scheduled_queues,
    plan as make_plan,
    release as make_release,
)

type ImmichJobsConfigEntry = ConfigEntry[ImmichJobsCoordinator]

STORAGE_VERSION = 1
# Immich pauses and resumes metadataExtraction itself while it boots: after an outage the
# integration watches for this long before commanding anything.
GRACE_PERIOD = timedelta(seconds=60)
# Another controller is suspected when a queue is flipped against our command this often...
FIGHT_FLIPS = 3
# ...within this window.
FIGHT_WINDOW = timedelta(minutes=10)
# After Immich refused a command for lack of permission, try again this much later.
FORBIDDEN_BACKOFF = timedelta(minutes=5)
# A refused or failed command is retried after this, doubling up to the maximum.
COMMAND_RETRY = timedelta(seconds=10)
MAX_COMMAND_RETRY = timedelta(minutes=5)
# How many plans diagnostics keep.
PLAN_HISTORY = 10

ISSUE_FIGHTING = "fighting_controller"
ISSUE_PERMISSION = "missing_permission"
ISSUE_NOT_ADMIN = "not_admin"
ISSUE_INTERNAL_PAUSED = "internal_queues_paused"
# Outlives the schedule on purpose: the queues stay paused until the user resumes them.
ISSUE_LEFT_PAUSED = "queues_left_paused"
ENTRY_ISSUES = (
    ISSUE_FIGHTING,
    ISSUE_PERMISSION,
    ISSUE_NOT_ADMIN,
    ISSUE_INTERNAL_PAUSED,
)


def issue_id(issue: str, entry: ConfigEntry) -> str:
    """Return the id of one server's repair issue (each entry has its own)."""
    return f"{issue}_{entry.entry_id}"


def left_paused_issue_id(entry: ConfigEntry) -> str:
    """Return the id of the queues-left-paused issue, by server rather than by entry.

    It survives the entry's removal, and goes when the same server is set up again.
    """
    return f"{ISSUE_LEFT_PAUSED}_{entry.unique_id or entry.entry_id}"


@callback
def async_delete_entry_issues(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Withdraw a server's repair issues: they describe a running schedule that has ended.

    The next set-up raises again whatever still holds (a missing permission, a rival).
    """
    for issue in ENTRY_ISSUES:
        ir.async_delete_issue(hass, DOMAIN, issue_id(issue, entry))


@dataclass(frozen=True, slots=True)
class ImmichJobsData:
    """What entities show: the queues as last read and what the scheduler made of them."""

    queues: Snapshot
    states: Mapping[str, QueueState]


@dataclass(slots=True)
class UserIntents:
    """What the user asked for; survives restarts through the entry's Store."""

    scheduling: bool = True
    held: set[str] = field(default_factory=set)
    run_now: set[str] = field(default_factory=set)
    # pause_processing with a duration: the limit to put back, and when.
    restore_max_running: int | None = None
    hold_until: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        """Serialize for the Store."""
        return {
            "scheduling": self.scheduling,
            "held": sorted(self.held),
            "run_now": sorted(self.run_now),
            "restore_max_running": self.restore_max_running,
            "hold_until": self.hold_until.isoformat() if self.hold_until else None,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> UserIntents:
        """Read back what as_dict wrote; tolerate missing keys."""
        hold_until = data.get("hold_until")
        return cls(
            scheduling=bool(data.get("scheduling", True)),
            held=set(data.get("held", ())),
            run_now=set(data.get("run_now", ())),
            restore_max_running=data.get("restore_max_running"),
            hold_until=dt_util.parse_datetime(hold_until) if hold_until else None,
        )


def policy_from_options(options: Mapping[str, Any], present: Snapshot | None) -> Policy:
    """Turn the entry's options into the scheduler's policy."""
    managed = frozenset(options.get(CONF_MANAGED_QUEUES, DEFAULT_MANAGED))
    if present is not None:
        managed &= frozenset(present)
    return Policy(
        max_running=int(options.get(CONF_MAX_RUNNING, DEFAULT_MAX_RUNNING)),
        priority=tuple(options.get(CONF_PRIORITY, DEFAULT_PRIORITY)),
        managed=frozenset(queue for queue in managed if is_manageable(queue)),
        kind=options.get(CONF_POLICY, POLICY_PREEMPTIVE),
        express_lane=bool(options.get(CONF_EXPRESS_LANE, True)),
        express_max_jobs=int(
            options.get(CONF_EXPRESS_MAX_JOBS, DEFAULT_EXPRESS_MAX_JOBS)
        ),
        poll_interval=float(options.get(CONF_POLL_INTERVAL, DEFAULT_POLL_INTERVAL)),
    )


def error_translation(err: ImmichError) -> tuple[str, dict[str, str]]:
    """Name, in the user's words (a translation key and its placeholders), what went wrong."""
    if isinstance(err, MissingPermission):
        return "missing_permission", {"permission": err.permission}
    if isinstance(err, CommandRejected):
        return "command_rejected", {"message": err.message}
    if isinstance(err, TooOld):
        return "too_old", {"version": str(err.version)}
    for kind, key in (
        (InvalidAuth, "invalid_auth"),
        (NotAdmin, "not_admin"),
        (MaintenanceMode, "maintenance"),
        (CannotConnect, "cannot_connect"),
        (NotImmich, "not_immich"),
        (Unsupported, "unsupported"),
    ):
        if isinstance(err, kind):
            return key, {}
    return "invalid_response", {}


def paused_internal_queues(snapshot: Snapshot) -> list[str]:
    """List the internal queues that are paused in a snapshot."""
    return sorted(
        name
        for name, queue in snapshot.items()
        if not is_manageable(name) and queue.is_paused
    )


def managed_queues(options: Mapping[str, Any], present: Snapshot) -> list[str]:
    """List the managed queues this server has, in priority order (entities follow it)."""
    return scheduled_queues(present, policy_from_options(options, present))


class ImmichJobsCoordinator(DataUpdateCoordinator[ImmichJobsData]):
    """Reads one Immich server's queues and schedules them."""

    config_entry: ImmichJobsConfigEntry

    def __init__(
        self, hass: HomeAssistant, entry: ImmichJobsConfigEntry, client: ImmichClient
    ) -> None:
        """Prepare the loop; nothing is read or commanded until the first refresh."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=DOMAIN,
            update_interval=timedelta(
                seconds=entry.options.get(CONF_POLL_INTERVAL, DEFAULT_POLL_INTERVAL)
            ),
            # A user's action wants its effect seen at once, not after a 10 s cooldown.
            request_refresh_debouncer=Debouncer(
                hass, LOGGER, cooldown=0.5, immediate=True
            ),
        )
        self.client = client
        self.version: str | None = None
        self.access: KeyAccess | None = None
        self.intents = UserIntents()
        self.memory = Memory()
        self.plans: deque[tuple[str, Plan]] = deque(maxlen=PLAN_HISTORY)
        self.errors: deque[tuple[str, str]] = deque(maxlen=PLAN_HISTORY)
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, f"{DOMAIN}.{entry.entry_id}"
        )
        self._lock = asyncio.Lock()
        self._failing = False
        self._quiet_until: datetime | None = None
        self._commands_blocked_until: datetime | None = None
        # Seconds until a held-back command may go out, when none took effect this cycle.
        self._held_back: float | None = None
        self._expected: dict[str, bool] = {}
        self._command_failures: dict[str, tuple[int, datetime]] = {}
        self._flips: dict[str, deque[datetime]] = {}
        self.contested: set[str] = set()
        self._unsub_hold: CALLBACK_TYPE | None = None
        self._stopped = False

    @property
    def max_running(self) -> int:
        """Return the limit in force (the option, shared by the number and the options)."""
        return int(self.config_entry.options.get(CONF_MAX_RUNNING, DEFAULT_MAX_RUNNING))

    @property
    def server_id(self) -> str:
        """Identify the server (the entry's unique id) in device and entity ids."""
        return self.config_entry.unique_id or self.config_entry.entry_id

    # --- set-up and storage -------------------------------------------------------------

    async def async_connect(self) -> None:
        """Learn the server's version and the key's access, or say why not.

        Called by the entry's set-up before the first refresh, so that Home Assistant shows
        the reason while it retries, instead of logging the coordinator's setup failure as
        an unexpected error.
        """
        try:
            self.access = await self.client.async_get_access()
        except InvalidAuth as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="invalid_auth"
            ) from err
        except ImmichError as err:
            key, placeholders = error_translation(err)
            raise ConfigEntryNotReady(
                translation_domain=DOMAIN,
                translation_key=key,
                translation_placeholders=placeholders or None,
            ) from err
        self.version = str(self.access.version)

    async def _async_setup(self) -> None:
        """Restore intents and ownership (a timed pause's end included)."""
        if stored := await self._store.async_load():
            self.intents = UserIntents.from_dict(stored.get("intents", {}))
            self.memory = Memory.from_dict(stored.get("memory", {}))
        self._schedule_hold_end()

    async def async_shutdown(self) -> None:
        """Stop for good: no hold timer, no further cycle (also after a failed set-up)."""
        self._stopped = True
        self.async_shutdown_timers()
        await super().async_shutdown()

    def access_report(self) -> dict[str, Any]:
        """Describe what the key may do (for diagnostics)."""
        access = self.access
        if access is None:
            return {}
        return {
            "version": str(access.version),
            "is_admin": access.is_admin,
            "permissions": sorted(access.permissions) if access.permissions else None,
            "missing_read": list(access.missing_read),
            "missing_control": list(access.missing_control),
            "read_api": str(access.read_api),
            "control_api": str(access.control_api),
        }

    @callback
    def _save(self) -> None:
        """Write intents and ownership soon (batched)."""
        self._store.async_delay_save(self._stored_data, 1)

    def _stored_data(self) -> dict[str, Any]:
        return {"intents": self.intents.as_dict(), "memory": self.memory.as_dict()}

    async def async_flush(self) -> None:
        """Write the Store now (unload, release)."""
        await self._store.async_save(self._stored_data())

    @callback
    def async_shutdown_timers(self) -> None:
        """Cancel the hold timer."""
        if self._unsub_hold:
            self._unsub_hold()
            self._unsub_hold = None

    # --- the cycle ------------------------------------------------------------------------

    async def _async_update_data(self) -> ImmichJobsData:
        """Read, plan, command; set when to look again."""
        async with self._lock:
            return await self._async_cycle("cycle")

    async def _async_cycle(self, why: str, *, strict: bool = False) -> ImmichJobsData:
        """Run one cycle (the lock held); `strict` raises the first command Immich refused."""
        snapshot = await self._async_read()
        now = dt_util.utcnow()
        self._check_internal_queues(snapshot)
        self._detect_fighting(snapshot, now)
        policy = self.policy(snapshot)
        plan = make_plan(
            snapshot,
            policy,
            self._scheduler_intents(),
            self.memory,
            now.timestamp(),
        )
        self._record(plan, why)
        await self._async_recheck_permission(now)
        snapshot, sent, failure = await self._async_apply(
            plan.commands, snapshot, now, strict=strict
        )
        self.memory = self._memory_after(plan, sent)
        if plan.finished_run_now & self.intents.run_now:
            self.intents.run_now -= plan.finished_run_now
        self._save()
        interval = max(plan.next_check, 1.0)
        if self._held_back is not None:
            # Every command is held back (grace period, back-off, missing permission):
            # looking again in 2 s to see them take effect would only poll Immich faster.
            interval = max(interval, min(self._held_back, self._poll_interval()))
        self.update_interval = timedelta(seconds=interval)
        if strict and failure is not None:
            raise failure
        return ImmichJobsData(queues=snapshot, states=plan.states)

    def policy(self, snapshot: Snapshot | None = None) -> Policy:
        """Return the policy in force: the options less the queues another controller holds."""
        policy = policy_from_options(self.config_entry.options, snapshot)
        if self.contested:
            return replace(policy, managed=policy.managed - self.contested)
        return policy

    def _scheduler_intents(self) -> Intents:
        return Intents(
            scheduling=self.intents.scheduling,
            held=frozenset(self.intents.held),
            run_now=frozenset(self.intents.run_now),
        )

    async def _async_read(self) -> Snapshot:
        """Read the snapshot; any failure is unknown state and ends the cycle."""
        try:
            snapshot = await self.client.async_get_queues()
        except ImmichError as err:
            key, placeholders = error_translation(err)
            self._note_failure(key)
            if isinstance(err, MissingPermission):
                self._raise_permission_issue(err.permission)
            elif isinstance(err, NotAdmin):
                self._raise_issue(ISSUE_NOT_ADMIN, ir.IssueSeverity.ERROR)
            if isinstance(err, InvalidAuth):
                raise ConfigEntryAuthFailed(
                    translation_domain=DOMAIN, translation_key=key
                ) from err
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key=key,
                translation_placeholders=placeholders or None,
            ) from err
        if self._failing:
            # Back from an outage: Immich may still be booting; watch before commanding.
            self._failing = False
            self._quiet_until = dt_util.utcnow() + GRACE_PERIOD
            self._expected.clear()
            await self._async_check_version()
        self._delete_issue(ISSUE_NOT_ADMIN)
        if self._commands_blocked_until is None:
            self._delete_issue(ISSUE_PERMISSION)
        return snapshot

    async def _async_check_version(self) -> None:
        """After an outage, notice an Immich upgrade: the device shows the new version.

        The client picks its APIs again by itself when the version changed.
        """
        try:
            version = str(await self.client.async_get_version())
        except ImmichError:
            return  # the next outage's end will tell
        if version == self.version:
            return
        LOGGER.info(
            "%s is now Immich %s (was %s)",
            self.config_entry.title,
            version,
            self.version,
        )
        self.version = version
        registry = dr.async_get(self.hass)
        if device := registry.async_get_device(identifiers={(DOMAIN, self.server_id)}):
            registry.async_update_device(device.id, sw_version=version)

    def _poll_interval(self) -> float:
        return float(
            self.config_entry.options.get(CONF_POLL_INTERVAL, DEFAULT_POLL_INTERVAL)
        )

    def _note_failure(self, kind: str) -> None:
        """Remember the failure; look again at the regular interval, not an idle one."""
        self._failing = True
        self.errors.append((dt_util.utcnow().isoformat(), kind))
        self.update_interval = timedelta(seconds=self._poll_interval())

    def _record(self, plan: Plan, why: str) -> None:
        self.plans.append((f"{dt_util.utcnow().isoformat()} {why}", plan))

    async def _async_apply(
        self,
        commands: tuple[Command, ...],
        snapshot: Snapshot,
        now: datetime,
        *,
        strict: bool = False,
    ) -> tuple[Snapshot, set[str], ImmichError | None]:
        """Send the plan's commands unless commanding is suspended.

        Return the new snapshot, the queues Immich obeyed and the first error it answered.
        A user's change (`strict`) is tried even while commands are blocked for a missing
        permission, and stops at the first refusal. When no command took effect,
        `_held_back` says in how many seconds one may.
        """
        sent: set[str] = set()
        self._held_back = None
        if not commands:
            return snapshot, sent, None
        if self._quiet_until and now < self._quiet_until:
            LOGGER.debug("Grace period after an outage: not commanding %s", commands)
            self._held_back = (self._quiet_until - now).total_seconds()
            return snapshot, sent, None
        if (
            not strict
            and self._commands_blocked_until
            and now < self._commands_blocked_until
        ):
            self._held_back = (self._commands_blocked_until - now).total_seconds()
            return snapshot, sent, None
        updated = dict(snapshot)
        failure: ImmichError | None = None
        retry_at: list[datetime] = []
        for command in commands:
            retry = self._command_failures.get(command.queue)
            if not strict and retry is not None and now < retry[1]:
                retry_at.append(retry[1])
                continue
            paused = command.action is Action.PAUSE
            try:
                updated[command.queue] = await self.client.async_set_paused(
                    command.queue, paused
                )
            except MissingPermission as err:
                self._commands_blocked_until = now + FORBIDDEN_BACKOFF
                self._raise_permission_issue(err.permission)
                if not sent:
                    self._held_back = FORBIDDEN_BACKOFF.total_seconds()
                return updated, sent, err
            except InvalidAuth as err:
                raise ConfigEntryAuthFailed(
                    translation_domain=DOMAIN, translation_key="invalid_auth"
                ) from err
            except ImmichError as err:
                # The next cycle plans from the real state and corrects this; until the
                # back-off ends, that queue is not commanded again (no request storm).
                failures = self._command_failures.get(command.queue, (0, now))[0] + 1
                delay = min(COMMAND_RETRY * 2 ** (failures - 1), MAX_COMMAND_RETRY)
                self._command_failures[command.queue] = (failures, now + delay)
                retry_at.append(now + delay)
                if failures == 1:
                    LOGGER.warning(
                        "Could not %s queue %s: %s", command.action, command.queue, err
                    )
                self.errors.append(
                    (now.isoformat(), f"{command.action} {command.queue}")
                )
                failure = failure or err
                if strict:
                    return updated, sent, failure
                continue
            LOGGER.debug("%s %s: %s", command.action, command.queue, command.reason)
            sent.add(command.queue)
            self._command_failures.pop(command.queue, None)
            self._expected[command.queue] = paused
        if not sent and retry_at:
            self._held_back = (min(retry_at) - now).total_seconds()
        if self._commands_blocked_until is not None:
            self._commands_blocked_until = None
            self._delete_issue(ISSUE_PERMISSION)
        return updated, sent, failure

    def _memory_after(self, plan: Plan, sent: set[str]) -> Memory:
        """Ownership follows what Immich did, not what the plan wished.

        A pause that was not sent is not ours; a queue whose resume was not sent stays ours
        (it is still paused, and a release must still resume it).
        """
        owned = set(plan.memory.owned)
        for command in plan.commands:
            if command.queue in sent:
                continue
            if command.action is Action.PAUSE:
                owned.discard(command.queue)
            elif command.queue in self.memory.owned:
                owned.add(command.queue)
        return replace(plan.memory, owned=frozenset(owned))

    async def _async_recheck_permission(self, now: datetime) -> None:
        """After the back-off, ask Immich whether the key may command queues again."""
        if self._commands_blocked_until is None or now < self._commands_blocked_until:
            return
        try:
            access = await self.client.async_get_access()
        except ImmichError:
            return
        if access.missing_control:
            self._commands_blocked_until = now + FORBIDDEN_BACKOFF
            self._raise_permission_issue(", ".join(access.missing_control))
        else:
            self._commands_blocked_until = None
            self._delete_issue(ISSUE_PERMISSION)

    def _detect_fighting(self, snapshot: Snapshot, now: datetime) -> None:
        """Notice queues flipped against our commands: another controller is at work."""
        for queue, paused in list(self._expected.items()):
            status = snapshot.get(queue)
            if status is None or status.is_paused == paused:
                continue
            del self._expected[queue]
            flips = self._flips.setdefault(queue, deque())
            flips.append(now)
            while flips and now - flips[0] > FIGHT_WINDOW:
                flips.popleft()
            if len(flips) >= FIGHT_FLIPS and queue not in self.contested:
                self.contested.add(queue)
                # Not ours any more: leaving the managed set must not resume it either.
                self.memory = replace(self.memory, owned=self.memory.owned - {queue})
                LOGGER.warning(
                    "Queue %s keeps being flipped against the integration's commands; "
                    "leaving it alone until the integration is reloaded",
                    queue,
                )
                self._raise_issue(
                    ISSUE_FIGHTING,
                    ir.IssueSeverity.WARNING,
                    queues=", ".join(sorted(self.contested)),
                )

    def paused_internal_queues(self) -> list[str]:
        """List Immich's internal queues that are paused (never by this integration)."""
        return paused_internal_queues(self.data.queues)

    def _check_internal_queues(self, snapshot: Snapshot) -> None:
        """Tell the user when internal queues are paused: the old add-on leaves them so.

        A paused backgroundTask stops trash emptying and deletions; Immich's page has no
        button to resume it, so the repair offers one.
        """
        paused = paused_internal_queues(snapshot)
        if not paused:
            self._delete_issue(ISSUE_INTERNAL_PAUSED)
            return
        self._raise_issue(
            ISSUE_INTERNAL_PAUSED,
            ir.IssueSeverity.WARNING,
            fixable=True,
            queues=", ".join(paused),
        )

    async def async_resume_internal_queues(self) -> None:
        """Resume the paused internal queues (the user asked, through the repair)."""
        async with self._lock:
            for name in self.paused_internal_queues():
                await self.client.async_set_paused(name, False)
        await self.async_refresh()

    def _raise_permission_issue(self, permission: str) -> None:
        self._raise_issue(
            ISSUE_PERMISSION, ir.IssueSeverity.ERROR, permission=permission
        )

    def _raise_issue(
        self,
        issue: str,
        severity: ir.IssueSeverity,
        *,
        fixable: bool = False,
        **placeholders: str,
    ) -> None:
        """Raise (or update) one of this server's repair issues."""
        entry = self.config_entry
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            issue_id(issue, entry),
            is_fixable=fixable,
            severity=severity,
            translation_key=issue,
            translation_placeholders={"title": entry.title, **placeholders},
            data={"entry_id": entry.entry_id} if fixable else None,
        )

    def _delete_issue(self, issue: str) -> None:
        ir.async_delete_issue(self.hass, DOMAIN, issue_id(issue, self.config_entry))

    # --- the user's intents ---------------------------------------------------------------

    async def async_set_held(self, queue: str, held: bool) -> None:
        """Hold a queue paused, or let the scheduler run it again."""

        def change() -> None:
            if held:
                self.intents.held.add(queue)
                self.intents.run_now.discard(queue)
            else:
                self.intents.held.discard(queue)

        await self._async_change(change)

    async def async_run_now(self, queue: str) -> None:
        """Run one queue until it is empty: it takes a slot ahead of every other queue."""

        def change() -> None:
            self.intents.run_now.add(queue)
            self.intents.held.discard(queue)

        await self._async_change(change)

    async def async_set_scheduling(self, enabled: bool) -> None:
        """Switch automatic scheduling; off resumes everything the integration paused.

        The plan itself resumes what the integration paused (but held queues) while
        scheduling is off.
        """

        def change() -> None:
            self.intents.scheduling = enabled

        await self._async_change(change)

    async def async_set_max_running(self, value: int) -> None:
        """Change the limit (shared with the options flow); it ends a timed pause."""

        def change() -> None:
            self._drop_hold()
            self._set_max_running_option(value)

        await self._async_change(change)

    @callback
    def async_limit_set_by_user(self) -> None:
        """Forget a timed pause: the limit the user chose in the options must stay."""
        if self._drop_hold():
            self._save()

    def _drop_hold(self) -> bool:
        """Forget a timed pause's limit to restore; tell whether there was one."""
        if self.intents.hold_until is None and self.intents.restore_max_running is None:
            return False
        self.intents.restore_max_running = None
        self.intents.hold_until = None
        self._schedule_hold_end()
        return True

    async def async_pause_processing(self, duration: timedelta | None) -> None:
        """Hold all processing; with a duration, put the limit back afterwards."""

        def change() -> None:
            if duration is not None:
                if self.intents.restore_max_running is None:
                    self.intents.restore_max_running = self.max_running
                self.intents.hold_until = dt_util.utcnow() + duration
            else:
                self.intents.restore_max_running = None
                self.intents.hold_until = None
            self._schedule_hold_end()
            self._set_max_running_option(0)

        await self._async_change(change)

    @callback
    def _set_max_running_option(self, value: int) -> None:
        self.hass.config_entries.async_update_entry(
            self.config_entry,
            options={**self.config_entry.options, CONF_MAX_RUNNING: value},
        )

    async def _async_change(self, change: Callable[[], None]) -> None:
        """Apply a user's change and the commands it implies now; undo it if they fail.

        Nothing is left half-changed: when Immich cannot be read or refuses a command, the
        intents and options are put back and the error goes to the user.
        """
        async with self._lock:
            # Taken under the lock: a change waiting here must not keep one that failed.
            intents = UserIntents.from_dict(self.intents.as_dict())
            before = dict(self.config_entry.options)
            change()
            made = {
                key: value
                for key, value in self.config_entry.options.items()
                if before.get(key) != value
            }
            try:
                data = await self._async_cycle("user", strict=True)
            except (ImmichError, HomeAssistantError) as err:
                self.intents = intents
                self._undo_options(before, made)
                self._schedule_hold_end()
                self._save()
                if isinstance(err, ConfigEntryAuthFailed):
                    self.config_entry.async_start_reauth(self.hass)
                if isinstance(err, UpdateFailed):
                    self._async_mark_unavailable(err)
                raise
        if not self.last_update_success:
            LOGGER.info("Fetching %s data recovered", self.name)
        self.async_set_updated_data(data)

    @callback
    def _undo_options(self, before: dict[str, Any], made: dict[str, Any]) -> None:
        """Put back the options a failed change set, unless someone changed them since."""
        options = dict(self.config_entry.options)
        undo = [key for key, value in made.items() if options.get(key) == value]
        if not undo:
            return
        for key in undo:
            if key in before:
                options[key] = before[key]
            else:
                options.pop(key)
        self.hass.config_entries.async_update_entry(self.config_entry, options=options)

    @callback
    def _async_mark_unavailable(self, err: UpdateFailed) -> None:
        """Immich could not be read for a user's change: entities say so at once, as a poll would."""
        if self.last_update_success:
            LOGGER.error("Error fetching %s data: %s", self.name, err)
        self.last_update_success = False
        self.last_exception = err
        self.async_update_listeners()

    @callback
    def _schedule_hold_end(self) -> None:
        self.async_shutdown_timers()
        if self.intents.hold_until is None or self._stopped:
            return
        self._unsub_hold = async_track_point_in_utc_time(
            self.hass, self._async_end_hold, self.intents.hold_until
        )

    async def _async_end_hold(self, _now: datetime | None = None) -> None:
        """End the pause: give back the limit the user had."""
        self._unsub_hold = None
        restore = self.intents.restore_max_running
        self.intents.restore_max_running = None
        self.intents.hold_until = None
        if restore is not None and self.max_running == 0:
            # Only over the pause's own 0: a limit the user chose meanwhile stays (also one
            # set while the entry was not loaded). Not undone on failure: the limit must
            # come back even while Immich is away.
            self._set_max_running_option(restore)
        self._save()
        await self.async_request_refresh()

    @callback
    def async_refresh_soon(self) -> None:
        """Run a cycle once the current flow or call has finished (new options)."""
        self.hass.loop.call_soon(
            lambda: self.config_entry.async_create_background_task(
                self.hass, self.async_request_refresh(), "immich_jobs refresh"
            )
        )

    async def async_command(self, action: Callable[[], Awaitable[Any]]) -> None:
        """Run a user's command to Immich between two cycles, never during one."""
        async with self._lock:
            await action()

    # --- release --------------------------------------------------------------------------

    async def async_stop(self, *, release: bool) -> None:
        """Stop for good (unload): no cycle after this, the Store written last.

        A cycle or a user's change already under way finishes first (the lock), so nothing
        it pauses or saves comes after the release or the final write.
        """
        await self.async_shutdown()
        async with self._lock:
            if release and await async_release_queues(
                self.hass, self.client, self.config_entry, self.memory
            ):
                self.memory = replace(self.memory, owned=frozenset())
            await self.async_flush()


async def async_release_queues(
    hass: HomeAssistant, client: ImmichClient, entry: ConfigEntry, memory: Memory
) -> bool:
    """Resume what the integration paused; tell the user which queues if Immich is away.

    Returns whether everything was resumed.
    """
    owned = sorted(memory.owned)
    if not owned:
        return True
    try:
        snapshot = await client.async_get_queues()
        for command in make_release(snapshot, memory).commands:
            await client.async_set_paused(command.queue, False)
    except ImmichError as err:
        LOGGER.warning("Could not resume queues %s: %s", owned, err)
        ir.async_create_issue(
            hass,
            DOMAIN,
            left_paused_issue_id(entry),
            is_fixable=False,
            is_persistent=True,
            severity=ir.IssueSeverity.WARNING,
            translation_key=ISSUE_LEFT_PAUSED,
            translation_placeholders={"title": entry.title, "queues": ", ".join(owned)},
        )
        return False
    ir.async_delete_issue(hass, DOMAIN, left_paused_issue_id(entry))
    return True
