"""The simulator's sound track, decoded with PyAV: there, as long as the picture, made from the
prompt's words, the same for the same prompt, and continued without a click by an extension."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from sora_widget.simulator.render import (
    AUDIO_RATE,
    FPS,
    RenderedAssets,
    RenderRequest,
    render,
)

W, H, SECONDS = 720, 1280, 4
AAC_FRAME = 1024  # samples in one AAC frame: the most a track may differ from the picture
FOX = "a red fox trotting across a meadow"
RAIN = "a red fox trotting across a meadow in the rain"
SILENT = "a red fox trotting across a meadow, silent"


@pytest.fixture(scope="module")
def make(tmp_path_factory: pytest.TempPathFactory):
    """Render a prompt (or a request) once per module."""
    cache: dict[RenderRequest, RenderedAssets] = {}

    def make(prompt: str | RenderRequest, **fields: object) -> RenderedAssets:
        request = (
            prompt
            if isinstance(prompt, RenderRequest)
            else RenderRequest(prompt, W, H, fields.pop("seconds", SECONDS), **fields)
        )
        if request not in cache:
            cache[request] = render(request, tmp_path_factory.mktemp("sound"))
        return cache[request]

    return make


def samples(video: Path) -> np.ndarray:
    with av.open(str(video)) as container:
        return np.concatenate([f.to_ndarray()[0] for f in container.decode(audio=0)])


def test_every_video_has_one_aac_lc_track_as_long_as_the_picture(make) -> None:
    assets = make(FOX)
    with av.open(str(assets.video)) as container:
        assert len(container.streams.video) == 1 and len(container.streams.audio) == 1
        audio, video = container.streams.audio[0], container.streams.video[0]
        assert audio.codec_context.name == "aac" and audio.codec_context.profile == "LC"
        assert audio.rate == AUDIO_RATE
        audio_seconds = float(audio.duration * audio.time_base)
        video_seconds = float(video.duration * video.time_base)
        frames = sum(1 for _ in container.decode(video=0))
    decoded = samples(assets.video)
    assert frames == SECONDS * FPS
    assert video_seconds == SECONDS
    assert audio_seconds == pytest.approx(video_seconds, abs=AAC_FRAME / AUDIO_RATE)
    assert abs(len(decoded) - SECONDS * AUDIO_RATE) <= AAC_FRAME
    assert np.abs(decoded).max() > 0.01, "a fox in a meadow is not silent"


def high_frequency_energy(x: np.ndarray, above: float = 4000.0) -> float:
    """Mean power of the track above `above` Hz."""
    spectrum = np.fft.rfft(x.astype(np.float64))
    f = np.fft.rfftfreq(len(x), 1 / AUDIO_RATE)
    return float((np.abs(spectrum[f > above]) ** 2).sum() / len(x) ** 2)


def test_rain_is_heard_and_a_silent_prompt_is_silent(make) -> None:
    rain, dry, silent = (samples(make(p).video) for p in (RAIN, FOX, SILENT))
    assert np.abs(silent).max() < 1e-4
    assert high_frequency_energy(rain) > 1e-4
    assert high_frequency_energy(rain) > 20 * high_frequency_energy(dry)
    assert high_frequency_energy(silent) < 1e-9


@pytest.mark.parametrize(
    "prompt",
    ["no sound: a red fox trotting across a meadow", "a red fox in a meadow, without audio"],
)
def test_no_sound_in_words_is_silence(make, prompt: str) -> None:
    assert np.abs(samples(make(prompt).video)).max() < 1e-4


def test_generate_audio_false_keeps_a_silent_track(make) -> None:
    assets = make(RAIN, generate_audio=False)
    with av.open(str(assets.video)) as container:
        assert len(container.streams.audio) == 1
    decoded = samples(assets.video)
    assert abs(len(decoded) - SECONDS * AUDIO_RATE) <= AAC_FRAME
    assert np.abs(decoded).max() < 1e-4


def test_the_same_prompt_gives_the_same_samples(tmp_path: Path) -> None:
    request = RenderRequest("jazz in a city at night with a dog and birds", W, H, SECONDS)
    first, second = (samples(render(request, tmp_path / name).video) for name in "ab")
    other = samples(render(RenderRequest("jazz in a city", W, H, SECONDS), tmp_path / "c").video)
    assert np.array_equal(first, second)
    assert not np.allclose(first[: len(other)], other[: len(first)], atol=1e-3)


@pytest.mark.parametrize(
    ("prompt", "band"),
    [
        ("a dog barking in a park", (1000, 3000)),
        ("piano music over a quiet meadow", (300, 1000)),
        ("a campfire crackling in a meadow", (3000, 8000)),
        ("birds over a meadow", (3000, 8000)),
        ("a car waiting in a meadow", (20, 300)),
    ],
)
def test_words_bring_their_sounds(make, prompt: str, band: tuple[int, int]) -> None:
    """Each adds energy where its sound lives, over the dry meadow's air."""
    low, high = band

    def energy(x: np.ndarray) -> float:
        spectrum = np.fft.rfft(x.astype(np.float64))
        f = np.fft.rfftfreq(len(x), 1 / AUDIO_RATE)
        return float((np.abs(spectrum[(f > low) & (f < high)]) ** 2).sum() / len(x) ** 2)

    assert energy(samples(make(prompt).video)) > 5 * energy(samples(make(FOX).video))


def test_a_remix_in_the_rain_adds_rain(make) -> None:
    source = RenderRequest(FOX, W, H, SECONDS)
    remix = RenderRequest("the same fox in the rain", W, H, SECONDS, source=source)
    before, after = samples(make(source).video), samples(make(remix).video)
    assert high_frequency_energy(after) > 20 * high_frequency_energy(before)


def test_an_extension_keeps_its_source_and_has_no_click_at_the_seam(make) -> None:
    source = RenderRequest("a red car on a road, cinematic", W, H, SECONDS)
    extension = RenderRequest(
        "the car drives on into the wind", W, H, 2 * SECONDS, source=source, extend=True
    )
    before, after = samples(make(source).video), samples(make(extension).video)
    seam = SECONDS * AUDIO_RATE
    kept = seam - 2 * AAC_FRAME  # the last frames before the seam are coded with what follows
    assert np.abs(after[:kept] - before[:kept]).max() < 1e-4, "the source part changed"
    assert abs(len(after) - 2 * seam) <= AAC_FRAME
    jumps = np.abs(np.diff(after))
    near = slice(seam - AUDIO_RATE // 50, seam + AUDIO_RATE // 50)
    elsewhere = np.concatenate([jumps[AAC_FRAME : near.start], jumps[near.stop : -AAC_FRAME]])
    assert jumps[near].max() <= elsewhere.max()
    assert not np.allclose(after[seam + AUDIO_RATE :], 0), "the continuation is heard"
