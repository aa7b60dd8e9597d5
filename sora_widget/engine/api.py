"""`VideosAPI`: one method per Videos API endpoint, over one httpx connection pool.

Everything HTTP lives here: auth, checks before sending, error mapping and retries. Any server
that speaks the contract works (OpenAI, a gateway, Azure OpenAI's v1 API, the simulator);
none is special-cased. `SoraClient` (in `client`) adds background jobs on top.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import os
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Self, TypeVar
from urllib.parse import quote

import httpx

from sora_widget.core.atomic import atomic_stream
from sora_widget.core.catalog import order_models
from sora_widget.core.errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    BadRequestError,
    InvalidRequestError,
    RateLimitError,
    SoraError,
    UnexpectedContentError,
    UnsupportedFeature,
    error_class_for_status,
)
from sora_widget.core.keywords import strict_keywords
from sora_widget.core.pictures import ACCEPTED, HEAD_BYTES, describe, sniff
from sora_widget.core.reference_image import Fit, ReferenceImage
from sora_widget.core.server_catalog import (
    ServerModel,
    looks_like_catalog,
    parse_catalog,
    usd_amount,
)
from sora_widget.core.types import (
    DEFAULT_MODEL,
    DEFAULT_SECONDS,
    DEFAULT_SIZE,
    EXTENSION_SECONDS_CHOICES,
    SIMULATOR_HEADER,
    Character,
    ContentVariant,
    Video,
)
from sora_widget.core.urls import public_url
from sora_widget.core.validation import (
    parse_raw_parameters,
    seconds_string,
    validate_generation,
    validate_model,
    validate_parameters,
    validate_prompt,
    validate_seconds,
)
from sora_widget.engine.create_body import build_create_body
from sora_widget.engine.features import ServerSupport, endpoint_missing
from sora_widget.engine.openrouter import (
    ATTRIBUTION_ENV,
    DEFAULT_ATTRIBUTION,
    OPENROUTER_BASE_URL,
    asked_fields,
    check_size,
    continues_jobs,
    duration_of,
    request_record,
)
from sora_widget.engine.openrouter import KIND as OPENROUTER
from sora_widget.engine.openrouter import build_create_body as openrouter_body
from sora_widget.engine.retry import (
    NEVER_SENT,
    RetryNotice,
    RetryPolicy,
    parse_retry_after,
    requesting_jobs,
)

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.openai.com/v1"
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0)
DEFAULT_MAX_RETRIES = 3
POLL_HINT_HEADER = "openai-poll-after-ms"
#: LiteLLM's charge for a request, in USD; on a video's create it is the video's cost.
COST_HEADER = "x-litellm-response-cost"
#: Error bodies above this size are quoted, not parsed: a real API error is well under 1 KiB.
MAX_ERROR_BODY = 64 * 1024
SNIPPET_CHARS = 200
DEFAULT_SUFFIXES = {
    ContentVariant.VIDEO: ".mp4",
    ContentVariant.THUMBNAIL: "_thumbnail.webp",
    ContentVariant.SPRITESHEET: "_spritesheet.jpg",
}
MAYBE_CREATED = (
    "The video may have been created anyway: look for it with `client.list()` before trying "
    "again, so it is not paid for twice."
)

#: A video to edit, extend or make a character from: its id, or an MP4 file (path or bytes).
VideoInput = str | os.PathLike[str] | bytes
FormParts = list[tuple[str, tuple[str | None, str | bytes] | tuple[str, bytes, str]]]
T = TypeVar("T")


Dialect = Literal["auto", "openai", "openrouter"]
#: How the key is sent: `Authorization: Bearer` (OpenAI, OpenRouter) or `api-key` (Azure).
AuthHeader = Literal["bearer", "api-key"]
#: What an OpenRouter-shaped server lacks, and the words the panel shows for each.
_OPENROUTER_LACKS = {
    "list": "OpenRouter cannot list videos: each video is polled on its own.",
    "delete": "OpenRouter has no delete: videos expire on their own.",
    "remix": "OpenRouter has no remix: generate a new video with the changed prompt.",
    "edits": "OpenRouter has no edits route.",
    "extensions": "OpenRouter has no extensions route: Extend continues a job where the model "
    "takes previous_job_id, else from the last frame.",
    "variants": "OpenRouter sends only the MP4: thumbnails and spritesheets are made here.",
    "poll_hint": "OpenRouter sends no poll hint: videos are polled every 10 to 20 s, sooner "
    "near their expected end.",
}


@dataclass(frozen=True)
class ServerModels:
    """What `GET /models` said: model names to offer, and the server's kind if it told."""

    names: list[str]
    #: "LiteLLM" when the proxy's headers say so; None for a server that does not say.
    kind: str | None
    #: The server's own description of each model (OpenRouter's `GET /videos/models`), by
    #: name; empty where the server publishes none.
    catalog: dict[str, ServerModel] = field(default_factory=dict)


@dataclass(frozen=True)
class Credits:
    """What the key has left, as the server tells it (OpenRouter's `GET /key`, LiteLLM's
    `GET /key/info`): USD; `remaining` None where the key has no limit."""

    limit: float | None
    usage: float | None
    remaining: float | None


@dataclass(frozen=True)
class VideoPage:
    """One page of `GET /videos`; pass `last_id` as `after` to get the next one."""

    data: list[Video]
    first_id: str | None
    last_id: str | None
    has_more: bool


class VideosAPI:
    """Async client for the Videos API. Use `async with`, or call `aclose()` when done.

    The API key is kept out of every repr, exception and log line: it is only added to
    outgoing requests, and only to those for the API's own origin.
    """

    @strict_keywords
    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        organization: str | None = None,
        project: str | None = None,
        auth_header: AuthHeader = "bearer",
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        dialect: Dialect = "auto",
        attribution: Mapping[str, str] | None = None,
    ) -> None:
        """`dialect`: "auto" asks the server once (`GET /videos/models` answering a video
        model list is OpenRouter's shape, whatever the host); "openrouter" or "openai" says
        it. `attribution`: the `HTTP-Referer` and `X-OpenRouter-Title` an OpenRouter-shaped
        server is sent (default: OPENROUTER_HTTP_REFERER, OPENROUTER_X_OPEN_ROUTER_TITLE,
        else this package's name)."""
        if dialect not in ("auto", "openai", "openrouter"):
            raise InvalidRequestError(
                "dialect",
                f"Invalid value for 'dialect': {dialect!r}. Supported values are 'auto', "
                "'openai' and 'openrouter'.",
            )
        key_variable = "OPENROUTER_API_KEY" if dialect == "openrouter" else "OPENAI_API_KEY"
        key = (api_key if api_key is not None else os.environ.get(key_variable, "")).strip()
        if not key:
            raise InvalidRequestError(
                "api_key",
                f"No API key: pass api_key=... or set {key_variable} (the local simulator "
                "accepts any non-empty key).",
                "missing_api_key",
            )
        if not key.isascii() or any(char.isspace() for char in key):
            # Said without quoting the key: header encoding errors would carry it along.
            raise InvalidRequestError(
                "api_key",
                "The API key contains spaces or non-ASCII characters: copy it again.",
                "invalid_api_key",
            )
        if auth_header == "bearer":
            authorization = ("Authorization", f"Bearer {key}")
        elif auth_header == "api-key":
            authorization = ("api-key", key)
        else:
            raise InvalidRequestError(
                "auth_header",
                f"Invalid value for 'auth_header': {auth_header!r}. Supported values are "
                "'bearer' (OpenAI) and 'api-key' (Azure OpenAI).",
            )
        if dialect == "openrouter":
            configured = os.environ.get("OPENROUTER_BASE_URL") or OPENROUTER_BASE_URL
        else:
            configured = os.environ.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL
        self.base_url: str = (base_url or configured).rstrip("/")
        #: The address as repr, errors, logs and the widget's badge show it: no credentials.
        self.display_url: str = public_url(self.base_url)
        #: Shown as the widget's backend badge; set by whoever starts the simulator, or by
        #: the simulator's first answer (its `SIMULATOR_HEADER`), whatever its address.
        self.is_simulator: bool = False
        #: What this server has shown it can and cannot do, learned as requests go (see
        #: `features`); an endpoint found missing is not asked again.
        self.support = ServerSupport()
        self._retry = RetryPolicy(max_retries=max_retries)
        self._sleep = sleep
        self._models: asyncio.Future[ServerModels | None] | None = None
        #: The server's shape, once known: "openai" (the contract) or "openrouter".
        self.dialect: str | None = None if dialect == "auto" else dialect
        self._catalog: asyncio.Future[dict[str, ServerModel]] | None = None
        #: The models the server described (OpenRouter's catalog), once asked.
        self.server_catalog: dict[str, ServerModel] = {}
        #: What each create asked for, by video id: the fields a server that echoes nothing
        #: lacks (see `Video.from_dict`), and the request as sent (`requests`).
        self._asked: dict[str, dict[str, Any]] = {}
        self.requests: dict[str, dict[str, Any]] = {}
        #: Pre-signed download links a server gave (OpenRouter's `urls`), by video id.
        self._signed_urls: dict[str, list[str]] = {}
        self._attribution = dict(attribution) if attribution is not None else _attribution()
        #: Learned from a server that takes forms only with a reference image (SGLang).
        self._text_creates_as_json = False
        self._retry_listeners: list[Callable[[RetryNotice], object]] = []
        headers = {}
        if organization := organization or os.environ.get("OPENAI_ORG_ID"):
            headers["OpenAI-Organization"] = organization
        if project := project or os.environ.get("OPENAI_PROJECT_ID"):
            headers["OpenAI-Project"] = project
        #: USD the server said it charged for each video (LiteLLM's cost header), by id.
        self.charged_costs: dict[str, float] = {}
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            headers=headers,
            timeout=timeout,
            transport=transport,
            follow_redirects=True,
            event_hooks={
                "request": [_authorizer(httpx.URL(self.base_url), *authorization)],
                "response": [self._notice_simulator],
            },
        )
        #: For pre-signed links: they carry their own signature, and never get the key.
        self._anonymous = httpx.AsyncClient(
            timeout=timeout, transport=transport, follow_redirects=True
        )
        if self.dialect == "openrouter":
            self._become_openrouter()

    def _become_openrouter(self) -> None:
        """What an OpenRouter-shaped server is known to lack, and its attribution headers."""
        self.dialect = "openrouter"
        self._http.headers.update(self._attribution)
        for feature, why in _OPENROUTER_LACKS.items():
            self.support.learn(feature, False, words=why)

    async def _notice_simulator(self, response: httpx.Response) -> None:
        if SIMULATOR_HEADER in response.headers:
            self.is_simulator = True

    @property
    def sends_progress(self) -> bool | None:
        """False where the server's shape has no progress field (OpenRouter's): a job there
        is shown indeterminate against its model's typical time from the start."""
        return False if self.dialect == "openrouter" else None

    def charged_cost(self, video_id: str) -> float | None:
        """What the server said the video cost (its create's `x-litellm-response-cost`), or
        None when it did not say."""
        return self.charged_costs.get(video_id)

    def _video(self, response: httpx.Response, asked: Mapping[str, Any] | None = None) -> Video:
        """The Video in a response, with what was asked where the server echoes nothing, and
        the cost the server said it charged for it (LiteLLM's header on the create, or the
        `usage.cost` of a finished OpenRouter job)."""
        video = _parse(response, lambda body: self._video_from(body, asked))
        charged = _charged(response)
        if charged is not None:
            self.charged_costs.setdefault(video.id, charged)  # the create's, not a poll's
        usage = video.extra.get("usage")
        cost = usd_amount(usage.get("cost")) if isinstance(usage, dict) else None
        if cost is not None:
            self.charged_costs[video.id] = cost
        urls = video.extra.get("urls")
        if isinstance(urls, list) and all(isinstance(url, str) for url in urls) and urls:
            self._signed_urls[video.id] = urls
        return video

    def _video_from(self, body: dict[str, Any], asked: Mapping[str, Any] | None) -> Video:
        video_id = body.get("id")
        if asked is not None and isinstance(video_id, str):
            self._asked[video_id] = dict(asked)
        known = self._asked.get(video_id) if isinstance(video_id, str) else None
        return Video.from_dict(body, asked=known)

    def remember_asked(self, video_id: str, asked: Mapping[str, Any]) -> None:
        """What a create asked for (prompt, model, size, seconds), for a video followed again
        after a restart on a server that does not echo it."""
        self._asked.setdefault(video_id, {k: v for k, v in asked.items() if v is not None})

    def on_retry(self, listener: Callable[[RetryNotice], object]) -> Callable[[], None]:
        """Call `listener` before each automatic retry of any request of this client; returns a
        function that unsubscribes. A UI showing one job listens to `VideoJob.on_retry`."""
        self._retry_listeners.append(listener)
        return lambda: self._retry_listeners.remove(listener)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.display_url!r})"

    @property
    def features(self) -> dict[str, bool | None]:
        """What this server supports, as learned so far: {"list", "delete", "remix", "edits",
        "extensions", "variants", "poll_hint"} -> True (seen working), False (missing: not
        asked again), None (not tried yet). A copy: changing it changes nothing."""
        return self.support.as_dict()

    @property
    def closed(self) -> bool:
        """True once `aclose()` ran: the client can send nothing more."""
        return self._http.is_closed

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()
        await self._anonymous.aclose()

    # ---- the server's shape ----------------------------------------------------------------

    async def shape(self) -> str:
        """ "openrouter" when the server's `GET /videos/models` answers a video model list
        (its catalog is kept in `server_catalog`), else "openai". Asked once per client."""
        if self._catalog is None:
            self._catalog = asyncio.ensure_future(self._ask_catalog())
        try:
            self.server_catalog = await asyncio.shield(self._catalog)
        except SoraError:
            self._catalog = None  # could not be asked: ask again next time
            raise
        return self.dialect or "openai"

    async def _ask_catalog(self) -> dict[str, ServerModel]:
        """One `GET /videos/models`, retried only when it never got an answer: on a server of
        the contract's shape it is a retrieve of a video called "models", refused at once."""
        if self.dialect == "openai":
            return {}
        attempt = 0
        while True:
            try:
                response = await self._http.get("/videos/models")
                break
            except httpx.RequestError as error:
                if attempt >= self._retry.max_retries:
                    raise self._connection_error(error, "GET", "/videos/models", False) from None
                attempt += 1
                await self._sleep(self._retry.delay(attempt))
        body: Any = None
        if response.is_success:
            with contextlib.suppress(ValueError):
                body = json.loads(response.content)
        if looks_like_catalog(body):
            if self.dialect is None:
                self._become_openrouter()
            return parse_catalog(body)
        if self.dialect is None:
            self.dialect = "openai"
        logger.info("GET /videos/models answered %s: no video model list", response.status_code)
        return {}

    def checked_parameters(
        self,
        prompt: object,
        model: object,
        size: object,
        seconds: object,
        parameters: Mapping[str, Any] | None,
    ) -> dict[str, object]:
        """Every check that can be made now with what is known of this server; the named
        parameters, typed. On OpenRouter the model's own catalog entry is the judge (and a
        model it has not described yet is left to the server)."""
        if self.dialect != "openrouter":
            validate_generation(prompt, model, size, seconds)
            return validate_parameters(str(model), parameters)
        validate_prompt(prompt)
        checked_model = validate_model(model)
        known = self.server_catalog.get(checked_model)
        if known is None:
            return dict(parameters or {})
        duration_of(str(seconds), known)
        check_size(str(size), known)
        return validate_parameters(checked_model, parameters, known.parameters)

    def extension_seconds(self, model: str) -> tuple[str, ...]:
        """The lengths `extend()` can add for `model`'s videos: () where the server cannot
        extend them (then Extend continues from the last frame)."""
        if self.dialect == "openrouter":
            known = self.server_catalog.get(model)
            return known.seconds if continues_jobs(known) else ()
        if self.support.unsupported("extensions"):
            return ()
        return EXTENSION_SECONDS_CHOICES

    # ---- endpoints ------------------------------------------------------------------------------

    async def create(
        self,
        prompt: str,
        *,
        model: str = DEFAULT_MODEL,
        size: str = DEFAULT_SIZE,
        seconds: str | int = DEFAULT_SECONDS,
        input_reference: ReferenceImage | None = None,
        fit: Fit | None = None,
        last_frame: ReferenceImage | None = None,
        reference_images: Sequence[ReferenceImage] = (),
        parameters: Mapping[str, Any] | None = None,
        extra: Mapping[str, Any] | str | None = None,
    ) -> Video:
        """Start a generation. `fit` ("crop" or "pad") adapts images of another size.

        `parameters`: the model's extra parameters (`catalog.parameters_of`), checked here;
        `extra`: a JSON object (or its text) sent as given, merged last, so its keys win over
        `parameters` of the same name. Images travel as the model's route takes them
        (`catalog.ImageSlots`)."""
        seconds = seconds_string(seconds)
        # Checked before anything is sent, as far as the shape is known yet.
        known_shape = self.dialect == "openrouter"
        named = (
            {} if known_shape else self.checked_parameters(prompt, model, size, seconds, parameters)
        )
        if await self.shape() == "openrouter":
            return await self._create_openrouter(
                prompt,
                model=model,
                size=size,
                seconds=str(seconds),
                fit=fit,
                input_reference=input_reference,
                last_frame=last_frame,
                reference_images=reference_images,
                parameters=parameters,
                extra=extra,
            )
        raw = parse_raw_parameters(extra)
        fields = {"prompt": prompt, "model": model, "size": size, "seconds": str(seconds)}
        # Decoding, fitting and encoding images takes tens of milliseconds.
        body = await asyncio.to_thread(
            build_create_body,
            fields,
            size=size,
            fit=fit,
            input_reference=input_reference,
            last_frame=last_frame,
            reference_images=reference_images,
            parameters=named,
            extra=raw,
        )
        # What a server that echoes nothing back (LiteLLM's Veo route, gateways) lacks.
        asked = {**fields, "created_at": int(time.time())}
        if body.as_json or (not body.files and self._text_creates_as_json):
            response = await self._send("POST", "/videos", creating=True, json=body.fields)
            return self._video(response, asked=asked)
        try:
            response = await self._send("POST", "/videos", creating=True, files=body.form_parts())
        except BadRequestError as refused:
            if body.files or refused.param != "input_reference":
                raise
            # SGLang takes a form only with a reference image: a text-only create goes as JSON
            # there (refused, nothing was made, so sending it again is safe), from now on.
            self._text_creates_as_json = True
            response = await self._send("POST", "/videos", creating=True, json=body.fields)
        return self._video(response, asked=asked)

    async def _create_openrouter(
        self,
        prompt: str,
        *,
        model: str,
        size: str,
        seconds: str,
        parameters: Mapping[str, Any] | None,
        extra: Mapping[str, Any] | str | None,
        previous_job_id: str | None = None,
        fit: Fit | None = None,
        input_reference: ReferenceImage | None = None,
        last_frame: ReferenceImage | None = None,
        reference_images: Sequence[ReferenceImage] = (),
    ) -> Video:
        """A create in OpenRouter's own fields; what was asked is kept beside the job, since
        the server echoes none of it."""
        named = self.checked_parameters(prompt, model, size, seconds, parameters)
        raw = parse_raw_parameters(extra)
        body = await asyncio.to_thread(
            openrouter_body,
            prompt,
            model=model,
            known=self.server_catalog.get(model),
            size=size,
            seconds=seconds,
            parameters=named,
            extra=raw,
            previous_job_id=previous_job_id,
            fit=fit,
            input_reference=input_reference,
            last_frame=last_frame,
            reference_images=reference_images,
        )
        response = await self._send("POST", "/videos", creating=True, json=body)
        video = self._video(response, asked=asked_fields(body, size, seconds))
        self.requests[video.id] = request_record(body)
        return video

    async def retrieve(self, video_id: str) -> Video:
        video, _ = await self.retrieve_with_hint(video_id)
        return video

    async def retrieve_with_hint(self, video_id: str) -> tuple[Video, float | None]:
        """The video and the server's `openai-poll-after-ms` hint in seconds (None if absent)."""
        response = await self._send("GET", f"/videos/{_segment(video_id)}")
        video, hint = self._video(response), _poll_hint(response)
        self.support.learn("poll_hint", hint is not None, f"no {POLL_HINT_HEADER} header")
        return video, hint

    async def list_page(
        self, *, limit: int | None = None, order: str | None = None, after: str | None = None
    ) -> VideoPage:
        params = _list_params(limit, order, after)
        response = await self._feature_send(
            "list", "GET", "/videos", "GET /videos", names_a_video=False, params=params
        )
        return _parse(response, _video_page)

    async def list(
        self, *, limit: int | None = None, order: str | None = None, after: str | None = None
    ) -> AsyncIterator[Video]:
        """Every video, page after page; `limit` is the page size, not a total."""
        while True:
            page = await self.list_page(limit=limit, order=order, after=after)
            for video in page.data:
                yield video
            if not page.has_more or page.last_id is None or page.last_id == after:
                return
            after = page.last_id

    async def list_models(self) -> ServerModels:
        """`GET /models`: the video models this server offers, and what kind of server it is.

        LiteLLM marks video models with `"mode": "video_generation"`; a plain OpenAI-style list
        has no modes, so then every name is offered (the catalog's known ones first).
        """
        if await self.shape() == "openrouter":
            catalog = self.server_catalog
            return ServerModels(names=list(catalog), kind=OPENROUTER, catalog=dict(catalog))
        response = await self._send("GET", "/models")
        return _parse(response, lambda body: _server_models(body, response.headers))

    async def credits(self) -> Credits | None:
        """What the key has left, where the server tells it: OpenRouter's `GET /key` (limit,
        usage, limit_remaining), LiteLLM's `GET /key/info` (max_budget, spend); None on a
        server that does not say, or when asking fails (it is only shown, never relied on)."""
        try:
            if await self.shape() == "openrouter":
                response = await self._send("GET", "/key")
                return _parse(response, _openrouter_credits)
            models = await self.server_models()
            if models is None or models.kind != "LiteLLM":
                return None
            origin = httpx.URL(self.base_url).copy_with(path="/key/info", query=None)
            response = await self._send("GET", str(origin))
            return _parse(response, _litellm_credits)
        except SoraError as error:
            logger.info("The key's credits could not be read (%s)", error)
            return None

    async def server_models(self) -> ServerModels | None:
        """`list_models()` asked once per client, so every widget on a server shares one
        answer; None when the server lists none (no /models, or an error): then the form
        offers the catalog's names."""
        if self._models is None:
            self._models = asyncio.ensure_future(self._models_or_none())
        return await asyncio.shield(self._models)

    async def _models_or_none(self) -> ServerModels | None:
        try:
            models = await self.list_models()
        except SoraError as error:
            logger.info("GET /models failed (%s): offering the catalog's models", error)
            return None
        return models if models.names else None

    async def delete(self, video_id: str) -> bool:
        """Delete a completed or failed video and its files; True when the server confirms.

        Raises UnsupportedFeature on a server without the endpoint (LiteLLM, New API)."""
        path = f"/videos/{_segment(video_id)}"
        response = await self._feature_send(
            "delete", "DELETE", path, "DELETE /videos/{id}", names_a_video=True
        )
        return _parse(response, lambda body: bool(body.get("deleted")))

    async def remix(self, video_id: str, prompt: str) -> Video:
        """A new video from a completed one and a new prompt."""
        path = f"/videos/{_segment(video_id)}/remix"
        validate_prompt(prompt)
        response = await self._feature_send(
            "remix",
            "POST",
            path,
            "POST /videos/{id}/remix",
            names_a_video=True,
            creating=True,
            json={"prompt": prompt},
        )
        source = self._asked.get(video_id, {})
        return self._video(
            response, asked={**source, "prompt": prompt, "created_at": int(time.time())}
        )

    async def edit(self, video: VideoInput, prompt: str) -> Video:
        """A new video from `video` (an id, or an MP4 path or bytes) changed as `prompt` says."""
        validate_prompt(prompt)
        parts = _form(prompt=prompt) + await asyncio.to_thread(_video_parts, video)
        response = await self._feature_send(
            "edits", "POST", "/videos/edits", None, names_a_video=True, creating=True, files=parts
        )
        return self._video(response, asked={"prompt": prompt})

    async def extend(
        self, video: VideoInput, prompt: str, seconds: str | int, *, model: str | None = None
    ) -> Video:
        """`video` continued by `seconds` more; the result's `seconds` is the stitched total.
        On OpenRouter a job of a `model` that takes `previous_job_id` is continued by a new
        create naming it (`video` is then the earlier job's id)."""
        if self.dialect == "openrouter":
            if not (isinstance(video, str) and model and self.extension_seconds(model)):
                self._refuse_unsupported("extensions")
            return await self._create_openrouter(
                prompt,
                model=str(model),
                size=str(self._asked.get(str(video), {}).get("size") or DEFAULT_SIZE),
                seconds=str(seconds),
                parameters=None,
                extra=None,
                previous_job_id=str(video),
            )
        validate_prompt(prompt)
        seconds = validate_seconds(seconds_string(seconds), EXTENSION_SECONDS_CHOICES)
        parts = _form(prompt=prompt, seconds=seconds) + await asyncio.to_thread(_video_parts, video)
        response = await self._feature_send(
            "extensions",
            "POST",
            "/videos/extensions",
            None,
            names_a_video=True,
            creating=True,
            files=parts,
        )
        return self._video(response)

    async def download_content(
        self,
        video_id: str,
        variant: str = "video",
        path: str | os.PathLike[str] | None = None,
        *,
        index: int = 0,
    ) -> Path:
        """Save the video, thumbnail or spritesheet to `path` (default: named after the id in
        the current folder); `index` picks one of several outputs (OpenRouter). A pre-signed
        link the server gave is used without the key. The file appears whole or not at all: a
        download that stops short leaves nothing behind and raises APIConnectionError."""
        checked = _variant(variant)
        url = f"/videos/{_segment(video_id)}/content"
        if path is None:
            path = re.sub(r"[^A-Za-z0-9_-]", "_", video_id) + DEFAULT_SUFFIXES[checked]
        target = Path(path)
        await asyncio.to_thread(target.parent.mkdir, parents=True, exist_ok=True)
        params: dict[str, Any] = {"variant": checked}
        if await self.shape() == "openrouter":
            if checked is not ContentVariant.VIDEO:
                self._refuse_unsupported("variants")
            params = {"index": index}
            signed = self._signed_urls.get(video_id, [])
            if index < len(signed):
                try:
                    return await self._download(
                        self._anonymous, signed[index], {}, video_id, checked, target, "a link"
                    )
                except SoraError as error:  # expired or refused: the keyed route still has it
                    logger.info("A pre-signed link failed (%s): using the content route", error)
        elif index:
            raise InvalidRequestError("index", "Only OpenRouter-shaped servers number outputs.")
        return await self._download(self._http, url, params, video_id, checked, target, url)

    async def _download(
        self,
        http: httpx.AsyncClient,
        url: str,
        params: dict[str, Any],
        video_id: str,
        variant: ContentVariant,
        target: Path,
        label: str,
    ) -> Path:
        """Stream one download into `target`, retried; `label` names it in messages (a
        pre-signed link is a secret of its own, never written out)."""

        async def download_once() -> httpx.Response:
            # No `params` at all for a link: httpx would replace its query (the signature).
            async with http.stream("GET", url, params=params or None) as response:
                if response.is_success:
                    self._learn_variants(variant, response)
                    await _save_atomically(response, target, _content_check(video_id, variant))
                else:
                    await response.aread()
                return response

        await self._retrying(download_once, "GET", label, creating=False)
        return target

    async def create_character(self, video: VideoInput, name: str) -> Character:
        """A reusable character from a video (the API expects an MP4 upload)."""
        if not isinstance(name, str) or not 1 <= len(name) <= 80:
            raise InvalidRequestError(
                "name", f"'name' must be a string of 1 to 80 characters, got {_preview(name)}."
            )
        parts = _form(name=name) + await asyncio.to_thread(_video_parts, video)
        response = await self._send("POST", "/videos/characters", creating=True, files=parts)
        return _parse(response, Character.from_dict)

    async def retrieve_character(self, character_id: str) -> Character:
        path = f"/videos/characters/{_segment(character_id, 'character_id')}"
        return _parse(await self._send("GET", path), Character.from_dict)

    # ---- what the server supports ---------------------------------------------------------------

    def _refuse_unsupported(self, feature: str) -> None:
        """Raise UnsupportedFeature, without a request, for what the server is known to lack."""
        if self.support.unsupported(feature):
            raise UnsupportedFeature(
                feature, self.support.reason(feature), status_code=self.support.status(feature)
            )

    async def _feature_send(
        self,
        feature: str,
        method: str,
        path: str,
        route: str | None,
        *,
        names_a_video: bool,
        **kwargs: Any,
    ) -> httpx.Response:
        """`_send` for an endpoint not every server has: an answer saying the route is missing
        is remembered, and raises UnsupportedFeature now and on every later call."""
        self._refuse_unsupported(feature)
        try:
            response = await self._send(method, path, **kwargs)
        except APIError as error:
            if not endpoint_missing(
                error.status_code, error.message, error.api_body, names_a_video=names_a_video
            ):
                raise
            evidence = f"{error.status_code} to {route or f'{method} {path}'}"
            self.support.learn(feature, False, evidence, error.status_code)
            raise UnsupportedFeature(
                feature,
                self.support.reason(feature),
                status_code=error.status_code,
                request_id=error.request_id,
                api_body=error.api_body,
            ) from None
        self.support.learn(feature, True)
        return response

    def _learn_variants(self, variant: ContentVariant, response: httpx.Response) -> None:
        """A thumbnail or spritesheet answered with a video: the server ignores `variant`."""
        if variant is ContentVariant.VIDEO:
            return
        content_type = response.headers.get("content-type", "").lower()
        if content_type.startswith("video/"):
            evidence = f"{content_type} for variant={variant.value}"
            self.support.learn("variants", False, evidence, response.status_code)
        elif content_type.startswith("image/"):
            self.support.learn("variants", True)

    # ---- one request, with retries --------------------------------------------------------------

    async def _send(
        self, method: str, path: str, *, creating: bool = False, **kwargs: Any
    ) -> httpx.Response:
        """A 2xx response whose body arrived whole, or a typed exception."""

        async def send_once() -> httpx.Response:
            response = await self._http.request(method, path, **kwargs)
            _check_complete(response, len(response.content))
            return response

        return await self._retrying(send_once, method, path, creating=creating)

    async def _retrying(
        self,
        send_once: Callable[[], Awaitable[httpx.Response]],
        method: str,
        path: str,
        *,
        creating: bool,
    ) -> httpx.Response:
        """Repeat `send_once` as the retry policy allows; `creating` calls are never duplicated."""
        attempt = waits = 0
        reason: int | str  # the status answered, or the connection error's name
        while True:
            try:
                response = await send_once()
            except httpx.RequestError as error:
                if attempt >= self._retry.max_retries or not self._retry.may_retry_error(
                    error, creating
                ):
                    raise self._connection_error(error, method, path, creating) from None
                delay, reason = self._retry.delay(attempt), type(error).__name__
            else:
                if response.is_success:
                    return response
                retry_after = parse_retry_after(response.headers)
                delay, reason = self._retry.delay(attempt, retry_after), response.status_code
                if self._retry.waits_out(response.status_code, retry_after, waits):
                    waits += 1  # an appointment kept, not a try spent
                    await self._announce_and_wait(method, path, reason, delay, attempt)
                    continue
                if attempt >= self._retry.max_retries or not self._retry.may_retry_status(
                    response.status_code, creating
                ):
                    raise _api_error(response)
            attempt += 1
            await self._announce_and_wait(method, path, reason, delay, attempt)

    async def _announce_and_wait(
        self, method: str, path: str, reason: int | str, delay: float, attempt: int
    ) -> None:
        """Tell the listeners and the jobs the request is for, then wait `delay` seconds."""
        status = reason if isinstance(reason, int) else None
        notice = RetryNotice(method, path, status, delay, attempt, requesting_jobs())
        for listener in list(self._retry_listeners):
            listener(notice)
        for job in notice.jobs:
            job.retried(notice)
        logger.info(
            "%s %s failed (%s); retry %d of %d in %.2f s",
            method,
            path,
            reason,
            attempt,
            self._retry.max_retries,
            delay,
        )
        await self._sleep(delay)

    def _connection_error(
        self, error: httpx.RequestError, method: str, path: str, creating: bool
    ) -> APIConnectionError:
        """Our own words only (`from None` above): httpx errors carry the request's headers."""
        detail = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
        if isinstance(error, httpx.TimeoutException):
            error_class: type[APIConnectionError] = APITimeoutError
            message = f"{method} {path} got no answer from {self.display_url} in time ({detail})."
        else:
            error_class = APIConnectionError
            message = f"{method} {path} to {self.display_url} failed ({detail})."
        if isinstance(error, NEVER_SENT):
            message += " Check the network connection and OPENAI_BASE_URL."
        elif creating:
            message += " " + MAYBE_CREATED
        return error_class(message)


# ---- requests ---------------------------------------------------------------------------------


def _authorizer(
    origin: httpx.URL, name: str, value: str
) -> Callable[[httpx.Request], Awaitable[None]]:
    """A request hook adding the key for the API's origin only: a redirect elsewhere (say, a
    CDN serving a download) must not receive it. The key lives only in this closure."""

    async def authorize(request: httpx.Request) -> None:
        if (request.url.scheme, request.url.netloc) == (origin.scheme, origin.netloc):
            request.headers[name] = value
        else:
            request.headers.pop(name, None)

    return authorize


def _form(**fields: str) -> FormParts:
    """Plain multipart fields (no filename), the encoding the official SDK uses."""
    return [(name, (None, value)) for name, value in fields.items()]


def _made_by_litellm(video_id: str) -> bool:
    """LiteLLM's proxy makes its video ids "video_" and the base64 of "litellm:..." (the
    provider and model it routes the video's later requests by)."""
    encoded = video_id.removeprefix("video_")
    try:
        said = base64.b64decode(encoded + "=" * (-len(encoded) % 4))
    except ValueError:
        return False
    return said.startswith(b"litellm:")


def _names_file(text: str) -> bool:
    """Whether `text` is the path of an existing file; an id too long to be a file name (a
    LiteLLM id runs to hundreds of characters) is not one, whatever the OS says of it."""
    try:
        return Path(text).is_file()
    except OSError:  # ENAMETOOLONG, which `is_file` does not take for "no such file"
        return False


def _video_parts(video: VideoInput) -> FormParts:
    """`video[id]` for an id, as the official SDK sends it, but a `video` field of `{"id"}`
    for an id LiteLLM's proxy made: the only form it reads (it takes `video[id]` for no video
    and sends the request to OpenAI's own host); otherwise the MP4 file itself.

    A string is an id unless it names an existing file or ends in ".mp4".
    """
    if isinstance(video, str) and not (video.lower().endswith(".mp4") or _names_file(video)):
        _segment(video, "video")
        if _made_by_litellm(video):
            return _form(video=json.dumps({"id": video}))
        return _form(**{"video[id]": video})
    if isinstance(video, bytes | bytearray):
        data, filename = bytes(video), "video.mp4"
    elif isinstance(video, str | os.PathLike):
        try:
            data, filename = Path(video).read_bytes(), Path(video).name
        except OSError as error:
            raise InvalidRequestError(
                "video", f"'video' could not be read from {str(video)!r}: {error.strerror}."
            ) from None
    else:
        raise InvalidRequestError(
            "video",
            "Invalid type for 'video': expected a video id, an MP4 file path or bytes, "
            f"but got {type(video).__name__}.",
            "invalid_type",
        )
    if data[4:8] != b"ftyp":
        raise InvalidRequestError(
            "video", f"'video' ({filename}) is not an MP4 file: upload an .mp4 video."
        )
    return [("video", (filename, data, "video/mp4"))]


def _segment(value: object, param: str = "video_id") -> str:
    """An id as exactly one URL path segment, so no id can reach another endpoint.

    Ids are the server's and opaque (`=`, `/`, even `..`): every character that could end or
    climb the segment is percent-encoded, dots included, which URL normalisation leaves alone.
    """
    if not isinstance(value, str) or not value.strip():
        raise InvalidRequestError(
            param, f"'{param}' must be an id such as 'video_123', got {_preview(value)}."
        )
    return quote(value, safe="").replace(".", "%2E")


def _variant(variant: object) -> ContentVariant:
    try:
        return ContentVariant(str(variant))
    except ValueError:
        raise InvalidRequestError(
            "variant",
            f"Invalid value for 'variant': {_preview(variant)}. Supported values are "
            "'video', 'thumbnail' and 'spritesheet'.",
        ) from None


def _list_params(limit: object, order: object, after: object) -> dict[str, Any]:
    if limit is not None and (
        not isinstance(limit, int) or isinstance(limit, bool) or not 0 <= limit <= 100
    ):
        raise InvalidRequestError(
            "limit", f"Invalid value for 'limit': {_preview(limit)}. Expected 0 to 100."
        )
    if order is not None and order not in ("asc", "desc"):
        raise InvalidRequestError(
            "order",
            f"Invalid value for 'order': {_preview(order)}. Supported values are 'asc' and 'desc'.",
        )
    if after is not None:
        _segment(after, "after")
    params = {"limit": limit, "order": order, "after": after}
    return {name: value for name, value in params.items() if value is not None}


def _preview(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# ---- responses --------------------------------------------------------------------------------


def _check_complete(response: httpx.Response, body_length: int) -> None:
    """A body shorter than its Content-Length is a dropped connection. httpx reports this on
    real sockets but not from in-process transports, so check it for both alike."""
    expected = response.headers.get("content-length", "")
    encoded = response.headers.get("content-encoding", "identity") != "identity"
    received = response.num_bytes_downloaded if encoded else body_length
    if expected.isdigit() and received < int(expected):
        raise httpx.RemoteProtocolError(
            f"the body ended after {received} of {expected} bytes", request=response.request
        )


async def _save_atomically(
    response: httpx.Response, target: Path, check: Callable[[httpx.Response, bytes], None]
) -> None:
    """Stream into a temporary file beside `target`; it replaces `target` only when complete,
    and only if `check` accepts its first bytes (a file is what its bytes say, not its content
    type). The disk work happens in worker threads (see `atomic_stream`)."""
    async with atomic_stream(target) as file:
        head = b""
        async for chunk in response.aiter_bytes():
            if len(head) < HEAD_BYTES:
                head += chunk[: HEAD_BYTES - len(head)]
                if len(head) == HEAD_BYTES:
                    check(response, head)
            await file.write(chunk)
        _check_complete(response, file.tell())  # a body cut short is retried, not judged
        if len(head) < HEAD_BYTES:
            check(response, head)


def _content_check(
    video_id: str, variant: ContentVariant
) -> Callable[[httpx.Response, bytes], None]:
    """Refuse a download whose bytes are not the variant's: LiteLLM and SGLang answer the MP4
    for every variant, gateways an HTML page with 200."""

    def check(response: httpx.Response, head: bytes) -> None:
        kind = sniff(head)
        if kind in ACCEPTED[variant]:
            return
        content_type = response.headers.get("content-type") or "no content type"
        sent = f"{describe(kind)} ({content_type})"
        message = (
            f"The server sent {sent} as the {variant} of video {video_id}, not "
            f"{' or '.join(k.upper() for k in ACCEPTED[variant])}."
        )
        if variant == ContentVariant.VIDEO:
            message += (
                " Nothing was saved and the video stays on the server (it is paid for): "
                "resume(client, library) tries the download again; if it keeps failing, "
                "check that OPENAI_BASE_URL points at the Videos API."
            )
        raise UnexpectedContentError(
            message,
            status_code=response.status_code,
            code="unexpected_content",
            request_id=response.headers.get("x-request-id"),
            sent=sent,
        )

    return check


def _parse(response: httpx.Response, build: Callable[[dict[str, Any]], T]) -> T:
    """The JSON object in a 2xx response, built into a result; anything else is an APIError."""
    try:
        body = json.loads(response.content)
    except ValueError:
        body = None
    if isinstance(body, dict):
        try:
            return build(body)
        except (KeyError, TypeError, ValueError) as error:
            problem = f"a JSON object of an unexpected shape ({type(error).__name__}: {error})"
    else:
        content_type = response.headers.get("content-type") or "no content type"
        problem = f"{content_type}: {_snippet(response.content)}"
    raise APIError(
        f"Expected a JSON object from {response.request.method} {response.request.url.path}, "
        f"got {problem}. Check that OPENAI_BASE_URL points at the Videos API (it usually ends "
        "in /v1).",
        status_code=response.status_code,
        request_id=response.headers.get("x-request-id"),
    )


def _server_models(body: dict[str, Any], headers: httpx.Headers) -> ServerModels:
    """The names to offer; `mode` on the entries is LiteLLM's own addition to the list (its
    proxy sends no version header on this route), so it also says which server this is."""
    items = [item for item in body.get("data") or [] if isinstance(item, dict)]
    names = [str(item["id"]) for item in items if isinstance(item.get("id"), str)]
    with_modes = any("mode" in item for item in items)
    if with_modes:
        names = [str(i["id"]) for i in items if i.get("mode") == "video_generation" and i.get("id")]
    litellm = with_modes or "x-litellm-version" in headers
    return ServerModels(names=order_models(names), kind="LiteLLM" if litellm else None)


def _video_page(body: dict[str, Any]) -> VideoPage:
    return VideoPage(
        data=[Video.from_dict(item) for item in body.get("data") or []],
        first_id=body.get("first_id"),
        last_id=body.get("last_id"),
        has_more=bool(body.get("has_more")),
    )


def _charged(response: httpx.Response) -> float | None:
    return usd_amount(response.headers.get(COST_HEADER))


def _poll_hint(response: httpx.Response) -> float | None:
    try:
        return max(0.0, float(response.headers[POLL_HINT_HEADER]) / 1000)
    except (KeyError, ValueError):
        return None


def _api_error(response: httpx.Response) -> APIError:
    """The typed exception for an error response, from its `{"error": {...}}` body if any."""
    body: Any = None
    if len(response.content) <= MAX_ERROR_BODY:
        with contextlib.suppress(ValueError):
            body = json.loads(response.content)
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict) and error.get("message"):
        message = str(error["message"])
        details = {name: _optional_str(error.get(name)) for name in ("code", "param", "type")}
    else:
        message = (
            error
            if isinstance(error, str) and error
            else f"The server answered {response.status_code} {response.reason_phrase} without "
            f"an API error body: {_snippet(response.content)}"
        )
        details = {}
    error_class = error_class_for_status(response.status_code)
    metadata = error.get("metadata") if isinstance(error, dict) else None
    kwargs: dict[str, Any] = {
        "status_code": response.status_code,
        "api_body": bool(details),
        "request_id": response.headers.get("x-request-id"),
        "metadata": metadata if isinstance(metadata, dict) else None,
        **details,
    }
    if error_class is RateLimitError:
        kwargs["retry_after"] = parse_retry_after(response.headers)
    return error_class(message, **kwargs)


def _optional_str(value: object) -> str | None:
    return None if value is None else str(value)


def _snippet(body: bytes) -> str:
    """The start of a body, on one line, for messages about responses we cannot parse."""
    text = " ".join(body[: SNIPPET_CHARS * 4].decode("utf-8", "replace").split())
    if not text:
        return "(empty body)"
    cut = len(text) > SNIPPET_CHARS or len(body) > SNIPPET_CHARS * 4
    return repr(text[:SNIPPET_CHARS]) + (" (cut)" if cut else "")


def _openrouter_credits(body: dict[str, Any]) -> Credits:
    data = body.get("data")
    if not isinstance(data, dict):
        data = body
    return Credits(
        limit=usd_amount(data.get("limit")),
        usage=usd_amount(data.get("usage")),
        remaining=usd_amount(data.get("limit_remaining")),
    )


def _litellm_credits(body: dict[str, Any]) -> Credits:
    info = body.get("info")
    if not isinstance(info, dict):
        info = body
    budget, spend = usd_amount(info.get("max_budget")), usd_amount(info.get("spend"))
    remaining = None if budget is None else round(max(budget - (spend or 0.0), 0.0), 6)
    return Credits(limit=budget, usage=spend, remaining=remaining)


def _attribution() -> dict[str, str]:
    """The attribution headers from the environment, else this package's name."""
    return {
        header: os.environ.get(variable) or DEFAULT_ATTRIBUTION[header]
        for header, variable in ATTRIBUTION_ENV.items()
    }
