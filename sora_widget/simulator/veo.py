"""Google's Veo API as the Gemini API serves it, enough for LiteLLM's `gemini/` route.

LiteLLM maps the Videos API onto Veo (see its `llms/gemini/videos/transformation.py`): a create
is `POST {api_base}/v1beta/models/{model}:predictLongRunning`, which answers an operation; the
operation is polled at `GET {api_base}/v1beta/{operation name}` until `done`, and the video is
fetched from the URI in `response.generateVideoResponse.generatedSamples[0].video.uri`, with
the key in an `x-goog-api-key` header. The jobs behind these routes are ordinary simulator
jobs, so LiteLLM's real Veo mapping runs end to end offline, with no Google account.
"""

from __future__ import annotations

from typing import Any, Protocol

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from sora_widget.core.types import ContentVariant, VideoStatus

from .errors import SimulatorHTTPError
from .owners import Owners
from .requests import read_fields
from .store import CONTENT_TYPES, Store, VideoRecord

#: Veo's frames by aspect ratio and resolution; 720p when no resolution is asked for.
SIZES = {
    ("16:9", "720p"): "1280x720",
    ("9:16", "720p"): "720x1280",
    ("16:9", "1080p"): "1920x1080",
    ("9:16", "1080p"): "1080x1920",
}
DEFAULT_ASPECT_RATIO = "16:9"
DEFAULT_RESOLUTION = "720p"
DEFAULT_DURATION_SECONDS = 8
#: How Google names an HTTP status in its error bodies.
GOOGLE_STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
}
#: The RPC code of a failed operation's `error` (3 INVALID_ARGUMENT, 13 INTERNAL).
FAILURE_RPC_CODES = {"moderation_blocked": 3}
INTERNAL_RPC_CODE = 13
RESPONSE_TYPE = "type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse"


class Jobs(Protocol):
    """What the Veo routes use of the simulator (`app.Simulator`, which mounts them)."""

    store: Store
    owners: Owners

    def create_job(
        self, *, model: object, prompt: object, size: object, seconds: object, owner: str | None
    ) -> VideoRecord: ...

    def find(self, video_id: str, owner: str | None) -> VideoRecord: ...

    def video_json(self, record: VideoRecord) -> dict[str, Any]: ...


def google_error(error: SimulatorHTTPError) -> Response:
    """Google's error body, `{"error": {"code", "message", "status"}}`, which LiteLLM relays."""
    status = GOOGLE_STATUS.get(error.status_code, "INTERNAL")
    body = {"error": {"code": error.status_code, "message": error.message, "status": status}}
    return JSONResponse(body, status_code=error.status_code, headers=error.headers)


class Veo:
    """The three Veo routes LiteLLM calls, on the simulator's jobs."""

    def __init__(self, jobs: Jobs) -> None:
        self.jobs = jobs

    async def predict(self, request: Request) -> Response:
        body = await read_fields(request)
        instances = body.get("instances")
        if not isinstance(instances, list) or len(instances) != 1:
            raise _invalid("'instances' must be a list of exactly one instance.")
        instance = instances[0]
        prompt = instance.get("prompt") if isinstance(instance, dict) else None
        parameters = body.get("parameters") or {}
        if not isinstance(parameters, dict):
            raise _invalid("'parameters' must be an object.")
        aspect = parameters.get("aspectRatio", DEFAULT_ASPECT_RATIO)
        resolution = parameters.get("resolution", DEFAULT_RESOLUTION)
        size = SIZES.get((aspect, resolution))
        if size is None:
            raise _invalid(
                f"Unsupported aspectRatio {str(aspect)[:20]!r} with resolution "
                f"{str(resolution)[:20]!r}: use '16:9' or '9:16', and '720p' or '1080p'."
            )
        seconds = parameters.get("durationSeconds", DEFAULT_DURATION_SECONDS)
        if isinstance(seconds, bool) or not isinstance(seconds, int | str):
            raise _invalid("'durationSeconds' must be a whole number of seconds.")
        model = request.path_params["model"]
        record = self.jobs.create_job(
            model=model,
            prompt=prompt,
            size=size,
            seconds=str(seconds),
            owner=self.jobs.owners.of_request(request),
        )
        return JSONResponse({"name": _operation_name(record)})

    async def operation(self, request: Request) -> Response:
        owner = self.jobs.owners.of_request(request)
        record = self.jobs.find(request.path_params["operation_id"], owner)
        if request.path_params["model"] != record.model:
            raise SimulatorHTTPError(404, "Operation not found.")
        state = self.jobs.video_json(record)
        # While it runs, Google leaves `done` out (false) and reports no progress.
        operation: dict[str, Any] = {"name": _operation_name(record)}
        if state["status"] == VideoStatus.COMPLETED:
            uri = f"{request.base_url}v1beta/files/{record.id}:download?alt=media"
            samples = [{"video": {"uri": uri}}]
            operation["done"] = True
            operation["response"] = {
                "@type": RESPONSE_TYPE,
                "generateVideoResponse": {"generatedSamples": samples},
            }
        elif state["status"] == VideoStatus.FAILED:
            code, message = state["error"]["code"], state["error"]["message"]
            operation["done"] = True
            operation["error"] = {
                "code": FAILURE_RPC_CODES.get(code, INTERNAL_RPC_CODE),
                "message": message,
            }
        return JSONResponse(operation)

    async def download(self, request: Request) -> Response:
        owner = self.jobs.owners.of_request(request)
        record = self.jobs.find(request.path_params["file_id"], owner)
        if self.jobs.video_json(record)["status"] != VideoStatus.COMPLETED:
            raise SimulatorHTTPError(404, f"File {record.id} is not ready.")
        filename, media_type = CONTENT_TYPES[ContentVariant.VIDEO]
        return FileResponse(self.jobs.store.assets_dir(record.id) / filename, media_type=media_type)

    def routes(self, route: Any) -> list[Route]:
        """Built with the app's `route(path, endpoint, method, answer)` wrapper."""
        return [
            route("/v1beta/models/{model}:predictLongRunning", self.predict, "POST", google_error),
            route(
                "/v1beta/models/{model}/operations/{operation_id}",
                self.operation,
                "GET",
                google_error,
            ),
            route("/v1beta/files/{file_id}:download", self.download, "GET", google_error),
        ]


def _operation_name(record: VideoRecord) -> str:
    """Google's long-running operation name: the job's id under its model."""
    return f"models/{record.model}/operations/{record.id}"


def _invalid(message: str) -> SimulatorHTTPError:
    return SimulatorHTTPError(400, message)
