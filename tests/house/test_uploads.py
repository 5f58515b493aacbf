"""Upload-aware quiet period: each documented rule, with the expected outcome written by hand."""

from __future__ import annotations

from custom_components.immich_jobs.engine.house.holds import Hold
from custom_components.immich_jobs.engine.house.uploads import (
    UploadMemory,
    UploadOptions,
    UploadOutcome,
    uploads_from_options,
    validate_heavy,
    watch,
)
from custom_components.immich_jobs.engine.reasons import Reason
from custom_components.immich_jobs.immich import QueueStatus
from tests.scheduler.helpers import queue, snap

# Video conversion and the queues calling the machine-learning service.
HEAVY_HELD = ("videoConversion", "smartSearch", "faceDetection", "ocr")
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


def rising(reads: Reads, start: float, until: float, per_read: int) -> UploadOutcome:
    """Read every 10 s from `start`, paused smart search gaining `per_read` jobs each time."""
    now, jobs = start, 0
    outcome = reads.at(
        now, queue("metadataExtraction"), queue("smartSearch", paused=True)
    )
    while now + 10.0 <= until:
        now += 10.0
        jobs += per_read
        outcome = reads.at(
            now, queue("metadataExtraction"), queue("smartSearch", jobs, paused=True)
        )
    return outcome


def test_a_few_new_photos_hold_nothing() -> None:
    """Two metadata jobs seen at 10 s: a photo or two costs no CPU worth holding for."""
    reads = Reads()
    reads.at(0.0, queue("metadataExtraction"))
    outcome = reads.at(10.0, queue("metadataExtraction", 2))
    assert not outcome.active
    assert outcome.held == {}
    assert outcome.next_check is None


def test_the_demos_trickle_never_holds_the_heavy_queues() -> None:
    """5 photos every 45 s for an hour, read every 10 s: at most 15 in two minutes, no hold."""
    reads = Reads()
    for tick in range(360):
        now = tick * 10.0
        fresh = 5 if now % 45.0 < 10.0 and now > 0 else 0
        outcome = reads.at(now, queue("metadataExtraction", fresh))
        assert not outcome.active, now
        assert outcome.held == {}


def test_a_phone_backup_holds_once_sixty_assets_arrived_within_two_minutes() -> None:
    """17 new assets a read (2,000 photos in 20 min): 51 by 30 s, 68 by 40 s, held from then."""
    reads = Reads()
    assert not rising(reads, 0.0, 30.0, 17).active
    outcome = rising(reads, 30.0, 40.0, 17)
    assert outcome.active
    assert outcome.until == 340.0
    assert outcome.held == {
        name: Hold(Reason.UPLOADS_ARRIVING, until=340.0) for name in HEAVY_HELD
    }


def test_arrivals_older_than_two_minutes_no_longer_count() -> None:
    """30 assets at 0 s and 30 at 130 s: never 60 within two minutes, nothing held."""
    reads = Reads()
    reads.at(0.0, queue("metadataExtraction"), queue("smartSearch", paused=True))
    reads.at(10.0, queue("metadataExtraction"), queue("smartSearch", 30, paused=True))
    outcome = reads.at(
        130.0, queue("metadataExtraction"), queue("smartSearch", 60, paused=True)
    )
    assert not outcome.active
    outcome = reads.at(
        140.0, queue("metadataExtraction"), queue("smartSearch", 90, paused=True)
    )
    assert outcome.active


def test_an_imports_backlog_keeps_the_quiet_period_going() -> None:
    """3,000 assets in at once (an import): held while the first hop still reads 60 or more.

    The default quiet time is 5 minutes: without the backlog the period would end at 310 s,
    with the import still being read.
    """
    reads = Reads()
    reads.at(0.0, queue("metadataExtraction"))
    assert reads.at(10.0, queue("metadataExtraction", 3000)).active
    assert reads.at(200.0, queue("metadataExtraction", 2000)).active
    assert reads.at(400.0, queue("metadataExtraction", 1000)).active
    # 59 left: no longer an import's backlog; the quiet time runs from 400 s.
    assert reads.at(500.0, queue("metadataExtraction", 59)).active
    assert reads.at(699.0, queue("metadataExtraction", 0)).active
    assert not reads.at(701.0, queue("metadataExtraction", 0)).active


def test_a_backlog_alone_starts_no_quiet_period() -> None:
    """80 photos that piled up during a timed pause, resumed: no backup, nothing held.

    Seen on the demo: after a 12-minute pause under the trickle, the heavy queues were held
    6 minutes for photos that had arrived one by one.
    """
    reads = Reads()
    reads.at(0.0, queue("metadataExtraction", 80, paused=True))
    assert not reads.at(10.0, queue("metadataExtraction", 80)).active
    assert not reads.at(20.0, queue("metadataExtraction", 60)).active
    # Seen first at a read with the queue resumed (Home Assistant just started): an import.
    assert Reads().at(0.0, queue("metadataExtraction", 80)).active


def test_a_thumbnail_backlog_is_no_upload() -> None:
    """500 thumbnails to make (a regeneration the user started) hold nothing."""
    assert (
        not Reads()
        .at(0.0, queue("metadataExtraction"), queue("thumbnailGeneration", 500))
        .active
    )


def test_the_quiet_period_runs_from_the_last_big_backup_seen() -> None:
    """A backup seen until 40 s, a photo at 200 s: held until 340 s, free from then on."""
    reads = Reads()
    rising(reads, 0.0, 40.0, 17)
    reads.at(
        200.0, queue("metadataExtraction", 1), queue("smartSearch", 69, paused=True)
    )
    assert (
        reads.at(
            339.0, queue("metadataExtraction"), queue("smartSearch", 69, paused=True)
        ).next_check
        == 1.0
    )
    outcome = reads.at(
        340.0, queue("metadataExtraction"), queue("smartSearch", 69, paused=True)
    )
    assert not outcome.active
    assert outcome.held == {}
    assert outcome.until == 340.0


def test_a_backup_without_end_holds_at_most_thirty_minutes_then_gives_ten() -> None:
    """Uploads for an hour from 0 s: held 40 s to 1840 s, a turn to 2440 s, held again."""
    reads = Reads()
    outcome = rising(reads, 0.0, 1830.0, 17)
    assert outcome.held["videoConversion"].until == 1840.0
    outcome = rising(reads, 1830.0, 1840.0, 17)
    assert outcome.active
    assert outcome.held == {}
    assert outcome.next_check == 300.0  # the quiet period would end at 2140 s
    outcome = rising(reads, 1840.0, 2430.0, 17)
    assert outcome.held == {}
    outcome = rising(reads, 2430.0, 2440.0, 17)
    assert outcome.held["ocr"] == Hold(Reason.UPLOADS_ARRIVING, until=2740.0)


def test_the_longest_hold_is_an_option() -> None:
    """Set to 5 minutes: a backup from 0 s is held from 40 s to 340 s."""
    reads = Reads(uploads_from_options({"upload_max_hold_minutes": 5}))
    outcome = rising(reads, 0.0, 330.0, 17)
    assert outcome.held["smartSearch"].until == 340.0
    assert rising(reads, 330.0, 340.0, 17).held == {}


def test_a_paused_backlog_that_does_not_rise_never_keeps_the_hold() -> None:
    """A metadata backlog the user holds is no upload: it cannot hold the heavy queues."""
    reads = Reads()
    reads.at(0.0, queue("metadataExtraction", 500, paused=True))
    assert not reads.at(10.0, queue("metadataExtraction", 500, paused=True)).active
    assert not reads.at(20.0, queue("metadataExtraction", 480, paused=True)).active


def test_a_rise_in_a_paused_first_hop_counts_its_new_assets() -> None:
    """Held metadata: 5 → 65 jobs means sixty new assets, a big backup."""
    reads = Reads()
    assert not reads.at(0.0, queue("metadataExtraction", 5, paused=True)).active
    assert reads.at(10.0, queue("metadataExtraction", 65, paused=True)).active


def test_a_resumed_later_hop_that_grows_is_not_an_upload() -> None:
    """Smart search started by the user fills itself (its discovery job runs): no upload."""
    reads = Reads()
    empty = queue("metadataExtraction")
    reads.at(0.0, empty, queue("smartSearch"))
    assert not reads.at(10.0, empty, queue("smartSearch", 3000)).active


def test_a_later_hop_paused_at_one_read_only_is_not_compared() -> None:
    """Resumed at 0 s, paused at 10 s with 90 more: nothing says they came from upstream."""
    reads = Reads()
    empty = queue("metadataExtraction")
    reads.at(0.0, empty, queue("faceDetection", 5))
    assert not reads.at(10.0, empty, queue("faceDetection", 95, paused=True)).active
    assert reads.at(20.0, empty, queue("faceDetection", 160, paused=True)).active


def test_a_failed_read_learns_nothing_and_the_period_still_ends_on_time() -> None:
    """No snapshot: no new sighting, the hold ends 300 s after the last one all the same."""
    reads = Reads()
    rising(reads, 0.0, 40.0, 17)
    failed = reads.at(50.0, None)
    assert failed.active
    assert failed.held == {
        name: Hold(Reason.UPLOADS_ARRIVING, until=340.0) for name in HEAVY_HELD
    }
    assert not reads.at(340.0, None).active


def test_the_first_read_after_a_start_judges_on_what_it_sees() -> None:
    """Nothing known before: a resumed backlog of 60 counts as arriving, a paused one not."""
    assert Reads().at(0.0, queue("metadataExtraction", 60)).active
    assert not Reads().at(0.0, queue("metadataExtraction", 60, paused=True)).active


def test_switched_off_it_still_says_uploads_arrive_but_holds_nothing() -> None:
    """The option off: the state is shown, no queue is held."""
    reads = Reads(UploadOptions(enabled=False))
    outcome = reads.at(0.0, queue("metadataExtraction", 80))
    assert outcome.active
    assert outcome.held == {}


def test_only_heavy_queues_present_and_manageable_are_held() -> None:
    """A heavy queue this Immich lacks, or an internal one, is never held."""
    reads = Reads(
        UploadOptions(
            heavy=frozenset({"videoConversion", "backgroundTask", "newQueue"})
        )
    )
    assert reads.at(0.0, queue("metadataExtraction", 80)).held == {
        "videoConversion": Hold(Reason.UPLOADS_ARRIVING, until=300.0)
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
        max_hold_seconds=1800.0,
    )
    options = uploads_from_options(
        {
            "upload_quiet": False,
            "heavy_queues": ["videoConversion", 7],
            "upload_quiet_minutes": 500,
            "upload_max_hold_minutes": 1,
        }
    )
    assert options == UploadOptions(
        enabled=False,
        heavy=frozenset({"videoConversion"}),
        quiet_seconds=7200.0,
        max_hold_seconds=300.0,
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
