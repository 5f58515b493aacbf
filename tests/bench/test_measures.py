"""The benchmark's measures count what they claim to (issue 4's figures rest on them)."""

from __future__ import annotations

from bench.controllers import AddOn, Ours, Unmanaged
from bench.run import clipped, peak, run, sampled_peak
from bench.workloads import WORKLOADS
from custom_components.immich_jobs.scheduler import Policy

VIDEO_BACKLOG = next(w for w in WORKLOADS if w.name == "video_backlog_uploads")


def test_exact_peak_counts_overlaps_and_skips_short_stretches() -> None:
    """Overlapping stretches add up; a stretch ending as another starts does not overlap."""
    stretches = [(0.0, 10.0), (2.0, 2.01), (10.0, 12.0)]
    assert peak(stretches) == 2
    assert peak(stretches, skip_first=5.0) == 1


def test_sampled_peak_is_typical_not_aligned() -> None:
    """Millisecond jobs straddling a whole second are not what a once-a-second sampler sees."""
    straddling = [(0.99, 1.01), (0.99, 1.01), (0.0, 30.0)]
    assert peak(straddling) == 3
    assert sampled_peak(straddling) == 1
    assert sampled_peak([(0.0, 30.0), (5.0, 20.0)]) == 2


def test_clipped_keeps_only_what_follows_a_moment() -> None:
    """Stretches over by then vanish; one running across it starts there."""
    assert clipped([(0.0, 1.0), (0.5, 3.0), (4.0, 5.0)], 2.0) == [
        (2.0, 3.0),
        (4.0, 5.0),
    ]


def test_rule_3_burst_comes_before_any_read_can_see_it() -> None:
    """Uploads at idle run in every resumed queue at once; pausing at idle avoids it.

    This is why issue 4's "peak running queues <= N" cannot hold with rule 3, whatever the
    read interval: even reading every second, the exact peak is the unmanaged one.
    """
    unmanaged = run(VIDEO_BACKLOG, Unmanaged())
    strict = run(
        VIDEO_BACKLOG,
        Ours("strict", Policy(max_running=1, poll_interval=1.0, express_lane=False)),
    )
    addon = run(VIDEO_BACKLOG, AddOn())
    assert unmanaged["peak_running_once_seen"] is None
    assert strict["peak_running_queues"] == unmanaged["peak_running_queues"] > 2
    assert strict["peak_heavy_running"] == 1
    assert addon["peak_running_queues"] == addon["peak_running_once_seen"] == 1


def test_strict_cap_holds_from_the_first_read_at_the_default_interval() -> None:
    """Without the express lane, nothing exceeds N once the scheduler has seen the work."""
    strict = run(
        VIDEO_BACKLOG,
        Ours("strict", Policy(max_running=1, poll_interval=10.0, express_lane=False)),
    )
    preemptive = run(VIDEO_BACKLOG, Ours("preemptive", Policy(max_running=1)))
    assert strict["peak_running_once_seen"] == 1
    assert preemptive["peak_running_once_seen"] > 1  # express-lane bursts
    assert preemptive["peak_heavy_running"] == 1
