"""Starting, finding and stopping a simulator process: what a client needs, without the server.

`connect()` in the kernel uses these; they import no web server or video stack, so
`import sora_widget` stays light (the server itself is `server.serve`, run in the child).
"""

from __future__ import annotations

import os
import signal
import socket
import sys
from pathlib import Path
from typing import Any

from . import folder
from .config import SimulatorConfig


def command(data_dir: Path, *options: str) -> list[str]:
    """The command line of a simulator on a free loopback port, run by this Python."""
    return [
        sys.executable, "-m", "sora_widget.cli", "simulator",
        "--port", "0", "--data-dir", str(data_dir), *options,
    ]  # fmt: skip


def read_state(config: SimulatorConfig) -> dict[str, Any] | None:
    """The address the folder's server recorded, or None."""
    return folder.read_state(Path(config.data_dir))


def bind(host: str, port: int) -> socket.socket:
    """Bind before serving so port 0 yields a real port we can print and record."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    # Listening now, before the URL is known to anyone: a client that connects while the app
    # is still starting waits in the backlog instead of being refused.
    sock.listen(2048)
    return sock


def url_of(sock: socket.socket, api_root: str = "/v1") -> str:
    """The API's base URL on a bound socket (`api_root`: `/api/v1` for OpenRouter's shape)."""
    host, port = sock.getsockname()[:2]
    return f"http://{f'[{host}]' if ':' in host else host}:{port}{api_root}"


def stop(config: SimulatorConfig) -> bool:
    """Stop the simulator serving `config.data_dir`; False if none was running.

    A simulator started by `connect()` outlives kernels on purpose; this is how a test run or a
    teacher resetting a demo ends it. The pid comes from the lock holder's own record, so a
    stale record's pid, perhaps reused since, is never signalled.
    """
    data_dir = Path(config.data_dir)
    if not data_dir.is_dir():  # nothing ever served here; and asking must not create it
        return False
    with folder.deciding(data_dir):
        state = folder.holder(data_dir)
    if not state or "pid" not in state:
        return False
    try:
        os.kill(int(state["pid"]), signal.SIGTERM)
    except (OSError, ValueError, TypeError):
        return False
    return True
