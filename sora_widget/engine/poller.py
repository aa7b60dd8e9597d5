"""Polling shared by every job of one client: the request rate does not grow with the jobs.

One loop per client sleeps until the planner's next wake, then asks the server what the tick
needs: `GET /videos` once for all active jobs, `GET /videos/{id}` for a job not on that page,
for a single job, or for a job at its predicted end. When to ask (the backoff, the server's
hint and Retry-After, the shortest gap, aimed retrieves, deadlines) is decided in
`polling_plan`, without I/O; this module does the requests, the sleeping and the jobs'
futures. Clock and sleep are injected, so tests run in fake time.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from sora_widget.core.errors import (
    TRANSIENT_ERRORS,
    APIError,
    JobTimeout,
    RateLimitError,
    SoraError,
)
from sora_widget.core.types import Video
from sora_widget.engine.api import VideosAPI
from sora_widget.engine.pace import Pace
from sora_widget.engine.polling_plan import TICK_SLACK, Cadence, Estimate, Planner, Server, Track
from sora_widget.engine.retry import RetryNotice, context_for, requests_for
from sora_widget.engine.tasks import spawn

logger = logging.getLogger(__name__)

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[object]]


class Followed(Protocol):
    """What the poller needs of a job (a `VideoJob`): which video, when it may end, and where
    to report what the server said."""

    @property
    def video_id(self) -> str | None: ...

    @property
    def eta(self) -> float | None: ...

    @property
    def eta_error(self) -> float | None: ...

    @property
    def progress_rate(self) -> float | None: ...

    @property
    def longest_left(self) -> float | None: ...

    def observe(self, video: Video) -> None: ...

    def retried(self, notice: RetryNotice) -> None: ...


# ---- polling --------------------------------------------------------------------------------


@dataclass(eq=False)
class _Watch:
    job: Followed
    future: asyncio.Future[Video]
    #: Its plan (see `polling_plan.Track`).
    track: Track


_POLLERS: weakref.WeakKeyDictionary[Any, Poller] = weakref.WeakKeyDictionary()


class Poller:
    """Refreshes every active job of one client from one loop, one request per tick.

    Use `Poller.for_client(client)` (what jobs do by default) so all jobs share it; build one
    yourself to set the cadence, or a fake `clock` and `sleep` in tests.
    """

    def __init__(
        self,
        client: VideosAPI,
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
        self.page_size = page_size
        self._planner = Planner(cadence or Cadence())
        self._watches: list[_Watch] = []
        #: How long this server's videos took, learned job by job (for servers that say
        #: nothing of a video's progress): see `pace`.
        self.pace = Pace()
        self._task: asyncio.Task[Any] | None = None
        self._wake = asyncio.Event()

    @property
    def cadence(self) -> Cadence:
        return self._planner.cadence

    @cadence.setter
    def cadence(self, cadence: Cadence) -> None:
        self._planner.cadence = cadence

    @classmethod
    def for_client(cls, client: VideosAPI) -> Poller:
        """The client's shared poller, created on first use."""
        poller = _POLLERS.get(client)
        if poller is None:
            poller = _POLLERS[client] = cls(client)
        return poller

    async def watch(self, job: Followed, deadline: float) -> Video:
        """Refresh `job` until its video is completed or failed, and return that video.

        Raises JobTimeout at `deadline` (a `clock` time; the job words the message), or the
        first error that is not transient (say, NotFoundError when the video was deleted).
        """
        others = [watch.track for watch in self._live()]
        track = self._planner.start(self.clock(), deadline, _estimate(job), self._server(), others)
        watch = _Watch(job, asyncio.get_running_loop().create_future(), track)
        self._watches.append(watch)
        if self._task is None or self._task.done():
            self._wake = asyncio.Event()  # bound to this loop, which may be a new one
            # A task of its own: not the first job's, whose task starts it.
            self._task = spawn(self._run(), context=context_for())
        else:
            self._wake.set()
        try:
            return await watch.future
        finally:
            self._watches.remove(watch)

    def _server(self) -> Server:
        """What the client has learned of its server so far (it learns as it asks)."""
        client = self._client()
        assert client is not None  # every job holds its client
        support = getattr(client, "support", None)
        return Server(
            simulator=client.is_simulator,
            hints=support.supported("poll_hint") if support is not None else None,
            lacks_list=support is not None and support.unsupported("list"),
            silent=getattr(client, "sends_progress", None) is False,
        )

    def _live(self) -> list[_Watch]:
        return [watch for watch in self._watches if not watch.future.done()]

    async def _run(self) -> None:
        try:
            while live := self._live():
                tracks = [watch.track for watch in live]
                wait = self._planner.wake_at(tracks, self._server()) - self.clock()
                if wait > TICK_SLACK:
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
        planner = self._planner
        now = self.clock()
        watches = self._live()
        for track in planner.expired(now, [watch.track for watch in watches]):
            watch = next(watch for watch in watches if watch.track is track)
            watch.future.set_exception(
                JobTimeout(f"Video {watch.job.video_id} timed out.", watch.job.video_id)
            )
        watches = self._live()
        if not watches:
            return
        tick = planner.tick(now, [watch.track for watch in watches], self._server())
        by_track = {watch.track: watch for watch in watches}
        try:
            if tick.shared:
                missing = watches
                if tick.listing:
                    probe = by_track.get(tick.probe) if tick.probe is not None else None
                    if probe is not None:
                        await self._refresh_one(probe)
                    missing = await self._refresh_from_list(watches)
                    missing = [watch for watch in missing if watch is not probe]
                for watch in missing:
                    if not planner.skips(watch.track, tick, self.clock(), self._server()):
                        await self._refresh_one(watch)
            else:
                for track in tick.due:  # one, or several when the server has no list endpoint
                    await self._refresh_one(by_track[track])
        except TRANSIENT_ERRORS as error:
            retry_after = error.retry_after if isinstance(error, RateLimitError) else None
            tracks = [watch.track for watch in self._live()]
            delay = planner.failed(self.clock(), tick, tracks, self._server(), retry_after)
            logger.info("Polling failed (%s); trying again in %.1f s", error, delay)
            return
        finally:
            planner.polled(self.clock())
        live = self._live()
        for watch in live:
            watch.track.estimate = _estimate(watch.job)
        planner.planned(self.clock(), tick, [watch.track for watch in live], self._server())

    async def _refresh_from_list(self, watches: list[_Watch]) -> list[_Watch]:
        """One `GET /videos` for all; returns the watches whose video was not on the page."""
        client = self._client()
        assert client is not None  # every job holds its client
        try:
            with requests_for(*(watch.job for watch in watches)):
                page = await client.list_page(limit=self.page_size, order="desc")
        except TRANSIENT_ERRORS:
            raise  # the tick waits and tries again
        except APIError as error:
            logger.info("GET /videos failed (%s); polling each video on its own instead", error)
            self._planner.use_list = False
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
            with requests_for(watch.job):
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
        self._planner.heard(watch.track, hint)
        watch.job.observe(video)
        if video.is_terminal:
            watch.future.set_result(video)


def _estimate(job: Followed) -> Estimate:
    """What the job predicts of its end now (its properties read the poller's clock)."""
    return Estimate(job.eta, job.eta_error, job.progress_rate, job.longest_left)
