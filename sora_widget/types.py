"""The Videos API's shapes: the Video object, its enums and the allowed values.

Everything here mirrors `reference/openai-videos-openapi.yml`. Parsing is lenient on purpose:
the API may add fields or enum values at any time, and a client that rejects them would break
on a server it has never seen, so unknown fields are kept in `Video.extra` and unknown enum
values stay plain strings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class VideoStatus(StrEnum):
    QUEUED = "queued"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    FAILED = "failed"

    @classmethod
    def parse(cls, value: str) -> VideoStatus | str:
        """Map the wire value to the enum; "processing" (older texts) means in_progress."""
        if value == "processing":
            return cls.IN_PROGRESS
        try:
            return cls(value)
        except ValueError:
            return value


class ContentVariant(StrEnum):
    VIDEO = "video"
    THUMBNAIL = "thumbnail"
    SPRITESHEET = "spritesheet"


TERMINAL_STATUSES = frozenset({VideoStatus.COMPLETED, VideoStatus.FAILED})

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

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Video:
        error = data.get("error")
        return cls(
            id=str(data["id"]),
            object=str(data.get("object", "video")),
            model=str(data.get("model", DEFAULT_MODEL)),
            status=VideoStatus.parse(str(data.get("status", "queued"))),
            progress=int(data.get("progress") or 0),
            created_at=int(data.get("created_at") or 0),
            completed_at=data.get("completed_at"),
            expires_at=data.get("expires_at"),
            prompt=data.get("prompt"),
            size=str(data.get("size", DEFAULT_SIZE)),
            seconds=str(data.get("seconds", DEFAULT_SECONDS)),
            remixed_from_video_id=data.get("remixed_from_video_id"),
            error=(
                VideoError(code=str(error.get("code", "")), message=str(error.get("message", "")))
                if isinstance(error, dict)
                else None
            ),
            extra={k: v for k, v in data.items() if k not in _KNOWN_FIELDS},
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
