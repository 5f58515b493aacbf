"""When a command may go, and when another controller is suspected, on a hand-driven clock.

The numbers are the documented ones (README, design notes): pauses wait 60 s after an
outage, a failed command backs off 10 s doubling to 5 min, a missing permission blocks
commands for 5 min, three flips against our commands within 10 minutes mean a rival.
"""

from __future__ import annotations

from custom_components.immich_jobs.engine.gate import CommandGate
from custom_components.immich_jobs.engine.rivals import RivalWatch
from custom_components.immich_jobs.engine.scheduler import (
    Action,
    Command,
    QueueReason,
    Reason,
)
from custom_components.immich_jobs.immich import QueueStatus

VIDEO = "videoConversion"
PAUSE = Command(VIDEO, Action.PAUSE, QueueReason(Reason.SLOT))
RESUME = Command(VIDEO, Action.RESUME, QueueReason(Reason.SLOT))


class Clock:
    """Seconds that move only when told."""

    def __init__(self) -> None:
        """Start at an arbitrary monotonic reading."""
        self.now = 5000.0

    def __call__(self) -> float:
        """Read the clock."""
        return self.now


def test_after_an_outage_pauses_wait_a_minute_and_resumes_do_not() -> None:
    """A resume gives back work we paused: holding it would stall the queue."""
    clock = Clock()
    gate = CommandGate(clock)
    assert gate.wait(PAUSE) is None
    gate.read_failed()
    assert gate.read_ok() is True
    assert gate.wait(RESUME) is None
    clock.now += 59
    assert gate.wait(PAUSE) == 1
    assert gate.wait(RESUME) is None
    clock.now += 1
    assert gate.wait(PAUSE) is None
    # A second good read is no new outage's end.
    assert gate.read_ok() is False


def test_the_gate_names_what_holds_a_command_back_longest() -> None:
    """The queue's status shows why its command waits: grace, back-off or permission."""
    clock = Clock()
    gate = CommandGate(clock, outage=True)
    gate.read_ok()
    assert gate.holding(PAUSE) is Reason.GRACE_PERIOD
    assert gate.holding(RESUME) is None
    gate.failed(VIDEO)  # 10 s of back-off, inside the 60 s of grace
    assert gate.holding(PAUSE) is Reason.GRACE_PERIOD
    assert gate.holding(RESUME) is Reason.RETRYING
    gate.forbidden()  # 5 min: the longest wait now
    assert gate.holding(PAUSE) is Reason.NO_PERMISSION
    clock.now += 300
    assert gate.holding(PAUSE) is None


def test_a_start_that_may_be_a_boot_begins_like_an_outage() -> None:
    """Set up at Home Assistant's start (or after a failed attempt): the first read starts it."""
    clock = Clock()
    gate = CommandGate(clock, outage=True)
    assert gate.read_ok() is True
    assert gate.wait(PAUSE) == 60


def test_a_failing_queue_backs_off_doubling_to_five_minutes() -> None:
    """10, 20, 40 ... 300 s; a success ends it; other queues are not held back."""
    clock = Clock()
    gate = CommandGate(clock)
    waits = []
    for _ in range(7):
        gate.failed(VIDEO)
        waits.append(gate.wait(PAUSE))
    assert waits == [10, 20, 40, 80, 160, 300, 300]
    assert gate.wait(Command("ocr", Action.PAUSE, QueueReason(Reason.SLOT))) is None
    gate.sent(VIDEO)
    assert gate.wait(PAUSE) is None


def test_only_the_first_failure_is_worth_a_log_line() -> None:
    """A queue failing every retry is logged once, not every 5 minutes."""
    gate = CommandGate(Clock())
    assert gate.failed(VIDEO) is True
    assert gate.failed(VIDEO) is False


def test_a_missing_permission_blocks_five_minutes_then_asks_again() -> None:
    """Nothing is commanded meanwhile; afterwards the key is checked before retrying."""
    clock = Clock()
    gate = CommandGate(clock)
    gate.forbidden()
    assert gate.wait(RESUME) == 300
    clock.now += 299
    assert not gate.recheck_due()
    clock.now += 1
    assert gate.recheck_due()
    gate.unblock()
    assert gate.wait(RESUME) is None


def test_the_users_own_command_always_goes() -> None:
    """Grace period, back-off, permission block: the user asked now and is told if it fails."""
    clock = Clock()
    gate = CommandGate(clock, outage=True)
    gate.read_ok()
    gate.failed(VIDEO)
    gate.forbidden()
    assert gate.wait(PAUSE, user=True) is None


def _queue(paused: bool) -> dict[str, QueueStatus]:
    return {
        VIDEO: QueueStatus(
            name=VIDEO,
            active=0,
            waiting=0,
            paused=3,
            delayed=0,
            failed=0,
            is_paused=paused,
        )
    }


def _flips(watch: RivalWatch, times: list[float]) -> set[str]:
    """Pause, then see it resumed behind our back, at each time; return the contested."""
    newly: set[str] = set()
    for at in times:
        watch.commanded(VIDEO, True)
        newly |= watch.observe(_queue(False), at)
    return newly


def test_two_flips_in_ten_minutes_are_no_rival() -> None:
    """A user resuming a queue by hand twice is not another controller."""
    assert _flips(RivalWatch(), [0, 60]) == set()


def test_three_flips_in_ten_minutes_are_a_rival() -> None:
    """The third flip within 10 minutes names the queue (once)."""
    watch = RivalWatch()
    assert _flips(watch, [0, 60, 599]) == {VIDEO}
    assert _flips(watch, [620]) == set()
    assert watch.contested == {VIDEO}


def test_flips_further_apart_than_ten_minutes_are_no_rival() -> None:
    """Three flips over more than 10 minutes: each is old news by the third."""
    assert _flips(RivalWatch(), [0, 400, 801]) == set()


def test_after_an_outage_nothing_is_expected() -> None:
    """Immich's boot resumes metadata extraction itself: that is no flip against us."""
    watch = RivalWatch()
    _flips(watch, [0, 60])
    watch.commanded(VIDEO, True)
    watch.forget()
    # Two flips before: a leftover expectation would make this the third.
    assert watch.observe(_queue(False), 120) == set()
    assert watch.contested == set()
