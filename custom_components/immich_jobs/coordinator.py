"""The scheduling loop of one Immich server: read, plan, command, choose when to look again.

Data flows one way: Immich -> client -> coordinator -> engine/cycle.py (decide) -> client ->
Immich -> engine/cycle.py (conclude) -> entities. Entities only read `coordinator.data` and hand
the user's intents to the coordinator, which serializes them with the scheduler's own commands. When a command may go is `gate.py`'s call, what is kept
across restarts `store.py`'s, repair issues and rivals `issues.py`'s.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import timedelta
import time
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CoreState, HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed, HomeAssistantError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.debounce import Debouncer
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
import homeassistant.util.dt as dt_util
from homeassistant.util.hass_dict import HassKey

from .const import DOMAIN, LOGGER
from .engine.cycle import ImmichJobsData, conclude, decide
from .engine.gate import CommandGate
from .engine.history import PlanHistory
from .engine.intents import Intents
from .engine.queues import queue_display_name
from .engine.rivals import RivalWatch
from .engine.scheduler import Memory, Plan, Policy
from .engine.settings import Settings
from .immich import ImmichClient, ImmichError, KeyAccess, Snapshot
from .runtime.dispatch import Dispatcher, async_release_queues, setup_error
from .runtime.house_watch import HouseWatch
from .runtime.issues import EntryIssues, paused_internal_queues
from .runtime.store import IntentStore, PauseTimer

type ImmichJobsConfigEntry = ConfigEntry[ImmichJobsCoordinator]

# Entries whose next set-up starts as after an outage (a failed set-up, a reload in a grace).
DATA_OUTAGE: HassKey[set[str]] = HassKey(f"{DOMAIN}_outage")


@callback
def async_mark_outage(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Let the entry's next set-up start as after an outage (Immich may be booting)."""
    hass.data.setdefault(DATA_OUTAGE, set()).add(entry.entry_id)


class ImmichJobsCoordinator(DataUpdateCoordinator[ImmichJobsData]):
    """Reads one Immich server's queues and schedules them."""

    config_entry: ImmichJobsConfigEntry

    def __init__(
        self, hass: HomeAssistant, entry: ImmichJobsConfigEntry, client: ImmichClient
    ) -> None:
        """Prepare the loop; nothing is read or commanded until the first refresh."""
        self._options_read = entry.options
        self._settings = Settings.from_options(entry.options)
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=entry.title,
            update_interval=timedelta(seconds=self._settings.poll_interval),
            # A user's action wants its effect seen at once, not after a 10 s cooldown.
            request_refresh_debouncer=Debouncer(
                hass, LOGGER, cooldown=0.5, immediate=True
            ),
        )
        self.client = client
        self.version: str | None = None
        self.access: KeyAccess | None = None
        self.intents = Intents()
        self.memory = Memory()
        self.plans = PlanHistory()
        self.last_plan: Plan | None = None
        # Immich's queue ids to their names in the user's language (set at setup).
        self.queue_names: dict[str, str] = {}
        # Monotonic, looked up at each call (the test clock replaces it): an NTP jump at a
        # Pi's boot skews no duration and no deadline.
        self.clock: Callable[[], float] = lambda: time.monotonic()
        # Home Assistant starting may be the host booting, with Immich booting beside it.
        outage = hass.state is not CoreState.running
        if entry.entry_id in hass.data.get(DATA_OUTAGE, set()):
            hass.data[DATA_OUTAGE].discard(entry.entry_id)
            outage = True
        self.gate = CommandGate(self.clock, outage=outage)
        self.rivals = RivalWatch()
        self.issues = EntryIssues(hass, entry)
        self.dispatcher = Dispatcher(client, self.gate, self.rivals, self.issues, entry)
        self._store = IntentStore(hass, entry.entry_id, self.clock)
        self._lock = asyncio.Lock()
        self._pause_timer = PauseTimer(hass, self._async_end_pause)
        self.house = HouseWatch(
            hass, lambda: self.settings, self.clock, self._house_changed
        )
        self._stopped = False

    @property
    def settings(self) -> Settings:
        """Return the options' settings, read again only when the options changed."""
        if self.config_entry.options is not self._options_read:
            self._options_read = self.config_entry.options
            self._settings = Settings.from_options(self._options_read)
        return self._settings

    @property
    def max_running(self) -> int:
        """Return the limit in force (shared by the number and the options)."""
        return self.intents.max_running

    @property
    def contested(self) -> set[str]:
        """Return the queues another controller holds (left alone until a reload)."""
        return self.rivals.contested

    @property
    def server_id(self) -> str:
        """Identify the server (the entry's unique id) in device and entity ids."""
        return self.config_entry.unique_id or self.config_entry.entry_id

    def queue_name(self, queue: str) -> str:
        """Name a queue in the user's language; one without a translation in Immich's words."""
        return self.queue_names.get(queue) or queue_display_name(queue)

    def policy(self, snapshot: Snapshot | None = None) -> Policy:
        """Return the policy in force: the options less the queues another controller holds."""
        return self.settings.policy_in_force(
            self.intents.max_running, snapshot, self.rivals.contested
        )

    # --- set-up ---------------------------------------------------------------------------

    async def async_connect(self) -> None:
        """Learn the server's version and the key's access, or say why not (before set-up)."""
        try:
            self.access = await self.client.async_get_access()
        except ImmichError as err:
            raise setup_error(err) from err
        self.version = str(self.access.version)

    async def _async_setup(self) -> None:
        """Restore intents and ownership (a timed pause's end included)."""
        self.intents, self.memory = await self._store.async_load()
        self.house.restore(self._store.house)
        self._follow_pause()

    # --- the cycle ------------------------------------------------------------------------

    async def _async_update_data(self) -> ImmichJobsData:
        """Read, plan, command; set when to look again."""
        async with self._lock:
            return await self._async_cycle(await self._async_read(), "cycle")

    async def _async_cycle(
        self,
        snapshot: Snapshot,
        why: str,
        before: Intents | None = None,
        subject: str | None = None,
    ) -> ImmichJobsData:
        """Decide, send, conclude (the lock held): engine/cycle.py's two steps.

        With `before` (a user's change), the user's commands are those the change adds to
        the plan and those of the queue it is about (`subject`): the first of them Immich
        refuses is raised. Other queues' commands back off as usual.
        """
        now = self.clock()
        self.issues.check_internal_queues(snapshot)
        self.memory = self.dispatcher.watch_rivals(snapshot, self.memory, now)
        policy = self.policy(snapshot)
        uploads = self.house.update(snapshot, policy.managed)
        decision = decide(
            snapshot,
            policy,
            self.intents,
            self.memory,
            now,
            house=self.house.holds(),
            before=before,
            subject=subject,
        )
        await self.dispatcher.async_recheck_permission()
        sent = await self.dispatcher.async_send(
            decision.plan, snapshot, self.memory, decision.own
        )
        self.memory = sent.memory
        cycle = conclude(
            decision,
            self.intents,
            self.memory,
            now,
            dt_util.utcnow(),
            snapshot=sent.snapshot,
            unsent=sent.unsent,
            held_back_for=sent.held_back,
            house_check=self.house.next_check,
            uploads_arriving=uploads.active,
            contested=frozenset(self.rivals.contested),
        )
        self.last_plan = cycle.plan
        self.plans.add(f"{dt_util.utcnow().isoformat()} {why}", cycle.plan)
        self.intents = cycle.data.intents
        self._save()
        self.update_interval = timedelta(seconds=cycle.interval)
        if sent.failure is not None:
            raise sent.failure
        return cycle.data

    async def _async_read(self) -> Snapshot:
        """Read the snapshot; any failure is unknown state and ends the cycle."""
        try:
            snapshot = await self.client.async_get_queues()
        except ImmichError as err:
            # Look again at the regular interval, not an idle one.
            self.update_interval = timedelta(seconds=self.settings.poll_interval)
            raise self.dispatcher.read_failed(err) from err
        if self.dispatcher.read_ok() and self.data is not None:
            await self._async_check_version()
        return snapshot

    async def _async_check_version(self) -> None:
        """After an outage, notice an Immich upgrade: the device shows the new version."""
        try:
            version = str(await self.client.async_get_version())
        except ImmichError:
            return  # the next outage's end will tell
        if version == self.version:
            return
        LOGGER.info("%s is now Immich %s (was %s)", self.name, version, self.version)
        self.version = version
        registry = dr.async_get(self.hass)
        if device := registry.async_get_device(identifiers={(DOMAIN, self.server_id)}):
            registry.async_update_device(device.id, sw_version=version)

    @callback
    def _save(self) -> None:
        self._store.save(self.intents, self.memory, self.house.as_dict())

    @callback
    def _follow_pause(self) -> None:
        """End a timed pause when the intents say (no timer once stopped)."""
        self._pause_timer.schedule(None if self._stopped else self.intents.hold_until)

    @callback
    def _house_changed(self) -> None:
        """Plan again soon: a condition entity changed a hold."""
        if not self._stopped:
            self.hass.async_create_task(self.async_request_refresh())

    # --- the user's intents ---------------------------------------------------------------

    async def async_change(
        self, change: Callable[[Intents], Intents], queue: str | None = None
    ) -> None:
        """Apply a user's change and the commands it implies, now.

        It fails only on its own commands: then the intents are put back and the error goes
        to the user. What other queues' commands meet is the scheduler's business.
        """
        async with self._lock:
            if self._stopped:
                raise HomeAssistantError(
                    translation_domain=DOMAIN,
                    translation_key="entry_not_loaded",
                    translation_placeholders={"title": self.config_entry.title},
                )
            try:
                snapshot = await self._async_read()
            except ConfigEntryAuthFailed:
                self.config_entry.async_start_reauth(self.hass)
                raise
            except UpdateFailed as err:
                self.async_set_update_error(err)
                raise
            before = self.intents
            self.intents = change(before)
            self._follow_pause()
            try:
                data = await self._async_cycle(snapshot, "user", before, queue)
            except (ImmichError, ConfigEntryAuthFailed) as err:
                self.intents = before
                self._follow_pause()
                self._save()
                if isinstance(err, ConfigEntryAuthFailed):
                    self.config_entry.async_start_reauth(self.hass)
                raise
        if not self.last_update_success:
            LOGGER.info("Fetching %s data recovered", self.name)
        self.async_set_updated_data(data)

    async def async_pause_processing(self, duration: timedelta | None) -> None:
        """Hold all processing; with a duration, put the limit back afterwards."""
        until = dt_util.utcnow() + duration if duration is not None else None
        await self.async_change(lambda intents: intents.pause(until))

    @callback
    def async_set_limit_soon(self, value: int) -> None:
        """Set the limit from the options form: the next cycle applies it (no error to show)."""
        self.intents = self.intents.set_limit(value)
        self._follow_pause()
        self._save()

    async def _async_end_pause(self) -> None:
        """End the pause: give back the limit the user had, even while Immich is away."""
        if self._stopped:
            return
        self.intents = self.intents.end_pause()
        self._save()
        await self.async_request_refresh()

    async def async_command(self, action: Callable[[], Awaitable[Any]]) -> None:
        """Run a user's command to Immich between two cycles, never during one."""
        async with self._lock:
            await action()

    async def async_resume_internal_queues(self) -> None:
        """Resume the paused internal queues (the user asked, through the repair)."""
        async with self._lock:
            for name in paused_internal_queues(self.data.queues):
                await self.client.async_set_paused(name, False)
        await self.async_refresh()

    # --- the end --------------------------------------------------------------------------

    async def async_shutdown(self) -> None:
        """Stop for good: no hold timer, no further cycle (also after a failed set-up)."""
        self._stopped = True
        self._follow_pause()
        self.house.stop()
        await super().async_shutdown()

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
            await self._store.async_close(
                self.intents, self.memory, self.house.as_dict()
            )
            if self.gate.outage or self.gate.in_grace:
                async_mark_outage(self.hass, self.config_entry)
