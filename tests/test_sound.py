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
