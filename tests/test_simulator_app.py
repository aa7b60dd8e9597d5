"""The simulator in-process: lifecycle, errors, content, faults and persistence."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from sora_widget.simulator import FaultConfig
from sora_widget.simulator.timeline import plan_timeline

from .fakes import CountingExecutor, FakeClock
from .helpers import MP4_MAGIC, TEST_KEY, api_client, error_of, png_bytes, renders_finished

SMALL = {"prompt": "a red fox trotting through fresh snow", "size": "720x1280", "seconds": "4"}


async def finish(app, client, clock: FakeClock, video_id: str) -> dict:
    """Move the fake clock past the job's timeline and wait for its media."""
    record = app.state.simulator.store.videos[video_id]
    clock.advance(record.timeline.total_seconds + 0.01)
    await renders_finished(app)
    return (await client.get(f"/videos/{video_id}")).json()


async def test_lifecycle_queued_in_progress_completed(make_app, fake_clock):
    app = make_app(clock=fake_clock)
    async with api_client(app) as client:
        created = await client.post("/videos", json=SMALL)
        assert created.status_code == 200
        video = created.json()
        assert video["id"].startswith("video_") and len(video["id"]) > 20
        assert video["status"] == "queued" and video["progress"] == 0
        assert video["seconds"] == "4" and video["completed_at"] is None
        timeline = app.state.simulator.store.videos[video["id"]].timeline

        fake_clock.advance(timeline.queue_seconds + 0.001)
        seen = []
        for _ in range(5):
            response = await client.get(f"/videos/{video['id']}")
            assert int(response.headers["openai-poll-after-ms"]) >= 100
            body = response.json()
            seen.append(body["progress"])
            assert body["status"] == "in_progress"
            fake_clock.advance(timeline.work_seconds / 6)
        assert seen == sorted(seen) and seen[-1] > seen[0]

        done = await finish(app, client, fake_clock, video["id"])
        assert done["status"] == "completed" and done["progress"] == 100
        assert done["expires_at"] == done["completed_at"] + 3600


def test_timing_is_realistic_and_scales():
    def total(model="sora-2", size="720x1280", seconds=4, speed=1.0, n=40):
        runs = [plan_timeline(f"a fox, take {i}", model, size, seconds, speed) for i in range(n)]
        return [t.total_seconds for t in runs]

    short = total()
    assert min(short) >= 10 and max(short) <= 30
    mean = sum(short) / len(short)
    assert sum(total(model="sora-2-pro")) / 40 > 1.8 * mean
    assert sum(total(seconds=12)) / 40 > 2 * mean
    assert (
        sum(total(model="sora-2-pro", size="1792x1024")) / 40 > sum(total(model="sora-2-pro")) / 40
    )
    assert max(total(speed=10)) <= max(short) / 10 + 1e-9


def test_the_same_request_takes_the_same_time():
    fox = plan_timeline("a fox in the snow", "sora-2", "720x1280", 4, 1.0)
    assert plan_timeline("a fox in the snow", "sora-2", "720x1280", 4, 1.0) == fox
    assert plan_timeline("a fox in the rain", "sora-2", "720x1280", 4, 1.0) != fox
    assert plan_timeline("a fox in the snow", "sora-2", "1280x720", 4, 1.0) != fox


async def test_the_same_request_again_shares_the_rendered_files(make_app, fake_clock):
    executor = CountingExecutor()
    app = make_app(clock=fake_clock, executor=executor)
    assets = app.state.simulator.store.assets_dir
    async with api_client(app) as client:
        first = (await client.post("/videos", json=SMALL)).json()["id"]
        await finish(app, client, fake_clock, first)
        second = (await client.post("/videos", json=SMALL)).json()["id"]
        other = (await client.post("/videos", json={**SMALL, "prompt": "a fox at night"})).json()
        await finish(app, client, fake_clock, second)
        await finish(app, client, fake_clock, other["id"])
        assert executor.renders == 2  # the fox once, the night fox once
        shared = assets(second) / "video.mp4"
        assert shared.stat().st_ino == (assets(first) / "video.mp4").stat().st_ino

        assert (await client.delete(f"/videos/{first}")).status_code == 200
        mp4 = await client.get(f"/videos/{second}/content")
        assert mp4.status_code == 200 and mp4.content[4:8] == MP4_MAGIC
        # The first one's files are gone, the second's are kept: a third request shares them.
        third = (await client.post("/videos", json=SMALL)).json()["id"]
        await finish(app, client, fake_clock, third)
        assert executor.renders == 2
        assert (await client.get(f"/videos/{third}/content")).content == mp4.content
    executor.shutdown()


async def test_content_variants_and_not_ready(make_app, fake_clock):
    app = make_app(clock=fake_clock)
    async with api_client(app) as client:
        video = (await client.post("/videos", json=SMALL)).json()
        early = await client.get(f"/videos/{video['id']}/content")
        assert early.status_code == 400 and error_of(early)["code"] == "video_not_ready"
        await finish(app, client, fake_clock, video["id"])
        mp4 = await client.get(f"/videos/{video['id']}/content")
        assert mp4.headers["content-type"] == "video/mp4" and mp4.content[4:8] == MP4_MAGIC
        thumb = await client.get(f"/videos/{video['id']}/content", params={"variant": "thumbnail"})
        assert thumb.headers["content-type"] == "image/webp" and thumb.content[8:12] == b"WEBP"
        sprite = await client.get(
            f"/videos/{video['id']}/content", params={"variant": "spritesheet"}
        )
        assert sprite.content[:2] == b"\xff\xd8"
        bad = await client.get(f"/videos/{video['id']}/content", params={"variant": "gif"})
        assert bad.status_code == 400 and error_of(bad)["param"] == "variant"

        fake_clock.advance(3601)
        expired = await client.get(f"/videos/{video['id']}/content")
        assert expired.status_code == 404 and error_of(expired)["code"] == "video_content_expired"


BAD_CREATES = [
    ({}, "prompt", "missing_required_parameter"),
    ({"prompt": ""}, "prompt", "invalid_value"),
    ({"prompt": "   \n\t"}, "prompt", "invalid_value"),
    ({"prompt": "x" * 32_001}, "prompt", "string_above_max_length"),
    ({"prompt": 42}, "prompt", "invalid_type"),
    ({"prompt": "ok", "model": "m" * 300}, "model", "invalid_value"),
    ({"prompt": "ok", "model": "veo-3.1", "size": "1280 x 720"}, "size", "invalid_value"),
    ({"prompt": "ok", "model": "wan2.2", "seconds": "-5"}, "seconds", "invalid_value"),
    ({"prompt": "ok", "model": "wan2.2", "size": "3840x2160"}, "size", "invalid_value"),
    ({"prompt": "ok", "model": "wan2.2", "seconds": "5.5"}, "seconds", "invalid_value"),
    ({"prompt": "ok", "size": "1792x1024"}, "size", "invalid_value"),
    ({"prompt": "ok", "size": "640x480", "model": "sora-2-pro"}, "size", "invalid_value"),
    ({"prompt": "ok", "seconds": "5"}, "seconds", "invalid_value"),
    ({"prompt": "ok", "seconds": 4}, "seconds", "invalid_type"),
    ({"prompt": "ok", "input_reference": "cat.png"}, "input_reference", "invalid_type"),
    (
        {"prompt": "ok", "input_reference": {"file_id": "file-123"}},
        "input_reference.file_id",
        "file_not_found",
    ),
]


@pytest.mark.parametrize(("body", "param", "code"), BAD_CREATES)
async def test_bad_create_requests_name_the_field(make_app, body, param, code):
    async with api_client(make_app()) as client:
        response = await client.post("/videos", json=body)
        assert response.status_code in (400, 404)
        error = error_of(response)
        assert error["param"] == param and error["code"] == code
        assert param.split(".")[0] in error["message"]


async def test_seconds_integer_uses_the_apis_words(make_app):
    async with api_client(make_app()) as client:
        response = await client.post("/videos", json={"prompt": "ok", "seconds": 8})
        assert error_of(response)["message"] == (
            "Invalid type for 'seconds': expected one of '4', '8', or '12', "
            "but got an integer instead."
        )


@pytest.mark.parametrize(
    ("filename", "data", "mimetype", "code"),
    [
        ("notes.txt", b"hello", "text/plain", "unsupported_mimetype"),
        ("broken.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "image/png", "invalid_image"),
        ("small.png", png_bytes(64, 64), "image/png", "invalid_image_dimensions"),
    ],
)
async def test_bad_reference_images(make_app, filename, data, mimetype, code):
    async with api_client(make_app()) as client:
        response = await client.post(
            "/videos",
            data={"prompt": "a boat", "size": "720x1280"},
            files={"input_reference": (filename, data, mimetype)},
        )
        assert response.status_code == 400
        assert error_of(response)["code"] == code
        assert error_of(response)["param"] == "input_reference"


async def test_reference_image_as_upload_and_data_url(make_app):
    import base64

    image = png_bytes(720, 1280)
    async with api_client(make_app()) as client:
        upload = await client.post(
            "/videos",
            data={"prompt": "a boat"},
            files={"input_reference": ("ref.png", image, "image/png")},
        )
        assert upload.status_code == 200, upload.text
        data_url = "data:image/png;base64," + base64.b64encode(image).decode()
        by_url = await client.post(
            "/videos",
            files={"prompt": (None, "a boat"), "input_reference[image_url]": (None, data_url)},
        )
        assert by_url.status_code == 200, by_url.text


async def test_unknown_ids_paths_and_wrong_states(make_app, fake_clock):
    app = make_app(clock=fake_clock)
    async with api_client(app) as client:
        for method, path in [
            ("GET", "/videos/video_nope"),
            ("DELETE", "/videos/video_nope"),
            ("POST", "/videos/video_nope/remix"),
            ("GET", "/videos/video_nope/content"),
            ("GET", "/videos/characters/char_nope"),
        ]:
            response = await client.request(method, path, json={"prompt": "x"})
            assert response.status_code == 404, (method, path)
            assert error_of(response)["message"]
        unknown = await client.get("/nothing/here")
        assert unknown.status_code == 404  # OpenAI's own words for a route it lacks
        assert error_of(unknown)["message"] == "Invalid URL (GET /v1/nothing/here)"
        wrong_method = await client.put("/videos")
        assert wrong_method.status_code == 405

        video = (await client.post("/videos", json=SMALL)).json()
        remix = await client.post(f"/videos/{video['id']}/remix", json={"prompt": "at night"})
        assert remix.status_code == 400 and error_of(remix)["code"] == "invalid_video_state"
        delete = await client.delete(f"/videos/{video['id']}")
        assert delete.status_code == 400 and "queued" in error_of(delete)["message"]
        await finish(app, client, fake_clock, video["id"])
        deleted = await client.delete(f"/videos/{video['id']}")
        assert deleted.json() == {"id": video["id"], "object": "video.deleted", "deleted": True}
        assert (await client.get(f"/videos/{video['id']}")).status_code == 404


async def test_list_pagination_and_order(make_app, fake_clock):
    app = make_app(clock=fake_clock)
    async with api_client(app) as client:
        ids = []
        for index in range(5):
            ids.append(
                (await client.post("/videos", json={"prompt": f"clip {index}"})).json()["id"]
            )
            fake_clock.advance(1)
        seen, after = [], None
        while True:
            params = {"limit": 2, **({"after": after} if after else {})}
            page = (await client.get("/videos", params=params)).json()
            seen += [video["id"] for video in page["data"]]
            assert page["object"] == "list"
            if page["data"]:
                assert page["first_id"] == page["data"][0]["id"]
                assert page["last_id"] == page["data"][-1]["id"]
            if not page["has_more"]:
                break
            after = page["last_id"]
        assert seen == list(reversed(ids))
        ascending = (await client.get("/videos", params={"order": "asc"})).json()
        assert [v["id"] for v in ascending["data"]] == ids
        for params, param in [
            ({"limit": 101}, "limit"),
            ({"limit": "x"}, "limit"),
            ({"order": "up"}, "order"),
            ({"after": "video_zz"}, "after"),
        ]:
            response = await client.get("/videos", params=params)
            assert response.status_code == 400 and error_of(response)["param"] == param


async def test_remix_edit_extension_and_characters(make_app, fake_clock):
    app = make_app(clock=fake_clock)
    async with api_client(app) as client:
        source = (await client.post("/videos", json={**SMALL, "seconds": "8"})).json()
        await finish(app, client, fake_clock, source["id"])
        remix = (
            await client.post(
                f"/videos/{source['id']}/remix", json={"prompt": "the fox at night in the rain"}
            )
        ).json()
        assert remix["remixed_from_video_id"] == source["id"]
        assert (remix["model"], remix["size"], remix["seconds"]) == ("sora-2", "720x1280", "8")

        extension = await client.post(
            "/videos/extensions",
            files={
                "prompt": (None, "the fox runs on"),
                "seconds": (None, "4"),
                "video[id]": (None, source["id"]),
            },
        )
        assert extension.status_code == 200, extension.text
        assert extension.json()["seconds"] == "12"

        mp4 = (await client.get(f"/videos/{source['id']}/content")).content
        edit = await client.post(
            "/videos/edits",
            files={"prompt": (None, "make it golden"), "video": ("clip.mp4", mp4, "video/mp4")},
        )
        assert edit.status_code == 200, edit.text
        assert (edit.json()["size"], edit.json()["seconds"]) == ("720x1280", "8")
        not_video = await client.post(
            "/videos/edits",
            files={"prompt": (None, "x"), "video": ("clip.mp4", b"not a video", "video/mp4")},
        )
        assert not_video.status_code == 400 and error_of(not_video)["param"] == "video"

        character = await client.post(
            "/videos/characters",
            files={"name": (None, "Foxy"), "video": ("clip.mp4", mp4, "video/mp4")},
        )
        assert character.status_code == 200, character.text
        fetched = await client.get(f"/videos/characters/{character.json()['id']}")
        assert fetched.json()["name"] == "Foxy"
        nameless = await client.post(
            "/videos/characters", files={"name": (None, "x" * 81), "video": ("c.mp4", mp4)}
        )
        assert nameless.status_code == 400 and error_of(nameless)["param"] == "name"
        await renders_finished(app)


async def test_auth_is_required_and_checked(make_app):
    app = make_app(api_key=TEST_KEY)
    async with api_client(app, key=None) as anonymous:
        response = await anonymous.get("/videos")
        assert response.status_code == 401
    async with api_client(app, key="sk-wrong") as wrong:
        response = await wrong.get("/videos")
        assert response.status_code == 401
        assert error_of(response)["code"] == "invalid_api_key"
        assert "sk-wrong" not in response.text
    async with api_client(app, key=TEST_KEY) as right:
        assert (await right.get("/videos")).status_code == 200
        azure = await right.get("/videos", headers={"Authorization": "", "api-key": TEST_KEY})
        assert azure.status_code == 200
    assert TEST_KEY not in repr(app.state.simulator.config)


async def test_rate_limit_answers_429_with_retry_after(make_app, fake_clock):
    app = make_app(clock=fake_clock, faults=FaultConfig(rate_limit_per_minute=3))
    async with api_client(app) as client:
        statuses = [(await client.get("/videos")).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        limited = await client.get("/videos")
        assert int(limited.headers["retry-after"]) >= 1
        assert error_of(limited)["code"] == "rate_limit_exceeded"
        fake_clock.advance(61)
        assert (await client.get("/videos")).status_code == 200


async def test_injected_server_errors(make_app):
    async with api_client(make_app(faults=FaultConfig(server_error_rate=1.0))) as client:
        response = await client.post("/videos", json=SMALL)
        assert response.status_code == 500 and error_of(response)["type"] == "server_error"
    app = make_app(faults=FaultConfig(unavailable_rate=1.0))
    async with api_client(app) as client:
        response = await client.post("/videos", json=SMALL)
        assert response.status_code == 503 and response.headers["retry-after"] == "1"
    assert not app.state.simulator.store.videos, "a refused request must not create a video"


async def test_dropped_connection_happens_after_the_work(make_app):
    app = make_app(faults=FaultConfig(drop_rate=1.0))
    transport_client = api_client(app)
    transport_client.event_hooks["response"] = []
    async with transport_client as client:
        response = await client.post("/videos", json=SMALL)
        assert int(response.headers["content-length"]) > len(response.content) == 0
    assert len(app.state.simulator.store.videos) == 1
    await renders_finished(app)


async def test_truncated_downloads(make_app, fake_clock):
    app = make_app(clock=fake_clock, faults=FaultConfig(truncate_rate=1.0))
    async with api_client(app) as client:
        video = (await client.post("/videos", json=SMALL)).json()
        await finish(app, client, fake_clock, video["id"])
        content = await client.get(f"/videos/{video['id']}/content")
        assert 0 < len(content.content) < int(content.headers["content-length"])


async def test_moderation_and_generation_failures(make_app, fake_clock):
    faults = FaultConfig(blocked_words=("Dragon",))
    app = make_app(clock=fake_clock, faults=faults)
    async with api_client(app) as client:
        blocked = (await client.post("/videos", json={"prompt": "a dragon over Paris"})).json()
        fake_clock.advance(120)
        failed = (await client.get(f"/videos/{blocked['id']}")).json()
        assert failed["status"] == "failed"
        assert failed["error"]["code"] == "moderation_blocked"
        content = await client.get(f"/videos/{blocked['id']}/content")
        assert content.status_code == 400
    app = make_app(clock=fake_clock, faults=FaultConfig(failure_rate=1.0))
    async with api_client(app) as client:
        video = (await client.post("/videos", json=SMALL)).json()
        fake_clock.advance(120)
        body = (await client.get(f"/videos/{video['id']}")).json()
        assert body["status"] == "failed" and body["error"]["code"] == "video_generation_failed"


async def test_jobs_outlive_the_server(make_app, fake_clock):
    first = make_app(clock=fake_clock, executor=ThreadPoolExecutor(1))
    async with api_client(first) as client:
        video = (await client.post("/videos", json=SMALL)).json()
    first.state.simulator.close()
    second = make_app(clock=fake_clock)
    async with api_client(second) as client:
        assert (await client.get(f"/videos/{video['id']}")).json()["status"] == "queued"
        done = await finish(second, client, fake_clock, video["id"])
        assert done["status"] == "completed"
        assert (await client.get(f"/videos/{video['id']}/content")).content[4:8] == MP4_MAGIC


async def test_a_shorter_rate_window_recovers_sooner(make_app, fake_clock):
    faults = FaultConfig(rate_limit_per_minute=1, rate_limit_window_seconds=5)
    async with api_client(make_app(clock=fake_clock, faults=faults)) as client:
        assert (await client.get("/videos")).status_code == 200
        limited = await client.get("/videos")
        assert limited.status_code == 429 and "5 s" in error_of(limited)["message"]
        assert int(limited.headers["retry-after"]) <= 5
        fake_clock.advance(5.01)
        assert (await client.get("/videos")).status_code == 200
