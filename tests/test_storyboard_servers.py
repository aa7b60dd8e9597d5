"""The Storyboard on every server the simulator plays: what each shot's create carried over the
wire (the simulator's report of what it received), how continuity fell back where a server or
model lacks a route, and the film stitched for real (`engine.stitch`)."""

from __future__ import annotations

import asyncio
import base64
import io
import json
from pathlib import Path
from typing import Any

import av
import httpx
import numpy as np
import pytest
from PIL import Image

from sora_widget import Storyboard
from sora_widget.core.catalog import ImageSlots
from sora_widget.engine.client import SoraClient
from sora_widget.engine.library import Library
from sora_widget.engine.poller import _POLLERS, Poller
from sora_widget.engine.shots import NO_FIRST_FRAME
from sora_widget.engine.storyboard import Board

from .fakes import EchoesNothing, Recording, client_for
from .helpers import OPENROUTER_TEST_KEY, TEST_KEY, RunningServer, fast_cadence, silent_mp4
from .litellm_proxy import Proxy, upstream_id

#: The profiles of `/v1/videos`, and the one that has the extensions route.
OPENAI_SHAPED = ("openai", "vllm-omni", "sglang", "gateway")
EXTENDS = ("openai",)
#: Any model name takes any WxH on the `/v1/videos` profiles: small 4 s shots render quickly.
SMALL = {"model": "Wan-AI/Wan2.2-T2V-A14B", "size": "256x144", "seconds": "4"}
SHOTS = ["a lighthouse keeper climbs the stairs at dawn", "he lights the lamp as the storm begins"]


async def received(transport: Recording, key: str, video_id: str) -> dict[str, Any]:
    """What the simulator says the create of `video_id` sent beyond prompt, model, size and
    seconds (images summarised), asked through the same transport as the client's."""
    async with httpx.AsyncClient(
        transport=transport.inner, base_url="http://simulator.test"
    ) as plain:
        answer = await plain.get(
            f"/simulator/videos/{video_id}/received", headers={"Authorization": f"Bearer {key}"}
        )
    answer.raise_for_status()
    return answer.json()["received"]


def last_picture(path) -> np.ndarray:
    with av.open(str(path)) as container:
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    return frames[-1].astype(float)


def first_picture(path) -> np.ndarray:
    with av.open(str(path)) as container:
        frame = next(container.decode(video=0))
    return frame.to_ndarray(format="rgb24").astype(float)


def picture(data: bytes, size: tuple[int, int]) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as image:
        return np.asarray(image.convert("RGB").resize(size), dtype=float)


def duration(path) -> float:
    with av.open(str(path)) as container:
        return container.duration / av.time_base


def assert_film_of(sb: Storyboard, files: list) -> None:
    """The film holds each file once, in order: its length is theirs, a seam between each."""
    film = sb.board.film
    assert film is not None and sb.board.film_current and film.path.exists()
    lengths = [duration(path) for path in files]
    frame = 1 / film.fps
    assert abs(duration(film.path) - sum(lengths)) <= frame * len(files)
    assert list(film.starts) == pytest.approx(
        [sum(lengths[:n]) for n in range(len(files))], abs=frame * len(files)
    )


async def generated(sb: Storyboard) -> None:
    sb.generate()
    await asyncio.wait_for(sb.wait(), 120)
    assert [shot.status for shot in sb.shots] == ["completed"] * len(sb.shots), [
        shot.error for shot in sb.shots
    ]


@pytest.mark.parametrize("profile", OPENAI_SHAPED)
async def test_last_frame_sends_the_previous_shots_last_frame_as_input_reference(
    on_profile, profile
):
    client, transport, library = on_profile(profile)
    sb = Storyboard(SHOTS, **SMALL, continuity="last_frame", title=profile, client=client,
                    library=library)  # fmt: skip
    await generated(sb)
    first, second = sb.shots
    assert "input_reference" not in await received(transport, TEST_KEY, first.video_id)
    sent = await received(transport, TEST_KEY, second.video_id)
    assert str(sent["input_reference"]).startswith("file ")  # a multipart upload
    assert second.continuity == "last_frame" and second.started_from == first.video_id
    continued = np.abs(last_picture(first.video_file) - first_picture(second.video_file))
    assert continued.mean() < 8, "the second shot begins where the first ended"
    assert_film_of(sb, [first.video_file, second.video_file])
    sb.close()


@pytest.mark.parametrize("profile", OPENAI_SHAPED)
async def test_extend_uses_the_extensions_route_where_there_is_one(on_profile, profile):
    client, transport, library = on_profile(profile)
    sb = Storyboard(SHOTS, **SMALL, continuity="extend", title=profile, client=client,
                    library=library)  # fmt: skip
    await generated(sb)
    first, second = sb.shots
    extended = [r for r in transport.requests if r.url.path.endswith("/videos/extensions")]
    assert second.started_from == first.video_id
    if profile in EXTENDS:
        assert extended and second.continuity == "extend" and second.includes_previous
        assert_film_of(sb, [second.video_file])  # it holds the first shot: once, not twice
        assert sb.board.starts() == [0.0, float(first.seconds)]
    else:
        assert second.continuity == "last_frame" and not second.includes_previous
        sent = await received(transport, TEST_KEY, second.video_id)
        assert str(sent["input_reference"]).startswith("file ")
        assert_film_of(sb, [first.video_file, second.video_file])
    sb.close()


@pytest.mark.parametrize("profile", OPENAI_SHAPED)
async def test_a_model_without_a_first_frame_makes_its_shot_on_its_own(
    on_profile, profile, monkeypatch
):
    monkeypatch.setattr(Board, "images", lambda self, model: ImageSlots(first=None))
    client, transport, library = on_profile(profile)
    sb = Storyboard(SHOTS, **SMALL, continuity="last_frame", title=profile, client=client,
                    library=library)  # fmt: skip
    await generated(sb)
    first, second = sb.shots
    assert "input_reference" not in await received(transport, TEST_KEY, second.video_id)
    assert second.continuity == "none" and second.started_from is None
    assert second.note == NO_FIRST_FRAME
    assert sb.get_state(["shots"])["shots"][1]["note"] == NO_FIRST_FRAME
    sb.close()


def all_pictures(path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgb24").astype(float) for f in container.decode(video=0)]


async def test_a_stale_extended_shot_shows_only_its_own_part_in_the_film(on_profile):
    """The extension's file begins with the video it extended: once that shot is made again,
    the film shows the new shot, then the extension's own seconds, never the old shot."""
    client, _, library = on_profile("openai")
    sb = Storyboard(SHOTS, **SMALL, continuity="extend", title="stale", client=client,
                    library=library)  # fmt: skip
    await generated(sb)
    old_first = all_pictures(sb.shots[0].video_file)
    sb.regenerate(0)
    await asyncio.wait_for(sb.wait(), 120)
    first, second = sb.shots
    assert second.includes_previous and sb.board.stale(1)
    assert [card["status"] for card in sb.get_state(["shots"])["shots"]] == ["completed", "stale"]
    film = sb.board.film
    assert film is not None and sb.board.film_current and not film.copied
    own = float(second.seconds)
    assert film.duration == pytest.approx(duration(first.video_file) + own, abs=2 / film.fps)
    assert sb.board.starts() == pytest.approx([0.0, duration(first.video_file)], abs=1 / film.fps)
    shown = all_pictures(film.path)
    extension = all_pictures(second.video_file)
    seam = round(duration(first.video_file) * film.fps)
    assert np.abs(shown[0] - all_pictures(first.video_file)[0]).mean() < 8  # the new shot
    assert np.abs(shown[seam + 1] - extension[-round(own * film.fps) + 1]).mean() < 8
    assert all(np.abs(picture - old_first[0]).mean() > 8 for picture in shown[seam:])
    sb.close()


# ---- OpenRouter: frame_images as data URIs, previous_job_id, its own catalog ------------------

#: Grok Imagine takes a first frame and no previous_job_id; FLUX.3 Video continues a job;
#: Sora 2 Pro takes no frame image at all.
GROK = {"model": "x-ai/grok-imagine-video", "size": "854x480", "seconds": "4"}
FLUX = {"model": "black-forest-labs/flux-3-video", "size": "1280x720", "seconds": "5"}
SORA_PRO = {"model": "openai/sora-2-pro", "size": "1280x720", "seconds": "4"}


def creates(transport: Recording) -> list[dict[str, Any]]:
    return [json.loads(request.content) for request in transport.creates()]


async def test_openrouter_sends_the_last_frame_as_a_first_frame_data_uri(on_profile):
    client, transport, library = on_profile("openrouter")
    sb = Storyboard(SHOTS, **GROK, continuity="last_frame", title="grok", client=client,
                    library=library)  # fmt: skip
    await generated(sb)
    first, second = sb.shots
    bodies = creates(transport)
    assert "frame_images" not in bodies[0]
    [frame] = bodies[1]["frame_images"]
    assert frame["frame_type"] == "first_frame"
    url = frame["image_url"]["url"]
    assert url.startswith("data:image/")
    sent = base64.b64decode(url.split(",", 1)[1])
    wanted = last_picture(first.video_file)
    height, width = wanted.shape[:2]
    assert np.abs(picture(sent, (width, height)) - wanted).mean() < 8
    said = await received(transport, OPENROUTER_TEST_KEY, second.video_id)
    assert said["frame_images"][0]["image_url"]["url"].startswith("data:image/")
    assert second.continuity == "last_frame" and second.started_from == first.video_id
    assert_film_of(sb, [first.video_file, second.video_file])
    sb.close()


async def test_openrouter_extends_with_previous_job_id_where_the_model_continues(on_profile):
    client, transport, library = on_profile("openrouter")
    sb = Storyboard(SHOTS, **FLUX, continuity="extend", title="flux", client=client,
                    library=library)  # fmt: skip
    await generated(sb)
    first, second = sb.shots
    assert creates(transport)[1]["previous_job_id"] == first.video_id
    assert second.continuity == "extend" and second.includes_previous
    assert_film_of(sb, [second.video_file])
    sb.close()


async def test_openrouter_extend_falls_back_to_the_last_frame_where_the_model_cannot(on_profile):
    client, transport, library = on_profile("openrouter")
    sb = Storyboard(SHOTS, **GROK, continuity="extend", title="grok", client=client,
                    library=library)  # fmt: skip
    await generated(sb)
    first, second = sb.shots
    body = creates(transport)[1]
    assert "previous_job_id" not in body
    assert [f["frame_type"] for f in body["frame_images"]] == ["first_frame"]
    assert second.continuity == "last_frame" and second.started_from == first.video_id
    sb.close()


async def test_openrouter_a_model_without_frame_images_makes_its_shot_on_its_own(on_profile):
    client, transport, library = on_profile("openrouter")
    sb = Storyboard(SHOTS, **SORA_PRO, continuity="last_frame", title="sora", client=client,
                    library=library)  # fmt: skip
    await client.shape()
    await client.server_models()
    assert sb.get_state(["shots"])["shots"][1]["note"] == NO_FIRST_FRAME
    await generated(sb)
    first, second = sb.shots
    assert all("frame_images" not in body for body in creates(transport))
    assert second.continuity == "none" and second.started_from is None
    assert second.note == NO_FIRST_FRAME
    assert_film_of(sb, [first.video_file, second.video_file])
    sb.close()


# ---- a gateway that echoes nothing ------------------------------------------------------------


@pytest.mark.parametrize("continuity", ["last_frame", "extend"])
async def test_a_gateway_that_echoes_nothing_keeps_what_each_shot_asked(tmp_path, continuity):
    clips = [
        silent_mp4(tmp_path / "one.mp4", seconds=2, width=256, height=144).read_bytes(),
        silent_mp4(tmp_path / "two.mp4", seconds=3, width=256, height=144).read_bytes(),
    ]
    gateway = EchoesNothing(clips)
    shots = [SHOTS[0], {"prompt": SHOTS[1], "seconds": "3"}]
    sb = Storyboard(shots, model="Wan-AI/Wan2.2-T2V-A14B", size="256x144", seconds="2",
                    continuity=continuity, title="gateway", client=client_for(gateway),
                    library=Library(tmp_path / "videos"))  # fmt: skip
    await generated(sb)
    first, second = sb.shots
    assert [(s.video_id, s.model, s.size, s.seconds) for s in sb.shots] == [
        ("task_1", "Wan-AI/Wan2.2-T2V-A14B", "256x144", "2"),
        ("task_2", "Wan-AI/Wan2.2-T2V-A14B", "256x144", "3"),
    ]
    for shot in sb.shots:
        entry = sb.library.get(shot.video_id)
        assert (entry.model, entry.size, entry.seconds) == (shot.model, shot.size, shot.seconds)
    assert [c["seconds"] for c in sb.get_state(["shots"])["shots"]] == ["2", "3"]
    assert b'name="input_reference"' in gateway.created[1].content  # the first's last frame
    assert second.continuity == "last_frame" and second.started_from == "task_1"
    assert_film_of(sb, [first.video_file, second.video_file])
    assert sb.board.starts() == pytest.approx([0.0, 2.0], abs=0.1)
    sb.close()


# ---- through a real LiteLLM proxy -------------------------------------------------------------


def litellm_storyboard(proxy: Proxy, model: str, continuity: str, folder: Path) -> Storyboard:
    client = SoraClient(proxy.key, base_url=proxy.base_url)
    _POLLERS[client] = Poller(client, cadence=fast_cadence(first=0.05, ceiling=0.25))
    return Storyboard(SHOTS, model=model, size="256x144", seconds="4", continuity=continuity,
                      title="litellm", client=client, library=Library(folder))  # fmt: skip


async def generated_and_closed(sb: Storyboard) -> None:
    try:
        await generated(sb)
    finally:
        sb.close()
        await sb.board.client.aclose()


@pytest.mark.parametrize(
    ("model", "simulator_name"),
    [("Lightricks/LTX-2", "openai"), ("Wan-AI/Wan2.2-T2V-A14B", "vllm")],
)
async def test_through_litellm_the_second_shot_carries_the_first_ones_last_frame(
    litellm_proxy: Proxy, litellm_upstreams: dict[str, RunningServer], model: str,
    simulator_name: str, tmp_path: Path,
) -> None:  # fmt: skip
    sb = litellm_storyboard(litellm_proxy, model, "last_frame", tmp_path / "videos")
    await generated_and_closed(sb)
    first, second = sb.shots
    origin = litellm_upstreams[simulator_name].base_url.removesuffix("/v1")

    def upstream_received(litellm_video_id: str) -> dict[str, Any]:
        answer = httpx.get(
            f"{origin}/simulator/videos/{upstream_id(litellm_video_id)}/received",
            headers={"Authorization": f"Bearer {TEST_KEY}"},
        )
        answer.raise_for_status()
        return answer.json()["received"]

    assert "input_reference" not in upstream_received(first.video_id)
    assert str(upstream_received(second.video_id)["input_reference"]).startswith("file ")
    assert second.continuity == "last_frame" and second.started_from == first.video_id
    continued = np.abs(last_picture(first.video_file) - first_picture(second.video_file))
    assert continued.mean() < 8, "the second shot begins where the first ended"
    assert_film_of(sb, [first.video_file, second.video_file])


async def test_through_litellm_extend_uses_its_extensions_route(
    litellm_proxy: Proxy, tmp_path: Path
) -> None:
    """LiteLLM reads the video to extend from a `video` field (`video[id]`, the SDK's form, it
    takes for none and sends to OpenAI's own host): the shot is the upstream's extension."""
    sb = litellm_storyboard(litellm_proxy, "Lightricks/LTX-2", "extend", tmp_path / "videos")
    await generated_and_closed(sb)
    first, second = sb.shots
    assert second.continuity == "extend" and second.includes_previous
    assert sb.library.get(second.video_id).extends == first.video_id
    assert duration(second.video_file) == pytest.approx(duration(first.video_file) + 4, abs=0.2)
    assert_film_of(sb, [second.video_file])  # it holds the first shot: once, not twice
