"""Shots -> one film: an MP4 with one picture and one sound track, each shot a chapter.

Shots that share their streams' parameters are joined by stream copy: packets are remuxed with
their timestamps shifted, nothing decoded, so a film costs little more than copying its bytes.
Otherwise (another size or rate, a silent shot among sounded ones, a crossfade) the film is
re-encoded: each frame fitted into the film's size with black bars (never stretched), at the
first shot's rate, to H.264 yuv420p with AAC sound.

Sound keeps to the picture at every seam. A re-encoded film builds its whole track as samples
first: each shot's sound is placed at the sample where its picture starts, a silent shot leaves
silence, a crossfade overlaps the two. A copied film cannot cut an AAC frame (1024 samples), so
each shot's sound is cut at the frame boundary nearest to where the next shot's sound must
begin, and the next shot's frames follow, its encoder's priming frame first (without it the
decoder would smear the shot's first 1024 samples): every seam is off by at most half a
frame, and the error never accumulates.
A shot whose sound does not cover its picture is not copied, as that would drift.
"""

from __future__ import annotations

import contextlib
import itertools
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, Final

from sora_widget.core.atomic import atomic_path
from sora_widget.core.errors import InvalidRequestError
from sora_widget.engine.video_file import MOVFLAGS, MediaInfo, probe

# PyAV and numpy load when a film is made, not with the package: signatures name their
# frames and arrays `Any`.

VIDEO_ENCODER: Final = "libx264"
#: veryfast keeps a 720p re-encode well above 5x real time on one core; CRF 20 is visually
#: lossless enough for a film made from already-compressed shots.
VIDEO_OPTIONS = {"preset": "veryfast", "crf": "20"}
AUDIO_ENCODER: Final = "aac"
AUDIO_BIT_RATE = 128_000
#: A keyframe every 2 s lets a player seek; every shot also starts on one (a seam is a cut).
KEYFRAME_SECONDS = 2
#: Samples per AAC frame: what a copied film's sound can be cut at.
AAC_FRAME = 1024
#: Black in limited-range YUV: the pad bars.
BLACK_Y, BLACK_UV = 16, 128


@dataclass(frozen=True)
class Film:
    """What `stitch` wrote: where each shot begins is where the player marks a seam."""

    path: Path
    duration: float  # seconds
    starts: tuple[float, ...]  # each shot's start time in the film (the seams), seconds
    size: str  # "1280x720"
    fps: float
    copied: bool  # True: stream copy; False: re-encoded
    has_audio: bool


def stitch(
    shots: Sequence[Path],
    out: Path,
    *,
    titles: Sequence[str] = (),
    size: str | None = None,
    transition_ms: int = 0,
    skips: Sequence[float] = (),
) -> Film:
    """Synchronous and CPU-bound: callers run it in a worker thread (asyncio.to_thread).

    `titles` (one per shot, or none) become the film's chapters. `skips` (one per shot, or
    none): the seconds left out at each shot's start, as of a server's extension, whose file
    holds the video it extends; a film with any is re-encoded (a copy cuts only at keyframes).
    Raises InvalidRequestError for a bad argument and ValueError naming the shot for one that
    cannot be read; `out` is written whole or not at all."""
    paths = [Path(shot) for shot in shots]
    if not paths:
        raise InvalidRequestError("shots", "a film needs at least one shot")
    if titles and len(titles) != len(paths):
        raise InvalidRequestError(
            "titles", f"give one title per shot ({len(paths)}), or none; got {len(titles)}"
        )
    infos = [_probe_shot(index, path) for index, path in enumerate(paths)]
    cuts = _cuts(skips, infos)
    width, height = _film_size(size, infos[0])
    transition = Fraction(transition_ms, 1000)
    shortest = min(info.duration - cut for info, cut in zip(infos, cuts, strict=True))
    if transition_ms < 0 or transition > shortest / 2:
        raise InvalidRequestError(
            "transition_ms",
            f"transition_ms must be from 0 to half the shortest shot "
            f"({math.floor(shortest * 500)} ms), got {transition_ms}",
        )
    out = Path(out)
    copied = (
        not transition and not any(cuts) and (width, height) == (infos[0].width, infos[0].height)
    )
    copied = copied and _copyable(infos)
    plan = _copy_plan(infos) if copied else _encode_plan(infos, transition, cuts)
    with atomic_path(out) as temp:
        if copied:
            _write_copy(paths, infos, plan, titles, temp)
        else:
            _write_encoded(paths, infos, plan, titles, temp, (width, height))
    return Film(
        path=out,
        duration=float(plan.duration),
        starts=tuple(float(start) for start in plan.starts),
        size=f"{width}x{height}",
        fps=float(plan.fps),
        copied=copied,
        has_audio=any(info.audio for info in infos),
    )


# ---------------------------------------------------------------------------- checks


def _probe_shot(index: int, path: Path) -> MediaInfo:
    if not path.is_file() or path.stat().st_size == 0:
        raise ValueError(f"shots[{index}] ({path}) cannot be stitched: it is missing or empty")
    try:
        return probe(path)
    except ValueError as error:
        raise ValueError(f"shots[{index}] ({path}) cannot be stitched: {error}") from None


@contextlib.contextmanager
def _reading(index: int, path: Path) -> Iterator[None]:
    """Decoding errors met halfway through a shot, reported with the shot's index."""
    import av

    try:
        yield
    except (av.FFmpegError, OSError) as error:
        said = getattr(error, "strerror", None) or error
        raise ValueError(
            f"shots[{index}] ({path}) cannot be stitched: {type(error).__name__}: {said}"
        ) from None


def _cuts(skips: Sequence[float], infos: Sequence[MediaInfo]) -> tuple[Fraction, ...]:
    """Each shot's skip as a fraction of a second, checked to leave some of the shot."""
    if not skips:
        return tuple(Fraction(0) for _ in infos)
    if len(skips) != len(infos):
        raise InvalidRequestError(
            "skips", f"give one skip per shot ({len(infos)}), or none; got {len(skips)}"
        )
    cuts = []
    for index, (skip, info) in enumerate(zip(skips, infos, strict=True)):
        cut = Fraction(skip).limit_denominator(1_000_000) if math.isfinite(skip) else Fraction(-1)
        if not 0 <= cut < info.duration:
            raise InvalidRequestError(
                "skips",
                f"skips[{index}] must be from 0 to less than the shot's "
                f"{float(info.duration):.3f} s, got {skip}",
            )
        cuts.append(cut)
    return tuple(cuts)


def _film_size(size: str | None, first: MediaInfo) -> tuple[int, int]:
    if size is None:
        return first.width, first.height
    width, _, height = size.partition("x")
    if not (width.isdigit() and height.isdigit()) or int(width) % 2 or int(height) % 2:
        raise InvalidRequestError("size", f"size must be WIDTHxHEIGHT, both even, got {size!r}")
    if int(width) < 16 or int(height) < 16:
        raise InvalidRequestError("size", f"size must be at least 16x16, got {size!r}")
    return int(width), int(height)


def _copyable(infos: Sequence[MediaInfo]) -> bool:
    """Whether the shots can be joined packet for packet: the same picture and sound
    parameters (decoder setup included), and each shot's sound covering its picture."""

    def key(info: MediaInfo) -> tuple[Any, ...]:
        audio = info.audio
        sound = audio and (audio.codec, audio.sample_rate, audio.channels, audio.extradata)
        return (info.codec, info.width, info.height, info.pixel_format, info.fps,
                info.extradata, sound)  # fmt: skip

    if len({key(info) for info in infos}) != 1:
        return False
    for info in infos:
        if info.audio is not None:
            half_frame = Fraction(AAC_FRAME // 2, info.audio.sample_rate)
            if abs(info.audio.start) > half_frame:
                return False
            if info.audio.start + info.audio.duration < info.duration - half_frame:
                return False
    return True


# ---------------------------------------------------------------------------- plans


@dataclass(frozen=True)
class _Plan:
    starts: tuple[Fraction, ...]  # seconds
    duration: Fraction  # seconds
    fps: Fraction
    frames: tuple[int, ...] = ()  # re-encoding: each shot's frames at the film's rate
    overlap: int = 0  # re-encoding: frames shared by the shots at each seam
    cuts: tuple[Fraction, ...] = ()  # re-encoding: seconds left out at each shot's start


def _copy_plan(infos: Sequence[MediaInfo]) -> _Plan:
    starts, end = [], Fraction(0)
    for info in infos:
        starts.append(end)
        end += info.duration
    return _Plan(tuple(starts), end, infos[0].fps)


def _encode_plan(
    infos: Sequence[MediaInfo], transition: Fraction, cuts: tuple[Fraction, ...]
) -> _Plan:
    """Counted in the film's frames, so the seams fall on frames: each shot keeps its duration
    (less its cut) within half a frame, and a crossfade of k frames shortens the film by k per
    seam."""
    fps = infos[0].fps
    frames = tuple(
        max(1, round((info.duration - cut) * fps)) for info, cut in zip(infos, cuts, strict=True)
    )
    overlap = min(round(transition * fps), min(frames) // 2)
    starts, start = [], 0
    for count in frames:
        starts.append(Fraction(start) / fps)
        start += count - overlap
    total = start + overlap
    return _Plan(tuple(starts), Fraction(total) / fps, fps, frames, overlap, cuts)


def _chapters(plan: _Plan, titles: Sequence[str]) -> list[Any]:
    """One chapter per shot, from its start to the next shot's (milliseconds)."""
    ends = [*plan.starts[1:], plan.duration]
    return [
        {
            "id": index + 1,
            "start": round(start * 1000),
            "end": round(end * 1000),
            "time_base": Fraction(1, 1000),
            "metadata": {"title": title},
        }
        for index, (title, start, end) in enumerate(zip(titles, plan.starts, ends, strict=True))
    ]


def _open_film(temp: Path, plan: _Plan, titles: Sequence[str]) -> Any:
    import av

    container = av.open(str(temp), "w", format="mp4", options={"movflags": MOVFLAGS})
    if titles:  # before the first packet: the muxer writes the chapter track with its header
        container.set_chapters(_chapters(plan, titles))
    return container


# ---------------------------------------------------------------------------- stream copy


def _write_copy(
    paths: Sequence[Path],
    infos: Sequence[MediaInfo],
    plan: _Plan,
    titles: Sequence[str],
    temp: Path,
) -> None:
    """Remux every shot's packets, the picture shifted to the shot's start, the sound cut at
    the AAC frame nearest each seam and continued from there (see the module docstring)."""
    import av

    with _open_film(temp, plan, titles) as film:
        streams: dict[str, av.stream.Stream] = {}
        sound_end = Fraction(0)  # where the film's sound has reached, in seconds
        last = len(paths) - 1
        for index, (path, info, start) in enumerate(zip(paths, infos, plan.starts, strict=True)):
            with _reading(index, path), av.open(str(path)) as shot:
                video = shot.streams.video[0]
                kept: list[av.stream.Stream] = [video]
                if not streams:
                    streams["video"] = film.add_stream_from_template(video)
                if shot.streams.audio:
                    kept.append(shot.streams.audio[0])
                    if "audio" not in streams:
                        streams["audio"] = film.add_stream_from_template(shot.streams.audio[0])
                origin = Fraction(video.start_time or 0) * (video.time_base or 0)
                sound_start: Fraction | None = None  # where the shot's sound's 0 goes
                priming = Fraction(0)
                seam = start + info.duration  # where the next shot's picture starts
                for packet in shot.demux(*kept):
                    if packet.dts is None or packet.pts is None:
                        continue
                    base = packet.time_base
                    local = Fraction(packet.pts) * base - origin
                    if packet.stream.type == "video":
                        shift = round((start - origin) / base)
                        packet.stream = streams["video"]
                    else:
                        assert info.audio is not None  # the shot has sound: it was probed
                        frame = Fraction(AAC_FRAME, info.audio.sample_rate)
                        if sound_start is None:
                            # The shot's first frames (the encoder's priming, before 0, which
                            # the decoder needs) follow the film's sound so far.
                            priming = min(local, Fraction(0))
                            sound_start = sound_end - priming if index else Fraction(0)
                        seam_frame = seam + priming  # where the next shot's priming will go
                        if index < last and sound_start + local + frame > seam_frame + frame / 2:
                            continue  # past the seam: the next shot's sound plays then
                        sound_end = max(sound_end, sound_start + local + frame)
                        shift = round((sound_start - origin) / base)
                        packet.stream = streams["audio"]
                    packet.pts += shift
                    packet.dts += shift
                    film.mux(packet)


# ---------------------------------------------------------------------------- re-encoding


def _write_encoded(
    paths: Sequence[Path],
    infos: Sequence[MediaInfo],
    plan: _Plan,
    titles: Sequence[str],
    temp: Path,
    size: tuple[int, int],
) -> None:
    import av
    from av.video.frame import PictureType

    sounded = [info.audio for info in infos if info.audio is not None]
    with _open_film(temp, plan, titles) as film:
        video = film.add_stream(VIDEO_ENCODER, rate=plan.fps, options=VIDEO_OPTIONS)
        video.width, video.height = size
        video.pix_fmt = "yuv420p"
        video.codec_context.gop_size = max(1, round(KEYFRAME_SECONDS * plan.fps))
        sound: list[av.Packet] = []
        if sounded:
            rate = sounded[0].sample_rate
            layout = "mono" if sounded[0].channels == 1 else "stereo"
            samples = _film_sound(paths, infos, plan, rate, layout)
            audio = film.add_stream(AUDIO_ENCODER, rate=rate, layout=layout)
            audio.bit_rate = AUDIO_BIT_RATE
            track = av.AudioFrame.from_ndarray(samples, format="fltp", layout=layout)
            track.sample_rate, track.pts = rate, 0
            sound = [*audio.encode(track), *audio.encode(None)]
        pending = iter(sound)
        next_sound = next(pending, None)
        for number, (frame, cut) in enumerate(_film_pictures(paths, infos, plan, size)):
            frame.pts = number
            frame.time_base = 1 / plan.fps
            # a decoded frame carries its own type, which the encoder would obey
            frame.pict_type = PictureType.I if cut else PictureType.NONE
            film.mux(video.encode(frame))
            shown = Fraction(number + 1) / plan.fps
            # the sound muxed in step with the picture, so the file streams interleaved
            while next_sound is not None and (next_sound.pts or 0) * next_sound.time_base <= shown:
                film.mux(next_sound)
                next_sound = next(pending, None)
        film.mux(video.encode(None))
        film.mux([*([next_sound] if next_sound else []), *pending])


def _film_pictures(
    paths: Sequence[Path], infos: Sequence[MediaInfo], plan: _Plan, size: tuple[int, int]
) -> Iterator[tuple[Any, bool]]:
    """The film's frames, with whether each starts a shot; at each seam the `overlap` last
    frames of a shot are blended into the next one's first."""
    import av
    import numpy as np

    previous: list[np.ndarray] = []  # the previous shot's last frames, to blend
    last = len(paths) - 1
    shots = zip(paths, infos, plan.frames, plan.cuts, strict=True)
    for index, (path, info, count, cut) in enumerate(shots):
        kept_back = plan.overlap if index < last else 0
        following: list[np.ndarray] = []
        with _reading(index, path):
            pictures = _shot_pictures(path, info, count, plan.fps, size, cut)
            for number, frame in enumerate(pictures):
                if number < len(previous):
                    weight = (number + 0.5) / plan.overlap
                    blend = previous[number] * (1 - weight) + frame.to_ndarray() * weight
                    planes = np.rint(blend).astype(np.uint8)
                    yield av.VideoFrame.from_ndarray(planes, format="yuv420p"), number == 0
                elif number >= count - kept_back:
                    following.append(frame.to_ndarray().astype(np.float32))
                else:
                    yield frame, number == 0
        previous = following


def _shot_pictures(
    path: Path, info: MediaInfo, count: int, fps: Fraction, size: tuple[int, int], cut: Fraction
) -> Iterator[Any]:
    """`count` frames of the shot from `cut` seconds in, at the film's rate (frames dropped or
    repeated as the rates differ), each fitted into `size` with black bars."""
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        origin = Fraction(stream.start_time or 0) * (stream.time_base or 0) + cut
        decoded = container.decode(stream)
        shown: av.VideoFrame | None = None
        coming = next(decoded, None)
        if coming is None:
            raise av.InvalidDataError(0, "it has no frames")
        fitted: av.VideoFrame | None = None
        tolerance = 1 / (4 * fps)  # timestamps are rounded to the container's time base
        for number in range(count):
            due = Fraction(number) / fps + tolerance
            while coming is not None and (shown is None or _time(coming) - origin <= due):
                shown, fitted = coming, None
                coming = next(decoded, None)
            if fitted is None:
                assert shown is not None  # the loop always takes the first frame
                fitted = _fitted(shown, info, size)
            yield fitted


def _time(frame: Any) -> Fraction:
    return Fraction(frame.pts or 0) * (frame.time_base or 0)


def _fitted(frame: Any, info: MediaInfo, size: tuple[int, int]) -> Any:
    """The frame in yuv420p scaled to fit `size` keeping its aspect, centred on black."""
    import av
    import numpy as np

    width, height = size
    scale = min(Fraction(width, info.width), Fraction(height, info.height))
    inner_w = min(width, 2 * max(1, round(info.width * scale / 2)))
    inner_h = min(height, 2 * max(1, round(info.height * scale / 2)))
    small = frame.reformat(width=inner_w, height=inner_h, format="yuv420p")
    if (inner_w, inner_h) == size:
        return small  # the same aspect: no bars (and often the very frame decoded)
    left, top = (width - inner_w) // 4 * 2, (height - inner_h) // 4 * 2
    planes = small.to_ndarray()  # Y, then U and V as quarter planes stored row after row
    canvas = np.empty((height * 3 // 2, width), np.uint8)
    canvas[:height] = BLACK_Y
    canvas[height:] = BLACK_UV
    canvas[top : top + inner_h, left : left + inner_w] = planes[:inner_h]
    for plane in range(2):
        source = planes[inner_h:].reshape(-1)[plane * (inner_w * inner_h // 4) :]
        source = source[: inner_w * inner_h // 4].reshape(inner_h // 2, inner_w // 2)
        target = canvas[height:].reshape(-1)[plane * (width * height // 4) :]
        target = target[: width * height // 4].reshape(height // 2, width // 2)
        target[top // 2 : top // 2 + inner_h // 2, left // 2 : left // 2 + inner_w // 2] = source
    return av.VideoFrame.from_ndarray(canvas, format="yuv420p")


def _film_sound(
    paths: Sequence[Path], infos: Sequence[MediaInfo], plan: _Plan, rate: int, layout: str
) -> Any:
    """The film's whole track (channels x samples, float32): each shot's sound from the sample
    where its picture starts, silence for a shot without, crossfaded over the seams' overlap."""
    import numpy as np

    channels = 1 if layout == "mono" else 2
    total = round(plan.duration * rate)
    track = np.zeros((channels, total), np.float32)
    fade = round(Fraction(plan.overlap) / plan.fps * rate)
    last = len(paths) - 1
    for index, (path, info, start, count, cut) in enumerate(
        zip(paths, infos, plan.starts, plan.frames, plan.cuts, strict=True)
    ):
        if info.audio is None:
            continue
        offset = round(start * rate)
        length = min(round(Fraction(count) / plan.fps * rate), total - offset)
        with _reading(index, path):
            samples = _shot_sound(path, rate, layout, length, cut)
        if fade and index:
            samples[:, :fade] *= np.linspace(0, 1, fade, endpoint=False, dtype=np.float32)
        if fade and index < last:
            samples[:, length - fade :] *= np.linspace(1, 0, fade, endpoint=False, dtype=np.float32)
        track[:, offset : offset + length] += samples
    return track


def _shot_sound(path: Path, rate: int, layout: str, length: int, cut: Fraction) -> Any:
    """The shot's sound resampled to the film's, from `cut` seconds after its picture's start,
    cut or padded with silence to `length` samples."""
    import av
    import numpy as np

    channels = 1 if layout == "mono" else 2
    samples = np.zeros((channels, length), np.float32)
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        origin = Fraction(video.start_time or 0) * (video.time_base or 0) + cut
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="fltp", layout=layout, rate=rate)
        position: int | None = None
        for frame in itertools.chain(container.decode(stream), [None]):  # None: flush
            for piece in resampler.resample(frame):
                if position is None:
                    first = Fraction(piece.pts or 0) * (piece.time_base or 0) - origin
                    position = round(first * rate)
                data = piece.to_ndarray()
                begin, end = max(position, 0), min(position + data.shape[1], length)
                if end > begin:
                    samples[:, begin:end] = data[:, begin - position : end - position]
                position += data.shape[1]
    return samples
