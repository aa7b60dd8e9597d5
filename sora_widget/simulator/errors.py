"""Error responses: OpenAI's `{"error": {"message", "type", "param", "code"}}`, and OpenRouter's
`{"error": {"code", "message", "metadata"}}` (its profile)."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

from sora_widget.core.errors import InvalidRequestError


class SimulatorHTTPError(Exception):
    """Raised by a route to answer with an error body; caught by the app, never a 500."""

    def __init__(
        self,
        status_code: int,
        message: str,
        *,
        param: str | None = None,
        code: str | int | None = None,
        type: str = "invalid_request_error",
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        self.param = param
        self.code = code
        self.type = type
        self.headers = headers or {}

    @classmethod
    def from_invalid(cls, error: InvalidRequestError) -> SimulatorHTTPError:
        return cls(400, error.message, param=error.param, code=error.code)

    def response(self) -> JSONResponse:
        return error_response(
            self.status_code,
            self.message,
            param=self.param,
            code=self.code,
            type=self.type,
            headers=self.headers,
        )


def error_response(
    status_code: int,
    message: str,
    *,
    param: str | None = None,
    code: str | int | None = None,
    type: str = "invalid_request_error",
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """`code` is a string on OpenAI's API; vLLM's servers send the HTTP status as a number."""
    body = {"error": {"message": message, "type": type, "param": param, "code": code}}
    return JSONResponse(body, status_code=status_code, headers=headers)


class OpenRouterError(SimulatorHTTPError):
    """An error in OpenRouter's envelope; `metadata` is its `error.metadata` (moderation's
    reasons, say), left out when None."""

    def __init__(
        self,
        status_code: int,
        message: str,
        *,
        metadata: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(status_code, message, code=status_code, headers=headers)
        self.metadata = metadata


def openrouter_response(error: SimulatorHTTPError) -> JSONResponse:
    """OpenRouter's error body, `{"error": {"code": <HTTP status>, "message", "metadata"?}}`,
    for any error a route raised (the OpenAI-shaped ones too: their message carries over)."""
    return openrouter_error_response(
        error.status_code,
        error.message,
        metadata=getattr(error, "metadata", None),
        headers=error.headers,
    )


def openrouter_error_response(
    status_code: int,
    message: str,
    *,
    metadata: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """The envelope of every error in OpenRouter's spec: `code` is the HTTP status."""
    error: dict[str, Any] = {"code": status_code, "message": message}
    if metadata is not None:
        error["metadata"] = metadata
    return JSONResponse({"error": error}, status_code=status_code, headers=headers)
