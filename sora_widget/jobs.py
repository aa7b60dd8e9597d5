"""A video job's life: create, poll until it finishes, save it, and tell whoever is watching.

`submit()` returns a `VideoJob` at once: the work runs as an asyncio task on the running loop
(in Jupyter, the kernel's), so no cell has to block. `await job` gives the final Video;
`job.wait()` does the same from a plain script, where no loop is running.

Polling is shared. Every job of one client is refreshed by that client's `Poller`: while two or
more jobs are active it asks `GET /videos` once per tick for all of them (falling back to
`GET /videos/{id}` for a job that is not on that page), so the request rate does not grow with
the number of jobs. A single job is polled with `GET /videos/{id}`, whose `openai-poll-after-ms`
hint is followed. Without a hint the wait backs off from about 2 s towards 15 s, and shortens
when the progress rate says the video is about to finish. Clock and sleep are injected, so
tests run in fake time.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Generator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import (
    APIConnectionError,
    APIError,
    BadRequestError,
    ConflictError,
    JobTimeout,
    ModerationBlocked,
    NotFoundError,
    RateLimitError,
    ServerError,
    SoraError,
    VideoFailed,
)
from .types import DEFAULT_MODEL, DEFAULT_SECONDS, DEFAULT_SIZE, Video, VideoStatus
from .validation import validate_generation, validate_prompt

if TYPE_CHECKING:
    from .client import SoraClient
    from .library import Library, LibraryEntry

logger = logging.getLogger(__name__)

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[object]]

#: How long a job may take before it ends with JobTimeout (the video may still finish).
DEFAULT_TIMEOUT = 30 * 60.0
#: Errors that say "try again later", not "this will never work".
TRANSIENT_ERRORS = (APIConnectionError, RateLimitError, ServerError)
#: A tick due within this many seconds is due now (float rounding of clock arithmetic).
_TICK_SLACK = 1e-3

#: Strong references to every task we start: the event loop itself keeps only weak ones.
_TASKS: set[asyncio.Task[Any]] = set()


def _spawn(coroutine: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
    task = asyncio.get_running_loop().create_task(coroutine)
    _TASKS.add(task)
    task.add_done_callback(_TASKS.discard)
    return task


#: (backend URL, video id) of every video a job in this process is following right now.
_FOLLOWED: set[tuple[str, str]] = set()


def is_followed(base_url: str, video_id: str) -> bool:
    """Whether a job in this process already follows this video: resuming it again would make
    two jobs poll and save the same video."""
    return (base_url, video_id) in _FOLLOWED


class JobCancelled(SoraError):
    """`await job` on a job that was cancelled with `job.cancel()`."""


class JobStatus(StrEnum):
    """Where a job is: the server's states plus our own before and after them."""

    SUBMITTING = "submitting"  # the create request is on its way
    QUEUED = "queued"
    IN_PROGRESS = "in_progress"
    SAVING = "saving"  # completed on the server, being downloaded into the library
    COMPLETED = "completed"  # done, and on disk when the job has a library
    FAILED = "failed"  # `job.error` says why
    CANCELLED = "cancelled"


FINAL_STATUSES = frozenset({JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED})
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


@dataclass(frozen=True)
class Cadence:
    """How often to poll. All values in seconds."""

    #: First wait without a server hint, multiplied by `factor` after every poll up to `maximum`.
    initial: float = 2.0
    factor: float = 1.5
    maximum: float = 15.0
    #: Each wait is shortened or lengthened by up to this fraction, so clients do not poll in step.
    jitter: float = 0.1
    #: Bounds for a server hint, an ETA and an error backoff: never sooner, never later.
    floor: float = 0.1
    ceiling: float = 30.0
    #: Cap while one list request refreshes several jobs: a poll then costs one request for all
    #: of them, and a finished video should not sit on the server for a whole backoff.
    list_maximum: float = 3.0

    def jittered(self, seconds: float) -> float:
        return seconds * (1 + self.jitter * random.uniform(-1, 1))

    def clamp(self, seconds: float) -> float:
        return min(self.ceiling, max(self.floor, seconds))


class VideoJob:
    """One generation or remix, followed until its video is completed (and saved) or failed.

    Create with `submit()`, `submit_remix()` or `VideoJob.attach()`, not directly.
    """

    def __init__(
        self,
        client: SoraClient,
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
        self._begin = begin
        self._started_at = self.poller.clock()
        self._finished_at: float | None = None
        # (clock, progress) at the first in_progress poll and the latest change: the rate.
        self._first_sample: tuple[float, int] | None = None
        self._last_sample: tuple[float, int] | None = None
        self._callbacks: list[Callable[[VideoJob], object]] = []
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
        client: SoraClient,
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
    def eta(self) -> float | None:
        """Seconds until the video is ready, from the progress rate so far; None if unknown."""
        if self.status in (JobStatus.SAVING, JobStatus.COMPLETED):
            return 0.0
        if self.status is not JobStatus.IN_PROGRESS or not self._first_sample:
            return None
        (t0, p0), (t1, p1) = self._first_sample, self._last_sample or self._first_sample
        if p1 <= p0 or t1 <= t0:
            return None
        rate = (p1 - p0) / (t1 - t0)
        return max(0.0, (100 - p1) / rate - (self.poller.clock() - t1))

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
        self._callbacks.append(callback)

        def unsubscribe() -> None:
            if callback in self._callbacks:
                self._callbacks.remove(callback)

        return unsubscribe

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

    def wait(self) -> Video:
        """Block until the job ends (plain scripts only; in a notebook use `await job`)."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return asyncio.run(self._result())
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
            self._task = _spawn(self._delete_after(self._task))

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
            self._task = _spawn(self._run())

    async def _run(self) -> None:
        """The whole job; its outcome goes into the job's fields, never out as an exception."""
        try:
            video = await self._begin()
            self._observe(video)
            if self.done:
                return  # cancelled while the create request was under way
            _FOLLOWED.add((self.client.base_url, video.id))
            if self.library is not None:
                self.library.record_pending(video, self.client.base_url, origin=self.origin)
            if not video.is_terminal:
                video = await self.poller.watch(self, deadline=self._started_at + self.timeout)
            if video.status == VideoStatus.FAILED:
                raise _failure(video)
            if self.library is not None:
                self._set(JobStatus.SAVING)
                self.entry = await self.library.save(video, self.client)
            self._set(JobStatus.COMPLETED)
        except asyncio.CancelledError:
            if not self.done:
                self._set(JobStatus.CANCELLED)
            raise
        except Exception as error:
            gone = isinstance(error, VideoFailed | NotFoundError)
            if gone and self.library is not None and self.video_id is not None:
                self.library.forget_pending(self.video_id)
            self._set(JobStatus.FAILED, error)
        finally:
            if self.video_id is not None:
                _FOLLOWED.discard((self.client.base_url, self.video_id))

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

    def _observe(self, video: Video) -> None:
        """Take in the server's latest description of the video."""
        self.video = video
        self.video_id = video.id
        if not video.is_terminal and not self.done:
            queued = video.status == VideoStatus.QUEUED
            self.status = JobStatus.QUEUED if queued else JobStatus.IN_PROGRESS
            if not queued:
                # When each value was *first* seen: a job stuck at 99% soon has an ETA of 0.
                sample = (self.poller.clock(), video.progress)
                self._first_sample = self._first_sample or sample
                if self._last_sample is None or self._last_sample[1] != video.progress:
                    self._last_sample = sample
        if not video.is_terminal:
            self._notify()  # a finished video is announced by the status `_run` sets next

    def _set(self, status: JobStatus, error: Exception | None = None) -> None:
        self.status = status
        self.error = error
        if status in FINAL_STATUSES:
            self._finished_at = self.poller.clock()
        self._notify()

    def _notify(self) -> None:
        state = (self.status, self.progress, self.video_id, self.error, self.path, self.deleted)
        if state == self._last_notified:
            return
        self._last_notified = state
        for callback in list(self._callbacks):
            try:
                callback(self)
            except Exception:
                logger.exception("A VideoJob.on_update callback failed; the job goes on")


def _failure(video: Video) -> VideoFailed:
    code = video.error.code if video.error else "unknown_error"
    message = video.error.message if video.error else "The server gave no reason."
    error_class = ModerationBlocked if code == "moderation_blocked" else VideoFailed
    return error_class(video.id, code, message)


def _timeout(job: VideoJob) -> JobTimeout:
    return JobTimeout(
        f"Video {job.video_id} did not finish within {job.timeout:.0f} s (last seen "
        f"{job.status}, {job.progress}%). It may still finish on the server: follow it again "
        "with VideoJob.attach(client, video_id) or library.resume(client)."
    )


# ---- starting jobs --------------------------------------------------------------------------


def submit(
    client: SoraClient,
    prompt: str,
    *,
    model: str = DEFAULT_MODEL,
    size: str = DEFAULT_SIZE,
    seconds: str | int = DEFAULT_SECONDS,
    input_reference: Any = None,
    fit: Any = None,
    library: Library | None = None,
    poller: Poller | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    origin: str = "script",
) -> VideoJob:
    """Start a generation and return its job at once (the create request runs in the job).

    The fields are checked here, so a mistake raises InvalidRequestError right away.
    """
    seconds = str(seconds) if isinstance(seconds, int) else seconds  # 4 means "4"
    validate_generation(prompt, model, size, seconds)

    async def create() -> Video:
        return await client.create(
            prompt,
            model=model,
            size=size,
            seconds=seconds,
            input_reference=input_reference,
            fit=fit,
        )

    return VideoJob(client, create, library=library, poller=poller, timeout=timeout, origin=origin)


def submit_remix(
    client: SoraClient,
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


# ---- polling --------------------------------------------------------------------------------


@dataclass(eq=False)
class _Watch:
    job: VideoJob
    future: asyncio.Future[Video]
    deadline: float
    #: The next wait without a hint; grows by `Cadence.factor` after every poll.
    backoff: float
    #: The server's last `openai-poll-after-ms`, in seconds (None after a list refresh).
    hint: float | None = None


_POLLERS: weakref.WeakKeyDictionary[Any, Poller] = weakref.WeakKeyDictionary()


class Poller:
    """Refreshes every active job of one client from one loop, one request per tick.

    Use `Poller.for_client(client)` (what jobs do by default) so all jobs share it; build one
    yourself to set the cadence, or a fake `clock` and `sleep` in tests.
    """

    def __init__(
        self,
        client: SoraClient,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        cadence: Cadence | None = None,
        page_size: int = 100,
    ) -> None:
        # Weak, so the registry of pollers never keeps a client alive; jobs hold it strongly.
        self._client = weakref.ref(client)
        self.clock = clock
        self.sleep = sleep
        self.cadence = cadence or Cadence()
        self.page_size = page_size
        self._watches: list[_Watch] = []
        self._next_tick = 0.0
        self._failures = 0
        self._use_list = True
        self._task: asyncio.Task[Any] | None = None
        self._wake = asyncio.Event()

    @classmethod
    def for_client(cls, client: SoraClient) -> Poller:
        """The client's shared poller, created on first use."""
        poller = _POLLERS.get(client)
        if poller is None:
            poller = _POLLERS[client] = cls(client)
        return poller

    async def watch(self, job: VideoJob, deadline: float) -> Video:
        """Refresh `job` until its video is completed or failed, and return that video.

        Raises JobTimeout at `deadline` (a `clock` time), or the first error that is not
        transient (say, NotFoundError when the video was deleted meanwhile).
        """
        watch = _Watch(
            job, asyncio.get_running_loop().create_future(), deadline, self.cadence.initial
        )
        first_poll = min(self.clock() + self._next_delay(watch), deadline)
        self._next_tick = min(self._next_tick, first_poll) if self._live() else first_poll
        self._watches.append(watch)
        if self._task is None or self._task.done():
            self._wake = asyncio.Event()  # bound to this loop, which may be a new one
            self._task = _spawn(self._run())
        else:
            self._wake.set()
        try:
            return await watch.future
        finally:
            self._watches.remove(watch)

    def _live(self) -> list[_Watch]:
        return [watch for watch in self._watches if not watch.future.done()]

    async def _run(self) -> None:
        try:
            while self._live():
                wait = self._next_tick - self.clock()
                if wait > _TICK_SLACK:
                    await self._nap(wait)
                else:
                    await self._tick()
        except Exception as error:  # a bug here must not leave jobs waiting forever
            logger.exception("The poller failed")
            for watch in self._live():
                watch.future.set_exception(error)

    async def _nap(self, seconds: float) -> None:
        """Sleep, but wake early when a new job arrives (its first poll may be sooner)."""
        sleeper = asyncio.ensure_future(self.sleep(seconds))
        woken = asyncio.ensure_future(self._wake.wait())
        try:
            await asyncio.wait({sleeper, woken}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            sleeper.cancel()
            woken.cancel()
        self._wake.clear()

    async def _tick(self) -> None:
        now = self.clock()
        for watch in self._live():
            if now >= watch.deadline:
                watch.future.set_exception(_timeout(watch.job))
        watches = self._live()
        if not watches:
            return
        try:
            missing = watches
            if len(watches) >= 2 and self._use_list:
                missing = await self._refresh_from_list(watches)
            for watch in missing:
                await self._refresh_one(watch)
        except TRANSIENT_ERRORS as error:
            self._failures += 1
            delay = self._error_delay(error)
            logger.info("Polling failed (%s); trying again in %.1f s", error, delay)
            self._plan(delay)
            return
        self._failures = 0
        live = self._live()
        if live:
            delay = min(self._next_delay(watch) for watch in live)
            if len(live) >= 2 and self._use_list:
                delay = min(delay, self.cadence.list_maximum)
            self._plan(delay)

    async def _refresh_from_list(self, watches: list[_Watch]) -> list[_Watch]:
        """One `GET /videos` for all; returns the watches whose video was not on the page."""
        client = self._client()
        assert client is not None  # every job holds its client
        try:
            page = await client.list_page(limit=self.page_size, order="desc")
        except TRANSIENT_ERRORS:
            raise  # the tick waits and tries again
        except APIError as error:
            logger.info("GET /videos failed (%s); polling each video on its own instead", error)
            self._use_list = False
            return watches
        on_page = {video.id: video for video in page.data}
        missing = []
        for watch in watches:
            video = on_page.get(watch.job.video_id or "")
            if video is None:
                missing.append(watch)
            else:
                self._refresh(watch, video, hint=None)
        return missing

    async def _refresh_one(self, watch: _Watch) -> None:
        if watch.future.done():
            return  # cancelled while another request of this tick was under way
        client = self._client()
        assert client is not None and watch.job.video_id is not None
        try:
            video, hint = await client.retrieve_with_hint(watch.job.video_id)
        except TRANSIENT_ERRORS:
            raise  # the tick waits and tries again
        except SoraError as error:
            watch.future.set_exception(error)
            return
        self._refresh(watch, video, hint)

    def _refresh(self, watch: _Watch, video: Video, hint: float | None) -> None:
        if watch.future.done():
            return
        watch.hint = hint
        watch.job._observe(video)
        if video.is_terminal:
            watch.future.set_result(video)

    def _next_delay(self, watch: _Watch) -> float:
        """The wait this job asks for: the server's hint, else backoff cut short by the ETA."""
        cadence = self.cadence
        if watch.hint is not None:
            return cadence.clamp(watch.hint)
        delay = cadence.jittered(watch.backoff)
        watch.backoff = min(cadence.maximum, watch.backoff * cadence.factor)
        eta = watch.job.eta
        if eta:  # 0 means overdue: then the backoff, not a burst of polls, is right
            delay = min(delay, max(cadence.floor, eta))
        return delay

    def _error_delay(self, error: Exception) -> float:
        if isinstance(error, RateLimitError) and error.retry_after is not None:
            return max(self.cadence.floor, error.retry_after)
        backoff = self.cadence.initial * 2 ** (self._failures - 1)
        return self.cadence.jittered(self.cadence.clamp(backoff))

    def _plan(self, delay: float) -> None:
        """Schedule the next tick, never past a job's deadline."""
        deadlines = [watch.deadline for watch in self._live()]
        self._next_tick = min([self.clock() + delay, *deadlines])
