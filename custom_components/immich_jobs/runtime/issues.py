"""Repair issues of one server: what the user must act on, named in their words."""

from __future__ import annotations

from collections.abc import Iterable

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

from ..const import DOMAIN
from ..engine.queues import is_manageable, queue_display_name
from ..immich import Snapshot

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


def display_names(queues: Iterable[str]) -> str:
    """Name queues as Immich's page does, for a repair text."""
    return ", ".join(queue_display_name(queue) for queue in sorted(queues))


def paused_internal_queues(snapshot: Snapshot) -> list[str]:
    """List the internal queues that are paused in a snapshot."""
    return sorted(
        name
        for name, queue in snapshot.items()
        if not is_manageable(name) and queue.is_paused
    )


@callback
def async_delete_entry_issues(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Withdraw a server's repair issues: they describe a running schedule that has ended.

    The next set-up raises again whatever still holds (a missing permission, a rival).
    """
    for issue in ENTRY_ISSUES:
        ir.async_delete_issue(hass, DOMAIN, issue_id(issue, entry))


@callback
def async_raise_left_paused(
    hass: HomeAssistant, entry: ConfigEntry, queues: Iterable[str]
) -> None:
    """Tell the user which queues to resume by hand (a release could not reach Immich)."""
    ir.async_create_issue(
        hass,
        DOMAIN,
        left_paused_issue_id(entry),
        is_fixable=False,
        is_persistent=True,
        severity=ir.IssueSeverity.WARNING,
        translation_key=ISSUE_LEFT_PAUSED,
        translation_placeholders={
            "title": entry.title,
            "queues": display_names(queues),
        },
    )


class EntryIssues:
    """Raise and withdraw one server's repair issues."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry) -> None:
        """Keep the server the issues are about."""
        self._hass = hass
        self._entry = entry

    def raise_issue(
        self,
        issue: str,
        severity: ir.IssueSeverity = ir.IssueSeverity.ERROR,
        *,
        fixable: bool = False,
        **placeholders: str,
    ) -> None:
        """Raise (or update) one of this server's repair issues."""
        entry = self._entry
        ir.async_create_issue(
            self._hass,
            DOMAIN,
            issue_id(issue, entry),
            is_fixable=fixable,
            severity=severity,
            translation_key=issue,
            translation_placeholders={"title": entry.title, **placeholders},
            data={"entry_id": entry.entry_id} if fixable else None,
        )

    def delete(self, issue: str) -> None:
        """Withdraw an issue that no longer holds."""
        ir.async_delete_issue(self._hass, DOMAIN, issue_id(issue, self._entry))

    def missing_permission(self, permission: str) -> None:
        """Name the permission the key lacks."""
        self.raise_issue(ISSUE_PERMISSION, permission=permission)

    def check_internal_queues(self, snapshot: Snapshot) -> None:
        """Tell the user when internal queues are paused: the old add-on leaves them so.

        A paused backgroundTask stops trash emptying and deletions; Immich's page has no
        button to resume it, so the repair offers one.
        """
        paused = paused_internal_queues(snapshot)
        if not paused:
            self.delete(ISSUE_INTERNAL_PAUSED)
            return
        self.raise_issue(
            ISSUE_INTERNAL_PAUSED,
            ir.IssueSeverity.WARNING,
            fixable=True,
            queues=display_names(paused),
        )

    def fighting(self, contested: Iterable[str]) -> None:
        """Name the queues another controller flips."""
        self.raise_issue(
            ISSUE_FIGHTING, ir.IssueSeverity.WARNING, queues=display_names(contested)
        )
