"""The servers the simulator can play: one `Profile` per real implementation of `/v1/videos`,
and OpenRouter's own video API (`Api.OPENROUTER`, served by `openrouter_routes`).

OpenAI's hosted Videos API is gone (2026-09-24), but its contract lives on in servers that each
bend it a little: vLLM-Omni takes only multipart forms, SGLang jumps from queued to completed,
New API gateways have no list or delete. A profile is those differences as data, so the app has
one code path and a client (or a class) can see each server's shape without a GPU or an account.
Pure data: no web stack is imported here, so `SimulatorConfig` can check a profile's name.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sora_widget.core.types import VideoStatus

from .accepts import DEFAULT_MODEL


class Endpoint(StrEnum):
    """Routes a server may lack; create, retrieve and content every profile has."""

    LIST = "list"
    DELETE = "delete"
    REMIX = "remix"
    EDITS = "edits"
    EXTENSIONS = "extensions"
    CHARACTERS = "characters"
    #: `POST /v1/videos/sync`: a create that answers the MP4 once it is made (vLLM-Omni).
    SYNC = "sync"


class MissingRoute(StrEnum):
    """How a server answers a route it does not have, which is how a client can tell "no such
    endpoint" from "no such video"."""

    #: OpenAI's API: 404 `{"error": {"message": "Invalid URL (GET /v1/...)", ...}}`, and 405
    #: with an error body for a known path's missing method.
    OPENAI = "openai"
    #: FastAPI's defaults (vLLM-Omni, SGLang): 404 `{"detail": "Not Found"}`, 405
    #: `{"detail": "Method Not Allowed"}`.
    FASTAPI = "fastapi"
    #: New API (gin, `RelayNotFound`): OpenAI's 404 "Invalid URL (...)" body, for a known
    #: path's missing method too (gin answers no 405 by default).
    NEW_API = "new_api"
    #: OpenRouter: its envelope, `{"error": {"code": 404, "message": "Resource not found"}}`.
    OPENROUTER = "openrouter"


class Api(StrEnum):
    """The shape of the API a profile serves: the app has one code path per shape."""

    #: `/v1/videos` as OpenAI defined it (and Veo's Gemini routes beside it, see `veo`).
    OPENAI = "openai"
    #: OpenRouter's `/api/v1/videos` (see `openrouter_routes`).
    OPENROUTER = "openrouter"


@dataclass(frozen=True)
class Profile:
    """How one server shapes the Videos API. `summary` says, for a badge or a lesson, what the
    real server does; the fields are the differences the simulator reproduces."""

    name: str
    summary: str
    endpoints: frozenset[Endpoint]
    #: Ids are this prefix and this many random hex digits.
    id_prefix: str = "video_"
    id_hex_digits: int = 48
    #: The model a create without one gets (and echoes).
    default_model: str = DEFAULT_MODEL
    #: False: a JSON create is refused, as by a server that declares form fields only.
    takes_json: bool = True
    #: True: a multipart create must carry `input_reference`.
    multipart_needs_reference: bool = False
    #: Sends `openai-poll-after-ms` with each retrieve.
    poll_hint: bool = True
    #: False: no `in_progress` and no percentages, only queued (0) and then done (100).
    reports_progress: bool = True
    #: True: thumbnail and spritesheet exist and the variant is checked; False: whatever the
    #: variant, the answer is the MP4.
    media_variants: bool = True
    #: A delete answers `status: "deleted"` (not `deleted: true`) and is taken in any state.
    deletes_as_status: bool = False
    #: Fields that have no value are left out (Go's `omitempty`), instead of sent as null.
    omits_nulls: bool = False
    #: A `metadata` object carries the download address of a completed video.
    metadata: bool = False
    #: How a route the server lacks is answered (see `MissingRoute`).
    missing_route: MissingRoute = MissingRoute.OPENAI
    #: How content the server does not have is answered: 404 with an error body, or "page":
    #: 200 with an HTML page, as a gateway's content proxy passes on its upstream's answer.
    missing_content: str = "404"
    #: Says it is the simulator (`SIMULATOR_HEADER`); the other profiles play their servers,
    #: headers and cadence included.
    announces: bool = False
    #: Which API shape it serves, and where: the base URL is the origin plus `api_root`.
    api: Api = Api.OPENAI
    api_root: str = "/v1"

    def new_id(self) -> str:
        return f"{self.id_prefix}{secrets.token_hex(self.id_hex_digits // 2)}"

    def observed(self, status: VideoStatus, progress: int) -> tuple[VideoStatus, int]:
        """What a client of this server sees of the job's true state."""
        if self.reports_progress:
            return status, progress
        if status is VideoStatus.IN_PROGRESS:
            return VideoStatus.QUEUED, 0
        return status, 100 if status is VideoStatus.COMPLETED else 0

    def present(self, body: dict[str, Any], content_url: str) -> dict[str, Any]:
        """The video object as this server writes it."""
        if self.metadata and body["status"] == VideoStatus.COMPLETED:
            body = {**body, "metadata": {"url": content_url}}
        if self.omits_nulls:
            body = {key: value for key, value in body.items() if value is not None}
        return body


ALL_ENDPOINTS = frozenset(Endpoint) - {Endpoint.SYNC}

PROFILES: dict[str, Profile] = {
    profile.name: profile
    for profile in (
        Profile(
            name="openai",
            summary="OpenAI's Videos API as it was: every route, a poll hint, thumbnails and "
            "spritesheets, JSON or multipart creates (also what the LiteLLM proxy forwards).",
            endpoints=ALL_ENDPOINTS,
            announces=True,
        ),
        Profile(
            name="vllm-omni",
            summary="vLLM-Omni (`vllm serve <model> --omni`): creates as multipart forms only "
            "(a JSON body is refused), any model name and WxH, ids `video_gen_<hex>`, "
            "best-effort progress, no poll hint, one MP4 per job, and `/v1/videos/sync`, a "
            "create that answers the MP4 itself; no remix, edits, extensions or characters.",
            endpoints=frozenset({Endpoint.LIST, Endpoint.DELETE, Endpoint.SYNC}),
            id_prefix="video_gen_",
            id_hex_digits=32,
            default_model="Wan-AI/Wan2.2-T2V-A14B-Diffusers",
            takes_json=False,
            poll_hint=False,
            media_variants=False,
            missing_route=MissingRoute.FASTAPI,
        ),
        Profile(
            name="sglang",
            summary="SGLang diffusion (`sglang serve`): a job is queued and then completed or "
            "failed, progress 0 then 100; every content variant answers the MP4; a delete "
            "answers `status: deleted` and aborts nothing; a multipart create needs "
            "`input_reference`; the model echoed is `sora-2` when none is sent.",
            endpoints=frozenset({Endpoint.LIST, Endpoint.DELETE}),
            id_hex_digits=32,
            multipart_needs_reference=True,
            poll_hint=False,
            reports_progress=False,
            media_variants=False,
            deletes_as_status=True,
            missing_route=MissingRoute.FASTAPI,
        ),
        Profile(
            name="gateway",
            summary="A New API gateway (QuantumNous/new-api, under many resellers): create, "
            "retrieve, content and remix only (no list, no delete: 404), ids `task_<hex>`, "
            "empty fields left out, a `metadata` object, and the MP4 whatever the variant "
            "(its content proxy never reads `variant`).",
            endpoints=frozenset({Endpoint.REMIX}),
            id_prefix="task_",
            id_hex_digits=32,
            poll_hint=False,
            media_variants=False,
            omits_nulls=True,
            metadata=True,
            missing_route=MissingRoute.NEW_API,
            missing_content="page",
        ),
        Profile(
            name="openrouter",
            summary="OpenRouter's video API under /api/v1 (no /v1/videos routes): a JSON "
            "create answered 202 with `gen-vid-...` ids and a polling_url, statuses pending, "
            "in_progress, completed, failed, cancelled and expired with no progress, "
            "signed `urls` and key-only `unsigned_urls`, a USD cost per job, a public "
            "/videos/models catalog and /key (credits with --credits), errors as "
            '`{"error": {"code", "message", "metadata"}}`.',
            endpoints=frozenset(),
            id_prefix="gen-vid-",
            poll_hint=False,
            media_variants=False,
            missing_route=MissingRoute.OPENROUTER,
            default_model="google/veo-3.1",
            api=Api.OPENROUTER,
            api_root="/api/v1",
        ),
    )
}
DEFAULT_PROFILE = "openai"


def profile_named(name: str) -> Profile:
    """The profile called `name`; a ValueError naming the choices otherwise."""
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(
            f"unknown simulator profile {name!r}: choose one of {', '.join(PROFILES)}"
        ) from None
