"""What the simulator refuses before any work: requests for another host, oversized bodies.

A web page can point a name it controls at 127.0.0.1 (DNS rebinding) and then read whatever
the simulator answers, everyone's prompts and videos included; refusing every `Host` but the
simulator's own, as Jupyter does, stops that. Bodies are counted as they stream in, so a
50 MB request is refused after its first bytes instead of being held in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from starlette.datastructures import Headers
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import SimulatorHTTPError, error_response

#: Names a browser uses for this machine; a port is allowed with each.
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")
#: JSON carries a prompt (at most 32,000 characters, each at worst a 12-byte `\uXXXX\uXXXX`
#: escape: 384 kB) and a few short fields; no upload is ever sent as JSON.
MAX_JSON_BYTES = 512 * 1024
#: A create request's form may carry a reference image of up to 20 MiB (as a file, or as a
#: data URL of up to 20 MiB characters, as the spec allows), plus the prompt and short fields.
MAX_IMAGE_FORM_BYTES = 21 * 1024 * 1024
#: Edits, extensions and characters upload a video. The API documents no limit; 100 MiB is
#: several times the longest, largest clip Sora makes, and still bounded.
MAX_VIDEO_FORM_BYTES = 100 * 1024 * 1024
#: OpenRouter's create carries its images (first and last frames, references) inside the
#: JSON as data URLs: room for a few 20 MiB images, base64-encoded.
MAX_IMAGE_JSON_BYTES = 100 * 1024 * 1024
#: Forms with a reference image: the others upload a video.
_IMAGE_FORM_PATHS = ("/v1/videos",)
#: JSON bodies with images inside.
_IMAGE_JSON_PATHS = ("/api/v1/videos",)
_FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
#: Set in the scope once the host check let a request through.
_ADMITTED = "sora_simulator.host_admitted"


def allowed_hosts(extra: Sequence[str]) -> list[str]:
    """Loopback names plus `extra`, IPv6 addresses bracketed as they appear in `Host`."""
    hosts = [*LOOPBACK_HOSTS]
    for host in extra:
        hosts.append(f"[{host}]" if ":" in host and not host.startswith("[") else host)
    return hosts


class HostCheck:
    """Starlette's `TrustedHostMiddleware`, answering a refused host in the API's error shape."""

    def __init__(self, app: ASGIApp, hosts: Sequence[str]) -> None:
        self.app = app
        self.check = TrustedHostMiddleware(self._admitted, allowed_hosts=hosts, www_redirect=False)

    async def _admitted(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope[_ADMITTED] = True
        await self.app(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def refuse_in_api_shape(message: Message) -> None:
            if scope.get(_ADMITTED):
                await send(message)
            elif message["type"] == "http.response.start":
                host = Headers(scope=scope).get("host", "")[:100]
                refusal = error_response(
                    400,
                    f"This simulator does not answer requests for host {host!r}: address it as "
                    "127.0.0.1 or localhost, or start it with --allow-host.",
                    code="invalid_host",
                )
                await refusal(scope, receive, send)

        await self.check(scope, receive, refuse_in_api_shape)


def body_limit(scope: Scope) -> int:
    """The largest body this request may have, by its content type and route."""
    content_type = Headers(scope=scope).get("content-type", "").split(";")[0].strip().lower()
    if content_type not in _FORM_TYPES:
        if scope["path"].rstrip("/") in _IMAGE_JSON_PATHS:
            return MAX_IMAGE_JSON_BYTES
        return MAX_JSON_BYTES  # JSON, or a type the routes refuse once they have read it
    if scope["path"].rstrip("/") in _IMAGE_FORM_PATHS:
        return MAX_IMAGE_FORM_BYTES
    return MAX_VIDEO_FORM_BYTES


def _too_large(limit: int) -> SimulatorHTTPError:
    size = f"{limit // 2**20} MiB" if limit >= 2**20 else f"{limit // 2**10} KiB"
    return SimulatorHTTPError(
        413,
        f"The request body is larger than this endpoint accepts ({size}).",
        code="request_too_large",
    )


class BodyLimit:
    """Refuses a body over `body_limit`: by Content-Length before reading any of it, else by
    counting the chunks as the route reads them (it answers the 413 raised from `receive`)."""

    def __init__(
        self,
        app: ASGIApp,
        answer: Callable[[SimulatorHTTPError], ASGIApp] = SimulatorHTTPError.response,
    ) -> None:
        self.app = app
        #: Writes the 413 in the API's shape (the routes write the ones raised while reading).
        self.answer = answer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = body_limit(scope)
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await self.answer(_too_large(limit))(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _too_large(limit)
            return message

        await self.app(scope, counted, send)
