"""One event loop per thread for the blocking calls of plain scripts (`VideoJob.wait()`).

A client's connection pool belongs to the loop it first ran on. `asyncio.run` per call would
close that loop, and the next call on the same client would reuse a connection bound to it;
so each thread runs all its blocking calls on one loop of its own, closed when Python exits.
"""

from __future__ import annotations

import asyncio
import atexit
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

_LOCAL = threading.local()


def run_blocking(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run `coroutine` to its end on this thread's loop (there must be no loop running here)."""
    runner: asyncio.Runner | None = getattr(_LOCAL, "runner", None)
    if runner is None:
        runner = _LOCAL.runner = asyncio.Runner()
        atexit.register(runner.close)
    return runner.run(coroutine)
