"""Every finished video on disk, with what it cost and where it came from.

Download links expire, so a completed video is saved at once, all three variants together.
The layout is one folder per video, named after its id (see `folder_name`):

    <root>/
        <folder name>/
            video.mp4, thumbnail.webp, spritesheet.jpg
            metadata.json           written last: its presence means the video is complete
        .pending/<folder name>.json jobs still running, so a new process can resume them

Every file appears whole or not at all: media are streamed to a temporary file, fsynced,
length-checked and renamed by `SoraClient.download_content`; JSON is written the same way here.
The metadata records the backend's address but never the API key.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import re
import socket
import time
import weakref
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import psutil

from sora_widget.core.atomic import atomic_file
from sora_widget.core.errors import (
    TRANSIENT_ERRORS,
    APIError,
    CompletedWithoutVideo,
    LibraryWriteError,
    NotFoundError,
    SoraError,
    UnexpectedContentError,
)
from sora_widget.core.keywords import strict_keywords
from sora_widget.core.pictures import make_pictures, normalize, sprite_grid_of
from sora_widget.core.pricing import estimate_cost
from sora_widget.core.types import ContentVariant, Video, VideoStatus
from sora_widget.core.urls import public_url
from sora_widget.engine.api import VideosAPI
from sora_widget.engine.video_file import write_tags

logger = logging.getLogger(__name__)

DEFAULT_ROOT = "./sora_videos"
FILE_NAMES = {
    ContentVariant.VIDEO: "video.mp4",
    ContentVariant.THUMBNAIL: "thumbnail.webp",
    ContentVariant.SPRITESHEET: "spritesheet.jpg",
}
#: The variants that are pictures, which the library can make from the video.
PICTURES = (ContentVariant.THUMBNAIL, ContentVariant.SPRITESHEET)
NAMED_KINDS = {ContentVariant.THUMBNAIL: "webp", ContentVariant.SPRITESHEET: "jpeg"}
METADATA_FILE = "metadata.json"
PENDING_FOLDER = ".pending"
#: How a piece of a chain names the piece before it: made by the server's extensions route
#: (`extends`), or as a new video whose first image is that one's last frame (`continues`).
LINEAGE = ("extends", "continues")
#: The most outputs of one job saved: a server listing more is not trusted beyond this.
MAX_OUTPUTS = 8
#: Ids up to this long made only of these characters are their own folder name.
MAX_PLAIN_ID = 128
_PLAIN_ID = re.compile(r"[A-Za-z0-9_-]+")
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
#: A derived name: this much of the id, for people browsing the folder, then the hash.
READABLE_PREFIX = 40
HASH_CHARS = 24


def folder_name(video_id: object) -> str:
    """The folder a video is saved in: its id when that is a plain name, else a readable
    prefix of it and a hash of the whole id.

    Ids are the server's and opaque: LiteLLM's are 266 characters of base64 (with `=`), others
    are UUIDs, and a hostile server may send `../../x`. A video the server made is paid for, so
    no id is refused: an id that is not a plain name of at most 128 letters, digits, '_' and
    '-' gets a name with a '.' in it, which no plain id has, so the two kinds never meet.
    `metadata.json` keeps the exact id.
    """
    if not isinstance(video_id, str) or not video_id:
        raise ValueError(f"A video id must be a non-empty string, got {video_id!r:.80}.")
    if len(video_id) <= MAX_PLAIN_ID and _PLAIN_ID.fullmatch(video_id):
        return video_id
    readable = _UNSAFE.sub("_", video_id)[:READABLE_PREFIX]
    digest = hashlib.sha256(video_id.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{readable}.{digest[:HASH_CHARS]}"


@dataclass(frozen=True)
class LibraryEntry:
    """One saved video: the server's description of it and where its files are."""

    id: str
    prompt: str | None
    model: str
    size: str
    seconds: str
    status: str
    created_at: int
    completed_at: int | None
    expires_at: int | None
    remixed_from_video_id: str | None
    #: Where it was generated (the simulator or a real API), without credentials.
    base_url: str
    #: Estimated USD, or None when the model and size have no published price.
    cost: float | None
    saved_at: float
    folder: Path = field(compare=False)
    #: USD the server said it charged (LiteLLM's `x-litellm-response-cost` on the create), or
    #: None when it did not say (and in metadata saved before this was recorded).
    charged_cost: float | None = None
    #: The spritesheet's grid, measured from the image: {"columns": c, "rows": r}, or None.
    sprite: dict[str, int] | None = None
    #: Where each picture came from: "server", "server <format>" (converted to the format its
    #: file name says), or "video" (made from the saved MP4: the server had none).
    pictures: dict[str, str] | None = None
    #: The video this one extends (the server's `/videos/extensions`), or None.
    extends: str | None = None
    #: The video whose last frame is this one's first image ("continue from the last frame").
    continues: str | None = None
    #: Why the MP4 does not carry its prompt, model and server as container metadata (None:
    #: it does). The file is kept as the server sent it: a local step never loses a video.
    file_metadata_problem: str | None = None

    @property
    def previous_piece(self) -> str | None:
        """The piece of a chain before this one (see `Library.chain`), or None."""
        return self.extends or self.continues

    #: What the create sent beyond prompt, model, size and seconds: {"parameters": the
    #: model's named extras, "extra": the raw JSON object}; None when nothing more was sent.
    settings: dict[str, Any] | None = None
    #: The create's body in the server's own fields where they differ from the contract's
    #: (OpenRouter's `duration`, `resolution`, `aspect_ratio`, `provider`; images by count).
    request: dict[str, Any] | None = None
    #: The server's id for billing (OpenRouter's `generation_id`), and whether the charge went
    #: to the user's own provider key (`usage.is_byok`).
    generation_id: str | None = None
    is_byok: bool | None = None
    #: Further outputs of the same job (`video_1.mp4`, ...), when the server made several.
    outputs: list[str] | None = None

    @property
    def video_path(self) -> Path:
        return self.folder / FILE_NAMES[ContentVariant.VIDEO]

    @property
    def thumbnail_path(self) -> Path:
        return self.folder / FILE_NAMES[ContentVariant.THUMBNAIL]

    @property
    def spritesheet_path(self) -> Path:
        return self.folder / FILE_NAMES[ContentVariant.SPRITESHEET]

    def to_metadata(self) -> dict[str, Any]:
        data = asdict(self)
        del data["folder"]  # the folder is wherever the library is; it may move
        # For people and other tools reading the folder; paths here always use FILE_NAMES,
        # so an edited metadata file cannot point outside the folder.
        data["files"] = {str(variant): name for variant, name in FILE_NAMES.items()}
        return data

    @classmethod
    def from_metadata(cls, folder: Path, data: dict[str, Any]) -> LibraryEntry:
        fields = {name: value for name, value in data.items() if name != "files"}
        return cls(folder=folder, **fields)


class Library:
    """Saved videos under `root`, and the jobs that will add more.

    A download that fails on the way (cut short, 5xx, 429) is retried by the client, under its
    retry policy: the library does not add a second layer of retries. `clock` is injectable so
    tests run in fake time.
    """

    @strict_keywords
    def __init__(
        self,
        root: str | os.PathLike[str] | None = None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        # SORA_WIDGET_LIBRARY lets a class (or a test run) keep all videos in one place.
        self.root = Path(root or os.environ.get("SORA_WIDGET_LIBRARY") or DEFAULT_ROOT)
        self._clock = clock
        # One save per video at a time, so two jobs for one id download it once.
        self._locks: dict[str, asyncio.Lock] = {}

    def __repr__(self) -> str:
        return f"Library({str(self.root)!r})"

    def folder(self, video_id: str) -> Path:
        return self.root / folder_name(video_id)

    # ---- saving -----------------------------------------------------------------------------

    async def save(
        self,
        video: Video,
        client: VideosAPI,
        *,
        lineage: dict[str, str] | None = None,
        settings: dict[str, Any] | None = None,
    ) -> LibraryEntry:
        """Download the video, thumbnail and spritesheet at once and record the metadata.

        `lineage` names the piece this one extends or continues (see `LINEAGE`); `settings` is
        what the create sent beyond prompt, model, size and seconds (its seed, when one was
        sent, goes into the file with the prompt, model and server).
        A video already saved is returned as it is, not downloaded again. Raises ValueError for
        a video that is not completed, CompletedWithoutVideo when the server has no video for
        it (recorded: see `failures`), LibraryWriteError when the folder cannot be written, and
        the client's error when a download still fails after the client's retries.
        """
        folder = self.folder(video.id)
        if video.status != VideoStatus.COMPLETED:
            raise ValueError(
                f"Video {video.id} is {video.status}: only completed videos are saved."
            )
        lock = self._locks.setdefault(video.id, asyncio.Lock())
        async with lock:
            entry = await asyncio.to_thread(self.get, video.id)
            if entry is None:
                try:
                    entry = await self._download_all(video, client, folder, lineage or {}, settings)
                except OSError as error:
                    raise _write_error(error, folder, video.id) from error
        await asyncio.to_thread(self.forget_pending, video.id)
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
            self._download(client, video.id, ContentVariant.VIDEO, paths[ContentVariant.VIDEO]),
            *(self._picture(client, video.id, variant, paths[variant]) for variant in PICTURES),
            return_exceptions=True,  # let every download finish before reporting a failure
        )
        if isinstance(results[0], NotFoundError | UnexpectedContentError):
            why = _missing_video(results[0])
            await asyncio.to_thread(self._record_failure, video, client.base_url, why, lineage)
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
            made = await self._make_pictures(video.id, paths, missing)
            pictures.update({str(variant): "video" for variant in missing if made})
        sheet = paths[ContentVariant.SPRITESHEET]
        sprite = await asyncio.to_thread(sprite_grid_of, sheet, video.size)
        outputs = await self._download_outputs(client, video, folder)
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
            cost=_estimate(client, video),
            saved_at=self._clock(),
            folder=folder,
            charged_cost=charged(video.id) if callable(charged) else None,
            sprite=sprite,
            pictures={name: origin for name, origin in pictures.items() if origin is not None},
            **{name: lineage[name] for name in LINEAGE if lineage.get(name)},
            file_metadata_problem=tags_problem,
            settings=settings,
            request=_request_of(getattr(client, "requests", None), video.id),
            generation_id=generation_id if isinstance(generation_id, str) else None,
            is_byok=is_byok if isinstance(is_byok, bool) else None,
            outputs=outputs or None,
        )
        await asyncio.to_thread(_write_json, folder / METADATA_FILE, entry.to_metadata())
        return entry

    async def _download_outputs(self, client: VideosAPI, video: Video, folder: Path) -> list[str]:
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

    async def _download(
        self, client: VideosAPI, video_id: str, variant: ContentVariant, path: Path
    ) -> None:
        if await asyncio.to_thread(path.exists):
            return  # from an earlier, interrupted save: it was only renamed into place whole
        await client.download_content(video_id, variant.value, path=path)

    async def _picture(
        self, client: VideosAPI, video_id: str, variant: ContentVariant, path: Path
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
                return await self._server_picture(client, video_id, variant, path)
        return await self._server_picture(client, video_id, variant, path)

    async def _server_picture(
        self, client: VideosAPI, video_id: str, variant: ContentVariant, path: Path
    ) -> str | None:
        if client.support.unsupported("variants"):
            return None
        try:
            await self._download(client, video_id, variant, path)
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
        self, video_id: str, paths: dict[ContentVariant, Path], missing: list[ContentVariant]
    ) -> bool:
        """Make the missing pictures from the saved MP4, in a worker thread (decoding takes
        tenths of a second). A video that cannot be decoded is saved without them."""
        try:
            await asyncio.to_thread(
                make_pictures,
                paths[ContentVariant.VIDEO],
                paths[ContentVariant.THUMBNAIL] if ContentVariant.THUMBNAIL in missing else None,
                paths[ContentVariant.SPRITESHEET]
                if ContentVariant.SPRITESHEET in missing
                else None,
            )
        except ValueError as error:
            logger.warning(
                "Video %s is saved without a thumbnail or spritesheet: %s", video_id, error
            )
            return False
        return True

    def _record_failure(
        self, video: Video, base_url: str, why: str, lineage: dict[str, str]
    ) -> None:
        """Keep a job that completed without a video in its folder's metadata, with what the
        server said, so nothing about it is lost; `get` and `entries` skip it (there is no
        file), `failures` lists it, and a later save of the same video replaces it."""
        folder = self.folder(video.id)
        record = {
            **video.to_dict(),
            **{name: lineage[name] for name in LINEAGE if lineage.get(name)},
            "base_url": public_url(base_url),
            "failure": {"code": CompletedWithoutVideo.CODE, "message": why},
            "saved_at": self._clock(),
        }
        folder.mkdir(parents=True, exist_ok=True)
        _write_json(folder / METADATA_FILE, record)

    def failures(self) -> list[dict[str, Any]]:
        """Jobs that completed without a video (see `CompletedWithoutVideo`), newest first:
        the server's description of each, its `base_url` and the `failure` that was seen."""
        found = []
        for path in self.root.glob(f"*/{METADATA_FILE}"):
            data = _read_json(path)
            if data and data.get("failure") and _names(data.get("id"), path.parent.name):
                found.append(data)
        return sorted(found, key=lambda data: data.get("saved_at") or 0, reverse=True)

    # ---- jobs in flight ---------------------------------------------------------------------

    @property
    def _pending_folder(self) -> Path:
        return self.root / PENDING_FOLDER

    def record_pending(
        self,
        video: Video,
        base_url: str,
        *,
        origin: str = "script",
        lineage: dict[str, str] | None = None,
        settings: dict[str, Any] | None = None,
        client_requests: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        """Remember a job in flight, so a new process can resume it (see `resume.resume`);
        `client_requests` is the client's record of what each create sent (`VideosAPI.requests`).

        The record names the process following the job, so that while it lives no other
        process resumes the job too. Best effort: if the folder cannot be written the job still
        runs, and the error surfaces when the finished video is saved.
        """
        path = self._pending_folder / f"{folder_name(video.id)}.json"
        record = {
            "id": video.id,
            "base_url": public_url(base_url),
            "prompt": video.prompt,
            "model": video.model,
            "size": video.size,
            "seconds": video.seconds,
            "remixed_from_video_id": video.remixed_from_video_id,
            "created_at": video.created_at,
            "recorded_at": self._clock(),
            "origin": origin,
            "settings": settings,
            "request": _request_of(client_requests, video.id),
            "owner": _this_process(),
            **{name: value for name, value in (lineage or {}).items() if name in LINEAGE},
        }
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            _write_json(path, record)
        except OSError as error:
            logger.warning(
                "Could not record job %s in %s (%s): it will not be resumed after a restart.",
                video.id,
                path.parent,
                error,
            )

    def forget_pending(self, video_id: str) -> None:
        """The job ended (saved, failed or cancelled): nothing left to resume."""
        path = self._pending_folder / f"{folder_name(video_id)}.json"
        try:
            path.unlink(missing_ok=True)
        except OSError as error:
            logger.warning("Could not remove %s (%s)", path, error)

    def pending(self) -> list[dict[str, Any]]:
        """The jobs recorded as in flight: dicts with `id`, `base_url`, `prompt`, ..."""
        records = []
        for path in sorted(self._pending_folder.glob("*.json")):
            record = _read_json(path)
            if record is not None and _names(record.get("id"), path.stem):
                records.append(record)
        return records

    # ---- reading ----------------------------------------------------------------------------

    def get(self, video_id: str) -> LibraryEntry | None:
        """The saved video with this id, or None (for any string: ids are opaque)."""
        if not isinstance(video_id, str) or not video_id:
            return None
        return self._entry_in(self.folder(video_id), video_id)

    def entries(self) -> list[LibraryEntry]:
        """Every saved video, newest first."""
        found = []
        for path in self.root.glob(f"*/{METADATA_FILE}"):
            entry = self._entry_in(path.parent)
            if entry is not None:
                found.append(entry)
        return sorted(found, key=lambda entry: (entry.created_at, entry.saved_at), reverse=True)

    def _entry_in(self, folder: Path, video_id: str | None = None) -> LibraryEntry | None:
        """The entry whose metadata is in `folder`, if it names the video that folder is for."""
        data = _read_json(folder / METADATA_FILE)
        if data is None or data.get("failure"):  # no data, or a job that left no video
            return None
        recorded = data.get("id")
        if not _names(recorded, folder.name) or (video_id is not None and recorded != video_id):
            logger.warning("Skipping %s: its metadata is for another video", folder)
            return None
        try:
            return LibraryEntry.from_metadata(folder, data)
        except TypeError:
            logger.warning("Skipping %s: not a metadata file of this library", folder)
            return None

    def find(self, prompt_contains: str) -> list[LibraryEntry]:
        """Saved videos whose prompt contains this text (ignoring case), newest first."""
        needle = prompt_contains.casefold()
        return [entry for entry in self.entries() if needle in (entry.prompt or "").casefold()]

    def lineage(self, video_id: str) -> list[str]:
        """`video_id`, the video it was remixed from, and so on back to the original.

        The chain stops at the first video that is not in the library.
        """
        chain = [video_id]
        entry = self.get(video_id)
        while entry is not None and entry.remixed_from_video_id is not None:
            source = entry.remixed_from_video_id
            if source in chain:
                break  # a loop in the metadata: do not follow it forever
            chain.append(source)
            entry = self.get(source) if _names(source) else None
        return chain

    def chain(self, video_id: str) -> list[LibraryEntry]:
        """The pieces of an extension chain in order, first to `video_id` (give the last
        piece): each extends or continues the one before. It starts at the first piece that is
        not in the library, or at the original; [] when `video_id` itself is not saved."""
        pieces: list[LibraryEntry] = []
        entry = self.get(video_id)
        while entry is not None and all(entry.id != piece.id for piece in pieces):
            pieces.append(entry)
            before = entry.previous_piece
            entry = self.get(before) if before is not None and _names(before) else None
        return pieces[::-1]

    def remixes_of(self, video_id: str) -> list[LibraryEntry]:
        """The saved videos remixed directly from `video_id`, oldest first."""
        return [e for e in reversed(self.entries()) if e.remixed_from_video_id == video_id]

    def total_cost(self) -> float:
        """USD for every saved video: what the server said it charged (`charged_cost`, from
        LiteLLM's cost header) where it said so, else the estimate from the catalog's prices;
        videos with neither count nothing."""
        costs = (
            entry.charged_cost if entry.charged_cost is not None else entry.cost
            for entry in self.entries()
        )
        return round(sum(cost for cost in costs if cost is not None), 2)


# ---- which process follows a pending job -------------------------------------------------------


def _this_process() -> dict[str, Any]:
    """Host, pid and start time: a pid alone may be reused by an unrelated process."""
    process = psutil.Process()  # asked each time: a forked child is another process
    return {"host": socket.gethostname(), "pid": process.pid, "started": process.create_time()}


def runs_elsewhere(owner: object) -> bool:
    """Whether the process that recorded a job is another one, on this host, still running.

    On another host we cannot tell, so the job counts as free to resume.
    """
    if not isinstance(owner, dict) or owner.get("host") != socket.gethostname():
        return False
    pid, started = owner.get("pid"), owner.get("started")
    if pid == os.getpid() or not isinstance(pid, int) or not isinstance(started, int | float):
        return False
    try:
        return abs(psutil.Process(pid).create_time() - started) < 1.0
    except (psutil.Error, ValueError, OverflowError):
        return False  # gone, not ours to see, or not a pid: its jobs are free


# ---- files ------------------------------------------------------------------------------------


def _names(video_id: object, name: str | None = None) -> bool:
    """Whether `video_id` is an id (and, given `name`, the one that folder name is made from):
    an edited or misplaced metadata file must not pass for another video."""
    try:
        return name is None or folder_name(video_id) == name
    except ValueError:
        return False


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


def _estimate(client: VideosAPI, video: Video) -> float | None:
    """The estimate from the server's own prices where it publishes them, else the catalog's."""
    known = client.server_catalog.get(video.model)
    if known is not None:
        return known.estimate(video.size, video.seconds).usd
    return estimate_cost(video.model, video.size, video.seconds)


def _request_of(requests: object, video_id: str) -> dict[str, Any] | None:
    found = requests.get(video_id) if isinstance(requests, dict) else None
    return found if isinstance(found, dict) else None


def _write_json(path: Path, data: dict[str, Any]) -> None:
    with atomic_file(path, "w", encoding="utf-8") as file:
        json.dump(data, file, indent=2)


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        logger.warning("Skipping %s: %s", path, error)
        return None
    return data if isinstance(data, dict) else None


def _write_error(error: OSError, folder: Path, video_id: str) -> LibraryWriteError:
    reason = error.strerror or str(error)
    wrapped = LibraryWriteError(
        f"Could not save video {video_id} in {folder}: {reason}. Free some space or choose a "
        "writable folder with Library(root=...); the video stays on the server until its link "
        "expires, and resume(client, library) tries again."
    )
    wrapped.errno = error.errno
    return wrapped
