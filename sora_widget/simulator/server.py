"""Serving the simulator on loopback, and the state file that lets others find it.

The state file sits beside the simulator's data, so `connect()` in any kernel can reuse a
running simulator instead of starting a second one with different jobs.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import sys
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from .app import create_app
from .config import SimulatorConfig
from .gate import QuietCuts

STATE_FILE = "server.json"


def command(data_dir: Path, *options: str) -> list[str]:
    """The command line of a simulator on a free loopback port, run by this Python."""
    return [
        sys.executable, "-m", "sora_widget.cli", "simulator",
        "--port", "0", "--data-dir", str(data_dir), *options,
    ]  # fmt: skip


def state_path(config: SimulatorConfig) -> Path:
    return Path(config.data_dir) / STATE_FILE


def read_state(config: SimulatorConfig) -> dict[str, Any] | None:
    """The running server's address as it recorded it, or None."""
    return read_state_file(state_path(config))


def read_state_file(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def bind(host: str, port: int) -> socket.socket:
    """Bind before serving so port 0 yields a real port we can print and record."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    # Listening now, before the URL is printed: a client that connects while the app is still
    # starting waits in the backlog instead of being refused.
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def serve(
    config: SimulatorConfig, host: str = "127.0.0.1", port: int = 8000, log_level: str = "warning"
) -> None:
    """Run until interrupted; prints the base URL (never the key) on the first line."""
    sock = bind(host, port)
    bound_port = sock.getsockname()[1]
    display_host = f"[{host}]" if ":" in host else host
    base_url = f"http://{display_host}:{bound_port}/v1"
    Path(config.data_dir).mkdir(parents=True, exist_ok=True)
    state = {"pid": os.getpid(), "base_url": base_url, "speed": config.speed}
    state_path(config).write_text(json.dumps(state))
    print(f"Sora simulator listening on {base_url}", flush=True)
    print(f"  data: {config.data_dir}  speed: x{config.speed:g}", file=sys.stderr, flush=True)
    app = create_app(config, cut_connections=True)
    server = _Server(uvicorn.Config(app, log_level=log_level, access_log=False))
    # After uvicorn.Config, which sets up its loggers: injected faults are not server errors.
    logging.getLogger("uvicorn.error").addFilter(QuietCuts())
    server.state_file = state_path(config)
    try:
        server.run(sockets=[sock])
    finally:
        server.forget()


class _Server(uvicorn.Server):
    """Removes its state file on shutdown: uvicorn re-raises SIGTERM afterwards, so a plain
    `finally` around `run()` would never get the chance."""

    state_file: Path

    def forget(self) -> None:
        current = read_state_file(self.state_file)
        if current and current.get("pid") == os.getpid():
            self.state_file.unlink(missing_ok=True)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        await super().shutdown(sockets)
        self.forget()


def stop(config: SimulatorConfig) -> bool:
    """Stop the simulator recorded beside `config.data_dir`; False if none was running.

    A simulator started by `connect()` outlives kernels on purpose; this is how a test run or a
    teacher resetting a demo ends it.
    """
    state = read_state(config)
    if not state:
        return False
    try:
        # Only a process that answers as this simulator: a stale file's pid may be reused.
        health = httpx.get(state["base_url"].removesuffix("/v1") + "/simulator/health", timeout=2)
        pid = int(health.json()["pid"])
        if pid != int(state["pid"]):
            return False
        os.kill(pid, signal.SIGTERM)
    except (httpx.HTTPError, ProcessLookupError, KeyError, ValueError, TypeError):
        return False
    return True
