"""Soak: many jobs at once against a simulator that fails about 20% of requests.

The promise under test: every job ends completed or with a clear error, every completed video
is on disk exactly once, and no create is ever duplicated. `SORA_SOAK_JOBS` sets the number of
jobs (default 200: about 15 s here).

Time is warped: the simulator's clock and the client's clock and sleeps all run WARP times
faster than real time, so a rate limit's 60 s window or a 60 s Retry-After takes well under a
second. Jobs take minutes of that warped time, as on the real service, so the rate limit meets
a realistic mix of bursts and steady polling. Each size is rendered once and copied for every
later video: this test is about the engine, and 50 real renders on a busy machine would make
it a render benchmark.
"""

from __future__ import annotations

import asyncio
import gc
import os
from collections import Counter
from typing import Any

import httpx
import pytest

from sora_widget.core.errors import (
    APIConnectionError,
    RateLimitError,
    ServerError,
    VideoFailed,
)
from sora_widget.engine.api import MAYBE_CREATED
from sora_widget.engine.client import SoraClient
from sora_widget.engine.jobs import JobStatus, VideoJob, submit
from sora_widget.engine.library import Library
from sora_widget.engine.poller import Poller
from sora_widget.engine.resume import resume
from sora_widget.engine.storage import FILE_NAMES, METADATA_FILE
from sora_widget.simulator import FaultConfig

from .fakes import CachedRenders, ResponseCounter, Warp
from .helpers import TEST_KEY, packets

JOBS = int(os.environ.get("SORA_SOAK_JOBS", "200"))
WARP = 100.0
#: A job takes about 17 / SPEED warped seconds (11 minutes), so about 7 s of real time.
SPEED = 0.025
#: Per request: 4% answered 500, 5% 503, 4% dropped after the work was done, 4% of downloads
#: cut in half; per video: 5% fail. About 20% in all, plus a rate limit the opening burst of
#: creates trips (80% of the jobs per minute), which later downloads and polls run into too.
FAULTS = FaultConfig(
    seed=3,
    server_error_rate=0.04,
    unavailable_rate=0.05,
    drop_rate=0.04,
    truncate_rate=0.04,
    failure_rate=0.05,
    rate_limit_per_minute=JOBS * 4 // 5,
)
#: The failures a job may end with here; anything else (a timeout, a bug) fails the test.
EXPECTED_FAILURES = (ServerError, RateLimitError, APIConnectionError, VideoFailed)
#: Real seconds; far more than the run needs, so only a hang reaches it.
REAL_TIMEOUT = 120.0
#: Rounds of `resume` a person might run before every saved video is in.
RESUME_ROUNDS = 3
SCENES = ("at dawn", "at noon", "at sunset", "at night", "in the rain", "in fog")


@pytest.mark.soak
async def test_soak_every_job_ends_cleanly_and_no_video_is_lost_or_duplicated(make_app, tmp_path):
    loop = asyncio.get_running_loop()
    unhandled: list[dict[str, Any]] = []
    previous_handler = loop.get_exception_handler()
    loop.set_exception_handler(lambda _, context: unhandled.append(context))
    warp = Warp(WARP)
    # Each size rendered once: this test is about the engine, not the renderer.
    renders = CachedRenders(tmp_path / "renders", key=lambda r: (r.width, r.height, r.seconds))
    app = make_app(clock=warp.clock, executor=renders, speed=SPEED, faults=FAULTS)
    counter = ResponseCounter(app)
    client = SoraClient(
        TEST_KEY,
        base_url="http://simulator.test/v1",
        transport=httpx.ASGITransport(app=counter),
        sleep=warp.sleep,
    )
    library = Library(tmp_path / "library")
    poller = Poller(client, clock=warp.clock, sleep=warp.sleep)
    try:
        jobs = [
            submit(
                client,
                f"soak {i}: a red fox {SCENES[i % len(SCENES)]}",
                size="1280x720" if i % 2 else "720x1280",
                library=library,
                poller=poller,
                timeout=REAL_TIMEOUT * WARP,
            )
            for i in range(JOBS)
        ]
        async with asyncio.timeout(REAL_TIMEOUT):
            await asyncio.gather(*jobs, return_exceptions=True)
        # A save that ran out of retries leaves the job pending; resuming must finish it, once
        # the rate limit's window has passed.
        unsaved = {record["id"] for record in library.pending()}
        # A resumed save can run out of retries too (one retry policy, four tries a file, while
        # the rate limit still bites): it stays pending, and resuming again finishes it.
        resumed: list[VideoJob] = []
        for _ in range(RESUME_ROUNDS):
            await warp.sleep(60)
            again = resume(client, library, poller=poller, timeout=REAL_TIMEOUT * WARP)
            async with asyncio.timeout(REAL_TIMEOUT):
                await asyncio.gather(*again, return_exceptions=True)
            resumed = [job for job in resumed if job.video_id not in {j.video_id for j in again}]
            resumed += again
            if not library.pending():
                break
    finally:
        await client.aclose()
        renders.close()
        gc.collect()  # so a task whose exception nobody retrieved is reported now
        await asyncio.sleep(0)
        loop.set_exception_handler(previous_handler)
    simulator = app.state.simulator
    completed = [job for job in jobs if job.status is JobStatus.COMPLETED]
    failed = [job for job in jobs if job.status is JobStatus.FAILED]
    outcome = Counter(type(job.error).__name__ for job in failed)
    print(f"\n{len(completed)} completed, {dict(outcome)}, {len(resumed)} resumed")
    print(f"responses: {dict(sorted(counter.counts.items()))}")

    assert unhandled == []
    # Every job ended, completed or with an error a person can act on.
    assert len(completed) + len(failed) == JOBS
    assert completed, "no job completed: the faults are too heavy to test anything"
    for job in failed:
        assert isinstance(job.error, EXPECTED_FAILURES), repr(job.error)
        message = str(job.error)
        assert message and "\n" not in message and "Traceback" not in message
        assert TEST_KEY not in message
        if isinstance(job.error, APIConnectionError) and job.video_id is None:
            assert MAYBE_CREATED in message  # the create was cut off: say it may exist
    # Only a job whose video was made but not yet saved is left to resume.
    assert unsaved == {
        job.video_id for job in failed if job.video_id and not isinstance(job.error, VideoFailed)
    }
    assert [job.error for job in resumed if job.status is not JobStatus.COMPLETED] == []

    # The faults really happened: otherwise this test proves nothing.
    faulted = sum(n for (_, _, status), n in counter.counts.items() if status in (429, 500, 503))
    assert faulted > 0

    # No create was duplicated: each create the handler acted on made one video, no job
    # follows a video another job follows, and the only videos no job follows are those whose
    # create answer was cut off (a client that sent such a create again would leave one more).
    assert len(simulator.store.videos) == counter.counts[("POST", "/videos", 200)]
    followed = [job.video_id for job in jobs if job.video_id is not None]
    assert len(followed) == len(set(followed))
    assert set(followed) <= set(simulator.store.videos)
    cut_off = [
        job for job in failed if job.video_id is None and isinstance(job.error, APIConnectionError)
    ]
    assert len(simulator.store.videos) - len(followed) == len(cut_off)

    # Every completed video is on disk exactly once, whole, and nothing else is.
    saved = [*completed, *resumed]
    folders = {path.name for path in library.root.iterdir() if path.name != ".pending"}
    assert folders == {job.video_id for job in saved}
    for job in saved:
        folder = library.folder(job.video_id)
        assert sorted(path.name for path in folder.iterdir()) == sorted(
            [METADATA_FILE, *FILE_NAMES.values()]
        )
        assets = simulator.store.assets_dir(job.video_id)
        for name in FILE_NAMES.values():
            if name.endswith(".mp4"):  # tagged with how it was made: the same packets
                assert packets(folder / name) == packets(assets / name)
            else:
                assert (folder / name).read_bytes() == (assets / name).read_bytes(), name
        assert library.get(job.video_id) == job.entry
    assert library.pending() == []
