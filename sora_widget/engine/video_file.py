"""The saved MP4 itself: how it was made, written into the file, its last frame and its streams.

A video copied out of the library should still say how it was made, so its prompt, model, seed
and server go into the container's metadata. They are written by remuxing (packets copied
stream by stream, video and audio alike, never re-encoded) into a temporary file that replaces
the original only when whole (`atomic`); an arena's blind vote sends a copy without them
(`untagged_copy`). Blocking: run these in a worker thread.
"""

from __future__ import annotations

import contextlib
import io
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from sora_widget.core.atomic import atomic_path

#: `use_metadata_tags` makes the MP4 muxer keep keys of our own (`prompt`, `server`) that it
#: would otherwise drop; `faststart` keeps the index up front, so browsers play at once.
MOVFLAGS = "use_metadata_tags+faststart"
#: Tags the muxer writes itself: copying the source's would describe the old file.
MUXER_TAGS = frozenset({"major_brand", "minor_version", "compatible_brands", "encoder"})
#: How far before the end the decoder seeks for the last frame (a keyframe lies within).
LAST_FRAME_SEEK_SECONDS = 2.0


def write_tags(path: Path, tags: dict[str, str]) -> None:
    """Put `tags` into the MP4's container metadata, keeping every stream's packets as they
    are. Raises ValueError when the file cannot be remuxed; the original is then untouched."""
    with _as_value_error(), atomic_path(path) as temp:
        _remux(path, temp, tags)


def untagged_copy(path: Path) -> bytes:
    """The MP4 without the metadata `write_tags` put in (prompt, model, server): what a blind
    vote may send to a browser. Raises ValueError when the file cannot be remuxed."""
    with _as_value_error(), tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "untagged.mp4"
        _remux(path, target, None)
        return target.read_bytes()


def _remux(path: Path, target: Path, tags: dict[str, str] | None) -> None:
    """Copy the video and audio packets of `path` into a new MP4 at `target`, with the source's
    metadata and `tags` over it, or with the muxer's own metadata only when `tags` is None."""
    import av  # the video stack loads when a video is first read, not with the package

    with (
        av.open(str(path)) as source,
        av.open(str(target), "w", format="mp4", options={"movflags": MOVFLAGS}) as out,
    ):
        if tags is not None:
            kept_tags = {k: v for k, v in source.metadata.items() if k not in MUXER_TAGS}
            out.metadata.update({**kept_tags, **tags})
        copied = {
            stream.index: out.add_stream_from_template(stream)
            for stream in source.streams
            if stream.type in ("video", "audio")
        }
        if not copied:
            raise ValueError("it has no video or audio stream")
        kept = [source.streams[index] for index in copied]
        for packet in source.demux(*kept):
            if packet.dts is None:  # the demuxer's end-of-stream marker
                continue
            packet.stream = copied[packet.stream.index]
            out.mux(packet)


@contextlib.contextmanager
def _as_value_error() -> Iterator[None]:
    """A remux that fails, in FFmpeg's words without the path, as ValueError."""
    import av

    try:
        yield
    except (av.FFmpegError, OSError, IndexError) as error:
        said = getattr(error, "strerror", None) or error
        raise ValueError(f"it could not be remuxed ({type(error).__name__}: {said})") from None


def read_tags(path: Path) -> dict[str, str]:
    """The container metadata of an MP4 (what `write_tags` wrote, and the muxer's own)."""
    import av

    with av.open(str(path)) as container:
        return dict(container.metadata)


def last_frame(path: Path) -> bytes:
    """The video's last frame as PNG bytes (its own size): the first image of a piece that
    continues it. Raises ValueError when the video cannot be decoded."""
    import av

    image = None
    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            if container.duration:
                end = container.duration / av.time_base - LAST_FRAME_SEEK_SECONDS
                if end > 0:
                    container.seek(int(end * av.time_base), backward=True)
            for frame in container.decode(stream):
                image = frame.to_image()
    except (av.FFmpegError, IndexError, OSError) as error:
        raise ValueError(f"the video could not be decoded ({type(error).__name__})") from None
    if image is None:
        raise ValueError("the video has no frames")
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="PNG")
    return buffer.getvalue()


@dataclass(frozen=True)
class AudioInfo:
    """A file's first audio stream: what joining it to another's without re-encoding needs."""

    codec: str
    sample_rate: int
    channels: int
    extradata: bytes
    start: Fraction  # seconds from the picture's start
    duration: Fraction  # seconds


@dataclass(frozen=True)
class MediaInfo:
    """A video file's first picture stream, and its sound if it has one."""

    duration: Fraction  # seconds of picture
    width: int
    height: int
    fps: Fraction
    codec: str
    pixel_format: str
    extradata: bytes
    audio: AudioInfo | None


def probe(path: Path) -> MediaInfo:
    """Read the streams' parameters without decoding. Raises ValueError when the file is not a
    video with a duration and a frame rate (an empty file, a still image, a broken download)."""
    import av

    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                raise ValueError("it has no video stream")
            video = container.streams.video[0]
            origin = _seconds(video.start_time, video.time_base)
            duration = _seconds(video.duration, video.time_base)
            if not duration and container.duration:
                duration = Fraction(container.duration, av.time_base) - origin
            fps = video.average_rate or video.guessed_rate or video.base_rate
            audio = None
            if container.streams.audio:
                sound = container.streams.audio[0]
                context = sound.codec_context
                audio = AudioInfo(
                    codec=context.name,
                    sample_rate=context.sample_rate,
                    channels=context.channels,
                    extradata=bytes(context.extradata or b""),
                    start=_seconds(sound.start_time, sound.time_base) - origin,
                    duration=_seconds(sound.duration, sound.time_base),
                )
            info = MediaInfo(
                duration=duration,
                width=video.codec_context.width,
                height=video.codec_context.height,
                fps=Fraction(fps) if fps else Fraction(0),
                codec=video.codec_context.name,
                pixel_format=video.codec_context.pix_fmt or "",
                extradata=bytes(video.codec_context.extradata or b""),
                audio=audio,
            )
    except (av.FFmpegError, OSError) as error:
        said = getattr(error, "strerror", None) or error
        raise ValueError(f"it cannot be read ({type(error).__name__}: {said})") from None
    if info.duration <= 0 or info.width <= 0 or info.height <= 0:
        raise ValueError("it has no frames")
    if info.fps <= 0:
        raise ValueError("it has no frame rate")
    return info


def _seconds(ticks: int | None, time_base: Fraction | None) -> Fraction:
    return Fraction(ticks or 0) * (time_base or 0)
