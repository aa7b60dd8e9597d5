"""One simulator per data folder: the folder lock, the state file, and how `connect()` uses them.

Three simulators on one folder each overwrote the state file and rendered into the same place;
these tests show a second one is refused, and that starters racing on one folder start one.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest

from sora_widget.engine import backend
from sora_widget.engine.backend import connect, simulator_url
from sora_widget.simulator import SimulatorConfig
from sora_widget.simulator.process import command, read_state, stop

from .helpers import start_server, stop_server


def simulators_on(data_dir: Path) -> list[psutil.Process]:
    """Every simulator process serving `data_dir`, whoever started it."""
    found = []
    for process in psutil.process_iter(["cmdline"]):
        cmdline = process.info["cmdline"] or []
        if "simulator" in cmdline and str(data_dir) in cmdline:
            found.append(process)
    return found


def end_simulators(data_dir: Path) -> None:
    """Stop what the test started on `data_dir`, by pid (detached, so not our children)."""
    for process in simulators_on(data_dir):
        process.terminate()
    psutil.wait_procs(simulators_on(data_dir), timeout=15)


@pytest.fixture
def data_dir(tmp_path: Path):
    folder = tmp_path / "simulator"
    yield folder
    end_simulators(folder)


def test_a_second_simulator_on_a_held_folder_names_the_holder_and_exits_1(tmp_path):
    server = start_server(tmp_path)
    try:
        second = subprocess.run(command(tmp_path), capture_output=True, text=True, timeout=60)
        assert second.returncode == 1
        assert server.base_url in second.stderr and str(server.process.pid) in second.stderr
        assert "--data-dir" in second.stderr
        # The holder's record is untouched, and it still answers.
        assert read_state(SimulatorConfig(data_dir=tmp_path))["pid"] == server.process.pid
        health = httpx.get(server.base_url.removesuffix("/v1") + "/simulator/health")
        assert health.json()["pid"] == server.process.pid
        other = start_server(tmp_path / "elsewhere")
        assert other.base_url != server.base_url
        stop_server(other)
    finally:
        stop_server(server)


def test_a_state_file_without_a_live_lock_is_ignored(tmp_path, data_dir):
    """A record left by a dead server, whose port now belongs to a healthy simulator serving
    another folder: the health probe used to say yes; the lock says nobody holds this folder."""
    impostor = start_server(tmp_path / "another-folder")
    try:
        data_dir.mkdir(parents=True)
        left_behind = {"pid": impostor.process.pid, "base_url": impostor.base_url, "speed": 1}
        (data_dir / "server.json").write_text(json.dumps(left_behind))
        base_url = simulator_url(SimulatorConfig(data_dir=data_dir))
        assert base_url != impostor.base_url
        health = httpx.get(base_url.removesuffix("/v1") + "/simulator/health", timeout=30)
        assert health.json()["pid"] == read_state(SimulatorConfig(data_dir=data_dir))["pid"]
        assert health.json()["pid"] != impostor.process.pid
        # And the command line starts on a folder whose record is stale, too.
        stop(SimulatorConfig(data_dir=data_dir))
        psutil.wait_procs(simulators_on(data_dir), timeout=15)
        (data_dir / "server.json").write_text(json.dumps(left_behind))
        server = start_server(data_dir)
        assert server.base_url != impostor.base_url
        stop_server(server)
    finally:
        stop_server(impostor)


def test_a_record_of_a_simulator_that_died_while_starting_is_replaced(tmp_path, data_dir):
    """`connect()` records the simulator it spawns before that one holds the lock; if it dies
    first, its record must not send every later `connect()` to a dead port."""
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    data_dir.mkdir(parents=True)
    dead_url = "http://127.0.0.1:9/v1"
    record = {"pid": gone.pid, "base_url": dead_url, "speed": 1, "starting": time.time()}
    (data_dir / "server.json").write_text(json.dumps(record))
    base_url = simulator_url(SimulatorConfig(data_dir=data_dir))
    assert base_url != dead_url
    assert httpx.get(base_url.removesuffix("/v1") + "/simulator/health", timeout=30).is_success


STARTER = "from sora_widget.engine.backend import simulator_url; print(simulator_url())"


def test_two_starters_racing_on_one_empty_folder_start_one_simulator(data_dir):
    env = {**os.environ, "SORA_SIM_DATA_DIR": str(data_dir), "PYTHONPATH": os.getcwd()}
    env.pop("OPENAI_API_KEY", None)
    starters = [
        subprocess.Popen(
            [sys.executable, "-c", STARTER], stdout=subprocess.PIPE, text=True, env=env
        )
        for _ in range(2)
    ]
    urls = {starter.communicate(timeout=60)[0].strip() for starter in starters}
    assert len(urls) == 1 and all(starter.returncode == 0 for starter in starters)
    time.sleep(3)  # long enough for a second simulator, if one was started, to be running
    assert len(simulators_on(data_dir)) == 1
    [url] = urls
    health = httpx.get(url.removesuffix("/v1") + "/simulator/health", timeout=30)
    assert health.json()["pid"] == simulators_on(data_dir)[0].pid


def test_threads_racing_in_one_process_share_one_simulator(data_dir):
    from concurrent.futures import ThreadPoolExecutor

    config = SimulatorConfig(data_dir=data_dir)
    with ThreadPoolExecutor(4) as pool:
        urls = set(pool.map(lambda _: simulator_url(config), range(4)))
    assert len(urls) == 1
    time.sleep(3)
    assert len(simulators_on(data_dir)) == 1


async def test_connect_returns_at_once_and_its_first_request_waits_for_the_simulator(
    data_dir, monkeypatch
):
    """The kernel's event loop must not wait while the simulator starts: `connect()` spawns it
    on a socket already listening and returns, neither sleeping, nor waiting for the process,
    nor asking whether it is up; a request sent before it is ready waits in the backlog."""

    def forbidden(what: str):
        def refuse(*args: object, **kwargs: object) -> None:
            raise AssertionError(f"connect() {what} on the kernel's thread")

        return refuse

    monkeypatch.setenv("SORA_WIDGET_BACKEND", "simulator")
    monkeypatch.setenv("SORA_SIM_DATA_DIR", str(data_dir))
    spawned = []
    spawn = backend._spawn
    monkeypatch.setattr(backend, "_spawn", lambda config: spawned.append(config) or spawn(config))
    with monkeypatch.context() as waiting:
        waiting.setattr(time, "sleep", forbidden("slept"))
        waiting.setattr(subprocess.Popen, "wait", forbidden("waited for the simulator"))
        waiting.setattr(socket.socket, "connect", forbidden("connected to the simulator"))
        client = connect()
    assert len(spawned) == 1
    async with client:
        page = await client.list_page(limit=1)
    assert page.data == []
    state = read_state(SimulatorConfig(data_dir=data_dir))
    assert [process.pid for process in simulators_on(data_dir)] == [state["pid"]]
    # Once it runs, a second connect() finds it through the lock and its record: no spawn.
    assert connect().base_url == client.base_url and len(spawned) == 1
