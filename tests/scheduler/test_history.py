"""The plans diagnostics keep: the last 20 that commanded or changed something."""

from __future__ import annotations

from custom_components.immich_jobs.engine.history import PlanHistory
from custom_components.immich_jobs.engine.scheduler import (
    Action,
    Command,
    Memory,
    Plan,
    QueueReason,
    QueueState,
    Reason,
)

VIDEO = "videoConversion"


def _plan(state: QueueState, *, command: bool = False) -> Plan:
    commands = (
        (Command(VIDEO, Action.PAUSE, QueueReason(Reason.SLOT)),) if command else ()
    )
    return Plan(
        commands,
        Memory(),
        10.0,
        {VIDEO: state},
        reasons={VIDEO: QueueReason(Reason.WAITS_FOR_SLOT)},
    )


def test_idle_polls_are_left_out_and_changes_kept() -> None:
    """A plan like the one before, without commands, is not kept; a new state is."""
    history = PlanHistory()
    history.add("1", _plan(QueueState.RUNNING))
    history.add("2", _plan(QueueState.RUNNING))
    history.add("3", _plan(QueueState.RUNNING))
    history.add("4", _plan(QueueState.QUEUED))
    history.add("5", _plan(QueueState.QUEUED, command=True))
    assert [kept.at for kept in history] == ["1", "4", "5"]


def test_at_most_twenty_plans_are_kept() -> None:
    """The oldest go first."""
    history = PlanHistory()
    for at in range(25):
        history.add(str(at), _plan(QueueState.QUEUED, command=True))
    assert len(history) == 20
    assert [kept.at for kept in history][0] == "5"
