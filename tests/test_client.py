"""SoraClient against the simulator in-process, and against small fake servers for faults."""

from __future__ import annotations

import asyncio
import base64
import email.utils
import io
import json
import logging
import random
import re
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from sora_widget.core.errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    InvalidRequestError,
    NotFoundError,
    RateLimitError,
    ServerError,
    SoraError,
)
from sora_widget.core.reference_image import fit_image
from sora_widget.core.types import Video, VideoStatus
from sora_widget.engine.client import SoraClient
from sora_widget.simulator import FaultConfig, SimulatorConfig, create_app

from .fakes import FakeClock, HeldCreates, IdleExecutor, Recording, Sleeps
from .helpers import video_json

KEY = "sk-test-SECRET123"
BASE_URL = "http://sim.test/v1"
#: The simulator answers loopback hosts only, unless told otherwise.
HOSTS = ("sim.test",)
PROMPT = "a red fox trotting through fresh snow"


# ---- fixtures and fakes ---------------------------------------------------------------------


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def renderer() -> Iterator[ThreadPoolExecutor]:
    executor = ThreadPoolExecutor(1)
    yield executor
    executor.shutdown(wait=True, cancel_futures=True)


def simulator(tmp_path: Path, executor: Executor, clock=time.time, **faults: Any):
    config = SimulatorConfig(
        data_dir=tmp_path / "sim", speed=200, faults=FaultConfig(**faults), allowed_hosts=HOSTS
    )
    return create_app(config, clock=clock, executor=executor)


def make_client(transport: httpx.AsyncBaseTransport, sleeps: Sleeps, **options: Any) -> SoraClient:
    """A client of the contract's shape, said up front: these tests count every request, and
    an unsaid shape is asked for once (`GET /videos/models`, tested in test_openrouter)."""
    options = {"dialect": "openai", **options}
    return SoraClient(KEY, base_url=BASE_URL, transport=transport, sleep=sleeps, **options)


@pytest.fixture
def sim(tmp_path: Path, sleeps: Sleeps):
    """A client on a simulator that accepts jobs but never renders them, and its transport."""
    app = simulator(tmp_path, IdleExecutor())
    transport = Recording(httpx.ASGITransport(app=app))
    return make_client(transport, sleeps), transport, app


def fake_server(handler: Callable[[httpx.Request], Any]) -> Recording:
    return Recording(httpx.MockTransport(handler))


def error_json(message: str, code: str | None = None, param: str | None = None) -> dict:
    return {
        "error": {"message": message, "type": "invalid_request_error", "param": param, "code": code}
    }


def image_bytes(width: int, height: int, fmt: str = "PNG", color=(200, 40, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, format=fmt)
    return buffer.getvalue()


def form_field(request: httpx.Request, name: str) -> str | None:
    match = re.search(
        rf'name="{re.escape(name)}"\r\n\r\n(.*?)\r\n', request.content.decode("latin-1")
    )
    return match.group(1) if match else None


def leak_free(*texts: object) -> bool:
    return not any("SECRET123" in str(text) for text in texts)


def assert_no_leak(error: BaseException) -> None:
    assert leak_free(
        str(error), repr(error), error.args, "".join(traceback.format_exception(error))
    )


# ---- the endpoints against the simulator ----------------------------------------------------


async def test_create_retrieve_and_hint(tmp_path, sleeps, clock):
    # The clock stands still: on a busy machine the real one can move a new job past "queued".
    transport = Recording(httpx.ASGITransport(app=simulator(tmp_path, IdleExecutor(), clock=clock)))
    client = make_client(transport, sleeps)
    async with client:
        video = await client.create(PROMPT, seconds=8)
        assert video.id.startswith("video_") and video.status is VideoStatus.QUEUED
        assert video.seconds == "8" and video.prompt == PROMPT
        same, hint = await client.retrieve_with_hint(video.id)
        assert same.id == video.id and isinstance(hint, float) and 0.1 <= hint <= 10
        assert (await client.retrieve(video.id)).id == video.id
    assert form_field(transport.requests[0], "seconds") == "8"
    assert transport.closed


async def test_list_follows_pages_and_sees_each_video_once(sim):
    client, transport, _ = sim
    created = [(await client.create(f"{PROMPT} {i}")).id for i in range(5)]
    transport.requests.clear()

    listed = [video.id async for video in client.list(limit=2, order="asc")]

    assert listed == created
    assert [r.url.params.get("after") for r in transport.requests] == [None, created[1], created[3]]
    page = await client.list_page(limit=2)
    assert page.has_more and [v.id for v in page.data] == created[:-3:-1]
    assert (page.first_id, page.last_id) == (page.data[0].id, page.data[-1].id)
    assert [v.id async for v in client.list()] == created[::-1]


async def test_failed_video_delete_then_not_found(tmp_path, sleeps, clock):
    app = simulator(tmp_path, IdleExecutor(), clock=clock, blocked_words=("forbidden",))
    client = make_client(httpx.ASGITransport(app=app), sleeps)
    video = await client.create("a forbidden scene")
    with pytest.raises(BadRequestError) as unfinished:
        await client.delete(video.id)
    assert unfinished.value.param == "video_id" and unfinished.value.request_id.startswith("req_")
    clock.now += 60
    failed = await client.retrieve(video.id)
    assert failed.status is VideoStatus.FAILED and failed.error.code == "moderation_blocked"

    assert await client.delete(video.id) is True

    with pytest.raises(NotFoundError) as gone:
        await client.retrieve(video.id)
    assert gone.value.code == "video_not_found" and gone.value.status_code == 404
    assert sleeps == []


async def wait_completed(client: SoraClient, video_id: str, clock: FakeClock) -> Video:
    """Jump the simulator's clock to the end of the job, then wait (briefly) for its media."""
    clock.now += 120
    for _ in range(1500):
        video = await client.retrieve(video_id)
        if video.is_terminal:
            return video
        await asyncio.sleep(0.02)
    raise TimeoutError(f"{video_id} did not finish rendering")


async def test_media_remix_edit_extend_and_characters(tmp_path, sleeps, clock, renderer):
    app = simulator(tmp_path, renderer, clock=clock)
    client = make_client(httpx.ASGITransport(app=app), sleeps)
    video = await client.create(PROMPT, size="1280x720")
    assert (await wait_completed(client, video.id, clock)).status is VideoStatus.COMPLETED

    out = tmp_path / "out"
    mp4 = await client.download_content(video.id, "video", out / "fox.mp4")
    webp = await client.download_content(video.id, "thumbnail", out / "fox.webp")
    jpeg = await client.download_content(video.id, "spritesheet", out / "fox.jpg")
    assert mp4.read_bytes()[4:8] == b"ftyp"
    assert webp.read_bytes()[:4] == b"RIFF" and webp.read_bytes()[8:12] == b"WEBP"
    assert jpeg.read_bytes()[:2] == b"\xff\xd8"
    assert sorted(p.name for p in out.iterdir()) == ["fox.jpg", "fox.mp4", "fox.webp"]

    remix = await client.remix(video.id, f"{PROMPT} at night in the rain")
    assert remix.remixed_from_video_id == video.id and remix.size == "1280x720"
    edited = await client.edit(video.id, "the fox is now blue")
    assert edited.id != video.id and edited.prompt == "the fox is now blue"
    extended = await client.extend(video.id, "the fox keeps running", 4)
    assert extended.seconds == "8"
    from_file = await client.edit(mp4, "edit the uploaded clip")
    assert from_file.size == "1280x720"
    from_bytes = await client.extend(mp4.read_bytes(), "continue the uploaded clip", "8")
    assert from_bytes.seconds == "12"

    character = await client.create_character(mp4, "Fox")
    assert character.id.startswith("char_") and character.name == "Fox"
    assert await client.retrieve_character(character.id) == character
    with pytest.raises(NotFoundError):
        await client.retrieve_character("char_missing")


async def test_default_download_name_and_simulated_truncation(
    tmp_path, sleeps, clock, renderer, monkeypatch
):
    app = simulator(tmp_path, renderer, clock=clock)
    client = make_client(httpx.ASGITransport(app=app), sleeps)
    video = await client.create(PROMPT)
    await wait_completed(client, video.id, clock)
    monkeypatch.chdir(tmp_path)
    saved = await client.download_content(video.id, "thumbnail")
    assert saved == Path(f"{video.id}_thumbnail.webp") and saved.read_bytes()[8:12] == b"WEBP"

    # A second server on the same data folder, whose downloads all stop halfway.
    truncating = simulator(tmp_path, renderer, clock=clock, truncate_rate=1.0)
    client = make_client(httpx.ASGITransport(app=truncating), sleeps, max_retries=1)
    with pytest.raises(APIConnectionError, match="ended after"):
        await client.download_content(video.id, "video", tmp_path / "cut" / "v.mp4")
    assert list((tmp_path / "cut").iterdir()) == []


# ---- checks before sending ------------------------------------------------------------------


def _gif() -> bytes:
    return image_bytes(720, 1280, "GIF")


INVALID_CALLS = {
    "empty prompt": ("prompt", lambda c, tmp: c.create("")),
    "blank prompt": ("prompt", lambda c, tmp: c.create("   ")),
    "long prompt": ("prompt", lambda c, tmp: c.create("x" * 32_001)),
    "no prompt": ("prompt", lambda c, tmp: c.create(None)),
    "model": ("model", lambda c, tmp: c.create(PROMPT, model="")),
    "size for sora-2": ("size", lambda c, tmp: c.create(PROMPT, size="1024x1792")),
    "size": ("size", lambda c, tmp: c.create(PROMPT, model="sora-2-pro", size="640x480")),
    "seconds": ("seconds", lambda c, tmp: c.create(PROMPT, seconds="5")),
    "seconds int": ("seconds", lambda c, tmp: c.create(PROMPT, seconds=5)),
    "seconds bool": ("seconds", lambda c, tmp: c.create(PROMPT, seconds=True)),
    "reference size": (
        "input_reference",
        lambda c, tmp: c.create(PROMPT, input_reference=image_bytes(640, 480)),
    ),
    "reference garbage": (
        "input_reference",
        lambda c, tmp: c.create(PROMPT, input_reference=b"no"),
    ),
    "reference gif": ("input_reference", lambda c, tmp: c.create(PROMPT, input_reference=_gif())),
    "reference missing": (
        "input_reference",
        lambda c, tmp: c.create(PROMPT, input_reference=tmp / "missing.png"),
    ),
    "reference type": ("input_reference", lambda c, tmp: c.create(PROMPT, input_reference=3)),
    "reference object": (
        "input_reference",
        lambda c, tmp: c.create(PROMPT, input_reference={"image_url": "a", "file_id": "b"}),
    ),
    "fit": (
        "fit",
        lambda c, tmp: c.create(PROMPT, input_reference=image_bytes(640, 480), fit="stretch"),
    ),
    "retrieve id": ("video_id", lambda c, tmp: c.retrieve("")),
    "blank id": ("video_id", lambda c, tmp: c.retrieve(" ")),
    "delete id": ("video_id", lambda c, tmp: c.delete(None)),
    "remix prompt": ("prompt", lambda c, tmp: c.remix("video_1", "")),
    "edit prompt": ("prompt", lambda c, tmp: c.edit("video_1", " ")),
    "edit not mp4": ("video", lambda c, tmp: c.edit(b"not a video at all", PROMPT)),
    "edit missing file": ("video", lambda c, tmp: c.edit(tmp / "missing.mp4", PROMPT)),
    "edit type": ("video", lambda c, tmp: c.edit(42, PROMPT)),
    "extend seconds": ("seconds", lambda c, tmp: c.extend("video_1", PROMPT, "30")),
    "limit": ("limit", lambda c, tmp: c.list_page(limit=101)),
    "order": ("order", lambda c, tmp: c.list_page(order="newest")),
    "variant": ("variant", lambda c, tmp: c.download_content("video_1", "gif", tmp / "x")),
    "character name": ("name", lambda c, tmp: c.create_character("video_1", "")),
    "character long name": ("name", lambda c, tmp: c.create_character("video_1", "x" * 81)),
    "character id": ("character_id", lambda c, tmp: c.retrieve_character("")),
}


@pytest.mark.parametrize("case", INVALID_CALLS, ids=list(INVALID_CALLS))
async def test_invalid_input_is_refused_before_sending(case, tmp_path, sleeps):
    param, call = INVALID_CALLS[case]
    transport = fake_server(lambda request: httpx.Response(500))
    client = make_client(transport, sleeps)
    with pytest.raises(InvalidRequestError) as refused:
        await call(client, tmp_path)
    assert refused.value.param == param
    assert param.split(".")[0] in refused.value.message
    assert transport.requests == []
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("call", "allowed"),
    [
        (lambda c: c.create(PROMPT, model=""), ["'sora-2'", "'veo-3.1-generate-preview'"]),
        (lambda c: c.create(PROMPT, size="1024x1792"), ["'720x1280'", "'1280x720'"]),
        (lambda c: c.create(PROMPT, seconds="5"), ["'4'", "'8'", "'12'"]),
        (lambda c: c.extend("video_1", PROMPT, 30), ["'16'", "'20'"]),
        (lambda c: c.create(PROMPT, input_reference=_gif()), ["PNG", "JPEG", "WebP"]),
    ],
)
async def test_messages_list_the_allowed_values(call, allowed, sleeps):
    client = make_client(fake_server(lambda request: httpx.Response(500)), sleeps)
    with pytest.raises(InvalidRequestError) as refused:
        await call(client)
    for value in allowed:
        assert value in refused.value.message


@pytest.mark.parametrize(
    ("video_id", "segment"),
    [
        ("video_1/../../admin", b"video_1%2F%2E%2E%2F%2E%2E%2Fadmin"),
        ("..", b"%2E%2E"),
        ("bGl0ZW==", b"bGl0ZW%3D%3D"),
    ],
)
async def test_ids_stay_in_their_path_segment(sleeps, video_id, segment):
    transport = fake_server(lambda request: httpx.Response(200, json=video_json()))
    await make_client(transport, sleeps).retrieve(video_id)
    assert transport.requests[0].url.raw_path == b"/v1/videos/" + segment


# ---- reference images -----------------------------------------------------------------------


def stored_reference(app, video_id: str) -> Image.Image:
    with Image.open(app.state.simulator.store.assets_dir(video_id) / "reference.png") as image:
        return image.copy()


async def test_reference_image_as_path_bytes_pil_and_data_url(sim, tmp_path):
    client, transport, app = sim
    path = tmp_path / "ref.png"
    path.write_bytes(image_bytes(720, 1280))
    webp = image_bytes(720, 1280, "WEBP")
    data_url = "data:image/webp;base64," + base64.b64encode(webp).decode()
    references = {
        "path": (path, 'filename="ref.png"', "image/png"),
        "str path": (str(path), 'filename="ref.png"', "image/png"),
        "jpeg bytes": (image_bytes(720, 1280, "JPEG"), 'filename="reference.jpg"', "image/jpeg"),
        "webp bytes": (webp, 'filename="reference.webp"', "image/webp"),
        "pil": (Image.new("RGB", (720, 1280)), 'filename="reference.png"', "image/png"),
        "data url": ({"image_url": data_url}, 'name="input_reference[image_url]"', None),
    }
    for name, (reference, disposition, content_type) in references.items():
        video = await client.create(PROMPT, input_reference=reference)
        assert stored_reference(app, video.id).size == (720, 1280), name
        body = transport.requests[-1].content.decode("latin-1")
        assert disposition in body, name
        if content_type:
            assert f"Content-Type: {content_type}" in body, name


async def test_wrong_size_reference_is_refused_with_an_offer(sim):
    client, transport, _ = sim
    with pytest.raises(InvalidRequestError) as refused:
        await client.create(PROMPT, input_reference=Image.new("RGB", (640, 480)))
    message = refused.value.message
    assert "640x480" in message and "720x1280" in message
    assert "fit='crop'" in message and "fit='pad'" in message
    assert transport.requests == []


@pytest.mark.parametrize("fit", ["crop", "pad"])
async def test_fitted_reference_has_the_exact_size_and_is_accepted(sim, fit):
    client, transport, app = sim
    wide = image_bytes(1000, 500, "JPEG", color=(250, 0, 0))
    video = await client.create(PROMPT, size="720x1280", input_reference=wide, fit=fit)
    assert "Content-Type: image/png" in transport.requests[-1].content.decode("latin-1")
    stored = stored_reference(app, video.id).convert("RGB")
    assert stored.size == (720, 1280)
    corner, centre = stored.getpixel((0, 0)), stored.getpixel((360, 640))
    assert centre[0] > 200
    assert (corner == (0, 0, 0)) if fit == "pad" else (corner[0] > 200)


def test_fit_image_keeps_the_centre():
    image = Image.new("RGB", (300, 100), (0, 0, 255))
    image.paste((0, 255, 0), (100, 0, 200, 100))
    cropped = fit_image(image, "720x1280", "crop")
    padded = fit_image(image, "1280x720", "pad")
    assert cropped.size == (720, 1280) and cropped.getpixel((0, 0)) == (0, 255, 0)
    assert padded.size == (1280, 720) and padded.getpixel((0, 0)) == (0, 0, 0)
    assert padded.getpixel((640, 360)) == (0, 255, 0)


# ---- typed errors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (404, NotFoundError),
        (429, RateLimitError),
        (500, ServerError),
    ],
)
async def test_error_bodies_become_typed_exceptions(status, error_class, sleeps):
    def handler(request: httpx.Request) -> httpx.Response:
        body = error_json("Something specific went wrong.", code="some_code", param="size")
        return httpx.Response(status, json=body, headers={"x-request-id": "req_42"})

    client = make_client(fake_server(handler), sleeps, max_retries=0)
    with pytest.raises(error_class) as raised:
        await client.retrieve("video_1")
    error = raised.value
    assert (error.status_code, error.code, error.param, error.request_id) == (
        status,
        "some_code",
        "size",
        "req_42",
    )
    assert error.type == "invalid_request_error"
    assert str(error) == f"{status}: Something specific went wrong. (request id req_42)"


IN_30_SECONDS = "an HTTP date 30 s from now"


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after-ms": "1500", "retry-after": "9"}, 1.5),
        ({"Retry-After-Ms": "250"}, 0.25),
        ({"retry-after": "7"}, 7.0),
        ({"retry-after": IN_30_SECONDS}, 30.0),
        ({"retry-after": "soon"}, None),
        ({}, None),
    ],
)
async def test_rate_limit_error_carries_retry_after(headers, expected, sleeps):
    if headers.get("retry-after") == IN_30_SECONDS:
        headers = {"retry-after": email.utils.formatdate(time.time() + 30, usegmt=True)}
    body = error_json("Rate limit reached.", code="rate_limit_exceeded")
    client = make_client(
        fake_server(lambda request: httpx.Response(429, json=body, headers=headers)),
        sleeps,
        max_retries=0,
    )
    with pytest.raises(RateLimitError) as raised:
        await client.create(PROMPT)
    if expected is None:
        assert raised.value.retry_after is None
    else:
        # An HTTP date has whole seconds only.
        assert raised.value.retry_after == pytest.approx(expected, abs=1.01)


async def test_simulator_errors_are_typed(tmp_path, sleeps):
    app = create_app(
        SimulatorConfig(
            data_dir=tmp_path,
            api_key="sk-the-right-one",
            faults=FaultConfig(rate_limit_per_minute=2),
            allowed_hosts=HOSTS,
        ),
        executor=IdleExecutor(),
    )
    wrong_key = make_client(httpx.ASGITransport(app=app), sleeps)
    with pytest.raises(AuthenticationError) as unauthorised:
        await wrong_key.list_page()
    assert unauthorised.value.code == "invalid_api_key"
    assert_no_leak(unauthorised.value)

    client = SoraClient(
        "sk-the-right-one", base_url=BASE_URL, transport=httpx.ASGITransport(app=app), max_retries=0
    )
    with pytest.raises(NotFoundError):
        await client.retrieve("video_unknown")
    await client.list_page()
    with pytest.raises(RateLimitError) as limited:
        await client.list_page()
    assert 0 < limited.value.retry_after <= 60 and limited.value.code == "rate_limit_exceeded"


@pytest.mark.parametrize(
    ("body", "headers", "expected"),
    [
        (b"<html>" + b"Bad gateway " * 100_000 + b"</html>", {}, "502 Bad Gateway"),
        (b"", {}, "(empty body)"),
        (b"[1, 2, 3]", {"content-type": "application/json"}, "[1, 2, 3]"),
        (b'{"error": "plain words"}', {"content-type": "application/json"}, "plain words"),
        (b"\xff\xfe\x00 binary", {}, "binary"),
    ],
)
async def test_unparseable_error_bodies_give_a_short_clear_message(body, headers, expected, sleeps):
    client = make_client(
        fake_server(lambda request: httpx.Response(502, content=body, headers=headers)),
        sleeps,
        max_retries=0,
    )
    with pytest.raises(ServerError) as raised:
        await client.retrieve("video_1")
    assert expected in str(raised.value) and len(str(raised.value)) < 400


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"<html>Welcome to nginx</html>", "Welcome to nginx"),
        (b'{"object": "video"}', "unexpected shape"),
        (b'"video_1"', "OPENAI_BASE_URL"),
    ],
)
async def test_a_success_that_is_not_a_video_is_an_api_error(body, expected, sleeps):
    client = make_client(fake_server(lambda request: httpx.Response(200, content=body)), sleeps)
    with pytest.raises(APIError, match=re.escape(expected)) as raised:
        await client.retrieve("video_1")
    assert raised.value.status_code == 200


async def test_unknown_fields_and_enum_values_are_kept(sleeps):
    weird = video_json(status="upscaling", model="sora-3-preview", seconds="16", quality="hd")
    page = {
        "object": "list",
        "data": [weird],
        "first_id": "video_1",
        "last_id": "video_1",
        "has_more": False,
        "cursor": "x",
    }

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=page if request.url.path.endswith("/videos") else weird)

    client = make_client(fake_server(handler), sleeps)
    for video in [await client.retrieve("video_1"), (await client.list_page()).data[0]]:
        assert video.status == "upscaling" and video.model == "sora-3-preview"
        assert video.seconds == "16" and video.extra == {"quality": "hd"}
        assert video.to_dict() == weird


async def test_poll_hint_is_read_from_its_header(sleeps):
    hints = iter([{"openai-poll-after-ms": "1500"}, {}, {"openai-poll-after-ms": "later"}])
    client = make_client(
        fake_server(lambda request: httpx.Response(200, json=video_json(), headers=next(hints))),
        sleeps,
    )
    assert [(await client.retrieve_with_hint("video_1"))[1] for _ in range(3)] == [1.5, None, None]


# ---- retries --------------------------------------------------------------------------------


def scripted(*steps: Any) -> Recording:
    """A server answering with each step in turn: a status code, an exception class to raise
    (after the server "did the work"), or a dict to return as JSON."""
    remaining = list(steps)

    def handler(request: httpx.Request) -> httpx.Response:
        step = remaining.pop(0)
        if isinstance(step, type) and issubclass(step, Exception):
            raise step("simulated network failure", request=request)
        if isinstance(step, int):
            headers = {"retry-after": "2"} if step in (429, 503) else {}
            return httpx.Response(step, json=error_json(f"status {step}"), headers=headers)
        return httpx.Response(200, json=step)

    return fake_server(handler)


async def test_a_read_retries_through_503s_honouring_retry_after(sleeps):
    transport = scripted(503, 503, video_json())
    video = await make_client(transport, sleeps).retrieve("video_1")
    assert video.id == "video_1" and len(transport.requests) == 3
    assert sleeps == [2.0, 2.0]


async def test_a_read_backs_off_exponentially_with_jitter(sleeps):
    transport = scripted(500, httpx.ConnectError, httpx.ReadTimeout, video_json())
    await make_client(transport, sleeps).retrieve("video_1")
    assert len(sleeps) == 3
    for attempt, delay in enumerate(sleeps):
        assert 0.75 * 0.5 * 2**attempt <= delay <= 0.5 * 2**attempt


async def test_retry_after_is_capped_and_backoff_is_capped(sleeps):
    transport = fake_server(
        lambda request: httpx.Response(
            503, json=error_json("busy"), headers={"retry-after": "3600"}
        )
    )
    with pytest.raises(ServerError):
        await make_client(transport, sleeps, max_retries=2).retrieve("video_1")
    assert sleeps == [60.0, 60.0]

    sleeps.clear()
    transport = fake_server(lambda request: httpx.Response(500, json=error_json("down")))
    with pytest.raises(ServerError):
        await make_client(transport, sleeps, max_retries=8).list_page()
    assert len(transport.requests) == 9 and max(sleeps) <= 8.0 and sleeps[-1] >= 6.0


async def test_reads_give_up_after_max_retries_and_do_not_retry_client_errors(sleeps):
    transport = scripted(httpx.ReadError, httpx.ReadError, httpx.ReadError, httpx.ReadError)
    with pytest.raises(APIConnectionError) as raised:
        await make_client(transport, sleeps).retrieve("video_1")
    assert len(transport.requests) == 4 and "ReadError" in str(raised.value)
    assert "list()" not in str(raised.value)

    transport = scripted(400)
    with pytest.raises(BadRequestError):
        await make_client(transport, sleeps).retrieve("video_1")
    assert len(transport.requests) == 1


async def test_delete_retries_like_a_read(sleeps):
    transport = scripted(503, 408, {"id": "video_1", "object": "video.deleted", "deleted": True})
    assert await make_client(transport, sleeps).delete("video_1") is True
    assert [r.method for r in transport.requests] == ["DELETE"] * 3


@pytest.mark.parametrize(
    "refusal", [429, 503, httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout]
)
async def test_a_create_is_retried_when_it_never_reached_the_server(refusal, sleeps):
    transport = scripted(refusal, video_json())
    video = await make_client(transport, sleeps).create(PROMPT)
    assert video.id == "video_1" and len(transport.requests) == 2 and len(sleeps) == 1
    if refusal in (429, 503):
        assert sleeps == [2.0]


async def test_a_create_is_not_retried_on_a_server_error(sleeps):
    transport = scripted(500, video_json())
    with pytest.raises(ServerError):
        await make_client(transport, sleeps).create(PROMPT)
    assert len(transport.requests) == 1 and sleeps == []


CREATING_CALLS = {
    "create": lambda c: c.create(PROMPT),
    "remix": lambda c: c.remix("video_1", PROMPT),
    "edit": lambda c: c.edit("video_1", PROMPT),
    "extend": lambda c: c.extend("video_1", PROMPT, "4"),
    "character": lambda c: c.create_character("video_1", "Fox"),
}


@pytest.mark.parametrize(
    "failure", [httpx.ReadError, httpx.RemoteProtocolError, httpx.ReadTimeout, httpx.WriteError]
)
@pytest.mark.parametrize("call", CREATING_CALLS, ids=list(CREATING_CALLS))
async def test_a_create_dropped_after_the_server_acted_is_sent_once(call, failure, sleeps):
    created = []

    def handler(request: httpx.Request) -> httpx.Response:
        created.append(request.url.path)
        raise failure("connection lost", request=request)

    with pytest.raises(APIConnectionError) as raised:
        await CREATING_CALLS[call](make_client(fake_server(handler), sleeps))
    assert len(created) == 1 and sleeps == []
    assert "may have been created" in str(raised.value) and "list()" in str(raised.value)
    assert isinstance(raised.value, APITimeoutError) == (failure is httpx.ReadTimeout)
    assert_no_leak(raised.value)


async def test_a_create_whose_body_is_cut_short_is_sent_once(sleeps):
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b'{"id": "vid', headers={"content-length": "400"})

    transport = fake_server(handler)
    with pytest.raises(APIConnectionError, match="may have been created"):
        await make_client(transport, sleeps).create(PROMPT)
    assert len(transport.requests) == 1

    with pytest.raises(APIConnectionError, match="ended after 11 of 400 bytes"):
        await make_client(transport, sleeps).retrieve("video_1")
    assert len(transport.requests) == 1 + 4


async def test_simulated_drop_on_create_leaves_one_video_on_the_server(tmp_path, sleeps):
    app = simulator(tmp_path, IdleExecutor(), drop_rate=1.0)
    with pytest.raises(APIConnectionError, match="may have been created"):
        await make_client(httpx.ASGITransport(app=app), sleeps).create(PROMPT)
    assert len(app.state.simulator.store.videos) == 1


async def test_a_flaky_server_never_gets_two_creates_for_one_call(sleeps):
    rng = random.Random(20251006)
    counts: Counter[str] = Counter()
    outcomes = ["ok", "ok", "ok", "500", "503", "429", "connect", "drop", "cut", "timeout"]

    def handler(request: httpx.Request) -> httpx.Response:
        outcome = rng.choice(outcomes)
        if outcome == "connect":
            raise httpx.ConnectError("refused", request=request)
        if outcome in ("500", "503", "429"):
            return httpx.Response(int(outcome), json=error_json("flaky"))
        counts[form_field(request, "prompt")] += 1
        if outcome == "drop":
            raise httpx.RemoteProtocolError("dropped", request=request)
        if outcome == "timeout":
            raise httpx.ReadTimeout("slow", request=request)
        video = video_json(id=f"video_{sum(counts.values())}")
        if outcome == "cut":
            return httpx.Response(
                200, content=json.dumps(video).encode()[:20], headers={"content-length": "999"}
            )
        return httpx.Response(200, json=video)

    transport = fake_server(handler)
    client = make_client(transport, sleeps, max_retries=5)
    results: dict[str, str] = {}
    for i in range(50):
        prompt = f"{PROMPT} #{i}"
        try:
            await client.create(prompt)
            results[prompt] = "created"
        except SoraError as error:
            results[prompt] = type(error).__name__

    assert max(counts.values()) == 1
    assert all(counts[prompt] == 1 for prompt, result in results.items() if result == "created")
    assert len(transport.requests) > 60 and len(sleeps) > 10
    assert {"created", "APIConnectionError", "APITimeoutError", "ServerError"} <= set(
        results.values()
    )


# ---- downloads ------------------------------------------------------------------------------


async def test_a_truncated_download_leaves_no_file_and_keeps_the_old_one(tmp_path, sleeps):
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            content=b"\0\0\0\x18ftypmp42".ljust(500, b"\0"),
            headers={"content-length": "1000", "content-type": "video/mp4"},
        )

    transport = fake_server(handler)
    target = tmp_path / "videos" / "clip.mp4"
    target.parent.mkdir()
    target.write_bytes(b"the previous download")
    with pytest.raises(APIConnectionError, match="500 of 1000"):
        await make_client(transport, sleeps).download_content("video_1", "video", target)
    assert len(transport.requests) == 4
    assert list(target.parent.iterdir()) == [target]
    assert target.read_bytes() == b"the previous download"


async def test_a_download_streams_in_chunks_and_maps_errors(tmp_path, sleeps):
    chunks = [b"\0\0\0\x18ftypmp42", b"x" * 100_000, b"y" * 100_000]

    async def stream():
        for chunk in chunks:
            yield chunk

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.params["variant"] == "thumbnail":
            return httpx.Response(404, json=error_json("expired", code="video_content_expired"))
        size = str(sum(map(len, chunks)))
        return httpx.Response(200, content=stream(), headers={"content-length": size})

    client = make_client(fake_server(handler), sleeps)
    saved = await client.download_content("video_1", path=tmp_path / "v.mp4")
    assert saved.read_bytes() == b"".join(chunks)
    with pytest.raises(NotFoundError, match="expired"):
        await client.download_content("video_1", "thumbnail", tmp_path / "t.webp")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["v.mp4"]


async def test_a_redirected_download_does_not_carry_the_key(tmp_path, sleeps):
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.host == "sim.test":
            return httpx.Response(302, headers={"location": "http://cdn.test/file.mp4"})
        return httpx.Response(200, content=b"\0\0\0\x18ftypmp42")

    for auth_header in ("bearer", "api-key"):
        seen.clear()
        client = make_client(httpx.MockTransport(handler), sleeps, auth_header=auth_header)
        await client.download_content("video_1", "video", tmp_path / f"{auth_header}.mp4")
        api, cdn = seen
        assert leak_free(api.headers.get("authorization")) is (auth_header == "api-key")
        assert leak_free(api.headers.get("api-key")) is (auth_header == "bearer")
        assert leak_free(*cdn.headers.values())


# ---- configuration and the key --------------------------------------------------------------


async def test_configuration_from_the_environment(monkeypatch, sleeps):
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", "http://env.test/v1/")
    monkeypatch.setenv("OPENAI_ORG_ID", "org-1")
    monkeypatch.setenv("OPENAI_PROJECT_ID", "proj-1")
    transport = fake_server(lambda request: httpx.Response(200, json=video_json()))
    client = SoraClient(transport=transport, timeout=4.5)
    assert client.base_url == "http://env.test/v1" and client.is_simulator is False
    await client.retrieve("video_1")
    request = transport.requests[0]
    assert str(request.url) == "http://env.test/v1/videos/video_1"
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.headers["openai-organization"] == "org-1"
    assert request.headers["openai-project"] == "proj-1"
    assert request.extensions["timeout"]["read"] == 4.5

    client = SoraClient(
        "sk-other",
        base_url="http://arg.test/v1",
        organization="org-2",
        auth_header="api-key",
        transport=transport,
    )
    await client.retrieve("video_1")
    request = transport.requests[1]
    assert request.url.host == "arg.test" and request.headers["api-key"] == "sk-other"
    assert "authorization" not in request.headers
    assert request.headers["openai-organization"] == "org-2"


def test_missing_key_and_bad_auth_header_are_refused(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(InvalidRequestError, match="OPENAI_API_KEY") as missing:
        SoraClient()
    assert missing.value.param == "api_key"
    pasted_badly = f"{KEY} é"
    with pytest.raises(InvalidRequestError, match="copy it again") as garbled:
        SoraClient(pasted_badly)
    assert_no_leak(garbled.value)
    with pytest.raises(InvalidRequestError) as bad:
        SoraClient(KEY, auth_header="basic")
    assert bad.value.param == "auth_header" and leak_free(bad.value.message)


async def test_the_key_never_shows(sim, tmp_path, sleeps, caplog):
    caplog.set_level(logging.DEBUG)
    client, _, _ = sim
    client.is_simulator = True
    assert repr(client) == f"SoraClient(base_url='{BASE_URL}')"
    assert leak_free(repr(client), str(client), vars(client), dir(client))

    errors: list[BaseException] = []
    failing = make_client(
        scripted(503, httpx.ConnectError, httpx.ReadError, httpx.ReadTimeout), sleeps, max_retries=0
    )
    not_json = make_client(fake_server(lambda r: httpx.Response(200, content=b"no")), sleeps)
    calls = [
        client.create(""),
        client.retrieve("video_missing"),
        client.download_content("video_missing", "video", tmp_path / "x.mp4"),
        failing.create(PROMPT),
        failing.create(PROMPT),
        failing.create(PROMPT),
        failing.retrieve("video_1"),
        not_json.retrieve("video_1"),
    ]
    for call in calls:
        with pytest.raises(SoraError) as raised:
            await call
        errors.append(raised.value)
    retried = make_client(scripted(503, 503, video_json()), sleeps)
    await retried.retrieve("video_1")

    assert len({type(error) for error in errors}) >= 5
    for error in errors:
        assert_no_leak(error)
    assert caplog.records and leak_free(caplog.text)


async def test_submit_returns_a_job_at_once(tmp_path, renderer):
    """The create request runs in the job: `submit` returns while the server still holds it."""
    app = simulator(tmp_path, renderer)
    held = HeldCreates(httpx.ASGITransport(app=app))
    client = SoraClient(api_key=KEY, base_url=BASE_URL, transport=held)
    job = client.submit("a quick fox", seconds=4)
    await asyncio.wait_for(held.holding.wait(), 10)  # the create has reached the server
    assert not job.done and job.video_id is None
    held.release.set()
    video = await asyncio.wait_for(job, 30)
    assert job.video_id == video.id
    remix = client.submit_remix(video.id, "the fox at night")
    assert not remix.done
    assert (await asyncio.wait_for(remix, 30)).remixed_from_video_id == video.id


# ---- models other than Sora -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "size", "seconds"),
    [
        ("gemini/veo-3.1-generate-preview", "1920x1080", "6"),
        ("hosted_vllm/Wan-AI/Wan2.2-T2V-A14B", "832x480", "5"),
        ("my-own-finetune", "1024x1024", "3"),
    ],
)
async def test_other_models_are_sent_as_typed_and_checked_for_shape_only(sim, model, size, seconds):
    client, transport, _ = sim
    video = await client.create(PROMPT, model=model, size=size, seconds=seconds)
    assert (video.model, video.size, video.seconds) == (model, size, seconds)
    sent = transport.requests[-1].content.decode()
    assert model in sent and size in sent


@pytest.mark.parametrize(
    ("fields", "param", "words"),
    [
        ({"model": "veo-3.1", "size": "1920*1080"}, "size", "WIDTHxHEIGHT"),
        ({"model": "veo-3.1", "seconds": "six"}, "seconds", "positive number"),
        ({"model": "veo-3.1", "seconds": "0"}, "seconds", "positive number"),
        ({"model": "sora-2-2025-12-08", "seconds": "6"}, "seconds", "'4', '8', '12'"),
    ],
)
async def test_shapes_are_still_checked_and_sora_strictly(sim, fields, param, words):
    client, transport, _ = sim
    with pytest.raises(InvalidRequestError) as refused:
        await client.create(PROMPT, **fields)
    assert refused.value.param == param and words in refused.value.message
    assert transport.requests == []


# ---- rate limits are waited out ---------------------------------------------------------------


async def test_a_rate_limit_with_retry_after_is_waited_out_without_spending_retries(sleeps):
    answers = [httpx.Response(429, headers={"retry-after": "2"})] * 6 + [
        httpx.Response(200, json=video_json())
    ]
    transport = fake_server(lambda request: answers.pop(0))
    video = await make_client(transport, sleeps, max_retries=1).retrieve("video_1")
    assert video.id == "video_1" and len(transport.requests) == 7
    assert sleeps == [2.0] * 6


async def test_rate_limit_waits_are_bounded_and_one_without_a_hint_is_a_retry(sleeps):
    transport = fake_server(lambda request: httpx.Response(429, headers={"retry-after": "1"}))
    with pytest.raises(RateLimitError):
        await make_client(transport, sleeps, max_retries=2).retrieve("video_1")
    assert len(transport.requests) == 1 + 8 + 2  # the first, eight waits, two retries
    bare = fake_server(lambda request: httpx.Response(429))
    with pytest.raises(RateLimitError):
        await make_client(bare, sleeps, max_retries=2).retrieve("video_1")
    assert len(bare.requests) == 3
