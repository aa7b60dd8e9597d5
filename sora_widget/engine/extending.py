"""Making a video longer: the server's extensions route, or a new piece from the last frame.

A server with `POST /videos/extensions` continues a video itself (its result is the stitched
whole). Most servers people use lack it (vLLM-Omni, SGLang, gateways, LiteLLM's routes), so a
video is then continued as a new generation whose first image (the create's reference image)
is the finished video's last frame. `extend()` picks the route from what the client has learned
about its server, falls back when the server turns out to lack the route, and records which it
used in `job.lineage`: {"extends": id} or {"continues": id}, kept with the video in the library.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Literal

from sora_widget.core.errors import InvalidRequestError, UnsupportedFeature
from sora_widget.core.keywords import strict_keywords
from sora_widget.core.types import EXTENSION_SECONDS_CHOICES, Video
from sora_widget.core.validation import validate_prompt, validate_seconds
from sora_widget.engine.api import VideosAPI
from sora_widget.engine.jobs import DEFAULT_TIMEOUT, VideoJob
from sora_widget.engine.library import Library
from sora_widget.engine.poller import Poller
from sora_widget.engine.storage import LibraryEntry
from sora_widget.engine.video_file import last_frame

logger = logging.getLogger(__name__)

Route = Literal["auto", "extension", "continuation"]
ROUTES = ("auto", "extension", "continuation")


def extension_route(client: VideosAPI, seconds: str, model: str = "") -> str:
    """The route `extend(route="auto")` takes first: "extension" unless the server is known to
    lack it for `model` (OpenRouter: a model that takes no `previous_job_id`) or `seconds` is
    not a length that route adds."""
    if seconds not in client.extension_seconds(model):
        return "continuation"
    return "extension"


@strict_keywords
def extend(
    client: VideosAPI,
    video_id: str,
    prompt: str,
    *,
    seconds: str | int,
    library: Library,
    route: Route = "auto",
    poller: Poller | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    origin: str = "script",
) -> VideoJob:
    """Start the piece that follows the saved video `video_id` and return its job at once.

    `seconds` is what the extensions route adds, or the new piece's duration when continuing.
    `route="auto"` extends where the server can (and `seconds` is a length it adds) and
    otherwise continues from the last frame; `job.lineage` says which was used. The fields
    are checked here, for the route expected.
    """
    if route not in ROUTES:
        raise InvalidRequestError(
            "route", f"Invalid value for 'route': {route!r}. Supported values are {ROUTES}."
        )
    source = library.get(video_id)
    if source is None:
        raise InvalidRequestError(
            "video_id",
            f"Video {video_id!r} is not saved in {library}: extend a video once it has "
            "completed and been saved.",
        )
    seconds = str(seconds)
    first = extension_route(client, seconds, source.model) if route == "auto" else route
    if first == "extension":
        validate_prompt(prompt)
        validate_seconds(
            seconds, client.extension_seconds(source.model) or EXTENSION_SECONDS_CHOICES
        )
    else:
        client.checked_parameters(prompt, source.model, source.size, seconds, None)

    async def begin() -> Video:
        if first == "extension":
            try:
                video = await client.extend(video_id, prompt, seconds, model=source.model)
            except UnsupportedFeature:
                if route != "auto":
                    raise
                logger.info("No extensions route here: continuing %s from its last frame", video_id)
            else:
                job.lineage = {"extends": video_id}
                return video
        job.lineage = {"continues": video_id}
        return await _continue(client, source, prompt, seconds)

    job = VideoJob(client, begin, library=library, poller=poller, timeout=timeout, origin=origin)
    job.model = source.model
    return job


async def frame_to_continue(path: Path, param: str, what: str) -> bytes:
    """The last frame of the video at `path`, to start the next piece from (decoded in a worker
    thread); a video that cannot be decoded is refused naming `param`, `what` saying which."""
    try:
        return await asyncio.to_thread(last_frame, path)
    except ValueError as error:
        raise InvalidRequestError(param, f"{what} cannot be continued: {error}.") from None


async def _continue(client: VideosAPI, source: LibraryEntry, prompt: str, seconds: str) -> Video:
    """A new video of the source's model and size whose first image is its last frame
    (fitted to the size as any reference image is)."""
    frame = await frame_to_continue(source.video_path, "video_id", f"Video {source.id}")
    return await client.create(
        prompt,
        model=source.model,
        size=source.size,
        seconds=seconds,
        input_reference=frame,
        fit="crop",
    )
