"""Sending a plan's commands to Immich, through the gate, and what Immich's answers mean.

Ownership follows what Immich obeyed, not what the plan wished. A failed command backs off its
queue; a missing permission blocks commands and raises a repair issue; a user's own command is
tried whatever the gate says, and its failure is the user's to see.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryNotReady
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.update_coordinator import UpdateFailed
import homeassistant.util.dt as dt_util

from ..const import DOMAIN, LOGGER
from ..engine.cycle import CommandKey, key_of
from ..engine.gate import FORBIDDEN_BACKOFF, CommandGate
from ..engine.queues import queue_display_name
from ..engine.reasons import Reason
from ..engine.rivals import RivalWatch
from ..engine.scheduler import Action, Command, Memory, Plan, release
from ..immich import (
    ImmichClient,
    ImmichError,
    InvalidAuth,
    MissingPermission,
    NotAdmin,
    QueueStatus,
    Snapshot,
)
from .issues import (
    ISSUE_NOT_ADMIN,
    ISSUE_PERMISSION,
    EntryIssues,
    async_raise_left_paused,
    left_paused_issue_id,
)

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry

# How many errors diagnostics keep.
ERROR_HISTORY = 10


def setup_error(err: ImmichError) -> ConfigEntryAuthFailed | ConfigEntryNotReady:
    """Say why set-up cannot go on: a new key is needed, or Immich is not ready."""
    if isinstance(err, InvalidAuth):
        return ConfigEntryAuthFailed(
            translation_domain=DOMAIN, translation_key="invalid_auth"
        )
    return ConfigEntryNotReady(
        translation_domain=DOMAIN,
        translation_key=err.reason,
        translation_placeholders=err.placeholders or None,
    )


@dataclass(frozen=True, slots=True)
class Sent:
    """What came of a plan's commands."""

    snapshot: Snapshot
    memory: Memory
    # Seconds until a held-back command may go, when none took effect.
    held_back: float | None
    # The first of the user's own commands that Immich refused.
    failure: ImmichError | None
    # The queues whose command did not go out, and why (their status says so).
    unsent: Mapping[str, Reason] = field(default_factory=dict)


def memory_after(plan: Plan, sent: set[str], before: Memory) -> Memory:
    """Ownership follows what Immich did, not what the plan wished.

    A pause that was not sent is not ours; a queue whose resume was not sent stays ours (it
    is still paused, and a release must still resume it).
    """
    owned = set(plan.memory.owned)
    for command in plan.commands:
        if command.queue in sent:
            continue
        if command.action is Action.PAUSE:
            owned.discard(command.queue)
        elif command.queue in before.owned:
            owned.add(command.queue)
    return replace(plan.memory, owned=frozenset(owned))


class Dispatcher:
    """Sends commands for one server and keeps what their failures imply."""

    def __init__(
        self,
        client: ImmichClient,
        gate: CommandGate,
        rivals: RivalWatch,
        issues: EntryIssues,
        entry: ConfigEntry,
    ) -> None:
        """Share the coordinator's client, gate, rival watch and issues."""
        self.client = client
        self.gate = gate
        self.rivals = rivals
        self.issues = issues
        self.title = entry.title
        self.errors: deque[tuple[str, str]] = deque(maxlen=ERROR_HISTORY)

    def read_failed(self, err: ImmichError) -> UpdateFailed | ConfigEntryAuthFailed:
        """Note a failed read (unknown state) and return the error the cycle ends with."""
        self.gate.read_failed()
        self.errors.append((dt_util.utcnow().isoformat(), err.reason))
        if isinstance(err, MissingPermission):
            self.issues.missing_permission(err.permission)
        elif isinstance(err, NotAdmin):
            self.issues.raise_issue(ISSUE_NOT_ADMIN)
        if isinstance(err, InvalidAuth):
            return ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key=err.reason
            )
        return UpdateFailed(
            translation_domain=DOMAIN,
            translation_key=err.reason,
            translation_placeholders=err.placeholders or None,
        )

    def read_ok(self) -> bool:
        """Note a good read; tell whether it ends an outage (Immich may still be booting)."""
        ended = self.gate.read_ok()
        if ended:
            # Immich's boot flips metadataExtraction itself: no flip against us.
            self.rivals.forget()
        self.issues.delete(ISSUE_NOT_ADMIN)
        if not self.gate.blocked:
            self.issues.delete(ISSUE_PERMISSION)
        return ended

    def watch_rivals(self, snapshot: Snapshot, memory: Memory, now: float) -> Memory:
        """Notice another controller; the queues it holds are not ours any more."""
        contested = self.rivals.observe(snapshot, now)
        if not contested:
            return memory
        LOGGER.warning(
            "%s: queues %s keep being flipped against the integration's commands; "
            "leaving them alone until the integration is reloaded",
            self.title,
            ", ".join(sorted(contested)),
        )
        self.issues.fighting(self.rivals.contested)
        # Leaving the managed set must not resume them either.
        return replace(memory, owned=memory.owned - contested)

    async def async_recheck_permission(self) -> None:
        """After the back-off, ask Immich whether the key may command queues again."""
        if not self.gate.recheck_due():
            return
        try:
            access = await self.client.async_get_access()
        except ImmichError:
            return
        if access.missing_control:
            self.gate.forbidden()
            self.issues.missing_permission(", ".join(access.missing_control))
        else:
            self.gate.unblock()
            self.issues.delete(ISSUE_PERMISSION)

    async def async_send(
        self,
        plan: Plan,
        snapshot: Snapshot,
        before: Memory,
        own: frozenset[CommandKey] = frozenset(),
    ) -> Sent:
        """Send what the gate lets through; the user's own commands always go."""
        updated = dict(snapshot)
        sent: set[str] = set()
        waits: list[float] = []
        failure: ImmichError | None = None
        refused = False
        unsent: dict[str, Reason] = {}
        for command in plan.commands:
            mine = key_of(command) in own
            if (wait := self.gate.wait(command, user=mine)) is not None:
                waits.append(wait)
                unsent[command.queue] = self.gate.holding(command) or Reason.RETRYING
                continue
            try:
                updated[command.queue] = await self._async_command(command)
            except MissingPermission as err:
                refused = True
                self.gate.forbidden()
                self.issues.missing_permission(err.permission)
                waits.append(FORBIDDEN_BACKOFF)
                unsent[command.queue] = Reason.NO_PERMISSION
                failure = failure or (err if mine else None)
                continue
            except ImmichError as err:
                # The next cycle plans from the real state and corrects this; until the
                # back-off ends, that queue is not commanded again (no request storm).
                if self.gate.failed(command.queue):
                    LOGGER.warning(
                        "%s: could not %s queue %s: %s",
                        self.title,
                        command.action,
                        queue_display_name(command.queue),
                        err,
                    )
                self.errors.append(
                    (dt_util.utcnow().isoformat(), f"{command.action} {command.queue}")
                )
                waits.append(self.gate.wait(command) or 0.0)
                unsent[command.queue] = Reason.RETRYING
                failure = failure or (err if mine else None)
                continue
            sent.add(command.queue)
        if sent and self.gate.blocked and not refused:
            # Immich obeyed: the key may command queues again.
            self.gate.unblock()
            self.issues.delete(ISSUE_PERMISSION)
        return Sent(
            snapshot=updated,
            memory=memory_after(plan, sent, before),
            held_back=min(waits) if waits and not sent else None,
            failure=failure,
            unsent=unsent,
        )

    async def _async_command(self, command: Command) -> QueueStatus:
        paused = command.action is Action.PAUSE
        try:
            status = await self.client.async_set_paused(command.queue, paused)
        except InvalidAuth as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="invalid_auth"
            ) from err
        LOGGER.debug("%s %s: %s", command.action, command.queue, command.reason)
        self.gate.sent(command.queue)
        self.rivals.commanded(command.queue, paused)
        return status


async def async_release_queues(
    hass: HomeAssistant, client: ImmichClient, entry: ConfigEntry, memory: Memory
) -> bool:
    """Resume what the integration paused; tell the user which queues if Immich is away.

    Returns whether everything was resumed.
    """
    if not memory.owned:
        return True
    try:
        snapshot = await client.async_get_queues()
        for command in release(snapshot, memory).commands:
            await client.async_set_paused(command.queue, False)
    except ImmichError as err:
        LOGGER.warning(
            "%s: could not resume queues %s: %s",
            entry.title,
            ", ".join(sorted(memory.owned)),
            err,
        )
        async_raise_left_paused(hass, entry, memory.owned)
        return False
    ir.async_delete_issue(hass, DOMAIN, left_paused_issue_id(entry))
    return True
