"""Polling shared by every job of one client: the request rate does not grow with the jobs.

While two or more jobs are active the poller asks `GET /videos` once per tick for all of them
(falling back to `GET /videos/{id}` for a job that is not on that page). A single job is polled
with `GET /videos/{id}`, whose `openai-poll-after-ms` hint bounds the wait from below. Without
a hint the wait backs off from about 2 s towards 15 s on the simulator; on any other server
without a hint, as the Videos guide says, every 10 to 20 s (jittered), sooner as the video's
expected end nears (from the progress rate, or the model's typical time when the server's
progress is unusable), and never sooner than 2 s after the last poll; a job's first poll comes
soon while the server has not yet shown whether it sends hints (one answer shows it), after
10 s once it has shown it sends none. A server that lacks the
list (LiteLLM, New API: see `features`) is asked once, then each video is polled on its own.

Once a job's progress rate is known, the poller predicts its end and retrieves that one job
then (`GET /videos/{id}`), instead of waiting for the next tick; the shared list keeps the other
jobs fresh. Predicted retrieves due together become one list request, and come at least
`Cadence.floor` apart. Retrieves never come sooner than the server's hint: an end known to
within one hint is aimed at; a wider window is polled a hint apart, the last poll at its end;
a job near its end whose rate is still vague is sampled at the hint first. A job past its
predicted end (the server holding it at 99%) gets no more predicted retrieves: the list, or the
backoff, follows it. While jobs are overdue and the list
sees some of them finish, it comes sooner (every twentieth of a job's duration, no more often
than `floor`), and backs off again as soon as a tick sees nothing finish. Clock and sleep are
injected, so tests run in fake time.
"""

from __future__ import annotations

import asyncio
import logging
import random
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
from sora_widget.engine.retry import MAX_RETRY_AFTER, RetryNotice, context_for, requests_for
from sora_widget.engine.tasks import spawn

logger = logging.getLogger(__name__)

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[object]]

#: A tick due within this many seconds is due now (float rounding of clock arithmetic).
_TICK_SLACK = 1e-3


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
    #: The first poll after a create comes no later than this (a short clip may be done by 2 s);
    #: against a server known to send no hints, after `unhinted_initial`.
    first: float = 1.0
    #: A predicted retrieve comes this long after the predicted end, so it finds the video done.
    aim_late: float = 0.02
    #: While jobs are overdue and keep finishing, the list comes every this fraction of a job's
    #: duration (bounded by `floor` and `list_maximum`).
    overdue_fraction: float = 0.05
    #: Against a server that sends no `openai-poll-after-ms` (and is not the simulator), as
    #: the Videos guide says: every 10 to 20 s (the wait starts at `unhinted_initial`, grows by
    #: `factor` to `unhinted_maximum`, and is lengthened by up to `jitter`), sooner as the
    #: video's expected end comes near, and never sooner than `unhinted_floor` after a poll.
    unhinted_initial: float = 10.0
    unhinted_maximum: float = 18.0
    unhinted_floor: float = 2.0
    #: A job predicted to end within this many poll steps (hints) is "near" its end: while
    #: its end is uncertain by more than half a step, it is polled a step apart.
    near: float = 8.0

    def jittered(self, seconds: float) -> float:
        return seconds * (1 + self.jitter * random.uniform(-1, 1))

    def jittered_up(self, seconds: float) -> float:
        """Lengthened only, so a wait never drops below the lower bound it was chosen for."""
        return seconds * (1 + self.jitter * random.uniform(0, 1))

    def clamp(self, seconds: float) -> float:
        return min(self.ceiling, max(self.floor, seconds))


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
    deadline: float
    #: The next wait without a hint; grows by `Cadence.factor` after every poll.
    backoff: float
    #: The server's last `openai-poll-after-ms`, in seconds (None after a list refresh).
    hint: float | None = None
    #: When to retrieve this job on its own, at its predicted end (None: the shared poll will).
    aim: float | None = None
    #: Whether the one retry allowed after the predicted end has been spent.
    retried: bool = False
    #: The next wait against a server without hints (see `Cadence.unhinted_initial`).
    slow: float = 0.0
    #: Whether the server has answered for this job yet, and when it was first watched.
    polled: bool = False
    since: float = 0.0


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
        self.cadence = cadence or Cadence()
        self.page_size = page_size
        self._watches: list[_Watch] = []
        self._next_tick = 0.0
        #: When the last request of a tick was sent: predicted retrieves wait `floor` after it.
        self._last_poll = float("-inf")
        #: The next wait between list requests, without overdue jobs finishing.
        self._list_backoff = self.cadence.initial
        #: The same against a server without hints.
        self._list_slow = self.cadence.unhinted_initial
        #: The soonest hint a retrieve brought since the last list was planned: the server's
        #: word on when to ask again bounds the next list's wait, once.
        self._list_hint: float | None = None
        self._failures = 0
        #: How long this server's videos took, learned job by job (for servers that say
        #: nothing of a video's progress): see `pace`.
        self.pace = Pace()
        self._use_list = True
        self._task: asyncio.Task[Any] | None = None
        self._wake = asyncio.Event()

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
        watch = _Watch(
            job,
            asyncio.get_running_loop().create_future(),
            deadline,
            self.cadence.initial,
            slow=self.cadence.unhinted_initial,
            since=self.clock(),
        )
        first_wait = self._first_wait()
        eta, eta_error = job.eta, job.eta_error
        if eta and eta_error is not None and self._unhinted():
            # Such videos took this long before (see `pace`): nothing to ask until then, and
            # then this job on its own, not every job with it.
            first_wait = max(first_wait, min(self.cadence.ceiling, eta - eta_error))
            watch.aim = min(self.clock() + first_wait, deadline)
            if not self._live():
                self._next_tick = deadline
        else:
            first_poll = min(self.clock() + first_wait, deadline)
            self._next_tick = min(self._next_tick, first_poll) if self._live() else first_poll
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

    def _first_wait(self) -> float:
        """Before a job's first poll: soon (a short clip may be done by 2 s, and a server not
        yet polled shows with its first answer whether it sends hints); against a server
        known to send none, as the guide says, the create's answer having said "queued"
        already (a poll at 2 s would only say so again)."""
        cadence = self.cadence
        if self._known_unhinted():
            return cadence.jittered_up(cadence.unhinted_initial)
        return max(self._gap(), cadence.jittered(min(cadence.first, cadence.initial)))

    def _first_poll_waits(self, watch: _Watch) -> bool:
        """Whether a job never polled waits for its first poll, as the guide says, because
        another job's answer showed meanwhile that the server sends no hints."""
        early = self.clock() - watch.since < self.cadence.unhinted_initial
        return not watch.polled and early and self._known_unhinted()

    def _known_unhinted(self) -> bool:
        return self._unhinted() and self._hints() is False

    def _hints(self) -> bool | None:
        """Whether the server sends `openai-poll-after-ms` (None: no retrieve has shown it)."""
        support = getattr(self._client(), "support", None)
        return support.supported("poll_hint") if support is not None else None

    def _unhinted(self) -> bool:
        """Whether the server is one to poll as the guide says for servers without a hint: not
        the simulator, and not seen sending `openai-poll-after-ms`."""
        client = self._client()
        if client is None or client.is_simulator:
            return False
        support = getattr(client, "support", None)
        return support is None or support.supported("poll_hint") is not True

    def _gap(self) -> float:
        """The shortest time between two polls: `unhinted_floor` against a server without
        hints, `floor` otherwise."""
        return self.cadence.unhinted_floor if self._unhinted() else self.cadence.floor

    def _can_list(self) -> bool:
        """Whether to ask `GET /videos`: not once it failed, nor on a server known to lack it."""
        client = self._client()
        support = getattr(client, "support", None)
        if support is not None and support.unsupported("list"):
            self._use_list = False
        return self._use_list

    def _live(self) -> list[_Watch]:
        return [watch for watch in self._watches if not watch.future.done()]

    async def _run(self) -> None:
        try:
            while self._live():
                wait = self._wake_at() - self.clock()
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

    def _wake_at(self) -> float:
        """The next shared tick, or the first predicted retrieve; either kept `_gap()` after
        the last request, so predictions falling close together are one list request, and a
        shared tick planned just after a predicted retrieve is not a second request at once.
        A job's deadline is kept to the moment."""
        live = self._live()
        earliest = self._last_poll + self._gap()
        aims = [watch.aim for watch in live if watch.aim is not None]
        wake = self._next_tick
        if aims:
            # Ends predicted within `floor` of the first are waited for, and polled with it.
            first = min(aims)
            wake = min(wake, max(aim for aim in aims if aim <= first + self.cadence.floor))
        return min([max(earliest, wake), *(watch.deadline for watch in live)])

    async def _tick(self) -> None:
        now = self.clock()
        for watch in self._live():
            if now >= watch.deadline:
                watch.future.set_exception(
                    JobTimeout(f"Video {watch.job.video_id} timed out.", watch.job.video_id)
                )
        watches = self._live()
        if not watches:
            return
        listing = len(watches) >= 2 and self._can_list()
        shared = self._next_tick - now <= _TICK_SLACK
        due = [w for w in watches if w.aim is not None and w.aim - now <= _TICK_SLACK]
        # Two predicted ends due at once cost one list request, which refreshes everyone; so
        # does one due within `floor` of the next list request.
        soon = self._next_tick - now < self.cadence.floor
        shared = shared or (listing and (len(due) >= 2 or (bool(due) and soon)))
        finished_before = sum(1 for watch in watches if watch.future.done())
        try:
            if shared:
                missing = watches
                if listing:
                    # Only a retrieve carries the hint: for a new batch of jobs, one (the oldest,
                    # the likeliest to be off the list's first page) says when to ask again
                    # (the list follows it once: see `_list_delay`), and shows a server not yet
                    # polled whether it sends hints at all.
                    new_batch = not any(watch.polled for watch in watches)
                    first = watches[0] if new_batch and self._hints() is not False else None
                    if first is not None:
                        await self._refresh_one(first)
                    missing = await self._refresh_from_list(watches)
                    missing = [watch for watch in missing if watch is not first]
                for watch in missing:
                    if self._first_poll_waits(watch):
                        continue
                    if not listing and watch.aim is not None and watch.aim - now > _TICK_SLACK:
                        continue  # retrieved on its own at its predicted end
                    await self._refresh_one(watch)
            else:
                for watch in due:  # one, or several when the server has no list endpoint
                    await self._refresh_one(watch)
        except TRANSIENT_ERRORS as error:
            self._failures += 1
            delay = self._error_delay(error)
            logger.info("Polling failed (%s); trying again in %.1f s", error, delay)
            for watch in watches:
                watch.aim = None  # the next shared tick, after the error delay, plans again
            self._plan(delay)
            return
        finally:
            self._last_poll = self.clock()
        self._failures = 0
        live = self._live()
        if not live:
            return
        refreshed = watches if shared else due
        for watch in refreshed:
            watch.aim = self._aim(watch) if watch in live else None
        if not shared:
            # A job retrieved on its own that has no end to aim at any more (it is late) is
            # left to the shared ticks: one must come.
            left = [watch for watch in refreshed if watch in live and watch.aim is None]
            if left:
                soonest = self.clock() + min(self._next_delay(watch) for watch in left)
                self._next_tick = min(self._next_tick, soonest)
            return
        if len(live) >= 2 and self._can_list():
            finished = sum(1 for watch in watches if watch.future.done()) > finished_before
            self._plan(self._list_delay(live, finished))
        elif len(live) == 1 and (aim := live[0].aim) is not None:
            # A single job's predicted end is its next poll (never sooner than the hint). The
            # backoff grows all the same: once overdue, the job is not polled at a fresh 2 s.
            watch = live[0]
            self._plan(max(self._gap(), aim - self.clock()))
            watch.aim = None
            watch.backoff = min(self.cadence.maximum, watch.backoff * self.cadence.factor)
        else:
            self._plan(min(self._next_delay(watch) for watch in live))

    def _aim(self, watch: _Watch) -> float | None:
        """When to retrieve this job on its own: at its predicted end when that is known to
        within one poll step (the server's hint, or the shortest gap); else one step apart
        through the window of possible ends, the last at its end; while the rate is very
        uncertain, halfway.

        None when the end is unknown or already past: an overdue job is left to the shared
        poll, so a video the server holds at 99% is not retrieved again and again.
        """
        job = watch.job
        eta, error, rate = job.eta, job.eta_error, job.progress_rate
        cadence = self.cadence
        if eta == 0.0 and rate is not None and not watch.retried:
            # Just past the predicted end: once, one percent later (progress is rounded down).
            watch.retried = True
            eta, error = 1 / rate, 0.0
        if not eta or error is None:
            return None
        # No poll sooner than this: the server's hint, or the shortest gap (`floor`, or
        # `unhinted_floor` against a server that sends no hints).
        step = cadence.clamp(watch.hint) if watch.hint is not None else self._gap()
        late = cadence.jittered(cadence.aim_late)
        sharpens = rate is not None  # a window from `pace` is not sharpened by sampling
        if (
            sharpens
            and error + late > step / 2
            and step < eta - error
            and eta <= cadence.near * step
        ):
            # Near the end but still vague (a short job, two samples): a sample a step from now,
            # as the server invites, sharpens the rate before the end is aimed at.
            wait = step
        elif error + late <= step:
            # The end is known to within one step: aim at it. A sample at the window's early
            # edge that finds the video unfinished would put the next poll a whole step later;
            # where that step is the 2 s gap of a server without hints, aim halfway to the
            # window's late edge (`eta_error` is the worst case of two rounded samples).
            wait = eta + late + (error / 2 if self._unhinted() else 0.0)
        elif error < eta / 2:
            # Polls a step apart through the window (each one sharpens the rate), the last one
            # at its end: the video is noticed at most a step after it is done.
            wait = eta + late - step * int((error + late) / step)
        else:
            wait = eta / 2  # too uncertain yet: a sample halfway
        return self.clock() + min(cadence.ceiling, max(step, wait))

    def _list_delay(self, live: list[_Watch], finished: bool) -> float:
        """The wait before the next list request: backoff capped at `list_maximum`, shortened
        while overdue jobs are finishing (the server is working through them)."""
        cadence = self.cadence
        if self._unhinted():
            return self._unhinted_list_delay(live)
        durations = [
            100 / rate
            for watch in live
            if watch.job.eta == 0.0 and (rate := watch.job.progress_rate) is not None
        ]
        if finished and durations:
            self._list_backoff = cadence.clamp(cadence.overdue_fraction * min(durations))
        delay = max(cadence.floor, cadence.jittered(min(self._list_backoff, cadence.list_maximum)))
        self._list_backoff = min(cadence.list_maximum, self._list_backoff * cadence.factor)
        hint, self._list_hint = self._list_hint, None
        return delay if hint is None else min(delay, cadence.clamp(hint))

    def _unhinted_list_delay(self, live: list[_Watch]) -> float:
        """The list's wait against a server without hints: 10 to 20 s, cut short by the
        soonest expected end (a predicted retrieve, or the model's typical time)."""
        cadence = self.cadence
        delay = cadence.jittered_up(self._list_slow)
        self._list_slow = min(cadence.unhinted_maximum, self._list_slow * cadence.factor)
        etas = [eta for watch in live if (eta := watch.job.eta)]
        if etas:
            delay = min(delay, min(etas))
        return max(cadence.unhinted_floor, delay)

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
        watch.polled = True
        watch.hint = hint
        if hint is not None:
            self._list_hint = hint if self._list_hint is None else min(self._list_hint, hint)
        watch.job.observe(video)
        if video.is_terminal:
            watch.future.set_result(video)

    def _next_delay(self, watch: _Watch) -> float:
        """The wait this job asks for when its end is not predicted: the server's hint, else
        backoff cut short by the ETA."""
        cadence = self.cadence
        if watch.hint is not None:
            return cadence.clamp(watch.hint)
        if self._unhinted():
            delay = cadence.jittered_up(watch.slow)
            # A server that tells nothing of progress (OpenRouter) gives no end to aim at until
            # a video of these settings has been seen done: meanwhile, every 10 s.
            silent = getattr(self._client(), "sends_progress", None) is False
            most = cadence.unhinted_initial if silent else cadence.unhinted_maximum
            watch.slow = min(most, watch.slow * cadence.factor)
            eta = watch.job.eta
            if eta:  # the expected end is near: come then, but never in a burst
                delay = min(delay, eta)
            elif (longest := watch.job.longest_left) is not None:
                # No rate yet (one sample): a second sample within half the longest the job
                # can still take, so a nearly finished job gets a rate before it ends unseen;
                # when half is under the shortest gap, a rate would come too late to aim with,
                # so the poll comes when the job must be done.
                half = longest / 2
                delay = min(delay, half if half >= cadence.unhinted_floor else longest)
            return max(cadence.unhinted_floor, delay)
        delay = cadence.jittered(watch.backoff)
        watch.backoff = min(cadence.maximum, watch.backoff * cadence.factor)
        eta = watch.job.eta
        if eta:  # 0 means overdue: then the backoff, not a burst of polls, is right
            delay = min(delay, max(cadence.floor, eta))
        return delay

    def _error_delay(self, error: Exception) -> float:
        if isinstance(error, RateLimitError) and error.retry_after is not None:
            # The client's cap: a server asking for a day must not stop the jobs for a day.
            return min(MAX_RETRY_AFTER, max(self.cadence.floor, error.retry_after))
        backoff = self.cadence.initial * 2 ** (self._failures - 1)
        return max(self._gap(), self.cadence.jittered(self.cadence.clamp(backoff)))

    def _plan(self, delay: float) -> None:
        """Schedule the next tick, never past a job's deadline."""
        deadlines = [watch.deadline for watch in self._live()]
        self._next_tick = min([self.clock() + delay, *deadlines])
