"""OpenAI-shaped error responses: `{"error": {"message", "type", "param", "code"}}`."""

from __future__ import annotations

from starlette.responses import JSONResponse

from ..errors import InvalidRequestError


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
