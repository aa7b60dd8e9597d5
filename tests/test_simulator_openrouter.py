"""The `openrouter` profile in-process: OpenRouter's video API, as its documentation describes it.

Every JSON body the profile answers (success, errors, the model list) is checked against
OpenRouter's published OpenAPI description (`openrouter_spec`). Small, short clips keep the
renderer quick; jobs whose media do not matter are cancelled by a prompt word, so nothing is
rendered for them.
"""

from __future__ import annotations

import base64
import io
import re

import av
import httpx
import numpy as np
import pytest

from sora_widget.simulator import FaultConfig
from sora_widget.simulator.openrouter_models import MODELS, cost, frame_size

from .fakes import FakeClock
from .helpers import MP4_MAGIC, png_bytes, renders_finished
from .helpers import OPENROUTER_QUICK as QUICK
from .openrouter_spec import check_response

KEY = "sk-or-v1-0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab"
ORIGIN = "http://simulator.test"
#: Prompt words that end a job cancelled (and unrendered), or expired.
CANCEL, EXPIRE = "halt", "forever"
ID = re.compile(r"gen-vid-(\d+)-[A-Za-z0-9]{20}")
JSON = {"content-type": "application/json"}


def data_url(image: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(image).decode()


async def _check(response: httpx.Response) -> None:
    await response.aread()
    check_response(response)


def openrouter(app, key: str | None = KEY) -> httpx.AsyncClient:
    """A client of the profile's `/api/v1` whose every answer is checked against the spec."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url=f"{ORIGIN}/api/v1",
        headers={"Authorization": f"Bearer {key}"} if key else {},
        event_hooks={"response": [_check]},
    )


@pytest.fixture
def make_router(make_app, fake_clock):
    """The app on the openrouter profile, with the fake clock and the cancel/expire words."""

    def build(**config):
        faults = config.pop("faults", FaultConfig())
        faults = FaultConfig(
            **{**faults.__dict__, "cancel_words": (CANCEL,), "expire_words": (EXPIRE,)}
        )
        return make_app(clock=fake_clock, profile="openrouter", faults=faults, **config)

    return build


async def finish(app, client: httpx.AsyncClient, clock: FakeClock, job_id: str) -> dict:
    record = app.state.simulator.store.videos[job_id]
    clock.advance(record.timeline.total_seconds + 0.01)
    await renders_finished(app)
    answer = await client.get(f"/videos/{job_id}")
    assert answer.status_code == 200
    return answer.json()


def frames_of(data: bytes) -> list[np.ndarray]:
    with av.open(io.BytesIO(data)) as container:
        return [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]


def mean_colour(frame: np.ndarray) -> np.ndarray:
    return frame.reshape(-1, 3).mean(axis=0)


def error(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    body = response.json()["error"]
    assert body["code"] == status
    return body


# ---- the lifecycle ------------------------------------------------------------------------------


async def test_a_job_is_accepted_with_202_and_ends_completed_with_urls_and_a_cost(
    make_router, fake_clock
):
    app = make_router()
    async with openrouter(app) as client:
        created = await client.post("/videos", json=QUICK)
        assert created.status_code == 202
        job = created.json()
        assert set(job) == {"id", "polling_url", "status"} and job["status"] == "pending"
        match = ID.fullmatch(job["id"])
        assert match and int(match.group(1)) == int(fake_clock())
        assert job["polling_url"] == f"{ORIGIN}/api/v1/videos/{job['id']}"
        # It plays the real server: no simulator header, no poll hint, no progress.
        assert "x-sora-widget-simulator" not in created.headers
        record = app.state.simulator.store.videos[job["id"]]
        fake_clock.advance(record.timeline.queue_seconds + 0.01)
        polled = await client.get(job["polling_url"])
        assert polled.json() == {**job, "status": "in_progress"}
        assert not {"openai-poll-after-ms", "retry-after"} & set(polled.headers)
        done = await finish(app, client, fake_clock, job["id"])
    assert done["status"] == "completed" and "progress" not in done
    assert re.fullmatch(r"gen-\d+-[A-Za-z0-9]{20}", done["generation_id"])
    content = f"{ORIGIN}/api/v1/videos/{job['id']}/content?index=0"
    assert done["unsigned_urls"] == [content]
    assert re.fullmatch(re.escape(content) + r"&sig=[0-9a-f]{64}&expires=\d+", done["urls"][0])
    assert done["expires_at"] == int(done["urls"][0].rsplit("=", 1)[1])
    # 5 cents a second at 480p (cents_per_video_output_second_480p).
    assert done["usage"] == {"cost": 0.05, "is_byok": False}


async def test_the_video_is_an_mp4_of_the_asked_frame_with_a_silent_track(make_router, fake_clock):
    app = make_router()
    async with openrouter(app) as client:
        job = (await client.post("/videos", json=QUICK)).json()
        done = await finish(app, client, fake_clock, job["id"])
        video = await client.get(done["unsigned_urls"][0])
    assert video.status_code == 200 and video.headers["content-type"] == "video/mp4"
    assert video.content[4:8] == MP4_MAGIC
    with av.open(io.BytesIO(video.content)) as container:
        stream = container.streams.video[0]
        assert (stream.width, stream.height) == (854, 480)
        assert abs(container.duration / av.time_base - 1) < 0.2
        sound = next(container.decode(audio=0)).to_ndarray()
    assert np.abs(sound).max() < 1e-3  # grok lists no audio: generate_audio defaults to false


async def test_a_model_that_never_shows_in_progress_is_pending_until_completed(
    make_router, fake_clock
):
    assert not MODELS["minimax/hailuo-2.3"].shows_in_progress
    app = make_router()
    async with openrouter(app) as client:
        asked = {"model": "minimax/hailuo-2.3", "prompt": "a kite over dunes"}
        job = (await client.post("/videos", json=asked)).json()
        record = app.state.simulator.store.videos[job["id"]]
        assert (record.size, record.seconds) == ("1920x1080", "6")  # its only frame, shortest
        seen = []
        for _ in range(6):
            fake_clock.advance(record.timeline.total_seconds / 7)
            seen.append((await client.get(f"/videos/{job['id']}")).json()["status"])
        assert set(seen) == {"pending"}
        assert app.state.simulator.video_json(record)["status"] == "in_progress"  # truly running
        done = await finish(app, client, fake_clock, job["id"])
    assert done["status"] == "completed"


@pytest.mark.parametrize(
    ("word", "status", "message"),
    [
        (CANCEL, "cancelled", "Job was cancelled"),
        (EXPIRE, "expired", "Job exceeded maximum time to live"),
    ],
)
async def test_prompt_words_end_a_job_cancelled_or_expired(
    make_router, fake_clock, word, status, message
):
    app = make_router()
    async with openrouter(app) as client:
        job = (await client.post("/videos", json={**QUICK, "prompt": f"boats {word}"})).json()
        answer = await finish(app, client, fake_clock, job["id"])
        assert answer == {**job, "status": status, "error": message}
        assert error(await client.get(f"/videos/{job['id']}/content"), 409)


async def test_a_failed_job_is_reported_with_http_200_and_an_error_string(make_router, fake_clock):
    app = make_router(faults=FaultConfig(failure_rate=1.0))
    async with openrouter(app) as client:
        job = (await client.post("/videos", json=QUICK)).json()
        answer = await finish(app, client, fake_clock, job["id"])
    assert answer["status"] == "failed" and isinstance(answer["error"], str)
    assert "usage" not in answer and "unsigned_urls" not in answer


# ---- the request's rules ------------------------------------------------------------------------

PIXEL = data_url(png_bytes(8, 8))


def first_frame(url: str = PIXEL, kind: str = "first_frame") -> list[dict]:
    return [{"type": "image_url", "image_url": {"url": url}, "frame_type": kind}]


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"model": "google/veo-3.1", "duration": 5}, ["duration", "4, 6, 8"]),
        ({"model": "google/veo-3.1", "duration": "4"}, ["duration", "4, 6, 8"]),
        ({"model": "google/veo-3.1-lite", "resolution": "4K"}, ["resolution", "720p, 1080p"]),
        ({"model": "google/veo-3.1", "aspect_ratio": "1:1"}, ["aspect_ratio", "16:9, 9:16"]),
        ({"model": "google/veo-3.1", "size": "1000x1000"}, ["size", "1280x720, 1080x1920"]),
        ({"model": "black-forest-labs/flux-3-video", "size": "1280x720"}, ["size", "no size"]),
        (
            {"model": "alibaba/wan-2.6", "frame_images": first_frame(kind="last_frame")},
            ["frame_images[0].frame_type", "first_frame"],
        ),
        (
            {"model": "openai/sora-2-pro", "frame_images": first_frame()},
            ["frame_images[0].frame_type", "no frame images"],
        ),
        ({"model": "runway/gen-4.5", "generate_audio": True}, ["generate_audio", "runway"]),
        ({"model": "kwaivgi/kling-v3.0-pro", "seed": 7}, ["seed", "kling"]),
        ({"prompt": None}, ["prompt", "frame_images"]),
        ({"prompt": 42}, ["prompt"]),
        ({"callback_url": "http://example.com/hook"}, ["callback_url", "HTTPS"]),
        ({"previous_job_id": "gen-vid-1-abc"}, ["previous_job_id", "flux-3-video"]),
        ({"creativity": 1}, ["creativity", "upscaling"]),
        ({"model": None}, ["model"]),
        ({"frame_images": first_frame("data:image/png;base64,bm90IGFuIGltYWdl")}, []),
        ({"frame_images": first_frame("https://example.com/a.png")}, ["data URL"]),
        ({"input_references": [{"type": "text"}]}, ["input_references[0].type", "image_url"]),
        ({"provider": {"options": "fast"}}, ["provider.options"]),
    ],
)
async def test_a_value_the_model_does_not_list_is_a_400_naming_the_field(
    make_router, change, words
):
    app = make_router()
    base = QUICK if "model" not in change else {"model": QUICK["model"], "prompt": "a pond"}
    body = {k: v for k, v in {**base, **change}.items() if v is not None}
    async with openrouter(app) as client:
        refused = error(await client.post("/videos", json=body), 400)
    assert all(word in refused["message"] for word in words), refused
    if "frame_images" in change and not words:
        assert "frame_images[0].image_url.url" in refused["message"]
    assert app.state.simulator.store.videos == {}


async def test_an_unknown_model_or_job_is_a_404_resource_not_found(make_router):
    app = make_router()
    async with openrouter(app) as client:
        unknown = await client.post("/videos", json={**QUICK, "model": "acme/nothing"})
        assert error(unknown, 404)["message"] == "Resource not found"
        for path in ("/videos/gen-vid-1-aaaaaaaaaaaaaaaaaaaa", "/videos/nope/content?index=0"):
            assert error(await client.get(path), 404)["message"] == "Resource not found"


async def test_a_body_that_is_not_json_is_a_400(make_router):
    async with openrouter(make_router()) as client:
        assert error(await client.post("/videos", data={"model": "google/veo-3.1"}), 400)
        assert error(await client.post("/videos", content=b"{", headers=JSON), 400)


@pytest.mark.parametrize(
    ("model", "resolution", "aspect_ratio", "size"),
    [
        ("google/veo-3.1", "720p", "16:9", (1280, 720)),
        ("google/veo-3.1", "720p", "9:16", (720, 1280)),
        ("google/veo-3.1", "1080p", "16:9", (1920, 1080)),
        ("bytedance/seedance-2.0-fast", "480p", "16:9", (854, 480)),
        ("bytedance/seedance-2.0-fast", "720p", "1:1", (720, 720)),
        ("alibaba/wan-2.7", "720p", "4:3", (960, 720)),
    ],
)
def test_a_resolution_and_aspect_ratio_make_a_frame(model, resolution, aspect_ratio, size):
    assert frame_size(resolution, aspect_ratio) == size
    sizes = MODELS[model].sizes
    assert sizes is None or f"{size[0]}x{size[1]}" in sizes  # the frames the model lists


async def test_defaults_are_the_shortest_duration_and_720p_at_16_9(make_router):
    app = make_router()
    records = app.state.simulator.store.videos
    async with openrouter(app) as client:
        for model, size, seconds in [
            ("google/veo-3.1-lite", "1280x720", "4"),  # durations listed as 8, 4, 6
            ("bytedance/seedance-2.0-fast", "1280x720", "4"),  # 1:1 is listed first
            ("minimax/hailuo-2.3", "1920x1080", "6"),  # 1080p only
        ]:
            job = (await client.post("/videos", json={"model": model, "prompt": CANCEL})).json()
            assert (records[job["id"]].size, records[job["id"]].seconds) == (size, seconds)


async def test_4k_is_drawn_at_1920_and_the_record_says_so(make_router):
    app = make_router()
    asked = {"model": "google/veo-3.1", "prompt": CANCEL, "resolution": "4K", "duration": 4}
    async with openrouter(app) as client:
        job = (await client.post("/videos", json=asked)).json()
        sized = await client.post(
            "/videos", json={**asked, "resolution": None, "size": "2160x3840"}
        )
    record = app.state.simulator.store.videos[job["id"]]
    assert record.size == "1920x1080" and record.api_fields["asked_size"] == "3840x2160"
    assert "1920" in record.api_fields["render_note"]
    assert app.state.simulator.store.videos[sized.json()["id"]].size == "1080x1920"


@pytest.mark.parametrize(
    ("model", "kwargs", "usd"),
    [
        ("google/veo-3.1", {"seconds": 8, "resolution": "720p", "audio": True}, 3.2),
        ("google/veo-3.1", {"seconds": 4, "resolution": "4K", "audio": False}, 1.6),
        ("google/veo-3.1-fast", {"seconds": 4, "resolution": "720p", "audio": True}, 0.4),
        ("alibaba/wan-2.6", {"seconds": 5, "resolution": "720p", "audio": True}, 0.4),
        (
            "alibaba/wan-2.6",
            {"seconds": 5, "resolution": "720p", "audio": True, "from_image": True},
            0.5,
        ),
        ("kwaivgi/kling-v3.0-pro", {"seconds": 5, "resolution": "720p", "audio": True}, 0.84),
        ("kwaivgi/kling-v3.0-pro", {"seconds": 5, "resolution": "720p", "audio": False}, 0.56),
        ("openai/sora-2-pro", {"seconds": 4, "resolution": "1080p", "audio": True}, 2.0),
        ("runway/gen-4.5", {"seconds": 10, "resolution": "720p", "audio": False}, 1.2),
        (
            "x-ai/grok-imagine-video",
            {"seconds": 2, "resolution": "720p", "audio": False, "images_in": 1},
            0.142,
        ),
        (
            "black-forest-labs/flux-3-video",
            {"seconds": 5, "resolution": "1080p", "audio": True, "continuation": True},
            2.65,
        ),
        # Seedance counts video tokens: 1280 x 720 x 24 fps x 4 s / 1024 = 86,400.
        (
            "bytedance/seedance-2.0-fast",
            {"seconds": 4, "resolution": "720p", "audio": True},
            0.36288,
        ),
    ],
)
def test_a_job_costs_what_the_models_pricing_skus_say(model, kwargs, usd):
    width, height = frame_size(kwargs["resolution"], "16:9")
    assert cost(MODELS[model], width=width, height=height, **kwargs) == pytest.approx(usd)


# ---- keys, credits, moderation, faults ----------------------------------------------------------


async def test_no_key_is_a_401_except_for_the_model_list(make_router):
    app = make_router()
    async with openrouter(app, key=None) as client:
        for method, path in [
            ("POST", "/videos"),
            ("GET", "/videos/gen-vid-1-x"),
            ("GET", "/videos/gen-vid-1-x/content?index=0"),
            ("GET", "/key"),
        ]:
            refused = await client.request(method, path, json=QUICK if method == "POST" else None)
            assert error(refused, 401)["message"] == "Missing Authentication header"
        models = await client.get("/videos/models")
    assert models.status_code == 200


async def test_the_model_list_has_every_key_the_spec_requires(make_router):
    async with openrouter(make_router(), key=None) as client:
        models = (await client.get("/videos/models")).json()["data"]
    by_id = {model["id"]: model for model in models}
    assert len(models) >= 12 and set(by_id) == set(MODELS)
    assert by_id["google/veo-3.1-lite"]["supported_durations"] == [8, 4, 6]
    assert all(m["creativity"] is None and m["upscale_factor"] is None for m in models)
    assert "previous_job_id" in by_id["black-forest-labs/flux-3-video"]["description"]
    assert all(isinstance(price, str) for m in models for price in m["pricing_skus"].values())


async def test_credits_are_charged_on_completion_and_a_job_beyond_them_is_a_402(
    make_router, fake_clock
):
    app = make_router(credits=0.1)
    async with openrouter(app) as client:
        before = (await client.get("/key")).json()["data"]
        assert before["label"] == "sk-or-v1-012...9ab" and KEY not in str(before)
        assert (before["limit"], before["usage"], before["limit_remaining"]) == (0.1, 0, 0.1)
        first = (await client.post("/videos", json=QUICK)).json()
        second = await client.post("/videos", json=QUICK)  # 0.05 + 0.05: exactly covered
        assert second.status_code == 202
        refused = error(await client.post("/videos", json=QUICK), 402)
        assert refused["message"] == (
            "Insufficient credits. Add more using https://openrouter.ai/credits"
        )
        assert len(app.state.simulator.store.videos) == 2  # the refused job was not created
        await finish(app, client, fake_clock, first["id"])
        after = (await client.get("/key")).json()["data"]
    assert after["usage"] == pytest.approx(0.1)  # both completed and were charged
    assert after["limit_remaining"] == pytest.approx(0.0)
    assert after["usage_daily"] == after["usage_monthly"] == after["usage"]
    assert after["is_free_tier"] is False and after["byok_usage"] == 0


async def test_without_credits_a_key_has_no_limit_and_each_key_its_own_usage(
    make_router, fake_clock
):
    app = make_router()
    async with openrouter(app) as client, openrouter(app, key="sk-or-v1-other-key-4567") as other:
        job = (await client.post("/videos", json=QUICK)).json()
        await finish(app, client, fake_clock, job["id"])
        mine = (await client.get("/key")).json()["data"]
        theirs = (await other.get("/key")).json()["data"]
    assert mine["limit"] is None and mine["limit_remaining"] is None
    assert mine["usage"] == 0.05 and theirs["usage"] == 0
    assert theirs["label"] == "sk-or-v1-oth...567"


async def test_a_blocked_word_is_a_403_with_moderation_metadata(make_router):
    app = make_router(faults=FaultConfig(blocked_words=("forbidden",)))
    async with openrouter(app) as client:
        asked = {**QUICK, "prompt": "a forbidden dance"}
        refused = error(await client.post("/videos", json=asked), 403)
    assert refused["metadata"]["reasons"] and "forbidden" in refused["metadata"]["flagged_input"]
    assert refused["metadata"]["model_slug"] == QUICK["model"]
    assert refused["metadata"]["provider_name"] == "xAI"
    assert app.state.simulator.store.videos == {}


async def test_the_rate_limit_is_a_429_with_retry_after(make_router):
    app = make_router(faults=FaultConfig(rate_limit_per_minute=2))
    async with openrouter(app) as client:
        for _ in range(2):
            assert (await client.get("/key")).status_code == 200
        limited = await client.get("/key")
    assert error(limited, 429)["message"] == "Rate limit exceeded"
    assert int(limited.headers["retry-after"]) >= 1


async def test_injected_faults_read_as_openrouters_500_502_and_503(make_router):
    async with openrouter(make_router(faults=FaultConfig(server_error_rate=1.0))) as client:
        assert error(await client.post("/videos", json=QUICK), 500)["message"] == (
            "Internal Server Error"
        )
        download = await client.get("/videos/gen-vid-1-x/content?index=0")
        assert error(download, 502)["message"] == "Provider returned error"
    async with openrouter(make_router(faults=FaultConfig(unavailable_rate=1.0))) as client:
        unavailable = await client.get("/videos/gen-vid-1-x")
        assert error(unavailable, 503) and unavailable.headers["retry-after"] == "1"


async def test_a_job_without_a_video_answers_502_provider_returned_error(make_router, fake_clock):
    app = make_router(faults=FaultConfig(no_video_words=("ghost",)))
    async with openrouter(app) as client:
        job = (await client.post("/videos", json={**QUICK, "prompt": "a ghost ship"})).json()
        done = await finish(app, client, fake_clock, job["id"])
        assert done["status"] == "completed"
        missing = await client.get(done["unsigned_urls"][0])
    assert error(missing, 502)["message"] == "Provider returned error"


# ---- downloads ----------------------------------------------------------------------------------


async def test_signed_urls_need_no_key_and_unsigned_ones_do(make_router, fake_clock):
    app = make_router()
    async with openrouter(app) as client:
        job = (await client.post("/videos", json=QUICK)).json()
        other = (await client.post("/videos", json={**QUICK, "prompt": CANCEL})).json()
        early = await client.get(f"/videos/{job['id']}/content?index=0")
        assert error(early, 409)
        done = await finish(app, client, fake_clock, job["id"])
        with_key = await client.get(done["unsigned_urls"][0])
        assert error(await client.get(f"/videos/{job['id']}/content?index=1"), 404)
        assert error(await client.get(f"/videos/{job['id']}/content?index=x"), 400)
    signed = done["urls"][0]
    async with openrouter(app, key=None) as anonymous:
        free = await anonymous.get(signed)
        assert free.status_code == 200 and free.content == with_key.content
        assert error(await anonymous.get(done["unsigned_urls"][0]), 401)
        sig = re.search(r"sig=([0-9a-f]+)", signed).group(1)
        tampered = signed.replace(sig, ("0" if sig[0] != "0" else "1") + sig[1:])
        assert error(await anonymous.get(tampered), 403)
        assert error(await anonymous.get(signed.replace(job["id"], other["id"])), 403)
        later = re.sub(r"expires=(\d+)", lambda m: f"expires={int(m.group(1)) + 999}", signed)
        assert error(await anonymous.get(later), 403)  # the expiry is signed too


async def test_after_expiry_the_content_is_gone_410_and_the_urls_are_withdrawn(
    make_router, fake_clock
):
    app = make_router(link_ttl_seconds=60)
    async with openrouter(app) as client:
        job = (await client.post("/videos", json=QUICK)).json()
        done = await finish(app, client, fake_clock, job["id"])
        fake_clock.advance(61)
        assert error(await client.get(done["unsigned_urls"][0]), 410)
        assert error(await client.get(done["urls"][0]), 410)
        later = (await client.get(f"/videos/{job['id']}")).json()
    assert later["status"] == "completed" and "urls" not in later and "expires_at" not in later


# ---- images, continuation, passthrough ----------------------------------------------------------

RED, BLUE, MAGENTA = (230, 30, 30), (20, 40, 230), (255, 0, 255)


async def test_frame_images_open_and_close_the_video(make_router, fake_clock):
    app = make_router()
    asked = {
        "model": "alibaba/wan-2.7",
        "prompt": "a meadow at noon",
        "duration": 2,
        "resolution": "720p",
        "aspect_ratio": "1:1",
        "frame_images": [
            {"type": "image_url", "image_url": {"url": data_url(png_bytes(64, 64, RED))},
             "frame_type": "first_frame"},
            {"type": "image_url", "image_url": {"url": data_url(png_bytes(64, 64, BLUE))},
             "frame_type": "last_frame"},
        ],
    }  # fmt: skip
    async with openrouter(app) as client:
        job = (await client.post("/videos", json=asked)).json()
        done = await finish(app, client, fake_clock, job["id"])
        frames = frames_of((await client.get(done["unsigned_urls"][0])).content)
    assert frames[0].shape == (720, 720, 3)
    first, last = mean_colour(frames[0]), mean_colour(frames[-1])
    assert first[0] > 180 and first[2] < 80, first
    assert last[2] > 180 and last[0] < 80, last
    # Image-to-video on Wan 2.7: 2 s at 0.1 a second.
    assert done["usage"]["cost"] == pytest.approx(0.2)


async def test_input_references_appear_in_the_scene(make_router, fake_clock):
    app = make_router()
    pictured = {"type": "image_url", "image_url": {"url": data_url(png_bytes(32, 32, MAGENTA))}}
    async with openrouter(app) as client:
        plain = (await client.post("/videos", json=QUICK)).json()
        framed = await client.post("/videos", json={**QUICK, "input_references": [pictured]})
        videos = []
        for job in (plain, framed.json()):
            done = await finish(app, client, fake_clock, job["id"])
            videos.append(frames_of((await client.get(done["unsigned_urls"][0])).content)[-1])
    assert np.abs(videos[0].astype(int) - videos[1]).max() > 100


async def test_previous_job_id_continues_a_completed_job_of_the_same_model(make_router, fake_clock):
    app = make_router()
    flux = {
        "model": "black-forest-labs/flux-3-video",
        "prompt": "a lighthouse at dusk",
        "duration": 5,
        "resolution": "720p",
        "aspect_ratio": "1:1",
    }
    async with openrouter(app) as client:
        source = (await client.post("/videos", json=flux)).json()
        early = await client.post("/videos", json={**flux, "previous_job_id": source["id"]})
        assert "completed" in error(early, 400)["message"]
        unknown = {**flux, "previous_job_id": "gen-vid-1-aaaaaaaaaaaaaaaaaaaa"}
        assert error(await client.post("/videos", json=unknown), 404)
        first = await finish(app, client, fake_clock, source["id"])
        asked = {
            **flux,
            "prompt": "the beam sweeps the sea at night",
            "previous_job_id": source["id"],
        }
        created = await client.post("/videos", json=asked)
        assert created.status_code == 202
        done = await finish(app, client, fake_clock, created.json()["id"])
        before = frames_of((await client.get(first["unsigned_urls"][0])).content)
        after = frames_of((await client.get(done["unsigned_urls"][0])).content)
    assert len(after) == 2 * len(before)  # the earlier 5 s, then 5 s more
    assert np.abs(after[0].astype(int) - before[0]).mean() < 8  # it opens as the earlier one
    assert done["usage"]["cost"] == pytest.approx(2.05)  # 41 cents a continued second


async def test_provider_options_are_recorded_and_the_serving_providers_honoured(make_router):
    app = make_router()
    options = {
        "alibaba": {"parameters": {"negative_prompt": "rain", "prompt_extend": True, "x": 1}},
        "google-vertex": {"parameters": {"negativePrompt": "snow"}},
    }
    asked = {"model": "alibaba/wan-2.7", "prompt": f"a storm {CANCEL}", "seed": 7}
    async with openrouter(app) as client:
        job = await client.post("/videos", json={**asked, "provider": {"options": options}})
    owners_key = {"Authorization": f"Bearer {KEY}"}  # only the job's owner reads what it sent
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url=ORIGIN, headers=owners_key
    ) as raw:
        report = await raw.get(f"/simulator/videos/{job.json()['id']}/received")
    received = report.json()["received"]
    assert received["provider"] == {"options": options} and received["seed"] == 7
    record = app.state.simulator.store.videos[job.json()["id"]]
    assert record.options["negative_prompt"] == "rain" and record.options["seed"] == 7
    assert record.api_fields["passthrough"] == {"negative_prompt": "rain", "prompt_extend": True}


# ---- the server around the API ------------------------------------------------------------------


async def test_there_are_no_v1_videos_routes_and_the_health_check_names_the_profile(make_router):
    app = make_router()
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url=ORIGIN,
        headers={"Authorization": f"Bearer {KEY}"},
    ) as raw:
        missing = await raw.post("/v1/videos", json={"prompt": "x"})
        assert missing.json() == {"error": {"code": 404, "message": "Resource not found"}}
        assert missing.status_code == 404
        assert (await raw.get("/v1beta/models/veo:predictLongRunning")).status_code == 404
        health = (await raw.get("/simulator/health")).json()
    assert health["profile"] == "openrouter" and health["api_root"] == "/api/v1"


async def test_jobs_and_signed_links_survive_a_restart(make_router, fake_clock):
    app = make_router()
    async with openrouter(app) as client:
        job = (await client.post("/videos", json=QUICK)).json()
        done = await finish(app, client, fake_clock, job["id"])
    restarted = make_router()
    async with openrouter(restarted) as client:
        assert (await client.get(f"/videos/{job['id']}")).json() == done
    async with openrouter(restarted, key=None) as anonymous:
        assert (await anonymous.get(done["urls"][0])).status_code == 200
