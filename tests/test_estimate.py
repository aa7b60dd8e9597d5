"""A job's progress estimate on its own: fed descriptions of a video at chosen instants of a
hand-moved clock, no job, poller or server."""

from __future__ import annotations

import pytest

from sora_widget.core.types import Video, VideoStatus
from sora_widget.engine.estimate import (
    DEFAULT_TYPICAL_SECONDS,
    LATE_SLACK,
    ProgressEstimate,
)
from sora_widget.engine.job_status import JobStatus
from sora_widget.engine.pace import Pace

RUNNING = JobStatus.IN_PROGRESS


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def video(status: VideoStatus, progress: int = 0, *, model: str = "sora-2", **fields) -> Video:
    return Video(
        id="video_1",
        model=model,
        status=status,
        progress=progress,
        created_at=0,
        size="1280x720",
        seconds="4",
        **fields,
    )


def estimate(clock: Clock, pace: Pace | None = None, *, attached: bool = False):
    return ProgressEstimate(clock, pace or Pace(), started_at=clock.now, attached=attached)


def seen(est: ProgressEstimate, clock: Clock, at: float, description: Video) -> None:
    clock.now = at
    est.observe(description, following=True, silent_server=False)


def test_the_rate_and_eta_come_from_the_first_and_latest_progress():
    clock = Clock()
    est = estimate(clock)
    seen(est, clock, 1.0, video(VideoStatus.IN_PROGRESS, 10))
    assert est.rate(RUNNING) is None and est.eta(RUNNING) is None  # one sample: no rate
    seen(est, clock, 11.0, video(VideoStatus.IN_PROGRESS, 30))
    assert est.rate(RUNNING) == pytest.approx(2.0)  # 20 percent in 10 s
    assert est.eta(RUNNING) == pytest.approx(35.0)  # 70 percent left at 2 %/s
    # Each sample's percent is rounded down, so the rate's span of 20 is off by up to 2.
    assert est.eta_error(RUNNING) == pytest.approx(35.0 * 2 / 20)
    clock.now = 21.0
    assert est.eta(RUNNING) == pytest.approx(25.0)  # the same end, ten seconds nearer


def test_the_earliest_end_any_recent_sample_predicts_is_the_eta():
    clock = Clock()
    est = estimate(clock)
    seen(est, clock, 0.0, video(VideoStatus.IN_PROGRESS, 0))
    seen(est, clock, 10.0, video(VideoStatus.IN_PROGRESS, 50))
    seen(est, clock, 16.0, video(VideoStatus.IN_PROGRESS, 60))  # 60 percent in 16 s: 3.75 %/s
    # At that rate the latest sample predicts 16 + 40 / 3.75 = 26.7, the one before it 23.3.
    assert est.eta(RUNNING) == pytest.approx(10 + 50 / 3.75 - 16)


def test_a_repeated_percent_keeps_the_time_it_was_first_seen():
    clock = Clock()
    est = estimate(clock)
    seen(est, clock, 0.0, video(VideoStatus.IN_PROGRESS, 0))
    seen(est, clock, 10.0, video(VideoStatus.IN_PROGRESS, 99))
    seen(est, clock, 14.0, video(VideoStatus.IN_PROGRESS, 99))
    assert est.rate(RUNNING) == pytest.approx(9.9)  # not (99 - 0) / 14
    assert est.eta(RUNNING) == 0.0  # due at 10.1: stuck at 99% means any moment now


@pytest.mark.parametrize("status", [JobStatus.SAVING, JobStatus.COMPLETED])
def test_a_video_being_saved_or_saved_is_due_now(status):
    clock = Clock()
    est = estimate(clock)
    assert est.eta(status) == 0.0
    assert est.rate(status) is None and est.longest_left(status) is None


def test_only_a_job_in_progress_has_a_rate():
    clock = Clock()
    est = estimate(clock)
    seen(est, clock, 0.0, video(VideoStatus.IN_PROGRESS, 10))
    seen(est, clock, 10.0, video(VideoStatus.IN_PROGRESS, 20))
    for status in (JobStatus.QUEUED, JobStatus.FAILED, JobStatus.CANCELLED):
        assert est.rate(status) is None and est.eta(status) is None


def test_the_longest_left_counts_from_the_last_time_it_was_queued():
    clock = Clock()
    est = estimate(clock)
    seen(est, clock, 5.0, video(VideoStatus.QUEUED))
    seen(est, clock, 15.0, video(VideoStatus.IN_PROGRESS, 20))
    # 20 percent in at most the 10 s since it was last queued: at most 40 s more from 15.
    assert est.longest_left(RUNNING) == pytest.approx(40.0)
    clock.now = 25.0
    assert est.longest_left(RUNNING) == pytest.approx(30.0)


def test_progress_that_stays_still_for_long_goes_indeterminate_with_the_typical_eta():
    clock = Clock()
    est = estimate(clock)  # sora-2: typically 120 s, so 24 s of stillness is enough
    seen(est, clock, 1.0, video(VideoStatus.IN_PROGRESS, 0))
    clock.now = 20.0
    assert not est.indeterminate(RUNNING) and est.progress_problem(RUNNING) == ""
    clock.now = 25.0
    assert est.indeterminate(RUNNING)
    assert est.progress_problem(RUNNING) == "the server's progress does not move"
    assert est.eta(RUNNING) == pytest.approx(120.0 - 25.0)
    assert est.rate(RUNNING) is None and est.eta_error(RUNNING) is None  # no pace known
    assert not est.indeterminate(JobStatus.SAVING)  # stillness only counts while it runs


def test_a_step_after_a_long_still_means_stages_and_stays_indeterminate():
    clock = Clock()
    est = estimate(clock)
    seen(est, clock, 0.0, video(VideoStatus.IN_PROGRESS, 0))
    seen(est, clock, 60.0, video(VideoStatus.IN_PROGRESS, 50))
    assert est.progress_problem(RUNNING) == "the server's progress moves in stages"
    assert est.indeterminate(JobStatus.COMPLETED)  # sticky, whatever comes next


@pytest.mark.parametrize(
    ("progress", "problem"),
    [(0, "the server reports no progress"), (40, "the server reports progress as a 0-1 fraction")],
)
def test_progress_that_is_no_percentage_is_not_used(progress, problem):
    clock = Clock()
    est = estimate(clock)
    seen(est, clock, 2.0, video(VideoStatus.IN_PROGRESS, progress, progress_reported=False))
    assert est.indeterminate(RUNNING) and est.progress_problem(RUNNING) == problem


def test_a_silent_server_makes_even_a_queued_job_indeterminate():
    clock = Clock()
    est = estimate(clock)
    est.observe(video(VideoStatus.QUEUED, progress_reported=False), following=True,
                silent_server=True)  # fmt: skip
    assert est.indeterminate(JobStatus.QUEUED)
    quiet = estimate(clock)
    quiet.observe(video(VideoStatus.QUEUED, progress_reported=False), following=True,
                  silent_server=False)  # fmt: skip
    assert not quiet.indeterminate(JobStatus.QUEUED)  # a queued job has no progress yet


def test_an_indeterminate_job_seen_to_its_end_teaches_the_pace_and_the_next_eta_uses_it():
    clock, pace = Clock(), Pace()
    first = estimate(clock, pace)
    silent = video(VideoStatus.IN_PROGRESS, progress_reported=False)
    seen(first, clock, 30.0, silent)
    seen(first, clock, 40.0, video(VideoStatus.COMPLETED, 100))
    assert pace.expect("sora-2", "1280x720", "4") == (30.0, 40.0)

    clock.now = 100.0
    second = estimate(clock, pace)  # submitted at 100
    seen(second, clock, 105.0, silent)
    assert second.eta(RUNNING) == pytest.approx(35.0 - 5.0)  # the window's middle
    assert second.eta_error(RUNNING) == pytest.approx(5.0)  # half the window
    seen(second, clock, 132.0, silent)  # found unfinished at 32: the window narrows
    assert second.eta_error(RUNNING) == pytest.approx(4.0)
    assert second.eta(JobStatus.FAILED) is None and second.eta_error(JobStatus.FAILED) is None


def test_a_late_job_is_looked_for_a_little_past_its_window():
    clock, pace = Clock(), Pace()
    pace.learn("sora-2", "1280x720", "4", 30.0, 40.0)
    est = estimate(clock, pace)
    seen(est, clock, 45.0, video(VideoStatus.IN_PROGRESS, progress_reported=False))
    low, high = 45.0, 40.0 * (1 + LATE_SLACK)
    assert est.eta_error(RUNNING) == pytest.approx((high - low) / 2)


@pytest.mark.parametrize("attached", [True, False])
def test_only_a_job_whose_submission_time_is_known_teaches_the_pace(attached):
    clock, pace = Clock(), Pace()
    est = estimate(clock, pace, attached=attached)
    seen(est, clock, 10.0, video(VideoStatus.IN_PROGRESS, progress_reported=False))
    seen(est, clock, 20.0, video(VideoStatus.COMPLETED, 100))
    assert (pace.windows == {}) is attached


def test_nothing_is_learned_once_the_job_stopped_following():
    clock = Clock()
    est = estimate(clock)
    est.observe(video(VideoStatus.IN_PROGRESS, 10), following=False, silent_server=False)
    clock.now = 100.0
    assert est.rate(RUNNING) is None and not est.indeterminate(RUNNING)


def test_the_typical_time_is_the_models_then_the_servers_description_of_it():
    clock = Clock()
    est = estimate(clock)
    assert est.typical_seconds == DEFAULT_TYPICAL_SECONDS  # no model named yet
    est.model = "sora-2-pro"
    assert est.typical_seconds == 300.0
    seen(est, clock, 1.0, video(VideoStatus.QUEUED, model="no-such-model"))
    assert est.typical_seconds == DEFAULT_TYPICAL_SECONDS
