"""LiteLLM's own provider mappings, end to end through its proxy, onto simulator profiles.

`gemini/` is LiteLLM's Veo mapping (predictLongRunning, operation polling, file download) with
`api_base` the simulator's root (LiteLLM adds `/v1beta` itself); `hosted_vllm/` is its vLLM-Omni
mapping (multipart creates) onto a simulator started with `--profile vllm-omni`.
"""

from __future__ import annotations

import asyncio
import base64
import io
import time
from pathlib import Path

import av
import httpx
import openai
import pytest
from PIL import Image

from sora_widget.engine.client import SoraClient
from sora_widget.engine.jobs import JobStatus, submit
from sora_widget.engine.library import Library

from .helpers import MP4_MAGIC, TEST_KEY, RunningServer
from .litellm_proxy import Proxy, upstream_id, upstream_of

POLL_SECONDS = 0.25
DEADLINE_SECONDS = 120


def made_through(proxy: Proxy, model: str, size: str, folder: Path) -> tuple[str, bytes]:
    """create, retrieve until completed, download_content: what the official SDK does.
    Returns what LiteLLM's id says of the upstream job, and the video's bytes."""
    target = folder / f"{model}.mp4"
    with openai.OpenAI(base_url=proxy.base_url, api_key=proxy.key, max_retries=0) as sdk:
        video = sdk.videos.create(
            model=model, prompt="a lighthouse at dusk", size=size, seconds="4"
        )
        deadline = time.monotonic() + DEADLINE_SECONDS
        status = video.status
        while status != "completed" and time.monotonic() < deadline:
            assert status not in ("failed", "cancelled"), status
            time.sleep(POLL_SECONDS)
            status = sdk.videos.retrieve(video.id).status
        assert status == "completed"
        sdk.videos.download_content(video.id).write_to_file(target)
    return upstream_of(video.id), target.read_bytes()


def said_video_id(upstream: str) -> str:
    """The upstream job's id in what one of LiteLLM's ids says (see `upstream_of`)."""
    return upstream.split("video_id:", 1)[1].split(";", 1)[0]


def listed_on(server: RunningServer) -> dict[str, dict]:
    """The videos a simulator behind the proxy lists, by id (the shared one serves others)."""
    answer = httpx.get(f"{server.base_url}/videos", headers={"Authorization": f"Bearer {TEST_KEY}"})
    return {item["id"]: item for item in answer.json()["data"]}


def test_litellm_veo_mapping_makes_a_video_on_the_simulator(
    litellm_proxy: Proxy, litellm_upstreams: dict[str, RunningServer], tmp_path: Path
) -> None:
    upstream, data = made_through(litellm_proxy, "veo-3.1-generate-preview", "1280x720", tmp_path)
    assert "custom_llm_provider:gemini;" in upstream
    assert "video_id:models/veo-3.1-generate-preview/operations/video_" in upstream
    assert data[4:8] == MP4_MAGIC
    made = listed_on(litellm_upstreams["veo"])[said_video_id(upstream).rsplit("/", 1)[-1]]
    assert (made["model"], made["size"]) == ("veo-3.1-generate-preview", "1280x720")


def test_litellm_hosted_vllm_mapping_makes_a_video_on_the_vllm_omni_profile(
    litellm_proxy: Proxy, litellm_upstreams: dict[str, RunningServer], tmp_path: Path
) -> None:
    upstream, data = made_through(litellm_proxy, "wan-2.2", "480x272", tmp_path)
    assert "custom_llm_provider:hosted_vllm;" in upstream and "video_id:video_gen_" in upstream
    assert data[4:8] == MP4_MAGIC
    made = listed_on(litellm_upstreams["vllm"])[said_video_id(upstream)]
    assert made["model"] == "Wan-AI/Wan2.2-T2V-A14B"


async def test_our_client_makes_and_saves_videos_through_both_mappings(
    litellm_proxy: Proxy, tmp_path: Path
) -> None:
    """Veo through LiteLLM reports no progress (`processing`, then `completed`): the job shows
    an indeterminate bar timed by the catalog; vLLM-Omni's multipart route goes through too."""
    library = Library(tmp_path / "videos")
    async with SoraClient(litellm_proxy.key, base_url=litellm_proxy.base_url) as client:
        veo = submit(client, "a lighthouse at dusk", model="veo-3.1-generate-preview",
                     size="1280x720", seconds="4", library=library)  # fmt: skip
        wan = submit(client, "a harbour at dawn", model="wan-2.2", size="480x272",
                     seconds="4", library=library)  # fmt: skip
        seen_indeterminate = []
        veo.on_update(lambda job: seen_indeterminate.append(job.indeterminate))
        await asyncio.wait_for(asyncio.gather(veo.settled(), wan.settled()), 120)
    assert (veo.status, wan.status) == (JobStatus.COMPLETED, JobStatus.COMPLETED), (
        veo.error,
        wan.error,
    )
    assert True in seen_indeterminate  # no progress from Veo: the bar was indeterminate
    for job in (veo, wan):
        entry = library.get(job.video_id)
        assert entry is not None and entry.video_path.read_bytes()[4:8] == MP4_MAGIC
        with Image.open(entry.thumbnail_path) as thumbnail:
            assert thumbnail.format == "WEBP"


# ---- provider parameters across the gateway -----------------------------------------------------


@pytest.mark.parametrize(
    ("model", "simulator_name"),
    [("Lightricks/LTX-2", "openai"), ("Wan-AI/Wan2.2-T2V-A14B", "vllm")],
)
async def test_a_negative_prompt_a_seed_and_a_last_frame_cross_litellm_to_the_server(
    litellm_proxy: Proxy, litellm_upstreams: dict[str, RunningServer], model: str,
    simulator_name: str, tmp_path: Path,
) -> None:  # fmt: skip
    """Named parameters travel as form fields, which LiteLLM 1.108.14 forwards on both routes
    (openai/: as form data; hosted_vllm/: through `_serialize_form_value`). A served model
    documents no last frame, so it goes in the raw JSON field, as a data URI: LiteLLM passes
    only `input_reference` on as an upload. The simulator reports each, and ends on the frame."""
    simulator = litellm_upstreams[simulator_name]
    blue = io.BytesIO()
    Image.new("RGB", (64, 64), (20, 40, 230)).save(blue, "PNG")
    last = "data:image/png;base64," + base64.b64encode(blue.getvalue()).decode()
    library = Library(tmp_path / "videos")
    async with SoraClient(litellm_proxy.key, base_url=litellm_proxy.base_url) as client:
        job = submit(client, "a harbour in the rain", model=model, size="64x64", seconds="2",
                     parameters={"negative_prompt": "rain", "seed": 42},
                     extra={"last_frame": last}, library=library)  # fmt: skip
        await asyncio.wait_for(job.settled(), DEADLINE_SECONDS)
    assert job.status is JobStatus.COMPLETED, job.error
    raw_id = upstream_id(job.video_id)
    answer = httpx.get(
        f"{simulator.base_url.removesuffix('/v1')}/simulator/videos/{raw_id}/received",
        headers={"Authorization": f"Bearer {TEST_KEY}"},
    )
    report = answer.json()["received"]
    assert report["negative_prompt"] == "rain" and report["seed"] == "42"
    assert report["last_frame"].startswith("data:image/png;base64,")
    entry = library.get(job.video_id)
    with av.open(str(entry.video_path)) as container:
        final = [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)][-1]
    assert final.reshape(-1, 3).mean(axis=0)[2] > 180  # the clip ends on the blue last frame
