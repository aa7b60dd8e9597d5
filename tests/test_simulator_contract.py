"""The official `openai` package drives the simulator served on a real loopback port.

If the SDK's own types, multipart encoding, polling and error mapping all work unchanged, the
simulator speaks the same contract as the hosted API. Every JSON body is also checked against
the published OpenAPI description.
"""

from __future__ import annotations

import io

import av
import httpx
import openai
import pytest
from PIL import Image

from .helpers import MP4_MAGIC, TEST_KEY, png_bytes
from .spec import check_response


def _check_against_spec(response: httpx.Response) -> None:
    response.read()
    check_response(response)


@pytest.fixture(scope="module")
def sdk(sim_server):
    http_client = httpx.Client(event_hooks={"response": [_check_against_spec]})
    client = openai.OpenAI(
        api_key=TEST_KEY, base_url=sim_server.base_url, http_client=http_client, max_retries=0
    )
    yield client
    client.close()


@pytest.fixture(scope="module")
def finished(sdk):
    """One completed video the read-only tests share."""
    return sdk.videos.create_and_poll(prompt="a red fox trotting through fresh snow", seconds="4")


def test_create_and_poll(finished):
    assert finished.status == "completed" and finished.progress == 100
    assert finished.id.startswith("video_") and finished.seconds == "4"
    assert finished.expires_at > finished.completed_at >= finished.created_at


def test_retrieve_reports_a_poll_hint(sdk, finished):
    raw = sdk.videos.with_raw_response.retrieve(finished.id)
    assert "openai-poll-after-ms" in raw.headers
    assert raw.parse().id == finished.id


def test_create_with_reference_image(sdk):
    video = sdk.videos.create(
        prompt="a lighthouse at dusk",
        size="1280x720",
        input_reference=("ref.png", png_bytes(1280, 720), "image/png"),
    )
    assert video.status in ("queued", "in_progress") and video.size == "1280x720"
    done = sdk.videos.poll(video.id)
    assert done.status == "completed"


@pytest.mark.parametrize(
    ("variant", "check"),
    [
        ("video", lambda data: data[4:8] == MP4_MAGIC),
        ("thumbnail", lambda data: Image.open(io.BytesIO(data)).format == "WEBP"),
        ("spritesheet", lambda data: Image.open(io.BytesIO(data)).format == "JPEG"),
    ],
)
def test_download_every_variant(sdk, finished, variant, check):
    content = sdk.videos.download_content(finished.id, variant=variant)
    assert check(content.read())


def test_downloaded_video_has_the_requested_size_and_length(sdk, finished):
    data = sdk.videos.download_content(finished.id).read()
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert (stream.codec_context.width, stream.codec_context.height) == (720, 1280)
        assert abs(float(container.duration / av.time_base) - 4.0) < 0.1


def test_list_pages_with_after(sdk, finished):
    for index in range(3):
        sdk.videos.create(prompt=f"list test {index}")
    first = sdk.videos.list(limit=2)
    assert len(first.data) == 2 and first.has_more
    ids = [video.id for video in sdk.videos.list(limit=2)]  # auto-pagination follows `after`
    assert len(ids) == len(set(ids)) >= 4 and finished.id in ids


def test_remix_edit_extend(sdk, finished):
    remix = sdk.videos.remix(finished.id, prompt="the fox at night in the rain")
    assert remix.remixed_from_video_id == finished.id
    # The SDK cannot send `video` as {"id": ...} (it insists on a file), so upload the clip;
    # the {"id"} form is covered by the in-process tests.
    clip = ("fox.mp4", sdk.videos.download_content(finished.id).read(), "video/mp4")
    edit = sdk.videos.edit(video=clip, prompt="make everything golden")
    assert edit.size == finished.size
    extension = sdk.videos.extend(video=clip, prompt="it runs on", seconds="4")
    assert extension.seconds == "8"
    for video in (remix, edit, extension):
        assert sdk.videos.poll(video.id).status == "completed"


def test_characters(sdk, finished):
    clip = sdk.videos.download_content(finished.id).read()
    character = sdk.videos.create_character(video=("fox.mp4", clip, "video/mp4"), name="Fox")
    assert sdk.videos.get_character(character.id).name == "Fox"


def test_delete(sdk):
    video = sdk.videos.create_and_poll(prompt="a short-lived clip")
    deleted = sdk.videos.delete(video.id)
    assert deleted.deleted and deleted.id == video.id
    with pytest.raises(openai.NotFoundError):
        sdk.videos.retrieve(video.id)


@pytest.mark.parametrize(
    ("call", "exception", "param"),
    [
        (lambda v: v.create(prompt=""), openai.BadRequestError, "prompt"),
        (lambda v: v.create(prompt="x" * 32_001), openai.BadRequestError, "prompt"),
        (lambda v: v.create(prompt="ok", model="m" * 300), openai.BadRequestError, "model"),
        (lambda v: v.create(prompt="ok", size="1792x1024"), openai.BadRequestError, "size"),
        (lambda v: v.create(prompt="ok", seconds="10"), openai.BadRequestError, "seconds"),
        (
            lambda v: v.create(prompt="ok", input_reference=("a.txt", b"hi", "text/plain")),
            openai.BadRequestError,
            "input_reference",
        ),
        (
            lambda v: v.create(
                prompt="ok", input_reference=("a.png", png_bytes(10, 10), "image/png")
            ),
            openai.BadRequestError,
            "input_reference",
        ),
        (lambda v: v.retrieve("video_unknown"), openai.NotFoundError, "video_id"),
        (lambda v: v.download_content("video_unknown"), openai.NotFoundError, "video_id"),
    ],
)
def test_errors_arrive_as_the_sdks_typed_exceptions(sdk, call, exception, param):
    with pytest.raises(exception) as caught:
        call(sdk.videos)
    assert caught.value.param == param


def test_wrong_state_errors(sdk):
    # The longest job the simulator times (Pro, 12 s, the large size: about 1.5 s at the
    # tests' speed), so a busy machine cannot finish it before the three calls below.
    queued = sdk.videos.create(
        prompt="still rendering", model="sora-2-pro", seconds="12", size="1792x1024"
    )
    with pytest.raises(openai.BadRequestError) as early:
        sdk.videos.download_content(queued.id)
    assert early.value.code == "video_not_ready"
    with pytest.raises(openai.BadRequestError):
        sdk.videos.remix(queued.id, prompt="too soon")
    with pytest.raises(openai.BadRequestError):
        sdk.videos.delete(queued.id)


def test_moderation_blocked_job(sdk):
    video = sdk.videos.create_and_poll(prompt="something forbidden")
    assert video.status == "failed" and video.error.code == "moderation_blocked"


def test_bad_key_is_authentication_error(sim_server):
    client = openai.OpenAI(api_key="sk-wrong", base_url=sim_server.base_url, max_retries=0)
    with client, pytest.raises(openai.AuthenticationError):
        client.videos.list()
