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
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

import httpx

from sora_widget.core.keywords import strict_keywords
from sora_widget.engine.api import DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT, AuthHeader, Dialect
from sora_widget.engine.client import SoraClient
from sora_widget.simulator import folder
from sora_widget.simulator.config import SimulatorConfig
from sora_widget.simulator.process import bind, command, url_of
from sora_widget.simulator.profiles import profile_named

#: The simulator accepts any non-empty key; this one says what it is in its own logs.
SIMULATOR_KEY = "sk-local-simulator"
#: The settings that decide which keys a simulator accepts: a spawned one gets exactly the
#: starter's, through its environment (a command line is visible to every user in `ps`).
_KEY_SETTINGS = ("SORA_SIM_API_KEY", "SORA_SIM_TEACHER_KEY", "SORA_SIM_KEYS")
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
    for variable in ("OPENAI_API_KEY", "OPENROUTER_API_KEY", *_KEY_SETTINGS):
        env.pop(variable, None)  # the simulator never needs, nor sees, a real key
    env.update(_key_environment(config))
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


def _key_environment(config: SimulatorConfig) -> dict[str, str]:
    """`config`'s key settings as the simulator's command reads them from its environment."""
    settings = {
        "SORA_SIM_API_KEY": config.api_key,
        "SORA_SIM_TEACHER_KEY": config.teacher_key,
        "SORA_SIM_KEYS": str(Path(config.keys_file).resolve()) if config.keys_file else None,
    }
    return {name: value for name, value in settings.items() if value}


def simulator_key(config: SimulatorConfig) -> str:
    """The key `connect()` uses on a simulator started with `config`: one it accepts. On a
    class's simulator that is the teacher's key, else the class key in OPENAI_API_KEY; a
    `RuntimeError` says what to set when there is neither."""
    if config.teacher:
        return config.teacher
    if config.class_keys:
        key = _key("OPENAI_API_KEY")
        if key in config.class_keys:
            return key
        problem = "is not one of its keys" if key else "is not set"
        raise RuntimeError(
            f"The simulator accepts only the keys in {config.keys_file} (SORA_SIM_KEYS), and "
            f"OPENAI_API_KEY {problem}: set OPENAI_API_KEY to your key from that file, or "
            "SORA_SIM_TEACHER_KEY to the teacher's key."
        )
    return config.api_key or SIMULATOR_KEY


@strict_keywords
def connect(
    *,
    api_key: str | None = None,
    base_url: str | None = None,
    organization: str | None = None,
    project: str | None = None,
    auth_header: AuthHeader = "bearer",
    timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
    max_retries: int = DEFAULT_MAX_RETRIES,
    transport: httpx.AsyncBaseTransport | None = None,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    dialect: Dialect | None = None,
    attribution: Mapping[str, str] | None = None,
) -> SoraClient:
    """A ready client: the configured server with OPENAI_API_KEY, OpenRouter with
    OPENROUTER_API_KEY alone, else the local simulator (then `api_key` and `base_url` default
    to its own, see `simulator_key`). `dialect` None: "openrouter" with OPENROUTER_API_KEY
    alone, else "auto". The settings are `SoraClient`'s.

    Calls for the same server and settings on one event loop get the same client (a closed one
    is replaced), so every widget of a kernel shares its connections and its poller: polling
    costs one request per tick however many widgets run jobs.
    """
    simulator = use_simulator()
    if simulator:
        config = SimulatorConfig.from_env()
        # Decided first: a key the simulator would refuse is an error before one is started.
        api_key = simulator_key(config) if api_key is None else api_key
        simulator_base = simulator_url(config)
        if simulator_base not in _ANNOUNCED:
            _ANNOUNCED.add(simulator_base)
            print(
                f"sora_widget: using the local simulator at {simulator_base} (no API key needed)."
            )
        base_url = simulator_base if base_url is None else base_url
    if dialect is None:
        dialect = "openrouter" if not simulator and use_openrouter() else "auto"
    options: dict[str, Any] = {  # typed by the signature above
        "api_key": api_key,
        "base_url": base_url,
        "organization": organization,
        "project": project,
        "auth_header": auth_header,
        "timeout": timeout,
        "max_retries": max_retries,
        "transport": transport,
        "sleep": sleep,
        "dialect": dialect,
        "attribution": attribution,
    }
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


def _settings_digest(simulator: bool, options: Mapping[str, object]) -> str:
    """Everything that makes one client differ from another, the key included (each key its
    own client), hashed: the cache holds no key in the clear."""
    environment = [(name, os.environ.get(name)) for name in _ENVIRONMENT]
    settings = repr((simulator, environment, sorted(options.items())))
    return hashlib.sha256(settings.encode()).hexdigest()
