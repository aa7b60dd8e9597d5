"""Fire-and-forget asyncio tasks that are not garbage-collected halfway.

The event loop keeps only weak references to its tasks: a job's task that nobody awaits (the
usual case in a notebook) could vanish mid-flight without a strong reference somewhere.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Coroutine
from typing import Any

_TASKS: set[asyncio.Task[Any]] = set()


def spawn(
    coroutine: Coroutine[Any, Any, Any], context: contextvars.Context | None = None
) -> asyncio.Task[Any]:
    """Run `coroutine` as a task on the running loop (in `context`, default a copy of the
    current one), kept alive until it ends."""
    task = asyncio.get_running_loop().create_task(coroutine, context=context)
    _TASKS.add(task)
    task.add_done_callback(_TASKS.discard)
    return task
