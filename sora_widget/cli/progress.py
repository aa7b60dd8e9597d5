"""A job's progress on a terminal: one line redrawn in place, or plain lines in a log.

A generation takes minutes; a bar with the elapsed time and an ETA shows it is alive. When the
output is not a terminal (a pipe, a CI log), redrawing would fill the log with carriage
returns, so a line is written only when the status changes or progress passes a tens mark.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
from typing import TextIO

from sora_widget.engine.jobs import FINAL_STATUSES, JobStatus, JobUpdate, VideoJob

LABELS = {
    JobStatus.SUBMITTING: "Submitting",
    JobStatus.QUEUED: "Queued",
    JobStatus.IN_PROGRESS: "In progress",
    JobStatus.SAVING: "Saving",
    JobStatus.COMPLETED: "Completed",
    JobStatus.FAILED: "Failed",
    JobStatus.CANCELLED: "Cancelled",
}
BAR_WIDTH = 20
#: On a terminal the elapsed clock is redrawn this often even when the server says nothing new.
REFRESH_SECONDS = 0.5


def format_duration(seconds: float) -> str:
    """m:ss, or h:mm:ss from an hour on: the form people read at a glance."""
    minutes, secs = divmod(max(0, round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def progress_line(update: JobUpdate, bar_width: int = BAR_WIDTH) -> str:
    """`In progress  [########------------]  42%  0:07 elapsed  ~0:10 left`."""
    filled = round(bar_width * update.progress / 100)
    parts = [
        f"{LABELS.get(update.status, str(update.status)):<11}",
        f"[{'#' * filled}{'-' * (bar_width - filled)}]",
        f"{update.progress:3d}%",
        f"{format_duration(update.elapsed)} elapsed",
    ]
    # An ETA only while the server is working: before that it is unknown, after it is 0.
    if update.status is JobStatus.IN_PROGRESS and update.eta is not None:
        parts.append(f"~{format_duration(update.eta)} left")
    return "  ".join(parts)


class ProgressDisplay:
    """Writes job updates to `stream`, redrawing one line when `interactive` (a terminal)."""

    def __init__(self, stream: TextIO, interactive: bool | None = None) -> None:
        self.stream = stream
        self.interactive = stream.isatty() if interactive is None else interactive
        self._announced = False
        self._last_logged: tuple[JobStatus, int] | None = None
        self._line_open = False

    def show(self, update: JobUpdate) -> None:
        if update.video_id is not None and not self._announced:
            # Printed once, as its own line, so it can be copied for `download` or `remix`.
            self._announced = True
            self._write_line(f"Video {update.video_id}")
        if self.interactive:
            width = shutil.get_terminal_size().columns - 1  # a full line would wrap
            self.stream.write("\r" + progress_line(update)[:width] + "\x1b[K")
            self._line_open = True
            self.stream.flush()
            return
        step = (update.status, update.progress // 10)
        if step != self._last_logged:
            self._last_logged = step
            self._write_line(progress_line(update))

    def close(self) -> None:
        """End the redrawn line, so what follows starts on a line of its own."""
        if self._line_open:
            self.stream.write("\n")
            self._line_open = False
            self.stream.flush()

    def _write_line(self, text: str) -> None:
        if self._line_open:
            self.stream.write("\r\x1b[K")
            self._line_open = False
        self.stream.write(text + "\n")
        self.stream.flush()


async def follow(
    job: VideoJob,
    stream: TextIO,
    *,
    interactive: bool | None = None,
    refresh: float = REFRESH_SECONDS,
) -> None:
    """Show `job` on `stream` until it ends; returns without raising the job's error."""
    display = ProgressDisplay(stream, interactive)
    changed = asyncio.Event()
    unsubscribe = job.on_update(lambda _: changed.set())
    try:
        while True:
            changed.clear()
            update = job.snapshot()
            display.show(update)
            if update.status in FINAL_STATUSES:
                return
            # A terminal also redraws on a timer, so the elapsed clock keeps moving.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), refresh if display.interactive else None)
    finally:
        unsubscribe()
        display.close()
