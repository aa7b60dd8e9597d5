"""Sora video generation in Jupyter, with a faithful local simulator of the Videos API."""

from importlib.metadata import PackageNotFoundError, version

from .backend import connect
from .client import SoraClient
from .compare import Compare
from .errors import (
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
from .jobs import JobStatus, VideoJob
from .library import Library, LibraryEntry
from .pricing import estimate_cost
from .resume import resume
from .types import Video, VideoStatus
from .widget import SoraWidget

try:
    __version__ = version("sora-widget")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"

__all__ = [
    "Compare",
    "Library",
    "LibraryEntry",
    "SoraClient",
    "SoraWidget",
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
