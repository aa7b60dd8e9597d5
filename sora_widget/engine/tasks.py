"""Fire-and-forget asyncio tasks that are not garbage-collected halfway.

The event loop keeps only weak references to its tasks: a job's task that nobody awaits (the
usual case in a notebook) could vanish mid-flight without a strong reference somewhere.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

logger = logging.getLogger(__name__)
T = TypeVar("T")

_TASKS: set[asyncio.Task[Any]] = set()


def spawn(
    coroutine: Coroutine[Any, Any, Any], context: contextvars.Context | None = None
) -> asyncio.Task[Any]:
    """Run `coroutine` as a task on the running loop (in `context`, default a copy of the
    current one), kept alive until it ends. With no loop running, the coroutine is closed
    (so Python does not warn that it was never awaited) and RuntimeError is raised."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        coroutine.close()
        raise
    task = loop.create_task(coroutine, context=context)
    _TASKS.add(task)
    task.add_done_callback(_TASKS.discard)
    return task


def off_loop(work: Callable[[], T], then: Callable[[T], object]) -> asyncio.Task[Any] | None:
    """Run blocking `work` (reading a file, probing a video) in a worker thread, then hand its
    result to `then` on the loop; for call sites that cannot await (trait observers, job
    callbacks). With no loop running (a plain script) both run here and now, and None is
    returned; otherwise the task, for whoever wants to wait for it. A failure is logged."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        then(work())
        return None

    async def run() -> None:
        try:
            then(await asyncio.to_thread(work))
        except Exception:
            logger.exception("Reading %r in the background failed", work)

    return spawn(run())
