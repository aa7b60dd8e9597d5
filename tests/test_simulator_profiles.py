"""The simulator as other servers (see `simulator/profiles.py`) and as Veo, in-process."""

from __future__ import annotations

import re

import httpx
import pytest

from sora_widget.cli.commands import EXIT_BAD_INPUT, main
from sora_widget.core.errors import APIError, UnsupportedFeature
from sora_widget.core.types import SIMULATOR_HEADER
from sora_widget.engine.client import SoraClient
from sora_widget.simulator import FaultConfig, SimulatorConfig
from sora_widget.simulator.profiles import PROFILES, Api, Endpoint
from sora_widget.ui.widget_state import backend_badge

from .fakes import FakeClock
from .helpers import (
    MP4_MAGIC,
    TEST_KEY,
    api_client,
    error_of,
    png_bytes,
    renders_finished,
    start_server,
    stop_server,
)

#: Small and short, so the renderer is quick; a model with no strict sizes.
QUICK = {"prompt": "a paper boat on a pond", "model": "wan2.2", "size": "256x144", "seconds": "1"}
VEO = "veo-3.1-generate-preview"


def form(**fields: str) -> dict[str, tuple[None, str]]:
    """Fields as multipart/form-data parts (httpx sends plain `data=` url-encoded)."""
    return {name: (None, value) for name, value in fields.items()}


async def finish(app, client: httpx.AsyncClient, clock: FakeClock, video_id: str) -> dict:
    record = app.state.simulator.store.videos[video_id]
    clock.advance(record.timeline.total_seconds + 0.01)
    await renders_finished(app)
    return (await client.get(f"/videos/{video_id}")).json()


@pytest.mark.parametrize("name", sorted(PROFILES))
async def test_the_health_check_says_which_server_it_plays(make_app, name):
    app = make_app(profile=name)
    async with api_client(app, spec=False) as client:
        health = (await client.get("http://simulator.test/simulator/health")).json()
    assert health["profile"] == name and health["profile_summary"] == PROFILES[name].summary


@pytest.mark.parametrize("name", sorted(PROFILES))
async def test_only_the_openai_profile_says_it_is_the_simulator(make_app, name):
    app = make_app(profile=name)
    client = SoraClient(
        TEST_KEY, base_url="http://anywhere.test/v1", transport=httpx.ASGITransport(app=app)
    )
    async with client:
        assert not client.is_simulator
        with pytest.raises(APIError):  # an error answer says so too
            await client.retrieve("video_unknown")
        assert client.is_simulator is (name == "openai")
    async with api_client(app, spec=False) as raw:
        health = await raw.get("http://simulator.test/simulator/health")
    assert (SIMULATOR_HEADER in health.headers) is (name == "openai")
    badge = backend_badge(client.display_url, client.is_simulator)
    assert (badge["label"] == "Simulator") is (name == "openai")


def test_an_unknown_profile_is_refused_and_the_environment_chooses_one(tmp_path):
    with pytest.raises(ValueError, match="vllm-omni"):
        SimulatorConfig(data_dir=tmp_path, profile="runway")
    assert SimulatorConfig.from_env({"SORA_SIM_PROFILE": "sglang"}).profile == "sglang"
    assert SimulatorConfig.from_env({}).profile == "openai"


# ---- vLLM-Omni ----------------------------------------------------------------------------------


async def test_vllm_omni_takes_multipart_only_and_any_model_and_size(make_app, fake_clock):
    app = make_app(clock=fake_clock, profile="vllm-omni")
    async with api_client(app, spec=False) as client:
        refused = await client.post("/videos", json=QUICK)
        assert refused.status_code == 400
        assert set(error_of(refused)) == {"message", "type", "param", "code"}
        assert error_of(refused)["code"] == 400 and "multipart" in error_of(refused)["message"]
        assert not app.state.simulator.store.videos

        fields = {**QUICK, "model": "Wan-AI/Wan2.2-T2V-A14B", "size": "208x120"}
        created = await client.post("/videos", files=form(**fields, num_inference_steps="40"))
        video = created.json()
        assert created.status_code == 200, video
        assert re.fullmatch(r"video_gen_[0-9a-f]{32}", video["id"])
        assert video["model"] == "Wan-AI/Wan2.2-T2V-A14B" and video["size"] == "208x120"
        retrieved = await client.get(f"/videos/{video['id']}")
        assert "openai-poll-after-ms" not in retrieved.headers
        default = await client.post("/videos", files=form(prompt="a kite over dunes"))
        assert default.json()["seconds"] == "4"

        done = await finish(app, client, fake_clock, video["id"])
        assert done["status"] == "completed"
        thumb = await client.get(f"/videos/{video['id']}/content", params={"variant": "thumbnail"})
        assert thumb.headers["content-type"] == "video/mp4" and thumb.content[4:8] == MP4_MAGIC
        listed = (await client.get("/videos")).json()
        assert {item["id"] for item in listed["data"]} == {video["id"], default.json()["id"]}
        remix = await client.post(f"/videos/{video['id']}/remix", json={"prompt": "at night"})
        assert remix.status_code == 404


async def test_vllm_omni_sync_answers_the_mp4_itself(make_app):
    app = make_app(profile="vllm-omni")  # the real clock: the request waits for the job
    async with api_client(app, spec=False) as client:
        refused = await client.post("/videos/sync", json=QUICK)
        assert refused.status_code == 400
        made = await client.post("/videos/sync", files=form(**QUICK))
        assert made.headers["content-type"] == "video/mp4" and made.content[4:8] == MP4_MAGIC
        (video,) = (await client.get("/videos")).json()["data"]
        assert video["status"] == "completed" and video["id"].startswith("video_gen_")
    async with api_client(make_app(), spec=False) as client:
        assert (await client.post("/videos/sync", files=form(**QUICK))).status_code == 405


# ---- SGLang -------------------------------------------------------------------------------------


async def test_sglang_goes_from_queued_to_completed_and_answers_every_variant_with_the_mp4(
    make_app, fake_clock
):
    app = make_app(clock=fake_clock, profile="sglang")
    async with api_client(app, spec=False) as client:
        video = (await client.post("/videos", json=QUICK)).json()
        timeline = app.state.simulator.store.videos[video["id"]].timeline
        seen = set()
        for step in range(6):
            fake_clock.advance(timeline.total_seconds / 7 if step else 0)
            response = await client.get(f"/videos/{video['id']}")
            assert "openai-poll-after-ms" not in response.headers
            seen.add((response.json()["status"], response.json()["progress"]))
        assert seen == {("queued", 0)}
        done = await finish(app, client, fake_clock, video["id"])
        assert (done["status"], done["progress"]) == ("completed", 100)
        for variant in ("video", "thumbnail", "spritesheet"):
            media = await client.get(f"/videos/{video['id']}/content", params={"variant": variant})
            assert media.headers["content-type"] == "video/mp4"
            assert media.content[4:8] == MP4_MAGIC


async def test_sglang_deletes_as_a_status_echoes_sora_2_and_wants_a_reference_in_forms(
    make_app, fake_clock
):
    app = make_app(clock=fake_clock, profile="sglang")
    async with api_client(app, spec=False) as client:
        running = (await client.post("/videos", json=QUICK)).json()
        deleted = await client.delete(f"/videos/{running['id']}")
        assert deleted.status_code == 200
        assert deleted.json()["id"] == running["id"] and deleted.json()["status"] == "deleted"
        assert deleted.json()["object"] == "video" and "deleted" not in deleted.json()
        assert (await client.get(f"/videos/{running['id']}")).status_code == 404
        await renders_finished(app)
        assert not app.state.simulator.store.assets_dir(running["id"]).exists()

        unnamed = await client.post("/videos", json={"prompt": "a tram in the rain"})
        assert unnamed.json()["model"] == "sora-2"

        bare = await client.post("/videos", files=form(**QUICK))
        assert bare.status_code == 400 and error_of(bare)["param"] == "input_reference"
        image = ("ref.png", png_bytes(256, 144), "image/png")
        with_image = await client.post("/videos", data=QUICK, files={"input_reference": image})
        assert with_image.status_code == 200 and with_image.json()["status"] == "queued"


# ---- a New API gateway --------------------------------------------------------------------------


async def test_a_gateway_has_no_list_or_delete_and_leaves_empty_fields_out(make_app, fake_clock):
    app = make_app(clock=fake_clock, profile="gateway")
    async with api_client(app, spec=False) as client:
        video = (await client.post("/videos", json=QUICK)).json()
        assert re.fullmatch(r"task_[0-9a-f]{32}", video["id"])
        assert video["status"] == "queued"
        assert not {"completed_at", "expires_at", "error", "metadata"} & set(video)
        for method, path in (("GET", "/videos"), ("DELETE", f"/videos/{video['id']}")):
            missing = await client.request(method, path)  # New API's RelayNotFound, gin's 404
            assert missing.status_code == 404
            assert error_of(missing)["message"] == f"Invalid URL ({method} /v1{path})"

        done = await finish(app, client, fake_clock, video["id"])
        assert done["status"] == "completed" and isinstance(done["completed_at"], int)
        content_url = done["metadata"]["url"]
        assert content_url == f"http://simulator.test/v1/videos/{video['id']}/content"
        sprite = await client.get(content_url, params={"variant": "spritesheet"})
        assert sprite.headers["content-type"] == "video/mp4" and sprite.content[4:8] == MP4_MAGIC
        remix = await client.post(f"/videos/{video['id']}/remix", json={"prompt": "in autumn"})
        assert remix.status_code == 200
        assert remix.json()["remixed_from_video_id"] == video["id"]


async def test_the_openai_profile_keeps_every_route_and_the_405(make_app):
    app = make_app()
    async with api_client(app) as client:
        assert (await client.get("/videos")).status_code == 200
        assert (await client.put("/videos")).status_code == 405


#: The client call that reaches each route a profile may lack.
MISSING_ROUTE_CALLS = {
    Endpoint.LIST: lambda client, video_id: client.list_page(),
    Endpoint.DELETE: lambda client, video_id: client.delete(video_id),
    Endpoint.REMIX: lambda client, video_id: client.remix(video_id, "in autumn"),
    Endpoint.EDITS: lambda client, video_id: client.edit(video_id, "in autumn"),
    Endpoint.EXTENSIONS: lambda client, video_id: client.extend(video_id, "and on", 4),
}


@pytest.mark.parametrize(
    ("name", "endpoint"),
    [
        (name, endpoint)
        for name, profile in sorted(PROFILES.items())
        for endpoint in MISSING_ROUTE_CALLS
        # OpenRouter's shape has no /v1 routes at all (see test_simulator_openrouter.py).
        if endpoint not in profile.endpoints and profile.api is Api.OPENAI
    ],
)
async def test_a_route_a_profile_lacks_reads_as_unsupported_not_as_a_missing_video(
    make_app, fake_clock, name, endpoint
):
    """Each server's own answer for a route it lacks (OpenAI's and New API's "Invalid URL",
    FastAPI's bare 404) tells the client the route is missing, though the request names an
    existing video."""
    app = make_app(clock=fake_clock, profile=name)
    async with api_client(app, TEST_KEY, spec=False) as raw:  # the same key: its owner
        body = form(**QUICK) if not PROFILES[name].takes_json else None
        made = await raw.post("/videos", json=None if body else QUICK, files=body)
        video_id = made.json()["id"]
    client = SoraClient(
        TEST_KEY, base_url="http://simulator.test/v1", transport=httpx.ASGITransport(app=app)
    )
    async with client:
        with pytest.raises(UnsupportedFeature):
            await MISSING_ROUTE_CALLS[endpoint](client, video_id)
        assert client.features[endpoint.value] is False
        assert (await client.retrieve(video_id)).id == video_id  # the video was never in doubt


# ---- Veo (Gemini API) ---------------------------------------------------------------------------


def veo_client(app, key: str = TEST_KEY) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://simulator.test/v1beta",
        headers={"x-goog-api-key": key},
    )


async def test_veo_runs_a_long_running_operation_on_an_ordinary_job(make_app, fake_clock):
    app = make_app(clock=fake_clock, api_key=TEST_KEY)
    async with veo_client(app) as veo:
        body = {
            "instances": [{"prompt": "a heron lifting off a lake"}],
            "parameters": {"aspectRatio": "16:9", "durationSeconds": 1},
        }
        created = await veo.post(f"/models/{VEO}:predictLongRunning", json=body)
        assert created.status_code == 200, created.text
        name = created.json()["name"]
        assert re.fullmatch(rf"models/{VEO}/operations/video_[0-9a-f]+", name)
        video_id = name.rpartition("/")[2]
        record = app.state.simulator.store.videos[video_id]
        assert (record.model, record.size, record.seconds) == (VEO, "1280x720", "1")

        running = (await veo.get(f"/{name}")).json()
        assert running == {"name": name}  # `done` left out, no progress, as Google does
        fake_clock.advance(record.timeline.total_seconds + 0.01)
        await renders_finished(app)
        done = (await veo.get(f"/{name}")).json()
        assert done["done"] is True
        uri = done["response"]["generateVideoResponse"]["generatedSamples"][0]["video"]["uri"]
        assert uri == f"http://simulator.test/v1beta/files/{video_id}:download?alt=media"
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as anonymous:
            assert (await anonymous.get(uri)).status_code == 401
            video = await anonymous.get(uri, params={"key": TEST_KEY})
        assert video.headers["content-type"] == "video/mp4" and video.content[4:8] == MP4_MAGIC

    async with api_client(app, TEST_KEY) as client:
        listed = (await client.get("/videos")).json()["data"]
        assert [item["id"] for item in listed] == [video_id]


async def test_veo_defaults_refusals_and_failures_speak_google(make_app, fake_clock):
    app = make_app(clock=fake_clock, faults=FaultConfig(blocked_words=("forbidden",)))
    async with veo_client(app) as veo:
        url = f"/models/{VEO}:predictLongRunning"
        portrait = await veo.post(
            url,
            json={"instances": [{"prompt": "a lantern"}], "parameters": {"aspectRatio": "9:16"}},
        )
        record = app.state.simulator.store.videos[portrait.json()["name"].rpartition("/")[2]]
        assert (record.size, record.seconds) == ("720x1280", "8")

        square = await veo.post(
            url, json={"instances": [{"prompt": "a lantern"}], "parameters": {"aspectRatio": "1:1"}}
        )
        assert square.status_code == 400
        assert square.json()["error"]["status"] == "INVALID_ARGUMENT"
        assert square.json()["error"]["code"] == 400
        empty = await veo.post(url, json={"instances": [{"prompt": ""}]})
        assert empty.status_code == 400 and empty.json()["error"]["status"] == "INVALID_ARGUMENT"
        unknown = await veo.get(f"/models/{VEO}/operations/video_nope")
        assert unknown.status_code == 404 and unknown.json()["error"]["status"] == "NOT_FOUND"

        blocked = await veo.post(url, json={"instances": [{"prompt": "a forbidden door"}]})
        name = blocked.json()["name"]
        fake_clock.advance(
            app.state.simulator.store.videos[name.rpartition("/")[2]].timeline.total_seconds
        )
        failed = (await veo.get(f"/{name}")).json()
        assert failed["done"] is True and failed["error"]["code"] == 3
        assert "response" not in failed


# ---- the command line ---------------------------------------------------------------------------


def test_the_profile_flag_serves_that_server_for_real(tmp_path):
    server = start_server(tmp_path / "gateway", "--profile", "gateway", "--api-key", TEST_KEY)
    try:
        root = server.base_url.removesuffix("/v1")
        health = httpx.get(f"{root}/simulator/health").json()
        assert health["profile"] == "gateway"
        with httpx.Client(
            base_url=server.base_url, headers={"Authorization": f"Bearer {TEST_KEY}"}
        ) as client:
            assert client.get("/videos").status_code == 404
            created = client.post("/videos", json=QUICK)
            assert created.json()["id"].startswith("task_")
    finally:
        output = stop_server(server)
    assert "profile: gateway" in output


def test_an_unknown_profile_flag_is_refused_by_the_parser(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["simulator", "--profile", "runway"])
    assert exit_info.value.code == EXIT_BAD_INPUT
    assert "'vllm-omni'" in capsys.readouterr().err
