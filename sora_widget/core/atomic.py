"""Files that appear whole or not at all.

A video is paid for, and its download link expires: a crash or a full disk halfway through a
write must leave the old file (or none), never half a new one that looks complete.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import sys
from collections.abc import AsyncIterator, Iterator
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


#: Chunks are gathered up to this size before a worker thread writes them: a thread hop per
#: network chunk (often 4 to 64 KiB) would cost more than the write it saves the loop.
WRITE_BATCH = 1024 * 1024


class AsyncWriter:
    """A file opened by `atomic_stream`: writes go to a worker thread, batched."""

    def __init__(self, file: IO[bytes]) -> None:
        self._file = file
        self._pending: list[bytes] = []
        self._pending_size = 0
        self._written = 0

    async def write(self, chunk: bytes) -> None:
        self._pending.append(chunk)
        self._pending_size += len(chunk)
        if self._pending_size >= WRITE_BATCH:
            await self.flush()

    async def flush(self) -> None:
        if self._pending:
            data = b"".join(self._pending)
            self._pending, self._pending_size = [], 0
            await asyncio.to_thread(self._file.write, data)
            self._written += len(data)

    def tell(self) -> int:
        """Bytes written so far, batched ones included."""
        return self._written + self._pending_size


@contextlib.asynccontextmanager
async def atomic_stream(target: Path) -> AsyncIterator[AsyncWriter]:
    """`atomic_file(target)` for a coroutine: opening, writing, fsync and rename all happen in
    worker threads, so a download never stalls the event loop (a Jupyter kernel's, say)."""
    context = atomic_file(target)
    file = await asyncio.to_thread(context.__enter__)
    try:
        writer = AsyncWriter(file)
        yield writer
        await writer.flush()
    except BaseException:
        # Closing and removing the temporary file is quick, and must happen even when the
        # task is being cancelled, so it is done here rather than awaited in a thread.
        if not context.__exit__(*sys.exc_info()):
            raise
    else:
        await asyncio.to_thread(context.__exit__, None, None, None)
