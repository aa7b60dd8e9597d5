"""Downloads judged by their bytes, pictures made from the video, grids measured, costs charged."""

from __future__ import annotations

import asyncio
import contextlib
import io
import tempfile
from pathlib import Path

import httpx
import pytest
from PIL import Image

from sora_widget.core.errors import CompletedWithoutVideo, RateLimitError, UnexpectedContentError
from sora_widget.core.pictures import sprite_grid
from sora_widget.engine.jobs import JobStatus, submit
from sora_widget.engine.library import Library
from sora_widget.simulator.render import RenderRequest, render
from sora_widget.ui.widget_state import cost_label, sprite_layout

from .fakes import Hostile, client_for, hostile_video
from .helpers import jpeg_bytes, packets


@pytest.fixture(scope="module")
def rendered() -> Path:
    """A real simulator video (and its own pictures), 1280x720, 4 s."""
    folder = Path(tempfile.mkdtemp(prefix="media-checks-"))
    render(RenderRequest("a red fox trotting through fresh snow", 1280, 720, 4), folder)
    return folder


def server_with(rendered: Path, **media: bytes | httpx.Response) -> Hostile:
    server = Hostile(
        hostile_video(size="1280x720"), hostile_video(status="completed", size="1280x720")
    )
    server.media["video"] = (rendered / "video.mp4").read_bytes()
    server.media["thumbnail"] = (rendered / "thumbnail.webp").read_bytes()
    server.media["spritesheet"] = (rendered / "spritesheet.jpg").read_bytes()
    answers = {k: v for k, v in media.items() if isinstance(v, httpx.Response)}
    server.media.update({k: v for k, v in media.items() if isinstance(v, bytes)})
    plain = server.__call__

    def handler(request: httpx.Request) -> httpx.Response:
        variant = request.url.params.get("variant")
        if request.url.path.endswith("/content") and variant in answers:
            server.paths.append(request.url.path)
            return answers[variant]
        return plain(request)

    server.handler = handler
    return server


async def saved(server: Hostile, root: Path):
    client = client_for(server.handler)
    job = submit(client, "a fox", size="1280x720", library=Library(root))
    with contextlib.suppress(Exception):
        await asyncio.wait_for(job, 30)
    return job


def kind(path: Path) -> str:
    with Image.open(path) as image:
        return image.format


@pytest.mark.parametrize(
    "answer",
    [
        "mp4",
        httpx.Response(404, json={"error": {"message": "no such variant"}}),
        httpx.Response(405, text="Method Not Allowed"),
        httpx.Response(200, text="<html><body>Gateway</body></html>"),
    ],
    ids=["the_mp4", "404", "405", "html_200"],
)
async def test_pictures_the_server_lacks_are_made_from_the_video(tmp_path, rendered, answer):
    video = (rendered / "video.mp4").read_bytes()
    if answer == "mp4":
        answer = video  # what LiteLLM and SGLang send for every variant
    server = server_with(rendered, thumbnail=answer, spritesheet=answer)
    job = await saved(server, tmp_path)
    assert job.status is JobStatus.COMPLETED, job.error
    entry = job.entry
    assert packets(entry.video_path) == packets(rendered / "video.mp4")  # remuxed with its tags
    assert kind(entry.thumbnail_path) == "WEBP" and kind(entry.spritesheet_path) == "JPEG"
    with Image.open(entry.thumbnail_path) as thumbnail:
        assert thumbnail.size == (1280, 720)
    with Image.open(entry.spritesheet_path) as sheet:
        assert sheet.size == (1280, 144)
    assert entry.pictures == {"thumbnail": "video", "spritesheet": "video"}
    assert entry.sprite == {"columns": 10, "rows": 2}


async def test_a_rate_limited_picture_is_not_replaced_by_one_made_here(tmp_path, rendered):
    """A 429 is "later", not "never": the save fails (the job stays resumable), so the
    server's own thumbnail is the one kept when it is tried again."""
    limited = httpx.Response(429, json={"error": {"message": "slow down"}})
    job = await saved(server_with(rendered, thumbnail=limited), tmp_path)
    assert job.status is JobStatus.FAILED and isinstance(job.error, RateLimitError)
    assert Library(tmp_path).get(job.video_id) is None
    assert [record["id"] for record in Library(tmp_path).pending()] == [job.video_id]


async def test_a_server_known_to_ignore_the_variant_is_asked_for_the_video_only(tmp_path, rendered):
    """Once a thumbnail came back as the MP4 (`client.features["variants"]` is False), saves
    ask only for the video and make the pictures here: two MP4 downloads saved per video."""
    video = (rendered / "video.mp4").read_bytes()
    server = server_with(rendered, thumbnail=video, spritesheet=video)
    client = client_for(server.handler)
    client.support.learn("variants", False, "a thumbnail answered with video/mp4")
    job = submit(client, "a fox", size="1280x720", library=Library(tmp_path))
    await asyncio.wait_for(job, 30)
    assert len([path for path in server.paths if path.endswith("/content")]) == 1
    assert job.entry.pictures == {"thumbnail": "video", "spritesheet": "video"}
    assert kind(job.entry.thumbnail_path) == "WEBP"


async def test_a_jpeg_thumbnail_is_kept_as_webp(tmp_path, rendered):
    server = server_with(rendered, thumbnail=jpeg_bytes(1280, 720))
    job = await saved(server, tmp_path)
    assert job.entry.pictures == {"thumbnail": "server jpeg", "spritesheet": "server"}
    assert kind(job.entry.thumbnail_path) == "WEBP"
    assert job.entry.spritesheet_path.read_bytes() == (rendered / "spritesheet.jpg").read_bytes()


async def test_a_video_that_is_html_ends_completed_without_a_video_and_is_kept(tmp_path, rendered):
    page = httpx.Response(
        200, text="<!DOCTYPE html><title>Login</title>", headers={"content-type": "text/html"}
    )
    server = server_with(rendered, video=page)
    library = Library(tmp_path)
    job = await saved(server, tmp_path)
    assert job.status is JobStatus.FAILED
    assert isinstance(job.error, CompletedWithoutVideo)
    assert isinstance(job.error.__cause__, UnexpectedContentError)
    assert "completed without a video" in str(job.error)
    assert "an HTML page (text/html)" in str(job.error)
    assert [record["id"] for record in library.failures()] == ["video_hostile1"]
    assert library.pending() == [] and library.get("video_hostile1") is None
    assert not library.folder("video_hostile1").joinpath("video.mp4").exists()


async def test_the_charged_cost_is_recorded_beside_the_estimate(tmp_path, rendered):
    server = server_with(rendered)
    created = server.videos[0]
    server.videos[0] = httpx.Response(
        200, json=created, headers={"x-litellm-response-cost": "0.4", "openai-poll-after-ms": "1"}
    )
    job = await saved(server, tmp_path)
    assert job.entry.charged_cost == 0.4 and job.entry.cost == 0.4
    library = Library(tmp_path)
    assert library.get(job.video_id).charged_cost == 0.4 and library.total_cost() == 0.4
    assert cost_label("sora-2", "720x1280", "4", 0.4) == "≈ $0.40 · charged $0.40"


def test_the_simulators_sheet_is_10x2_and_another_servers_5x5_is_5x5(rendered):
    sheet = (rendered / "spritesheet.jpg").read_bytes()
    assert sprite_layout(sheet, "1280x720", "4")["columns"] == 10
    assert sprite_layout(sheet, "1280x720", "4")["rows"] == 2
    import av

    with av.open(str(rendered / "video.mp4")) as container:
        frames = [frame.to_image() for frame in container.decode(video=0)]
    five = Image.new("RGB", (5 * 256, 5 * 144))
    for k in range(25):
        tile = frames[int((k + 0.5) * len(frames) / 25)].resize((256, 144))
        five.paste(tile, ((k % 5) * 256, (k // 5) * 144))
    buffer = io.BytesIO()
    five.save(buffer, "JPEG", quality=80)
    with Image.open(buffer) as image:
        assert sprite_grid(image, 1280, 720) == (5, 5)
    layout = sprite_layout(buffer.getvalue(), "1280x720", "4")
    assert (layout["columns"], layout["rows"], layout["tile_width"]) == (5, 5, 256)
    assert sprite_layout(buffer.getvalue(), "1280x720", "4", {"columns": 5, "rows": 5}) == layout
