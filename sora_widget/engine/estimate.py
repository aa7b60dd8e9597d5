"""When a job's video should be ready: from the progress the server reports, or, where that
progress says nothing, from how long such videos took on this server (`pace`) or usually take
(the catalog's typical time).

Pure bookkeeping over what the job saw: `VideoJob` feeds its estimate every description of
the video and asks it, with its status, for the rate, the ETA and how far off that may be.
"""

from __future__ import annotations

import collections
from collections.abc import Callable

from sora_widget.core.catalog import family_of
from sora_widget.core.types import Video, VideoStatus
from sora_widget.engine.job_status import FINAL_STATUSES, JobStatus
from sora_widget.engine.pace import Pace

#: The generation time assumed for a model the catalog does not know.
DEFAULT_TYPICAL_SECONDS = 120.0
#: Progress that has not moved for this share of the model's typical time (and at least
#: `STILL_MIN_SECONDS`) while the job runs is not a progress report: the bar goes indeterminate.
STILL_FRACTION = 0.2
STILL_MIN_SECONDS = 15.0
#: How far past its expected window (a fraction of the expected time) a job is still looked
#: for a poll step apart, before the backoff takes over.
LATE_SLACK = 0.15
#: Which videos are already saved or being saved: nothing left to wait for.
_READY = (JobStatus.SAVING, JobStatus.COMPLETED)


class ProgressEstimate:
    """One job's progress samples and what they say about its end.

    `clock` and `pace` are the job's poller's; `started_at` is when the job was submitted (or
    attached). An attached job's submission time is unknown, so it teaches `pace` nothing.
    """

    def __init__(
        self,
        clock: Callable[[], float],
        pace: Pace,
        *,
        started_at: float,
        attached: bool,
    ) -> None:
        self._clock = clock
        self._pace = pace
        self._started_at = started_at
        self._attached = attached
        #: The model named at submit, for the typical time before the server describes it.
        self.model: str | None = None
        self._video: Video | None = None
        # (clock, progress) at the first in_progress poll and the latest change: the rate.
        self._first_sample: tuple[float, int] | None = None
        self._last_sample: tuple[float, int] | None = None
        # The last few (clock, progress) changes: each was seen at or after the server reached
        # it, so the earliest end any of them predicts is the least delayed by the polling.
        self._recent_samples: collections.deque[tuple[float, int]] = collections.deque(maxlen=8)
        # When the job was first seen queued or in progress on the server, and when last seen
        # queued (it began working after that).
        self._running_since: float | None = None
        self._seen_queued: float | None = None
        # Why the server's progress is not used (sticky once set): "" while it is.
        self._unusable_progress = ""
        # When the server last described the job as unfinished (the pace's early edge).
        self._last_unfinished: float | None = None

    # ---- what the job saw -------------------------------------------------------------------

    def observe(self, video: Video, *, following: bool, silent_server: bool) -> None:
        """Take in the server's latest description of the video. `following`: the job has not
        ended; `silent_server`: its server's shape has no progress field (OpenRouter)."""
        self._video = video
        learns = self._unusable_progress and not self._attached and following
        if video.status == VideoStatus.COMPLETED and learns:
            # Nothing to predict from but how long such videos take: remember this one's.
            unfinished = self._last_unfinished
            low = unfinished - self._started_at if unfinished is not None else 0.0
            high = self._clock() - self._started_at
            self._pace.learn(video.model, video.size, video.seconds, low, high)
        if video.is_terminal or not following:
            return
        self._last_unfinished = self._clock()
        queued = video.status == VideoStatus.QUEUED
        if self._running_since is None:
            self._running_since = self._clock()
        if queued:
            self._seen_queued = self._clock()
        self._check_progress(video, silent_server)
        if not queued:
            # When each value was *first* seen: a job stuck at 99% soon has an ETA of 0.
            sample = (self._clock(), video.progress)
            self._first_sample = self._first_sample or sample
            if self._last_sample is None or self._last_sample[1] != video.progress:
                self._last_sample = sample
                self._recent_samples.append(sample)

    def _check_progress(self, video: Video, silent_server: bool) -> None:
        """Notice progress that is no progress report (see `indeterminate`)."""
        if self._unusable_progress:
            return
        in_progress = video.status != VideoStatus.QUEUED
        # A server of a shape with no progress field (OpenRouter) may stay pending until done.
        if not video.progress_reported and (in_progress or video.progress or silent_server):
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
            and self._clock() - self._first_sample[0] >= self._still_limit
        ):
            # Still for a long while in progress, then a step (volcengine's 0, 50, 100): the
            # server reports stages, and a rate from them would be a wild guess.
            self._unusable_progress = "the server's progress moves in stages"

    # ---- what it says, for a job in `status` ------------------------------------------------

    def rate(self, status: JobStatus) -> float | None:
        """Percent per second between the first and the latest progress seen; None if unknown."""
        if status is not JobStatus.IN_PROGRESS or not self._first_sample:
            return None
        if self.indeterminate(status):
            return None
        (t0, p0), (t1, p1) = self._first_sample, self._last_sample or self._first_sample
        if p1 <= p0 or t1 <= t0:
            return None
        return (p1 - p0) / (t1 - t0)

    def eta(self, status: JobStatus) -> float | None:
        """Seconds until the video is ready, from the progress rate so far; None if unknown."""
        if status in _READY:
            return 0.0
        if self.indeterminate(status) and status not in FINAL_STATUSES:
            # The server's progress says nothing: when such videos took on this server, else
            # the model's usual time, is the best guess.
            elapsed = self._clock() - self._started_at
            window = self._expected_window()
            if window is not None:
                return max(0.0, sum(window) / 2 - elapsed)
            return max(0.0, self.typical_seconds - elapsed)
        rate = self.rate(status)
        if rate is None:
            return None
        end = min(t + (100 - p) / rate for t, p in self._recent_samples)
        return max(0.0, end - self._clock())

    def longest_left(self, status: JobStatus) -> float | None:
        """Seconds the job can at most still take, from one progress sample: had it worked
        since it was last seen queued (or submitted), p percent in those w seconds leaves
        (100 - p) x w / p. What a first sample gives before there is a rate (a short job may
        be nearly done by a server's second poll); None before any progress."""
        if status is not JobStatus.IN_PROGRESS or self.indeterminate(status):
            return None
        if self._last_sample is None or self._last_sample[1] <= 0:
            return None
        seen, progress = self._last_sample
        began = self._seen_queued if self._seen_queued is not None else self._started_at
        left_then = (100 - progress) * (seen - began) / progress
        return max(0.0, left_then - (self._clock() - seen))

    def eta_error(self, status: JobStatus) -> float | None:
        """How far `eta` may be off, in seconds, at most: the server rounds progress down to a
        whole percent, so each of the two samples the rate comes from is off by up to one."""
        eta = self.eta(status)
        if self.indeterminate(status):
            window = self._expected_window() if status not in FINAL_STATUSES else None
            return (window[1] - window[0]) / 2 if window is not None else None
        if not eta or self._first_sample is None or self._last_sample is None:
            return None
        span = self._last_sample[1] - self._first_sample[1]
        return eta * 2 / span if span > 0 else None

    def _expected_window(self) -> tuple[float, float] | None:
        """When this job should be done (seconds from its submission), from the pace of
        earlier jobs of its settings on this server, narrowed by the last poll that found it
        unfinished; None when none is known, or the window has passed (it is late)."""
        video = self._video
        if video is None:
            return None
        window = self._pace.expect(video.model, video.size, video.seconds)
        if window is None:
            return None
        seen = self._last_unfinished - self._started_at if self._last_unfinished else 0.0
        low, high = max(window[0], seen), window[1]
        if low >= high:
            # A little late (a window scaled from another duration is an estimate): looked
            # for a while longer, then left to the backoff.
            high = window[1] * (1 + LATE_SLACK)
        return (low, high) if low < high else None

    def indeterminate(self, status: JobStatus) -> bool:
        """Whether the server's progress is useless for this job: absent, a 0-1 fraction, in
        stages (a step after a long still), or not moving while the job runs. Then the panel
        shows an indeterminate bar against `typical_seconds`, and `eta` comes from that."""
        if self._unusable_progress:
            return True
        if self._running_since is None or status in FINAL_STATUSES or status is JobStatus.SAVING:
            return False
        still_for = self._clock() - self._running_since
        if self._first_sample and self._last_sample != self._first_sample:
            return False  # it moved
        return still_for >= self._still_limit

    @property
    def _still_limit(self) -> float:
        return max(STILL_MIN_SECONDS, STILL_FRACTION * self.typical_seconds)

    def progress_problem(self, status: JobStatus) -> str:
        """Why the progress is not used, in a few words ("" while it is)."""
        if self._unusable_progress:
            return self._unusable_progress
        return "the server's progress does not move" if self.indeterminate(status) else ""

    @property
    def typical_seconds(self) -> float:
        """How long the model usually takes (the catalog's figure, or a default)."""
        model = self._video.model if self._video is not None else self.model
        family = family_of(model) if model else None
        return family.typical_seconds if family is not None else DEFAULT_TYPICAL_SECONDS
