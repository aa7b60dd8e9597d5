"""The client, jobs, library and widget against a server that answers badly or maliciously.

A server is not trusted: whatever it sends must end as a clear error or be tolerated, never as
a crash, a hang, markup in the page, or a file outside the library folder.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from sora_widget.core.errors import APIError, BadRequestError, ServerError
from sora_widget.engine.jobs import JobStatus, submit
from sora_widget.engine.library import Library
from sora_widget.ui.widget import SoraWidget

from .fakes import HOSTILE_MP4, Hostile, client_for, hostile_video

PROMPT = "a red fox trotting through fresh snow"
SCRIPT = '<script>alert("pwned")</script><img src=x onerror=alert(1)>'


def files_under(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


# ---- bodies that are not what they claim ------------------------------------------------------


@pytest.mark.parametrize(
    ("response", "error_class", "words"),
    [
        (httpx.Response(200, text="<html>Welcome to nginx!</html>"), APIError, "Welcome to nginx"),
        (
            httpx.Response(200, content=b"\x89PNG\r\n\x1a\n\x00\xff" * 50),
            APIError,
            "Expected a JSON object",
        ),
        (httpx.Response(200, json=["video_1"]), APIError, "OPENAI_BASE_URL"),
        (httpx.Response(200, json={"status": "queued"}), APIError, "unexpected shape"),
        (httpx.Response(200, json=hostile_video(progress="half")), APIError, "unexpected shape"),
        (httpx.Response(500, text="Internal Server Error: <pre>Traceback"), ServerError, "500"),
        (httpx.Response(502, text=""), ServerError, "(empty body)"),
        (
            httpx.Response(400, json={"error": {"message": None, "param": 7}}),
            BadRequestError,
            "without an API error body",
        ),
    ],
    ids=[
        "HTML 200",
        "binary 200",
        "JSON array 200",
        "video without id",
        "progress not a number",
        "HTML 500",
        "empty 502",
        "error without message",
    ],
)
async def test_a_body_that_is_not_an_answer_is_a_short_typed_error(response, error_class, words):
    client = client_for(lambda request: response, max_retries=1)
    for call in (client.create(PROMPT), client.retrieve("video_1")):
        with pytest.raises(error_class) as raised:
            await call
        assert words in str(raised.value) and len(str(raised.value)) < 500


async def test_a_job_whose_server_answers_html_fails_with_a_clear_error(tmp_path):
    """A 200 that is not a video is not transient: the job ends instead of polling forever."""
    server = Hostile(hostile_video(), httpx.Response(200, text="<h1>Maintenance</h1>"))
    client = client_for(server)
    job = submit(client, PROMPT, library=Library(tmp_path / "videos"))
    with pytest.raises(APIError, match="Maintenance"):
        await asyncio.wait_for(job, 10)
    assert job.status is JobStatus.FAILED and server.polls == 2
    assert Library(tmp_path / "videos").entries() == []


async def test_html_500s_while_polling_are_retried_and_the_job_completes(tmp_path):
    page = httpx.Response(500, text="<html><body>oops</body></html>")
    server = Hostile(hostile_video(), page, page, page, page, hostile_video(status="completed"))
    job = submit(client_for(server, max_retries=0), PROMPT, library=Library(tmp_path / "videos"))
    video = await asyncio.wait_for(job, 20)
    assert video.status == "completed" and job.path.read_bytes() == HOSTILE_MP4


# ---- huge bodies ------------------------------------------------------------------------------

TWENTY_MB = 20 * 1024 * 1024


async def test_a_20_mb_error_body_is_quoted_not_parsed():
    body = json.dumps({"error": {"message": "x" * TWENTY_MB, "code": "huge"}}).encode()
    client = client_for(lambda request: httpx.Response(400, content=body))
    with pytest.raises(BadRequestError) as raised:
        await client.retrieve("video_1")
    assert len(str(raised.value)) < 500 and "(cut)" in str(raised.value)
    # Not parsed (its code would be "huge"): only the start of the body is shown.
    assert raised.value.code is None


async def test_a_20_mb_video_object_is_read_and_its_extra_field_kept():
    """Big but well-formed: tolerated (the API may add fields), and nothing is lost."""
    answer = hostile_video(notes="n" * TWENTY_MB)
    client = client_for(lambda request: httpx.Response(200, json=answer))
    video = await client.retrieve("video_hostile1")
    assert video.id == "video_hostile1" and len(video.extra["notes"]) == TWENTY_MB


# ---- unknown values ---------------------------------------------------------------------------


async def test_an_unknown_status_keeps_the_job_polling_with_extra_fields_kept(tmp_path):
    """'exploding' is not final: the job shows it as running, keeps the fields it does not
    know, and completes when the server says so."""
    exploding = hostile_video(status="exploding", progress=40, blast_radius={"km": 3})
    server = Hostile(hostile_video(), exploding, exploding, hostile_video(status="completed"))
    widget = SoraWidget(prompt=PROMPT, client=client_for(server), library=Library(tmp_path))
    seen: list[tuple[str, Any]] = []
    job = widget.generate()
    job.on_update(lambda j: seen.append((j.status, j.video.extra if j.video else None)))
    video = await asyncio.wait_for(widget.wait(), 20)
    assert (JobStatus.IN_PROGRESS, {"blast_radius": {"km": 3}}) in seen
    assert video.status == "completed" and widget.job["status"] == "completed"
    assert widget.error["kind"] == ""


async def test_an_unknown_status_forever_ends_with_a_timeout_not_a_hang(tmp_path):
    server = Hostile(hostile_video(), hostile_video(status="exploding"))
    job = submit(client_for(server), PROMPT, timeout=0.5)
    with pytest.raises(Exception, match="did not finish within"):
        await asyncio.wait_for(job, 10)
    assert job.status is JobStatus.FAILED


# ---- markup from the server -------------------------------------------------------------------


async def test_markup_in_a_server_error_is_plain_text_in_the_panel(tmp_path):
    refusal = httpx.Response(
        400, json={"error": {"message": SCRIPT, "param": "prompt", "code": "bad"}}
    )
    widget = SoraWidget(
        prompt=PROMPT, client=client_for(lambda r: refusal), library=Library(tmp_path)
    )
    widget._handle_message(widget, {"action": "generate"}, [])
    with pytest.raises(BadRequestError):
        await asyncio.wait_for(widget.wait(), 10)
    await asyncio.sleep(0)
    assert widget.error["kind"] == "invalid" and widget.error["field"] == "prompt"
    assert widget.error["message"] == SCRIPT  # text: the front end sets it with textContent
    assert widget.prompt == PROMPT  # what the user typed is kept


async def test_markup_in_a_videos_prompt_is_escaped_in_the_exported_page(tmp_path):
    server = Hostile(hostile_video(prompt=SCRIPT), hostile_video(prompt=SCRIPT, status="completed"))
    widget = SoraWidget(prompt=PROMPT, client=client_for(server), library=Library(tmp_path))
    widget.generate()
    await asyncio.wait_for(widget.wait(), 20)
    assert widget.history[0]["prompt"] == SCRIPT and widget.remix_prompt == SCRIPT
    page = widget.to_html()
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;" in page


async def test_a_spritesheet_that_is_not_an_image_does_not_break_the_panel(tmp_path):
    server = Hostile(hostile_video(), hostile_video(status="completed"))
    server.media["spritesheet"] = b"<html>not a jpeg</html>"
    server.media["thumbnail"] = b"\x00garbage"
    widget = SoraWidget(prompt=PROMPT, client=client_for(server), library=Library(tmp_path))
    widget.generate()
    await asyncio.wait_for(widget.wait(), 20)
    await asyncio.sleep(0)
    assert widget.job["status"] == "completed" and widget.video_file.read_bytes() == HOSTILE_MP4
    assert widget.error["kind"] == "" and widget.selected == "video_hostile1"
    assert widget.sprite == {} and widget.to_html().count("data:video/mp4") == 1


# ---- ids from the server ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "video_id", ["../../outside", "..", "a/../../b", "video_1\x00.json", "/etc/cron.d/x"]
)
async def test_a_server_id_that_is_a_path_is_saved_inside_the_library(tmp_path, video_id):
    """The video is paid for, so it is saved; the id never becomes a path of its own."""
    library_root = tmp_path / "deep" / "videos"
    server = Hostile(hostile_video(id=video_id), hostile_video(id=video_id, status="completed"))
    widget = SoraWidget(prompt=PROMPT, client=client_for(server), library=Library(library_root))
    widget.generate()
    video = await asyncio.wait_for(widget.wait(), 10)
    assert video.id == video_id and widget.job["status"] == "completed"
    written = files_under(tmp_path)
    assert written and all(library_root in path.parents for path in written)
    assert Library(library_root).get(video_id) is not None
