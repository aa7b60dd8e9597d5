"""What the Storyboard's traits carry (the front end reads these keys: js/storyboard.js).

As in `widget_state` and `compare_state`: plain functions from the board to JSON-ready dicts,
tested without a kernel or a browser.
"""

from __future__ import annotations

from typing import TypedDict

from sora_widget.core.pricing import estimate_cost
from sora_widget.engine.shots import COMPLETED, FAILED, FOLLOWED_ELSEWHERE, Shot, Step
from sora_widget.engine.storyboard import NOT_GENERATED, Board
from sora_widget.ui.widget_state import dollars, seconds_of

#: What the panel shows of a shot whose video started from a shot that changed.
STALE = "stale"


class StoryError(TypedDict):
    """A shot's or the storyboard's error: a title and plain words."""

    title: str
    message: str


class ShotPayload(TypedDict):
    """One card of the `shots` trait, in film order."""

    key: str
    prompt: str
    seconds: str
    #: The durations the shot's model allows (its Duration menu), as the SoraWidget's.
    seconds_choices: list[str]
    model: str
    size: str
    status: str
    progress: float
    eta: str
    video_id: str | None
    media: str
    continuity: str
    note: str
    error: StoryError | None
    cost: str
    changed: bool


class FilmPayload(TypedDict):
    """The `film` trait: the stitched film's media key, length, seams, size and rate."""

    media: str
    duration: float
    starts: list[float]
    size: str
    fps: float


def film_key(title: str) -> str:
    return f"film:{title}"


def shot_cost(board: Board, shot: Shot, first_frame: bool = False) -> float | None:
    """What one generation of the shot is estimated to cost (the server's prices where it
    publishes them), None if unknown."""
    known = board.client.server_catalog.get(shot.model)
    if known is not None:
        return known.estimate(shot.size, shot.seconds, first_frame=first_frame).usd
    return estimate_cost(shot.model, shot.size, shot.seconds)


def eta_words(eta: float | None) -> str:
    return f"about {max(1, round(eta))} s left" if eta is not None else ""


def shot_payload(board: Board, index: int, step: Step) -> ShotPayload:
    """Card `index`; `step` is how the next generation starts it (its plan), shown until its
    video says how it did start."""
    shot = board.shots[index]
    continuity = shot.continuity if shot.has_video else step.continuity
    stale = board.stale(index) and shot.status == COMPLETED
    error: StoryError | None = None
    if shot.error:
        title = NOT_GENERATED if shot.error.startswith(NOT_GENERATED) else "Failed"
        error = {"title": title if shot.status == FAILED else "Cancelled", "message": shot.error}
    note = shot.note if shot.has_video else step.note
    if board.followed_elsewhere(shot):
        note = FOLLOWED_ELSEWHERE
    return {
        "key": shot.key,
        "prompt": shot.prompt,
        "seconds": shot.seconds,
        "seconds_choices": seconds_of(shot.model, board.client.server_catalog),
        "model": shot.model,
        "size": shot.size,
        "status": STALE if stale else shot.status,
        "progress": shot.progress,
        "eta": eta_words(shot.eta) if shot.status in ("queued", "in_progress") else "",
        "video_id": shot.video_id,
        "media": f"video:{shot.video_id}" if shot.has_video else "",
        "continuity": continuity,
        "note": note,
        "error": error,
        "cost": dollars([shot_cost(board, shot, continuity != "none")]),
        "changed": board.changed(shot),
    }


def shots_payload(board: Board) -> list[ShotPayload]:
    steps = board.steps()
    return [shot_payload(board, n, step) for n, step in enumerate(steps)]


def film_payload(board: Board) -> FilmPayload | None:
    film = board.film
    if film is None or not board.film_current:
        return None
    return {
        "media": film_key(board.title),
        "duration": float(film.duration),
        "starts": board.starts(),
        "size": film.size,
        "fps": float(film.fps),
    }


def costs(board: Board) -> tuple[str, str]:
    """(what Generate film would pay now: new or changed shots only, the whole film's)."""
    steps = board.steps()
    each = [
        (board.needs_video(shot), shot_cost(board, shot, step.continuity != "none"))
        for shot, step in zip(board.shots, steps, strict=True)
    ]
    return dollars(cost for needed, cost in each if needed), dollars(cost for _, cost in each)
