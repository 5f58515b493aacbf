"""Tests for the queue model: BullMQ semantics, Immich's pipeline, and the recorded timelines."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from simulator.cpu import Box, Cost
from simulator.model import (
    ALL_QUEUES,
    DEFAULT_CONCURRENCY,
    FACE_DETECTION,
    METADATA_EXTRACTION,
    SMART_SEARCH,
    THUMBNAIL_GENERATION,
    VIDEO_CONVERSION,
    CommandRefused,
    ImmichModel,
    JobEvent,
    QueueCounts,
    UnknownQueue,
    queue_names,
)
from simulator.scenarios import (
    SCENARIOS,
    library_import,
    trickle,
    video_backlog_with_uploads,
)

SAMPLES = Path(__file__).parent.parent / "fixtures" / "immich-samples" / "v3.1.0"
THUMB = THUMBNAIL_GENERATION
VIDEO = VIDEO_CONVERSION
# A box with 2 cores at the reference speed, and round costs the tests compute with by hand.
BOX = Box(cores=2, speed=1.0)
TRANSCODE = Cost(20.0, threads=4)  # 20 core-seconds, uses every core: 10 s alone on BOX
ROUND_COSTS = {
    (METADATA_EXTRACTION, "photo"): Cost(0.1),
    ("storageTemplateMigration", "photo"): Cost(0.02),
    (THUMB, "photo"): Cost(0.5),
    (THUMB, "video"): Cost(1.0),
    (VIDEO, "video"): TRANSCODE,
}


def round_model() -> ImmichModel:
    """Return a model on BOX with the round costs."""
    return ImmichModel(box=BOX, costs=ROUND_COSTS)


def load_timeline(name: str) -> list[dict[str, Any]]:
    """Load a recorded time series of counts from a real v3.1.0 server."""
    return json.loads((SAMPLES / name).read_text())  # type: ignore[no-any-return]


def as_timeline_entry(counts: QueueCounts) -> dict[str, Any]:
    """Render counts the way the recorded timelines store them."""
    return {
        "isPaused": counts.is_paused,
        "active": counts.active,
        "completed": counts.completed,
        "failed": counts.failed,
        "delayed": counts.delayed,
        "waiting": counts.waiting,
        "paused": counts.paused,
    }


def test_idle_server_counts_zero_everywhere() -> None:
    """A fresh server reports zeros, unpaused, for every v3.1 queue."""
    model = ImmichModel()
    snap = model.snapshot()
    assert tuple(snap) == ALL_QUEUES
    assert all(c == QueueCounts(0, 0, 0, 0, 0, 0, False) for c in snap.values())
    assert model.next_event_time() is None


def test_queue_sets_per_version() -> None:
    """Queues appear in the release that introduced them."""
    assert "backupDatabase" not in queue_names((1, 106))
    assert "backupDatabase" in queue_names((1, 136))
    assert "ocr" not in queue_names((2, 1))
    assert {"ocr", "workflow"} <= set(queue_names((2, 3)))
    assert "editor" not in queue_names((2, 4))
    assert "integrityCheck" not in queue_names((2, 5))
    assert len(queue_names((1, 106))) == 14
    assert len(queue_names((3, 1))) == 19


def test_concurrency_defaults_and_limit() -> None:
    """No queue ever runs more jobs than its concurrency."""
    model = ImmichModel()
    peak: dict[str, int] = {}

    def watch(event: JobEvent) -> None:
        active = model.counts(event.queue).active
        peak[event.queue] = max(peak.get(event.queue, 0), active)

    model.add_listener(watch)
    library_import(model, photos=50, videos=5)
    model.run_until_idle()
    assert peak[THUMB] == DEFAULT_CONCURRENCY[THUMB] == 3
    assert peak[METADATA_EXTRACTION] == 5
    assert peak[VIDEO_CONVERSION] == 1
    assert model.is_idle()


def test_photo_pipeline_reaches_every_downstream_queue_but_video_conversion() -> None:
    """A photo flows metadata → storage template → thumbnails → ML queues → follow-ups."""
    model = ImmichModel()
    (asset_id,) = model.upload(photos=1)
    model.run_until_idle()
    done = model.assets[asset_id].done
    assert set(done) == {
        "metadataExtraction",
        "storageTemplateMigration",
        "thumbnailGeneration",
        "smartSearch",
        "faceDetection",
        "ocr",
        "duplicateDetection",
        "facialRecognition",
    }
    order = sorted(done, key=done.__getitem__)
    assert order[:3] == [
        "metadataExtraction",
        "storageTemplateMigration",
        "thumbnailGeneration",
    ]
    assert done["duplicateDetection"] > done["smartSearch"]
    assert done["facialRecognition"] > done["faceDetection"]


def test_video_is_transcoded_after_its_thumbnail() -> None:
    """Only videos reach videoConversion, after their thumbnail (10 s alone on the box)."""
    model = round_model()
    (video,) = model.upload(videos=1)
    model.run_until_idle()
    asset = model.assets[video]
    assert asset.thumbnail_at is not None
    # The ML queues' millisecond jobs for the video share the cores at first: 0.03 s more.
    assert asset.done[VIDEO_CONVERSION] == pytest.approx(
        asset.thumbnail_at + 10.0, abs=0.05
    )


def test_ocr_only_where_the_release_has_it() -> None:
    """On a release without the ocr queue, the pipeline skips it."""
    model = ImmichModel(queues=queue_names((1, 137)))
    (asset_id,) = model.upload(photos=1)
    model.run_until_idle()
    assert "ocr" not in model.assets[asset_id].done
    assert "smartSearch" in model.assets[asset_id].done


def test_pause_keeps_running_jobs_and_counts_backlog_as_paused() -> None:
    """BullMQ pause: active drains to 0, the rest sits in ``paused``; resume restores it."""
    model = ImmichModel()
    model.enqueue(THUMB, 10, kind="photo", duration=1.0)
    assert model.counts(THUMB).active == 3
    model.pause(THUMB)
    counts = model.counts(THUMB)
    assert (counts.is_paused, counts.active, counts.waiting, counts.paused) == (
        True,
        3,
        0,
        7,
    )
    model.advance(5.0)
    counts = model.counts(THUMB)
    assert (counts.active, counts.waiting, counts.paused) == (0, 0, 7)
    model.resume(THUMB)
    counts = model.counts(THUMB)
    assert (counts.is_paused, counts.active, counts.waiting, counts.paused) == (
        False,
        3,
        4,
        0,
    )


def test_follow_ups_land_in_paused_queue() -> None:
    """Downstream jobs are enqueued even when the next queue is paused."""
    model = ImmichModel()
    model.pause(THUMB)
    model.upload(photos=4)
    model.run_until_idle(limit=60)
    counts = model.counts(THUMB)
    assert (counts.active, counts.waiting, counts.paused) == (0, 0, 4)
    assert model.counts(SMART_SEARCH).paused + model.counts(SMART_SEARCH).waiting == 0


def test_start_enqueues_discovery_job_and_respects_pause() -> None:
    """Start on a paused queue leaves one paused job and runs nothing (timeline-paused-force)."""
    model = round_model()  # discovery 0.01 s, a photo thumbnail 0.5 s
    model.upload(photos=5)
    model.run_until_idle()
    model.pause(THUMB)
    model.start(THUMB, force=True)
    model.advance(30)
    counts = model.counts(THUMB)
    assert (counts.active, counts.waiting, counts.paused) == (0, 0, 1)
    model.resume(THUMB)
    model.advance(0.011)
    assert model.counts(THUMB).active + model.counts(THUMB).waiting == 5


def test_start_without_force_only_queues_missing_assets() -> None:
    """force=false discovers only assets the queue has not processed."""
    # Discovery takes 0.01 s here; the jobs it finds take 1 s, so they are still counted.
    model = ImmichModel(
        box=BOX, costs={(FACE_DETECTION, "photo"): Cost(1.0), **ROUND_COSTS}
    )
    model.pause(FACE_DETECTION)
    model.upload(photos=3)
    model.run_until_idle(limit=60)
    model.empty(FACE_DETECTION)
    model.resume(FACE_DETECTION)
    model.start(SMART_SEARCH, force=False)
    model.advance(0.011)
    assert model.counts(SMART_SEARCH).active + model.counts(SMART_SEARCH).waiting == 0
    model.start(FACE_DETECTION, force=False)
    model.advance(0.011)
    assert (
        model.counts(FACE_DETECTION).active + model.counts(FACE_DETECTION).waiting == 3
    )


def test_start_refusals_carry_immich_messages() -> None:
    """Start is refused while jobs run, and for queues without a start handler."""
    model = ImmichModel()
    model.enqueue(THUMB, 1, duration=5)
    with pytest.raises(CommandRefused, match="^Job is already running$"):
        model.start(THUMB)
    with pytest.raises(CommandRefused, match="^Invalid job name: backgroundTask$"):
        model.start("backgroundTask")
    with pytest.raises(UnknownQueue):
        model.start("noSuchQueue")


def test_empty_clear_failed_and_delayed() -> None:
    """Empty drops the backlog but not running jobs; failed/delayed counts are settable."""
    model = ImmichModel()
    model.enqueue(THUMB, 10, duration=1)
    model.empty(THUMB)
    assert (model.counts(THUMB).active, model.counts(THUMB).waiting) == (3, 0)
    model.inject_failed(THUMB, 2)
    model.set_delayed("notifications", 4)
    assert model.counts(THUMB).failed == 2
    assert model.counts("notifications").delayed == 4
    model.clear_failed(THUMB)
    assert model.counts(THUMB).failed == 0


def test_hidden_jobs_run_but_are_counted_nowhere_while_waiting() -> None:
    """Prioritized jobs (person thumbnails) are invisible until they run."""
    model = ImmichModel()
    model.pause(THUMB)
    model.enqueue(THUMB, 5, hidden=True)
    counts = model.counts(THUMB)
    assert counts.waiting + counts.paused == 0
    assert not model.is_idle()
    model.resume(THUMB)
    assert model.counts(THUMB).active == 3


def test_restart_requeues_running_jobs_and_resumes_only_metadata() -> None:
    """Restart: running jobs go back to waiting; pause state survives except metadata."""
    model = round_model()
    model.enqueue(VIDEO_CONVERSION, 2, kind="video")
    model.pause(THUMB)
    model.pause(METADATA_EXTRACTION)
    model.advance(4.0)
    assert model.counts(VIDEO_CONVERSION).active == 1
    model.restart()
    assert model.counts(THUMB).is_paused
    assert not model.counts(METADATA_EXTRACTION).is_paused
    counts = model.counts(VIDEO_CONVERSION)
    assert (counts.active, counts.waiting) == (1, 1)
    # The interrupted job starts over: it finishes a full 10 s after the restart.
    assert model.next_event_time() == pytest.approx(4.0 + 10.0)


def test_restart_downtime_runs_nothing_until_booted() -> None:
    """While Immich boots, nothing runs; then the interrupted job starts over."""
    model = round_model()
    model.enqueue(VIDEO_CONVERSION, 1, kind="video")
    model.advance(4.0)
    model.restart(downtime=30.0)
    assert model.is_down
    model.upload(photos=1)
    model.advance(29.0)
    assert model.counts(VIDEO_CONVERSION).active == 0
    assert model.counts(VIDEO_CONVERSION).waiting == 1
    assert model.counts(METADATA_EXTRACTION).waiting == 1
    model.advance(1.0)
    assert model.down_until is None  # booted
    assert model.counts(VIDEO_CONVERSION).active == 1
    # Booted at 34 s: the transcode (10 s) shares the box with the photo's jobs at first.
    assert model.run_until_idle() == pytest.approx(34.0 + 10.0, abs=0.5)


def test_event_log_thumbnail_latency_and_busy_intervals() -> None:
    """Benchmarks read per-asset upload/thumbnail times and per-queue busy intervals."""
    model = round_model()
    model.advance_to(10.0)
    (photo,) = model.upload(photos=1)
    model.run_until_idle()
    asset = model.assets[photo]
    assert asset.uploaded_at == 10.0
    assert asset.thumbnail_at == pytest.approx(10.0 + 0.1 + 0.02 + 0.5)
    (interval,) = model.busy_intervals(THUMB)
    assert interval == pytest.approx((10.12, 10.62))
    assert model.busy_intervals(VIDEO_CONVERSION) == []


def test_busy_interval_spans_back_to_back_jobs() -> None:
    """A video backlog is one long busy interval: active never drops between clips."""
    model = round_model()
    model.enqueue(VIDEO_CONVERSION, 3, kind="video")
    model.run_until_idle()
    assert model.busy_intervals(VIDEO_CONVERSION) == [pytest.approx((0.0, 30.0))]


def test_listener_sees_starts_and_finishes_and_can_be_removed() -> None:
    """Listeners receive every job start and finish with the model time."""
    model = ImmichModel()
    events: list[JobEvent] = []
    remove = model.add_listener(events.append)
    model.enqueue(THUMB, 1, duration=2)
    model.run_until_idle()
    assert [(e.what, e.time) for e in events] == [("start", 0.0), ("finish", 2.0)]
    remove()
    model.enqueue(THUMB, 1)
    model.run_until_idle()
    assert len(events) == 2


def test_step_jumps_between_events() -> None:
    """next_event_time/step let a driver hop from completion to completion."""
    model = round_model()
    model.enqueue(VIDEO_CONVERSION, 2, kind="video")
    assert model.next_event_time() == pytest.approx(10.0)
    assert model.step()
    assert model.now == pytest.approx(10.0)
    assert model.step()
    assert model.now == pytest.approx(20.0)
    assert not model.step()


def test_scheduled_actions_fire_at_their_time() -> None:
    """model.at runs an action when simulated time reaches it, not before."""
    model = ImmichModel()
    model.at(5.0, lambda m: m.pause(THUMB))
    model.advance_to(4.9)
    assert not model.counts(THUMB).is_paused
    model.advance_to(5.0)
    assert model.counts(THUMB).is_paused


def test_scenarios_schedule_uploads() -> None:
    """Each scenario uploads what it says, when it says."""
    assert set(SCENARIOS) == {"empty", "import", "trickle", "backlog"}
    model = ImmichModel()
    video_backlog_with_uploads(model)
    model.run_until_idle()
    kinds = [(a.kind, a.uploaded_at) for a in model.assets.values()]
    assert kinds.count(("video", 0.0)) == 20
    assert [t for k, t in kinds if k == "photo"] == [30.0, 40.0, 50.0, 60.0, 70.0]
    # Unmanaged on the default (faster) box: the 20 clips dominate (192 s on the real box).
    assert 0.85 * 192 < model.now < 1.15 * 192

    model = ImmichModel()
    trickle(model, count=3, every=60)
    model.run_until_idle()
    assert [a.uploaded_at for a in model.assets.values()] == [0.0, 60.0, 120.0]

    model = ImmichModel()
    SCENARIOS["empty"](model)
    assert model.run_until_idle() == 0.0


def test_hours_of_work_simulate_in_one_run() -> None:
    """Event-driven: a 5,000-asset import (≈40,000 jobs) runs to its end in one call."""
    model = ImmichModel()
    library_import(model, photos=5000, videos=100)
    end = model.run_until_idle()
    assert end > 800  # about a quarter of an hour of simulated work
    assert model.completed_jobs > 40000
    assert model.is_idle()


# --- the recorded timelines (real v3.1.0, thumbnailGeneration at concurrency 3) -----------


def test_timeline_paused_follow_ups_pile_up_in_paused() -> None:
    """timeline-paused: thumbnails paused, 20 uploads → metadata runs, thumbnails hold 20."""
    recorded = load_timeline("timeline-paused.json")
    model = ImmichModel()
    model.pause(THUMB)
    model.upload(photos=20)
    seen_paused: list[int] = []
    while model.step():
        seen_paused.append(model.counts(THUMB).paused)
    assert seen_paused == sorted(seen_paused)  # grows, never drains while paused
    final = recorded[-1]
    for queue in (METADATA_EXTRACTION, THUMB):
        assert as_timeline_entry(model.counts(queue)) == final[queue]


def test_timeline_midflight_pause_drains_active_and_resume_moves_to_waiting() -> None:
    """timeline-midflight: pause mid-run → active drains, paused holds; resume → waiting."""
    recorded = load_timeline("timeline-midflight.json")
    first_paused = next(e for e in recorded if e[THUMB]["isPaused"])
    drained = next(
        e for e in recorded if e[THUMB]["isPaused"] and e[THUMB]["active"] == 0
    )
    resumed = next(
        e for e in recorded if e["t"] > drained["t"] and not e[THUMB]["isPaused"]
    )
    real_drain = drained["t"] - first_paused["t"]
    real_finish = recorded[-1]["t"] - resumed["t"]
    total = first_paused[THUMB]["active"] + first_paused[THUMB]["paused"]

    model = ImmichModel()
    model.enqueue(THUMB, total, kind="photo")
    model.advance(0.01)
    model.pause(THUMB)
    paused_at = model.now
    after_pause = model.counts(THUMB)
    assert after_pause.is_paused
    assert after_pause.active == first_paused[THUMB]["active"] == 3
    assert after_pause.waiting == first_paused[THUMB]["waiting"] == 0
    assert after_pause.paused == first_paused[THUMB]["paused"]

    actives: list[int] = []
    while model.counts(THUMB).active:
        assert model.step()
        actives.append(model.counts(THUMB).active)
        assert model.counts(THUMB).paused == first_paused[THUMB]["paused"]
    assert actives == sorted(actives, reverse=True)
    model_drain = model.now - paused_at
    assert model_drain <= max(real_drain, 0.45) + 0.05

    model.advance(4.0)  # held like the recording: nothing runs while paused
    assert as_timeline_entry(model.counts(THUMB)) == drained[THUMB]
    model.resume(THUMB)
    resumed_at = model.now
    after_resume = model.counts(THUMB)
    assert (after_resume.active, after_resume.paused) == (3, 0)
    assert after_resume.waiting == drained[THUMB]["paused"] - 3
    model.run_until_idle()
    assert as_timeline_entry(model.counts(THUMB)) == recorded[-1][THUMB]
    # Same order of magnitude as the real drain (≈0.33-0.45 s per thumbnail, 3 at a time).
    assert 0.6 * real_finish < model.now - resumed_at < 1.6 * real_finish


def test_timeline_resumed_drains_at_concurrency_three() -> None:
    """timeline-resumed: 20 resumed thumbnails run 3 at a time, waiting falls to 0."""
    recorded = load_timeline("timeline-resumed.json")
    real_span = recorded[-1]["t"] - recorded[0]["t"]
    model = ImmichModel()
    model.pause(THUMB)
    model.upload(photos=20)
    model.run_until_idle(limit=60)
    model.resume(THUMB)
    resumed_at = model.now
    waiting: list[int] = []
    while model.counts(THUMB).active:
        counts = model.counts(THUMB)
        assert counts.active <= 3
        assert counts.paused == 0
        waiting.append(counts.waiting)
        model.step()
    assert waiting == sorted(waiting, reverse=True)
    assert waiting[0] == 17 == recorded[0][THUMB]["waiting"]
    assert as_timeline_entry(model.counts(THUMB)) == recorded[-1][THUMB]
    # The recording starts mid-drain; the model's full drain is of the same size. The model's
    # photo thumbnail is fitted to the benchmark workload's photos (0.56 s beside a transcode
    # on the slower box, 0.3 s on this one), which drain faster than this recording's.
    assert 0.6 * real_span < model.now - resumed_at < 2.0 * real_span
