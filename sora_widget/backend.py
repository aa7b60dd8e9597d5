"""Choosing the server: the configured API when there is a key, else the local simulator.

The simulator is started detached from the kernel and found again through the state file
beside its data, so a kernel restart or a second notebook talks to the same simulator and
sees the same jobs, as it would with a real service.
"""

from __future__ import annotations

import os
import subprocess
import time
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
    """A ready client: the configured server with OPENAI_API_KEY, else the local simulator."""
    if not use_simulator():
        return SoraClient(**client_options)
    base_url = simulator_url()
    if base_url not in _ANNOUNCED:
        _ANNOUNCED.add(base_url)
        print(f"sora_widget: using the local simulator at {base_url} (no API key needed).")
    client = SoraClient(api_key=SIMULATOR_KEY, base_url=base_url, **client_options)
    client.is_simulator = True
    return client
