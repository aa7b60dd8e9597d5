"""Bad input through the Python API: every refusal names its field in plain words, nothing crashes,
nothing is sent that the server would refuse, and nothing the user typed is lost.

Unusual but valid input (control characters, emoji) must work end to end, not be refused.
"""

from __future__ import annotations

import asyncio
import inspect
import struct
import tracemalloc
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from sora_widget.core.errors import APIError, BadRequestError, InvalidRequestError, NotFoundError
from sora_widget.engine.client import SoraClient
from sora_widget.engine.jobs import JobStatus, submit, submit_remix
from sora_widget.engine.library import Library
from sora_widget.engine.poller import Poller
from sora_widget.simulator import FaultConfig
from sora_widget.ui.compare import Compare
from sora_widget.ui.widget import SoraWidget

from .fakes import IdleExecutor, Recording
from .helpers import TEST_KEY, fast_cadence, png_bytes

PROMPT = "a red fox trotting through fresh snow"
FAST = fast_cadence()
SIXTY_MB = 60 * 1024 * 1024


def huge_png(width: int, height: int) -> bytes:
    """A valid PNG header claiming huge dimensions: a few bytes, no pixels to decode."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b""))
        + chunk(b"IEND", b"")
    )


def padded_png(total_bytes: int) -> bytes:
    """A 720x1280 PNG (the default size) padded with zeros to `total_bytes`: cheap to make."""
    image = png_bytes(720, 1280)
    return image + bytes(total_bytes - len(image))


def corrupt_png() -> bytes:
    """A real PNG cut in the middle of its pixel data."""
    data = png_bytes(720, 1280)
    return data[: len(data) // 2]


@dataclass
class Ctx:
    client: SoraClient
    library: Library
    transport: Recording
    tmp: Path

    def widget(self, **fields: Any) -> SoraWidget:
        return SoraWidget(client=self.client, library=self.library, **fields)


@pytest.fixture
def ctx(make_app, tmp_path: Path) -> Ctx:
    """A client on the simulator (no rendering), a library, and an empty folder for files."""
    app = make_app(api_key=TEST_KEY, executor=IdleExecutor())
    transport = Recording(httpx.ASGITransport(app=app))
    # The contract's shape, said up front: these tests count every request sent.
    client = SoraClient(
        TEST_KEY, base_url="http://simulator.test/v1", transport=transport, dialect="openai"
    )
    client.is_simulator = True
    (tmp_path / "out").mkdir()
    return Ctx(client, Library(tmp_path / "videos"), transport, tmp_path / "out")


async def settle(result: Any) -> Any:
    """Await the call if it is async: the table mixes sync and async entry points."""
    return await result if inspect.isawaitable(result) else result


def text_file(ctx: Ctx) -> Path:
    path = ctx.tmp / "notes.txt"
    path.write_text("this is not an image\n" * 50)
    return path


# (call, error class, param, words the message must contain). Every one is refused before
# anything is sent: checked by the test with the recording transport.
Call = Callable[[Ctx], Any]
REFUSED: dict[str, tuple[Call, type[Exception], str, str]] = {
    # prompts
    "empty prompt": (lambda c: c.client.create(""), InvalidRequestError, "prompt", "empty"),
    "whitespace prompt": (
        lambda c: c.client.submit(" \t\n\u3000 "),
        InvalidRequestError,
        "prompt",
        "is empty",
    ),
    "32,001-char prompt": (
        lambda c: c.client.create("x" * 32_001),
        InvalidRequestError,
        "prompt",
        "32,001 characters, the maximum is 32,000",
    ),
    "None prompt": (lambda c: submit(c.client, None), InvalidRequestError, "prompt", "Missing"),
    "bytes prompt": (
        lambda c: c.client.create(b"a fox"),
        InvalidRequestError,
        "prompt",
        "expected a string, but got bytes",
    ),
    "whitespace remix prompt": (
        lambda c: c.client.submit_remix("video_1", "   "),
        InvalidRequestError,
        "prompt",
        "empty",
    ),
    # models and sizes
    "model name of 300 characters": (
        lambda c: c.client.create(PROMPT, model="m" * 300),
        InvalidRequestError,
        "model",
        "at most 256 printable characters",
    ),
    "model with a line break": (
        lambda c: c.client.submit(PROMPT, model="sora-2\n"),
        InvalidRequestError,
        "model",
        "printable",
    ),
    "empty model": (
        lambda c: c.client.submit(PROMPT, model=""),
        InvalidRequestError,
        "model",
        "Invalid value for 'model'",
    ),
    "pro size on sora-2": (
        lambda c: c.client.create(PROMPT, size="1792x1024"),
        InvalidRequestError,
        "size",
        "not available for model 'sora-2'",
    ),
    "size with a capital X": (
        lambda c: c.client.submit(PROMPT, size="720X1280"),
        InvalidRequestError,
        "size",
        "'720x1280', '1280x720'",
    ),
    # seconds: integers are converted, everything else is named
    "seconds '5'": (
        lambda c: c.client.create(PROMPT, seconds="5"),
        InvalidRequestError,
        "seconds",
        "'4', '8', '12'",
    ),
    "seconds 5 (int)": (
        lambda c: c.client.submit(PROMPT, seconds=5),
        InvalidRequestError,
        "seconds",
        "Invalid value for 'seconds': '5'",
    ),
    "seconds 5.5": (
        lambda c: c.client.submit(PROMPT, seconds=5.5),
        InvalidRequestError,
        "seconds",
        "5.5",
    ),
    "seconds 'four'": (
        lambda c: c.client.create(PROMPT, seconds="four"),
        InvalidRequestError,
        "seconds",
        "'four'",
    ),
    "seconds None": (
        lambda c: c.client.submit(PROMPT, seconds=None),
        InvalidRequestError,
        "seconds",
        "None",
    ),
    "seconds '4.0'": (
        lambda c: c.client.create(PROMPT, seconds="4.0"),
        InvalidRequestError,
        "seconds",
        "'4.0'",
    ),
    # reference images
    "text file as reference": (
        lambda c: c.client.create(PROMPT, input_reference=text_file(c)),
        InvalidRequestError,
        "input_reference",
        "could not be read as an image: use a PNG, JPEG or WebP",
    ),
    "corrupt PNG": (
        lambda c: c.client.create(PROMPT, input_reference=corrupt_png()),
        InvalidRequestError,
        "input_reference",
        "could not be read as an image",
    ),
    "60 MB image": (
        lambda c: c.client.create(PROMPT, input_reference=padded_png(SIXTY_MB)),
        InvalidRequestError,
        "input_reference",
        "60.0 MiB, over the 20 MiB limit",
    ),
    "image of 400 megapixels": (
        lambda c: c.client.create(PROMPT, input_reference=huge_png(20_000, 20_000)),
        InvalidRequestError,
        "input_reference",
        "too many pixels",
    ),
    "image of the wrong size": (
        lambda c: c.client.create(PROMPT, input_reference=png_bytes(1280, 720)),
        InvalidRequestError,
        "input_reference",
        "1280x720 but the video size is 720x1280",
    ),
    # ids refused before any request
    "empty id": (lambda c: c.client.retrieve(""), InvalidRequestError, "video_id", "video_123"),
    "whitespace id": (
        lambda c: c.client.remix("  ", PROMPT),
        InvalidRequestError,
        "video_id",
        "must be an id",
    ),
    "int id": (lambda c: c.client.delete(42), InvalidRequestError, "video_id", "42"),
    # the widget
    "widget: 32,001-char prompt": (
        lambda c: c.widget(prompt="y" * 32_001).generate(),
        InvalidRequestError,
        "prompt",
        "too long",
    ),
    "widget: seconds 5.5": (
        lambda c: c.widget(prompt=PROMPT, seconds=5.5).generate(),
        InvalidRequestError,
        "seconds",
        "'5.5'",
    ),
    "widget: text as reference": (
        lambda c: c.widget(prompt=PROMPT, input_reference=b"plain text").generate(),
        InvalidRequestError,
        "reference",
        "could not be read",
    ),
    "widget: wrong size, no fit": (
        lambda c: c.widget(prompt=PROMPT, input_reference=png_bytes(400, 300)).generate(),
        InvalidRequestError,
        "reference",
        "choose Crop or Pad",
    ),
    # Compare checks every cell before paying for any
    "compare: seconds '5'": (
        lambda c: Compare(PROMPT, models=["sora-2"], seconds="5", client=c.client),
        InvalidRequestError,
        "seconds",
        "'5'",
    ),
    "compare: whitespace prompt in a grid": (
        lambda c: Compare(prompts=[PROMPT, "  "], models=["sora-2"], client=c.client),
        InvalidRequestError,
        "prompt",
        "empty",
    ),
    "compare: pro size on sora-2": (
        lambda c: Compare(
            PROMPT, models=["sora-2", "sora-2-pro"], size="1024x1792", client=c.client
        ),
        InvalidRequestError,
        "size",
        "not available for model 'sora-2'",
    ),
}


@pytest.mark.parametrize("case", REFUSED, ids=list(REFUSED))
async def test_bad_input_is_refused_by_name_before_sending(case, ctx):
    """The message must say which field and what is allowed, and nothing may reach the server."""
    call, error_class, param, words = REFUSED[case]
    with pytest.raises(error_class) as refused:
        await settle(call(ctx))
    error = refused.value
    assert getattr(error, "param", "") == param
    assert words in str(error)
    assert len(str(error)) < 400 and "Traceback" not in str(error)
    assert ctx.transport.creates() == []
    assert not ctx.library.root.exists()  # nothing written into the library


# Ids that are fine as URL segments but name nothing. The client sends each as one encoded path
# segment; the simulator, like many servers, decodes %2F before routing, so an id with slashes
# may land on another route: whatever it lands on must be a 4xx, never a success or a file.
HOSTILE_IDS = {
    "dot-dot path": "../../etc/passwd",
    "dot-dot": "..",
    "slashes": "video_1/content",
    "NUL": "video\x00_1",
    "10k chars": "v" * 10_000,
    "unknown": "video_does_not_exist",
}
ID_CALLS: dict[str, Callable[[Ctx, str], Any]] = {
    "retrieve": lambda c, video_id: c.client.retrieve(video_id),
    "remix": lambda c, video_id: c.client.remix(video_id, PROMPT),
    "download": lambda c, video_id: c.client.download_content(video_id, path=c.tmp / "v.mp4"),
    "delete": lambda c, video_id: c.client.delete(video_id),
}


@pytest.mark.parametrize("call", ID_CALLS, ids=list(ID_CALLS))
@pytest.mark.parametrize("video_id", HOSTILE_IDS.values(), ids=list(HOSTILE_IDS))
async def test_unknown_and_malformed_ids_are_a_clear_client_error(ctx, call, video_id):
    with pytest.raises(APIError) as refused:
        await ID_CALLS[call](ctx, video_id)
    error = refused.value
    assert 400 <= error.status_code < 500 and len(str(error)) < 400
    if "/" not in video_id:
        assert isinstance(error, NotFoundError) and error.param == "video_id"
        assert "not found" in error.message
    [request] = ctx.transport.requests
    encoded = quote(video_id, safe="").replace(".", "%2E").encode()
    assert request.url.raw_path.split(b"?")[0].split(b"/")[3] == encoded
    assert list(ctx.tmp.iterdir()) == [], "a failed download must leave no file"


@pytest.mark.parametrize("video_id", HOSTILE_IDS.values(), ids=list(HOSTILE_IDS))
async def test_the_library_looks_up_any_id_and_writes_nothing(ctx, video_id):
    """Ids are opaque: looking one up is never an error, and never a path of its own."""
    assert ctx.library.get(video_id) is None
    assert ctx.library.lineage(video_id) == [video_id]
    assert not ctx.library.root.exists()


@pytest.mark.parametrize("video_id", ["../../etc/passwd", "v" * 10_000])
async def test_from_id_of_an_odd_unknown_id_says_not_found_in_the_panel(ctx, video_id):
    widget = SoraWidget.from_id(video_id, client=ctx.client, library=ctx.library)
    with pytest.raises(NotFoundError):
        await asyncio.wait_for(widget.wait(), 10)
    await asyncio.sleep(0)
    assert widget.job["status"] == "failed" and len(widget.error["message"]) < 400
    assert widget.library.entries() == [] and widget.library.pending() == []


async def test_default_download_name_of_a_hostile_id_stays_in_the_folder(ctx, monkeypatch):
    """Without `path`, the file is named after the id: it must not become a path."""
    monkeypatch.chdir(ctx.tmp)
    with pytest.raises(NotFoundError):
        await ctx.client.download_content("../../etc/passwd")
    assert list(ctx.tmp.iterdir()) == [] and list(ctx.tmp.parent.glob("*passwd*")) == []


async def test_from_id_of_an_unknown_video_shows_the_error_in_the_panel(ctx):
    widget = SoraWidget.from_id("video_does_not_exist", client=ctx.client, library=ctx.library)
    with pytest.raises(NotFoundError):
        await asyncio.wait_for(widget.wait(), 10)
    await asyncio.sleep(0)
    assert widget.job["status"] == "failed" and widget.error["field"] == "video_id"
    assert "video_does_not_exist" in widget.error["message"]
    assert widget.library.entries() == [] and widget.library.pending() == []


async def test_submit_remix_of_a_malformed_id_fails_the_job_by_name(ctx):
    job = submit_remix(ctx.client, "", PROMPT)
    with pytest.raises(InvalidRequestError) as refused:
        await asyncio.wait_for(job, 10)
    assert refused.value.param == "video_id" and job.status is JobStatus.FAILED
    assert ctx.transport.requests == []


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"prompt": " \n "}, "prompt"),
        ({"prompt": PROMPT, "model": " "}, "model"),
        ({"prompt": PROMPT, "seconds": "four"}, "seconds"),
        ({"prompt": PROMPT, "size": "720x720"}, "size"),
        ({"prompt": PROMPT, "input_reference": huge_png(20_000, 20_000)}, "reference"),
    ],
    ids=["blank prompt", "blank model", "seconds in words", "square size", "huge image"],
)
async def test_a_click_on_generate_with_bad_input_loses_nothing(ctx, fields, field):
    """From the browser: the error shows in the panel and the form keeps what was typed."""
    widget = ctx.widget(**fields)
    before = {name: getattr(widget, name) for name in ("prompt", "model", "size", "seconds")}
    widget._handle_message(widget, {"action": "generate"}, [])
    assert widget.error["kind"] == "invalid" and widget.error["field"] == field
    assert widget.error["message"] == widget.problems[field]
    assert {name: getattr(widget, name) for name in before} == before
    assert widget.job["status"] == "idle" and ctx.transport.requests == []


def test_a_60_mb_image_is_refused_without_decoding_it_into_memory(ctx):
    """Sixty megabytes in; the check must not hold several copies or a decoded bomb."""
    data = padded_png(SIXTY_MB)
    bomb = huge_png(50_000, 50_000)
    tracemalloc.start()
    try:
        for image in (data, bomb):
            with pytest.raises(InvalidRequestError) as refused:
                asyncio.run(ctx.client.create(PROMPT, input_reference=image))
            assert refused.value.param == "input_reference"
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2.5 * len(data), f"peak {peak / 2**20:.0f} MiB"


async def test_an_oversized_image_with_a_fit_is_re_encoded_and_accepted(ctx):
    """The limit is on what is sent: with fit= the image is sent as a fresh, small PNG."""
    video = await ctx.client.create(PROMPT, input_reference=padded_png(SIXTY_MB // 2), fit="pad")
    [request] = ctx.transport.requests
    assert video.status == "queued" and len(request.content) < 5 * 2**20


async def test_integer_seconds_are_converted_not_refused(ctx):
    video = await ctx.client.create(PROMPT, seconds=8)
    assert video.seconds == "8"
    job = submit(ctx.client, PROMPT, seconds=12, poller=Poller(ctx.client, cadence=FAST))
    while job.video is None:
        await asyncio.sleep(0.01)
    assert job.video.seconds == "12"
    job.cancel()


async def test_remix_of_a_failed_video_says_only_completed_videos_can_be_used(make_app, tmp_path):
    app = make_app(api_key=TEST_KEY, speed=200.0, faults=FaultConfig(blocked_words=("bomb",)))
    client = SoraClient(
        TEST_KEY, base_url="http://simulator.test/v1", transport=httpx.ASGITransport(app=app)
    )
    library = Library(tmp_path / "videos")
    failed = submit(client, "a bomb", library=library, poller=Poller(client, cadence=FAST))
    with pytest.raises(Exception):  # noqa: B017 (ModerationBlocked, tested elsewhere)
        await asyncio.wait_for(failed, 30)
    with pytest.raises(BadRequestError) as direct:
        await client.remix(failed.video_id, "a calm fox")
    assert direct.value.param == "video_id" and "status is 'failed'" in direct.value.message
    assert "only completed videos" in direct.value.message

    widget = SoraWidget(client=client, library=library, prompt="a calm fox")
    widget.selected = failed.video_id
    widget.job = {**widget.job, "status": "failed"}
    with pytest.raises(InvalidRequestError, match="no completed video to remix") as refused:
        widget.remix("a calm fox")
    assert refused.value.param == "video_id" and widget.prompt == "a calm fox"
    job = submit_remix(client, failed.video_id, "a calm fox", library=library)
    with pytest.raises(BadRequestError, match="only completed videos"):
        await asyncio.wait_for(job, 10)
    assert library.entries() == [] and library.pending() == []


# Valid prompts that look odd: they must go through untouched, not be refused or mangled.
ODD_PROMPTS = {
    "control characters": "a fox\x00 in\x07 the\x1b[2J snow\x7f",
    "emoji": "🦊 a fox 🎬 in ❄️ snow, 👨‍👩‍👧 watching",
    "right-to-left and combining": "ثعلب أحمر \u202e in snow e\u0301\u0301",
    "CRLF and tabs": "line one\r\nline two\ttabbed\r\n",
    "exactly 32,000 characters": "🦊" * 32_000,
}


@pytest.mark.parametrize("prompt", ODD_PROMPTS.values(), ids=list(ODD_PROMPTS))
async def test_odd_but_valid_prompts_work_end_to_end(make_app, tmp_path, prompt):
    app = make_app(api_key=TEST_KEY, speed=400.0)
    client = SoraClient(
        TEST_KEY, base_url="http://simulator.test/v1", transport=httpx.ASGITransport(app=app)
    )
    library = Library(tmp_path / "videos")
    job = submit(client, prompt, library=library, poller=Poller(client, cadence=FAST))
    video = await asyncio.wait_for(job, 30)
    assert video.status == "completed" and video.prompt == prompt
    assert library.get(video.id).prompt == prompt and job.path.read_bytes()[4:8] == b"ftyp"


async def test_control_characters_and_emoji_through_the_widget(make_widget, tmp_path):
    prompt = "🦊\x00 a fox\x1b[31m <b>in</b> snow ❄️"
    widget = make_widget(prompt=prompt)
    assert widget.problems == {}
    widget.generate()
    await asyncio.wait_for(widget.wait(), 60)
    assert widget.job["status"] == "completed" and widget.history[0]["prompt"] == prompt
    assert widget.prompt == prompt and widget.remix_prompt == prompt
    page = widget.to_html()
    assert "<b>in</b>" not in page and "&lt;b&gt;in&lt;/b&gt;" in page and "🦊" in page
