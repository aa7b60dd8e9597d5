"""One simulator per data folder: the lock its server holds, and the record that names it.

A server holds `server.lock` for its whole life, so whether a folder is served is never guessed
from a health probe: the record (`server.json`) counts only while that lock is held (the kernel
releases it when the server dies, however it dies). Checking for a server and starting or
becoming one happen under a second, short lock (`start.lock`), so two starters racing on one
folder cannot both start a server.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
from filelock import FileLock, Timeout

STATE_FILE = "server.json"
LOCK_FILE = "server.lock"
START_LOCK_FILE = "start.lock"
#: Another starter holds the start lock for milliseconds; this only bounds a wedged one.
START_LOCK_TIMEOUT_SECONDS = 30.0
#: `connect()` records a simulator it spawned before that process can claim the lock itself;
#: such a record counts while its process lives, for at most this long.
STARTUP_GRACE_SECONDS = 30.0


class FolderInUse(Exception):
    """Another simulator serves (or is starting on) this folder; `state` is its record."""

    def __init__(self, data_dir: Path, state: dict[str, Any]) -> None:
        self.state = state
        url = state.get("base_url", "an unknown address")
        super().__init__(f"{data_dir} is served by the simulator at {url} (pid {state.get('pid')})")


def state_path(data_dir: Path) -> Path:
    return Path(data_dir) / STATE_FILE


def read_state(data_dir: Path) -> dict[str, Any] | None:
    """The record as last written, or None; whether it is current is `holder()`'s business."""
    try:
        state = json.loads(state_path(data_dir).read_text())
    except (OSError, ValueError):
        return None
    return state if isinstance(state, dict) else None


def write_state(data_dir: Path, state: dict[str, Any]) -> None:
    """Written whole or not at all: a reader never sees half a record."""
    path = state_path(data_dir)
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    partial.write_text(json.dumps(state))
    os.replace(partial, path)


@contextlib.contextmanager
def deciding(data_dir: Path) -> Iterator[None]:
    """Hold the start lock: while it is held, nobody else starts or claims a server here."""
    Path(data_dir).mkdir(parents=True, exist_ok=True)
    with FileLock(Path(data_dir) / START_LOCK_FILE, timeout=START_LOCK_TIMEOUT_SECONDS):
        yield


def claim(data_dir: Path) -> FileLock:
    """Take the folder's lock for this process, or raise FolderInUse. Call while `deciding`."""
    state = read_state(data_dir) or {}
    lock = FileLock(Path(data_dir) / LOCK_FILE, timeout=0, thread_local=False)
    try:
        lock.acquire()
    except Timeout:
        raise FolderInUse(data_dir, state) from None
    if _spawned_moments_ago(state) and state.get("pid") != os.getpid():
        lock.release()
        raise FolderInUse(data_dir, state)
    return lock


def holder(data_dir: Path) -> dict[str, Any] | None:
    """The record of the simulator serving the folder (or spawned to), None if it is free.

    Call while `deciding`. A record left by a dead server is not a holder, whatever answers
    on its old port now.
    """
    try:
        lock = claim(data_dir)
    except FolderInUse as busy:
        return busy.state
    lock.release()
    return None


def _spawned_moments_ago(state: dict[str, Any]) -> bool:
    started = state.get("starting")
    if not isinstance(started, int | float) or time.time() - started > STARTUP_GRACE_SECONDS:
        return False
    try:
        return psutil.Process(int(state["pid"])).status() != psutil.STATUS_ZOMBIE
    except (psutil.Error, KeyError, ValueError, TypeError):
        return False
