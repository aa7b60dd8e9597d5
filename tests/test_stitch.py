"""Stitching shots into one film (engine/stitch.py): checked by decoding the film with PyAV.

Each test clip is one flat grey level (so a frame tells which shot it comes from) with a
440 Hz burst at its very first sample and silence after (so the sound tells where each shot's
sound starts in the film). A seam is in sync when the first frame of a shot and the onset of
its burst fall at the same time, within one AAC frame (1024 samples).
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from sora_widget.core.errors import InvalidRequestError
from sora_widget.engine.stitch import stitch

RATE = 48_000
AAC_FRAME = 1024
BURST_SECONDS = 0.2
#: Grey levels of the shots, far apart so a blend and a shot are told apart.
LEVELS = (50, 130, 210)
BLACK = 16  # limited-range luma of the pad bars


def clip(
    path: Path,
    level: int,
    *,
    seconds: float = 1.0,
    fps: int = 12,
    size: tuple[int, int] = (160, 90),
    sound: bool = True,
    rate: int = RATE,
    layout: str = "mono",
    preset: str = "ultrafast",  # "medium" has B-frames: pictures stored out of order
) -> Path:
    """A small H.264 + AAC MP4: a flat grey picture, and a burst at the start of the sound."""
    width, height = size
    with av.open(str(path), "w", format="mp4") as container:
        video = container.add_stream("libx264", rate=fps, options={"preset": preset})
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        packets: list[av.Packet] = []
        if sound:
            audio = container.add_stream("aac", rate=rate, layout=layout)
            channels = 1 if layout == "mono" else 2
            samples = np.zeros((channels, round(seconds * rate)), np.float32)
            burst = np.arange(round(BURST_SECONDS * rate)) / rate
            samples[:, : burst.size] = 0.8 * np.sin(2 * np.pi * 440 * burst)
            track = av.AudioFrame.from_ndarray(samples, format="fltp", layout=layout)
            track.sample_rate, track.pts = rate, 0
            packets = [*audio.encode(track), *audio.encode(None)]
        for number in range(round(seconds * fps)):
            planes = np.full((height * 3 // 2, width), 128, np.uint8)
            planes[:height] = level
            frame = av.VideoFrame.from_ndarray(planes, format="yuv420p")
            frame.pts, frame.time_base = number, Fraction(1, fps)
            container.mux(video.encode(frame))
        container.mux(video.encode(None))
        container.mux(packets)
    return path


def pictures(path: Path) -> list[tuple[float, np.ndarray]]:
    """The film's frames: (time in seconds, yuv420p planes)."""
    with av.open(str(path)) as container:
        return [
            (float(frame.time or 0), frame.to_ndarray())
            for frame in container.decode(container.streams.video[0])
        ]


def sound(path: Path) -> np.ndarray:
    """The film's first channel as a player plays it: decoded samples one after another."""
    with av.open(str(path)) as container:
        frames = list(container.decode(container.streams.audio[0]))
    assert frames and frames[0].sample_rate == RATE
    return np.concatenate([frame.to_ndarray()[0] for frame in frames])


def luma(planes: np.ndarray, height: int) -> float:
    return float(planes[:height].mean())


def picture_seams(path: Path, levels: tuple[int, ...], height: int) -> list[float]:
    """When each shot's first frame is shown (each shot known by its grey level)."""
    frames = pictures(path)
    seams = []
    for level in levels:
        seams.append(next(t for t, planes in frames if abs(luma(planes, height) - level) < 8))
    return seams


def onset(samples: np.ndarray, near: float) -> float:
    """When the first burst within 0.1 s of `near` starts, in seconds."""
    begin = max(0, round((near - 0.1) * RATE))
    window = np.abs(samples[begin : round((near + 0.1) * RATE)])
    loud = np.flatnonzero(window > 0.3)
    assert loud.size, f"no sound near {near:.3f} s"
    return (begin + loud[0]) / RATE


@pytest.fixture
def shots(tmp_path: Path) -> list[Path]:
    """Three matching shots of 1.5, 1 and 1.5 s: none a whole number of AAC frames long, so
    sound copied frame after frame would drift 704 + 128 samples by the last seam, and 1536
    by the end."""
    return [
        clip(tmp_path / f"shot{index}.mp4", level, seconds=seconds)
        for index, (level, seconds) in enumerate(zip(LEVELS, (1.5, 1.0, 1.5), strict=True))
    ]


def test_matching_shots_are_copied_end_to_end(shots: list[Path], tmp_path: Path) -> None:
    film = stitch(shots, tmp_path / "film.mp4")
    assert film.copied and film.has_audio
    assert (film.size, film.fps) == ("160x90", 12.0)
    frame = 1 / 12
    assert film.duration == pytest.approx(4.0, abs=2 * frame)
    assert film.starts == pytest.approx((0.0, 1.5, 2.5), abs=frame)
    frames = pictures(film.path)
    assert len(frames) == 48  # every frame of every shot, none dropped or repeated
    assert picture_seams(film.path, LEVELS, 90) == pytest.approx(film.starts, abs=frame / 2)
    with av.open(str(film.path)) as container:
        assert container.streams.video[0].codec_context.name == "h264"


@pytest.mark.parametrize("size", [None, "320x180"], ids=["stream copy", "re-encoded"])
def test_sound_and_picture_start_together_at_every_seam(
    shots: list[Path], tmp_path: Path, size: str | None
) -> None:
    film = stitch(shots, tmp_path / "film.mp4", size=size)
    assert film.copied is (size is None)
    height = int(film.size.split("x")[1])
    samples = sound(film.path)
    for index, seam in enumerate(picture_seams(film.path, LEVELS, height)):
        assert onset(samples, seam) == pytest.approx(seam, abs=AAC_FRAME / RATE), index
        assert seam == pytest.approx(film.starts[index], abs=1 / 24)
    # one track all along: as long as the picture, within one AAC frame
    assert samples.size / RATE == pytest.approx(film.duration, abs=AAC_FRAME / RATE)


def test_skips_leave_out_the_start_of_a_shot_in_sync(shots: list[Path], tmp_path: Path) -> None:
    """An extension's file holds the video it extends: with a skip, only its own part is in
    the film, its sound from the same point as its picture."""
    extension = stitch(shots[:2], tmp_path / "extension.mp4").path  # 1.5 s grey 50, 1 s 130
    film = stitch([shots[2], extension], tmp_path / "film.mp4", skips=[0, 1.5])
    assert not film.copied  # a copy cuts only at keyframes
    assert film.duration == pytest.approx(2.5, abs=1 / 12)
    assert list(film.starts) == pytest.approx([0.0, 1.5], abs=1 / 24)
    levels = [luma(planes, 90) for _, planes in pictures(film.path)]
    assert all(abs(level - LEVELS[0]) > 20 for level in levels), "the extended shot left out"
    samples = sound(film.path)
    for index, seam in enumerate(picture_seams(film.path, (LEVELS[2], LEVELS[1]), 90)):
        assert seam == pytest.approx(film.starts[index], abs=1 / 24)
        assert onset(samples, seam) == pytest.approx(seam, abs=AAC_FRAME / RATE), index
    assert samples.size / RATE == pytest.approx(film.duration, abs=AAC_FRAME / RATE)


def test_pictures_stored_out_of_order_are_copied_in_sync(tmp_path: Path) -> None:
    shots = [
        clip(tmp_path / f"{index}.mp4", level, seconds=1.3, fps=30, preset="medium")
        for index, level in enumerate(LEVELS)
    ]
    film = stitch(shots, tmp_path / "film.mp4")
    assert film.copied and film.fps == 30.0
    assert len(pictures(film.path)) == 3 * 39
    samples = sound(film.path)
    for seam in picture_seams(film.path, LEVELS, 90):
        assert onset(samples, seam) == pytest.approx(seam, abs=AAC_FRAME / RATE)


def test_sound_at_other_rates_and_layouts_is_resampled_in_step(tmp_path: Path) -> None:
    shots = [
        clip(tmp_path / "a.mp4", LEVELS[0]),
        clip(tmp_path / "b.mp4", LEVELS[1], rate=44_100, layout="stereo"),
        clip(tmp_path / "c.mp4", LEVELS[2]),
    ]
    film = stitch(shots, tmp_path / "film.mp4")
    assert not film.copied
    with av.open(str(film.path)) as container:
        audio = container.streams.audio[0].codec_context
        assert (audio.sample_rate, audio.layout.name) == (RATE, "mono")  # the first shot's
    samples = sound(film.path)
    for seam in picture_seams(film.path, LEVELS, 90):
        assert onset(samples, seam) == pytest.approx(seam, abs=AAC_FRAME / RATE)


def test_shots_without_sound_make_a_film_without_sound(tmp_path: Path) -> None:
    shots = [clip(tmp_path / f"{level}.mp4", level, sound=False) for level in LEVELS[:2]]
    film = stitch(shots, tmp_path / "film.mp4")
    assert film.copied and not film.has_audio
    with av.open(str(film.path)) as container:
        assert not container.streams.audio
    assert picture_seams(film.path, LEVELS[:2], 90) == pytest.approx([0.0, 1.0])


def test_a_silent_shot_among_sounded_ones_gets_silence(tmp_path: Path) -> None:
    shots = [
        clip(tmp_path / "a.mp4", LEVELS[0]),
        clip(tmp_path / "b.mp4", LEVELS[1], sound=False),
        clip(tmp_path / "c.mp4", LEVELS[2]),
    ]
    film = stitch(shots, tmp_path / "film.mp4")
    assert film.has_audio and not film.copied  # copying would leave a hole in the track
    assert film.starts == pytest.approx((0.0, 1.0, 2.0))
    samples = sound(film.path)
    assert samples.size / RATE == pytest.approx(3.0, abs=AAC_FRAME / RATE)
    silent = samples[round(1.05 * RATE) : round(1.95 * RATE)]
    assert np.abs(silent).max() < 0.01
    assert onset(samples, 2.0) == pytest.approx(2.0, abs=AAC_FRAME / RATE)


@pytest.mark.parametrize(
    ("shape", "inner"),
    [((90, 160), (50, 90)), ((192, 60), (160, 50))],
    ids=["portrait: pillarbox", "wide: letterbox"],
)
def test_another_size_is_fitted_with_black_bars_never_stretched(
    tmp_path: Path, shape: tuple[int, int], inner: tuple[int, int]
) -> None:
    shots = [clip(tmp_path / "a.mp4", LEVELS[0]), clip(tmp_path / "b.mp4", 230, size=shape)]
    film = stitch(shots, tmp_path / "film.mp4")
    assert not film.copied and film.size == "160x90"
    _, planes = pictures(film.path)[18]  # halfway through the second shot
    y = planes[:90].astype(int)
    picture = y > 120
    rows, columns = np.flatnonzero(picture.any(axis=1)), np.flatnonzero(picture.any(axis=0))
    width, height = columns.size, rows.size
    assert (width, height) == pytest.approx(inner, abs=2)
    assert width / height == pytest.approx(shape[0] / shape[1], rel=0.08)  # aspect kept
    # centred, and the bars are black: luma at black, chroma neutral
    assert columns[0] == pytest.approx(159 - columns[-1], abs=2)
    assert rows[0] == pytest.approx(89 - rows[-1], abs=2)
    bars = y[~picture]
    assert bars.size and np.abs(bars - BLACK).max() <= 3
    chroma = planes[90:].astype(int)
    assert np.abs(chroma - 128).max() <= 3


def test_a_film_size_scales_every_shot_up_to_it(shots: list[Path], tmp_path: Path) -> None:
    film = stitch(shots, tmp_path / "film.mp4", size="320x180")
    assert (film.size, film.copied) == ("320x180", False)
    _, planes = pictures(film.path)[6]
    assert planes.shape == (270, 320)
    assert np.abs(planes[:180].astype(int) - LEVELS[0]).max() <= 3  # no bars: same aspect


def test_every_shot_of_a_re_encoded_film_starts_on_a_keyframe(
    shots: list[Path], tmp_path: Path
) -> None:
    film = stitch(shots, tmp_path / "film.mp4", size="320x180")
    with av.open(str(film.path)) as container:
        video = container.streams.video[0]
        keyframes = [
            float((packet.pts or 0) * (packet.time_base or 0))
            for packet in container.demux(video)
            if packet.is_keyframe
        ]
    assert set(film.starts) <= set(keyframes)  # a player jumps to a seam at once
    assert len(keyframes) < 48 / 2  # and the rest is mostly predicted frames


def test_another_frame_rate_takes_the_first_shots(tmp_path: Path) -> None:
    shots = [
        clip(tmp_path / "a.mp4", LEVELS[0], fps=12),
        clip(tmp_path / "b.mp4", LEVELS[1], fps=24),
        clip(tmp_path / "c.mp4", LEVELS[2], fps=12),
    ]
    film = stitch(shots, tmp_path / "film.mp4")
    assert not film.copied and film.fps == 12.0
    frames = pictures(film.path)
    assert len(frames) == 36
    steps = np.diff([t for t, _ in frames])
    assert steps == pytest.approx(1 / 12)
    assert film.duration == pytest.approx(3.0, abs=3 / 12)
    assert picture_seams(film.path, LEVELS, 90) == pytest.approx([0.0, 1.0, 2.0], abs=1 / 24)


def test_a_crossfade_shortens_the_film_by_its_length_per_seam(
    shots: list[Path], tmp_path: Path
) -> None:
    film = stitch(shots, tmp_path / "film.mp4", transition_ms=250)
    frame = 1 / 12
    assert not film.copied
    assert film.duration == pytest.approx(4.0 - 2 * 0.25, abs=2 * frame)
    assert film.starts == pytest.approx((0.0, 1.25, 2.0), abs=frame)
    frames = pictures(film.path)
    assert len(frames) / 12 == pytest.approx(film.duration)
    # the seam's frames blend the two shots: between their grey levels, rising
    blended = [luma(planes, 90) for t, planes in frames if 1.25 <= t + 1e-6 < 1.5]
    assert len(blended) == 3
    assert LEVELS[0] + 5 < blended[0] < blended[1] < blended[2] < LEVELS[1] - 5
    samples = sound(film.path)
    assert samples.size / RATE == pytest.approx(film.duration, abs=AAC_FRAME / RATE)
    # the next shot's burst (0.2 s) fades in from the seam over 0.25 s: quiet at first, then
    # louder (it is 0.8 loud in its shot)
    start = round(film.starts[1] * RATE)
    assert np.abs(samples[start : start + 480]).max() < 0.1
    later = samples[start + round(0.15 * RATE) : start + round(0.19 * RATE)]
    assert 0.4 < np.abs(later).max() < 0.7


@pytest.mark.parametrize("size", [None, "320x180"], ids=["stream copy", "re-encoded"])
def test_titles_are_the_films_chapters(shots: list[Path], tmp_path: Path, size: str | None) -> None:
    titles = ["the keeper climbs", "he lights the lamp", "the beam sweeps — à minuit"]
    film = stitch(shots, tmp_path / "film.mp4", titles=titles, size=size)
    with av.open(str(film.path)) as container:
        chapters = container.chapters()
    assert [chapter["metadata"]["title"] for chapter in chapters] == titles
    starts = [chapter["start"] * (chapter["time_base"] or 0) for chapter in chapters]
    assert [float(start) for start in starts] == pytest.approx(film.starts, abs=0.001)


def test_the_film_replaces_the_old_one_whole(shots: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "film.mp4"
    out.write_bytes(b"an older film")
    stitch(shots[:1], out)
    assert pictures(out)
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "film.mp4",
        "shot0.mp4",
        "shot1.mp4",
        "shot2.mp4",
    ]


def test_a_transition_over_half_the_shortest_shot_is_refused(
    shots: list[Path], tmp_path: Path
) -> None:
    with pytest.raises(InvalidRequestError) as refused:
        stitch(shots, tmp_path / "film.mp4", transition_ms=501)
    assert refused.value.param == "transition_ms"
    assert "500 ms" in str(refused.value)
    assert not (tmp_path / "film.mp4").exists()


@pytest.mark.parametrize(
    ("arguments", "param"),
    [
        ({"titles": ["only one"]}, "titles"),
        ({"size": "1280x"}, "size"),
        ({"size": "161x90"}, "size"),
        ({"transition_ms": -1}, "transition_ms"),
        ({"skips": [0.5]}, "skips"),
        ({"skips": [0, 1.0, 0]}, "skips"),  # the second shot is 1 s: nothing would be left
        ({"skips": [-0.1, 0, 0]}, "skips"),
    ],
)
def test_bad_arguments_are_refused(
    shots: list[Path], tmp_path: Path, arguments: dict[str, object], param: str
) -> None:
    with pytest.raises(InvalidRequestError) as refused:
        stitch(shots, tmp_path / "film.mp4", **arguments)  # type: ignore[arg-type]
    assert refused.value.param == param


def test_no_shots_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidRequestError) as refused:
        stitch([], tmp_path / "film.mp4")
    assert refused.value.param == "shots"


@pytest.mark.parametrize(
    ("content", "said"), [(b"", "missing or empty"), (b"not a video", "cannot be read")]
)
def test_an_unreadable_shot_is_named_by_its_index(
    shots: list[Path], tmp_path: Path, content: bytes, said: str
) -> None:
    shots[1].write_bytes(content)
    out = tmp_path / "film.mp4"
    out.write_bytes(b"an older film")
    with pytest.raises(ValueError, match=rf"shots\[1\] .*{said}"):
        stitch(shots, out)
    assert out.read_bytes() == b"an older film"
