"""Jobs in flight, recorded beside the saved videos so a new process can resume them, with
the process that follows each so that no two processes follow one job.

Each job is a JSON file, `<root>/.pending/<folder name>.json` (see `storage.folder_name`),
written when the job is created and removed when it ends.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil

from sora_widget.core.types import Video
from sora_widget.core.urls import public_url
from sora_widget.engine.storage import (
    LINEAGE,
    folder_name,
    is_id_for,
    read_json,
    request_of,
    write_json,
)

logger = logging.getLogger(__name__)

PENDING_FOLDER = ".pending"


class JobsInFlight:
    """The records of unfinished jobs under `root`; `clock` stamps when each was recorded."""

    def __init__(self, root: Path, clock: Callable[[], float]) -> None:
        self.folder = root / PENDING_FOLDER
        self._clock = clock

    def record(
        self,
        video: Video,
        base_url: str,
        *,
        origin: str = "script",
        lineage: dict[str, str] | None = None,
        settings: dict[str, Any] | None = None,
        client_requests: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        """Remember a job in flight (see `Library.record_pending`). Best effort: if the folder
        cannot be written the job still runs, and the error surfaces when it is saved."""
        path = self.folder / f"{folder_name(video.id)}.json"
        record = {
            "id": video.id,
            "base_url": public_url(base_url),
            "prompt": video.prompt,
            "model": video.model,
            "size": video.size,
            "seconds": video.seconds,
            "remixed_from_video_id": video.remixed_from_video_id,
            "created_at": video.created_at,
            "recorded_at": self._clock(),
            "origin": origin,
            "settings": settings,
            "request": request_of(client_requests, video.id),
            "owner": _this_process(),
            **{name: value for name, value in (lineage or {}).items() if name in LINEAGE},
        }
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_json(path, record)
        except OSError as error:
            logger.warning(
                "Could not record job %s in %s (%s): it will not be resumed after a restart.",
                video.id,
                path.parent,
                error,
            )

    def forget(self, video_id: str) -> None:
        """The job ended (saved, failed or cancelled): nothing left to resume."""
        path = self.folder / f"{folder_name(video_id)}.json"
        try:
            path.unlink(missing_ok=True)
        except OSError as error:
            logger.warning("Could not remove %s (%s)", path, error)

    def records(self) -> list[dict[str, Any]]:
        """The jobs recorded as in flight: dicts with `id`, `base_url`, `prompt`, ..."""
        records = []
        for path in sorted(self.folder.glob("*.json")):
            record = read_json(path)
            if record is not None and is_id_for(record.get("id"), path.stem):
                records.append(record)
        return records


# ---- which process follows a pending job -------------------------------------------------------


def _this_process() -> dict[str, Any]:
    """Host, pid and start time: a pid alone may be reused by an unrelated process."""
    process = psutil.Process()  # asked each time: a forked child is another process
    return {"host": socket.gethostname(), "pid": process.pid, "started": process.create_time()}


def runs_elsewhere(owner: object) -> bool:
    """Whether the process that recorded a job is another one, on this host, still running.

    On another host we cannot tell, so the job counts as free to resume.
    """
    if not isinstance(owner, dict) or owner.get("host") != socket.gethostname():
        return False
    pid, started = owner.get("pid"), owner.get("started")
    if pid == os.getpid() or not isinstance(pid, int) or not isinstance(started, int | float):
        return False
    try:
        return abs(psutil.Process(pid).create_time() - started) < 1.0
    except (psutil.Error, ValueError, OverflowError):
        return False  # gone, not ours to see, or not a pid: its jobs are free
