"""CPU contention: running jobs share a box's cores the way Linux shares them between threads.

A job has CPU work (core-seconds on the reference box) and a number of runnable threads: its
weight when the cores are shared, and the most cores it can use (a thread runs on one core at
a time). While the threads of everything running fit in the cores, every job runs at full
speed; beyond that, each thread gets the same slice (the scheduler of the Linux kernel is fair
per thread, not per process), so an ffmpeg transcode with three busy threads gets three slices
for a photo thumbnail's one. A faster box does the same work in less time (``speed``).

The job costs are fitted to the project's baseline measurements (two real 2-core boxes running
Immich v3.1.0, same media, machine learning off); bench/README.md shows the fit.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Cost:
    """What one job asks of the CPU."""

    work: float  # core-seconds on the reference box (the slower measured box)
    threads: float = (
        1.0  # runnable threads: its weight in the share, and its most cores
    )


# Immich's ffmpeg "threads" setting (0 = let ffmpeg choose) and the runnable threads a 1080p
# HEVC → 720p H.264 transcode then keeps busy: with 0, decoder and x264 together run about
# three; with 1, x264 runs one, but the HEVC decoder still runs several (baseline: the CPU
# stayed 94 % busy with ffmpeg.threads 1, the probe 1.74× instead of 1.87× at the median).
TRANSCODE_THREADS = 2.9


@dataclass(frozen=True, slots=True)
class Box:
    """A server: how many cores, how fast each is against the reference box, what ffmpeg does.

    ffmpeg's share differs from box to box beyond speed (its build, the CPU's vector units):
    the threads a transcode keeps busy, and what a video's thumbnail costs. A per-box
    calibration (bench/real/calibrate.py) fits them; the reference boxes keep the baseline's.
    """

    cores: int = 2
    speed: float = 1.0
    name: str = ""
    # Runnable threads of a transcode when ffmpeg chooses (Immich's threads setting 0).
    transcode_threads: float = TRANSCODE_THREADS
    # A video thumbnail's CPU work against the reference box's, beyond the speed.
    video_thumbnail_scale: float = 1.0

    def alone(self, cost: Cost) -> float:
        """Return how long a job takes on this box with nothing else running."""
        return cost.work / (self.speed * min(cost.threads, self.cores))


# The slower measured box is the reference (speed 1); the faster one does the same media in
# about half the time (baseline: "the same media cost about twice as much here").
SLOWER_BOX = Box(cores=2, speed=1.0, name="slower box")
FASTER_BOX = Box(cores=2, speed=2.1, name="faster box")
# The real bench's box is fitted by its own short run: bench/real/calibration.json.


def share_scale(threads: float, cores: float) -> float:
    """Return the part of a core each runnable thread gets: all of one while they fit.

    Water-filling with every thread capped at one core: since each job's cap is its thread
    count and its weight too, the fill level is the same for all, so a job with ``t``
    threads gets ``t * share_scale(total, cores)`` cores.
    """
    return 1.0 if threads <= cores else cores / threads


HEVC_DECODER_THREADS = 1.4


def transcode_threads(setting: int, box: Box) -> float:
    """Return the threads a transcode keeps busy at Immich's ffmpeg ``threads`` setting."""
    if setting <= 0:
        return box.transcode_threads
    return min(box.transcode_threads, HEVC_DECODER_THREADS + setting)


# A video thumbnail: ffmpeg decodes and picks a frame, then the image is resized (fitted).
VIDEO_THUMBNAIL_THREADS = 1.05
# A photo thumbnail: libvips runs one worker thread per core (Immich leaves sharp's
# concurrency at its default), so on two cores it keeps two threads busy.
PHOTO_THUMBNAIL_THREADS = 2.0
