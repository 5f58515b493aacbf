"""Upload-aware quiet period: each documented rule, with the expected outcome written by hand."""

from __future__ import annotations

from custom_components.immich_jobs.engine.house.holds import Hold, HoldKind
from custom_components.immich_jobs.engine.house.uploads import (
    UploadMemory,
    UploadOptions,
    UploadOutcome,
    uploads_from_options,
    validate_heavy,
    watch,
)
from custom_components.immich_jobs.immich import QueueStatus
from tests.scheduler.helpers import queue, snap

UPLOADS = Hold(HoldKind.UPLOADS)
# Video conversion and the queues calling the machine-learning service.
HEAVY_HELD = {
    "videoConversion": UPLOADS,
    "smartSearch": UPLOADS,
    "faceDetection": UPLOADS,
    "ocr": UPLOADS,
}
OTHERS = (
    queue("thumbnailGeneration", 3),
    queue("videoConversion", 12, active=1),
    queue("smartSearch", 40),
    queue("faceDetection", 40),
    queue("facialRecognition", 2),
    queue("duplicateDetection", 2),
    queue("ocr", 40),
)


class Reads:
    """Feed successive reads to `watch` as the coordinator would, keeping the memory."""

    def __init__(self, options: UploadOptions | None = None) -> None:
        """Start knowing nothing of uploads."""
        self.options = options or UploadOptions()
        self.memory = UploadMemory()

    def at(
        self, now: float, metadata: QueueStatus | None, *others: QueueStatus
    ) -> UploadOutcome:
        """Read at `now` with this metadataExtraction queue (None: the read failed).

        `others` replace the queues of the same name in OTHERS.
        """
        replaced = {status.name: status for status in others}
        snapshot = (
            None
            if metadata is None
            else snap(metadata, *(replaced.get(o.name, o) for o in OTHERS))
        )
        outcome = watch(self.memory, self.options, snapshot, now)
        self.memory = outcome.memory
        return outcome


def test_nothing_arriving_holds_nothing() -> None:
    """An empty first hop: no uploads, no hold, nothing to look at later."""
    outcome = Reads().at(0.0, queue("metadataExtraction"))
    assert not outcome.active
    assert outcome.held == {}
    assert outcome.until is None
    assert outcome.next_check is None


def test_work_in_the_resumed_first_hop_holds_the_heavy_queues_for_five_minutes() -> (
    None
):
    """Two metadata jobs seen at 10 s: video and ML queues held until 310 s."""
    reads = Reads()
    reads.at(0.0, queue("metadataExtraction"))
    outcome = reads.at(10.0, queue("metadataExtraction", 2))
    assert outcome.active
    assert outcome.until == 310.0
    assert outcome.next_check == 300.0
    assert outcome.held == HEAVY_HELD


def test_thumbnails_are_not_heavy() -> None:
    """A new photo's thumbnail still goes through while uploads arrive."""
    reads = Reads()
    outcome = reads.at(0.0, queue("metadataExtraction", 1, active=1))
    assert "thumbnailGeneration" not in outcome.held
    assert "facialRecognition" not in outcome.held
    assert "duplicateDetection" not in outcome.held


def test_a_rise_in_a_paused_first_hop_is_an_upload() -> None:
    """Held metadata (new jobs land in `paused`): 5 → 8 jobs means three new assets."""
    reads = Reads()
    assert not reads.at(0.0, queue("metadataExtraction", 5, paused=True)).active
    assert reads.at(10.0, queue("metadataExtraction", 8, paused=True)).active


def test_a_paused_backlog_that_does_not_rise_never_keeps_the_hold() -> None:
    """A metadata backlog the user holds is no upload: it cannot hold the heavy queues."""
    reads = Reads()
    reads.at(0.0, queue("metadataExtraction", 500, paused=True))
    assert not reads.at(10.0, queue("metadataExtraction", 500, paused=True)).active
    assert not reads.at(20.0, queue("metadataExtraction", 480, paused=True)).active


def test_new_jobs_in_a_paused_later_hop_are_uploads() -> None:
    """A video a minute: its metadata job is never caught, but paused video conversion grows."""
    reads = Reads()
    empty = queue("metadataExtraction")
    assert not reads.at(0.0, empty, queue("videoConversion", 3, paused=True)).active
    assert not reads.at(10.0, empty, queue("videoConversion", 3, paused=True)).active
    outcome = reads.at(60.0, empty, queue("videoConversion", 4, paused=True))
    assert outcome.active
    assert outcome.until == 360.0


def test_a_resumed_later_hop_that_grows_is_not_an_upload() -> None:
    """Smart search started by the user fills itself (its discovery job runs): no upload."""
    reads = Reads()
    empty = queue("metadataExtraction")
    reads.at(0.0, empty, queue("smartSearch"))
    assert not reads.at(10.0, empty, queue("smartSearch", 3000)).active


def test_a_later_hop_paused_at_one_read_only_is_not_compared() -> None:
    """Resumed at 0 s, paused at 10 s with more jobs: nothing says they came from upstream."""
    reads = Reads()
    empty = queue("metadataExtraction")
    reads.at(0.0, empty, queue("faceDetection", 5))
    assert not reads.at(10.0, empty, queue("faceDetection", 9, paused=True)).active
    assert reads.at(20.0, empty, queue("faceDetection", 10, paused=True)).active


def test_the_quiet_period_runs_from_the_last_upload_seen() -> None:
    """Uploads seen at 0 s and 100 s: held until 400 s, free from then on."""
    reads = Reads()
    reads.at(0.0, queue("metadataExtraction", 1))
    reads.at(50.0, queue("metadataExtraction"))
    reads.at(100.0, queue("metadataExtraction", 3))
    assert reads.at(399.0, queue("metadataExtraction")).next_check == 1.0
    outcome = reads.at(400.0, queue("metadataExtraction"))
    assert not outcome.active
    assert outcome.held == {}
    assert outcome.until == 400.0


def test_a_failed_read_learns_nothing_and_the_period_still_ends_on_time() -> None:
    """No snapshot: no new sighting, the hold ends 300 s after the last one all the same."""
    reads = Reads()
    reads.at(0.0, queue("metadataExtraction", 1))
    failed = reads.at(10.0, None)
    assert failed.active
    assert failed.held == HEAVY_HELD
    assert not reads.at(300.0, None).active


def test_the_first_read_after_a_start_judges_on_what_it_sees() -> None:
    """Nothing known before: a resumed backlog counts as arriving, a paused one does not."""
    assert Reads().at(0.0, queue("metadataExtraction", 40)).active
    assert not Reads().at(0.0, queue("metadataExtraction", 40, paused=True)).active


def test_switched_off_it_still_says_uploads_arrive_but_holds_nothing() -> None:
    """The option off: the state is shown, no queue is held."""
    reads = Reads(UploadOptions(enabled=False))
    outcome = reads.at(0.0, queue("metadataExtraction", 2))
    assert outcome.active
    assert outcome.held == {}


def test_only_heavy_queues_present_and_manageable_are_held() -> None:
    """A heavy queue this Immich lacks, or an internal one, is never held."""
    reads = Reads(
        UploadOptions(
            heavy=frozenset({"videoConversion", "backgroundTask", "newQueue"})
        )
    )
    assert reads.at(0.0, queue("metadataExtraction", 2)).held == {
        "videoConversion": UPLOADS
    }


def test_an_upload_path_queue_cannot_be_heavy() -> None:
    """Holding metadata, storage template or thumbnails would hide the new photos."""
    assert validate_heavy({"videoConversion", "thumbnailGeneration"}) == (
        "heavy_upload_path"
    )
    assert validate_heavy({"metadataExtraction"}) == "heavy_upload_path"
    assert validate_heavy({"storageTemplateMigration"}) == "heavy_upload_path"
    assert (
        validate_heavy({"videoConversion", "smartSearch", "duplicateDetection"}) is None
    )


def test_options_are_read_with_defaults() -> None:
    """On by default, the four heavy queues, five minutes; junk reads as the default."""
    assert uploads_from_options({}) == UploadOptions(
        enabled=True,
        heavy=frozenset({"videoConversion", "smartSearch", "faceDetection", "ocr"}),
        quiet_seconds=300.0,
    )
    options = uploads_from_options(
        {
            "upload_quiet": False,
            "heavy_queues": ["videoConversion", 7],
            "upload_quiet_minutes": 500,
        }
    )
    assert options == UploadOptions(
        enabled=False, heavy=frozenset({"videoConversion"}), quiet_seconds=7200.0
    )
    assert uploads_from_options({"heavy_queues": "ocr"}).heavy == frozenset(
        {"videoConversion", "smartSearch", "faceDetection", "ocr"}
    )
    assert uploads_from_options({"upload_quiet_minutes": 0}).quiet_seconds == 60.0


def test_a_read_without_the_first_hop_sees_no_upload() -> None:
    """A snapshot that lacks metadata extraction (a partial read) sees nothing arriving."""
    outcome = watch(
        UploadMemory(), UploadOptions(), snap(queue("videoConversion", 3)), 0.0
    )
    assert not outcome.active
    assert outcome.memory == UploadMemory()
