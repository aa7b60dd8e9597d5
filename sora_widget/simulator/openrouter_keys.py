"""OpenRouter's keys as the simulator keeps them: who pays for a job, what `GET /api/v1/key`
reports, and the signatures that let `urls` be downloaded without a key.

Keys themselves are never stored or shown: a job records its owner, the salted hash of the
key that created it (see `owners`), and `/key` shows a label with the key's ends only
(`sk-or-v1-abc...xyz`), as OpenRouter does. A key's usage is the sum of its own completed
jobs' costs, derived from the job records, so it survives a restart like the jobs themselves.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from .owners import folder_secret

OPENROUTER_PREFIX = "sk-or-v1-"
#: Characters of the key shown at each end of its label, at most.
LABEL_ENDS = 3
#: The rate limit `/key` reports (the SDK requires the object; OpenRouter marks it deprecated).
REPORTED_RATE_LIMIT = {"requests": -1, "interval": "10s", "note": "This field is deprecated."}
FREE_DAILY_REQUESTS = 1000
SECRET_FILE = "openrouter-url-signing.key"


def label(key: str) -> str:
    """The key as `/key` shows it: its prefix and a few characters of each end, never whole."""
    prefix = OPENROUTER_PREFIX if key.startswith(OPENROUTER_PREFIX) else ""
    body = key[len(prefix) :]
    ends = min(LABEL_ENDS, len(body) // 4)
    if ends == 0:
        return f"{prefix}..."
    return f"{prefix}{body[:ends]}...{body[-ends:]}"


def key_report(
    key: str, spent: Iterable[tuple[float, float]], limit: float | None, now: float
) -> dict[str, Any]:
    """The body of `GET /api/v1/key`: `spent` is (cost, completed at) of the key's completed
    jobs. Every field OpenRouter's SDK (1.3.84) requires is present."""
    spent = list(spent)
    today = datetime.fromtimestamp(now, UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    week = today - timedelta(days=today.weekday())
    month = today.replace(day=1)

    def since(start: datetime) -> float:
        return _usd(sum(cost for cost, at in spent if at >= start.timestamp()))

    usage = _usd(sum(cost for cost, _ in spent))
    return {
        "data": {
            "label": label(key),
            "limit": limit,
            "usage": usage,
            "limit_remaining": _usd(limit - usage) if limit is not None else None,
            "limit_reset": None,
            "include_byok_in_limit": False,
            "usage_daily": since(today),
            "usage_weekly": since(week),
            "usage_monthly": since(month),
            "byok_usage": 0.0,
            "byok_usage_daily": 0.0,
            "byok_usage_weekly": 0.0,
            "byok_usage_monthly": 0.0,
            "is_free_tier": False,
            "is_provisioning_key": False,
            "is_management_key": False,
            "allowed_data_regions": ["global"],
            "budgets": [],
            "effective_budget": None,
            "creator_user_id": None,
            "organization_id": None,
            "workspace_id": None,
            "free_model_daily_requests": {
                "limit": FREE_DAILY_REQUESTS,
                "remaining": FREE_DAILY_REQUESTS,
                "used": 0,
            },
            "rate_limit": dict(REPORTED_RATE_LIMIT),
        }
    }


def _usd(amount: float) -> float:
    return float(round(amount, 6))


class Signer:
    """Signs download links (`sig` = HMAC-SHA256 of job id, index and expiry) with a secret
    kept in the data folder, so links handed out before a restart still work after it."""

    def __init__(self, data_dir: Path) -> None:
        self._secret = folder_secret(Path(data_dir) / SECRET_FILE)

    def sign(self, job_id: str, index: int, expires: int) -> str:
        message = f"{job_id}\n{index}\n{expires}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def verify(self, job_id: str, index: int, expires: str, signature: str) -> bool:
        """True when `signature` is this server's for exactly this job, index and expiry."""
        if not expires.isdigit():
            return False
        return hmac.compare_digest(self.sign(job_id, index, int(expires)), signature)
