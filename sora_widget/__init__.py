"""Sora video generation in Jupyter, with a faithful local simulator of the Videos API."""

from importlib.metadata import PackageNotFoundError, version

from .backend import connect
from .client import SoraClient
from .compare import Compare
from .errors import (
    APIConnectionError,
    APIError,
    AuthenticationError,
    BadRequestError,
    InvalidRequestError,
    ModerationBlocked,
    NotFoundError,
    RateLimitError,
    ServerError,
    SoraError,
    VideoFailed,
)
from .jobs import JobCancelled, JobStatus, VideoJob
from .library import Library
from .pricing import estimate_cost
from .types import Video, VideoStatus
from .widget import SoraWidget

try:
    __version__ = version("sora-widget")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"

__all__ = [
    "Compare",
    "Library",
    "SoraClient",
    "SoraWidget",
    "VideoJob",
    "connect",
    "APIConnectionError",
    "APIError",
    "AuthenticationError",
    "BadRequestError",
    "InvalidRequestError",
    "JobCancelled",
    "JobStatus",
    "ModerationBlocked",
    "NotFoundError",
    "RateLimitError",
    "ServerError",
    "SoraError",
    "Video",
    "VideoFailed",
    "VideoStatus",
    "estimate_cost",
]
