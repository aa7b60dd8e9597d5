"""A class on one simulator: named keys from the teacher's key file, the teacher's figures
per student, and a rate limit that one student's burst cannot spend for another."""

from __future__ import annotations

import csv
import stat
from pathlib import Path

import httpx
import pytest

from sora_widget.cli import commands
from sora_widget.simulator.class_keys import ClassKeysError
from sora_widget.simulator.config import FaultConfig, SimulatorConfig

from .helpers import api_client, renders_finished

ALICE = "sk-alice-CLASS-0f9e8d7c"
BOB = "sk-bob-CLASS-1a2b3c4d"
TEACHER = "sk-teacher-CLASS-5e6f7a8b"
QUICK = {"prompt": "a red fox trotting through fresh snow", "size": "720x1280", "seconds": "4"}
CLASS_URL = "http://simulator.test/simulator/class"


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "class.csv"
    path.write_text(f"alice,{ALICE}\nbob,{BOB}\nteacher,{TEACHER}\n")
    return path


async def finish(app, client: httpx.AsyncClient, clock, video_id: str) -> None:
    clock.advance(app.state.simulator.store.videos[video_id].timeline.total_seconds + 0.01)
    await renders_finished(app)
    assert (await client.get(f"/videos/{video_id}")).json()["status"] == "completed"


async def test_only_the_key_files_keys_are_accepted(make_app, key_file):
    app = make_app(keys_file=key_file)
    async with api_client(app, ALICE) as alice, api_client(app, "sk-not-in-the-class") as other:
        assert (await alice.get("/videos")).status_code == 200
        refused = await other.get("/videos")
    assert refused.status_code == 401
    assert refused.json()["error"]["message"] == "Incorrect API key provided."
    assert refused.json()["error"]["code"] == "invalid_api_key"


@pytest.mark.parametrize(
    ("rows", "words"),
    [
        ("alice\n", "expected two columns"),
        ("alice,\n", "the key is empty"),
        (",sk-nameless\n", "the name is empty"),
        (f"bob,{ALICE}\n", "already 'alice''s"),
        ("alice,sk-another\n", "the name 'alice' is already used"),
    ],
)
def test_a_bad_key_file_is_refused_at_start_naming_file_and_line(tmp_path, rows, words):
    path = tmp_path / "class.csv"
    path.write_text(f"alice,{ALICE}\n{rows}")
    with pytest.raises(ClassKeysError) as refused:
        SimulatorConfig(data_dir=tmp_path / "simulator", keys_file=path)
    assert f"key file {path}, line 2" in str(refused.value)
    assert words in str(refused.value)
    assert "name,key" in str(refused.value)


def test_make_keys_writes_unique_keys_readable_by_its_user_only(tmp_path, monkeypatch, capsys):
    served: list[SimulatorConfig] = []
    monkeypatch.setattr(commands, "serve", lambda config, **options: served.append(config))
    path = tmp_path / "class.csv"
    argv = ["simulator", "--data-dir", str(tmp_path / "sim"), "--keys", str(path)]
    assert commands.main([*argv, "--make-keys", "30"]) == 0

    rows = list(csv.reader(path.read_text().splitlines()))
    names = [name for name, _ in rows]
    assert names == [f"student{n:02d}" for n in range(1, 31)] + ["teacher"]
    assert len({key for _, key in rows}) == 31
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert str(path.resolve()) in capsys.readouterr().out
    assert served[0].class_keys == {key: name for name, key in rows}  # then it starts with them

    before = path.read_text()
    with pytest.raises(SystemExit):
        commands.main([*argv, "--make-keys", "30"])
    assert "already exists" in capsys.readouterr().err
    assert path.read_text() == before
    assert len(served) == 1


async def test_the_teacher_sees_each_owner_by_name(make_app, key_file):
    app = make_app(keys_file=key_file)
    async with api_client(app, ALICE) as alice, api_client(app, TEACHER) as teacher:
        made = (await alice.post("/videos", json=QUICK)).json()
        listed = (await teacher.get("/videos")).json()["data"]
        own = (await alice.get(f"/videos/{made['id']}")).json()
        await renders_finished(app)
    assert [(v["id"], v["owner"]) for v in listed] == [(made["id"], "alice")]
    assert "owner" not in own


async def test_the_class_figures_count_each_students_jobs_seconds_and_cost(
    make_app, key_file, fake_clock
):
    app = make_app(clock=fake_clock, keys_file=key_file)
    async with api_client(app, ALICE) as alice, api_client(app, BOB) as bob:
        for _ in range(2):
            video = (await alice.post("/videos", json=QUICK)).json()
            await finish(app, alice, fake_clock, video["id"])
        pro = {**QUICK, "model": "sora-2-pro", "size": "1792x1024", "seconds": "8"}
        video = (await bob.post("/videos", json=pro)).json()
        await finish(app, bob, fake_clock, video["id"])
        await bob.post("/videos", json=QUICK)  # still queued when the teacher looks
        async with api_client(app, TEACHER, spec=False) as teacher:
            figures = await teacher.get(CLASS_URL)
        await renders_finished(app)
    assert figures.status_code == 200
    owners = {owner.pop("owner"): owner for owner in figures.json()["owners"]}
    assert owners == {
        "alice": {
            "jobs": 2,
            "by_status": {"completed": 2},
            "seconds_rendered": 8,
            "estimated_cost_usd": 0.8,  # 8 s of sora-2 at $0.10
            "unpriced_seconds": 0,
        },
        "bob": {
            "jobs": 2,
            "by_status": {"completed": 1, "queued": 1},
            "seconds_rendered": 8,
            "estimated_cost_usd": 4.0,  # 8 s of sora-2-pro above 720p at $0.50
            "unpriced_seconds": 0,
        },
    }


async def test_only_the_teacher_can_read_the_class_figures(make_app, key_file):
    app = make_app(keys_file=key_file)
    async with (
        api_client(app, ALICE, spec=False) as alice,
        api_client(app, None, spec=False) as nobody,
    ):
        await alice.post("/videos", json=QUICK)
        as_student = await alice.get(CLASS_URL)
        as_nobody = await nobody.get(CLASS_URL)
        unknown = await alice.get("http://simulator.test/simulator/nothing-here")
        await renders_finished(app)
    assert as_student.status_code == as_nobody.status_code == 404
    message = unknown.json()["error"]["message"].replace("/simulator/nothing-here", "")
    assert as_student.json()["error"]["message"].replace("/simulator/class", "") == message


async def test_one_keys_burst_does_not_rate_limit_another(make_app, key_file, fake_clock):
    faults = FaultConfig(rate_limit_per_minute=2)
    app = make_app(clock=fake_clock, keys_file=key_file, faults=faults)
    async with api_client(app, ALICE) as alice, api_client(app, BOB) as bob:
        burst = [(await alice.get("/videos")).status_code for _ in range(3)]
        assert (await bob.get("/videos")).status_code == 200
    assert burst == [200, 200, 429]
