"""VideoJob and Poller: cadence in fake time against a fake client, then the real simulator."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import itertools
import logging
from collections import Counter

import pytest

from sora_widget.core.errors import (
    APIConnectionError,
    BadRequestError,
    InvalidRequestError,
    JobCancelled,
    JobTimeout,
    ModerationBlocked,
    NotFoundError,
    RateLimitError,
    ServerError,
    VideoFailed,
)
from sora_widget.core.types import Video
from sora_widget.engine import jobs as jobs_module
from sora_widget.engine.blocking import run_blocking
from sora_widget.engine.client import SoraClient
from sora_widget.engine.jobs import JobStatus, VideoJob, submit, submit_remix
from sora_widget.engine.library import Library
from sora_widget.engine.poller import Poller
from sora_widget.engine.retry import MAX_RETRY_AFTER
from sora_widget.simulator import FaultConfig

from .fakes import FakeClient, FakeLibrary, FakeTime, TimedClient, fake_poller, sim_client
from .helpers import MP4_MAGIC, TEST_KEY, fast_cadence, until

# ---- cadence ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("hint", "expected"), [(0.5, 0.5), (0.001, 0.1), (300.0, 30.0)])
async def test_the_servers_poll_hint_is_followed_within_bounds(fake_time, hint, expected):
    client = FakeClient(fake_time, queue=1, work=100, hint=hint)  # completes at t = 101
    job = submit(client, "a fox", poller=fake_poller(client, fake_time))
    video = await job
    assert video.status == "completed"
    # The first wait comes before any hint (a create has none); no later one is shorter than
    # the hint, and the hint is the wait until the progress rate predicts the end.
    assert 0.9 <= fake_time.sleeps[0] <= 1.1
    assert fake_time.sleeps[1] == pytest.approx(expected)
    assert min(fake_time.sleeps[1:]) >= expected - 1e-9
    # Then the poll jumps to the predicted end instead of following the hint all the way.
    assert fake_time.now <= 101 + expected + 0.2
    if hint == 0.5:
        assert len(fake_time.sleeps) <= 10  # not 200 polls, one per hint
    assert client.calls["list"] == 0


async def test_without_a_hint_the_wait_backs_off_from_2_towards_15_seconds(fake_time):
    client = FakeClient(fake_time, queue=10_000)  # stays queued: no progress, no ETA
    job = submit(client, "a fox", poller=fake_poller(client, fake_time, jitter=0))
    await until(lambda: len(fake_time.sleeps) >= 8)
    job.cancel()
    # The first poll comes after 1 s (a short clip may be done in 2 s), then the backoff.
    assert fake_time.sleeps[:8] == pytest.approx([1, 2, 3, 4.5, 6.75, 10.125, 15, 15])


async def test_backoff_jitter_stays_near_the_schedule(fake_time):
    client = FakeClient(fake_time, queue=10_000)
    job = submit(client, "a fox", poller=fake_poller(client, fake_time))
    await until(lambda: len(fake_time.sleeps) >= 10)
    job.cancel()
    expected = [1, 2, 3, 4.5, 6.75, 10.125, 15, 15, 15, 15]
    for waited, planned in zip(fake_time.sleeps, expected, strict=False):
        assert planned * 0.9 <= waited <= planned * 1.1
    assert len(set(fake_time.sleeps)) > 5  # jittered, not in lockstep


async def test_eta_follows_the_progress_rate_and_brings_the_last_poll_forward(fake_time):
    client = FakeClient(fake_time, queue=1, work=60)  # completes at t = 61
    job = submit(client, "a fox", poller=fake_poller(client, fake_time, jitter=0))
    seen: list[tuple[float, float | None, float | None]] = []
    completed_at: list[float] = []

    def record(job: VideoJob) -> None:
        if job.status is JobStatus.IN_PROGRESS:
            seen.append((fake_time.now, job.eta, job.eta_error))
        if job.status is JobStatus.COMPLETED:
            completed_at.append(fake_time.now)

    job.on_update(record)
    assert job.eta is None
    await job
    assert seen[0][1] is None  # one sample gives no rate yet
    estimates = [(now, eta, error) for now, eta, error in seen if eta is not None]
    assert len(estimates) >= 2
    for now, eta, error in estimates:
        # Within its stated error (progress is rounded to whole percents), or 2 s.
        assert eta == pytest.approx(61 - now, abs=max(2.0, error))
    # Backoff alone would poll up to 15 s late; the ETA lands the last poll near completion.
    assert 61 <= completed_at[0] <= 62.5
    assert job.eta == 0.0


async def test_a_short_job_is_noticed_at_its_end_not_a_hint_later(fake_time):
    # A 2 s job polled with a 250 ms hint (the simulator at speed 10): near its end, one more
    # sample at the hint sharpens the rate, then the poll aims at the end rather than sampling
    # at the window's early edge and waiting a hint more.
    client = TimedClient(fake_time, queue=0.5, work=2, hint=0.25)  # completes at t = 2.5
    job = submit(client, "a quick fox", poller=fake_poller(client, fake_time, jitter=0))
    await job
    noticed_at = client.polls[-1][0]
    assert 2.5 <= noticed_at <= 2.5 + 0.05  # sampling early, then a hint more: 2.59
    times = [when for when, _, _ in client.polls]
    assert min(b - a for a, b in itertools.pairwise(times)) >= 0.25 - 1e-9  # never sooner
    assert len(times) <= 5  # following the hint all the way: 7 polls after the first


async def test_a_wide_window_is_polled_at_the_hint_through_it_not_in_a_burst(fake_time):
    client = TimedClient(fake_time, queue=1, work=100, hint=0.5)  # completes at t = 101
    job = submit(client, "a slow fox", poller=fake_poller(client, fake_time, jitter=0))
    await job
    times = [when for when, _, _ in client.polls]
    assert min(b - a for a, b in itertools.pairwise(times)) >= 0.5 - 1e-9
    assert 101 <= times[-1] <= 101 + 0.5  # at most a hint after the end
    assert len(times) <= 12  # not one poll per hint: 200


async def test_a_job_stuck_at_99_percent_is_not_polled_in_a_burst(fake_time):
    client = FakeClient(fake_time, queue=1, work=20, stall=True)
    job = submit(client, "a fox", poller=fake_poller(client, fake_time, jitter=0))
    await until(lambda: fake_time.now > 21 + 60)
    job.cancel()
    # A few polls close to the predicted end (t = 21), then back to the backoff (~15 s).
    polls_while_overdue = sum(1 for when in itertools.accumulate(fake_time.sleeps) if when > 22)
    assert polls_while_overdue <= 5


# ---- many jobs, one request per tick ----------------------------------------------------------


async def test_ten_jobs_share_one_list_request_per_tick(fake_time):
    client = FakeClient(fake_time, queue=2, work=30)
    poller = fake_poller(client, fake_time)
    jobs = [submit(client, f"fox number {i}", poller=poller) for i in range(10)]
    videos = await asyncio.gather(*jobs)
    assert [video.status for video in videos] == ["completed"] * 10
    assert client.calls["retrieve"] == 1  # one, for the new batch: only a retrieve has a hint
    ticks = len(fake_time.sleeps)
    assert 3 <= client.calls["list"] <= ticks  # one request per tick, not ten

    single_time = FakeTime()
    single = FakeClient(single_time, queue=2, work=30)
    await submit(single, "one fox", poller=fake_poller(single, single_time))
    # Ten jobs cost a fraction of polling each on its own (the shared list request is polled
    # at most `list_maximum` seconds apart, so finished videos are saved sooner).
    assert client.calls["list"] <= 10 * single.calls["retrieve"] / 3


async def test_shared_list_polls_are_never_far_apart(fake_time):
    """A finished video is noticed within a few seconds even deep into a long backoff."""
    client = FakeClient(fake_time, queue=2, work=120)
    poller = fake_poller(client, fake_time, jitter=0)
    await asyncio.gather(*[submit(client, f"slow fox {i}", poller=poller) for i in range(3)])
    assert max(fake_time.sleeps) <= poller.cadence.list_maximum + 1e-6
    assert client.calls["list"] >= 120 / poller.cadence.list_maximum


async def test_a_predicted_end_gets_its_own_retrieve_not_the_next_list_tick(fake_time):
    client = TimedClient(fake_time, queue=2, work=20)  # the first job completes at t = 22
    # Without jitter: with it, an aim a few ms early is retried a percent (0.2 s) later.
    poller = fake_poller(client, fake_time, jitter=0)
    quick = submit(client, "a quick fox", poller=poller)
    await until(lambda: quick.video_id is not None)  # created with work = 20
    client.work = 200
    slow = [submit(client, f"a slow fox {i}", poller=poller) for i in range(3)]
    video = await quick
    assert video.status == "completed"
    # Retrieved on its own at its predicted end, not up to `list_maximum` (3 s) later.
    noticed_at, kind, video_id = client.polls[-1]
    assert kind == "retrieve" and video_id == quick.video_id
    assert 22 <= noticed_at <= 22 + 0.2
    assert sum(1 for _, kind, _ in client.polls if kind == "retrieve") <= 3
    for job in slow:
        job.cancel()


# Seed 241 once put a shared tick planned with two jobs left 46 ms after a predicted retrieve
# that finished one of them.
@pytest.mark.parametrize("seed", [241, 7, 2026])
async def test_many_jobs_cost_one_request_per_tick_and_predictions_are_never_a_burst(
    fake_time, seed
):
    fake_time.random.seed(seed)
    client = TimedClient(fake_time, queue=2, work=20)
    poller = fake_poller(client, fake_time)
    jobs = []
    for i in range(30):  # ends spread over 20 s, some of them a few ms apart
        client.work = 20 + 0.7 * i
        jobs.append(submit(client, f"fox number {i}", poller=poller))
        await until(lambda: jobs[-1].video_id is not None)
    videos = await asyncio.gather(*jobs)
    assert {video.status for video in videos} == {"completed"}
    times = [when for when, _, _ in client.polls]
    # One request per tick: a list, or a single predicted retrieve (two due at once are a list);
    # the first tick of the batch also retrieves one job, for the server's hint.
    assert len(times) - len(set(times)) <= 1
    # Ticks come at least `floor` apart, whatever the predictions.
    ticks = sorted(set(times))
    assert min(b - a for a, b in itertools.pairwise(ticks)) >= poller.cadence.floor - 1e-9
    # Every video is noticed soon after its end, with a few requests per video.
    for job in jobs:
        fake = client.videos[job.video_id]
        assert job._finished_at - (fake.created + fake.queue + fake.work) <= 0.5
    assert len(client.polls) <= 2.5 * len(jobs)  # polling each every second: over 600


async def test_overdue_jobs_sharing_the_list_are_not_polled_in_a_burst(fake_time):
    client = TimedClient(fake_time, queue=1, work=20, stall=True)  # held at 99% from t = 21
    poller = fake_poller(client, fake_time)
    jobs = [submit(client, f"stuck fox {i}", poller=poller) for i in range(5)]
    await until(lambda: fake_time.now > 21 + 120)
    for job in jobs:
        job.cancel()
    late = [(when, kind) for when, kind, _ in client.polls if when > 23]
    assert all(kind == "list" for _, kind in late)  # no more retrieves once past the end
    assert len(late) <= 120 / poller.cadence.list_maximum * 1.15 + 2


async def test_jobs_of_one_client_share_its_poller(fake_time):
    client = FakeClient(fake_time)
    first, second = submit(client, "a fox"), submit(client, "a cat")
    assert first.poller is second.poller is Poller.for_client(client)
    assert Poller.for_client(FakeClient(fake_time)) is not first.poller
    for job in (first, second):
        job.cancel()
        with pytest.raises(JobCancelled):
            await job


async def test_jobs_missing_from_the_first_page_are_retrieved_one_by_one(fake_time):
    client = FakeClient(fake_time, queue=2, work=30, page_cap=3)
    poller = fake_poller(client, fake_time)
    jobs = [submit(client, f"fox number {i}", poller=poller) for i in range(5)]
    await asyncio.gather(*jobs)
    oldest = {jobs[0].video_id, jobs[1].video_id}
    assert set(client.retrieved) == oldest
    assert client.calls["retrieve"] <= 2 * client.calls["list"]


async def test_a_server_without_the_list_endpoint_is_polled_per_video(fake_time):
    client = FakeClient(fake_time, queue=2, work=10)
    client.list_error = NotFoundError("GET /videos is not part of this API", status_code=404)
    poller = fake_poller(client, fake_time)
    jobs = [submit(client, f"fox number {i}", poller=poller) for i in range(3)]
    await asyncio.gather(*jobs)
    assert client.calls["list"] == 1
    assert set(client.retrieved) == {job.video_id for job in jobs}


# ---- errors, timeout, cancel ------------------------------------------------------------------


async def test_transient_poll_errors_are_retried_and_rate_limits_honoured(fake_time):
    client = FakeClient(fake_time, queue=1, work=10)
    client.poll_errors = [
        APIConnectionError("the connection dropped"),
        ServerError("boom", status_code=500),
        RateLimitError("slow down", status_code=429, retry_after=7.0),
    ]
    job = submit(client, "a fox", poller=fake_poller(client, fake_time, jitter=0))
    video = await job
    assert video.status == "completed" and job.error is None
    assert fake_time.sleeps[1:4] == pytest.approx([2, 4, 7])  # doubling, then Retry-After


async def test_a_huge_retry_after_never_makes_the_poller_wait_past_the_cap(fake_time):
    client = FakeClient(fake_time, queue=1, work=10)
    client.poll_errors = [RateLimitError("slow down", status_code=429, retry_after=100_000.0)]
    job = submit(client, "a fox", poller=fake_poller(client, fake_time, jitter=0))
    assert (await job).status == "completed"
    assert max(fake_time.sleeps) == pytest.approx(MAX_RETRY_AFTER)


async def test_a_video_deleted_while_polling_ends_the_job(fake_time):
    client = FakeClient(fake_time, queue=1, work=100)
    job = submit(client, "a fox", poller=fake_poller(client, fake_time))
    await until(lambda: job.video_id is not None)
    del client.videos[job.video_id]
    with pytest.raises(NotFoundError):
        await job
    assert job.status is JobStatus.FAILED and isinstance(job.error, NotFoundError)


async def test_a_failed_create_ends_the_job_with_its_error(fake_time):
    client = FakeClient(fake_time)
    client.create_error = BadRequestError("Invalid size", status_code=400, param="size")
    job = submit(client, "a fox", poller=fake_poller(client, fake_time))
    assert job.status is JobStatus.SUBMITTING  # submit returned before the request was made
    with pytest.raises(BadRequestError, match="Invalid size"):
        await job
    assert job.error is client.create_error and job.status is JobStatus.FAILED


async def test_bad_input_is_refused_at_submit(fake_time):
    client = FakeClient(fake_time)
    with pytest.raises(InvalidRequestError, match="seconds"):
        submit(client, "a fox", seconds="5", poller=fake_poller(client, fake_time))
    with pytest.raises(InvalidRequestError, match="prompt"):
        submit_remix(client, "video_001", "   ", poller=fake_poller(client, fake_time))
    assert client.calls["create"] == 0


@pytest.mark.parametrize(
    ("prompt", "error_class", "code"),
    [
        ("a forbidden fox", ModerationBlocked, "moderation_blocked"),
        ("a broken fox", VideoFailed, "video_generation_failed"),
    ],
)
async def test_failed_videos_raise_typed_errors(fake_time, prompt, error_class, code):
    client = FakeClient(fake_time)
    job = submit(client, prompt, poller=fake_poller(client, fake_time))
    with pytest.raises(error_class) as raised:
        await job
    assert type(raised.value) is error_class and raised.value.code == code
    assert job.status is JobStatus.FAILED and job.video_id in str(job.error)


async def test_a_stuck_job_times_out_with_a_clear_message(fake_time):
    client = FakeClient(fake_time, queue=10_000)
    job = submit(client, "a fox", timeout=60, poller=fake_poller(client, fake_time))
    with pytest.raises(JobTimeout, match=r"within 60 s") as raised:
        await job
    assert job.video_id in str(raised.value) and "attach" in str(raised.value)
    assert 60 <= fake_time.now <= 60.01  # the last wait stopped at the deadline
    assert job.elapsed == pytest.approx(60, abs=0.01)


async def test_cancel_stops_polling(fake_time):
    client = FakeClient(fake_time, queue=1, work=100)
    job = submit(client, "a fox", poller=fake_poller(client, fake_time))
    await until(lambda: job.status is JobStatus.IN_PROGRESS)
    job.cancel()
    assert job.status is JobStatus.CANCELLED
    polls = client.calls["retrieve"]
    with pytest.raises(JobCancelled):
        await job
    await asyncio.sleep(0)
    assert client.calls["retrieve"] == polls and client.calls["delete"] == 0
    assert job.error is None


async def test_cancel_during_the_create_request_still_learns_the_video_id(fake_time):
    client = FakeClient(fake_time, queue=1, work=100)
    job = submit(client, "a fox", poller=fake_poller(client, fake_time))
    job.cancel()
    with pytest.raises(JobCancelled):
        await job
    assert client.calls["create"] == 1 and job.video_id in client.videos
    assert client.calls["retrieve"] == client.calls["list"] == 0


async def test_cancel_and_delete_while_running_reports_the_refusal(fake_time):
    client = FakeClient(fake_time, queue=1, work=100)
    job = submit(client, "a fox", poller=fake_poller(client, fake_time))
    await until(lambda: job.status is JobStatus.IN_PROGRESS)
    job.cancel(delete=True)
    with pytest.raises(JobCancelled):
        await job
    assert client.calls["delete"] == 1 and not job.deleted
    assert "did not delete" in str(job.error) and "in_progress" in str(job.error)


async def test_cancel_with_delete_after_completion_deletes_on_the_server(fake_time):
    client = FakeClient(fake_time, queue=1, work=5)
    job = submit(client, "a fox", poller=fake_poller(client, fake_time))
    video = await job
    job.cancel(delete=True)
    assert await job == video  # a finished job keeps its result
    assert job.deleted and job.status is JobStatus.COMPLETED
    assert video.id not in client.videos


# ---- observing --------------------------------------------------------------------------------


async def test_updates_stream_ends_at_the_final_state(fake_time):
    client = FakeClient(fake_time, queue=2, work=20)
    job = submit(client, "a fox", poller=fake_poller(client, fake_time))
    updates = [update async for update in job.updates()]
    statuses = [update.status for update in updates]
    assert statuses[0] is JobStatus.SUBMITTING and statuses[-1] is JobStatus.COMPLETED
    assert JobStatus.QUEUED in statuses and JobStatus.IN_PROGRESS in statuses
    progress = [update.progress for update in updates]
    assert progress == sorted(progress) and progress[-1] == 100
    assert updates[-1].video_id == job.video_id and updates[-1].elapsed == job.elapsed


async def test_a_failing_callback_is_logged_not_fatal(fake_time, caplog):
    client = FakeClient(fake_time, queue=1, work=5)
    job = submit(client, "a fox", poller=fake_poller(client, fake_time))
    calls = []

    def broken(job: VideoJob) -> None:
        calls.append(job.status)
        raise RuntimeError("callback bug")

    job.on_update(broken)
    with caplog.at_level(logging.ERROR, logger="sora_widget.engine.jobs"):
        video = await job
    assert video.status == "completed" and len(calls) > 2
    assert "on_update callback failed" in caplog.text


async def test_wait_inside_a_running_loop_says_to_await(fake_time):
    client = FakeClient(fake_time, queue=1, work=5)
    job = submit(client, "a fox", poller=fake_poller(client, fake_time))
    with pytest.raises(RuntimeError, match="await job"):
        job.wait()
    await job


def test_wait_runs_the_job_in_a_plain_script(fake_time):
    client = FakeClient(fake_time, queue=1, work=5)
    job = submit(client, "a fox", poller=fake_poller(client, fake_time))
    assert job.status is JobStatus.SUBMITTING and client.calls["create"] == 0
    assert job.wait().status == "completed"
    assert job.status is JobStatus.COMPLETED


async def test_no_task_exception_is_left_unretrieved(fake_time):
    loop = asyncio.get_running_loop()
    reports = []
    loop.set_exception_handler(lambda loop, context: reports.append(context))
    client = FakeClient(fake_time)
    client.create_error = ServerError("boom", status_code=500)
    jobs = [submit(client, "a fox", poller=fake_poller(client, fake_time))]
    await until(lambda: jobs[0].done)
    assert jobs[0].status is JobStatus.FAILED and isinstance(jobs[0].error, ServerError)
    jobs.clear()  # nobody ever awaits it
    gc.collect()
    await asyncio.sleep(0)
    assert reports == []


async def test_attach_follows_an_existing_video(fake_time):
    client = FakeClient(fake_time, queue=1, work=10)
    video = await client.create("a fox")
    job = VideoJob.attach(client, video.id, poller=fake_poller(client, fake_time))
    assert (await job).status == "completed"
    remix = submit_remix(client, video.id, "a fox at night", poller=job.poller)
    assert (await remix).remixed_from_video_id == video.id


async def test_a_job_with_a_library_is_done_only_when_saved(fake_time):
    client = FakeClient(fake_time, queue=1, work=5)
    library = FakeLibrary()
    job = submit(client, "a fox", library=library, poller=fake_poller(client, fake_time))
    await until(lambda: job.video_id is not None)
    assert library.pending == {job.video_id: client.base_url}
    await until(lambda: job.status is JobStatus.SAVING)
    assert job.path is None and not job.done and job.progress == 100
    library.release.set()
    await job
    assert job.status is JobStatus.COMPLETED and job.path.name == "video.mp4"
    assert library.saved == [job.video_id] and library.pending == {}


class CountingConcurrency:
    """How many calls of one kind are under way at once, at most."""

    def __init__(self) -> None:
        self.now = self.most = 0

    @contextlib.asynccontextmanager
    async def one(self):
        self.now += 1
        self.most = max(self.most, self.now)
        try:
            await asyncio.sleep(0)  # under way across loop iterations, like a request
            await asyncio.sleep(0)
            yield
        finally:
            self.now -= 1


async def test_fifty_jobs_create_and_save_a_few_at_a_time_not_in_lockstep(fake_time):
    """Fifty jobs started in one cell do not put fifty task steps into each loop iteration:
    creates and saves under way at once are capped (the structure, not a timing, is tested)."""
    creating, saving = CountingConcurrency(), CountingConcurrency()

    class Client(FakeClient):
        async def create(self, prompt, **options) -> Video:
            async with creating.one():
                return await super().create(prompt, **options)

    class Saving(FakeLibrary):
        async def save(self, video: Video, client, **options) -> object:
            async with saving.one():
                return await super().save(video, client, **options)

    client, library = Client(fake_time, queue=1, work=5), Saving()
    library.release.set()
    poller = fake_poller(client, fake_time)
    jobs = [submit(client, f"fox {i}", library=library, poller=poller) for i in range(50)]
    await asyncio.gather(*jobs)
    assert client.calls["create"] == 50 and len(library.saved) == 50
    assert creating.most == jobs_module.MAX_CREATING
    assert saving.most == jobs_module.MAX_SAVING


async def test_a_job_cancelled_while_waiting_its_turn_sends_no_create(fake_time):
    gate = asyncio.Event()

    class Client(FakeClient):
        async def create(self, prompt, **options) -> Video:
            await gate.wait()
            return await super().create(prompt, **options)

    client = Client(fake_time, queue=1, work=5)
    poller = fake_poller(client, fake_time)
    jobs = [submit(client, f"fox {i}", poller=poller) for i in range(jobs_module.MAX_CREATING)]
    late = submit(client, "a late fox", poller=poller)
    await asyncio.sleep(0)  # the first ones hold every create slot; the late one waits
    late.cancel()
    gate.set()
    with pytest.raises(JobCancelled):
        await late
    await asyncio.gather(*jobs)
    assert client.calls["create"] == jobs_module.MAX_CREATING and late.video_id is None


async def test_a_blocked_video_is_no_longer_pending(fake_time):
    client = FakeClient(fake_time)
    library = FakeLibrary()
    job = submit(client, "a forbidden fox", library=library, poller=fake_poller(client, fake_time))
    with pytest.raises(ModerationBlocked):
        await job
    assert library.pending == {} and library.saved == []


async def test_settled_waits_for_any_outcome_without_raising(fake_time):
    client = FakeClient(fake_time)
    blocked = submit(client, "a forbidden fox", poller=fake_poller(client, fake_time))
    fine = submit(client, "a fox", poller=fake_poller(client, fake_time))
    assert await asyncio.gather(blocked.settled(), fine.settled()) == [blocked, fine]
    assert isinstance(blocked.error, ModerationBlocked)
    assert fine.status is JobStatus.COMPLETED


# ---- against the simulator --------------------------------------------------------------------

SPEED = 200.0
FAST = fast_cadence()


async def test_simulator_job_runs_to_completion_and_is_saved(make_app, tmp_path):
    client, _ = sim_client(make_app(speed=SPEED))
    library = Library(tmp_path / "library")
    job = submit(
        client, "a red fox in fresh snow", library=library, poller=Poller(client, cadence=FAST)
    )
    statuses = [update.status async for update in job.updates()]
    video = await job
    await client.aclose()
    assert statuses[-1] is JobStatus.COMPLETED and JobStatus.SAVING in statuses
    entry = job.entry
    assert entry is not None and job.path == entry.video_path
    assert entry.video_path.read_bytes()[4:8] == MP4_MAGIC
    assert entry.thumbnail_path.read_bytes()[8:12] == b"WEBP"
    assert entry.spritesheet_path.read_bytes()[:3] == b"\xff\xd8\xff"
    assert library.get(video.id) == entry
    assert entry.prompt == "a red fox in fresh snow" and entry.cost == 0.4
    assert library.pending() == []


async def test_simulator_ten_concurrent_jobs_poll_with_the_list(make_app):
    client, transport = sim_client(make_app(speed=SPEED))
    poller = Poller(client, cadence=FAST)
    jobs = [submit(client, f"fox number {i} at dawn", poller=poller) for i in range(10)]
    videos = await asyncio.gather(*jobs)
    await client.aclose()
    assert {video.status for video in videos} == {"completed"}
    assert len({video.id for video in videos}) == 10
    # Per-video requests only once a single job is left; everything else went by the list.
    assert transport.counts["list"] >= 1
    assert transport.counts["retrieve"] < transport.counts["list"]


async def test_simulator_moderation_block_ends_the_job(make_app, tmp_path):
    app = make_app(speed=SPEED, faults=FaultConfig(blocked_words=("forbidden",)))
    client, _ = sim_client(app)
    library = Library(tmp_path / "library")
    job = submit(client, "a forbidden fox", library=library, poller=Poller(client, cadence=FAST))
    with pytest.raises(ModerationBlocked, match="moderation"):
        await job
    await client.aclose()
    assert job.status is JobStatus.FAILED and job.error.code == "moderation_blocked"
    assert library.pending() == [] and library.entries() == []


async def test_simulator_refuses_to_delete_a_running_video(make_app):
    client, _ = sim_client(make_app(speed=1.0))  # slow: stays in the queue for a while
    job = submit(client, "a fox", poller=Poller(client, cadence=FAST))
    async for update in job.updates():
        if update.video_id is not None:
            break
    job.cancel(delete=True)
    with pytest.raises(JobCancelled):
        await job
    await client.aclose()
    assert not job.deleted and "did not delete" in str(job.error)
    assert TEST_KEY not in str(job.error) and TEST_KEY not in repr(job)


def test_two_successive_waits_on_one_client_over_a_real_socket(sim_server):
    """A plain script: each wait() runs on the same private loop, so the second reuses the
    client's pooled connection instead of finding it bound to a closed loop."""
    client = SoraClient(TEST_KEY, base_url=sim_server.base_url)
    poller = Poller(client, cadence=FAST)
    first = submit(client, "a fox", poller=poller).wait()
    second = submit(client, "a fox at night", poller=poller).wait()
    third = VideoJob.attach(client, first.id, poller=poller).wait()
    run_blocking(client.aclose())  # on the loop its connections belong to
    assert [first.status, second.status, third.id] == ["completed", "completed", first.id]


async def test_without_progress_the_next_video_is_looked_for_when_such_videos_took(fake_time):
    """On a server with neither progress nor hints (OpenRouter), a fixed backoff notices a
    video up to a whole wait late. The first video of a model teaches how long such videos
    take; the next one of the same settings is retrieved then, within a poll step."""
    client = FakeClient(fake_time, queue=2, work=30, hint=None, silent=True)
    client.is_simulator = False  # a real server's cadence
    client.support.learn("poll_hint", False, words="no hints here")
    poller = fake_poller(client, fake_time, jitter=0)
    lates = []
    for _ in range(3):
        job = submit(client, "a fox", model="m/x", size="854x480", seconds="5", poller=poller)
        began = fake_time.now
        await job
        lates.append(fake_time.now - began - 32)  # done 32 s after its create
    assert lates[0] > 4  # the first: found by the 10 s polls
    assert all(0 <= late <= 2.5 for late in lates[1:]), lates  # then: at its end
    window = poller.pace.expect("m/x", "854x480", "5")
    assert window is not None and window[0] <= 32 <= window[1] and window[1] - window[0] <= 3
    per_video = Counter(client.retrieved)
    assert per_video["video_002"] <= 2 and per_video["video_003"] <= 2, per_video
    # Until then, every 10 s (no end to aim at yet; the backoff would stretch to 18 s).
    assert fake_time.sleeps[:4] == [10.0] * 4


async def test_jobs_with_known_windows_are_each_retrieved_at_their_own_end(fake_time):
    """With no list to share, a poll of one job is a request for that job alone: two jobs
    whose ends are known are each retrieved at theirs, not both at the earlier one."""
    client = FakeClient(fake_time, queue=2, work=30, hint=None, silent=True)
    client.is_simulator = False
    client.support.learn("poll_hint", False, words="no hints here")
    client.support.learn("list", False, words="no list here")
    poller = fake_poller(client, fake_time, jitter=0)
    poller.pace.learn("m/x", "854x480", "5", 31.0, 33.0)
    poller.pace.learn("m/x", "854x480", "10", 59.0, 61.0)
    client.work = 30  # the 5 s video: done 32 s after its create
    short = submit(client, "a fox", model="m/x", size="854x480", seconds="5", poller=poller)
    await until(lambda: short.video is not None)
    client.work = 58  # the 10 s video: done at 60 s
    long = submit(client, "a fox", model="m/x", size="854x480", seconds="10", poller=poller)
    await asyncio.gather(short.settled(), long.settled())
    per_video = Counter(client.retrieved)
    assert per_video["video_001"] <= 2 and per_video["video_002"] <= 2, per_video


async def test_a_job_a_little_past_its_window_is_still_looked_for(fake_time):
    """A window is an estimate: a video a little slower than those before is retrieved a step
    apart for a while past it, not left to a 10 s backoff."""
    client = FakeClient(fake_time, queue=2, work=33.5, hint=None, silent=True)  # done at 35.5
    client.is_simulator = False
    client.support.learn("poll_hint", False, words="no hints here")
    poller = fake_poller(client, fake_time, jitter=0)
    poller.pace.learn("m/x", "854x480", "5", 31.0, 33.0)
    job = submit(client, "a fox", model="m/x", size="854x480", seconds="5", poller=poller)
    await job
    assert 35.5 <= fake_time.now <= 35.5 + 2.5, fake_time.now
