"""Sora video generation in Jupyter, with a faithful local simulator of the Videos API."""

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
from .pricing import estimate_cost
from .types import Video, VideoStatus

__all__ = [
    "APIConnectionError",
    "APIError",
    "AuthenticationError",
    "BadRequestError",
    "InvalidRequestError",
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
