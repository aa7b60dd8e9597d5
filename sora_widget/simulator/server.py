"""Serving the simulator on loopback, holding its data folder, and stopping it.

The server holds its data folder's lock and records its address beside the data (see
`folder`), so `connect()` in any kernel reuses it instead of starting a second one with
different jobs, and a second server on the same folder is refused.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import socket
import sys
from pathlib import Path

import uvicorn
from filelock import FileLock

from . import folder
from .app import create_app
from .config import SimulatorConfig
from .gate import QuietCuts
from .process import bind, url_of
from .profiles import profile_named


def serve(
    config: SimulatorConfig,
    host: str = "127.0.0.1",
    port: int = 8000,
    log_level: str = "warning",
    fd: int | None = None,
) -> None:
    """Run until interrupted; prints the base URL (never the key) on the first line.

    `fd` is a socket already listening, bound by `connect()` so that it knew the URL at once.
    Raises `folder.FolderInUse` when another simulator serves `config.data_dir`.
    """
    data_dir = Path(config.data_dir)
    with folder.deciding(data_dir):
        lock = folder.claim(data_dir)
        try:
            sock = socket.socket(fileno=fd) if fd is not None else bind(host, port)
        except OSError:
            lock.release()
            raise
        base_url = url_of(sock, profile_named(config.profile).api_root)
        state = {"pid": os.getpid(), "base_url": base_url, "speed": config.speed}
        folder.write_state(data_dir, state)
    print(f"Sora simulator listening on {base_url}", flush=True)
    print(
        f"  data: {config.data_dir}  speed: x{config.speed:g}  profile: {config.profile}  "
        f"workers: {config.workers}",
        file=sys.stderr,
        flush=True,
    )
    # Requests addressed to the name or address it was bound to are its own, too.
    bound = sock.getsockname()[0]
    config = dataclasses.replace(config, allowed_hosts=(*config.allowed_hosts, bound))
    app = create_app(config, cut_connections=True)
    server = _Server(uvicorn.Config(app, log_level=log_level, access_log=False))
    # After uvicorn.Config, which sets up its loggers: injected faults are not server errors.
    logging.getLogger("uvicorn.error").addFilter(QuietCuts())
    server.data_dir, server.folder_lock = data_dir, lock
    try:
        server.run(sockets=[sock])
    finally:
        server.forget()


class _Server(uvicorn.Server):
    """Gives up its folder on shutdown: uvicorn re-raises SIGTERM afterwards, so a plain
    `finally` around `run()` would never get the chance."""

    data_dir: Path
    folder_lock: FileLock

    def forget(self) -> None:
        # Taking the start lock would recreate a folder removed under it (a test's tmp folder).
        if not self.data_dir.is_dir():
            self.folder_lock.release()
            return
        with folder.deciding(self.data_dir):
            current = folder.read_state(self.data_dir)
            if current and current.get("pid") == os.getpid():
                folder.state_path(self.data_dir).unlink(missing_ok=True)
            self.folder_lock.release()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        await super().shutdown(sockets)
        self.forget()
