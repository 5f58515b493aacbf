"""Leaving the server as the bench found it, and refusing a server with assets of its own.

Pure: the bench reads the server, these functions say what to do.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from custom_components.immich_jobs.immich import QueueStatus


@dataclass(frozen=True, slots=True)
class ResetPlan:
    """What to send: delete these assets for good, empty the trash or not, resume these queues."""

    delete: tuple[str, ...]
    empty_trash: bool
    resume: tuple[str, ...]


def plan_reset(
    uploaded: Collection[str],
    queues: Mapping[str, QueueStatus],
    *,
    server_was_empty: bool,
) -> ResetPlan:
    """Return the reset after a run: the bench's own assets, every paused queue.

    The trash is emptied only on a server that had no assets of its own (emptying it would
    also empty its owner's trash); the bench's assets are deleted with force, past the trash.
    """
    return ResetPlan(
        delete=tuple(sorted(uploaded)),
        empty_trash=server_was_empty,
        resume=tuple(sorted(name for name, q in queues.items() if q.is_paused)),
    )


def refusal(
    assets_on_server: int, own: Collection[str], *, allow_existing: bool
) -> str | None:
    """Return why the bench must not run here, or None.

    `own` are assets a previous run of the bench left (an interrupted run): they are its own
    and will be deleted. Anything else on the server belongs to someone.
    """
    foreign = assets_on_server - len(own)
    if foreign <= 0 or allow_existing:
        return None
    return (
        f"the server has {foreign} asset(s) the bench did not upload; its figures assume an "
        "empty server and its reset empties the trash. Point it at a server of its own, or "
        "pass --allow-existing-assets (then only the bench's own assets are deleted and the "
        "trash is left alone)"
    )
