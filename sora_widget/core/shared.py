"""The words both sides of the wire use: the statuses a panel shows and the error kinds, with
the labels and titles the browser puts on them.

Python is their one source: `python -m sora_widget.core.shared` writes them to js/shared.json,
which the front end imports (esbuild bundles it), and a test fails while that file is stale.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path


class ShownStatus(StrEnum):
    """A job's status as the panel shows it (the `status` of the `job` trait and of a cell)."""

    IDLE = "idle"
    #: A Compare cell whose remix waits for its source.
    WAITING = "waiting"
    QUEUED = "queued"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


#: The badge's words; idle and waiting show none.
STATUS_LABELS: dict[ShownStatus, str] = {
    ShownStatus.IDLE: "",
    ShownStatus.WAITING: "",
    ShownStatus.QUEUED: "Queued",
    ShownStatus.IN_PROGRESS: "In progress",
    ShownStatus.COMPLETED: "Completed",
    ShownStatus.FAILED: "Failed",
    ShownStatus.CANCELLED: "Cancelled",
}

#: A job in one of these is still being made: Cancel shows, the clock ticks.
RUNNING: tuple[ShownStatus, ...] = (ShownStatus.QUEUED, ShownStatus.IN_PROGRESS)


class ErrorKind(StrEnum):
    """The `kind` of the `error` trait: which panel title, and whether Retry can help."""

    MODERATION = "moderation"
    RATE_LIMIT = "rate_limit"
    INVALID = "invalid"
    CONNECTION = "connection"
    AUTH = "auth"
    SERVER = "server"
    NOT_FOUND = "not_found"
    PERMISSION = "permission"
    CONFLICT = "conflict"
    CREDITS = "credits"
    REFUSED = "refused"
    FAILED = "failed"
    NO_VIDEO = "no_video"
    TIMEOUT = "timeout"
    CANCELLED = "cancelled"
    UNSUPPORTED = "unsupported"


#: The error panel's heading for each kind.
ERROR_TITLES: dict[ErrorKind, str] = {
    ErrorKind.MODERATION: "Blocked by moderation",
    ErrorKind.RATE_LIMIT: "Rate limited",
    ErrorKind.INVALID: "Invalid request",
    ErrorKind.CONNECTION: "Can't reach the server",
    ErrorKind.AUTH: "Not authorised",
    ErrorKind.SERVER: "Server error",
    ErrorKind.NOT_FOUND: "Not found",
    ErrorKind.PERMISSION: "Permission denied",
    ErrorKind.CONFLICT: "Not ready yet",
    ErrorKind.CREDITS: "Not enough credits",
    ErrorKind.REFUSED: "Request refused",
    ErrorKind.FAILED: "Generation failed",
    ErrorKind.NO_VIDEO: "Completed without a video",
    ErrorKind.TIMEOUT: "Timed out",
    ErrorKind.CANCELLED: "Cancelled",
    ErrorKind.UNSUPPORTED: "Not supported by this server",
}

#: Kinds where sending the same request again can help: the panel offers Retry.
RETRYABLE: tuple[ErrorKind, ...] = (
    ErrorKind.FAILED,
    ErrorKind.CONNECTION,
    ErrorKind.TIMEOUT,
    ErrorKind.SERVER,
)

#: Where the front end reads them, beside its sources (not shipped in the wheel).
SHARED_JSON = Path(__file__).parents[2] / "js" / "shared.json"


def shared_json() -> str:
    """js/shared.json's text, as the generator writes it (compared by the test that keeps the
    committed file fresh)."""
    payload = {
        "//": "Written by `python -m sora_widget.core.shared` from sora_widget/core/shared.py.",
        "status_labels": {str(status): label for status, label in STATUS_LABELS.items()},
        "running": [str(status) for status in RUNNING],
        "error_titles": {str(kind): title for kind, title in ERROR_TITLES.items()},
        "retryable": [str(kind) for kind in RETRYABLE],
    }
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    """Write js/shared.json from this module."""
    SHARED_JSON.write_text(shared_json(), encoding="utf-8")


if __name__ == "__main__":
    main()
