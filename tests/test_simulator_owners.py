"""Each key is an owner: on one simulator, a key sees, downloads, remixes and deletes only the
videos it made, and another key's video answers exactly as an unknown id does."""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from sora_widget.cli.commands import build_parser, simulator_config
from sora_widget.simulator import SimulatorConfig

from .fakes import FakeClock
from .helpers import OPENROUTER_QUICK as QUICK
from .helpers import api_client, key_traces, leaked_keys, renders_finished

ALICE = "sk-alice-SECRET-0f9e8d7c6b5a"
BOB = "sk-bob-SECRET-1a2b3c4d5e6f"
TEACHER = "sk-teacher-SECRET-9z8y7x"
SMALL = {"prompt": "a red fox trotting through fresh snow", "size": "720x1280", "seconds": "4"}
ORIGIN = "http://simulator.test"
#: A job of a model that continues a completed job (`previous_job_id`).
CONTINUABLE = {
    "model": "black-forest-labs/flux-3-video",
    "prompt": "a lighthouse at dusk",
    "duration": 5,
    "resolution": "720p",
    "aspect_ratio": "1:1",
}


def openai_requests(video: dict) -> list[tuple[str, str, dict]]:
    """Every OpenAI-shaped (and Veo) request that names a video, as (method, url, options)."""
    vid = video["id"]
    return [
        ("GET", f"/videos/{vid}", {}),
        ("GET", f"/videos/{vid}/content", {}),
        ("GET", f"/videos/{vid}/content?variant=thumbnail", {}),
        ("GET", f"/videos/{vid}/content?variant=spritesheet", {}),
        ("GET", f"/videos?after={vid}", {}),
        ("POST", f"/videos/{vid}/remix", {"json": {"prompt": "the fox at night"}}),
        (
            "POST",
            "/videos/edits",
            {"files": {"prompt": (None, "make it golden"), "video[id]": (None, vid)}},
        ),
        (
            "POST",
            "/videos/extensions",
            {
                "files": {
                    "prompt": (None, "the fox runs on"),
                    "seconds": (None, "4"),
                    "video[id]": (None, vid),
                }
            },
        ),
        ("GET", f"{ORIGIN}/v1beta/models/{video['model']}/operations/{vid}", {}),
        ("GET", f"{ORIGIN}/v1beta/files/{vid}:download?alt=media", {}),
    ]


def openrouter_requests(job: dict) -> list[tuple[str, str, dict]]:
    jid = job["id"]
    return [
        ("GET", f"/videos/{jid}", {}),
        ("GET", f"/videos/{jid}/content?index=0", {}),
        ("POST", "/videos", {"json": {**CONTINUABLE, "previous_job_id": jid}}),
    ]


async def answer(client: httpx.AsyncClient, method: str, url: str, options: dict) -> tuple:
    response = await client.request(method, url, **options)
    body = response.json() if response.status_code >= 400 else None
    return response.status_code, body


async def finish(app, client: httpx.AsyncClient, clock: FakeClock, video_id: str) -> dict:
    record = app.state.simulator.store.videos[video_id]
    clock.advance(record.timeline.total_seconds + 0.01)
    await renders_finished(app)
    done = await client.get(f"/videos/{video_id}")
    assert done.status_code == 200
    return done.json()


@contextlib.asynccontextmanager
async def two_keys(app) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    """Alice's and Bob's clients of the OpenAI-shaped routes (and Veo's, by absolute URL)."""
    async with api_client(app, ALICE, spec=False) as alice, api_client(app, BOB, spec=False) as bob:
        yield alice, bob


def openrouter_client(app, key: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url=f"{ORIGIN}/api/v1",
        headers={"Authorization": f"Bearer {key}"},
    )


async def check_ownership(owner, other, requests, delete) -> None:
    """`other` gets for each request what an unknown id gets (compared once `delete` made the
    video unknown), while `owner` is served (202: an accepted OpenRouter job)."""
    as_other = [await answer(other, *request) for request in requests]
    assert all(status in (400, 404) for status, _ in as_other), as_other
    for request in requests:
        status, body = await answer(owner, *request)
        assert status in (200, 202), (request, body)
    await delete()
    as_unknown = [await answer(other, *request) for request in requests]
    assert as_other == as_unknown


async def test_openai_routes_serve_a_video_to_its_owner_only(make_app, fake_clock):
    app = make_app(clock=fake_clock)
    async with two_keys(app) as (alice, bob):
        video = (await alice.post("/videos", json={**SMALL, "seconds": "8"})).json()
        await finish(app, alice, fake_clock, video["id"])

        async def alice_deletes() -> None:
            await renders_finished(app)
            assert (await alice.delete(f"/videos/{video['id']}")).status_code == 200

        await check_ownership(alice, bob, openai_requests(video), alice_deletes)
        await renders_finished(app)


async def test_the_list_shows_a_key_only_its_own_videos(make_app, fake_clock):
    app = make_app(clock=fake_clock)
    async with two_keys(app) as (alice, bob):
        mine = (await alice.post("/videos", json=SMALL)).json()["id"]
        theirs = (await bob.post("/videos", json=SMALL)).json()["id"]
        alice_sees = [v["id"] for v in (await alice.get("/videos")).json()["data"]]
        bob_sees = [v["id"] for v in (await bob.get("/videos")).json()["data"]]
        assert alice_sees == [mine] and bob_sees == [theirs]
        await renders_finished(app)


async def test_another_key_cannot_delete_a_video(make_app, fake_clock):
    app = make_app(clock=fake_clock)
    async with two_keys(app) as (alice, bob):
        video = (await alice.post("/videos", json=SMALL)).json()
        await finish(app, alice, fake_clock, video["id"])
        refused = await bob.delete(f"/videos/{video['id']}")
        unknown = await bob.delete("/videos/video_nope")
        assert refused.status_code == 404
        assert refused.json()["error"]["code"] == unknown.json()["error"]["code"]
        assert (await alice.get(f"/videos/{video['id']}")).status_code == 200
        assert video["id"] in app.state.simulator.store.videos


async def test_a_character_is_its_owners_and_the_teachers_only(make_app, fake_clock):
    app = make_app(clock=fake_clock, teacher_key=TEACHER)
    store = app.state.simulator.store
    async with two_keys(app) as (alice, bob), api_client(app, TEACHER, spec=False) as teacher:
        video = (await alice.post("/videos", json=SMALL)).json()
        await finish(app, alice, fake_clock, video["id"])
        mp4 = (await alice.get(f"/videos/{video['id']}/content")).content
        upload = {"name": (None, "Foxy"), "video": ("clip.mp4", mp4, "video/mp4")}
        made = await alice.post("/videos/characters", files=upload)
        assert made.status_code == 200 and "owner" not in made.json()
        character = made.json()["id"]
        seen = await teacher.get(f"/videos/characters/{character}")
        assert seen.status_code == 200
        assert seen.json()["owner"] == app.state.simulator.owners.of_key(ALICE)[:8]

        async def forget_the_character() -> None:  # the API has no delete for characters
            del store.characters[character]

        requests = [("GET", f"/videos/characters/{character}", {})]
        await check_ownership(alice, bob, requests, forget_the_character)
        await renders_finished(app)


async def test_what_a_create_sent_is_shown_to_its_owner_and_the_teacher_only(make_app, fake_clock):
    app = make_app(clock=fake_clock, teacher_key=TEACHER)
    async with two_keys(app) as (alice, bob), api_client(app, TEACHER, spec=False) as teacher:
        video = (await alice.post("/videos", json={**SMALL, "seed": 7})).json()
        received = f"{ORIGIN}/simulator/videos/{video['id']}/received"
        seen = await teacher.get(received)
        assert seen.status_code == 200 and seen.json()["received"]["seed"] == 7
        async with api_client(app, None, spec=False) as nobody:
            assert (await nobody.get(received)).status_code == 404

        async def alice_deletes() -> None:
            await finish(app, alice, fake_clock, video["id"])
            assert (await alice.delete(f"/videos/{video['id']}")).status_code == 200

        await check_ownership(alice, bob, [("GET", received, {})], alice_deletes)
        await renders_finished(app)


async def test_openrouter_routes_serve_a_job_to_its_owner_only(make_app, fake_clock):
    app = make_app(clock=fake_clock, profile="openrouter")
    async with openrouter_client(app, ALICE) as alice, openrouter_client(app, BOB) as bob:
        created = await alice.post("/videos", json=CONTINUABLE)
        assert created.status_code == 202, created.text
        job = await finish(app, alice, fake_clock, created.json()["id"])
        # A signed link is its own permission: anyone holding it may download.
        assert (await bob.get(job["urls"][0])).status_code == 200

        async def forget_the_job() -> None:  # OpenRouter has no delete: the job expires
            await renders_finished(app)
            app.state.simulator.store.delete(job["id"])

        await check_ownership(alice, bob, openrouter_requests(job), forget_the_job)
        await renders_finished(app)


async def test_videos_made_before_owners_stay_visible_to_every_key(make_app, fake_clock, tmp_path):
    app = make_app(clock=fake_clock)
    async with api_client(app, ALICE, spec=False) as alice:
        old = (await alice.post("/videos", json=SMALL)).json()["id"]
        owned = (await alice.post("/videos", json=SMALL)).json()["id"]
        await renders_finished(app)
    path = tmp_path / "simulator" / "videos" / f"{old}.json"
    record = json.loads(path.read_text())
    del record["owner"]
    path.write_text(json.dumps(record))

    restarted = make_app(clock=fake_clock)
    async with api_client(restarted, BOB, spec=False) as bob:
        assert (await bob.get(f"/videos/{old}")).status_code == 200
        assert (await bob.get(f"/videos/{owned}")).status_code == 404  # owners outlive a restart
        assert [v["id"] for v in (await bob.get("/videos")).json()["data"]] == [old]


@pytest.mark.parametrize("profile", ["openai", "openrouter"])
async def test_a_key_is_never_written_to_the_data_folder_or_the_log(
    make_app, fake_clock, tmp_path, caplog, profile
):
    caplog.set_level(logging.DEBUG)
    app = make_app(clock=fake_clock, profile=profile)
    if profile == "openrouter":
        client = openrouter_client(app, ALICE)
        body, extra = QUICK, {}
    else:
        client = api_client(app, ALICE, spec=False)
        body, extra = SMALL, {"remix": {"prompt": "the fox at night"}}
    async with client:
        video = (await client.post("/videos", json=body)).json()
        await finish(app, client, fake_clock, video["id"])
        if extra:
            await client.post(f"/videos/{video['id']}/remix", json=extra["remix"])
        assert (await client.get(f"/videos/{video['id']}/content")).status_code == 200
        await renders_finished(app)
    files = [path for path in Path(tmp_path / "simulator").rglob("*") if path.is_file()]
    assert any(path.suffix == ".json" for path in files)
    assert leaked_keys(tmp_path / "simulator", ALICE) == []
    assert app.state.simulator.store.videos[video["id"]].owner is not None
    assert not any(trace.decode() in caplog.text for trace in key_traces(ALICE))


async def test_the_teacher_key_sees_lists_and_deletes_every_owners_videos(make_app, fake_clock):
    app = make_app(clock=fake_clock, teacher_key=TEACHER)
    owners = app.state.simulator.owners
    async with two_keys(app) as (alice, bob), api_client(app, TEACHER, spec=False) as teacher:
        made = {}
        for name, client in (("alice", alice), ("bob", bob), ("teacher", teacher)):
            made[name] = (await client.post("/videos", json=SMALL)).json()
            assert ("owner" in made[name]) is (name == "teacher")
        listed = {v["id"]: v["owner"] for v in (await teacher.get("/videos")).json()["data"]}
        assert listed == {
            made[name]["id"]: owners.of_key(key)[:8]
            for name, key in (("alice", ALICE), ("bob", BOB), ("teacher", TEACHER))
        }
        assert [v["id"] for v in (await alice.get("/videos")).json()["data"]] == [
            made["alice"]["id"]
        ]
        assert "owner" not in (await alice.get(f"/videos/{made['alice']['id']}")).json()
        seen = await teacher.get(f"/videos/{made['bob']['id']}")
        assert seen.status_code == 200 and seen.json()["owner"] == owners.of_key(BOB)[:8]
        await finish(app, bob, fake_clock, made["bob"]["id"])
        assert (await teacher.delete(f"/videos/{made['bob']['id']}")).status_code == 200
        assert (await bob.get(f"/videos/{made['bob']['id']}")).status_code == 404
        await renders_finished(app)
    for path in (tmp for tmp in app.state.simulator.store.root.rglob("*") if tmp.is_file()):
        assert TEACHER.encode() not in path.read_bytes(), path


async def test_openrouter_usage_counts_each_keys_own_jobs(make_app, fake_clock):
    app = make_app(clock=fake_clock, profile="openrouter", teacher_key=TEACHER, credits=10.0)
    async with (
        openrouter_client(app, ALICE) as alice,
        openrouter_client(app, BOB) as bob,
        openrouter_client(app, TEACHER) as teacher,
    ):
        costs = {}
        for client, job in ((alice, QUICK), (bob, CONTINUABLE)):
            made = (await client.post("/videos", json=job)).json()
            costs[client] = (await finish(app, client, fake_clock, made["id"]))["usage"]["cost"]
        assert costs[alice] != costs[bob]
        usage = {}
        for client in (alice, bob, teacher):
            usage[client] = (await client.get("/key")).json()["data"]["usage"]
    assert usage == {alice: costs[alice], bob: costs[bob], teacher: 0.0}


async def test_the_teacher_sees_whose_an_openrouter_job_is(make_app, fake_clock):
    app = make_app(clock=fake_clock, profile="openrouter", teacher_key=TEACHER)
    async with openrouter_client(app, ALICE) as alice, openrouter_client(app, TEACHER) as teacher:
        job = (await alice.post("/videos", json=QUICK)).json()
        seen = await teacher.get(f"/videos/{job['id']}")
        assert seen.status_code == 200
        assert seen.json()["owner"] == app.state.simulator.owners.of_key(ALICE)[:8]
        assert "owner" not in (await alice.get(f"/videos/{job['id']}")).json()
        await renders_finished(app)


def test_the_teacher_key_comes_from_the_flag_or_the_environment_and_is_never_shown(monkeypatch):
    monkeypatch.setenv("SORA_SIM_TEACHER_KEY", TEACHER)
    assert SimulatorConfig.from_env().teacher_key == TEACHER
    flagged = build_parser().parse_args(["simulator", "--teacher-key", "sk-other-teacher"])
    config = simulator_config(flagged)
    assert config.teacher_key == "sk-other-teacher"
    assert "sk-other-teacher" not in repr(config) and "teacher_key=set" in repr(config)
