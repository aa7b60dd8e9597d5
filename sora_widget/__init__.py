"""Sora video generation in Jupyter, with a faithful local simulator of the Videos API."""

from importlib.metadata import PackageNotFoundError, version

from sora_widget.core.errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    CompletedWithoutVideo,
    ConflictError,
    InsufficientCredits,
    InvalidRequestError,
    JobCancelled,
    JobTimeout,
    LibraryWriteError,
    ModerationBlocked,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    SoraError,
    UnexpectedContentError,
    UnsupportedFeature,
    VideoFailed,
)
from sora_widget.core.pricing import estimate_cost
from sora_widget.core.types import Video, VideoStatus
from sora_widget.engine.backend import connect
from sora_widget.engine.client import SoraClient
from sora_widget.engine.jobs import JobStatus, VideoJob
from sora_widget.engine.library import Library
from sora_widget.engine.resume import resume
from sora_widget.engine.storage import LibraryEntry
from sora_widget.ui.arena import Arena
from sora_widget.ui.compare import Compare
from sora_widget.ui.storyboard import Storyboard
from sora_widget.ui.widget import SoraWidget

try:
    __version__ = version("sora-widget")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"

__all__ = [
    "Arena",
    "Compare",
    "Library",
    "LibraryEntry",
    "SoraClient",
    "SoraWidget",
    "Storyboard",
    "VideoJob",
    "connect",
    "resume",
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "CompletedWithoutVideo",
    "ConflictError",
    "InsufficientCredits",
    "InvalidRequestError",
    "JobCancelled",
    "JobStatus",
    "JobTimeout",
    "LibraryWriteError",
    "ModerationBlocked",
    "NotFoundError",
    "UnexpectedContentError",
    "PermissionDeniedError",
    "RateLimitError",
    "ServerError",
    "SoraError",
    "UnsupportedFeature",
    "Video",
    "VideoFailed",
    "VideoStatus",
    "estimate_cost",
]
