"""What stands between a request and the API: the key check, the rate limit, injected faults.

A pure ASGI middleware, so faults look to a client exactly as they would over a real network:
a 503 arrives before any work is done, while a dropped connection happens *after* the server
acted, which is the case that tempts clients into creating a video twice.
"""

from __future__ import annotations

import hmac
import random
import secrets
from collections import defaultdict, deque
from collections.abc import Callable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .config import SimulatorConfig
from .errors import error_response

API_PREFIX = "/v1/"


def _presented_key(scope: Scope) -> str | None:
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
    authorization = headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        return authorization[7:].strip() or None
    return headers.get("api-key", "").strip() or None


class Gate:
    def __init__(self, app: ASGIApp, config: SimulatorConfig, clock: Callable[[], float]) -> None:
        self.app = app
        self.config = config
        self.clock = clock
        self.faults = config.faults
        self.random = random.Random(config.faults.seed)
        self._recent: dict[str, deque[float]] = defaultdict(deque)

    def _roll(self, rate: float) -> bool:
        return rate > 0 and self.random.random() < rate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return
        request_id = f"req_{secrets.token_hex(12)}"
        send = _with_request_id(send, request_id)
        refusal = self._refusal(scope)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        if self._roll(self.faults.drop_rate):
            await self.app(scope, receive, _dropping(send))
            return
        scope.setdefault("state", {})["truncate"] = self._roll(self.faults.truncate_rate)
        await self.app(scope, receive, send)

    def _refusal(self, scope: Scope) -> Any:
        key = _presented_key(scope)
        if key is None:
            return error_response(
                401,
                "You didn't provide an API key. Send it as 'Authorization: Bearer <key>'.",
                code="missing_api_key",
            )
        expected = self.config.api_key
        if expected is not None and not hmac.compare_digest(key.encode(), expected.encode()):
            return error_response(401, "Incorrect API key provided.", code="invalid_api_key")
        limit = self.faults.rate_limit_per_minute
        if limit:
            retry_after = self._rate_limited(key, limit)
            if retry_after is not None:
                return error_response(
                    429,
                    f"Rate limit reached: {limit} requests per "
                    f"{self.faults.rate_limit_window_seconds:g} s. "
                    f"Please try again in {retry_after:.1f}s.",
                    type="requests",
                    code="rate_limit_exceeded",
                    headers={
                        "retry-after": str(max(1, round(retry_after))),
                        "retry-after-ms": str(int(retry_after * 1000)),
                    },
                )
        if self._roll(self.faults.server_error_rate):
            return error_response(
                500,
                "The server had an error while processing your request. Sorry about that!",
                type="server_error",
                code="server_error",
            )
        if self._roll(self.faults.unavailable_rate):
            return error_response(
                503,
                "The server is overloaded or not ready yet.",
                type="server_error",
                code="service_unavailable",
                headers={"retry-after": "1"},
            )
        return None

    def _rate_limited(self, key: str, limit: int) -> float | None:
        """Sliding window per key; returns seconds to wait, or None when the request may pass."""
        now = self.clock()
        window = self._recent[key]
        span = self.faults.rate_limit_window_seconds
        while window and window[0] <= now - span:
            window.popleft()
        if len(window) >= limit:
            return window[0] + span - now
        window.append(now)
        return None


def _with_request_id(send: Send, request_id: str) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = [
                *message.get("headers", []),
                (b"x-request-id", request_id.encode()),
            ]
        await send(message)

    return wrapped


def _dropping(send: Send) -> Send:
    """Send the headers, then end the body early: the client sees the connection drop."""

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            await send(message)
        elif message["type"] == "http.response.body" and not message.get("more_body", False):
            await send({"type": "http.response.body", "body": b"", "more_body": False})

    return wrapped
