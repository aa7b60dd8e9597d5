"""Choosing the server: the configured API when there is a key, else the local simulator.

The simulator is started detached from the kernel and found again through the state file
beside its data, so a kernel restart or a second notebook talks to the same simulator and
sees the same jobs, as it would with a real service.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import subprocess
import time
import weakref
from pathlib import Path

import httpx

from .client import SoraClient
from .simulator.config import SimulatorConfig
from .simulator.server import command, read_state

#: The simulator accepts any non-empty key; this one says what it is in its own logs.
SIMULATOR_KEY = "sk-local-simulator"
STARTUP_TIMEOUT_SECONDS = 30.0
#: Simulator addresses already announced in this process: one line per notebook, not per widget.
_ANNOUNCED: set[str] = set()


def use_simulator() -> bool:
    """No key, or SORA_WIDGET_BACKEND=simulator: the simulator is the backend."""
    choice = os.environ.get("SORA_WIDGET_BACKEND", "").strip().lower()
    if choice in ("simulator", "api"):
        return choice == "simulator"
    return not os.environ.get("OPENAI_API_KEY", "").strip()


def _answers(base_url: str) -> bool:
    try:
        response = httpx.get(base_url.removesuffix("/v1") + "/simulator/health", timeout=2.0)
        return response.status_code == 200 and response.json().get("simulator") == "sora-widget"
    except (httpx.HTTPError, ValueError):
        return False


def simulator_url(config: SimulatorConfig | None = None) -> str:
    """The base URL of a running simulator, starting one (detached) if none answers."""
    config = config or SimulatorConfig.from_env()
    state = read_state(config)
    if state and _answers(state["base_url"]):
        return state["base_url"]
    Path(config.data_dir).mkdir(parents=True, exist_ok=True)
    log = open(Path(config.data_dir) / "server.log", "ab")  # noqa: SIM115 (the child keeps it)
    env = dict(os.environ)
    env.pop("OPENAI_API_KEY", None)  # the simulator never needs, nor sees, a real key
    subprocess.Popen(
        command(Path(config.data_dir), "--speed", str(config.speed)),
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=log,
        env=env,
        start_new_session=True,
    )
    log.close()
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        state = read_state(config)
        if state and _answers(state["base_url"]):
            return state["base_url"]
        time.sleep(0.1)
    raise RuntimeError(
        f"The local simulator did not start within {STARTUP_TIMEOUT_SECONDS:.0f} s; "
        f"see {Path(config.data_dir) / 'server.log'}."
    )


def connect(**client_options: object) -> SoraClient:
    """A ready client: the configured server with OPENAI_API_KEY, else the local simulator.

    Calls for the same server and settings on one event loop get the same client (a closed one
    is replaced), so every widget of a kernel shares its connections and its poller: polling
    costs one request per tick however many widgets run jobs.
    """
    simulator = use_simulator()
    options = dict(client_options)
    if simulator:
        base_url = simulator_url()
        if base_url not in _ANNOUNCED:
            _ANNOUNCED.add(base_url)
            print(f"sora_widget: using the local simulator at {base_url} (no API key needed).")
        options = {"api_key": SIMULATOR_KEY, "base_url": base_url, **options}
    clients = _CLIENTS.setdefault(_loop_here(), {})
    settings = _settings_digest(simulator, options)
    client = clients.get(settings)
    if client is None or client.closed:
        client = clients[settings] = SoraClient(**options)
        client.is_simulator = simulator
    return client


#: The clients `connect()` handed out, by event loop (a client's connections belong to the loop
#: they were opened on; a kernel has one loop) and by a digest of their settings.
_CLIENTS: weakref.WeakKeyDictionary[object, dict[str, SoraClient]] = weakref.WeakKeyDictionary()
#: The settings a client also reads from the environment.
_ENVIRONMENT = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID")


class _NoLoop:
    """The key of clients made where no loop runs (a plain script's `job.wait()`)."""


_NO_LOOP = _NoLoop()


def _loop_here() -> object:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return _NO_LOOP


def _settings_digest(simulator: bool, options: dict[str, object]) -> str:
    """Everything that makes one client differ from another, the key included (each key its
    own client), hashed: the cache holds no key in the clear."""
    environment = [(name, os.environ.get(name)) for name in _ENVIRONMENT]
    settings = repr((simulator, environment, sorted(options.items())))
    return hashlib.sha256(settings.encode()).hexdigest()
