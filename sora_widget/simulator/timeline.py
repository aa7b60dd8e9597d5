"""When a simulated job is queued, in progress and done: its status is a function of time.

Deriving the status from the clock (rather than ticking a loop) keeps the server stateless
between requests, makes tests with a fake clock exact, and survives a server restart.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sora_widget.core.catalog import family_named, family_of
from sora_widget.core.types import VideoStatus

#: Seconds of work for a 4-second sora-2 clip at 720p, before jitter; ~10-30 s with the queue.
BASE_WORK_SECONDS = 14.0
#: Frames above this many pixels (Sora Pro's 1792x1024, 1080p and up) take this much longer.
LARGE_FRAME_PIXELS = 1_000_000
LARGE_FRAME_FACTOR = 1.6
_SORA_2 = family_named("sora-2")
QUEUE_SECONDS = (1.5, 5.0)
JITTER = 0.2


@dataclass(frozen=True)
class Timeline:
    queue_seconds: float
    work_seconds: float

    @property
    def total_seconds(self) -> float:
        return self.queue_seconds + self.work_seconds


def _unit_random(asked: str, salt: str) -> float:
    digest = hashlib.sha256(f"{salt}:{asked}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def plan_timeline(prompt: str, model: str, size: str, seconds: int, speed: float) -> Timeline:
    """Longer clips, larger sizes and slower models take longer, as on real servers: a model
    takes as long, relative to sora-2, as the catalog's typical times say.

    The jitter is drawn from what was asked, like the picture: the same request takes the
    same time, so two clients (or two runs of a benchmark) sending the same prompts meet the
    same server, and different prompts still spread out."""
    asked = f"{model}|{size}|{seconds}|{prompt}"
    family = family_of(model)
    factor = family.typical_seconds / _SORA_2.typical_seconds if family is not None else 1.0
    work = BASE_WORK_SECONDS * factor * (0.2 + 0.8 * seconds / 4)
    width, _, height = size.partition("x")
    if int(width) * int(height) > LARGE_FRAME_PIXELS:
        work *= LARGE_FRAME_FACTOR
    work *= 1 + JITTER * (2 * _unit_random(asked, "work") - 1)
    low, high = QUEUE_SECONDS
    queue = low + (high - low) * _unit_random(asked, "queue")
    return Timeline(queue_seconds=queue / speed, work_seconds=work / speed)


@dataclass(frozen=True)
class Snapshot:
    status: VideoStatus
    progress: int
    #: When the job reached its final state (None while it runs).
    finished_at: float | None


def snapshot(
    created_at: float,
    timeline: Timeline,
    now: float,
    *,
    rendered_at: float | None,
    fail_at: float | None,
) -> Snapshot:
    """The job's state at `now`. `fail_at` is the fraction of the work after which it fails."""
    elapsed = now - created_at
    if elapsed < timeline.queue_seconds:
        return Snapshot(VideoStatus.QUEUED, 0, None)
    working = elapsed - timeline.queue_seconds
    if fail_at is not None and working >= fail_at * timeline.work_seconds:
        finished = created_at + timeline.queue_seconds + fail_at * timeline.work_seconds
        return Snapshot(VideoStatus.FAILED, int(100 * fail_at), finished)
    if working < timeline.work_seconds or rendered_at is None:
        # Held at 99 while the renderer is still busy: a slow machine only delays completion.
        return Snapshot(
            VideoStatus.IN_PROGRESS, min(99, int(100 * working / timeline.work_seconds)), None
        )
    return Snapshot(
        VideoStatus.COMPLETED, 100, max(created_at + timeline.total_seconds, rendered_at)
    )


#: While a job is overdue (its media are still rendering), ask again at this pace.
OVERDUE_HINT_MS = 1000


def poll_hint_ms(timeline: Timeline, created_at: float, now: float, status: VideoStatus) -> int:
    """The `openai-poll-after-ms` hint: sooner as completion nears, never below 250 ms."""
    if status in (VideoStatus.COMPLETED, VideoStatus.FAILED):
        return 0
    remaining = created_at + timeline.total_seconds - now
    if remaining <= 0:
        return OVERDUE_HINT_MS
    return int(min(10_000, max(250, remaining * 1000 / 4)))
