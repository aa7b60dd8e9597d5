"""A class on one simulator: named keys from the teacher's key file, the teacher's figures
per student, and a rate limit that one student's burst cannot spend for another."""

from __future__ import annotations

import csv
import os
import stat
import time
from pathlib import Path
from types import SimpleNamespace

import httpx
import psutil
import pytest

from sora_widget.cli import commands
from sora_widget.engine import backend
from sora_widget.engine.backend import connect
from sora_widget.simulator.class_keys import ClassKeysError
from sora_widget.simulator.config import FaultConfig, SimulatorConfig
from sora_widget.simulator.process import read_state, stop

from .helpers import OPENROUTER_QUICK, api_client, leaked_keys, renders_finished

ALICE = "sk-alice-CLASS-0f9e8d7c"
BOB = "sk-bob-CLASS-1a2b3c4d"
TEACHER = "sk-teacher-CLASS-5e6f7a8b"
QUICK = {"prompt": "a red fox trotting through fresh snow", "size": "720x1280", "seconds": "4"}
CLASS_URL = "http://simulator.test/simulator/class"
SIMULATOR_BASE = "http://simulator.test/v1"


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


# ---- connect() on a class's simulator -----------------------------------------------------------


@pytest.fixture
def class_environment(monkeypatch, tmp_path, key_file):
    """The environment of a notebook on the teacher's machine: the simulator backend, the
    class's key file, no real key; `connect()` reaches the returned list's app in process."""
    monkeypatch.setenv("SORA_WIDGET_BACKEND", "simulator")
    monkeypatch.setenv("SORA_SIM_DATA_DIR", str(tmp_path / "simulator"))
    monkeypatch.setenv("SORA_SIM_KEYS", str(key_file))
    for variable in ("OPENAI_API_KEY", "OPENROUTER_API_KEY", "SORA_SIM_TEACHER_KEY"):
        monkeypatch.delenv(variable, raising=False)
    started: list[SimulatorConfig] = []
    monkeypatch.setattr(
        backend, "simulator_url", lambda config: started.append(config) or SIMULATOR_BASE
    )
    return started


async def retrieved_with_connect(app, video_id: str) -> str:
    """Whose `connect()` is, as the simulator sees it: the owner of the video it may read."""
    async with connect(transport=httpx.ASGITransport(app=app)) as client:
        return (await client.retrieve(video_id)).id


@pytest.mark.parametrize("teacher_from", ["key file", "environment"])
async def test_connect_on_a_class_simulator_uses_the_teachers_key(
    make_app, key_file, class_environment, monkeypatch, teacher_from
):
    teacher_key = None
    if teacher_from == "environment":
        teacher_key = "sk-teacher-ENV-9c8b7a"
        monkeypatch.setenv("SORA_SIM_TEACHER_KEY", teacher_key)
    app = make_app(keys_file=key_file, teacher_key=teacher_key)
    async with api_client(app, ALICE) as alice:
        made = (await alice.post("/videos", json=QUICK)).json()["id"]
    assert await retrieved_with_connect(app, made) == made  # the teacher's key reads it
    assert class_environment[0].teacher == (teacher_key or TEACHER)
    await renders_finished(app)


async def test_connect_on_a_class_simulator_uses_the_class_key_in_openai_api_key(
    make_app, tmp_path, class_environment, monkeypatch
):
    path = tmp_path / "students.csv"
    path.write_text(f"alice,{ALICE}\nbob,{BOB}\n")
    monkeypatch.setenv("SORA_SIM_KEYS", str(path))
    monkeypatch.setenv("OPENAI_API_KEY", BOB)
    app = make_app(keys_file=path)
    async with api_client(app, BOB) as bob:
        made = (await bob.post("/videos", json=QUICK)).json()["id"]
    assert await retrieved_with_connect(app, made) == made
    await renders_finished(app)


async def test_connect_uses_the_one_key_a_simulator_accepts(
    make_app, class_environment, monkeypatch
):
    monkeypatch.delenv("SORA_SIM_KEYS")
    monkeypatch.setenv("SORA_SIM_API_KEY", "sk-the-only-one")
    app = make_app(api_key="sk-the-only-one")
    async with api_client(app, "sk-the-only-one") as only:
        made = (await only.post("/videos", json=QUICK)).json()["id"]
    assert await retrieved_with_connect(app, made) == made
    await renders_finished(app)


async def test_the_teacher_key_is_accepted_beside_the_one_api_key(make_app):
    app = make_app(api_key="sk-the-only-one", teacher_key=TEACHER)
    async with api_client(app, "sk-the-only-one") as only, api_client(app, TEACHER) as teacher:
        made = (await only.post("/videos", json=QUICK)).json()["id"]
        assert (await teacher.get(f"/videos/{made}")).status_code == 200
        async with api_client(app, ALICE) as other:
            assert (await other.get("/videos")).status_code == 401
        await renders_finished(app)


@pytest.mark.parametrize(
    ("openai_key", "words"), [(None, "is not set"), ("sk-not-in-class", "is not one of its keys")]
)
def test_connect_on_a_class_simulator_without_a_usable_key_says_what_to_set(
    tmp_path, class_environment, monkeypatch, openai_key, words
):
    path = tmp_path / "students.csv"
    path.write_text(f"alice,{ALICE}\nbob,{BOB}\n")
    monkeypatch.setenv("SORA_SIM_KEYS", str(path))
    if openai_key:
        monkeypatch.setenv("OPENAI_API_KEY", openai_key)
    with pytest.raises(RuntimeError) as refused:
        connect()
    message = str(refused.value)
    assert f"OPENAI_API_KEY {words}" in message
    assert "SORA_SIM_TEACHER_KEY" in message and str(path) in message
    assert class_environment == []  # no simulator started for a client that cannot use it
    assert not any(key in message for key in (ALICE, BOB, "sk-not-in-class"))


def test_a_spawned_simulator_gets_the_starters_key_settings_by_environment_only(
    tmp_path, key_file, monkeypatch
):
    """The command line of a process is visible to every user (`ps`); its environment is not."""
    spawned: list[tuple[list[str], dict[str, str]]] = []

    def popen(argv: list[str], *, env: dict[str, str], **options: object) -> SimpleNamespace:
        spawned.append((argv, env))
        return SimpleNamespace(pid=os.getpid())

    monkeypatch.setattr(backend.subprocess, "Popen", popen)
    monkeypatch.setenv("SORA_SIM_API_KEY", "sk-left-from-another-setting")
    monkeypatch.chdir(key_file.parent)
    data_dir = tmp_path / "simulator"
    data_dir.mkdir()
    config = SimulatorConfig(data_dir=data_dir, keys_file=Path(key_file.name), teacher_key=BOB)
    backend._spawn(config)

    [(argv, env)] = spawned
    assert not any(key in part for key in (ALICE, BOB, TEACHER) for part in argv)
    assert env["SORA_SIM_KEYS"] == str(key_file.resolve())
    assert env["SORA_SIM_TEACHER_KEY"] == BOB and "SORA_SIM_API_KEY" not in env
    child = SimulatorConfig.from_env(env)
    assert (child.class_keys, child.teacher, child.api_key) == (config.class_keys, BOB, None)


# ---- no key in the data folder or the log -------------------------------------------------------


def until_completed(client: httpx.Client, url: str) -> None:
    deadline = time.monotonic() + 60
    while client.get(url).json()["status"] != "completed":
        assert time.monotonic() < deadline, f"{url} did not complete"
        time.sleep(0.1)


def openai_class_run(base_url: str) -> None:
    origin = base_url.removesuffix("/v1")
    with httpx.Client(base_url=base_url, headers=bearer(ALICE)) as alice:
        made = alice.post("/videos", json=QUICK).json()["id"]
        until_completed(alice, f"/videos/{made}")
        assert alice.get(f"/videos/{made}/content").is_success
        assert alice.get(f"{origin}/simulator/videos/{made}/received").is_success
    with httpx.Client(base_url=base_url, headers=bearer(TEACHER)) as teacher:
        assert teacher.get("/videos").json()["data"][0]["owner"] == "alice"
        assert teacher.get(f"{origin}/simulator/class").is_success
    with httpx.Client(base_url=base_url, headers=bearer("sk-not-in-class")) as stranger:
        assert stranger.get("/videos").status_code == 401


def openrouter_class_run(base_url: str) -> None:
    with httpx.Client(base_url=base_url, headers=bearer(ALICE)) as alice:
        made = alice.post("/videos", json=OPENROUTER_QUICK).json()["id"]
        until_completed(alice, f"/videos/{made}")
        assert alice.get(f"/videos/{made}/content?index=0").is_success
        assert alice.get("/key").json()["data"]["usage"] > 0
    with httpx.Client(base_url=base_url, headers=bearer(TEACHER)) as teacher:
        assert teacher.get(f"/videos/{made}").json()["owner"] == "alice"
    with httpx.Client(base_url=base_url, headers=bearer("sk-not-in-class")) as stranger:
        assert stranger.get("/key").status_code == 401


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.mark.parametrize("profile", ["openai", "openrouter"])
def test_a_class_run_leaves_no_key_in_the_data_folder_or_the_server_log(
    tmp_path, key_file, monkeypatch, profile
):
    """A simulator started as `connect()` starts it, with named keys and a teacher key from
    the environment: nothing it writes holds a key, in clear or as an unsalted digest."""
    data_dir = tmp_path / "simulator"
    environment = {
        "SORA_SIM_DATA_DIR": str(data_dir),
        "SORA_SIM_KEYS": str(key_file),
        "SORA_SIM_TEACHER_KEY": TEACHER,
        "SORA_SIM_PROFILE": profile,
        "SORA_SIM_SPEED": "100",
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    config = SimulatorConfig.from_env()
    base_url = backend.simulator_url(config)
    pid = read_state(config)["pid"]
    try:
        (openrouter_class_run if profile == "openrouter" else openai_class_run)(base_url)
    finally:
        stop(config)
        psutil.wait_procs([psutil.Process(pid)], timeout=30)
    assert (data_dir / "server.log").is_file()
    assert any(data_dir.rglob("*.json")) and any(data_dir.rglob("*.mp4"))
    assert leaked_keys(data_dir, ALICE, BOB, TEACHER) == []
