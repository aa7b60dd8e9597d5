"""A video job's life: create, poll until it finishes, save it, and tell whoever is watching.

`submit()` returns a `VideoJob` at once: the work runs as an asyncio task on the running loop
(in Jupyter, the kernel's), so no cell has to block. `await job` gives the final Video;
`job.wait()` does the same from a plain script, where no loop is running. Jobs are refreshed
by their client's shared `Poller` (see `poller`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from sora_widget.core.errors import (
    BadRequestError,
    ConflictError,
    JobCancelled,
    JobTimeout,
    ModerationBlocked,
    NotFoundError,
    SoraError,
    VideoFailed,
)
from sora_widget.core.keywords import strict_keywords
from sora_widget.core.reference_image import Fit, ReferenceImage
from sora_widget.core.types import (
    DEFAULT_MODEL,
    DEFAULT_SECONDS,
    DEFAULT_SIZE,
    ENDED_BY_SERVER,
    Video,
    VideoStatus,
)
from sora_widget.core.validation import (
    parse_raw_parameters,
    seconds_string,
    validate_prompt,
)
from sora_widget.engine.api import VideosAPI
from sora_widget.engine.blocking import run_blocking
from sora_widget.engine.estimate import ProgressEstimate
from sora_widget.engine.job_status import FINAL_STATUSES, JobStatus
from sora_widget.engine.library import Library
from sora_widget.engine.poller import Poller
from sora_widget.engine.retry import RetryNotice, context_for
from sora_widget.engine.storage import LibraryEntry
from sora_widget.engine.tasks import spawn

logger = logging.getLogger(__name__)
T = TypeVar("T")

#: How long a job may take before it ends with JobTimeout (the video may still finish).
DEFAULT_TIMEOUT = 30 * 60.0

#: What a person is told when the server ended the video itself, and what to do.
_ENDED_WORDS: dict[str, str] = {
    VideoStatus.CANCELLED: "The server cancelled this video before it finished (not this "
    "client: someone or something on the server's side stopped it). Generate it again with "
    "Retry.",
    VideoStatus.EXPIRED: "The server expired this video: it was not finished, or not "
    "downloaded, in the time the server keeps videos. Generate it again with Retry.",
    VideoStatus.DELETED: "The server deleted this video before it could be saved. Generate "
    "it again with Retry.",
}

#: (backend URL, video id) of every video a job in this process is following right now.
_FOLLOWED: set[tuple[str, str]] = set()

#: Create requests, and saves (three downloads each), under way at once on one event loop;
#: more jobs wait their turn. Fifty jobs started in one cell would otherwise step through
#: their requests in lockstep: fifty task steps, tens of milliseconds, in one loop iteration
#: of the kernel, every iteration until the requests are sent.
MAX_CREATING = 4
MAX_SAVING = 4
_SLOTS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Semaphore]] = (
    weakref.WeakKeyDictionary()
)


def _slot(kind: str) -> asyncio.Semaphore:
    """The running loop's semaphore for `kind` ("create" or "save")."""
    slots = _SLOTS.setdefault(asyncio.get_running_loop(), {})
    if kind not in slots:
        slots[kind] = asyncio.Semaphore(MAX_CREATING if kind == "create" else MAX_SAVING)
    return slots[kind]


def is_followed(base_url: str, video_id: str) -> bool:
    """Whether a job in this process already follows this video: resuming it again would make
    two jobs poll and save the same video."""
    return (base_url, video_id) in _FOLLOWED


#: The states in which `cancel()` still has polling to stop.
_WATCHING = frozenset({JobStatus.SUBMITTING, JobStatus.QUEUED, JobStatus.IN_PROGRESS})


@dataclass(frozen=True)
class JobUpdate:
    """A job as it was at one moment, as yielded by `job.updates()`."""

    status: JobStatus
    progress: int
    elapsed: float
    eta: float | None
    video_id: str | None
    error: Exception | None
    path: Path | None


class VideoJob:
    """One generation or remix, followed until its video is completed (and saved) or failed.

    Create with `submit()`, `submit_remix()` or `VideoJob.attach()`, not directly.
    """

    def __init__(
        self,
        client: VideosAPI,
        begin: Callable[[], Awaitable[Video]],
        *,
        library: Library | None = None,
        poller: Poller | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        video_id: str | None = None,
        origin: str = "script",
    ) -> None:
        self.client = client
        self.library = library
        self.poller = poller or Poller.for_client(client)
        self.timeout = timeout
        #: Who started the job ("widget", "compare", "cli", "script"): after a restart, each
        #: resumes only its own kind of pending job (see `Library.resume`).
        self.origin = origin
        self.status = JobStatus.SUBMITTING
        self.video: Video | None = None
        self.video_id = video_id
        self.error: Exception | None = None
        #: The library's record of the saved video, once it is on disk.
        self.entry: LibraryEntry | None = None
        #: True once `cancel(delete=True)` removed the video from the server.
        self.deleted = False
        #: The piece of a chain this job's video follows: {"extends": id} or {"continues": id}
        #: (see `extending`), recorded with it in the library.
        self.lineage: dict[str, str] = {}
        self._begin = begin
        self._started_at = self.poller.clock()
        self._finished_at: float | None = None
        # When the video should be ready, from what the server said of it so far.
        self._estimate = ProgressEstimate(
            self.poller.clock,
            self.poller.pace,
            started_at=self._started_at,
            attached=video_id is not None,
        )
        #: What the create sent beyond prompt, model, size and seconds ({"parameters", "extra"}),
        #: kept in the library's metadata so the form can be filled from the saved video.
        self.settings: dict[str, Any] | None = None
        self._callbacks: list[Callable[[VideoJob], object]] = []
        self._retry_listeners: list[Callable[[RetryNotice], object]] = []
        self._last_notified: tuple[object, ...] | None = None
        self._task: asyncio.Task[Any] | None = None
        if video_id is not None:  # claimed now: a resume in the same cell must not take it too
            _FOLLOWED.add((client.base_url, video_id))
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            pass  # a plain script: the job starts in wait() (or when awaited)
        else:
            self._ensure_started()

    @classmethod
    def attach(
        cls,
        client: VideosAPI,
        video: Video | str,
        *,
        library: Library | None = None,
        poller: Poller | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        origin: str = "script",
    ) -> VideoJob:
        """Follow a video created earlier (say, before a kernel restart) until it is done."""
        video_id = video.id if isinstance(video, Video) else video

        async def begin() -> Video:
            return video if isinstance(video, Video) else await client.retrieve(video_id)

        return cls(
            client,
            begin,
            library=library,
            poller=poller,
            timeout=timeout,
            video_id=video_id,
            origin=origin,
        )

    # ---- what can be observed ---------------------------------------------------------------

    @property
    def done(self) -> bool:
        return self.status in FINAL_STATUSES

    @property
    def progress(self) -> int:
        """Percent, as the server reports it; 100 once the video is completed."""
        if self.status in (JobStatus.SAVING, JobStatus.COMPLETED):
            return 100
        return self.video.progress if self.video else 0

    @property
    def elapsed(self) -> float:
        """Seconds since the job was submitted (or attached), frozen when it ends."""
        end = self._finished_at if self._finished_at is not None else self.poller.clock()
        return end - self._started_at

    @property
    def progress_rate(self) -> float | None:
        """Percent per second between the first and the latest progress seen; None if unknown."""
        return self._estimate.rate(self.status)

    @property
    def eta(self) -> float | None:
        """Seconds until the video is ready, from the progress rate so far; None if unknown."""
        return self._estimate.eta(self.status)

    @property
    def longest_left(self) -> float | None:
        """Seconds the job can at most still take, from one progress sample (see
        `ProgressEstimate.longest_left`); None before any progress."""
        return self._estimate.longest_left(self.status)

    @property
    def eta_error(self) -> float | None:
        """How far `eta` may be off, in seconds, at most; None if unknown."""
        return self._estimate.eta_error(self.status)

    @property
    def indeterminate(self) -> bool:
        """Whether the server's progress is useless for this job (see
        `ProgressEstimate.indeterminate`): the panel then shows an indeterminate bar against
        `typical_seconds`."""
        return self._estimate.indeterminate(self.status)

    @property
    def progress_problem(self) -> str:
        """Why the progress is not used, in a few words ("" while it is)."""
        return self._estimate.progress_problem(self.status)

    @property
    def typical_seconds(self) -> float:
        """How long the model usually takes (the catalog's figure, or a default)."""
        return self._estimate.typical_seconds

    @property
    def model(self) -> str | None:
        """The model named at submit, for the typical time before the server describes it."""
        return self._estimate.model

    @model.setter
    def model(self, model: str | None) -> None:
        self._estimate.model = model

    @property
    def path(self) -> Path | None:
        """The saved video file, once the library has it."""
        return self.entry.video_path if self.entry else None

    def snapshot(self) -> JobUpdate:
        return JobUpdate(
            status=self.status,
            progress=self.progress,
            elapsed=self.elapsed,
            eta=self.eta,
            video_id=self.video_id,
            error=self.error,
            path=self.path,
        )

    def on_update(self, callback: Callable[[VideoJob], object]) -> Callable[[], None]:
        """Call `callback(job)` on every change; returns a function that unsubscribes."""
        return _subscribe(self._callbacks, callback)

    def on_retry(self, listener: Callable[[RetryNotice], object]) -> Callable[[], None]:
        """Call `listener(notice)` before each automatic retry of a request for this job (its
        create, polls and downloads), not another job's; returns a function that unsubscribes.
        """
        return _subscribe(self._retry_listeners, listener)

    def retried(self, notice: RetryNotice) -> None:
        """A request for this job is about to be retried (called by the client)."""
        _tell(self._retry_listeners, notice, "on_retry")

    async def updates(self) -> AsyncIterator[JobUpdate]:
        """Snapshots of the job, one per change, ending with its final state."""
        self._ensure_started()
        queue: asyncio.Queue[JobUpdate] = asyncio.Queue()
        unsubscribe = self.on_update(lambda job: queue.put_nowait(job.snapshot()))
        try:
            update = self.snapshot()
            while True:
                yield update
                if update.status in FINAL_STATUSES:
                    return
                update = await queue.get()
        finally:
            unsubscribe()

    def __repr__(self) -> str:
        return f"<VideoJob {self.video_id or '(not created yet)'} {self.status} {self.progress}%>"

    # ---- waiting and cancelling -------------------------------------------------------------

    def __await__(self) -> Generator[Any, None, Video]:
        return self._result().__await__()

    async def settled(self) -> VideoJob:
        """This job once it has ended, however: the outcome is in its fields, nothing raises.

        For waiting on many jobs at once, where one failure must not stop the wait for others.
        """
        with contextlib.suppress(Exception):
            await self._result()
        return self

    def wait(self) -> Video:
        """Block until the job ends (plain scripts only; in a notebook use `await job`).

        Every wait of a thread runs on one loop of its own, so a client stays usable from one
        wait to the next."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return run_blocking(self._result())
        raise RuntimeError(
            "VideoJob.wait() would block the event loop that is running here (a Jupyter kernel "
            "or another async program). Use `await job` instead, or leave the job running: it "
            "updates on its own."
        )

    def cancel(self, delete: bool = False) -> None:
        """Stop polling this job. With `delete=True`, also delete the video on the server.

        A cancelled job is no longer pending in its library, so it is not resumed after a
        restart. The server deletes only completed or failed videos; when it refuses (the video
        is still queued or in progress), `job.error` says so and the video keeps running there.
        A save already under way is finished first, so a paid video is not lost by a late click.
        """
        if self.status in _WATCHING:
            submitting = self.status is JobStatus.SUBMITTING
            self._set(JobStatus.CANCELLED)
            # A create under way is let finish, so the video it may have made has a known id.
            if self._task is not None and not submitting:
                self._task.cancel()
            if self.library is not None and self.video_id is not None:
                self.library.forget_pending(self.video_id)  # not to be resumed after a restart
        if delete and self._task is not None:
            self._task = spawn(self._delete_after(self._task), context_for(self))

    async def _result(self) -> Video:
        self._ensure_started()
        # `cancel(delete=True)` may replace the task while we wait: wait for the newest.
        while self._task is not None and not self._task.done():
            await asyncio.wait({self._task})
        if self.status is JobStatus.COMPLETED and self.video is not None:
            return self.video
        if self.status is JobStatus.CANCELLED:
            raise JobCancelled(
                f"The job for video {self.video_id or '(not created)'} was cancelled."
            )
        assert self.error is not None  # FAILED always carries its reason
        raise self.error

    # ---- the task ---------------------------------------------------------------------------

    def _ensure_started(self) -> None:
        if self._task is None and not self.done:
            self._task = spawn(self._run(), context_for(self))  # its requests are for this job

    async def _run(self) -> None:
        """The whole job; its outcome goes into the job's fields, never out as an exception."""
        try:
            slot = _slot("create")
            queued = slot.locked()
            async with slot:
                if queued and self.done:  # cancelled while waiting its turn: nothing was sent
                    return
                video = await self._begin()
            if self.library is not None and not self.done:
                # Recorded before anyone can see the job queued (a restart then may resume it).
                await asyncio.to_thread(
                    self.library.record_pending,
                    video,
                    self.client.base_url,
                    origin=self.origin,
                    lineage=self.lineage,
                    settings=self.settings,
                    client_requests=self.client.requests,
                )
            self.observe(video)
            if self.done:  # cancelled while the create request (or its record) was under way
                if self.library is not None:
                    await asyncio.to_thread(self.library.forget_pending, video.id)
                return
            _FOLLOWED.add((self.client.base_url, video.id))
            if not video.is_terminal:
                video = await self._watch()
            if video.status == VideoStatus.FAILED:
                raise _failure(video)
            if video.status in ENDED_BY_SERVER:
                said = f" The server said: {video.error.message}" if video.error else ""
                words = _ENDED_WORDS[video.status] + said
                raise VideoFailed(video.id, str(video.status), words)
            if self.library is not None:
                self._set(JobStatus.SAVING)
                async with _slot("save"):
                    self.entry = await self.library.save(
                        video, self.client, lineage=self.lineage, settings=self.settings
                    )
            self._set(JobStatus.COMPLETED)
        except asyncio.CancelledError:
            if not self.done:
                self._set(JobStatus.CANCELLED)
            raise
        except Exception as error:
            gone = isinstance(error, VideoFailed | NotFoundError)
            if gone and self.library is not None and self.video_id is not None:
                await asyncio.to_thread(self.library.forget_pending, self.video_id)
            self._set(JobStatus.FAILED, error)
        finally:
            if self.video_id is not None:
                _FOLLOWED.discard((self.client.base_url, self.video_id))

    async def _watch(self) -> Video:
        """The video once the poller sees it finished, or JobTimeout saying how to resume it."""
        try:
            return await self.poller.watch(self, deadline=self._started_at + self.timeout)
        except JobTimeout:
            raise JobTimeout(
                f"Video {self.video_id} did not finish within {self.timeout:.0f} s (last seen "
                f"{self.status}, {self.progress}%). It may still finish on the server: follow "
                "it again with VideoJob.attach(client, video_id) or resume(client, library).",
                self.video_id,
            ) from None

    async def _delete_after(self, previous: asyncio.Task[Any]) -> None:
        await asyncio.wait({previous})
        if self.video_id is None:
            return  # cancelled before the server gave the video an id
        try:
            self.deleted = await self.client.delete(self.video_id)
        except (BadRequestError, ConflictError) as refusal:
            self.error = SoraError(
                f"Stopped following video {self.video_id}, but the server did not delete it: "
                f"{refusal.message} It keeps running there (and is billed): delete it once it "
                "has completed or failed."
            )
        except Exception as error:
            self.error = error
        if self.deleted and self.library is not None:
            self.library.forget_pending(self.video_id)
        self._notify()

    # ---- state changes ----------------------------------------------------------------------

    def observe(self, video: Video) -> None:
        """Take in the server's latest description of the video."""
        self.video = video
        self.video_id = video.id
        self._estimate.observe(
            video,
            following=not self.done,
            silent_server=getattr(self.client, "sends_progress", None) is False,
        )
        if not video.is_terminal and not self.done:
            queued = video.status == VideoStatus.QUEUED
            self.status = JobStatus.QUEUED if queued else JobStatus.IN_PROGRESS
        if not video.is_terminal:
            self._notify()  # a finished video is announced by the status `_run` sets next

    def _set(self, status: JobStatus, error: Exception | None = None) -> None:
        self.status = status
        self.error = error
        if status in FINAL_STATUSES:
            self._finished_at = self.poller.clock()
        self._notify()

    def _notify(self) -> None:
        state = (
            self.status,
            self.progress,
            self.video_id,
            self.error,
            self.path,
            self.deleted,
            self.indeterminate,
        )
        if state == self._last_notified:
            return
        self._last_notified = state
        _tell(self._callbacks, self, "on_update")


def _subscribe(
    listeners: list[Callable[[T], object]], listener: Callable[[T], object]
) -> Callable[[], None]:
    """Add `listener`; returns the function that removes it (twice is harmless)."""
    listeners.append(listener)

    def unsubscribe() -> None:
        if listener in listeners:
            listeners.remove(listener)

    return unsubscribe


def _tell(listeners: list[Callable[[T], object]], value: T, kind: str) -> None:
    """Call every listener; one that fails is logged, and neither the job nor the others stop."""
    for listener in list(listeners):
        try:
            listener(value)
        except Exception:
            logger.exception("A VideoJob.%s callback failed; the job goes on", kind)


def _failure(video: Video) -> VideoFailed:
    code = video.error.code if video.error else "unknown_error"
    message = video.error.message if video.error else "The server gave no reason."
    error_class = ModerationBlocked if code == "moderation_blocked" else VideoFailed
    return error_class(video.id, code, message)


# ---- starting jobs --------------------------------------------------------------------------


@strict_keywords
def submit(
    client: VideosAPI,
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
    library: Library | None = None,
    poller: Poller | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    origin: str = "script",
) -> VideoJob:
    """Start a generation and return its job at once (the create request runs in the job).

    The fields are checked here, so a mistake raises InvalidRequestError right away. See
    `VideosAPI.create` for the images, `parameters` and `extra`.
    """
    seconds = seconds_string(seconds)
    named = client.checked_parameters(prompt, model, size, seconds, parameters)
    raw = parse_raw_parameters(extra)

    async def create() -> Video:
        return await client.create(
            prompt,
            model=model,
            size=size,
            seconds=seconds,
            input_reference=input_reference,
            fit=fit,
            last_frame=last_frame,
            reference_images=reference_images,
            parameters=named,
            extra=raw,
        )

    job = VideoJob(client, create, library=library, poller=poller, timeout=timeout, origin=origin)
    job.model = model
    if named or raw:
        job.settings = {"parameters": named, "extra": raw}
    return job


@strict_keywords
def submit_remix(
    client: VideosAPI,
    video_id: str,
    prompt: str,
    *,
    library: Library | None = None,
    poller: Poller | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    origin: str = "script",
) -> VideoJob:
    """Start a remix of a completed video and return its job at once."""
    validate_prompt(prompt)

    async def remix() -> Video:
        return await client.remix(video_id, prompt)

    return VideoJob(client, remix, library=library, poller=poller, timeout=timeout, origin=origin)
