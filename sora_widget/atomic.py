"""Files that appear whole or not at all.

A video is paid for, and its download link expires: a crash or a full disk halfway through a
write must leave the old file (or none), never half a new one that looks complete.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """A temporary path beside `target`; if the block succeeds it is fsynced and renamed over
    `target`, otherwise removed."""
    name = _new_file_beside(target)
    try:
        yield Path(name)
        fd = os.open(name, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(name, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name)


@contextlib.contextmanager
def atomic_file(target: Path, mode: str = "wb", **open_options: Any) -> Iterator[IO[Any]]:
    """`open(target, mode)`, written through `atomic_path`."""
    with atomic_path(target) as temp, open(temp, mode, **open_options) as file:
        yield file


def _new_file_beside(target: Path) -> str:
    """A new empty file beside `target`, with the mode `open` would give it (0666 less the
    umask): `tempfile.mkstemp` makes 0600, unreadable to a class sharing the library folder."""
    while True:
        name = str(target.parent / f".{target.name}.{secrets.token_hex(6)}.part")
        try:
            os.close(os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except FileExistsError:
            continue  # another writer's temporary file: draw another name
        return name
