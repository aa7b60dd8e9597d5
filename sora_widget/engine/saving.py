"""Saving a finished video into the library: its MP4, its pictures and any further outputs.

Download links expire, so a completed video is saved at once, all three variants together.
A picture the server has not got (or sends as something else) is made from the MP4, and the
MP4 is tagged with how it was made. See `storage` for where the files go.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sora_widget.core.errors import (
    TRANSIENT_ERRORS,
    APIError,
    CompletedWithoutVideo,
    LibraryWriteError,
    NotFoundError,
    SoraError,
    UnexpectedContentError,
)
from sora_widget.core.pictures import make_pictures, normalize, sprite_grid_of
from sora_widget.core.pricing import estimate_cost
from sora_widget.core.types import ContentVariant, Video, VideoStatus
from sora_widget.core.urls import public_url
from sora_widget.engine.api import VideosAPI
from sora_widget.engine.storage import FILE_NAMES, LINEAGE, LibraryEntry, SavedVideos, request_of
from sora_widget.engine.video_file import write_tags

logger = logging.getLogger(__name__)

#: The variants that are pictures, which the library can make from the video.
PICTURES = (ContentVariant.THUMBNAIL, ContentVariant.SPRITESHEET)
NAMED_KINDS = {ContentVariant.THUMBNAIL: "webp", ContentVariant.SPRITESHEET: "jpeg"}
#: The most outputs of one job saved: a server listing more is not trusted beyond this.
MAX_OUTPUTS = 8


class Saver:
    """Downloads completed videos into `videos`, one save per video at a time.

    A download that fails on the way (cut short, 5xx, 429) is retried by the client, under its
    retry policy: saving does not add a second layer of retries. `clock` stamps `saved_at`.
    """

    def __init__(self, videos: SavedVideos, clock: Callable[[], float]) -> None:
        self._videos = videos
        self._clock = clock
        # One save per video at a time, so two jobs for one id download it once.
        self._locks: dict[str, asyncio.Lock] = {}

    async def save(
        self,
        video: Video,
        client: VideosAPI,
        *,
        lineage: dict[str, str] | None = None,
        settings: dict[str, Any] | None = None,
    ) -> LibraryEntry:
        """The saved video's entry, downloaded now unless it is saved already (see
        `Library.save` for what it raises)."""
        folder = self._videos.folder(video.id)
        if video.status != VideoStatus.COMPLETED:
            raise ValueError(
                f"Video {video.id} is {video.status}: only completed videos are saved."
            )
        lock = self._locks.setdefault(video.id, asyncio.Lock())
        async with lock:
            entry = await asyncio.to_thread(self._videos.get, video.id)
            if entry is None:
                try:
                    entry = await self._download_all(video, client, folder, lineage or {}, settings)
                except OSError as error:
                    raise _write_error(error, folder, video.id) from error
        return entry

    async def _download_all(
        self,
        video: Video,
        client: VideosAPI,
        folder: Path,
        lineage: dict[str, str],
        settings: dict[str, Any] | None,
    ) -> LibraryEntry:
        # Every file operation runs in a worker thread: this runs on the kernel's event loop.
        await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
        paths = {variant: folder / name for variant, name in FILE_NAMES.items()}
        results = await asyncio.gather(
            _download(client, video.id, ContentVariant.VIDEO, paths[ContentVariant.VIDEO]),
            *(_picture(client, video.id, variant, paths[variant]) for variant in PICTURES),
            return_exceptions=True,  # let every download finish before reporting a failure
        )
        if isinstance(results[0], NotFoundError | UnexpectedContentError):
            why = _missing_video(results[0])
            await asyncio.to_thread(
                self._videos.record_failure, video, client.base_url, why, lineage, self._clock()
            )
            raise CompletedWithoutVideo(video.id, why) from results[0]
        for result in results:
            if isinstance(result, BaseException):
                raise result
        tags = _file_tags(video, client.base_url, settings)
        try:
            await asyncio.to_thread(write_tags, paths[ContentVariant.VIDEO], tags)
            tags_problem = None
        except ValueError as error:  # the file stays as the server sent it
            tags_problem = f"The MP4 keeps no metadata: {error}."
            logger.warning("Video %s: %s", video.id, tags_problem)
        origins = [result for result in results[1:] if not isinstance(result, BaseException)]
        pictures = dict(zip((str(v) for v in PICTURES), origins, strict=True))
        missing = [variant for variant in PICTURES if pictures[str(variant)] is None]
        if missing:
            made = await _make_pictures(video.id, paths, missing)
            pictures.update({str(variant): "video" for variant in missing if made})
        sheet = paths[ContentVariant.SPRITESHEET]
        sprite = await asyncio.to_thread(sprite_grid_of, sheet, video.size)
        outputs = await _download_outputs(client, video, folder)
        charged = getattr(client, "charged_cost", None)
        usage = video.extra.get("usage")
        is_byok = usage.get("is_byok") if isinstance(usage, dict) else None
        generation_id = video.extra.get("generation_id")
        entry = LibraryEntry(
            id=video.id,
            prompt=video.prompt,
            model=video.model,
            size=video.size,
            seconds=video.seconds,
            status=str(video.status),
            created_at=video.created_at,
            completed_at=video.completed_at,
            expires_at=video.expires_at,
            remixed_from_video_id=video.remixed_from_video_id,
            base_url=public_url(client.base_url),
            cost=generation_estimate(client, video.model, video.size, video.seconds),
            saved_at=self._clock(),
            folder=folder,
            charged_cost=charged(video.id) if callable(charged) else None,
            sprite=sprite,
            pictures={name: origin for name, origin in pictures.items() if origin is not None},
            **{name: lineage[name] for name in LINEAGE if lineage.get(name)},
            file_metadata_problem=tags_problem,
            settings=settings,
            request=request_of(getattr(client, "requests", None), video.id),
            generation_id=generation_id if isinstance(generation_id, str) else None,
            is_byok=is_byok if isinstance(is_byok, bool) else None,
            outputs=outputs or None,
        )
        await asyncio.to_thread(self._videos.write, entry)
        return entry


async def _download_outputs(client: VideosAPI, video: Video, folder: Path) -> list[str]:
    """Every output after the first (`video_1.mp4`, ...), where the server lists several
    (OpenRouter's `unsigned_urls`): each was paid for."""
    listed = [video.extra.get(key) for key in ("unsigned_urls", "urls")]
    count = max((len(urls) for urls in listed if isinstance(urls, list)), default=1)
    saved = []
    for index in range(1, min(count, MAX_OUTPUTS)):
        path = folder / f"video_{index}.mp4"
        try:
            if not await asyncio.to_thread(path.exists):
                await client.download_content(video.id, "video", path=path, index=index)
        except SoraError as error:
            # The first output is saved: a further one that fails does not fail the save.
            logger.warning(
                "Video %s: output %d was not saved (%s); it stays on the server.",
                video.id,
                index,
                error,
            )
            continue
        saved.append(path.name)
    return saved


async def _download(client: VideosAPI, video_id: str, variant: ContentVariant, path: Path) -> None:
    if await asyncio.to_thread(path.exists):
        return  # from an earlier, interrupted save: it was only renamed into place whole
    await client.download_content(video_id, variant.value, path=path)


async def _picture(
    client: VideosAPI, video_id: str, variant: ContentVariant, path: Path
) -> str | None:
    """The server's thumbnail or spritesheet, in the format its file name says: where it
    came from ("server", "server jpeg"), or None when the server has none (a 4xx for the
    variant) or sent something else (the MP4, HTML): then it is made from the video.
    Failures that may pass (5xx, a rate limit, a dropped connection) still fail the save,
    to be tried again: the server's own picture is the one to keep. A server known to
    ignore `variant` (LiteLLM, SGLang) is not asked: it would send the MP4 again, and while
    that is not known, one picture at a time is asked, so one answer teaches every save."""
    if client.support.supported("variants") is None:
        async with _variant_probe(client):
            return await _server_picture(client, video_id, variant, path)
    return await _server_picture(client, video_id, variant, path)


async def _server_picture(
    client: VideosAPI, video_id: str, variant: ContentVariant, path: Path
) -> str | None:
    if client.support.unsupported("variants"):
        return None
    try:
        await _download(client, video_id, variant, path)
    except APIError as error:
        if isinstance(error, TRANSIENT_ERRORS):
            raise
        logger.info(
            "No %s from the server for %s (%s): made from the video", variant, video_id, error
        )
        return None
    kind = await asyncio.to_thread(normalize, path, variant.value)
    if kind is None:
        return None
    return "server" if kind == NAMED_KINDS[variant] else f"server {kind}"


async def _make_pictures(
    video_id: str, paths: dict[ContentVariant, Path], missing: list[ContentVariant]
) -> bool:
    """Make the missing pictures from the saved MP4, in a worker thread (decoding takes
    tenths of a second). A video that cannot be decoded is saved without them."""
    try:
        await asyncio.to_thread(
            make_pictures,
            paths[ContentVariant.VIDEO],
            paths[ContentVariant.THUMBNAIL] if ContentVariant.THUMBNAIL in missing else None,
            paths[ContentVariant.SPRITESHEET] if ContentVariant.SPRITESHEET in missing else None,
        )
    except ValueError as error:
        logger.warning("Video %s is saved without a thumbnail or spritesheet: %s", video_id, error)
        return False
    return True


def _missing_video(error: APIError) -> str:
    """What the server answered instead of the video, in a sentence."""
    if isinstance(error, UnexpectedContentError) and error.sent:
        return f"the server sent {error.sent} as its content, not an MP4."
    return f"its content answered {error.status_code} ({error.message.rstrip('.')})."


#: Per client, held while a picture is asked of a server not yet known to send pictures.
_VARIANT_PROBES: weakref.WeakKeyDictionary[VideosAPI, asyncio.Lock] = weakref.WeakKeyDictionary()


def _variant_probe(client: VideosAPI) -> asyncio.Lock:
    lock = _VARIANT_PROBES.get(client)
    if lock is None:
        lock = _VARIANT_PROBES[client] = asyncio.Lock()
    return lock


def _file_tags(video: Video, base_url: str, settings: dict[str, Any] | None) -> dict[str, str]:
    """What the MP4 says about how it was made: never the key (the URL is credential-free)."""
    tags = {
        "prompt": video.prompt or "",
        "model": video.model,
        "server": public_url(base_url),
        "video_id": video.id,
    }
    seed = ((settings or {}).get("parameters") or {}).get("seed")
    if seed is not None:
        tags["seed"] = str(seed)
    return tags


def generation_estimate(client: VideosAPI, model: str, size: str, seconds: str) -> float | None:
    """USD for one generation: from the server's own prices where it publishes them, else the
    catalog's; None when neither has a price."""
    known = client.server_catalog.get(model)
    if known is not None:
        return known.estimate(size, seconds).usd
    return estimate_cost(model, size, seconds)


def _write_error(error: OSError, folder: Path, video_id: str) -> LibraryWriteError:
    reason = error.strerror or str(error)
    wrapped = LibraryWriteError(
        f"Could not save video {video_id} in {folder}: {reason}. Free some space or choose a "
        "writable folder with Library(root=...); the video stays on the server until its link "
        "expires, and resume(client, library) tries again."
    )
    wrapped.errno = error.errno
    return wrapped
