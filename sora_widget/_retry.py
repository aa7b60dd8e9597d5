"""When to try a request again, and how long to wait first.

Reads and deletes are safe to repeat. A create is not: every duplicate is a paid video. So a
create is repeated only when the server provably never acted on it: the connection was never
made, or the server refused the request outright (429, 503).
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

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


@dataclass(frozen=True)
class RetryNotice:
    """Told to `SoraClient.on_retry` listeners, so a UI can say "retrying in 12 s"."""

    method: str
    path: str
    #: The HTTP status that caused the retry, or None for a connection error.
    status_code: int | None
    delay: float
    attempt: int


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 3
    initial_delay: float = 0.5
    max_delay: float = 8.0
    #: A server asking for a longer pause than this gets this; the caller may retry later.
    max_retry_after: float = MAX_RETRY_AFTER

    def may_retry_error(self, error: Exception, creating: bool) -> bool:
        return isinstance(error, NEVER_SENT if creating else TRANSIENT)

    def may_retry_status(self, status_code: int, creating: bool) -> bool:
        if creating:
            return status_code in REFUSED_STATUSES
        return status_code in RETRY_STATUSES or status_code >= 500

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
