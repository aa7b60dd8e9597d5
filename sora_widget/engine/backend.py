"""Choosing the server: the configured API when there is a key, else the local simulator.

The simulator is started detached from the kernel and found again through the lock and the
record in its data folder (see `simulator.folder`), so a kernel restart or a second notebook
talks to the same simulator and sees the same jobs, as it would with a real service.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import subprocess
import time
import weakref
from pathlib import Path
from typing import Any

from sora_widget.core.keywords import parameter_names, refuse_unknown
from sora_widget.engine.client import SoraClient
from sora_widget.simulator import folder
from sora_widget.simulator.config import SimulatorConfig
from sora_widget.simulator.process import bind, command, url_of
from sora_widget.simulator.profiles import profile_named

#: The simulator accepts any non-empty key; this one says what it is in its own logs.
SIMULATOR_KEY = "sk-local-simulator"
#: Simulator addresses already announced in this process: one line per notebook, not per widget.
_ANNOUNCED: set[str] = set()


def use_simulator() -> bool:
    """No key, or SORA_WIDGET_BACKEND=simulator: the simulator is the backend."""
    choice = os.environ.get("SORA_WIDGET_BACKEND", "").strip().lower()
    if choice in ("simulator", "api"):
        return choice == "simulator"
    return not (_key("OPENAI_API_KEY") or _key("OPENROUTER_API_KEY"))


def use_openrouter() -> bool:
    """OPENROUTER_API_KEY without OPENAI_API_KEY: OpenRouter (or OPENROUTER_BASE_URL) is the
    server, one key for every provider's video models."""
    return bool(_key("OPENROUTER_API_KEY")) and not _key("OPENAI_API_KEY")


def _key(variable: str) -> str:
    return os.environ.get(variable, "").strip()


def simulator_url(config: SimulatorConfig | None = None) -> str:
    """The base URL of the simulator serving the data folder, starting one if none does.

    Never waits for the simulator to be ready: a started one is handed a socket already
    listening, so requests sent before it is ready wait in the socket's backlog, and the
    kernel's event loop is not held up while it starts.
    """
    config = config or SimulatorConfig.from_env()
    data_dir = Path(config.data_dir)
    with folder.deciding(data_dir):
        state = folder.holder(data_dir) or _spawn(config)
    if not isinstance(state.get("base_url"), str):
        raise RuntimeError(
            f"The simulator on {data_dir} recorded no address; see {data_dir / 'server.log'}."
        )
    return state["base_url"]


def _spawn(config: SimulatorConfig) -> dict[str, Any]:
    """Start a detached simulator on a socket bound here, and record it until it claims the
    folder itself."""
    data_dir = Path(config.data_dir)
    env = dict(os.environ)
    for variable in ("OPENAI_API_KEY", "OPENROUTER_API_KEY"):
        env.pop(variable, None)  # the simulator never needs, nor sees, a real key
    with bind("127.0.0.1", 0) as sock, open(data_dir / "server.log", "ab") as log:
        fd = sock.fileno()
        process = subprocess.Popen(
            command(data_dir, "--speed", str(config.speed), "--fd", str(fd)),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            env=env,
            pass_fds=(fd,),
            start_new_session=True,
        )
        state = {
            "pid": process.pid,
            "base_url": url_of(sock, profile_named(config.profile).api_root),
            "speed": config.speed,
            "starting": time.time(),
        }
    folder.write_state(data_dir, state)
    return state


def connect(**client_options: object) -> SoraClient:
    """A ready client: the configured server with OPENAI_API_KEY, OpenRouter with
    OPENROUTER_API_KEY alone, else the local simulator.

    Calls for the same server and settings on one event loop get the same client (a closed one
    is replaced), so every widget of a kernel shares its connections and its poller: polling
    costs one request per tick however many widgets run jobs.
    """
    refuse_unknown("connect()", client_options, parameter_names(SoraClient))
    simulator = use_simulator()
    options = dict(client_options)
    if simulator:
        base_url = simulator_url()
        if base_url not in _ANNOUNCED:
            _ANNOUNCED.add(base_url)
            print(f"sora_widget: using the local simulator at {base_url} (no API key needed).")
        options = {"api_key": SIMULATOR_KEY, "base_url": base_url, **options}
    elif use_openrouter():
        options = {"dialect": "openrouter", **options}
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
_ENVIRONMENT = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "OPENAI_ORG_ID",
    "OPENAI_PROJECT_ID",
    "OPENROUTER_API_KEY",
    "OPENROUTER_BASE_URL",
)


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
