"""Through a real LiteLLM proxy in front of the simulator: what users of real models run now."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import openai
import pytest
from PIL import Image

from sora_widget.core.errors import UnsupportedFeature
from sora_widget.engine.client import SoraClient
from sora_widget.engine.jobs import JobStatus, submit, submit_remix
from sora_widget.engine.library import Library

from .fakes import CountingTransport
from .helpers import MP4_MAGIC
from .litellm_proxy import Proxy


def test_the_proxy_lists_its_video_models(litellm_proxy: Proxy) -> None:
    response = httpx.get(
        f"{litellm_proxy.base_url}/models", headers={"Authorization": f"Bearer {litellm_proxy.key}"}
    )
    models = {item["id"]: item for item in response.json()["data"]}
    assert {"sora-2", "sora-2-pro"} <= set(models)
    assert {item.get("mode") for item in models.values()} == {"video_generation"}


def test_the_official_sdk_goes_through_end_to_end(litellm_proxy: Proxy, tmp_path: Path) -> None:
    target = tmp_path / "through-litellm.mp4"
    with openai.OpenAI(
        base_url=litellm_proxy.base_url, api_key=litellm_proxy.key, max_retries=0
    ) as sdk:
        video = sdk.videos.create_and_poll(
            model="sora-2", prompt="a lighthouse at dusk", size="1280x720", seconds="4"
        )
        sdk.videos.download_content(video.id).write_to_file(target)
    assert video.status == "completed"
    assert len(video.id) > 128  # LiteLLM's ids carry the provider and model: opaque, long
    assert target.read_bytes()[4:8] == MP4_MAGIC


async def test_our_client_reads_the_proxys_menu_and_kind(litellm_proxy: Proxy) -> None:
    async with SoraClient(litellm_proxy.key, base_url=litellm_proxy.base_url) as client:
        models = await client.list_models()
    ours = [name for name in models.names if name in ("sora-2", "sora-2-pro")]
    assert ours == ["sora-2-pro", "sora-2"] and models.kind == "LiteLLM"


async def test_our_client_learns_what_litellm_lacks_and_still_saves_the_videos(
    litellm_proxy: Proxy, tmp_path: Path
) -> None:
    transport = CountingTransport(httpx.AsyncHTTPTransport())
    client = SoraClient(
        litellm_proxy.key, base_url=litellm_proxy.base_url, transport=transport, max_retries=0
    )
    library = Library(tmp_path / "videos")
    try:
        # Two jobs, so the poller would list them; LiteLLM answers the list with 400.
        jobs = [
            submit(client, prompt, size="1280x720", seconds="4", library=library)
            for prompt in ("a lighthouse at dusk", "a harbour at dawn")
        ]
        for job in jobs:
            await asyncio.wait_for(job.settled(), 120)
        assert [job.status for job in jobs] == [JobStatus.COMPLETED] * 2, [j.error for j in jobs]
        assert all(job.path is not None and job.path.read_bytes()[4:8] == MP4_MAGIC for job in jobs)
        assert transport.counts["list"] <= 1
        with pytest.raises(UnsupportedFeature, match="cannot delete"):
            await client.delete(jobs[0].video_id)
        with pytest.raises(UnsupportedFeature):
            await client.delete(jobs[0].video_id)
        assert transport.counts["DELETE"] == 1
        features = client.features
        assert features["list"] is False and features["delete"] is False
        assert features["poll_hint"] is False
    finally:
        await client.aclose()


async def test_a_job_through_the_proxy_is_saved_with_pictures_made_here_and_its_charge(
    litellm_proxy: Proxy, tmp_path: Path
) -> None:
    """LiteLLM drops `variant` (every variant is the MP4): the thumbnail and spritesheet are
    made in the kernel; its create answers `x-litellm-response-cost` (0.1 USD/s for sora-2 in
    its price map), recorded as the charged cost."""
    client = SoraClient(litellm_proxy.key, base_url=litellm_proxy.base_url)
    try:
        job = submit(client, "a lighthouse at dusk", size="1280x720", library=Library(tmp_path))
        await asyncio.wait_for(job, 120)
    finally:
        await client.aclose()
    entry = job.entry
    assert job.status is JobStatus.COMPLETED and entry is not None
    assert entry.video_path.read_bytes()[4:8] == MP4_MAGIC
    with Image.open(entry.thumbnail_path) as thumbnail:
        assert thumbnail.format == "WEBP" and thumbnail.size == (1280, 720)
    with Image.open(entry.spritesheet_path) as sheet:
        assert sheet.format == "JPEG" and sheet.size == (1280, 144)
    assert entry.pictures == {"thumbnail": "video", "spritesheet": "video"}
    assert entry.sprite == {"columns": 10, "rows": 2}
    assert entry.charged_cost == 0.4 and Library(tmp_path).total_cost() == 0.4


async def test_a_remix_through_the_proxy_is_saved_beside_its_source(
    litellm_proxy: Proxy, tmp_path: Path
) -> None:
    library = Library(tmp_path / "videos")
    async with SoraClient(litellm_proxy.key, base_url=litellm_proxy.base_url) as client:
        source = await asyncio.wait_for(
            submit(client, "a lighthouse at dusk", size="1280x720", library=library), 120
        )
        remix = submit_remix(client, source.id, "the lighthouse at night", library=library)
        video = await asyncio.wait_for(remix, 120)
    assert video.id != source.id and len(video.id) > 128
    assert {entry.id for entry in library.entries()} == {source.id, video.id}
    assert library.get(video.id).video_path.read_bytes()[4:8] == MP4_MAGIC
