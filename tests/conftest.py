"""Shared fixtures: the simulator in-process, and as a real server on a free loopback port."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

from sora_widget.engine.client import SoraClient
from sora_widget.engine.library import Library
from sora_widget.engine.poller import _POLLERS, Poller
from sora_widget.simulator import FaultConfig, SimulatorConfig, create_app
from sora_widget.ui.widget import SoraWidget

from .fakes import CachedRenders, FakeClock, FakeTime, Recording
from .helpers import (
    OPENROUTER_TEST_KEY,
    TEST_KEY,
    RunningServer,
    fast_cadence,
    server_running,
    start_server,
    stop_server,
)
from .litellm_proxy import RECIPE_KEYS, UPSTREAMS, Proxy, proxy_running, shared_routes

#: Fast enough for tests, slow enough that queued and in_progress can be observed.
TEST_SPEED = 100.0
#: The made-up names in-process clients use for the simulator: allowed besides loopback ones.
IN_PROCESS_HOSTS = ("simulator.test", "sim.test")
#: The widgets' polling: the first poll at once rather than after a second, and none more than
#: a quarter second after the last (the simulator asks for a second while a render runs late),
#: so a widget test waits for its job, not for the cadence.
QUICK_POLLING = fast_cadence(first=0.05, ceiling=0.25)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test through the LiteLLM proxy is a `litellm` test, whatever its module: the marker
    follows the fixture, so `make test-fast` can leave out the proxy's start-up."""
    for item in items:
        if "litellm_proxy" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.litellm)


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def fake_time(request: pytest.FixtureRequest) -> FakeTime:
    return FakeTime(seed=request.node.nodeid)  # each test its own jitter, the same each run


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


@pytest.fixture
def on_profile(make_app, tmp_path: Path):
    """(client, its recording transport, library) on an in-process simulator playing
    `profile` (OpenRouter's under /api/v1), polled quickly; a library per profile."""

    def build(profile: str) -> tuple[SoraClient, Recording, Library]:
        if profile == "openrouter":
            app = make_app(profile=profile)
            key, base_url = OPENROUTER_TEST_KEY, "http://simulator.test/api/v1"
        else:
            app = make_app(profile=profile, api_key=TEST_KEY)
            key, base_url = TEST_KEY, "http://simulator.test/v1"
        transport = Recording(httpx.ASGITransport(app=app))
        client = SoraClient(key, base_url=base_url, transport=transport)
        _POLLERS[client] = Poller(client, cadence=QUICK_POLLING)
        return client, transport, Library(tmp_path / profile)

    return build


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


@pytest.fixture(scope="session")
def litellm_upstreams(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[dict[str, RunningServer]]:
    """The simulators behind the shared LiteLLM proxy, by name (see `litellm_proxy.UPSTREAMS`)."""
    with ExitStack() as stack:
        yield {
            name: stack.enter_context(server_running(tmp_path_factory.mktemp(name), *arguments))
            for name, arguments in UPSTREAMS.items()
        }


@pytest.fixture(scope="session")
def litellm_proxy(
    litellm_upstreams: dict[str, RunningServer], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Proxy]:
    """One LiteLLM proxy for the session (it takes half a minute to start), with every route."""
    routes = shared_routes(litellm_upstreams)
    with proxy_running(routes, tmp_path_factory.mktemp("litellm"), RECIPE_KEYS) as proxy:
        yield proxy


@pytest.fixture(scope="session")
def shared_renders(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CachedRenders]:
    """One render per distinct request for the whole session, as one simulator shares them:
    widget tests wait for their jobs, not for the same video being encoded again."""
    renders = CachedRenders(tmp_path_factory.mktemp("renders"))
    yield renders
    renders.close()


@pytest.fixture
def make_widget(make_app, shared_renders: CachedRenders, tmp_path: Path):
    """A SoraWidget on an in-process simulator (faults optional) and its own library, polled
    quickly from the start (see `QUICK_POLLING`)."""

    def build(
        faults: FaultConfig | None = None,
        client_options=None,
        client: SoraClient | None = None,
        **kwargs,
    ) -> SoraWidget:
        """`client=` an earlier widget's client: a second widget on the same server."""
        if client is None:
            app = make_app(
                faults=faults or FaultConfig(), api_key=TEST_KEY, executor=shared_renders
            )
            client = SoraClient(
                api_key=TEST_KEY,
                base_url="http://simulator.test/v1",
                transport=httpx.ASGITransport(app=app),
                **(client_options or {}),
            )
            client.is_simulator = True
            _POLLERS[client] = Poller(client, cadence=QUICK_POLLING)
        return SoraWidget(client=client, library=Library(tmp_path / "videos"), **kwargs)

    return build
