"""Running browser actions on the kernel's own event loop.

JupyterLab 4.4+ with ipykernel 7 delivers widget messages on a kernel *subshell*: another
thread with another event loop. Jobs, their poller and their timers live on the loop of the
shell that created the widget, so a click handled on the subshell's loop would touch them from
the wrong thread ("... is bound to a different event loop"). Handlers are therefore handed back
to the loop that was running when the widget was created.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

Handler = Callable[[Any, Any, list[bytes]], None]


def on_creating_loop(handler: Handler) -> Handler:
    """`handler`, made to run on the event loop running now (if any), whichever thread calls it."""
    try:
        home = asyncio.get_running_loop()
    except RuntimeError:
        return handler  # a plain script: messages arrive on the only thread there is

    def dispatch(widget: Any, content: Any, buffers: list[bytes]) -> None:
        try:
            here = asyncio.get_running_loop()
        except RuntimeError:
            here = None
        if here is home:
            handler(widget, content, buffers)
        else:
            home.call_soon_threadsafe(handler, widget, content, buffers)

    return dispatch
