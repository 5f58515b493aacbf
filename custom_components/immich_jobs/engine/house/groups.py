"""Never together: groups of queues of which at most one runs at a time, whatever the limit.

Pure module (no Home Assistant, no I/O, no clock). For small-RAM boxes: two machine-learning
queues running at once load two models. Given the queues a plan leaves resumed, at most one
member of each group stays resumed; the others are held back with the reason.

Which member keeps the group: a queue the user runs now first (an explicit request), then one
with running jobs (pausing it would not stop them, and running work is not churned), then one
already resumed with work, then one with work, then the best priority. While another member
still runs jobs (draining), the keeper waits too, so two members never run jobs together once
a drain is over, and the keeper is not resumed only to be paused again.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from ...immich.models import Snapshot
from ..reasons import Reason
from .holds import Hold

MIN_GROUP_SIZE = 2


def never_together(
    resumed: Iterable[str],
    snapshot: Snapshot,
    groups: Sequence[frozenset[str]],
    priority: Sequence[str],
    first: Collection[str] = (),
) -> dict[str, Hold]:
    """Return the queues of `resumed` to hold back, each with the queue it waits for.

    `first`: queues that keep their group before any other (the run-now queues).
    """
    resumed_set = {name for name in resumed if name in snapshot}
    rank = {name: index for index, name in enumerate(priority)}
    held: dict[str, Hold] = {}
    for group in groups:
        members = sorted(
            (name for name in group if name in resumed_set and name not in held),
            key=lambda name: (
                name not in first,
                not snapshot[name].busy,
                snapshot[name].is_paused,
                not snapshot[name].has_work,
                rank.get(name, len(rank)),
                name,
            ),
        )
        if not members:
            continue
        keeper = members[0]
        held.update({name: Hold(Reason.NEVER_TOGETHER, keeper) for name in members[1:]})
        running = sorted(
            name
            for name in group
            if name != keeper and name in snapshot and snapshot[name].busy
        )
        if running and not snapshot[keeper].busy:
            # Another member's jobs still run: the keeper starts once they are done.
            held[keeper] = Hold(Reason.NEVER_TOGETHER, running[0])
    return held


def settle(
    resumed_with: Callable[[Mapping[str, Hold]], Collection[str]],
    snapshot: Snapshot,
    groups: Sequence[frozenset[str]],
    priority: Sequence[str],
    first: Collection[str] = (),
) -> dict[str, Hold]:
    """Hold group members back until the plan leaves at most one of each group resumed.

    `resumed_with(held)` plans with those queues held too and returns the queues left resumed.
    Holding a member can free a slot for another member of its group, so plan again until no
    new hold is needed; each round holds at least one more queue, so this ends.
    """
    held: dict[str, Hold] = {}
    while True:
        more = {
            name: hold
            for name, hold in never_together(
                resumed_with(held), snapshot, groups, priority, first
            ).items()
            if name not in held
        }
        if not more:
            return held
        held.update(more)


@dataclass(frozen=True, slots=True)
class GroupError:
    """Why the groups the user entered cannot be used: a translation key and the queue."""

    key: str
    queue: str = ""


def validate_groups(
    groups: Sequence[Iterable[str]], managed: Iterable[str]
) -> GroupError | None:
    """Check the user's groups: managed queues only, each in one group, two or more each."""
    known = frozenset(managed)
    seen: set[str] = set()
    for group in groups:
        members = list(dict.fromkeys(group))
        for name in members:
            if name not in known:
                return GroupError("group_unknown_queue", name)
            if name in seen:
                return GroupError("group_queue_twice", name)
            seen.add(name)
        if len(members) < MIN_GROUP_SIZE:
            return GroupError("group_too_small", members[0] if members else "")
    return None


def groups_from_options(value: object) -> tuple[frozenset[str], ...]:
    """Read the groups option (a list of lists of queue names); malformed groups are left out."""
    if not isinstance(value, list | tuple):
        return ()
    groups = (
        frozenset(name for name in group if isinstance(name, str))
        for group in value
        if isinstance(group, list | tuple | set | frozenset)
    )
    return tuple(group for group in groups if len(group) >= MIN_GROUP_SIZE)
