"""At most a few trait updates per second, however often jobs report.

The Jupyter server drops IOPub messages past its rate limit, and a browser gains nothing from
more than a few progress repaints a second; status changes still go out at once (`now`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

#: Progress reaches the browser a few times per second at most.
MIN_UPDATE_INTERVAL = 0.25


class Throttle:
    """Runs `push` at most once per `interval` seconds; a call in between is deferred, once."""

    def __init__(self, push: Callable[[], None], interval: float = MIN_UPDATE_INTERVAL) -> None:
        self._push = push
        self._interval = interval
        self._last = 0.0
        self._pending: asyncio.TimerHandle | None = None

    def soon(self) -> None:
        wait = self._interval - (time.monotonic() - self._last)
        if wait <= 0:
            self.now()
        elif self._pending is None:
            self._pending = asyncio.get_running_loop().call_later(wait, self.now)

    def now(self) -> None:
        self.cancel()
        self._last = time.monotonic()
        self._push()

    def cancel(self) -> None:
        """Drop a deferred push (its timer would keep the pushing object alive until it fires)."""
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
