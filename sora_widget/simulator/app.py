"""The simulated Videos API: the routes of `reference/openai-videos-openapi.yml` under `/v1`.

`create_app()` returns a Starlette app that can be served by uvicorn or mounted in-process with
`httpx.ASGITransport`. Job state is derived from the clock (see `timeline`), media are rendered
in a worker process (see `render`), and everything is kept on disk (see `store`).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import io
import multiprocessing
import os
import pickle
import random
import secrets
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from pathlib import Path
from typing import Any

from PIL import Image
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sora_widget.core.errors import InvalidRequestError
from sora_widget.core.types import SIMULATOR_HEADER, ContentVariant, VideoStatus, parse_size

from .accepts import (
    CREATE_SECONDS,
    DEFAULT_MODEL,
    DEFAULT_SECONDS,
    DEFAULT_SIZE,
    EXTENSION_SECONDS,
    UPLOAD_MODEL,
    accept_create,
    accept_prompt,
    accept_seconds,
    accept_size,
)
from .class_report import class_report
from .config import SimulatorConfig
from .continuation import continued_video
from .errors import (
    SimulatorHTTPError,
    error_response,
    openrouter_error_response,
    openrouter_response,
)
from .extras import Extras, is_inline_image, read_extras
from .fair_queue import FairQueue
from .gate import Door, Gate
from .limits import BodyLimit, HostCheck, allowed_hosts
from .openrouter_routes import DOOR as OPENROUTER_DOOR
from .openrouter_routes import OpenRouter
from .owners import Owners
from .profiles import Api, Endpoint, MissingRoute, profile_named
from .render import RenderRequest, probe_video, render
from .requests import (
    content_type,
    decode_image,
    optional_string,
    read_fields,
    reference_image_bytes,
    upload_bytes,
)
from .store import CONTENT_TYPES, CharacterRecord, Store, VideoRecord
from .timeline import Snapshot, plan_timeline, poll_hint_ms, snapshot
from .veo import Veo

REFERENCE_FILE = "reference.png"
LAST_FRAME_FILE = "last_frame.png"
PICTURE_FILE = "picture_{}.png"  # a reference image (up to three)
DEFAULT_LIST_LIMIT = 20
FINAL_STATUSES = (VideoStatus.COMPLETED, VideoStatus.FAILED)


class Simulator:
    """The API's behaviour; routes are its methods, state is its store."""

    def __init__(
        self, config: SimulatorConfig, clock: Callable[[], float], executor: Executor
    ) -> None:
        self.config = config
        self.profile = profile_named(config.profile)
        self.clock = clock
        self.executor = executor
        self.store = Store.open(Path(config.data_dir))
        self.owners = Owners(Path(config.data_dir), config.teacher, config.class_keys)
        self.random = random.Random(config.faults.seed)
        self._renders: dict[str, asyncio.Future[Any]] = {}
        #: Which video each render request made (by digest). The renderer is deterministic, so
        #: the same request again (a class running one cell, a benchmark's second run) shares
        #: those files instead of rendering them again; the job still takes its planned time.
        self._made_by: dict[str, str] = {}
        #: Renders waiting for one of the `_slots` render workers, in turns by owner.
        self._waiting: FairQueue[tuple[str, str, RenderRequest]] = FairQueue()
        self._slots = config.workers
        self._busy = 0
        self._closed = False
        self._resumed = False

    # ---- the lifecycle ----------------------------------------------------------------------

    def _snapshot(self, record: VideoRecord) -> Snapshot:
        """The job's true state now, before the profile decides what a client sees of it."""
        return snapshot(
            record.created_at,
            record.timeline,
            self.clock(),
            rendered_at=record.rendered_at,
            fail_at=record.failure[2] if record.failure else None,
        )

    def video_json(self, record: VideoRecord) -> dict[str, Any]:
        state = self._snapshot(record)
        finished = state.finished_at if state.status is VideoStatus.COMPLETED else None
        completed_at = int(finished) if finished is not None else None
        error = None
        if state.status is VideoStatus.FAILED and record.failure:
            error = {"code": record.failure[0], "message": record.failure[1]}
        status, progress = self.profile.observed(state.status, state.progress)
        return {
            "id": record.id,
            "object": "video",
            "model": record.model,
            "status": str(status),
            "progress": progress,
            "created_at": int(record.created_at),
            "completed_at": completed_at,
            "expires_at": (
                completed_at + self.config.link_ttl_seconds if completed_at is not None else None
            ),
            "prompt": record.prompt,
            "size": record.size,
            "seconds": record.seconds,
            "remixed_from_video_id": record.remixed_from_video_id,
            "error": error,
        }

    def _decide_failure(self, prompt: str) -> tuple[str, str, float] | None:
        faults = self.config.faults
        if _mentions(prompt, faults.blocked_words):
            return (
                "moderation_blocked",
                "Your request was blocked by our moderation system.",
                0.05,
            )
        if faults.failure_rate and self.random.random() < faults.failure_rate:
            return (
                "video_generation_failed",
                "Video generation failed. Please try again.",
                round(self.random.uniform(0.2, 0.9), 2),
            )
        return None

    def answer(
        self, record: VideoRecord, request: Request, headers: dict[str, str] | None = None
    ) -> JSONResponse:
        """The video object as the profile's server writes it."""
        return JSONResponse(self._presented(record, request), headers=headers)

    def _presented(self, record: VideoRecord, request: Request) -> dict[str, Any]:
        content_url = f"{request.base_url}v1/videos/{record.id}/content"
        shown = self.owners.shown_to(self.owners.of_request(request), record)
        return {**self.profile.present(self.video_json(record), content_url), **shown}

    def _new_record(self, video_id: str | None = None, **fields: Any) -> VideoRecord:
        """A job's record (not yet kept); `video_id` when its API names ids its own way."""
        self._check_room(fields.get("owner"))
        video_id = video_id or self.profile.new_id()
        record = VideoRecord(
            id=video_id,
            created_at=self.clock(),
            timeline=plan_timeline(
                fields["prompt"],
                fields["model"],
                fields["size"],
                int(fields["seconds"]),
                self.config.speed,
            ),
            failure=self._decide_failure(fields["prompt"]),
            no_video=_mentions(fields["prompt"], self.config.faults.no_video_words),
            **fields,
        )
        self.store.assets_dir(video_id).mkdir(parents=True, exist_ok=True)
        return record

    def launch(
        self, record: VideoRecord, reference: bytes | None = None, extras: Extras | None = None
    ) -> VideoRecord:
        """Keep a new job and start rendering it (unless it is set to fail)."""
        assets = self.store.assets_dir(record.id)
        if reference is not None:
            (assets / REFERENCE_FILE).write_bytes(reference)
            record.has_reference = True
        if extras is not None:
            record.options, record.received = extras.options(), extras.received
            if extras.last_frame is not None:
                (assets / LAST_FRAME_FILE).write_bytes(extras.last_frame)
                record.has_last_frame = True
            for n, picture in enumerate(extras.reference_images):
                (assets / PICTURE_FILE.format(n)).write_bytes(picture)
            record.reference_count = len(extras.reference_images)
        self.store.save(record)
        if record.failure is None:
            self._schedule_render(record)
        return record

    def continued_from(self, owner: str | None, first_frame: bytes | None) -> str | None:
        """The video a create goes on from: the one whose last frame is its first frame, among
        those its owner may see (see `continuation`). Asked before the job's clock starts."""
        if first_frame is None:
            return None
        seen = [v for v in self.store.videos.values() if v.ending and self.owners.sees(owner, v)]
        return continued_video(first_frame, seen) if seen else None

    def _check_room(self, owner: str | None) -> None:
        """A 429 when the owner already has `per_key_jobs` videos queued or in progress, as
        OpenAI answers too many concurrent requests; it says when the first should be done."""
        cap = self.config.per_key_jobs
        if not cap or owner is None:
            return
        in_flight = [
            record
            for record in self.store.videos.values()
            if record.owner == owner and self._snapshot(record).status not in FINAL_STATUSES
        ]
        if len(in_flight) < cap:
            return
        first_done = min(record.created_at + record.timeline.total_seconds for record in in_flight)
        wait = max(1.0, first_done - self.clock())
        raise SimulatorHTTPError(
            429,
            f"Too many concurrent requests: this key already has {len(in_flight)} videos queued "
            f"or in progress, the most allowed at once ({cap}). Please try again in {wait:.1f}s, "
            "once one of them is finished.",
            code="rate_limit_exceeded",
            type="requests",
            headers={"retry-after": str(round(wait)), "retry-after-ms": str(int(wait * 1000))},
        )

    def render_request(self, record: VideoRecord) -> RenderRequest:
        """Rebuilt from the store, so remixes of remixes keep their whole lineage."""
        source = self.store.videos.get(record.source_id) if record.source_id else None
        continued = self.store.videos.get(record.continues_id) if record.continues_id else None
        source = source or continued
        assets = self.store.assets_dir(record.id)
        reference_path = assets / REFERENCE_FILE
        width, height = parse_size(record.size)
        return RenderRequest(
            prompt=record.prompt,
            width=width,
            height=height,
            seconds=int(record.seconds),
            reference_image=reference_path.read_bytes() if record.has_reference else None,
            source=self.render_request(source) if source is not None else None,
            extend=record.extend and source is not None,
            model=record.model,
            seed=record.options.get("seed"),
            negative_prompt=record.options.get("negative_prompt", ""),
            last_frame=(assets / LAST_FRAME_FILE).read_bytes() if record.has_last_frame else None,
            reference_images=tuple(
                (assets / PICTURE_FILE.format(n)).read_bytes()
                for n in range(record.reference_count)
            ),
            generate_audio=record.options.get("generate_audio", True),
            flaws=self.config.flaws,
            continuation=continued is not None,
        )

    def _schedule_render(self, record: VideoRecord) -> None:
        """Shares an identical earlier render at once; else waits for its owner's turn."""
        loop = asyncio.get_running_loop()
        request = self.render_request(record)
        digest = hashlib.sha256(pickle.dumps(request)).hexdigest()
        earlier = self._made_by.get(digest)
        future: asyncio.Future[Any]
        if earlier is not None:
            future = loop.run_in_executor(None, self._share_or_render, earlier, record.id, request)
        else:
            future = loop.create_future()
            self._waiting.push(record.owner or "", (record.id, digest, request))
        self._renders[record.id] = future
        future.add_done_callback(lambda done: self._rendered(record.id, digest, done))
        self._start_renders()

    def _start_renders(self) -> None:
        """Fill the free render slots from the fair queue; a render whose video was deleted
        while it waited is skipped."""
        loop = asyncio.get_running_loop()
        while self._busy < self._slots and self._waiting:
            video_id, digest, request = self._waiting.pop()
            waiting = self._renders.get(video_id)
            if waiting is None or waiting.done():
                continue
            if video_id not in self.store.videos:
                waiting.cancel()
                continue
            self._busy += 1
            work = loop.run_in_executor(
                self.executor, render, request, self.store.assets_dir(video_id)
            )
            work.add_done_callback(functools.partial(self._slot_freed, waiting=waiting))

    def _slot_freed(self, work: asyncio.Future[Any], waiting: asyncio.Future[Any]) -> None:
        self._busy -= 1
        if not waiting.done():
            if work.cancelled():
                waiting.cancel()
            elif (error := work.exception()) is not None:
                waiting.set_exception(error)
            else:
                waiting.set_result(work.result())
        if not self._closed:
            self._start_renders()

    def _share_or_render(self, earlier: str, video_id: str, request: RenderRequest) -> None:
        """In a thread: the earlier video's files, or (deleted meanwhile) a render of its own."""
        if not self.store.share_media(earlier, video_id):
            self.executor.submit(render, request, self.store.assets_dir(video_id)).result()

    def _rendered(self, video_id: str, digest: str, done: asyncio.Future[Any]) -> None:
        self._renders.pop(video_id, None)
        record = self.store.videos.get(video_id)
        if record is None:  # deleted while it rendered: its media are nobody's
            self.store.delete(video_id)
            return
        if done.cancelled():
            return
        if done.exception() is not None:
            record.failure = (
                "video_generation_failed",
                "Video generation failed. Please try again.",
                0.99,
            )
            record.render_error = repr(done.exception())
        else:
            record.rendered_at = self.clock()
            made = done.result()  # None when an earlier identical render's files were shared
            earlier = self.store.videos.get(self._made_by.get(digest, ""))
            record.ending = made.ending if made is not None else earlier.ending if earlier else None
            self._made_by[digest] = video_id
        self.store.save(record)

    def resume_renders(self) -> None:
        """After a restart, finish the media of jobs that were still rendering."""
        if self._resumed:
            return
        self._resumed = True
        for record in list(self.store.videos.values()):
            if record.rendered_at is None and record.failure is None:
                self._schedule_render(record)

    def close(self) -> None:
        """Stop rendering; unfinished media are rendered again by the next server."""
        self._closed = True
        self.executor.shutdown(wait=True, cancel_futures=True)

    def create_job(
        self, *, model: object, prompt: object, size: object, seconds: object, owner: str | None
    ) -> VideoRecord:
        """A job for another API's create (see `veo`), checked as a Videos API create is."""
        fields = accept_create(prompt=prompt, model=model, size=size, seconds=seconds)
        return self.launch(self._new_record(owner=owner, **fields))

    def find(self, video_id: str, owner: str | None) -> VideoRecord:
        return self._require(video_id, owner)

    def _require(self, video_id: str, owner: str | None) -> VideoRecord:
        """The video, if `owner` may see it: another owner's reads exactly as an unknown id."""
        record = self.store.videos.get(video_id)
        if record is None or not self.owners.sees(owner, record):
            raise SimulatorHTTPError(
                404,
                f"Video with id '{video_id[:100]}' not found.",
                param="video_id",
                code="video_not_found",
            )
        return record

    def _require_completed(self, video_id: str, owner: str | None, action: str) -> VideoRecord:
        record = self._require(video_id, owner)
        status = self.video_json(record)["status"]
        if status != VideoStatus.COMPLETED:
            raise SimulatorHTTPError(
                400,
                f"Cannot {action} video '{video_id}' while its status is '{status}': "
                "only completed videos can be used.",
                param="video_id",
                code="invalid_video_state",
            )
        return record

    # ---- routes -----------------------------------------------------------------------------

    async def create_video(self, request: Request) -> Response:
        return self.answer(await self._create(request), request)

    async def create_video_sync(self, request: Request) -> Response:
        """vLLM-Omni's blocking create: the same checks, then the MP4 once it is made."""
        record = await self._create(request)
        rendering = self._renders.get(record.id)
        if rendering is not None:
            await asyncio.wait([rendering])  # its callback has marked the record by now
        # The state is a function of the clock: sleep until the timeline says it is done.
        await asyncio.sleep(
            max(0.0, record.created_at + record.timeline.total_seconds - self.clock())
        )
        body = self.video_json(record)
        if body["status"] != VideoStatus.COMPLETED:
            error = body["error"] or {}
            raise SimulatorHTTPError(
                500, error.get("message", "Video generation failed."), type="server_error"
            )
        filename, media_type = CONTENT_TYPES[ContentVariant.VIDEO]
        return FileResponse(self.store.assets_dir(record.id) / filename, media_type=media_type)

    async def _create(self, request: Request) -> VideoRecord:
        encoding = content_type(request)
        if encoding == "application/json" and not self.profile.takes_json:
            raise SimulatorHTTPError(
                400,
                "Field required: body.prompt. This server reads multipart/form-data only: "
                "send the fields as a form (curl -F prompt=...).",
                type="BadRequestError",
                code=400,
            )
        fields = await read_fields(request)
        if (
            encoding == "multipart/form-data"
            and self.profile.multipart_needs_reference
            and fields.get("input_reference") is None
        ):
            raise SimulatorHTTPError(
                400,
                "A multipart/form-data create must include 'input_reference': send a text-only "
                "request as JSON.",
                param="input_reference",
                code="missing_required_parameter",
            )
        job = accept_create(
            prompt=fields.get("prompt"),
            model=optional_string(fields, "model", self.profile.default_model),
            size=optional_string(fields, "size", DEFAULT_SIZE),
            seconds=optional_string(fields, "seconds", DEFAULT_SECONDS),
        )
        size = job["size"]
        extras = await read_extras(fields)
        reference = None
        upload = fields.get("input_reference")
        data = extras.first_frame  # sent inline by a JSON route (fal, DashScope, Runway, Veo)
        if upload is not None and not is_inline_image(upload):
            data = await reference_image_bytes(upload)
        if data is not None:
            image = decode_image(data, "input_reference")
            if f"{image.width}x{image.height}" != size:
                raise SimulatorHTTPError(
                    400,
                    "Inpaint image must match the requested width and height: the image is "
                    f"{image.width}x{image.height}, the requested size is {size}.",
                    param="input_reference",
                    code="invalid_image_dimensions",
                )
            reference = _as_png(image)
        owner = self.owners.of_request(request)
        continues_id = self.continued_from(owner, reference)
        record = self._new_record(owner=owner, continues_id=continues_id, **job)
        return self.launch(record, reference, extras)

    async def list_videos(self, request: Request) -> Response:
        params = request.query_params
        limit = _int_param(params.get("limit"), "limit", DEFAULT_LIST_LIMIT, 0, 100)
        order = params.get("order", "desc")
        if order not in ("asc", "desc"):
            raise SimulatorHTTPError(
                400,
                f"Invalid value for 'order': {order[:50]!r}. "
                "Supported values are 'asc' and 'desc'.",
                param="order",
                code="invalid_value",
            )
        owner = self.owners.of_request(request)
        visible = [r for r in self.store.videos.values() if self.owners.sees(owner, r)]
        records = sorted(visible, key=lambda r: (r.created_at, r.id))
        if order == "desc":
            records.reverse()
        after = params.get("after")
        if after:
            ids = [r.id for r in records]
            if after not in ids:
                raise SimulatorHTTPError(
                    400,
                    f"Invalid value for 'after': no video with id '{after[:100]}'.",
                    param="after",
                    code="invalid_value",
                )
            records = records[ids.index(after) + 1 :]
        page = [self._presented(r, request) for r in records[:limit]]
        return JSONResponse(
            {
                "object": "list",
                "data": page,
                "first_id": page[0]["id"] if page else None,
                "last_id": page[-1]["id"] if page else None,
                "has_more": len(records) > limit,
            }
        )

    async def retrieve_video(self, request: Request) -> Response:
        record = self._require(request.path_params["video_id"], self.owners.of_request(request))
        if not self.profile.poll_hint:
            return self.answer(record, request)
        status = VideoStatus(self.video_json(record)["status"])
        hint = poll_hint_ms(record.timeline, record.created_at, self.clock(), status)
        return self.answer(record, request, headers={"openai-poll-after-ms": str(hint)})

    async def delete_video(self, request: Request) -> Response:
        record = self._require(request.path_params["video_id"], self.owners.of_request(request))
        status = self.video_json(record)["status"]
        as_status = self.profile.deletes_as_status
        if not as_status and status not in FINAL_STATUSES:
            raise SimulatorHTTPError(
                400,
                f"Cannot delete video '{record.id}' while its status is '{status}': "
                "wait until it is completed or failed.",
                param="video_id",
                code="invalid_video_state",
            )
        if as_status:
            # SGLang has no abort: the job renders on, and `_rendered` clears what it leaves.
            body = {**self._presented(record, request), "status": "deleted"}
        else:
            future = self._renders.pop(record.id, None)
            if future is not None:
                future.cancel()
            body = {"id": record.id, "object": "video.deleted", "deleted": True}
        self.store.delete(record.id)
        return JSONResponse(body)

    async def remix_video(self, request: Request) -> Response:
        fields = await read_fields(request)
        owner = self.owners.of_request(request)
        source = self._require_completed(request.path_params["video_id"], owner, "remix")
        prompt = accept_prompt(fields.get("prompt"))
        record = self._new_record(
            model=source.model,
            prompt=prompt,
            size=source.size,
            seconds=source.seconds,
            remixed_from_video_id=source.id,
            source_id=source.id,
            owner=owner,
        )
        return self.answer(self.launch(record), request)

    async def download_content(self, request: Request) -> Response:
        record = self._require(request.path_params["video_id"], self.owners.of_request(request))
        raw_variant = request.query_params.get("variant", "video")
        if not self.profile.media_variants:
            raw_variant = ContentVariant.VIDEO
        try:
            variant = ContentVariant(raw_variant)
        except ValueError:
            raise SimulatorHTTPError(
                400,
                f"Invalid value for 'variant': {raw_variant[:50]!r}. "
                "Supported values are 'video', 'thumbnail', and 'spritesheet'.",
                param="variant",
                code="invalid_value",
            ) from None
        body = self.video_json(record)
        if body["status"] != VideoStatus.COMPLETED:
            raise SimulatorHTTPError(
                400,
                f"Video '{record.id}' is not ready: its status is '{body['status']}' "
                f"({body['progress']}%). Download its content once it is completed.",
                param="video_id",
                code="video_not_ready",
            )
        if self.clock() >= body["expires_at"]:
            raise SimulatorHTTPError(
                404,
                f"The content of video '{record.id}' expired; it can no longer be downloaded. "
                "Save videos as soon as they complete.",
                param="video_id",
                code="video_content_expired",
            )
        if record.no_video:
            return _missing_content(record.id, self.profile.missing_content)
        filename, media_type = CONTENT_TYPES[variant]
        # A truncated download is cut by the gate, like any other broken connection.
        return FileResponse(self.store.assets_dir(record.id) / filename, media_type=media_type)

    async def create_edit(self, request: Request) -> Response:
        fields = await read_fields(request)
        prompt = accept_prompt(fields.get("prompt"))
        owner = self.owners.of_request(request)
        source, upload = await self._video_input(fields, owner, "edit")
        if source is not None:
            record = self._new_record(
                model=source.model,
                prompt=prompt,
                size=source.size,
                seconds=source.seconds,
                source_id=source.id,
                owner=owner,
            )
            return self.answer(self.launch(record), request)
        size, seconds, frame = upload
        record = self._new_record(
            model=DEFAULT_MODEL, prompt=prompt, size=size, seconds=seconds, owner=owner
        )
        return self.answer(self.launch(record, frame), request)

    async def create_extension(self, request: Request) -> Response:
        fields = await read_fields(request)
        prompt = accept_prompt(fields.get("prompt"))
        if fields.get("seconds") is None:
            raise SimulatorHTTPError(
                400,
                "Missing required parameter: 'seconds'.",
                param="seconds",
                code="missing_required_parameter",
            )
        added = accept_seconds(fields["seconds"], EXTENSION_SECONDS)
        owner = self.owners.of_request(request)
        source, upload = await self._video_input(fields, owner, "extend")
        if source is not None:
            record = self._new_record(
                model=source.model,
                prompt=prompt,
                size=source.size,
                seconds=str(int(source.seconds) + int(added)),
                source_id=source.id,
                extend=True,
                owner=owner,
            )
            return self.answer(self.launch(record), request)
        size, seconds, frame = upload
        total = str(int(seconds) + int(added))
        record = self._new_record(
            model=DEFAULT_MODEL, prompt=prompt, size=size, seconds=total, owner=owner
        )
        return self.answer(self.launch(record, frame), request)

    async def _video_input(
        self, fields: dict[str, Any], owner: str | None, action: str
    ) -> tuple[VideoRecord | None, tuple[str, str, bytes]]:
        """`video` as `{id}` (a completed video here) or an uploaded file (its first frame)."""
        value = fields.get("video")
        if isinstance(value, dict):
            video_id = value.get("id")
            if not isinstance(video_id, str) or not video_id:
                raise SimulatorHTTPError(
                    400, "'video' must be a file or {'id': '<video id>'}.", param="video.id"
                )
            return self._require_completed(video_id, owner, action), ("", "", b"")
        data = await upload_bytes(value, "video")
        frame, size, duration = _inspect_upload(data)
        seconds = min(CREATE_SECONDS, key=lambda choice: abs(int(choice) - duration))
        return None, (size, seconds, frame)

    async def create_character(self, request: Request) -> Response:
        fields = await read_fields(request)
        name = fields.get("name")
        if not isinstance(name, str) or not 1 <= len(name) <= 80:
            raise SimulatorHTTPError(
                400,
                "'name' must be a string of 1 to 80 characters.",
                param="name",
                code="invalid_value" if name is not None else "missing_required_parameter",
            )
        _inspect_upload(await upload_bytes(fields.get("video"), "video"))
        character = CharacterRecord(
            id=f"char_{secrets.token_hex(16)}",
            name=name,
            created_at=int(self.clock()),
            owner=self.owners.of_request(request),
        )
        self.store.save_character(character)
        return self._character_answer(character, request)

    async def get_character(self, request: Request) -> Response:
        """The caller's own character (any, for the teacher); another owner's reads exactly
        as an unknown id."""
        character_id = request.path_params["character_id"]
        character = self.store.characters.get(character_id)
        if character is None or not self.owners.sees(self.owners.of_request(request), character):
            raise SimulatorHTTPError(
                404,
                f"Character with id '{character_id[:100]}' not found.",
                param="character_id",
                code="character_not_found",
            )
        return self._character_answer(character, request)

    def _character_answer(self, character: CharacterRecord, request: Request) -> JSONResponse:
        shown = self.owners.shown_to(self.owners.of_request(request), character)
        body = {"id": character.id, "name": character.name, "created_at": character.created_at}
        return JSONResponse({**body, **shown})

    async def received(self, request: Request) -> Response:
        """Simulator only: the fields a create sent beyond prompt, model, size and seconds, as
        they arrived (images summarised), so a test sees what crossed a gateway. Outside the
        API but not public: only the video's owner and the teacher read it, anyone else gets
        what an unknown id gets."""
        record = self._require(request.path_params["video_id"], self.owners.of_request(request))
        return JSONResponse({"id": record.id, "received": record.received})

    async def class_figures(self, request: Request) -> Response:
        """The teacher's view of what each owner made (see `class_report`); to any other key
        the route does not exist, so a student learns nothing from asking."""
        if not self.owners.is_teacher(self.owners.of_request(request)):
            raise HTTPException(404)
        return JSONResponse(
            class_report(
                self.store.videos.values(),
                lambda record: str(self.video_json(record)["status"]),
                self.owners.name_of,
            )
        )

    async def health(self, request: Request) -> Response:
        """Unauthenticated, outside /v1: lets `connect()` find a running simulator."""
        profile = self.profile
        return JSONResponse(
            {
                "simulator": "sora-widget",
                "speed": self.config.speed,
                "pid": os.getpid(),
                "profile": profile.name,
                "profile_summary": profile.summary,
                "api_root": profile.api_root,
            }
        )


def _mentions(prompt: str, words: tuple[str, ...]) -> bool:
    lowered = prompt.lower()
    return any(word.lower() in lowered for word in words)


def _missing_content(video_id: str, how: str) -> Response:
    """The answer for the content of a job that completed without a video."""
    if how == "page":
        page = "<!doctype html><html><body><h1>No video</h1><p>upstream returned no file</p>"
        return Response(page + "</body></html>", media_type="text/html")
    raise SimulatorHTTPError(
        404,
        f"Video '{video_id}' has no content: the output was removed.",
        param="video_id",
        code="video_content_missing",
    )


def _as_png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="PNG")
    return buffer.getvalue()


def _inspect_upload(data: bytes) -> tuple[bytes, str, float]:
    """An uploaded video's first frame, size and duration; a 400 if it is not a video."""
    try:
        frame, width, height, duration = probe_video(data)
    except ValueError:
        raise SimulatorHTTPError(
            400,
            "'video' could not be read as a video: upload an MP4 file.",
            param="video",
            code="invalid_video",
        ) from None
    size = f"{width}x{height}"
    try:
        accept_size(size, UPLOAD_MODEL.name)
    except InvalidRequestError as error:
        raise SimulatorHTTPError(400, error.message, param="video", code="invalid_value") from None
    return frame, size, duration


def _int_param(raw: str | None, name: str, default: int, low: int, high: int) -> int:
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise SimulatorHTTPError(
            400,
            f"Invalid value for '{name}': {raw[:50]!r}. Expected an integer from {low} to {high}.",
            param=name,
            code="invalid_value",
        )
    return value


class Announce:
    """Adds `SIMULATOR_HEADER` to every answer, errors included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def announced(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", []).append((SIMULATOR_HEADER.encode(), b"1"))
            await send(message)

        await self.app(scope, receive, announced if scope["type"] == "http" else send)


def default_executor(workers: int) -> Executor:
    """Worker processes: rendering never competes with the server's event loop."""
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))


def create_app(
    config: SimulatorConfig | None = None,
    *,
    clock: Callable[[], float] = time.time,
    executor: Executor | None = None,
    cut_connections: bool = False,
) -> Starlette:
    """The simulator as an ASGI app; `app.state.simulator` gives tests access to its state.

    Only requests for a loopback host or one of `config.allowed_hosts` are answered.
    `cut_connections` is for serving over real sockets (`server.serve`): a dropped connection
    or truncated download then really ends the connection after a partial response. In-process
    (`httpx.ASGITransport`, which needs every response to end) the body ends short instead.
    """
    config = config or SimulatorConfig()
    simulator = Simulator(config, clock, executor or default_executor(config.workers))

    def route(
        path: str,
        endpoint: Callable[[Request], Any],
        method: str,
        answer: Callable[[SimulatorHTTPError], Response] = SimulatorHTTPError.response,
    ) -> Route:
        """`answer` writes errors in the route's API's own shape (OpenAI's, or Google's)."""

        async def guarded(request: Request) -> Response:
            simulator.resume_renders()
            try:
                return await endpoint(request)
            except InvalidRequestError as error:
                return answer(SimulatorHTTPError.from_invalid(error))
            except SimulatorHTTPError as error:
                return answer(error)

        return Route(path, guarded, methods=[method])

    async def not_found(request: Request, exc: Exception) -> Response:
        """A route the profile's server lacks, answered in that server's words."""
        assert isinstance(exc, HTTPException)
        style = simulator.profile.missing_route
        if style is MissingRoute.OPENROUTER:
            words = "Resource not found" if exc.status_code == 404 else "Method Not Allowed"
            return openrouter_error_response(exc.status_code, words)
        if style is MissingRoute.FASTAPI:
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
        asked = f"{request.method} {request.url.path[:200]}"
        if exc.status_code == 405 and style is MissingRoute.OPENAI:
            return error_response(
                405, f"{asked} is not allowed (Method Not Allowed).", code="method_not_allowed"
            )
        # OpenAI sends no code; gin's struct sends empty strings.
        blank = "" if style is MissingRoute.NEW_API else None
        return error_response(404, f"Invalid URL ({asked})", param=blank, code=blank)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        simulator.resume_renders()
        yield
        simulator.close()

    sim = simulator
    # Each route with the endpoint a profile may lack (None: every server has it); the order
    # matters, as `/v1/videos/edits` must be tried before `/v1/videos/{video_id}`.
    videos_api = [
        (None, route("/v1/videos", sim.create_video, "POST")),
        (Endpoint.LIST, route("/v1/videos", sim.list_videos, "GET")),
        (Endpoint.SYNC, route("/v1/videos/sync", sim.create_video_sync, "POST")),
        (Endpoint.CHARACTERS, route("/v1/videos/characters", sim.create_character, "POST")),
        (
            Endpoint.CHARACTERS,
            route("/v1/videos/characters/{character_id}", sim.get_character, "GET"),
        ),
        (Endpoint.EDITS, route("/v1/videos/edits", sim.create_edit, "POST")),
        (Endpoint.EXTENSIONS, route("/v1/videos/extensions", sim.create_extension, "POST")),
        (None, route("/v1/videos/{video_id}", sim.retrieve_video, "GET")),
        (Endpoint.DELETE, route("/v1/videos/{video_id}", sim.delete_video, "DELETE")),
        (Endpoint.REMIX, route("/v1/videos/{video_id}/remix", sim.remix_video, "POST")),
        (None, route("/v1/videos/{video_id}/content", sim.download_content, "GET")),
    ]
    # One code path per API shape: OpenAI's `/v1/videos` (and Veo's routes beside it), or
    # OpenRouter's `/api/v1/videos`, which has no `/v1` routes at all.
    body_refusal: Callable[[SimulatorHTTPError], Response]
    if sim.profile.api is Api.OPENROUTER:
        api_routes = OpenRouter(sim).routes(route)
        door, body_refusal = OPENROUTER_DOOR, openrouter_response
    else:
        api_routes = [
            r for endpoint, r in videos_api if endpoint is None or endpoint in sim.profile.endpoints
        ]
        api_routes += Veo(sim).routes(route)
        door, body_refusal = Door(), SimulatorHTTPError.response
    app = Starlette(
        lifespan=lifespan,
        routes=[
            Route("/simulator/health", sim.health, methods=["GET"]),
            Route("/simulator/class", sim.class_figures, methods=["GET"]),
            route("/simulator/videos/{video_id}/received", sim.received, "GET"),
            *api_routes,
        ],
        exception_handlers={HTTPException: not_found},
    )
    app.state.simulator = simulator
    # Outermost last: who answers, the host check, the key and faults, the body limit.
    app.add_middleware(BodyLimit, answer=body_refusal)
    app.add_middleware(
        Gate, config=simulator.config, clock=clock, cut_connections=cut_connections, door=door
    )
    app.add_middleware(HostCheck, hosts=allowed_hosts(simulator.config.allowed_hosts))
    if simulator.profile.announces:
        app.add_middleware(Announce)
    return app
