"""Shared fixtures: the simulator in-process, and as a real server on a free loopback port."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import anywidget
import httpx
import pytest

from sora_widget.engine.client import SoraClient
from sora_widget.engine.library import Library
from sora_widget.simulator import FaultConfig, SimulatorConfig, create_app
from sora_widget.simulator.process import command
from sora_widget.ui.widget import SoraWidget

from .helpers import stop_and_read

TEST_KEY = "sk-test-SECRET-do-not-leak-7f3a"
#: Fast enough for tests, slow enough that queued and in_progress can be observed.
TEST_SPEED = 100.0
#: The made-up names in-process clients use for the simulator: allowed besides loopback ones.
IN_PROCESS_HOSTS = ("simulator.test", "sim.test")


class FakeClock:
    """A clock tests move by hand, so time-dependent behaviour is exact and instant."""

    def __init__(self, start: float = 1_750_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sim_config(tmp_path: Path) -> SimulatorConfig:
    return SimulatorConfig(data_dir=tmp_path / "simulator", speed=TEST_SPEED)


@pytest.fixture
def render_executor() -> Iterator[ThreadPoolExecutor]:
    """Threads instead of a process pool: same results, no process start-up in every test."""
    executor = ThreadPoolExecutor(max_workers=2)
    yield executor
    executor.shutdown(wait=True, cancel_futures=True)


@pytest.fixture
def make_app(render_executor: ThreadPoolExecutor, tmp_path: Path):
    """Build a simulator app with any config (faults, clock) on a per-test data folder."""

    def build(clock=None, executor=None, **config_fields):
        config_fields.setdefault("data_dir", tmp_path / "simulator")
        config_fields.setdefault("speed", TEST_SPEED)
        config_fields.setdefault("allowed_hosts", IN_PROCESS_HOSTS)
        config = SimulatorConfig(**config_fields)
        kwargs = {"executor": executor or render_executor}
        if clock is not None:
            kwargs["clock"] = clock
        return create_app(config, **kwargs)

    return build


@dataclass
class RunningServer:
    base_url: str
    process: subprocess.Popen
    data_dir: Path
    #: Where its stdout and stderr go: a file, not a pipe nobody reads, which would fill up and
    #: freeze the server at its next log line.
    output: Path


def start_server(data_dir: Path, *extra_args: str) -> RunningServer:
    """`sora-widget simulator` as a real process on port 0; returns once it prints its URL."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    handle, name = tempfile.mkstemp(prefix="simulator-", suffix=".out")
    output = Path(name)
    with os.fdopen(handle, "wb") as sink:
        process = subprocess.Popen(
            command(data_dir, *extra_args), stdout=sink, stderr=subprocess.STDOUT, env=env
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        for line in output.read_text(errors="replace").splitlines():
            if "listening on http://" in line:
                return RunningServer(line.split()[-1], process, data_dir, output)
        time.sleep(0.05)
    process.kill()
    process.wait()
    text = output.read_text(errors="replace")
    output.unlink()
    raise RuntimeError(f"simulator did not start: {text[-3000:]!r}")


def stop_server(server: RunningServer) -> str:
    """Stop it and return everything it printed, for the tests that check for leaks."""
    return stop_and_read(server.process, server.output)


@contextmanager
def server_running(data_dir: Path, *extra_args: str) -> Iterator[RunningServer]:
    """`start_server` for the length of a `with` block (a fixture's life, say)."""
    server = start_server(data_dir, *extra_args)
    try:
        yield server
    finally:
        stop_server(server)


@pytest.fixture(scope="session")
def sim_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """One real simulator for the contract tests, accepting only TEST_KEY."""
    server = start_server(
        tmp_path_factory.mktemp("sim-server"),
        "--speed",
        str(TEST_SPEED),
        "--api-key",
        TEST_KEY,
        "--blocked-words",
        "forbidden",
    )
    yield server
    stop_server(server)


@pytest.fixture
def make_widget(make_app, tmp_path: Path):
    """A SoraWidget on an in-process simulator (faults optional) and its own library."""

    def build(
        faults: FaultConfig | None = None,
        client_options=None,
        client: SoraClient | None = None,
        **kwargs,
    ) -> SoraWidget:
        """`client=` an earlier widget's client: a second widget on the same server."""
        if client is None:
            app = make_app(faults=faults or FaultConfig(), api_key=TEST_KEY)
            client = SoraClient(
                api_key=TEST_KEY,
                base_url="http://simulator.test/v1",
                transport=httpx.ASGITransport(app=app),
                **(client_options or {}),
            )
            client.is_simulator = True
        return SoraWidget(client=client, library=Library(tmp_path / "videos"), **kwargs)

    return build


def state_text(widget: anywidget.AnyWidget) -> str:
    """Everything a widget would sync or save, binary buffers included, as one string."""
    parts = []
    for value in widget.get_state().values():
        if isinstance(value, bytes | memoryview):
            parts.append(bytes(value).decode("latin-1"))
        else:
            parts.append(json.dumps(value, default=lambda v: bytes(v).decode("latin-1")))
    return "\n".join(parts)
