"""What both sides of the wire agree on: the statuses a panel shows and the error kinds, with
the labels and titles the browser puts on them, and the limits of an upload from the browser.

Python is their one source: `python -m sora_widget.core.shared_json` writes them to
js/shared.json, which the front end imports (esbuild bundles it); a test fails while it is stale.
"""

from __future__ import annotations

from enum import StrEnum


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

#: No message from the browser may be larger (JSON text, in bytes): below Colab's limit
#: (jupyter-widgets/ipywidgets#3452).
MAX_MESSAGE_BYTES = 1_000_000
#: Raw bytes per piece of an upload: 512 KiB is about 700 kB of base64, under the message limit.
CHUNK_BYTES = 512 * 1024
#: The largest binary value the browser sends at all (a reference image, shrunk to fit).
MAX_UPLOAD_BYTES = 8 * 1024 * 1024
