"""When the shared poller asks the server, decided apart from asking it: plain data in and out.

The `Planner` holds the schedule of one client's poller (the next shared tick, the last
request, the list's backoff) and each followed job's `Track` (its backoff, the server's last
hint, its aimed retrieve, its deadline). Every decision takes the time as an argument and what
is known of the server (`Server`) and of each job's end (`Estimate`) as plain values: it reads
no clock, sends no request and never sleeps, so it can be checked on its own (see
tests/test_polling_plan.py). The poller (`poller`) does the I/O and the sleeping; docs/poller.md
draws the timeline.

While two or more jobs are active, one tick asks `GET /videos` for all of them (and
`GET /videos/{id}` for a job not on that page). A single job is retrieved on its own, and its
`openai-poll-after-ms` hint bounds the wait from below. Without a hint the wait backs off from
about 2 s towards 15 s on the simulator; on any other server without a hint, as the Videos
guide says, every 10 to 20 s (jittered), sooner as the video's expected end nears (from the
progress rate, or the model's typical time when the server's progress is unusable), and never
sooner than 2 s after the last poll; a job's first poll comes soon while the server has not
yet shown whether it sends hints (one answer shows it), after 10 s once it has shown it sends
none. A server that lacks the list (LiteLLM, New API: see `features`) is asked once, then each
video is polled on its own.

Once a job's progress rate is known, the planner predicts its end and retrieves that one job
then, instead of waiting for the next tick; the shared list keeps the other jobs fresh.
Predicted retrieves due together become one list request, and come at least `Cadence.floor`
apart. Retrieves never come sooner than the server's hint: an end known to within one hint is
aimed at; a wider window is polled a hint apart, the last poll at its end; a job near its end
whose rate is still vague is sampled at the hint first. A job past its predicted end (the
server holding it at 99%) gets no more predicted retrieves: the list, or the backoff, follows
it. While jobs are overdue and the list sees some of them finish, it comes sooner (every
twentieth of a job's duration, no more often than `floor`), and backs off again as soon as a
tick sees nothing finish. A job's deadline is kept to the moment, whatever the gap.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from sora_widget.engine.retry import MAX_RETRY_AFTER

#: A tick due within this many seconds is due now (float rounding of clock arithmetic).
TICK_SLACK = 1e-3


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
    #: Draws the jitter. Each cadence has its own, so a test seeds one poller's waits without
    #: touching the global `random`.
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    def jittered(self, seconds: float) -> float:
        return seconds * (1 + self.jitter * self.rng.uniform(-1, 1))

    def jittered_up(self, seconds: float) -> float:
        """Lengthened only, so a wait never drops below the lower bound it was chosen for."""
        return seconds * (1 + self.jitter * self.rng.uniform(0, 1))

    def clamp(self, seconds: float) -> float:
        return min(self.ceiling, max(self.floor, seconds))


@dataclass(frozen=True)
class Server:
    """What is known of the server, read from its client's features at each decision."""

    #: The bundled simulator: polled on its hints, never at the guide's slow cadence.
    simulator: bool = False
    #: Whether it sends `openai-poll-after-ms` (None: no retrieve has shown it yet).
    hints: bool | None = None
    #: Whether it is known to lack `GET /videos`.
    lacks_list: bool = False
    #: Whether it says nothing of a video's progress (OpenRouter).
    silent: bool = False

    @property
    def unhinted(self) -> bool:
        """Whether to poll it as the guide says for servers without a hint: not the
        simulator, and not seen sending `openai-poll-after-ms`."""
        return not self.simulator and self.hints is not True

    @property
    def known_unhinted(self) -> bool:
        return self.unhinted and self.hints is False


@dataclass(frozen=True)
class Estimate:
    """What a job predicts of its end when a plan is made (see `VideoJob.eta`)."""

    #: Seconds until the video is ready (0: overdue); None while unknown.
    eta: float | None = None
    #: How far `eta` may be off, at most.
    eta_error: float | None = None
    #: Percent per second, once two progress samples give it.
    progress_rate: float | None = None
    #: The most the job can still take, from a single progress sample.
    longest_left: float | None = None


@dataclass(eq=False)
class Track:
    """The plan for one job (compared by identity: two jobs may plan alike)."""

    deadline: float
    #: When the job was first watched.
    since: float
    #: The next wait without a hint; grows by `Cadence.factor` after every poll.
    backoff: float
    #: The next wait against a server without hints (see `Cadence.unhinted_initial`).
    slow: float
    #: What the job last predicted; the poller sets it before each plan.
    estimate: Estimate = field(default_factory=Estimate)
    #: The server's last `openai-poll-after-ms`, in seconds (None after a list refresh).
    hint: float | None = None
    #: When to retrieve this job on its own, at its predicted end (None: the shared poll will).
    aim: float | None = None
    #: Whether the one retry allowed after the predicted end has been spent.
    retried: bool = False
    #: Whether the server has answered for this job yet.
    polled: bool = False


@dataclass(frozen=True)
class Tick:
    """What one tick asks: the shared poll (a list for several jobs, else a retrieve each),
    or only the jobs whose predicted end is due."""

    now: float
    #: The jobs followed when the tick began.
    tracks: Sequence[Track]
    #: Whether the shared poll is one `GET /videos` for all.
    listing: bool
    shared: bool
    #: Jobs whose aimed retrieve is due.
    due: Sequence[Track]
    #: Retrieved beside the list, for the server's hint (a new batch's oldest job).
    probe: Track | None

    @property
    def refreshed(self) -> Sequence[Track]:
        return self.tracks if self.shared else self.due


class Planner:
    """The schedule of one client's poller. Methods take the time (`now`) and the server's
    state; the poller calls them in this order: `start` per new job, then in a loop
    `wake_at`, `expired`, `tick`, `skips` per retrieve, `heard` per answer, `polled`, and
    `planned` (or `failed`)."""

    def __init__(self, cadence: Cadence) -> None:
        self.cadence = cadence
        self.next_tick = 0.0
        #: When the last request of a tick was sent: the next waits `gap` after it.
        self.last_poll = float("-inf")
        #: The end of the server's last Retry-After: no request before it.
        self.quiet_until = float("-inf")
        #: The next wait between list requests, without overdue jobs finishing.
        self.list_backoff = cadence.initial
        #: The same against a server without hints.
        self.list_slow = cadence.unhinted_initial
        #: The soonest hint a retrieve brought since the last list was planned: the server's
        #: word on when to ask again bounds the next list's wait, once.
        self.list_hint: float | None = None
        #: Transient failures in a row: the error backoff doubles with each.
        self.failures = 0
        #: False once `GET /videos` failed or the server is known to lack it.
        self.use_list = True

    def gap(self, server: Server) -> float:
        """The shortest time between two polls: `unhinted_floor` against a server without
        hints, `floor` otherwise."""
        return self.cadence.unhinted_floor if server.unhinted else self.cadence.floor

    def earliest(self, server: Server) -> float:
        """No request before this: `gap` after the last one, and not within a Retry-After."""
        return max(self.last_poll + self.gap(server), self.quiet_until)

    def can_list(self, server: Server) -> bool:
        """Whether to ask `GET /videos`: not once it failed, nor on a server known to lack it."""
        if server.lacks_list:
            self.use_list = False
        return self.use_list

    def start(
        self,
        now: float,
        deadline: float,
        estimate: Estimate,
        server: Server,
        others: Sequence[Track],
    ) -> Track:
        """A new job's track, and its first poll planned. A job whose settings took a known
        time before (`pace`, on a server without hints) has nothing to ask until then, and
        then is retrieved on its own, not with every job beside it (`others`)."""
        cadence = self.cadence
        track = Track(
            deadline,
            since=now,
            backoff=cadence.initial,
            slow=cadence.unhinted_initial,
            estimate=estimate,
        )
        wait = self._first_wait(server)
        eta, error = estimate.eta, estimate.eta_error
        if eta and error is not None and server.unhinted:
            wait = max(wait, min(cadence.ceiling, eta - error))
            track.aim = min(now + wait, deadline)
            if not others:
                self.next_tick = deadline
        else:
            first_poll = min(now + wait, deadline)
            self.next_tick = min(self.next_tick, first_poll) if others else first_poll
        return track

    def _first_wait(self, server: Server) -> float:
        """Before a job's first poll: soon (a short clip may be done by 2 s, and a server not
        yet polled shows with its first answer whether it sends hints); against a server
        known to send none, as the guide says, the create's answer having said "queued"
        already (a poll at 2 s would only say so again)."""
        cadence = self.cadence
        if server.known_unhinted:
            return cadence.jittered_up(cadence.unhinted_initial)
        return max(self.gap(server), cadence.jittered(min(cadence.first, cadence.initial)))

    def wake_at(self, live: Sequence[Track], server: Server) -> float:
        """The next shared tick, or the first predicted retrieve; either kept `gap` after
        the last request (and after a Retry-After), so predictions falling close together are
        one list request, and a shared tick planned just after a predicted retrieve is not a
        second request at once. A job's deadline is kept to the moment."""
        earliest = self.earliest(server)
        aims = [track.aim for track in live if track.aim is not None]
        wake = self.next_tick
        if aims:
            # Ends predicted within `floor` of the first are waited for, and polled with it.
            first = min(aims)
            wake = min(wake, max(aim for aim in aims if aim <= first + self.cadence.floor))
        return min([max(earliest, wake), *(track.deadline for track in live)])

    @staticmethod
    def expired(now: float, live: Sequence[Track]) -> list[Track]:
        """The jobs whose deadline has come (within `TICK_SLACK`, like any tick: a wake that
        soon is not slept for, so a deadline missed by less would be ticked for again and
        again): they time out now."""
        return [track for track in live if track.deadline - now <= TICK_SLACK]

    def tick(self, now: float, live: Sequence[Track], server: Server) -> Tick:
        """What to ask now: the shared poll when its tick is due, else the due aims. Two
        predicted ends due at once cost one list request, which refreshes everyone; so does
        one due within `floor` of the next list request. Nothing before `earliest`: a tick
        that comes sooner, for a deadline, only times out."""
        if now < self.earliest(server) - TICK_SLACK:
            return Tick(now, list(live), listing=False, shared=False, due=[], probe=None)
        listing = len(live) >= 2 and self.can_list(server)
        shared = self.next_tick - now <= TICK_SLACK
        due = [track for track in live if track.aim is not None and track.aim - now <= TICK_SLACK]
        soon = self.next_tick - now < self.cadence.floor
        shared = shared or (listing and (len(due) >= 2 or (bool(due) and soon)))
        # Only a retrieve carries the hint: for a new batch of jobs, one (the oldest, the
        # likeliest to be off the list's first page) says when to ask again (the list follows
        # it once: see `_list_delay`), and shows a server not yet polled whether it sends
        # hints at all.
        new_batch = not any(track.polled for track in live)
        probe = live[0] if shared and listing and new_batch and server.hints is not False else None
        return Tick(now, list(live), listing, shared, due, probe)

    def skips(self, track: Track, tick: Tick, now: float, server: Server) -> bool:
        """Whether the shared poll leaves out this job the list did not cover: its first
        poll waits (another job's answer showed meanwhile that the server sends no hints), or
        it is retrieved on its own at its predicted end."""
        early = now - track.since < self.cadence.unhinted_initial
        if not track.polled and early and server.known_unhinted:
            return True
        return not tick.listing and track.aim is not None and track.aim - tick.now > TICK_SLACK

    def heard(self, track: Track, hint: float | None) -> None:
        """The server answered for this job (with its poll hint, for a retrieve)."""
        track.polled = True
        track.hint = hint
        if hint is not None:
            self.list_hint = hint if self.list_hint is None else min(self.list_hint, hint)

    def polled(self, now: float) -> None:
        """A tick's requests are over: the next comes at least `gap` after."""
        self.last_poll = now

    def failed(
        self,
        now: float,
        tick: Tick,
        live: Sequence[Track],
        server: Server,
        retry_after: float | None,
    ) -> float:
        """A request of the tick failed on a transient error: the next shared tick, after
        the server's Retry-After or a doubling backoff, plans again. Returns the wait."""
        self.failures += 1
        if retry_after is not None:
            # The client's cap: a server asking for a day must not stop the jobs for a day.
            delay = min(MAX_RETRY_AFTER, max(self.cadence.floor, retry_after))
            self.quiet_until = now + delay
        else:
            backoff = self.cadence.initial * 2 ** (self.failures - 1)
            delay = max(self.gap(server), self.cadence.jittered(self.cadence.clamp(backoff)))
        for track in tick.tracks:
            track.aim = None
        self._plan(now, delay, live)
        return delay

    def planned(self, now: float, tick: Tick, live: Sequence[Track], server: Server) -> None:
        """After a tick's answers: each refreshed job's next aim, and the next shared tick."""
        self.failures = 0
        if not live:
            return
        for track in tick.refreshed:
            track.aim = self._aim(track, now, server) if track in live else None
        if not tick.shared:
            # A job retrieved on its own that has no end to aim at any more (it is late) is
            # left to the shared ticks: one must come.
            left = [track for track in tick.refreshed if track in live and track.aim is None]
            if left:
                soonest = now + min(self._next_delay(track, server) for track in left)
                self.next_tick = min(self.next_tick, soonest)
            return
        if len(live) >= 2 and self.can_list(server):
            finished = any(track not in live for track in tick.tracks)
            self._plan(now, self._list_delay(live, finished, server), live)
        elif len(live) == 1 and (aim := live[0].aim) is not None:
            # A single job's predicted end is its next poll (never sooner than the hint). The
            # backoff grows all the same: once overdue, the job is not polled at a fresh 2 s.
            track = live[0]
            self._plan(now, max(self.gap(server), aim - now), live)
            track.aim = None
            track.backoff = min(self.cadence.maximum, track.backoff * self.cadence.factor)
        else:
            self._plan(now, min(self._next_delay(track, server) for track in live), live)

    def _aim(self, track: Track, now: float, server: Server) -> float | None:
        """When to retrieve this job on its own: at its predicted end when that is known to
        within one poll step (the server's hint, or the shortest gap); else one step apart
        through the window of possible ends, the last at its end; while the rate is very
        uncertain, halfway.

        None when the end is unknown or already past: an overdue job is left to the shared
        poll, so a video the server holds at 99% is not retrieved again and again.
        """
        estimate = track.estimate
        eta, error, rate = estimate.eta, estimate.eta_error, estimate.progress_rate
        cadence = self.cadence
        if eta == 0.0 and rate is not None and not track.retried:
            # Just past the predicted end: once, one percent later (progress is rounded down).
            track.retried = True
            eta, error = 1 / rate, 0.0
        if not eta or error is None:
            return None
        # No poll sooner than this: the server's hint, or the shortest gap (`floor`, or
        # `unhinted_floor` against a server that sends no hints).
        step = cadence.clamp(track.hint) if track.hint is not None else self.gap(server)
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
            wait = eta + late + (error / 2 if server.unhinted else 0.0)
        elif error < eta / 2:
            # Polls a step apart through the window (each one sharpens the rate), the last one
            # at its end: the video is noticed at most a step after it is done.
            wait = eta + late - step * int((error + late) / step)
        else:
            wait = eta / 2  # too uncertain yet: a sample halfway
        return now + min(cadence.ceiling, max(step, wait))

    def _list_delay(self, live: Sequence[Track], finished: bool, server: Server) -> float:
        """The wait before the next list request: backoff capped at `list_maximum`, shortened
        while overdue jobs are finishing (the server is working through them)."""
        cadence = self.cadence
        if server.unhinted:
            return self._unhinted_list_delay(live)
        durations = [
            100 / rate
            for track in live
            if track.estimate.eta == 0.0 and (rate := track.estimate.progress_rate) is not None
        ]
        if finished and durations:
            self.list_backoff = cadence.clamp(cadence.overdue_fraction * min(durations))
        delay = max(cadence.floor, cadence.jittered(min(self.list_backoff, cadence.list_maximum)))
        self.list_backoff = min(cadence.list_maximum, self.list_backoff * cadence.factor)
        hint, self.list_hint = self.list_hint, None
        return delay if hint is None else min(delay, cadence.clamp(hint))

    def _unhinted_list_delay(self, live: Sequence[Track]) -> float:
        """The list's wait against a server without hints: 10 to 20 s, cut short by the
        soonest expected end (a predicted retrieve, or the model's typical time)."""
        cadence = self.cadence
        delay = cadence.jittered_up(self.list_slow)
        self.list_slow = min(cadence.unhinted_maximum, self.list_slow * cadence.factor)
        etas = [eta for track in live if (eta := track.estimate.eta)]
        if etas:
            delay = min(delay, min(etas))
        return max(cadence.unhinted_floor, delay)

    def _next_delay(self, track: Track, server: Server) -> float:
        """The wait this job asks for when its end is not predicted: the server's hint, else
        backoff cut short by the ETA."""
        cadence = self.cadence
        if track.hint is not None:
            return cadence.clamp(track.hint)
        eta = track.estimate.eta
        if server.unhinted:
            delay = cadence.jittered_up(track.slow)
            # A server that tells nothing of progress (OpenRouter) gives no end to aim at until
            # a video of these settings has been seen done: meanwhile, every 10 s.
            most = cadence.unhinted_initial if server.silent else cadence.unhinted_maximum
            track.slow = min(most, track.slow * cadence.factor)
            if eta:  # the expected end is near: come then, but never in a burst
                delay = min(delay, eta)
            elif (longest := track.estimate.longest_left) is not None:
                # No rate yet (one sample): a second sample within half the longest the job
                # can still take, so a nearly finished job gets a rate before it ends unseen;
                # when half is under the shortest gap, a rate would come too late to aim with,
                # so the poll comes when the job must be done.
                half = longest / 2
                delay = min(delay, half if half >= cadence.unhinted_floor else longest)
            return max(cadence.unhinted_floor, delay)
        delay = cadence.jittered(track.backoff)
        track.backoff = min(cadence.maximum, track.backoff * cadence.factor)
        if eta:  # 0 means overdue: then the backoff, not a burst of polls, is right
            delay = min(delay, max(cadence.floor, eta))
        return delay

    def _plan(self, now: float, delay: float, live: Sequence[Track]) -> None:
        """Schedule the next tick, never past a job's deadline."""
        self.next_tick = min([now + delay, *(track.deadline for track in live)])
