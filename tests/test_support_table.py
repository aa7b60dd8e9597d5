"""The table of what each server supports (docs/servers.md) is what feature detection learns.

Each simulator profile plays a real server's shape; a client that makes a video, lists, remixes,
downloads every variant and deletes on it must learn exactly the table's row for that server.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from pathlib import Path

import httpx
import pytest

from sora_widget.core.errors import SoraError
from sora_widget.engine.client import SoraClient
from sora_widget.engine.jobs import submit
from sora_widget.engine.library import Library
from sora_widget.engine.poller import Poller

from .fakes import sim_client
from .helpers import fast_cadence

SERVERS_PAGE = Path(__file__).resolve().parents[1] / "docs" / "servers.md"
#: The table's row names for the features `client.features` reports, in the table's order.
COLUMNS = {"list": "list", "delete": "delete", "remix": "remix", "variants": "thumbnail + sprites",
           "poll_hint": "poll hint"}  # fmt: skip
PROFILES = {"openai": "simulator (openai)", "vllm-omni": "vLLM-Omni", "sglang": "SGLang",
            "gateway": "New API gateway", "openrouter": "OpenRouter"}  # fmt: skip
#: Where each profile serves its API, and a video its models take (OpenRouter names its own).
BASE_URLS = {"openrouter": "http://simulator.test/api/v1"}
JOBS = {"openrouter": {"model": "x-ai/grok-imagine-video", "size": "854x480", "seconds": "1"}}
FAST = fast_cadence(first=0.05, floor=0.01, list_maximum=0.1)


def table_rows() -> dict[str, dict[str, bool]]:
    """The table under "What each server supports": yes/no per server and feature."""
    text = SERVERS_PAGE.read_text(encoding="utf-8").split("## What each server supports", 1)[1]
    lines = [line for line in text.splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    rows = {}
    for line in lines[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        pairs = zip(header[1:], cells[1:], strict=True)
        rows[cells[0]] = {name: value.startswith("yes") for name, value in pairs}
    return rows


async def learned(app, tmp_path: Path, profile: str = "openai") -> dict[str, bool | None]:
    client = SoraClient("sk-test", base_url=BASE_URLS.get(profile, "http://simulator.test/v1"),
                        transport=httpx.ASGITransport(app=app))  # fmt: skip
    poller = Poller(client, cadence=FAST)
    library = Library(tmp_path / "videos")
    job = JOBS.get(profile, {"size": "1280x720"})
    async with client:
        jobs = [submit(client, f"a fox {n}", library=library, poller=poller, **job)
                for n in range(2)]  # fmt: skip
        await asyncio.wait_for(asyncio.gather(*(job.settled() for job in jobs)), 60)
        done = next(job for job in jobs if job.video_id)
        for call in (
            client.retrieve_with_hint(done.video_id),
            client.list_page(),
            client.remix(done.video_id, "the fox at night"),
            client.delete(done.video_id),
        ):
            with contextlib.suppress(SoraError):
                await call
        return client.features


@pytest.mark.parametrize("profile", PROFILES)
async def test_the_docs_say_what_each_server_supports(make_app, tmp_path, profile):
    row = table_rows()[PROFILES[profile]]
    features = await learned(make_app(profile=profile), tmp_path, profile)
    assert {COLUMNS[name]: bool(features[name]) for name in COLUMNS} == row


def test_the_table_has_a_row_per_profile_and_litellm() -> None:
    rows = table_rows()
    assert set(PROFILES.values()) | {"LiteLLM proxy"} <= set(rows)
    assert all(set(row) == set(COLUMNS.values()) for row in rows.values())
    assert re.search(r"LiteLLM proxy \| no \| no", SERVERS_PAGE.read_text())


async def test_one_picture_request_teaches_every_save_that_the_server_sends_the_mp4(
    make_app, tmp_path
):
    """SGLang (and LiteLLM) answer the MP4 for a thumbnail: asked once, while five videos are
    saved at the same moment, and never again; each gets its pictures made from its video."""
    client, transport = sim_client(make_app(profile="sglang"), "sk-test")
    library, poller = Library(tmp_path / "videos"), Poller(client, cadence=FAST)
    async with client:
        jobs = [submit(client, f"a fox {n}", size="1280x720", library=library, poller=poller)
                for n in range(5)]  # fmt: skip
        await asyncio.wait_for(asyncio.gather(*(job.settled() for job in jobs)), 60)
    pictures = [variant for variant in transport.variants if variant != "video"]
    assert pictures == ["thumbnail"] and transport.variants.count("video") == 5
    assert all(job.entry.pictures == {"thumbnail": "video", "spritesheet": "video"} for job in jobs)
