"""The library as one object: the saved videos (`storage`), saving finished ones into it
(`saving`) and the jobs in flight that will add more (`inflight`)."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sora_widget.core.keywords import strict_keywords
from sora_widget.core.types import Video
from sora_widget.engine.api import VideosAPI
from sora_widget.engine.inflight import JobsInFlight
from sora_widget.engine.saving import Saver
from sora_widget.engine.storage import LibraryEntry, SavedVideos

DEFAULT_ROOT = "./sora_videos"


class Library(SavedVideos):
    """Saved videos under `root`, and the jobs that will add more.

    `clock` is injectable so tests run in fake time.
    """

    @strict_keywords
    def __init__(
        self,
        root: str | os.PathLike[str] | None = None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        # SORA_WIDGET_LIBRARY lets a class (or a test run) keep all videos in one place.
        super().__init__(Path(root or os.environ.get("SORA_WIDGET_LIBRARY") or DEFAULT_ROOT))
        self._saver = Saver(self, clock)
        self._in_flight = JobsInFlight(self.root, clock)

    def __repr__(self) -> str:
        return f"Library({str(self.root)!r})"

    async def save(
        self,
        video: Video,
        client: VideosAPI,
        *,
        lineage: dict[str, str] | None = None,
        settings: dict[str, Any] | None = None,
    ) -> LibraryEntry:
        """Download the video, thumbnail and spritesheet at once and record the metadata; the
        job is then no longer pending.

        `lineage` names the piece this one extends or continues (see `storage.LINEAGE`);
        `settings` is what the create sent beyond prompt, model, size and seconds (its seed,
        when one was sent, goes into the file with the prompt, model and server).
        A video already saved is returned as it is, not downloaded again. Raises ValueError for
        a video that is not completed, CompletedWithoutVideo when the server has no video for
        it (recorded: see `failures`), LibraryWriteError when the folder cannot be written, and
        the client's error when a download still fails after the client's retries.
        """
        entry = await self._saver.save(video, client, lineage=lineage, settings=settings)
        await asyncio.to_thread(self.forget_pending, video.id)
        return entry

    def record_pending(
        self,
        video: Video,
        base_url: str,
        *,
        origin: str = "script",
        lineage: dict[str, str] | None = None,
        settings: dict[str, Any] | None = None,
        client_requests: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        """Remember a job in flight, so a new process can resume it (see `resume.resume`);
        `client_requests` is the client's record of what each create sent (`VideosAPI.requests`).

        The record names the process following the job, so that while it lives no other
        process resumes the job too. Best effort: if the folder cannot be written the job still
        runs, and the error surfaces when the finished video is saved.
        """
        self._in_flight.record(
            video,
            base_url,
            origin=origin,
            lineage=lineage,
            settings=settings,
            client_requests=client_requests,
        )

    def forget_pending(self, video_id: str) -> None:
        """The job ended (saved, failed or cancelled): nothing left to resume."""
        self._in_flight.forget(video_id)

    def pending(self) -> list[dict[str, Any]]:
        """The jobs recorded as in flight: dicts with `id`, `base_url`, `prompt`, ..."""
        return self._in_flight.records()
