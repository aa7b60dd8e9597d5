"""The engine against OpenRouter's video API (the simulator's `openrouter` profile, in-process).

OpenRouter echoes nothing of what was asked, reads its own fields (`duration`, `resolution` +
`aspect_ratio`, `frame_images`, `provider.options`), has no list, remix or thumbnails, and
publishes its models at `GET /videos/models`: each test checks one of those facts from the
client's side, through the requests it sent and what the library kept.
"""

from __future__ import annotations

import asyncio
import json
import weakref
from typing import Any

import httpx
import pytest

from sora_widget import InsufficientCredits, Library, SoraClient, SoraWidget, VideoFailed
from sora_widget.core.errors import InvalidRequestError, PermissionDeniedError, ServerError
from sora_widget.core.server_catalog import ServerModel, parse_catalog
from sora_widget.engine import backend
from sora_widget.engine.extending import extend
from sora_widget.engine.jobs import JobStatus, submit
from sora_widget.engine.openrouter import duration_of, request_record
from sora_widget.engine.poller import Poller
from sora_widget.simulator import FaultConfig
from sora_widget.ui.widget_state import error_payload

from .fakes import Recording
from .helpers import fast_cadence, png_bytes, silent_mp4

KEY = "sk-or-v1-test-0123456789abcdef0123456789abcdef0123456789abcdef01234567"
BASE_URL = "http://simulator.test/api/v1"
#: The quickest job the profile's catalog takes: Grok Imagine, one second at 480p.
QUICK = {"model": "x-ai/grok-imagine-video", "size": "854x480", "seconds": "1"}


def sent_bodies(transport: Recording) -> list[dict[str, Any]]:
    """The JSON body of each create that reached the server."""
    return [json.loads(request.content) for request in transport.creates()]


@pytest.fixture
def openrouter(make_app):
    """(client, transport, app) on the openrouter profile, the shape left for the client to
    learn (as for any base URL)."""

    def build(faults: FaultConfig | None = None, **config: Any):
        app = make_app(profile="openrouter", faults=faults or FaultConfig(), **config)
        transport = Recording(httpx.ASGITransport(app=app))
        client = SoraClient(KEY, base_url=BASE_URL, transport=transport)
        Poller.for_client(client).cadence = fast_cadence()
        return client, transport, app

    return build


async def test_the_shape_is_learned_from_the_servers_answer_not_its_host(openrouter, make_app):
    client, transport, _ = openrouter()
    async with client:
        assert client.dialect is None and await client.shape() == "openrouter"
        models = await client.server_models()
        assert models is not None and models.kind == "OpenRouter"
        assert "google/veo-3.1" in models.names and "gpt-4o" not in models.names
        assert models.catalog["google/veo-3.1-lite"].durations == (4, 6, 8)  # sent as [8, 4, 6]
        # What OpenRouter has no route for is known without asking, with its reason.
        features = client.features
        assert features["list"] is features["remix"] is features["variants"] is False
        assert "OpenRouter" in client.support.reason("remix")
    assert [r.url.path for r in transport.requests] == ["/api/v1/videos/models"]

    plain = Recording(httpx.ASGITransport(app=make_app(api_key=KEY)))
    async with SoraClient(KEY, base_url="http://simulator.test/v1", transport=plain) as other:
        assert await other.shape() == "openai" and other.features["list"] is None


async def test_a_job_records_what_was_asked_and_what_was_charged(openrouter, tmp_path):
    client, transport, _ = openrouter()
    library = Library(tmp_path / "videos")
    async with client:
        job = submit(client, "a paper boat on a pond at dawn", library=library, **QUICK)
        video = await asyncio.wait_for(job, 60)
    [sent] = sent_bodies(transport)
    assert sent == {
        "model": "x-ai/grok-imagine-video",
        "prompt": "a paper boat on a pond at dawn",
        "duration": 1,
        "resolution": "480p",
        "aspect_ratio": "16:9",
    }
    entry = job.entry
    assert entry is not None and video.id.startswith("gen-vid-")
    # The server echoed none of these: they are what was asked, never Sora's defaults.
    assert (entry.model, entry.prompt, entry.seconds, entry.size) == (
        "x-ai/grok-imagine-video",
        "a paper boat on a pond at dawn",
        "1",
        "854x480",
    )
    assert entry.request == sent
    assert entry.cost == 0.05  # the server's price: 5 cents a second at 480p
    assert entry.charged_cost is not None and entry.charged_cost > 0  # usage.cost
    assert entry.generation_id and entry.generation_id.startswith("gen-")
    assert entry.is_byok is False
    assert entry.pictures == {"thumbnail": "video", "spritesheet": "video"}
    assert entry.video_path.read_bytes()[4:8] == b"ftyp"
    assert json.loads((entry.folder / "metadata.json").read_text())["model"] == QUICK["model"]


async def test_pre_signed_links_are_downloaded_without_the_key(openrouter, tmp_path):
    client, transport, _ = openrouter()
    async with client:
        job = submit(client, "a paper boat", library=Library(tmp_path / "videos"), **QUICK)
        await asyncio.wait_for(job, 60)
    downloads = [r for r in transport.requests if r.url.path.endswith("/content")]
    assert downloads and all("sig" in r.url.params for r in downloads)
    assert all("authorization" not in r.headers for r in downloads)
    keyed = [r for r in transport.requests if "authorization" in r.headers]
    assert keyed and all("/content" not in r.url.path for r in keyed)


async def test_images_sound_seed_and_provider_parameters_travel_in_openrouter_fields(
    openrouter, tmp_path
):
    client, transport, app = openrouter(FaultConfig(cancel_words=("halt",)))
    async with client:
        await client.server_models()
        job = submit(
            client,
            "a lighthouse in the fog, halt",
            model="google/veo-3.1-fast",
            size="1280x720",
            seconds=4,
            input_reference=png_bytes(1280, 720),
            last_frame=png_bytes(1280, 720, (10, 200, 10)),
            parameters={"seed": 7, "generate_audio": False, "negativePrompt": "rain"},
        )
        with pytest.raises(VideoFailed) as ended:
            await asyncio.wait_for(job, 60)
    [sent] = sent_bodies(transport)
    assert (sent["duration"], sent["resolution"], sent["aspect_ratio"]) == (4, "720p", "16:9")
    assert (sent["seed"], sent["generate_audio"]) == (7, False)
    assert sent["provider"] == {
        "options": {"google-vertex": {"parameters": {"negativePrompt": "rain"}}}
    }
    frames = [(f["frame_type"], f["image_url"]["url"][:22]) for f in sent["frame_images"]]
    assert frames == [
        ("first_frame", "data:image/png;base64,"),
        ("last_frame", "data:image/png;base64,"),
    ]
    assert "seconds" not in sent and "size" not in sent
    # OpenRouter's own final state, in plain words, with the server's reason.
    assert ended.value.code == "cancelled" and "Job was cancelled" in ended.value.message
    assert "cancelled" in ended.value.message.split(".")[0]


async def test_values_the_model_does_not_list_are_refused_before_sending(openrouter):
    client, transport, _ = openrouter()
    async with client:
        await client.server_models()
        with pytest.raises(InvalidRequestError) as refused:
            submit(client, "a fox", model="google/veo-3.1-fast", size="1280x720", seconds="5")
        assert refused.value.param == "seconds" and "4, 6, 8" in refused.value.message
        with pytest.raises(InvalidRequestError) as refused:
            submit(client, "a fox", model="google/veo-3.1-fast", size="640x480", seconds="4")
        assert refused.value.param == "size" and "1280x720 · 720p 16:9" in refused.value.message
        with pytest.raises(InvalidRequestError) as refused:
            submit(client, "a fox", parameters={"cfg_scale": 1}, **QUICK)
        assert refused.value.param == "cfg_scale"
    assert sent_bodies(transport) == []


async def test_not_enough_credits_saves_nothing_and_says_so(openrouter, tmp_path):
    client, transport, _ = openrouter(credits=0.01)
    library = Library(tmp_path / "videos")
    async with client:
        assert (await client.credits()).remaining == 0.01
        job = submit(client, "a paper boat", library=library, **QUICK)
        with pytest.raises(InsufficientCredits) as refused:
            await asyncio.wait_for(job, 30)
    assert job.status is JobStatus.FAILED and library.entries() == [] and library.pending() == []
    payload = error_payload(refused.value)
    assert payload["kind"] == "credits"
    assert payload["message"].startswith("Not enough credits on this key")
    assert "openrouter.ai/credits" in payload["message"]


async def test_credits_fall_by_what_a_job_was_charged(openrouter, tmp_path):
    client, _, _ = openrouter(credits=5.0)
    async with client:
        before = await client.credits()
        job = submit(client, "a paper boat", library=Library(tmp_path / "videos"), **QUICK)
        await asyncio.wait_for(job, 60)
        after = await client.credits()
    assert before is not None and after is not None and before.limit == 5.0
    charged = job.entry.charged_cost
    assert after.remaining == pytest.approx(before.remaining - charged)


async def test_extend_continues_the_job_where_the_model_takes_previous_job_id(openrouter, tmp_path):
    client, transport, _ = openrouter()
    library = Library(tmp_path / "videos")
    flux = {"model": "black-forest-labs/flux-3-video", "size": "1280x720", "seconds": "5"}
    async with client:
        await client.server_models()
        first = await asyncio.wait_for(submit(client, "a kite", library=library, **flux), 60)
        job = extend(client, first.id, "the kite climbs", seconds="5", library=library)
        await asyncio.wait_for(job, 60)
        # Grok Imagine takes no previous_job_id: Extend continues from the last frame.
        quick = await asyncio.wait_for(submit(client, "a boat", library=library, **QUICK), 60)
        other = extend(client, quick.id, "the boat turns", seconds="1", library=library)
        await asyncio.wait_for(other, 60)
    creates = sent_bodies(transport)
    assert job.lineage == {"extends": first.id} and creates[1]["previous_job_id"] == first.id
    assert other.lineage == {"continues": quick.id} and "previous_job_id" not in creates[3]
    assert [f["frame_type"] for f in creates[3]["frame_images"]] == ["first_frame"]
    assert library.chain(job.video_id)[0].id == first.id


async def test_expired_is_its_own_plain_message(openrouter):
    client, _, _ = openrouter(FaultConfig(expire_words=("forever",)))
    async with client:
        job = submit(client, "a boat drifting forever", **QUICK)
        with pytest.raises(VideoFailed) as ended:
            await asyncio.wait_for(job, 60)
    assert ended.value.code == "expired" and "time limit" not in ended.value.message
    assert "expired" in ended.value.message and "maximum time to live" in ended.value.message


async def test_openrouter_api_key_alone_selects_openrouter(make_app, monkeypatch):
    app = make_app(profile="openrouter")
    transport = Recording(httpx.ASGITransport(app=app))
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("SORA_WIDGET_BACKEND", raising=False)
    monkeypatch.setenv("OPENROUTER_API_KEY", KEY)
    monkeypatch.setenv("OPENROUTER_BASE_URL", BASE_URL)
    monkeypatch.setenv("OPENROUTER_X_OPEN_ROUTER_TITLE", "Class demo")
    monkeypatch.setattr(backend, "_CLIENTS", weakref.WeakKeyDictionary())
    client = backend.connect(transport=transport)
    async with client:
        assert client.dialect == "openrouter" and client.base_url == BASE_URL
        await client.server_models()
    [request] = transport.requests
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.headers["x-openrouter-title"] == "Class demo"
    assert request.headers["http-referer"] == "https://pypi.org/project/sora-widget/"
    monkeypatch.delenv("OPENROUTER_BASE_URL")
    assert SoraClient(dialect="openrouter").base_url == "https://openrouter.ai/api/v1"


async def test_the_panel_follows_the_servers_catalog(openrouter, tmp_path):
    client, _, _ = openrouter(credits=2.0)
    widget = SoraWidget("a red fox", client=client, library=Library(tmp_path / "videos"))
    await asyncio.wait_for(widget._menu, 10)
    for _ in range(100):  # the credits are asked after the menu, in the background
        if "left on this key" in widget.cost:
            break
        await asyncio.sleep(0.01)
    assert widget.backend["label"] == "simulator.test · OpenRouter"
    assert widget.options["models"][0] in client.server_catalog
    widget.model = "google/veo-3.1"
    assert widget.options["seconds"]["google/veo-3.1"] == ["4", "6", "8"]
    assert widget.options["size_labels"]["google/veo-3.1"]["1280x720"] == "1280x720 · 720p 16:9"
    # The form's 720x1280 is Veo's 720p 9:16, so it stays; 4 s is Veo's shortest.
    assert (widget.size, widget.seconds) == ("720x1280", "4")
    names = [param["name"] for param in widget.advanced["parameters"]]
    assert names[:2] == ["generate_audio", "seed"] and "personGeneration" in names
    assert widget.advanced["images"]["first"] and "last_frame" in widget.advanced["images"]["slots"]
    # Veo 3.1 with sound: 40 cents a second; the key's $2.00 covers the 4 s.
    assert widget.cost == "≈ $1.60 · $2.00 left on this key"
    widget.seconds = "8"
    assert widget.cost == "≈ $3.20 · more than the $2.00 left on this key"
    widget.model = "bytedance/seedance-2.0"
    assert widget.cost.startswith("price charged after")
    widget.close()
    await client.aclose()


# ---- the catalog, read tolerantly -------------------------------------------------------------


def test_a_loose_catalog_drops_no_model():
    body = {
        "data": [
            {"id": "a/odd", "supported_durations": ["8", 4, None, "x", 6.0], "seed": "yes"},
            {"id": "b/list-prices", "pricing_skus": [{"sku": "duration_seconds", "price": "0.1"}]},
            {"id": "c/nulls", "supported_resolutions": None, "pricing_skus": None},
            {"id": "d/pairs", "pricing_skus": [["cents_per_second_output", 12]]},
            {"name": "no id"},
            "not an object",
        ]
    }
    models = parse_catalog(body)
    assert list(models) == ["a/odd", "b/list-prices", "c/nulls", "d/pairs"]
    assert models["a/odd"].durations == (4, 6, 8) and models["a/odd"].seed is None
    assert models["b/list-prices"].estimate("1280x720", "5").usd == 0.5
    assert models["d/pairs"].estimate("1280x720", "5").usd == 0.6
    assert models["c/nulls"].estimate("1280x720", "5").usd is None
    assert parse_catalog({"data": "nothing"}) == {} and parse_catalog(["x"]) == {}


@pytest.mark.parametrize(
    ("skus", "size", "seconds", "audio", "usd", "note"),
    [
        # Veo 3.1 Fast: by sound and resolution; the most specific SKU wins.
        (
            {
                "duration_seconds_with_audio": "0.12",
                "duration_seconds_with_audio_720p": "0.10",
                "duration_seconds_without_audio_720p": "0.08",
            },
            "1280x720",
            "8",
            False,
            0.64,
            "",
        ),
        ({"duration_seconds_with_audio": "0.12"}, "1920x1080", "8", True, 0.96, ""),
        # Kling v3.0 Pro: sound costs extra, whatever its text-to-video price by resolution
        # says (that one is the silent price); without sound, the resolution's.
        (
            {
                "duration_seconds": "0.112",
                "duration_seconds_with_audio": "0.168",
                "text_to_video_duration_seconds_720p": "0.112",
            },
            "1280x720",
            "5",
            True,
            0.84,
            "",
        ),
        (
            {
                "duration_seconds_with_audio": "0.168",
                "text_to_video_duration_seconds_720p": "0.10",
            },
            "1280x720",
            "5",
            False,
            0.5,
            "",
        ),
        # Wan 2.6: text-to-video by resolution.
        ({"text_to_video_duration_seconds_720p": "0.08"}, "1280x720", "5", None, 0.4, ""),
        # Runway: cents a second, with a minimum per generation.
        (
            {"cents_per_second_output": "28", "minimum_cents_per_generation": "56"},
            "1280x720",
            "1",
            None,
            0.56,
            "",
        ),
        # Seedance: per video token, not countable beforehand.
        ({"video_tokens": "0.000007"}, "1280x720", "5", None, None, "charged after"),
    ],
)
def test_estimates_come_from_the_servers_skus(skus, size, seconds, audio, usd, note):
    model = ServerModel.from_dict(
        {"id": "m/x", "supported_resolutions": ["720p", "1080p"], "pricing_skus": skus}
    )
    estimate = model.estimate(size, seconds, audio=audio)
    assert (estimate.usd, estimate.note) == (usd, note)


def test_sizes_come_from_resolutions_and_aspect_ratios():
    model = ServerModel.from_dict(
        {
            "id": "m/x",
            "supported_resolutions": ["480p", "1080p"],
            "supported_aspect_ratios": ["16:9", "9:16", "21:9"],
            "supported_sizes": ["1280x720"],
        }
    )
    assert model.sizes == (
        "854x480",
        "480x854",
        "1120x480",
        "1920x1080",
        "1080x1920",
        "2520x1080",
        "1280x720",
    )
    assert model.fields_for_size("480x854") == {"resolution": "480p", "aspect_ratio": "9:16"}
    assert model.fields_for_size("1280x720") == {"size": "1280x720"}


# ---- several outputs, from a server we fake --------------------------------------------------


async def test_every_output_of_a_job_is_saved(tmp_path):
    mp4 = silent_mp4(tmp_path / "clip.mp4").read_bytes()
    job = {"id": "job1", "polling_url": "/api/v1/videos/job1"}
    done = {
        **job,
        "status": "completed",
        "unsigned_urls": [f"{BASE_URL}/videos/job1/content?index={n}" for n in range(2)],
        "usage": {"cost": 0.3, "is_byok": True},
    }
    indexes = []

    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith("/videos/models"):
            return httpx.Response(200, json={"data": [{"id": "m/x", "supported_durations": [5]}]})
        if request.method == "POST":
            return httpx.Response(202, json={**job, "status": "pending"})
        if path.endswith("/content"):
            indexes.append(request.url.params["index"])
            return httpx.Response(200, content=mp4, headers={"content-type": "video/mp4"})
        return httpx.Response(200, json=done)

    client = SoraClient(KEY, base_url=BASE_URL, transport=httpx.MockTransport(handler))
    library = Library(tmp_path / "videos")
    async with client:
        made = submit(
            client, "two takes", model="m/x", size="1280x720", seconds="5", library=library
        )
        await asyncio.wait_for(made, 30)
    entry = made.entry
    assert sorted(indexes) == ["0", "1"] and entry.outputs == ["video_1.mp4"]
    assert (entry.folder / "video_1.mp4").read_bytes() == mp4
    assert (entry.charged_cost, entry.is_byok, entry.seconds) == (0.3, True, "5")


def test_no_key_names_the_variable_to_set(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)
    with pytest.raises(InvalidRequestError, match="OPENROUTER_API_KEY"):
        SoraClient(dialect="openrouter")


async def test_a_job_that_never_shows_in_progress_is_shown_indeterminate(openrouter, tmp_path):
    """Hailuo 2.3 stays `pending` until it completes, with no progress field: the bar is
    indeterminate against the model's typical time, never a false 0%."""
    client, _, _ = openrouter()
    seen = []
    async with client:
        await client.server_models()
        job = submit(client, "a kite", model="minimax/hailuo-2.3", size="1920x1080", seconds=6)
        job.on_update(lambda job: seen.append((job.status, job.indeterminate, job.progress)))
        await asyncio.wait_for(job, 60)
    waiting = [entry for entry in seen if entry[0] is JobStatus.QUEUED]
    assert waiting and all(indeterminate for _, indeterminate, _ in waiting)
    assert job.typical_seconds > 0 and job.video.model == "minimax/hailuo-2.3"


async def test_a_moderation_refusal_shows_its_reasons(openrouter):
    client, _, _ = openrouter(FaultConfig(blocked_words=("dragon",)))
    async with client:
        with pytest.raises(PermissionDeniedError) as refused:
            await client.create("a dragon over the sea", **QUICK)
    assert refused.value.metadata.get("reasons")
    payload = error_payload(refused.value)
    assert payload["kind"] == "moderation" and "Refused by moderation (" in payload["message"]
    provider = error_payload(ServerError("Provider returned error", status_code=502))
    assert provider["message"].startswith("The provider behind the server failed (502)")


async def test_a_server_that_echoes_nothing_records_what_was_asked(tmp_path):
    """A gateway or LiteLLM's Veo route answers only an id and a status: the library still
    keeps the prompt, model, size and duration that were sent (and paid for)."""
    mp4 = silent_mp4(tmp_path / "clip.mp4").read_bytes()

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/content"):
            return httpx.Response(200, content=mp4, headers={"content-type": "video/mp4"})
        if request.method == "POST":
            return httpx.Response(200, json={"id": "task_1", "status": "queued"})
        if request.url.path.endswith("/task_1"):
            return httpx.Response(200, json={"id": "task_1", "status": "completed"})
        return httpx.Response(404, json={"error": {"message": "Invalid URL (GET /v1/x)"}})

    client = SoraClient(
        KEY, base_url="http://gateway.test/v1", transport=httpx.MockTransport(handler)
    )
    library = Library(tmp_path / "videos")
    async with client:
        job = submit(client, "a harbour at dusk", model="veo-3.1-generate-preview",
                     size="1280x720", seconds="8", library=library)  # fmt: skip
        await asyncio.wait_for(job, 30)
    entry = job.entry
    assert (entry.prompt, entry.model, entry.size, entry.seconds) == (
        "a harbour at dusk",
        "veo-3.1-generate-preview",
        "1280x720",
        "8",
    )
    assert entry.created_at > 0


async def test_litellm_tells_what_the_key_has_left():
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/models":
            return httpx.Response(
                200, json={"data": [{"id": "veo-3.1", "mode": "video_generation"}]}
            )
        if request.url.path == "/key/info":
            assert request.headers["authorization"] == f"Bearer {KEY}"
            return httpx.Response(
                200, json={"key": "hashed", "info": {"spend": 1.25, "max_budget": 10}}
            )
        return httpx.Response(404, json={"error": {"message": "not found"}})

    client = SoraClient(
        KEY, base_url="http://proxy.test/v1", transport=httpx.MockTransport(handler)
    )
    async with client:
        credits = await client.credits()
    assert credits is not None and (credits.limit, credits.usage, credits.remaining) == (
        10.0,
        1.25,
        8.75,
    )


@pytest.mark.parametrize("seconds", ["inf", "nan", "0", "-4", "4.5", "four", "1e400"])
def test_a_duration_that_is_no_whole_number_of_seconds_is_refused_at_its_field(seconds):
    with pytest.raises(InvalidRequestError) as refused:
        duration_of(seconds, None)
    assert refused.value.param == "seconds" and "whole number of seconds" in str(refused.value)


def test_the_record_of_a_request_takes_any_shape_the_raw_json_gave():
    """It is made after the server accepted (and billed) the job: it must not fail."""
    odd = {"model": "m/x", "frame_images": "not a list", "input_references": [1, "x"]}
    assert request_record(odd) == {"model": "m/x", "input_references": 2}
    frames = {"frame_images": [{"frame_type": "first_frame", "image_url": {"url": "data:"}}, 3]}
    assert request_record(frames) == {"frame_images": ["first_frame", None]}


async def test_a_further_output_that_fails_does_not_fail_the_save(tmp_path):
    mp4 = silent_mp4(tmp_path / "clip.mp4").read_bytes()
    done = {
        "id": "job1",
        "polling_url": "/api/v1/videos/job1",
        "status": "completed",
        "unsigned_urls": [f"{BASE_URL}/videos/job1/content?index={n}" for n in range(3)],
    }

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/videos/models"):
            return httpx.Response(200, json={"data": [{"id": "m/x", "supported_durations": [5]}]})
        if request.method == "POST":
            return httpx.Response(202, json={**done, "status": "pending"})
        if request.url.path.endswith("/content"):
            if request.url.params["index"] == "1":
                return httpx.Response(404, json={"error": {"code": 404, "message": "gone"}})
            return httpx.Response(200, content=mp4, headers={"content-type": "video/mp4"})
        return httpx.Response(200, json=done)

    client = SoraClient(KEY, base_url=BASE_URL, transport=httpx.MockTransport(handler))
    async with client:
        job = submit(client, "takes", model="m/x", size="1280x720", seconds="5",
                     library=Library(tmp_path / "videos"))  # fmt: skip
        await asyncio.wait_for(job, 30)
    assert job.status is JobStatus.COMPLETED and job.entry.outputs == ["video_2.mp4"]
