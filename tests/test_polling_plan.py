"""Properties of the poller's plan (`polling_plan.Planner`), checked without I/O or a clock.

A small model of a server (jobs that end at a set time, answers with or without a poll hint,
transient failures with or without Retry-After) is driven through the planner the way the
poller drives it (`Poller._run`, `Poller._tick`); every request is logged with its time, and
the properties are checked on that log.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from hypothesis import example, given, settings
from hypothesis import strategies as st

from sora_widget.engine.polling_plan import (
    TICK_SLACK,
    Cadence,
    Estimate,
    Planner,
    Server,
    Track,
)
from sora_widget.engine.retry import MAX_RETRY_AFTER

#: How much sooner than planned a request may come: a tick is due within `TICK_SLACK`.
EARLY = TICK_SLACK


@dataclass(frozen=True)
class Job:
    """A job of the model server: submitted at `start`, finished from `end` on (never when
    None), followed until `deadline`. What it predicts of its end is fixed at submission."""

    start: float
    end: float | None
    deadline: float
    #: The end the job's progress points to (None: no prediction), and how sure it is.
    predicted_end: float | None
    error: float | None
    rate: float | None

    def estimate(self, now: float) -> Estimate:
        if self.predicted_end is None:
            return Estimate()
        return Estimate(max(0.0, self.predicted_end - now), self.error, self.rate)


class Refused(Exception):
    """A transient failure of the model server, with its Retry-After (or None)."""


@dataclass
class Log:
    #: (time, "list" or "retrieve", job index or None)
    requests: list[tuple[float, str, int | None]] = field(default_factory=list)
    #: (time, job index) of each timeout.
    timeouts: list[tuple[float, int]] = field(default_factory=list)
    #: (time of the failed request, its Retry-After).
    failures: list[tuple[float, float | None]] = field(default_factory=list)
    #: (time, job index) of each answer that found the job finished.
    finished: list[tuple[float, int]] = field(default_factory=list)


def run(
    planner: Planner,
    server: Server,
    jobs: Sequence[Job],
    hint: float | None,
    failures: dict[int, float | None],
    steps: int = 20_000,
) -> Log:
    """Drive the planner as the poller does, in fake time: a new job wakes the loop; a tick
    times out the expired jobs, then sends the shared poll or the due retrieves, and plans."""
    log = Log()
    waiting = sorted(range(len(jobs)), key=lambda index: jobs[index].start)
    tracks: dict[int, Track] = {}  # live jobs, by index
    now = 0.0

    def live() -> list[Track]:
        return list(tracks.values())

    def index_of(track: Track) -> int:
        return next(index for index, kept in tracks.items() if kept is track)

    def ask(kind: str, index: int | None) -> None:
        """One request; raises Refused when `failures` names its number (from 0)."""
        number = len(log.requests)
        log.requests.append((now, kind, index))
        if number in failures:
            log.failures.append((now, failures[number]))
            raise Refused(failures[number])
        for answered in [index] if index is not None else list(tracks):
            if answered not in tracks:
                continue
            planner.heard(tracks[answered], hint if kind == "retrieve" else None)
            end = jobs[answered].end
            if end is not None and now >= end:
                log.finished.append((now, answered))
                del tracks[answered]

    for _ in range(steps):
        if not tracks and not waiting:
            return log
        wake = planner.wake_at(live(), server) if tracks else math.inf
        if waiting and (not tracks or jobs[waiting[0]].start < wake):
            index = waiting.pop(0)
            now = max(now, jobs[index].start)
            job = jobs[index]
            tracks[index] = planner.start(
                now, job.deadline, job.estimate(now), server, others=live()
            )
            continue
        if wake - now > TICK_SLACK:
            now = wake
            continue
        for track in planner.expired(now, live()):
            index = index_of(track)
            log.timeouts.append((now, index))
            del tracks[index]
        if not tracks:
            continue
        tick = planner.tick(now, live(), server)
        try:
            if tick.shared:
                probe = index_of(tick.probe) if tick.probe is not None else None
                if tick.listing:
                    if probe is not None:
                        ask("retrieve", probe)
                    ask("list", None)
                else:
                    for track in tick.tracks:
                        if track in live() and not planner.skips(track, tick, now, server):
                            ask("retrieve", index_of(track))
            else:
                for track in tick.due:
                    if track in live():
                        ask("retrieve", index_of(track))
        except Refused as refused:
            [retry_after] = refused.args
            planner.polled(now)
            planner.failed(now, tick, live(), server, retry_after)
            continue
        planner.polled(now)
        for index, track in tracks.items():
            track.estimate = jobs[index].estimate(now)
        planner.planned(now, tick, live(), server)
    raise AssertionError("the jobs were still followed after many steps")


# ---- strategies -------------------------------------------------------------------------------

times = st.floats(min_value=0.0, max_value=60.0, allow_nan=False)


@st.composite
def job(draw: st.DrawFn) -> Job:
    start = draw(times)
    end = draw(st.none() | st.floats(min_value=0.5, max_value=150.0).map(lambda s: start + s))
    deadline = start + draw(st.floats(min_value=0.5, max_value=200.0))
    predicted_end = None
    error = rate = None
    if draw(st.booleans()):
        reference = end if end is not None else start + draw(st.floats(1.0, 150.0))
        predicted_end = max(start, reference + draw(st.floats(-5.0, 5.0)))
        error = draw(st.none() | st.floats(0.0, 10.0))
        rate = draw(st.none() | st.floats(0.5, 50.0))
    return Job(start, end, deadline, predicted_end, error, rate)


servers = st.builds(
    Server,
    simulator=st.booleans(),
    hints=st.sampled_from([True, False, None]),
    lacks_list=st.booleans(),
    silent=st.booleans(),
)
hints = st.none() | st.floats(min_value=0.0, max_value=40.0)
#: Which requests fail (by number), each with its Retry-After or none.
failure_maps = st.dictionaries(
    st.integers(min_value=0, max_value=40),
    st.none() | st.floats(min_value=0.0, max_value=200.0),
    max_size=6,
)


def planner_of(rng: random.Random) -> Planner:
    return Planner(Cadence(rng=rng))


scenario = {
    "rng": st.randoms(use_true_random=False),
    "server": servers,
    "jobs": st.lists(job(), min_size=1, max_size=6),
    "hint": hints,
    "failures": failure_maps,
}


def request_ticks(log: Log) -> list[float]:
    """The times at which requests were sent (several requests of one tick share a time)."""
    return sorted({when for when, _, _ in log.requests})


# ---- properties -------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(**scenario)
# Found by this test: the tick planned at the first deadline (3.75) polled the other jobs, and
# so did the one at the next (3.8125), 62 ms later on a server whose gap is 2 s.
@example(
    rng=random.Random(0),
    server=Server(hints=False),
    jobs=[
        Job(0.0, None, 4.0, None, None, None),
        Job(0.0, None, 3.8125, None, None, None),
        Job(1.25, None, 3.75, None, None, None),
    ],
    hint=None,
    failures={},
)
def test_no_two_ticks_closer_than_the_shortest_gap(rng, server, jobs, hint, failures):
    planner = planner_of(rng)
    log = run(planner, server, jobs, hint, failures)
    ticks = request_ticks(log)
    gap = planner.gap(server)
    for before, after in zip(ticks, ticks[1:], strict=False):
        assert after - before >= gap - EARLY, (before, after, gap)


@settings(max_examples=300, deadline=None)
@given(**scenario)
def test_a_timeout_comes_at_its_deadline_and_nothing_is_asked_after_it(
    rng, server, jobs, hint, failures
):
    log = run(planner_of(rng), server, jobs, hint, failures)
    finished = {index for _, index in log.finished}
    timed_out = {index: when for when, index in log.timeouts}
    for index, job in enumerate(jobs):
        if index not in finished:  # followed to its deadline, no longer
            assert job.deadline - TICK_SLACK <= timed_out[index] <= job.deadline
        asked = [when for when, _, asked in log.requests if asked == index]
        assert all(when < job.deadline for when in asked)


@settings(max_examples=300, deadline=None)
@given(**scenario)
def test_nothing_is_asked_before_the_servers_retry_after(rng, server, jobs, hint, failures):
    log = run(planner_of(rng), server, jobs, hint, failures)
    for failed_at, retry_after in log.failures:
        if retry_after is None:
            continue
        quiet_until = failed_at + min(MAX_RETRY_AFTER, retry_after)
        later = [when for when in request_ticks(log) if when > failed_at]
        assert not later or later[0] >= quiet_until - EARLY, (failed_at, retry_after, later)


@settings(max_examples=300, deadline=None)
@given(rng=st.randoms(use_true_random=False), server=servers, job=job(), hint=hints)
def test_a_single_job_is_never_asked_again_sooner_than_the_hint(rng, server, job, hint):
    planner = planner_of(rng)
    log = run(planner, server, [job], hint, failures={})
    floor = planner.gap(server) if hint is None else planner.cadence.clamp(hint)
    ticks = request_ticks(log)
    for before, after in zip(ticks, ticks[1:], strict=False):
        assert after - before >= floor - EARLY, (before, after, floor)


@settings(max_examples=300, deadline=None)
@given(
    rng=st.randoms(use_true_random=False),
    others=st.integers(min_value=1, max_value=5),
    eta=st.floats(min_value=0.2, max_value=1.5),
    error=st.floats(min_value=0.0, max_value=0.02),
    rate=st.floats(min_value=1.0, max_value=20.0),
)
def test_a_predicted_end_gets_its_own_retrieve(rng, others, eta, error, rate):
    """A job whose end is known to within the shortest gap is retrieved on its own just after
    that end, before the next shared tick (which comes up to `list_maximum` later)."""
    planner = planner_of(rng)
    server = Server(simulator=True)
    tracks: list[Track] = []
    for _ in range(others + 1):
        tracks.append(planner.start(0.0, 600.0, Estimate(), server, others=tracks))
    now = planner.wake_at(tracks, server)
    tick = planner.tick(now, tracks, server)
    assert tick.shared
    for track in tracks:
        planner.heard(track, None)
    planner.polled(now)
    predicted = Estimate(eta, error, rate)
    tracks[0].estimate = predicted
    planner.planned(now, tick, tracks, server)
    aim = tracks[0].aim
    assert aim is not None and now + eta <= aim <= now + eta + 2 * planner.cadence.aim_late
    assert planner.wake_at(tracks, server) == aim
    tick = planner.tick(aim, tracks, server)
    assert not tick.shared and list(tick.due) == [tracks[0]]
