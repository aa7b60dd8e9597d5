"""OpenRouter's official Python SDK (`openrouter`, pinned in the `test` extra) drives the
simulator's `openrouter` profile end to end, over a real loopback socket.

If the SDK's own pydantic models, status mapping (it takes only 202 as a create's success)
and typed errors work unchanged, the profile speaks OpenRouter's video API. Every JSON body the
SDK receives is also checked against OpenRouter's published OpenAPI description.
"""

from __future__ import annotations

import base64
import io
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager

import av
import httpx
import pytest

from .helpers import MP4_MAGIC, png_bytes, server_running
from .helpers import OPENROUTER_QUICK as QUICK
from .openrouter_spec import check_response

openrouter = pytest.importorskip("openrouter")
from openrouter import OpenRouter, errors  # noqa: E402

KEY = "sk-or-v1-5dk7f0a1c2e3b4d5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9"
CREDITS_USD = 5.0
RED, BLUE = (230, 30, 30), (20, 40, 230)


def data_url(image: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(image).decode()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One openrouter-profile simulator for this module: one key, five dollars of credits."""
    with server_running(
        tmp_path_factory.mktemp("openrouter-sim"),
        *("--profile", "openrouter", "--speed", "100", "--api-key", KEY),
        *("--credits", str(CREDITS_USD), "--blocked-words", "forbidden"),
    ) as running:
        yield running


def _checked(response: httpx.Response) -> None:
    response.read()
    check_response(response)


@contextmanager
def sdk(base_url: str, key: str | None = KEY) -> Iterator[OpenRouter]:
    """No retries: by default the SDK retries a 5xx for up to an hour. The SDK leaves the
    HTTP client it was given open, so it is closed here."""
    with (
        httpx.Client(event_hooks={"response": [_checked]}, follow_redirects=True) as http,
        OpenRouter(api_key=key, server_url=base_url, client=http, retry_config=None) as client,
    ):
        yield client


@pytest.fixture(scope="module")
def client(server):
    with sdk(server.base_url) as sdk_client:
        yield sdk_client


def wait_done(client: OpenRouter, job_id: str, timeout: float = 120):
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        job = client.video_generation.get_generation(job_id=job_id)
        seen.append(job.status)
        if job.status not in ("pending", "in_progress"):
            return job, seen
        time.sleep(0.1)
    raise TimeoutError(f"{job_id} still {seen[-1]}")


def test_the_base_url_ends_in_api_v1(server):
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/api/v1", server.base_url)


def test_the_sdk_reads_the_model_list(client):
    listed = client.video_generation.list_videos_models()  # validated by the SDK's pydantic
    by_id = {model.id: model for model in listed.data}
    assert {"google/veo-3.1", "minimax/hailuo-2.3", "black-forest-labs/flux-3-video"} <= set(by_id)
    assert by_id["google/veo-3.1-lite"].supported_durations == [8, 4, 6]
    assert by_id["black-forest-labs/flux-3-video"].supported_sizes is None


def test_the_model_list_needs_no_key(server, monkeypatch):
    monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)
    with sdk(server.base_url, key=None) as anonymous:
        assert anonymous.video_generation.list_videos_models().data
        with pytest.raises(errors.UnauthorizedResponseError) as refused:
            anonymous.video_generation.get_generation(job_id="gen-vid-1-abc")
    assert refused.value.data.error.message == "Missing Authentication header"


def test_generate_poll_and_download_with_frames_and_provider_options(client):
    frames = [
        {
            "type": "image_url",
            "image_url": {"url": data_url(png_bytes(64, 64, colour))},
            "frame_type": kind,
        }
        for colour, kind in ((RED, "first_frame"), (BLUE, "last_frame"))
    ]
    job = client.video_generation.generate(
        model="alibaba/wan-2.7",
        prompt="a meadow at noon",
        duration=2,
        resolution="720p",
        aspect_ratio="1:1",
        frame_images=frames,
        provider={"options": {"alibaba": {"parameters": {"negative_prompt": "rain"}}}},
    )
    assert job.status == "pending" and re.fullmatch(r"gen-vid-\d+-[A-Za-z0-9]{20}", job.id)
    assert job.polling_url.endswith(f"/api/v1/videos/{job.id}")
    done, _ = wait_done(client, job.id)
    assert done.status == "completed" and done.generation_id.startswith("gen-")
    assert done.usage.cost == pytest.approx(0.2) and done.usage.is_byok is False
    assert done.expires_at > time.time() and len(done.urls) == len(done.unsigned_urls) == 1
    content = client.video_generation.get_video_content(job_id=job.id, index=0)
    data = content.read()
    content.close()
    assert data[4:8] == MP4_MAGIC
    with av.open(io.BytesIO(data)) as container:
        decoded = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    assert decoded[0].shape == (720, 720, 3)
    assert decoded[0].reshape(-1, 3).mean(axis=0)[0] > 180  # opens on the red first frame
    assert decoded[-1].reshape(-1, 3).mean(axis=0)[2] > 180  # closes on the blue last frame
    signed = httpx.get(done.urls[0])  # the pre-signed link needs no key
    assert signed.status_code == 200 and signed.content == data


def test_the_sdk_reads_the_key_and_its_usage(client):
    before = client.api_keys.get_current_key_metadata().data
    assert before.label.startswith("sk-or-v1-5dk...") and KEY not in before.label
    assert before.limit == CREDITS_USD and before.is_free_tier is False
    job = client.video_generation.generate(**QUICK)
    done, _ = wait_done(client, job.id)
    after = client.api_keys.get_current_key_metadata().data
    assert after.usage == pytest.approx(before.usage + done.usage.cost)
    assert after.limit_remaining == pytest.approx(CREDITS_USD - after.usage)


def test_a_model_that_never_shows_in_progress_and_content_before_completion(client):
    job = client.video_generation.generate(model="minimax/hailuo-2.3", prompt="a kite")
    with pytest.raises(errors.ConflictResponseError):
        client.video_generation.get_video_content(job_id=job.id)
    done, seen = wait_done(client, job.id)
    assert done.status == "completed" and set(seen) == {"pending", "completed"}


def test_previous_job_id_continues_a_flux_video(client):
    flux = {
        "model": "black-forest-labs/flux-3-video",
        "duration": 5,
        "resolution": "720p",
        "aspect_ratio": "1:1",
    }
    first = client.video_generation.generate(prompt="a lighthouse", **flux)
    wait_done(client, first.id)
    more = client.video_generation.generate(
        prompt="the beam at night", previous_job_id=first.id, **flux
    )
    done, _ = wait_done(client, more.id)
    content = client.video_generation.get_video_content(job_id=more.id)
    with av.open(io.BytesIO(content.read())) as container:
        assert abs(container.duration / av.time_base - 10) < 0.5
    assert done.usage.cost == pytest.approx(2.05)  # 41 cents a continued second


@pytest.mark.parametrize(
    ("asked", "error", "message"),
    [
        ({**QUICK, "duration": 99}, errors.BadRequestResponseError, "duration"),
        ({**QUICK, "model": "acme/nothing"}, errors.NotFoundResponseError, "Resource not found"),
        (  # $0.50 a second at 1080p: $10, beyond the $5 of credits
            {
                "model": "openai/sora-2-pro",
                "prompt": "a long shot",
                "duration": 20,
                "resolution": "1080p",
            },
            errors.PaymentRequiredResponseError,
            "Insufficient credits",
        ),
        ({**QUICK, "prompt": "a forbidden dance"}, errors.ForbiddenResponseError, "moderation"),
    ],
)
def test_refusals_arrive_as_the_sdks_typed_errors(client, asked, error, message):
    with pytest.raises(error) as raised:
        client.video_generation.generate(**asked)
    assert message in raised.value.data.error.message


def test_a_wrong_key_and_an_unknown_job(server, client):
    with (
        sdk(server.base_url, key="sk-or-v1-not-the-key") as wrong,
        pytest.raises(errors.UnauthorizedResponseError),
    ):
        wrong.video_generation.get_generation(job_id="gen-vid-1-abc")
    with pytest.raises(errors.NotFoundResponseError):
        client.video_generation.get_generation(job_id="gen-vid-1-aaaaaaaaaaaaaaaaaaaa")
