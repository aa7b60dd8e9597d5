"""What a comparison is made of (`Variant`) and what its traits carry, kept apart from `Compare`.

As in `widget_state`, these are plain functions from domain objects to JSON-ready dicts, so the
labels, lineage and statuses are tested without a kernel or a browser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal, TypedDict

from sora_widget.core.errors import InvalidRequestError
from sora_widget.core.shared import ShownStatus
from sora_widget.core.types import DEFAULT_MODEL, DEFAULT_SECONDS, DEFAULT_SIZE
from sora_widget.engine.jobs import JobStatus, VideoJob
from sora_widget.engine.storage import LibraryEntry
from sora_widget.ui.widget_state import (
    IDLE_JOB,
    ErrorPayload,
    JobPayload,
    error_payload,
    job_payload,
)

#: How a variant gets its video: a new generation, a remix of another cell, one that exists (the
#: source given by id, or one of `Compare(videos=...)`), or a saved piece of an extension chain
#: (see `Compare.chain`).
Kind = Literal["generate", "remix", "existing", "part"]

#: Video ids as the API issues them (`video_68d7…`); anything else given as a source is a prompt.
_VIDEO_ID = re.compile(r"video_[A-Za-z0-9_-]+")
_ENDED = frozenset({ShownStatus.COMPLETED, ShownStatus.FAILED, ShownStatus.CANCELLED})


class CellPayload(TypedDict):
    """One cell of the `cells` trait (the front end reads these keys: js/compare.js)."""

    key: str
    role: str
    label: str
    remix_of: str | None
    remixed_from: str | None
    prompt: str
    model: str
    size: str
    seconds: str
    video_id: str | None
    job: JobPayload
    error: ErrorPayload
    media: str
    fps: float | None
    audio: str | None


def is_video_id(text: str) -> bool:
    return _VIDEO_ID.fullmatch(text) is not None


@dataclass(eq=False)
class Variant:
    """One cell of a comparison: what to make and the job making it.

    `job` is None while a remix waits for its source to complete (and for a saved video,
    which needs no job). A retry replaces the job; the cell, its key and place stay.
    """

    key: str
    kind: Kind
    prompt: str = ""
    model: str = DEFAULT_MODEL
    size: str = DEFAULT_SIZE
    seconds: str = DEFAULT_SECONDS
    #: The cell this one remixes (its lineage inside the comparison).
    remix_of: Variant | None = None
    video_id: str | None = None
    job: VideoJob | None = None
    #: The saved video, once it is in the library.
    entry: LibraryEntry | None = None
    #: Cancelled before its job started (a remix still waiting for its source).
    cancelled: bool = False
    #: The media key of the saved video, which the views ask for (see `media`); "" before.
    media: str = ""
    #: Frames per second of the saved file: the front end's frame step and sync tolerance.
    fps: float | None = None
    #: The saved file's audio codec ("aac"), "" when it has no sound, None until read.
    audio: str | None = None
    #: The caller's name for the cell (`Compare(videos={"Alice": ...})`), shown instead of the
    #: one `labels` would make up.
    label: str | None = None

    @property
    def status(self) -> ShownStatus:
        """The front end's words: waiting, queued, in_progress, completed, failed, cancelled."""
        if self.entry is not None:
            return ShownStatus.COMPLETED
        if self.job is not None:
            return job_payload(self.job)["status"]
        if self.cancelled:
            return ShownStatus.CANCELLED
        if self.blocked:
            return ShownStatus.FAILED
        return ShownStatus.WAITING

    @property
    def ended(self) -> bool:
        return self.status in _ENDED

    @property
    def blocked(self) -> bool:
        """A remix whose source ended without a video: it cannot start until that is retried."""
        source = self.remix_of
        return self.job is None and source is not None and source.ended and source.entry is None

    @property
    def error(self) -> BaseException | None:
        if self.job is not None and self.job.status is JobStatus.FAILED:
            return self.job.error
        if self.blocked:
            return InvalidRequestError(
                "video_id",
                "Its source video did not complete, so there is nothing to remix yet: retry the "
                "source, and this remix starts when it is done.",
            )
        return None

    def absorb(self) -> None:
        """Take in what the job learnt: the server's id and prompt, the saved entry."""
        if self.job is None:
            return
        video = self.job.video
        if video is not None:
            self.video_id = video.id
            self.prompt = video.prompt or self.prompt
            self.model, self.size, self.seconds = video.model, video.size, video.seconds
        if self.job.status is JobStatus.COMPLETED and self.job.entry is not None:
            self.entry = self.job.entry

    def take_entry(self, entry: LibraryEntry) -> None:
        """A video already in the library: nothing to wait for."""
        self.entry = entry
        self.video_id = entry.id
        self.prompt = entry.prompt or ""
        self.model, self.size, self.seconds = entry.model, entry.size, entry.seconds


def labels(variants: list[Variant], source: Variant | None) -> dict[str, str]:
    """Short names people can tell apart: "Source", "Remix 2", "sora-2-pro", "Prompt 2 · sora-2"."""
    generated = [v for v in variants if v.kind == "generate"]
    prompts = list(dict.fromkeys(v.prompt for v in generated))
    names: dict[str, str] = {}
    remixes = parts = 0
    for variant in variants:
        if variant.label is not None:
            names[variant.key] = variant.label
        elif variant.kind == "part":
            parts += 1
            names[variant.key] = f"Part {parts}"
        elif variant.kind == "remix":
            remixes += 1
            names[variant.key] = f"Remix {remixes}"
        elif variant.kind == "existing":
            names[variant.key] = "Source"  # unlabelled, only ever the source: Compare(video_id)
        elif len(prompts) > 1:
            names[variant.key] = f"Prompt {prompts.index(variant.prompt) + 1} · {variant.model}"
        elif variant is source and any(v.kind == "remix" for v in variants):
            names[variant.key] = "Source"
        else:
            names[variant.key] = variant.model
    return names


def cell_payload(variant: Variant, *, source: Variant | None, names: dict[str, str]) -> CellPayload:
    """One cell as the front end shows it. Bytes never go here: the views ask for `media`."""
    job: JobPayload
    if variant.job is not None:
        job = job_payload(variant.job)
    else:
        done = variant.entry is not None
        job = {**IDLE_JOB, "id": variant.video_id, "status": variant.status, "progress": 100 * done}
    settings = variant
    while settings.remix_of is not None and settings.video_id is None:
        settings = settings.remix_of  # a remix not created yet will have its source's settings
    remixed_from = None
    if variant.entry is not None:
        remixed_from = variant.entry.remixed_from_video_id
    elif variant.job is not None and variant.job.video is not None:
        remixed_from = variant.job.video.remixed_from_video_id
    return {
        "key": variant.key,
        "role": "source" if variant is source else variant.kind,
        "label": names[variant.key],
        "remix_of": variant.remix_of.key if variant.remix_of is not None else None,
        "remixed_from": remixed_from,
        "prompt": variant.prompt,
        "model": settings.model,
        "size": settings.size,
        "seconds": settings.seconds,
        "video_id": variant.video_id,
        "job": job,
        "error": error_payload(variant.error),
        "media": variant.media,
        "fps": variant.fps,
        "audio": variant.audio,
    }


def page_state(state: dict[str, Any], media: dict[str, str]) -> dict[str, Any]:
    """The widget state a saved page starts from: completed cells only, videos as data URLs."""
    cells = [cell for cell in state["cells"] if cell["media"] in media]
    return {
        **state,
        "cells": cells,
        "playing": False,
        "enlarged": "",
        "error": error_payload(None),
        "media": media,
    }
