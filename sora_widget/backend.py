"""Choosing the server: the configured API when there is a key, else the local simulator.

The simulator is started detached from the kernel and found again through the lock and the
record in its data folder (see `simulator.folder`), so a kernel restart or a second notebook
talks to the same simulator and sees the same jobs, as it would with a real service.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path
from typing import Any

from .client import SoraClient
from .simulator import folder
from .simulator.config import SimulatorConfig
from .simulator.process import bind, command, url_of

#: The simulator accepts any non-empty key; this one says what it is in its own logs.
SIMULATOR_KEY = "sk-local-simulator"
#: Simulator addresses already announced in this process: one line per notebook, not per widget.
_ANNOUNCED: set[str] = set()


def use_simulator() -> bool:
    """No key, or SORA_WIDGET_BACKEND=simulator: the simulator is the backend."""
    choice = os.environ.get("SORA_WIDGET_BACKEND", "").strip().lower()
    if choice in ("simulator", "api"):
        return choice == "simulator"
    return not os.environ.get("OPENAI_API_KEY", "").strip()


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
    env.pop("OPENAI_API_KEY", None)  # the simulator never needs, nor sees, a real key
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
            "base_url": url_of(sock),
            "speed": config.speed,
            "starting": time.time(),
        }
    folder.write_state(data_dir, state)
    return state


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
