"""OpenRouter's video API, served by the `openrouter` profile under `/api/v1`.

The four video routes of OpenRouter's OpenAPI description (`POST /videos`, `GET /videos/{id}`,
`GET /videos/{id}/content`, `GET /videos/models`) and its current-key route (`GET /key`), with
its shapes: a 202 `{"id", "polling_url", "status": "pending"}` on create, statuses without
progress, `unsigned_urls` (need the key) and signed `urls` (need none) once completed, a USD
cost per job, and errors as `{"error": {"code", "message", "metadata"?}}`. The jobs behind the
routes are ordinary simulator jobs (timeline, renderer, store), so they persist and render like
every other profile's. Rules are this module's and `openrouter_checks`'s own reading of
OpenRouter's documentation (OPENROUTER.md), never the client's.

What the simulator adds, since OpenRouter's public API cannot cause it: prompt words (see
`FaultConfig.cancel_words`, `expire_words`) end a job `cancelled` or `expired`; blocked words
are a 403 moderation refusal at create; no-video words complete a job whose download is a 502.
"""

from __future__ import annotations

import re
import secrets
import string
from typing import Any, Protocol
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Scope

from sora_widget.core.types import ContentVariant, VideoStatus

from .accepts import MAX_RENDER_SIDE
from .config import SimulatorConfig
from .errors import OpenRouterError, openrouter_error_response, openrouter_response
from .extras import Extras, summary
from .gate import Door, Refusal, presented_key
from .openrouter_checks import Asked, check_request, invalid, not_found
from .openrouter_keys import Signer, key_report
from .openrouter_models import MODELS, cost
from .owners import EVERYONE, Owners
from .requests import content_type, read_fields
from .store import CONTENT_TYPES, Store, VideoRecord

API_ROOT = "/api/v1"
ALPHANUMERIC = string.ascii_letters + string.digits
ID_RANDOM_CHARS = 20
CANCELLED = "cancelled"
EXPIRED = "expired"
#: The `error` of each terminal state the simulator makes (the webhook examples' words).
TERMINAL_MESSAGES = {
    CANCELLED: "Job was cancelled",
    EXPIRED: "Job exceeded maximum time to live",
}
#: The share of a job's work after which it is cancelled or expires.
TERMINAL_AT = {CANCELLED: 0.3, EXPIRED: 1.0}
#: The simulator's statuses as OpenRouter names them.
STATUSES = {
    VideoStatus.QUEUED: "pending",
    VideoStatus.IN_PROGRESS: "in_progress",
    VideoStatus.COMPLETED: "completed",
    VideoStatus.FAILED: "failed",
}
#: What the simulator's fault settings read as on OpenRouter.
REFUSALS = {
    "missing_api_key": "Missing Authentication header",
    "invalid_api_key": "Invalid credentials",
    "rate_limit_exceeded": "Rate limit exceeded",
    "server_error": "Internal Server Error",
    "service_unavailable": "Service unavailable: no provider can serve this request now",
}
PROVIDER_ERROR = "Provider returned error"
MODERATION_REASON = "prohibited content"
FLAGGED_EXCERPT = 100
INSUFFICIENT_CREDITS = "Insufficient credits. Add more using https://openrouter.ai/credits"
_CONTENT_PATH = re.compile(rf"^{API_ROOT}/videos/[^/]+/content$")


class Jobs(Protocol):
    """What these routes use of the simulator (`app.Simulator`, which mounts them)."""

    config: SimulatorConfig
    store: Store
    owners: Owners

    def clock(self) -> float: ...

    def video_json(self, record: VideoRecord) -> dict[str, Any]: ...

    def _new_record(self, video_id: str | None = None, **fields: Any) -> VideoRecord: ...

    def launch(
        self, record: VideoRecord, reference: bytes | None = None, extras: Extras | None = None
    ) -> VideoRecord: ...

    def continued_from(self, owner: str | None, first_frame: bytes | None) -> str | None: ...


def _random(length: int) -> str:
    return "".join(secrets.choice(ALPHANUMERIC) for _ in range(length))


def _needs_key(scope: Scope) -> bool:
    """The model list is public, and a signed link is its own permission."""
    path = scope["path"]
    if path.rstrip("/") == f"{API_ROOT}/videos/models":
        return False
    if _CONTENT_PATH.match(path):
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        return not ("sig" in query and "expires" in query)
    return True


def _refuse(refusal: Refusal, scope: Scope) -> ASGIApp:
    """The gate's refusals in OpenRouter's envelope; a server fault on a download is the
    provider's (502), as the spec lists for the content route."""
    status, message = refusal.status, REFUSALS.get(refusal.code, refusal.message)
    if status == 500 and _CONTENT_PATH.match(scope["path"]):
        status, message = 502, PROVIDER_ERROR
    headers = {k: v for k, v in (refusal.headers or {}).items() if k == "retry-after"}
    return openrouter_error_response(status, message, headers=headers or None)


#: How the gate guards `/api/v1`.
DOOR = Door(prefixes=(f"{API_ROOT}/",), needs_key=_needs_key, refuse=_refuse)


def _mentioned(prompt: str, words: tuple[str, ...]) -> str | None:
    lowered = prompt.lower()
    return next((word for word in words if word.lower() in lowered), None)


class OpenRouter:
    """The routes, on the simulator's jobs; `Signer` keeps the download links' secret."""

    def __init__(self, jobs: Jobs) -> None:
        self.jobs = jobs
        self.signer = Signer(jobs.store.root)

    # ---- reading the jobs --------------------------------------------------------------------

    def _find(self, job_id: str, owner: str | None) -> VideoRecord:
        """The job, if `owner` may see it: another owner's reads exactly as an unknown id."""
        record = self.jobs.store.videos.get(job_id)
        if (
            record is None
            or record.api_fields.get("api") != "openrouter"
            or not self.jobs.owners.sees(owner, record)
        ):
            raise not_found(f"No video generation job {job_id[:100]!r}.")
        return record

    def _state(self, record: VideoRecord) -> tuple[str, dict[str, Any]]:
        """OpenRouter's status of a job, and the simulator's view of it."""
        state = self.jobs.video_json(record)
        status = STATUSES[VideoStatus(state["status"])]
        if status == "failed" and record.failure and record.failure[0] in TERMINAL_MESSAGES:
            status = record.failure[0]
        if status == "in_progress" and not MODELS[record.model].shows_in_progress:
            status = "pending"
        return status, state

    def _present(self, record: VideoRecord, origin: str) -> dict[str, Any]:
        status, state = self._state(record)
        body: dict[str, Any] = {
            "id": record.id,
            "polling_url": f"{origin}{API_ROOT}/videos/{record.id}",
            "status": status,
        }
        if status in ("failed", CANCELLED, EXPIRED):
            body["error"] = record.failure[1] if record.failure else "Video generation failed"
        if status != "completed":
            return body
        fields = record.api_fields
        body["generation_id"] = fields["generation_id"]
        body["unsigned_urls"] = [f"{origin}{API_ROOT}/videos/{record.id}/content?index=0"]
        expires = int(state["expires_at"])
        if self.jobs.clock() < expires:  # only while the stored copy exists
            signature = self.signer.sign(record.id, 0, expires)
            body["urls"] = [
                f"{origin}{API_ROOT}/videos/{record.id}/content?index=0"
                f"&sig={signature}&expires={expires}"
            ]
            body["expires_at"] = expires
        body["usage"] = {"cost": fields["cost"], "is_byok": False}
        return body

    def _spent(self, owner: str) -> tuple[list[tuple[float, float]], float]:
        """An owner's completed jobs as (cost, completed at), and what its running jobs hold;
        the teacher's figures are its own jobs', like any key's."""
        paid, held = [], 0.0
        for record in list(self.jobs.store.videos.values()):
            fields = record.api_fields
            if fields.get("api") != "openrouter" or record.owner != owner:
                continue
            status, state = self._state(record)
            if status == "completed":
                paid.append((fields["cost"], float(state["completed_at"])))
            elif status in ("pending", "in_progress"):
                held += fields["cost"]
        return paid, held

    # ---- routes ------------------------------------------------------------------------------

    async def create(self, request: Request) -> Response:
        if content_type(request) != "application/json":
            raise invalid("The body must be JSON (Content-Type: application/json).", param="body")
        fields = await read_fields(request)
        asked = check_request(fields)
        owner = self.jobs.owners.of_key(presented_key(request.scope) or "")
        source = self._source(asked, owner)
        price = self._price(asked, source)
        self._check_credits(owner, price)
        self._moderate(asked)
        record = self._launch(asked, source, fields, owner, price)
        body = self._present(record, str(request.base_url).rstrip("/"))
        if body["status"] == "in_progress":  # a fast clock's job may have started already;
            body["status"] = "pending"  # OpenRouter answers the create it accepted as pending
        return JSONResponse(body, status_code=202)

    def _source(self, asked: Asked, owner: str) -> VideoRecord | None:
        """The caller's completed job a continuation continues, of the same model."""
        if asked.previous_job_id is None:
            return None
        source = self._find(asked.previous_job_id, owner)
        status, _ = self._state(source)
        if status != "completed":
            raise invalid(
                f"previous_job_id {source.id!r} is {status}: only a completed job can be "
                "continued.",
                param="previous_job_id",
            )
        if source.model != asked.model.id:
            raise invalid(
                f"previous_job_id {source.id!r} was made by {source.model}: a continuation "
                "runs on the same model.",
                param="previous_job_id",
            )
        return source

    def _price(self, asked: Asked, source: VideoRecord | None) -> float:
        resolution = asked.resolution
        width, height = asked.width, asked.height
        if source is not None:  # a continuation keeps the earlier video's frame
            resolution = source.api_fields["resolution"]
            width, height = (int(side) for side in source.api_fields["asked_size"].split("x"))
        return cost(
            asked.model,
            seconds=asked.duration,
            resolution=resolution,
            width=width,
            height=height,
            audio=asked.generate_audio,
            from_image=asked.first_frame is not None or asked.last_frame is not None,
            images_in=asked.images_in,
            video_in=asked.video_in,
            continuation=source is not None,
        )

    def _check_credits(self, owner: str, price: float) -> None:
        """With `--credits`, a job the key's balance cannot cover is refused, uncreated: the
        balance is the credits less what completed jobs cost and running jobs will."""
        limit = self.jobs.config.credits
        if limit is None:
            return
        paid, held = self._spent(owner)
        left = limit - sum(amount for amount, _ in paid) - held
        if price > left + 1e-9:
            raise OpenRouterError(
                402,
                INSUFFICIENT_CREDITS,
                metadata={"cost": price, "balance": round(max(left, 0.0), 6)},
            )

    def _moderate(self, asked: Asked) -> None:
        word = _mentioned(asked.prompt, self.jobs.config.faults.blocked_words)
        if word is None:
            return
        model = asked.model
        at = max(0, asked.prompt.lower().index(word.lower()) - FLAGGED_EXCERPT // 2)
        raise OpenRouterError(
            403,
            f"{model.id} requires moderation on {model.provider_name}. Your input was flagged "
            f'for "{MODERATION_REASON}". No credits were charged.',
            metadata={
                "reasons": [MODERATION_REASON],
                "flagged_input": asked.prompt[at : at + FLAGGED_EXCERPT],
                "provider_name": model.provider_name,
                "model_slug": model.id,
            },
        )

    def _launch(
        self,
        asked: Asked,
        source: VideoRecord | None,
        fields: dict[str, Any],
        owner: str,
        price: float,
    ) -> VideoRecord:
        now = int(self.jobs.clock())
        asked_size = f"{asked.width}x{asked.height}"
        resolution = asked.resolution
        note: str | None
        if source is not None:
            asked_size, resolution = (
                source.api_fields["asked_size"],
                source.api_fields["resolution"],
            )
            width, height = (int(side) for side in source.size.split("x"))
            seconds = int(source.seconds) + asked.duration
            note = f"continues {source.id}: its {source.seconds} s, then {asked.duration} s more"
        else:
            width, height, note = _renderable(asked.width, asked.height)
            seconds = asked.duration
        continued = self.jobs.continued_from(owner, asked.first_frame) if source is None else None
        record = self.jobs._new_record(
            video_id=f"gen-vid-{now}-{_random(ID_RANDOM_CHARS)}",
            model=asked.model.id,
            prompt=asked.prompt,
            size=f"{width}x{height}",
            seconds=str(seconds),
            source_id=source.id if source is not None else None,
            extend=source is not None,
            owner=owner,
            continues_id=continued,
        )
        faults = self.jobs.config.faults
        for ending, words in ((CANCELLED, faults.cancel_words), (EXPIRED, faults.expire_words)):
            if _mentioned(asked.prompt, words):
                record.failure = (ending, TERMINAL_MESSAGES[ending], TERMINAL_AT[ending])
        record.api_fields = {
            "api": "openrouter",
            "generation_id": f"gen-{now}-{_random(ID_RANDOM_CHARS)}",
            "cost": price,
            "duration": asked.duration,
            "resolution": resolution,
            "aspect_ratio": asked.aspect_ratio,
            "asked_size": asked_size,
            "generate_audio": asked.generate_audio,
            "previous_job_id": asked.previous_job_id,
            "callback_url": asked.callback_url,  # kept, not called: the simulator is offline
            "passthrough": asked.passthrough,
            "render_note": note,
        }
        seed = asked.seed if asked.seed is not None else asked.passthrough.get("seed")
        extras = Extras(
            seed=seed if isinstance(seed, int) and not isinstance(seed, bool) else None,
            negative_prompt=asked.negative_prompt,
            generate_audio=asked.generate_audio,
            last_frame=asked.last_frame,
            reference_images=asked.pictures,
            received={k: summary(v) for k, v in fields.items() if k not in ("model", "prompt")},
        )
        return self.jobs.launch(record, asked.first_frame, extras)

    async def retrieve(self, request: Request) -> Response:
        owner = self.jobs.owners.of_request(request)
        record = self._find(request.path_params["job_id"], owner)
        body = self._present(record, str(request.base_url).rstrip("/"))
        return JSONResponse({**body, **self.jobs.owners.shown_to(owner, record)})

    async def content(self, request: Request) -> Response:
        query = request.query_params
        raw_index = query.get("index", "0")
        if not raw_index.isdigit():
            raise invalid(
                f"index must be a whole number, 0 or more; got {raw_index[:20]!r}.", param="index"
            )
        index = int(raw_index)
        job_id = request.path_params["job_id"]
        signed = "sig" in query and "expires" in query
        if signed and not self.signer.verify(job_id, index, query["expires"], query["sig"]):
            raise OpenRouterError(403, "Invalid signature: this download link was altered.")
        # A signed link is its own permission, whoever follows it.
        record = self._find(job_id, EVERYONE if signed else self.jobs.owners.of_request(request))
        status, state = self._state(record)
        if status != "completed":
            raise OpenRouterError(
                409,
                f"Video generation job {record.id} is {status}: its content is available once "
                "it is completed.",
                metadata={"status": status},
            )
        if index != 0:
            raise not_found(f"Job {record.id} has 1 output: index 0.")
        expires = int(query["expires"]) if signed else int(state["expires_at"])
        if self.jobs.clock() >= expires:
            raise OpenRouterError(
                410,
                f"The output of job {record.id} is no longer available: it expired at "
                f"{expires} (unix time). Download outputs soon after they complete.",
            )
        if record.no_video:
            raise OpenRouterError(502, PROVIDER_ERROR)
        filename, media_type = CONTENT_TYPES[ContentVariant.VIDEO]
        return FileResponse(self.jobs.store.assets_dir(record.id) / filename, media_type=media_type)

    async def models(self, request: Request) -> Response:
        return JSONResponse({"data": [model.as_json() for model in MODELS.values()]})

    async def key(self, request: Request) -> Response:
        """The current key: its masked label, the credits limit, what its jobs have cost."""
        key = presented_key(request.scope) or ""
        paid, _ = self._spent(self.jobs.owners.of_key(key))
        return JSONResponse(key_report(key, paid, self.jobs.config.credits, self.jobs.clock()))

    def routes(self, route: Any) -> list[Route]:
        """Built with the app's `route(path, endpoint, method, answer)` wrapper; the model
        list comes before `/videos/{job_id}`, which would take it for a job."""

        def here(path: str, endpoint: Any, method: str) -> Route:
            return route(f"{API_ROOT}{path}", endpoint, method, openrouter_response)

        return [
            here("/videos", self.create, "POST"),
            here("/videos/models", self.models, "GET"),
            here("/videos/{job_id}", self.retrieve, "GET"),
            here("/videos/{job_id}/content", self.content, "GET"),
            here("/key", self.key, "GET"),
        ]


def _renderable(width: int, height: int) -> tuple[int, int, str | None]:
    """The frame the renderer draws, and a note when it is smaller than asked (4K, 2K)."""
    longest = max(width, height)
    if longest <= MAX_RENDER_SIDE:
        return width, height, None
    scale = MAX_RENDER_SIDE / longest
    drawn = (2 * round(width * scale / 2), 2 * round(height * scale / 2))
    return (
        *drawn,
        f"asked {width}x{height}; drawn at {drawn[0]}x{drawn[1]}: the simulator's renderer "
        f"draws at most {MAX_RENDER_SIDE} pixels a side",
    )
