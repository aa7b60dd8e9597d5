"""When to try a request again, and how long to wait first.

Reads and deletes are safe to repeat. A create is not: every duplicate is a paid video. So a
create is repeated only when the server provably never acted on it: the connection was never
made, or the server refused the request outright (429, 503).
"""

from __future__ import annotations

import contextlib
import contextvars
import math
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Protocol

import httpx

#: The request never left this machine: safe to send again, even a create.
NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
#: Failures worth a second try for reads; the rest (bad URL, proxy setup) will not heal.
TRANSIENT = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
#: Besides every 5xx: a server timeout and a rate limit are worth waiting out for a read.
RETRY_STATUSES = frozenset({408, 429})
#: Statuses that mean "refused, nothing done": the only ones a create may be retried on.
REFUSED_STATUSES = frozenset({429, 503})
#: A server asking for a longer pause than this gets this, from the client and the poller alike.
MAX_RETRY_AFTER = 60.0


class RetryWatcher(Protocol):
    """A job, as far as retries go: told of the retries of the requests made for it."""

    def retried(self, notice: RetryNotice) -> None: ...


@dataclass(frozen=True)
class RetryNotice:
    """Told to `SoraClient.on_retry` listeners and to the jobs the request is for (`VideoJob.
    on_retry`), so a UI can say "retrying in 12 s" next to the job it holds up."""

    method: str
    path: str
    #: The HTTP status that caused the retry, or None for a connection error.
    status_code: int | None
    delay: float
    attempt: int
    #: The jobs the retried request is for; none for a request made outside any job.
    jobs: tuple[RetryWatcher, ...] = ()


#: The jobs the requests of this task are for. A task copies its creator's context, so a job's
#: task and the tasks it starts carry it; the shared poller sets it around each of its requests.
_REQUESTS_FOR: contextvars.ContextVar[tuple[RetryWatcher, ...]] = contextvars.ContextVar(
    "sora_widget_requests_for", default=()
)


def requesting_jobs() -> tuple[RetryWatcher, ...]:
    """The jobs the request being made now is for."""
    return _REQUESTS_FOR.get()


@contextlib.contextmanager
def requests_for(*jobs: RetryWatcher) -> Iterator[None]:
    """Within the block, requests are made for `jobs`: their retries are told to them only."""
    token = _REQUESTS_FOR.set(jobs)
    try:
        yield
    finally:
        _REQUESTS_FOR.reset(token)


def context_for(*jobs: RetryWatcher) -> contextvars.Context:
    """A context for a task whose requests are all for `jobs` (none: a task of its own)."""
    context = contextvars.copy_context()
    context.run(_REQUESTS_FOR.set, jobs)
    return context


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 3
    initial_delay: float = 0.5
    max_delay: float = 8.0
    #: A server asking for a longer pause than this gets this; the caller may retry later.
    max_retry_after: float = MAX_RETRY_AFTER
    #: A rate limit that says when to come back (429 with Retry-After) is an appointment, not
    #: a failure: it is waited out this many times more, beside `max_retries` for failures, so
    #: a class sharing one key sees its jobs wait instead of fail (`max_retries=0` turns every
    #: retry off, these waits included).
    max_rate_limit_waits: int = 8

    def may_retry_error(self, error: Exception, creating: bool) -> bool:
        return isinstance(error, NEVER_SENT if creating else TRANSIENT)

    def may_retry_status(self, status_code: int, creating: bool) -> bool:
        if creating:
            return status_code in REFUSED_STATUSES
        return status_code in RETRY_STATUSES or status_code >= 500

    def waits_out(self, status_code: int, retry_after: float | None, waits: int) -> bool:
        """Whether this answer is a rate limit to wait out without spending a retry."""
        if status_code != 429 or retry_after is None or self.max_retries == 0:
            return False
        return waits < self.max_rate_limit_waits

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number `attempt + 1`: the server's hint if it gave
        one, else exponential backoff with jitter so many clients do not retry in step."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_retry_after)
        backoff = min(self.max_delay, self.initial_delay * 2**attempt)
        return backoff * (1 - 0.25 * random.random())


def parse_retry_after(headers: httpx.Headers) -> float | None:
    """`retry-after-ms` (OpenAI's), else `retry-after` in seconds or as an HTTP date."""
    seconds = _number(headers.get("retry-after-ms"), scale=1000)
    if seconds is not None:
        return seconds
    value = headers.get("retry-after")
    seconds = _number(value)
    if seconds is not None or value is None:
        return seconds
    try:
        return parsedate_to_datetime(value).timestamp() - time.time()
    except (TypeError, ValueError):
        return None


def _number(value: str | None, scale: float = 1) -> float | None:
    try:
        number = float(value) / scale if value is not None else None
    except ValueError:
        return None
    return number if number is not None and math.isfinite(number) else None
