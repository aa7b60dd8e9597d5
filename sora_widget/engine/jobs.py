"""A video job's life: create, poll until it finishes, save it, and tell whoever is watching.

`submit()` returns a `VideoJob` at once: the work runs as an asyncio task on the running loop
(in Jupyter, the kernel's), so no cell has to block. `await job` gives the final Video;
`job.wait()` does the same from a plain script, where no loop is running. Jobs are refreshed
by their client's shared `Poller` (see `poller`).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from sora_widget.core.catalog import family_of
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
from sora_widget.engine.library import Library
from sora_widget.engine.poller import Poller
from sora_widget.engine.retry import RetryNotice, context_for
from sora_widget.engine.storage import LibraryEntry
from sora_widget.engine.tasks import spawn

logger = logging.getLogger(__name__)
T = TypeVar("T")

#: How long a job may take before it ends with JobTimeout (the video may still finish).
DEFAULT_TIMEOUT = 30 * 60.0

#: The generation time assumed for a model the catalog does not know.
DEFAULT_TYPICAL_SECONDS = 120.0
#: Progress that has not moved for this share of the model's typical time (and at least
#: `STILL_MIN_SECONDS`) while the job runs is not a progress report: the bar goes indeterminate.
STILL_FRACTION = 0.2
STILL_MIN_SECONDS = 15.0

#: What a person is told when the server ended the video itself, and what to do.
_ENDED_WORDS = {
    VideoStatus.CANCELLED: "The server cancelled this video before it finished (not this "
    "client: someone or something on the server's side stopped it). Generate it again with "
    "Retry.",
    VideoStatus.EXPIRED: "The server expired this video: it was not finished, or not "
    "downloaded, in the time the server keeps videos. Generate it again with Retry.",
    VideoStatus.DELETED: "The server deleted this video before it could be saved. Generate "
    "it again with Retry.",
}

#: How far past its expected window (a fraction of the expected time) a job is still looked
#: for a poll step apart, before the backoff takes over.
LATE_SLACK = 0.15

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
        # (clock, progress) at the first in_progress poll and the latest change: the rate.
        self._first_sample: tuple[float, int] | None = None
        self._last_sample: tuple[float, int] | None = None
        # The last few (clock, progress) changes: each was seen at or after the server reached
        # it, so the earliest end any of them predicts is the least delayed by the polling.
        self._recent_samples: collections.deque[tuple[float, int]] = collections.deque(maxlen=8)
        #: When the job was first seen queued or in progress on the server, and when last seen
        #: queued (it began working after that).
        self._running_since: float | None = None
        self._seen_queued: float | None = None
        #: Why the server's progress is not used (sticky once set): "" while it is.
        self._unusable_progress = ""
        #: When the server last described the job as unfinished (the pace's early edge), and
        #: whether the job was attached (its submission time unknown: it teaches no pace).
        self._last_unfinished: float | None = None
        self._attached = video_id is not None
        #: The model named at submit, for the typical time before the server describes it.
        self.model: str | None = None
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
        if self.status is not JobStatus.IN_PROGRESS or not self._first_sample:
            return None
        if self.indeterminate:
            return None
        (t0, p0), (t1, p1) = self._first_sample, self._last_sample or self._first_sample
        if p1 <= p0 or t1 <= t0:
            return None
        return (p1 - p0) / (t1 - t0)

    @property
    def eta(self) -> float | None:
        """Seconds until the video is ready, from the progress rate so far; None if unknown."""
        if self.status in (JobStatus.SAVING, JobStatus.COMPLETED):
            return 0.0
        if self.indeterminate and not self.done:
            # The server's progress says nothing: when such videos took on this server, else
            # the model's usual time, is the best guess.
            window = self._expected_window()
            if window is not None:
                return max(0.0, sum(window) / 2 - self.elapsed)
            return max(0.0, self.typical_seconds - self.elapsed)
        rate = self.progress_rate
        if rate is None:
            return None
        end = min(t + (100 - p) / rate for t, p in self._recent_samples)
        return max(0.0, end - self.poller.clock())

    @property
    def longest_left(self) -> float | None:
        """Seconds the job can at most still take, from one progress sample: had it worked
        since it was last seen queued (or submitted), p percent in those w seconds leaves
        (100 - p) x w / p. What a first sample gives before there is a rate (a short job may
        be nearly done by a server's second poll); None before any progress."""
        if self.status is not JobStatus.IN_PROGRESS or self.indeterminate:
            return None
        if self._last_sample is None or self._last_sample[1] <= 0:
            return None
        seen, progress = self._last_sample
        began = self._seen_queued if self._seen_queued is not None else self._started_at
        left_then = (100 - progress) * (seen - began) / progress
        return max(0.0, left_then - (self.poller.clock() - seen))

    @property
    def eta_error(self) -> float | None:
        """How far `eta` may be off, in seconds, at most: the server rounds progress down to a
        whole percent, so each of the two samples the rate comes from is off by up to one."""
        eta = self.eta
        if self.indeterminate:
            window = self._expected_window() if not self.done else None
            return (window[1] - window[0]) / 2 if window is not None else None
        if not eta or self._first_sample is None or self._last_sample is None:
            return None
        span = self._last_sample[1] - self._first_sample[1]
        return eta * 2 / span if span > 0 else None

    def _expected_window(self) -> tuple[float, float] | None:
        """When this job should be done (seconds from its submission), from the pace of
        earlier jobs of its settings on this server, narrowed by the last poll that found it
        unfinished; None when none is known, or the window has passed (it is late)."""
        video = self.video
        if video is None:
            return None
        window = self.poller.pace.expect(video.model, video.size, video.seconds)
        if window is None:
            return None
        seen = self._last_unfinished - self._started_at if self._last_unfinished else 0.0
        low, high = max(window[0], seen), window[1]
        if low >= high:
            # A little late (a window scaled from another duration is an estimate): looked
            # for a while longer, then left to the backoff.
            high = window[1] * (1 + LATE_SLACK)
        return (low, high) if low < high else None

    @property
    def indeterminate(self) -> bool:
        """Whether the server's progress is useless for this job: absent, a 0-1 fraction, in
        stages (a step after a long still), or not moving while the job runs. Then the panel
        shows an indeterminate bar against `typical_seconds`, and `eta` comes from that."""
        if self._unusable_progress:
            return True
        if self._running_since is None or self.done or self.status is JobStatus.SAVING:
            return False
        still_for = self.poller.clock() - self._running_since
        if self._first_sample and self._last_sample != self._first_sample:
            return False  # it moved
        return still_for >= self._still_limit

    @property
    def _still_limit(self) -> float:
        return max(STILL_MIN_SECONDS, STILL_FRACTION * self.typical_seconds)

    @property
    def progress_problem(self) -> str:
        """Why the progress is not used, in a few words ("" while it is)."""
        if self._unusable_progress:
            return self._unusable_progress
        return "the server's progress does not move" if self.indeterminate else ""

    @property
    def typical_seconds(self) -> float:
        """How long the model usually takes (the catalog's figure, or a default)."""
        model = self.video.model if self.video is not None else self.model
        family = family_of(model) if model else None
        return family.typical_seconds if family is not None else DEFAULT_TYPICAL_SECONDS

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
        learns = self._unusable_progress and not self._attached and not self.done
        if video.status == VideoStatus.COMPLETED and learns:
            # Nothing to predict from but how long such videos take: remember this one's.
            unfinished = self._last_unfinished
            low = unfinished - self._started_at if unfinished is not None else 0.0
            high = self.poller.clock() - self._started_at
            self.poller.pace.learn(video.model, video.size, video.seconds, low, high)
        if not video.is_terminal and not self.done:
            self._last_unfinished = self.poller.clock()
            queued = video.status == VideoStatus.QUEUED
            self.status = JobStatus.QUEUED if queued else JobStatus.IN_PROGRESS
            if self._running_since is None:
                self._running_since = self.poller.clock()
            if queued:
                self._seen_queued = self.poller.clock()
            self._check_progress(video)
            if not queued:
                # When each value was *first* seen: a job stuck at 99% soon has an ETA of 0.
                sample = (self.poller.clock(), video.progress)
                self._first_sample = self._first_sample or sample
                if self._last_sample is None or self._last_sample[1] != video.progress:
                    self._last_sample = sample
                    self._recent_samples.append(sample)
        if not video.is_terminal:
            self._notify()  # a finished video is announced by the status `_run` sets next

    def _check_progress(self, video: Video) -> None:
        """Notice progress that is no progress report (see `indeterminate`)."""
        if self._unusable_progress:
            return
        in_progress = video.status != VideoStatus.QUEUED
        # A server of a shape with no progress field (OpenRouter) may stay pending until done.
        never_sent = getattr(self.client, "sends_progress", None) is False
        if not video.progress_reported and (in_progress or video.progress or never_sent):
            self._unusable_progress = (
                "the server reports no progress"
                if video.progress == 0
                else "the server reports progress as a 0-1 fraction"
            )
        elif (
            in_progress
            and self._first_sample is not None
            and self._last_sample == self._first_sample
            and video.progress != self._first_sample[1]
            and self.poller.clock() - self._first_sample[0] >= self._still_limit
        ):
            # Still for a long while in progress, then a step (volcengine's 0, 50, 100): the
            # server reports stages, and a rate from them would be a wild guess.
            self._unusable_progress = "the server's progress moves in stages"

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
    input_reference: Any = None,
    fit: Any = None,
    last_frame: Any = None,
    reference_images: Sequence[Any] = (),
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
