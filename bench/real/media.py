"""The real bench's media, made with ffmpeg from fixed inputs: the same files on every box.

20 HEVC 1080p 60 s clips (one encode, then 20 stream copies that differ only in their title, so
Immich's checksum sees 20 assets and each costs the same to transcode) and 5 photos of
2400×1800 (JPEG, each with its own noise seed), as in the project's baseline measurements.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
import subprocess

VIDEOS = 20
PHOTOS = 5
CLIP_SECONDS = 60
# Phone-like HEVC: 1080p at 30 fps, about 10 Mbit/s (film grain noise keeps the bitrate up, so
# decoding costs what a real clip costs; a plain test pattern decodes almost for free).
_CLIP = (
    "-f lavfi -i testsrc2=size=1920x1080:rate=30:duration={seconds},noise=alls=10:allf=t:all_seed=7"
    " -f lavfi -i sine=frequency=440:sample_rate=48000:duration={seconds}"
    " -c:v libx265 -preset ultrafast -b:v 10M -x265-params log-level=error:pools=2"
    " -pix_fmt yuv420p -tag:v hvc1 -c:a aac -b:a 128k -fflags +bitexact"
)
_PHOTO = (
    "-f lavfi -i testsrc2=size=2400x1800:rate=1:duration=1,noise=alls=20:all_seed={seed}"
    " -frames:v 1 -q:v 3 -fflags +bitexact"
)


@dataclass(frozen=True, slots=True)
class Media:
    """The files one run uploads, in upload order."""

    videos: tuple[Path, ...]
    photos: tuple[Path, ...]


def _ffmpeg(args: str, out: Path) -> None:
    tmp = out.with_suffix(".part" + out.suffix)
    subprocess.run(
        ["ffmpeg", "-nostdin", "-loglevel", "error", "-y", *args.split(), str(tmp)],
        check=True,
    )
    tmp.rename(out)


def make_media(folder: Path) -> Media:
    """Make the media in `folder` (kept: files already there are reused)."""
    folder.mkdir(parents=True, exist_ok=True)
    base = folder / "clip-base.mp4"
    if not base.exists():
        _ffmpeg(_CLIP.format(seconds=CLIP_SECONDS), base)
    videos = []
    for i in range(1, VIDEOS + 1):
        clip = folder / f"clip-{i:02d}.mp4"
        if not clip.exists():
            _ffmpeg(
                f"-i {base} -map 0 -c copy -map_metadata -1 -metadata title=bench-clip-{i:02d}"
                " -fflags +bitexact",
                clip,
            )
        videos.append(clip)
    photos = []
    for i in range(1, PHOTOS + 1):
        photo = folder / f"photo-{i}.jpg"
        if not photo.exists():
            _ffmpeg(_PHOTO.format(seed=100 + i), photo)
        photos.append(photo)
    return Media(tuple(videos), tuple(photos))
