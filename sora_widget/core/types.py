"""The Videos API's shapes: the Video object, its enums and the allowed values.

Everything here mirrors `reference/openai-videos-openapi.yml`. Parsing is lenient on purpose:
the API may add fields or enum values at any time, and a client that rejects them would break
on a server it has never seen, so unknown fields are kept in `Video.extra` and unknown enum
values stay plain strings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class VideoStatus(StrEnum):
    QUEUED = "queued"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    FAILED = "failed"
    #: Final states some servers add (OpenRouter, LiteLLM's volcengine route): the video will
    #: never be finished, and is not the client's doing.
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    DELETED = "deleted"

    @classmethod
    def parse(cls, value: str) -> VideoStatus | str:
        """Map the wire value to the enum, whatever the server's spelling ("processing",
        "RUNNING", "IN_QUEUE", "pending", "canceled", ...). A value nobody knows stays a
        plain string, which a job treats as still running."""
        key = value.strip().lower().replace("-", "_").replace(" ", "_")
        try:
            return cls(_STATUS_ALIASES.get(key, key))
        except ValueError:
            return value


#: Other servers' words for the contract's states: what LiteLLM passes through from Runway,
#: fal, volcengine and others, OpenRouter's and New API's own.
_STATUS_ALIASES = {
    "processing": "in_progress",
    "running": "in_progress",
    "generating": "in_progress",
    "in_queue": "queued",
    "pending": "queued",
    "throttled": "queued",
    "submitted": "queued",
    "not_start": "queued",
    "unknown": "queued",
    "succeeded": "completed",
    "success": "completed",
    "failure": "failed",
    "error": "failed",
    "canceled": "cancelled",
}


class ContentVariant(StrEnum):
    VIDEO = "video"
    THUMBNAIL = "thumbnail"
    SPRITESHEET = "spritesheet"


TERMINAL_STATUSES = frozenset(
    {
        VideoStatus.COMPLETED,
        VideoStatus.FAILED,
        VideoStatus.CANCELLED,
        VideoStatus.EXPIRED,
        VideoStatus.DELETED,
    }
)
#: Final without a video, by the server's doing: the job ends failed, saying so.
ENDED_BY_SERVER = frozenset({VideoStatus.CANCELLED, VideoStatus.EXPIRED, VideoStatus.DELETED})

#: Sent by this package's simulator (its `openai` profile) on every answer, so a client that
#: reaches it by any address (`OPENAI_BASE_URL`, a classroom's shared one) knows it for one.
SIMULATOR_HEADER = "x-sora-widget-simulator"
DEFAULT_MODEL = "sora-2"
DEFAULT_SIZE = "720x1280"
DEFAULT_SECONDS = "4"
MAX_PROMPT_CHARS = 32_000

SECONDS_CHOICES = ("4", "8", "12")
EXTENSION_SECONDS_CHOICES = ("4", "8", "12", "16", "20")
#: Tiles per row of a spritesheet: the simulator's, and the guess for servers that do not say.
SPRITE_COLUMNS = 10


def parse_size(size: str) -> tuple[int, int]:
    """'720x1280' -> (720, 1280)."""
    width, _, height = size.partition("x")
    return int(width), int(height)


@dataclass(frozen=True)
class VideoError:
    code: str
    message: str


_KNOWN_FIELDS = (
    "id",
    "object",
    "model",
    "status",
    "progress",
    "created_at",
    "completed_at",
    "expires_at",
    "prompt",
    "size",
    "seconds",
    "remixed_from_video_id",
    "error",
)


@dataclass(frozen=True)
class Video:
    """A video job as the server last described it."""

    id: str
    model: str
    status: VideoStatus | str
    progress: int
    created_at: int
    size: str
    seconds: str
    prompt: str | None = None
    completed_at: int | None = None
    expires_at: int | None = None
    remixed_from_video_id: str | None = None
    error: VideoError | None = None
    object: str = "video"
    extra: dict[str, Any] = field(default_factory=dict)
    #: Whether `progress` is a percentage to trust: False when the server sent none, or a
    #: 0-1 fraction (a provider's raw value passed through), which `progress` then scales.
    progress_reported: bool = True

    @classmethod
    def from_dict(cls, data: dict[str, Any], asked: Mapping[str, Any] | None = None) -> Video:
        """The video as the server describes it; `asked` (what the create sent: prompt, model,
        size, seconds) stands in for what the server does not echo (OpenRouter, LiteLLM's Veo
        route, gateways), so a Seedance video is never recorded as a 4 s `sora-2` one."""
        if asked:
            data = {**{k: v for k, v in asked.items() if v is not None}, **_given(data)}
        error = data.get("error")
        progress, reported = _progress(data.get("progress"))
        return cls(
            id=str(data["id"]),
            object=str(data.get("object", "video")),
            model=str(data.get("model", DEFAULT_MODEL)),
            status=VideoStatus.parse(str(data.get("status", "queued"))),
            progress=progress,
            created_at=int(data.get("created_at") or 0),
            completed_at=data.get("completed_at"),
            expires_at=data.get("expires_at"),
            prompt=data.get("prompt"),
            size=str(data.get("size", DEFAULT_SIZE)),
            seconds=str(data.get("seconds", DEFAULT_SECONDS)),
            remixed_from_video_id=data.get("remixed_from_video_id"),
            error=_video_error(error, data.get("status")),
            extra={k: v for k, v in data.items() if k not in _KNOWN_FIELDS},
            progress_reported=reported,
        )

    def to_dict(self) -> dict[str, Any]:
        """The wire shape, unknown fields included, so nothing the server said is lost."""
        return {
            **self.extra,
            "id": self.id,
            "object": self.object,
            "model": self.model,
            "status": str(self.status),
            "progress": self.progress,
            "created_at": self.created_at,
            "completed_at": self.completed_at,
            "expires_at": self.expires_at,
            "prompt": self.prompt,
            "size": self.size,
            "seconds": self.seconds,
            "remixed_from_video_id": self.remixed_from_video_id,
            "error": (
                {"code": self.error.code, "message": self.error.message} if self.error else None
            ),
        }

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL_STATUSES


def _given(data: dict[str, Any]) -> dict[str, Any]:
    """The fields a server actually said something in (a null says nothing)."""
    return {key: value for key, value in data.items() if value is not None}


def _video_error(error: object, status: object) -> VideoError | None:
    """`{"code", "message"}` as the contract has it, or a bare string (OpenRouter's)."""
    if isinstance(error, dict):
        return VideoError(code=str(error.get("code", "")), message=str(error.get("message", "")))
    if isinstance(error, str) and error:
        return VideoError(code=str(status or "failed"), message=error)
    return None


def _progress(value: Any) -> tuple[int, bool]:
    """(percent, whether it is a real percentage) from the wire's `progress`.

    None or absent: 0, unreported. A float strictly between 0 and 1 is a fraction (Runway's 0-1
    through a proxy): scaled, but flagged. A value that is no number raises ValueError, which
    `_parse` reports as a body of an unexpected shape."""
    if value is None or value == "":
        return 0, False
    if isinstance(value, float) and 0 < value < 1:
        return int(value * 100), False
    return max(0, min(100, int(value))), True


@dataclass(frozen=True)
class Character:
    """A character made from a video, reusable across generations."""

    id: str | None
    name: str | None
    created_at: int

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Character:
        return cls(
            id=data.get("id"), name=data.get("name"), created_at=int(data.get("created_at") or 0)
        )
