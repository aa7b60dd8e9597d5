"""The client, jobs, library and widget against a server that answers badly or maliciously.

A server is not trusted: whatever it sends must end as a clear error or be tolerated, never as
a crash, a hang, markup in the page, or a file outside the library folder.
"""

from __future__ import annotations

import asyncio
import io
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from sora_widget.core.errors import APIError, BadRequestError, ServerError
from sora_widget.engine.client import SoraClient
from sora_widget.engine.jobs import JobStatus, submit
from sora_widget.engine.library import Library
from sora_widget.engine.poller import _POLLERS, Poller
from sora_widget.ui.widget import SoraWidget

from .conftest import TEST_KEY
from .helpers import fast_cadence, png_bytes
from .test_client import video_json as client_video_json

BASE_URL = "http://hostile.test/v1"
PROMPT = "a red fox trotting through fresh snow"
#: Every answer asks to be polled again at once (clamped to the poller's 0.1 s floor).
FAST_POLL = {"openai-poll-after-ms": "1"}
MP4 = b"\x00\x00\x00\x18ftypmp42" + bytes(64)
SCRIPT = '<script>alert("pwned")</script><img src=x onerror=alert(1)>'


def video_json(**overrides: Any) -> dict[str, Any]:
    return client_video_json(**{"id": "video_hostile1", "prompt": PROMPT, **overrides})


class Hostile:
    """A scriptable server: `videos` answers the create and each poll in turn (the last one
    repeats); content is served from `media`. Requests are counted per path."""

    def __init__(self, *videos: dict[str, Any] | httpx.Response) -> None:
        self.videos = list(videos)
        self.polls = 0
        self.paths: list[str] = []
        self.media = {"video": MP4, "thumbnail": png_bytes(72, 128), "spritesheet": None}

    def next_video(self) -> httpx.Response:
        answer = self.videos[min(self.polls, len(self.videos) - 1)]
        self.polls += 1
        if isinstance(answer, httpx.Response):
            return answer
        return httpx.Response(200, json=answer, headers=FAST_POLL)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(request.url.path)
        if request.url.path.endswith("/content"):
            variant = request.url.params.get("variant", "video")
            data = self.media.get(variant)
            if data is None:
                data = _jpeg(720, 1280)
            return httpx.Response(200, content=data)
        if request.method == "GET" and request.url.path.endswith("/videos"):
            return httpx.Response(404, json={"error": {"message": "no list here"}})
        return self.next_video()


def _jpeg(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height)).save(buffer, format="JPEG")
    return buffer.getvalue()


def client_for(handler: Callable[[httpx.Request], httpx.Response], **options: Any) -> SoraClient:
    async def no_wait(seconds: float) -> None:
        await asyncio.sleep(0)

    # The contract's shape, said up front: each server here answers requests in sequence.
    client = SoraClient(
        TEST_KEY,
        base_url=BASE_URL,
        transport=httpx.MockTransport(handler),
        sleep=no_wait,
        dialect="openai",
        **options,
    )
    # Jobs (the widget's too) use the client's shared poller: make it quick before first use.
    _POLLERS[client] = Poller(client, cadence=fast_cadence())
    return client


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
        (httpx.Response(200, json=video_json(progress="half")), APIError, "unexpected shape"),
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
    server = Hostile(video_json(), httpx.Response(200, text="<h1>Maintenance</h1>"))
    client = client_for(server)
    job = submit(client, PROMPT, library=Library(tmp_path / "videos"))
    with pytest.raises(APIError, match="Maintenance"):
        await asyncio.wait_for(job, 10)
    assert job.status is JobStatus.FAILED and server.polls == 2
    assert Library(tmp_path / "videos").entries() == []


async def test_html_500s_while_polling_are_retried_and_the_job_completes(tmp_path):
    page = httpx.Response(500, text="<html><body>oops</body></html>")
    server = Hostile(video_json(), page, page, page, page, video_json(status="completed"))
    job = submit(client_for(server, max_retries=0), PROMPT, library=Library(tmp_path / "videos"))
    video = await asyncio.wait_for(job, 20)
    assert video.status == "completed" and job.path.read_bytes() == MP4


# ---- huge bodies ------------------------------------------------------------------------------

TWENTY_MB = 20 * 1024 * 1024


async def test_a_20_mb_error_body_is_quoted_not_parsed():
    body = json.dumps({"error": {"message": "x" * TWENTY_MB, "code": "huge"}}).encode()
    client = client_for(lambda request: httpx.Response(400, content=body))
    started = time.monotonic()
    with pytest.raises(BadRequestError) as raised:
        await client.retrieve("video_1")
    assert len(str(raised.value)) < 500 and "(cut)" in str(raised.value)
    assert raised.value.code is None  # not parsed: only the start of the body is shown
    assert time.monotonic() - started < 5


async def test_a_20_mb_video_object_is_read_and_its_extra_field_kept():
    """Big but well-formed: tolerated (the API may add fields), and nothing is lost."""
    answer = video_json(notes="n" * TWENTY_MB)
    client = client_for(lambda request: httpx.Response(200, json=answer))
    video = await client.retrieve("video_hostile1")
    assert video.id == "video_hostile1" and len(video.extra["notes"]) == TWENTY_MB


# ---- unknown values ---------------------------------------------------------------------------


async def test_an_unknown_status_keeps_the_job_polling_with_extra_fields_kept(tmp_path):
    """'exploding' is not final: the job shows it as running, keeps the fields it does not
    know, and completes when the server says so."""
    exploding = video_json(status="exploding", progress=40, blast_radius={"km": 3})
    server = Hostile(video_json(), exploding, exploding, video_json(status="completed"))
    widget = SoraWidget(prompt=PROMPT, client=client_for(server), library=Library(tmp_path))
    seen: list[tuple[str, Any]] = []
    job = widget.generate()
    job.on_update(lambda j: seen.append((j.status, j.video.extra if j.video else None)))
    video = await asyncio.wait_for(widget.wait(), 20)
    assert (JobStatus.IN_PROGRESS, {"blast_radius": {"km": 3}}) in seen
    assert video.status == "completed" and widget.job["status"] == "completed"
    assert widget.error["kind"] == ""


async def test_an_unknown_status_forever_ends_with_a_timeout_not_a_hang(tmp_path):
    server = Hostile(video_json(), video_json(status="exploding"))
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
    server = Hostile(video_json(prompt=SCRIPT), video_json(prompt=SCRIPT, status="completed"))
    widget = SoraWidget(prompt=PROMPT, client=client_for(server), library=Library(tmp_path))
    widget.generate()
    await asyncio.wait_for(widget.wait(), 20)
    assert widget.history[0]["prompt"] == SCRIPT and widget.remix_prompt == SCRIPT
    page = widget.to_html()
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;" in page


async def test_a_spritesheet_that_is_not_an_image_does_not_break_the_panel(tmp_path):
    server = Hostile(video_json(), video_json(status="completed"))
    server.media["spritesheet"] = b"<html>not a jpeg</html>"
    server.media["thumbnail"] = b"\x00garbage"
    widget = SoraWidget(prompt=PROMPT, client=client_for(server), library=Library(tmp_path))
    widget.generate()
    await asyncio.wait_for(widget.wait(), 20)
    await asyncio.sleep(0)
    assert widget.job["status"] == "completed" and widget.video_file.read_bytes() == MP4
    assert widget.error["kind"] == "" and widget.selected == "video_hostile1"
    assert widget.sprite == {} and widget.to_html().count("data:video/mp4") == 1


# ---- ids from the server ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "video_id", ["../../outside", "..", "a/../../b", "video_1\x00.json", "/etc/cron.d/x"]
)
async def test_a_server_id_that_is_a_path_is_saved_inside_the_library(tmp_path, video_id):
    """The video is paid for, so it is saved; the id never becomes a path of its own."""
    library_root = tmp_path / "deep" / "videos"
    server = Hostile(video_json(id=video_id), video_json(id=video_id, status="completed"))
    widget = SoraWidget(prompt=PROMPT, client=client_for(server), library=Library(library_root))
    widget.generate()
    video = await asyncio.wait_for(widget.wait(), 10)
    assert video.id == video_id and widget.job["status"] == "completed"
    written = files_under(tmp_path)
    assert written and all(library_root in path.parents for path in written)
    assert Library(library_root).get(video_id) is not None
