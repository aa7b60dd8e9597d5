"""Typed exceptions: one class per way a request or a job can go wrong.

Every message says what happened and what to do next. None of them ever includes the API key:
they are built only from the server's error body, the request id and our own words.
"""

from __future__ import annotations

from typing import Any


class SoraError(Exception):
    """Base class of every error this package raises on purpose."""


class InvalidRequestError(SoraError, ValueError):
    """Refused before sending: `param` names the field, the message lists what is allowed."""

    def __init__(self, param: str, message: str, code: str = "invalid_value") -> None:
        super().__init__(message)
        self.param = param
        self.message = message
        self.code = code


class APIError(SoraError):
    """The server answered with an error body `{"error": {message, type, param, code}}`."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        code: str | None = None,
        param: str | None = None,
        type: str | None = None,
        request_id: str | None = None,
        api_body: bool = True,
        metadata: dict[str, object] | None = None,
    ) -> None:
        super().__init__(message)
        #: The error body's `metadata` object where the server sends one (OpenRouter's
        #: moderation refusals: `reasons`, `flagged_input`, `provider_name`, `model_slug`).
        self.metadata = metadata or {}
        #: Whether the answer had the API's `{"error": {"message": ...}}` body: a route that
        #: does not exist answers without one (`{"detail": "Not Found"}`, HTML, nothing).
        self.api_body = api_body
        self.message = message
        self.status_code = status_code
        self.code = code
        self.param = param
        self.type = type
        self.request_id = request_id

    def __str__(self) -> str:
        where = f" (request id {self.request_id})" if self.request_id else ""
        return f"{self.status_code}: {self.message}{where}"


class BadRequestError(APIError):
    """400: the server refused a field; `param` names it."""


class AuthenticationError(APIError):
    """401: the key is missing or wrong. Set OPENAI_API_KEY, or unset it to use the simulator."""


class InsufficientCredits(APIError):
    """402: the key has not enough credits left for this generation (OpenRouter); nothing was
    made or charged. Add credits where the message says, or choose a cheaper setting."""


class PermissionDeniedError(APIError):
    """403: the key is valid but not allowed to use this model or endpoint."""


class NotFoundError(APIError):
    """404: no video or character with that id (deleted, expired, or on another project)."""


class ConflictError(APIError):
    """409: the video is not in a state that allows this (e.g. content before completion)."""


class RateLimitError(APIError):
    """429: too many requests; `retry_after` is the server's hint in seconds, if it gave one."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class UnsupportedFeature(APIError):
    """The server has no such endpoint (it answered as a missing route, or did so before):
    `feature` names it ("list", "delete", "remix", "edits", "extensions"). Not retried; the
    client does not ask that server again."""

    def __init__(self, feature: str, message: str, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.feature = feature


class UnexpectedContentError(APIError):
    """A download answered 2xx with something other than the variant asked for (HTML, the MP4
    as a thumbnail); `sent` says what it was ("an HTML page (text/html)")."""

    def __init__(self, message: str, *, sent: str = "", **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.sent = sent


class ServerError(APIError):
    """5xx: the server failed; safe to retry reads, and creates only when refused (503)."""


class APIConnectionError(SoraError):
    """The server could not be reached or dropped the connection."""


class APITimeoutError(APIConnectionError):
    """No answer within the client's timeout."""


class VideoFailed(SoraError):
    """The job ended with status `failed`; `code` and `message` are the server's reason."""

    def __init__(self, video_id: str, code: str, message: str) -> None:
        super().__init__(f"Video {video_id} failed ({code}): {message}")
        self.video_id = video_id
        self.code = code
        self.message = message


class ModerationBlocked(VideoFailed):
    """The job was blocked by moderation: change the prompt or the reference image."""


class CompletedWithoutVideo(VideoFailed):
    """The server said the job completed, but sent no video for it (its content answered 404,
    nothing, or something that is no video): Veo does this when a safety filter removes the
    output. The job ends failed, and the library keeps its record (`Library.failures`)."""

    CODE = "completed_without_video"

    def __init__(self, video_id: str, why: str) -> None:
        super().__init__(
            video_id,
            self.CODE,
            f"It completed without a video: {why} The server removed it or never made it (a "
            "safety filter does this on Veo): change the prompt, then generate it again.",
        )
        self.why = why


class JobTimeout(SoraError):
    """The job did not finish within the overall timeout the caller set. `video_id` is the
    video still under way on the server (None before the server accepted it)."""

    def __init__(self, message: str, video_id: str | None = None) -> None:
        super().__init__(message)
        self.video_id = video_id


class JobCancelled(SoraError):
    """`await job` on a job that was cancelled with `job.cancel()`."""


class LibraryWriteError(SoraError, OSError):
    """The library folder could not be written: disk full, read-only, or not a folder."""


#: Errors that say "try again later", not "this will never work".
TRANSIENT_ERRORS = (APIConnectionError, RateLimitError, ServerError)

_STATUS_CLASSES: dict[int, type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    402: InsufficientCredits,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: BadRequestError,
    429: RateLimitError,
}


def error_class_for_status(status_code: int) -> type[APIError]:
    """The exception class an HTTP error status maps to."""
    if status_code >= 500:
        return ServerError
    return _STATUS_CLASSES.get(status_code, APIError)
