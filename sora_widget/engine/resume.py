"""Taking up jobs that a stopped process left running, so nothing paid for is lost.

The library records every job in flight (`Library.record_pending`) with the process that
follows it. After a kernel restart, a crashed script or a stopped command, these functions
find the records no living process follows and make jobs that poll and save them again.
"""

from __future__ import annotations

from typing import Any

from sora_widget.core.urls import public_url
from sora_widget.engine.api import VideosAPI
from sora_widget.engine.inflight import runs_elsewhere
from sora_widget.engine.jobs import DEFAULT_TIMEOUT, VideoJob, is_followed
from sora_widget.engine.library import Library
from sora_widget.engine.poller import Poller
from sora_widget.engine.storage import LINEAGE


def resumable(
    client: VideosAPI, library: Library, *, origin: str | None = None
) -> list[dict[str, Any]]:
    """The pending records `resume` would follow, oldest first.

    Skipped: jobs of another backend, jobs already followed in this process, and jobs whose
    recorded process (another kernel, say) is still running: it will save them itself.
    With `origin`, only jobs started by that kind of owner ("widget", "compare", ...).
    """
    base_url = public_url(client.base_url)
    records = []
    for record in library.pending():
        if record.get("base_url") != base_url:
            continue  # made on another backend: this client cannot see it
        if origin is not None and record.get("origin", "script") != origin:
            continue
        if is_followed(client.base_url, record["id"]) or runs_elsewhere(record.get("owner")):
            continue
        if library.get(record["id"]) is not None:
            library.forget_pending(record["id"])  # saved just before the last process ended
            continue
        records.append(record)
    return sorted(records, key=_age_order)


def resume(
    client: VideosAPI,
    library: Library,
    *,
    origin: str | None = None,
    poller: Poller | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> list[VideoJob]:
    """Follow again, until saved, every pending job no running process follows (oldest
    first): after a kernel restart, nothing paid for is lost and nothing is paid twice."""
    return [
        attach_pending(client, library, record, poller=poller, timeout=timeout)
        for record in resumable(client, library, origin=origin)
    ]


def attach_pending(
    client: VideosAPI,
    library: Library,
    record: dict[str, Any],
    *,
    poller: Poller | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> VideoJob:
    """A job following the pending `record` (from `resumable`) for its original owner. What
    its create asked for stands in for what the server does not echo (OpenRouter)."""
    asked = {name: record.get(name) for name in ("prompt", "model", "size", "seconds")}
    client.remember_asked(record["id"], {**asked, "created_at": record.get("created_at")})
    request = record.get("request")
    if isinstance(request, dict):
        client.requests.setdefault(record["id"], request)
    job = VideoJob.attach(
        client,
        record["id"],
        library=library,
        poller=poller,
        timeout=timeout,
        origin=str(record.get("origin", "script")),
    )
    job.lineage = {name: record[name] for name in LINEAGE if isinstance(record.get(name), str)}
    settings = record.get("settings")
    job.settings = settings if isinstance(settings, dict) else None
    return job


def _age_order(record: dict[str, Any]) -> tuple[float, float]:
    """Oldest first; the server counts in whole seconds, so ties go by when it was recorded."""
    created, recorded = record.get("created_at"), record.get("recorded_at")
    return (
        created if isinstance(created, int | float) else 0.0,
        recorded if isinstance(recorded, int | float) else 0.0,
    )
