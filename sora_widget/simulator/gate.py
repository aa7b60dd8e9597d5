"""What stands between a request and the API: the key check, the rate limit, injected faults.

A pure ASGI middleware, so faults look to a client exactly as they would over a real network:
a 503 arrives before any work is done, while a dropped connection happens *after* the server
acted, which is the case that tempts clients into creating a video twice.

A dropped connection or a truncated download is a response cut short. Over a real socket the
cut response never sends its final message, so the server closes the connection right after
the partial body, and `QuietCuts` keeps the server from logging that as an error. (Ending the
body short of its Content-Length instead makes uvicorn raise and log a traceback before it
closes the connection; with stderr on a pipe nobody reads, those writes soon block the whole
server, leaving the cut connection open until the client times out.) In-process there is no
connection: `httpx.ASGITransport` needs every response to end, so the body ends short.
"""

from __future__ import annotations

import hmac
import logging
import random
import secrets
from collections import defaultdict, deque
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, NamedTuple
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .config import SimulatorConfig
from .errors import error_response

#: The Videos API, and the Veo API (see `veo`): every request under them passes the gate
#: (another API shape names its own, see `Door`).
API_PREFIXES = ("/v1/", "/v1beta/")

#: True in the task serving a request whose connection the gate cut on purpose.
_CUT_ON_PURPOSE: ContextVar[bool] = ContextVar("sora_simulator_cut_on_purpose", default=False)


class Refusal(NamedTuple):
    """Why the gate turns a request away; a `Door` words it in its API's shape."""

    status: int
    code: str
    #: OpenAI's words for it.
    message: str
    type: str = "invalid_request_error"
    headers: dict[str, str] | None = None


def openai_refusal(refusal: Refusal, scope: Scope) -> ASGIApp:
    """OpenAI's error body (also what the other OpenAI-shaped servers send)."""
    return error_response(
        refusal.status,
        refusal.message,
        type=refusal.type,
        code=refusal.code,
        headers=refusal.headers,
    )


def _always_needs_a_key(scope: Scope) -> bool:
    return True


@dataclass(frozen=True)
class Door:
    """How one API shape is guarded: the paths under it, which requests come without a key
    (a public model list, a signed download link), and how a refusal reads."""

    prefixes: tuple[str, ...] = API_PREFIXES
    needs_key: Callable[[Scope], bool] = _always_needs_a_key
    refuse: Callable[[Refusal, Scope], ASGIApp] = openai_refusal


def presented_key(scope: Scope) -> str | None:
    """OpenAI's bearer token, Azure's `api-key`, or Google's `x-goog-api-key` or `?key=`."""
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
    authorization = headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        return authorization[7:].strip() or None
    for name in ("api-key", "x-goog-api-key"):
        if headers.get(name, "").strip():
            return headers[name].strip()
    if scope["path"].startswith("/v1beta/"):
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        return (query.get("key") or [""])[0].strip() or None
    return None


class QuietCuts(logging.Filter):
    """Drops what the server logs about a response the gate cut on purpose ("ASGI callable
    returned without completing response"): an injected fault is not a server error, and one
    log line per fault would fill the log, or block on a pipe nobody reads."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not _CUT_ON_PURPOSE.get()


class Gate:
    def __init__(
        self,
        app: ASGIApp,
        config: SimulatorConfig,
        clock: Callable[[], float],
        cut_connections: bool = False,
        door: Door | None = None,
    ) -> None:
        self.app = app
        self.door = door or Door()
        self.config = config
        self.clock = clock
        self.cut_connections = cut_connections
        self.faults = config.faults
        self.random = random.Random(config.faults.seed)
        self._recent: dict[str, deque[float]] = defaultdict(deque)

    def _roll(self, rate: float) -> bool:
        return rate > 0 and self.random.random() < rate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.door.prefixes):
            await self.app(scope, receive, send)
            return
        request_id = f"req_{secrets.token_hex(12)}"
        send = _with_request_id(send, request_id)
        refusal = self._refusal(scope)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        if self._roll(self.faults.drop_rate):
            await self._cut(scope, receive, send, _after_the_headers)
            return
        # Rolled for every request, so a seed gives the same faults as before downloads began.
        if self._roll(self.faults.truncate_rate) and _is_download(scope):
            await self._cut(scope, receive, send, _halfway_through_a_download)
            return
        await self.app(scope, receive, send)

    async def _cut(
        self, scope: Scope, receive: Receive, send: Send, limit: Callable[[Message], int | None]
    ) -> None:
        cutter = _Cutter(send, limit, self.cut_connections)
        await self.app(scope, receive, cutter.send)
        if cutter.cut and self.cut_connections:
            # Same task as the server's code that logs the unfinished response (see QuietCuts).
            _CUT_ON_PURPOSE.set(True)

    def _refusal(self, scope: Scope) -> Any:
        refusal = self._refused(scope)
        return self.door.refuse(refusal, scope) if refusal is not None else None

    def _refused(self, scope: Scope) -> Refusal | None:
        key = presented_key(scope)
        if self.door.needs_key(scope):
            if key is None:
                return Refusal(
                    401,
                    "missing_api_key",
                    "You didn't provide an API key. Send it as 'Authorization: Bearer <key>'.",
                )
            if not self._accepted(key):
                return Refusal(401, "invalid_api_key", "Incorrect API key provided.")
        limit = self.faults.rate_limit_per_minute
        if limit:
            retry_after = self._rate_limited(key or "", limit)
            if retry_after is not None:
                return Refusal(
                    429,
                    "rate_limit_exceeded",
                    f"Rate limit reached: {limit} requests per "
                    f"{self.faults.rate_limit_window_seconds:g} s. "
                    f"Please try again in {retry_after:.1f}s.",
                    type="requests",
                    headers={
                        "retry-after": str(max(1, round(retry_after))),
                        "retry-after-ms": str(int(retry_after * 1000)),
                    },
                )
        if self._roll(self.faults.server_error_rate):
            return Refusal(
                500,
                "server_error",
                "The server had an error while processing your request. Sorry about that!",
                type="server_error",
            )
        if self._roll(self.faults.unavailable_rate):
            return Refusal(
                503,
                "service_unavailable",
                "The server is overloaded or not ready yet.",
                type="server_error",
                headers={"retry-after": "1"},
            )
        return None

    def _accepted(self, key: str) -> bool:
        """A class's keys, else `api_key`, else any key; the teacher's key in each case."""
        teacher = [self.config.teacher_key] if self.config.teacher_key else []
        if self.config.class_keys:
            accepted = [*self.config.class_keys, *teacher]
        elif self.config.api_key is not None:
            accepted = [self.config.api_key, *teacher]
        else:
            return True
        # Every key compared, so the time taken says nothing about which one nearly matched.
        matches = [hmac.compare_digest(key.encode(), known.encode()) for known in accepted]
        return any(matches)

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


def _is_download(scope: Scope) -> bool:
    return scope["method"] == "GET" and scope["path"].endswith(("/content", ":download"))


def _after_the_headers(start: Message) -> int:
    return 0


def _halfway_through_a_download(start: Message) -> int | None:
    """Half the announced body of a successful download; errors and partial content pass."""
    if start["status"] != 200:
        return None
    for name, value in start.get("headers", []):
        if name.lower() == b"content-length" and value.isdigit():
            return int(value) // 2
    return None


class _Cutter:
    """Passes a response on until `limit(start message)` bytes of its body, then cuts it.

    With `close`, the cut response never sends its final message: the server then closes the
    connection after the partial body, as a broken network would. Without, the body simply
    ends there, short of its Content-Length. Whatever the app sends afterwards is lost.
    """

    def __init__(self, send: Send, limit: Callable[[Message], int | None], close: bool) -> None:
        self._send = send
        self._limit = limit
        self._close = close
        self._room: int | None = None
        self.cut = False

    async def send(self, message: Message) -> None:
        if self.cut:
            return
        if message["type"] == "http.response.start":
            self._room = self._limit(message)
        elif message["type"] == "http.response.body" and self._room is not None:
            body = message.get("body", b"")
            more_body = message.get("more_body", False)
            if len(body) > self._room or (len(body) == self._room and not more_body):
                self.cut = True
                part = bytes(body[: self._room])
                if not self._close:
                    await self._send({"type": "http.response.body", "body": part})
                elif part:
                    await self._send(
                        {"type": "http.response.body", "body": part, "more_body": True}
                    )
                return
            self._room -= len(body)
        await self._send(message)
