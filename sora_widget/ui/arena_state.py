"""What the Arena's traits carry: the payloads the panel reads, built from plain data.

Blindness is kept here: a pair's payload names its videos only by opaque "blind:<token>"
media keys, and the model names travel only in `RevealPayload` and the leaderboard's rows,
which the widget sets only once no pair awaits a vote.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypedDict

from sora_widget.ui.widget_state import dollars


class EstimatePayload(TypedDict):
    """The whole grid before anything is sent: videos to make, videos reused, their cost
    ("$4.80", "" when unknown). No model names: they would be in the page during the vote."""

    videos: int
    reused: int
    cost: str


class ProgressPayload(TypedDict):
    done: int
    total: int
    failed: int


class SidePayload(TypedDict):
    """One side of the pair on screen: its blind media key, frame rate and sound."""

    media: str
    fps: float | None
    audio: bool


class PairPayload(TypedDict):
    """The pair on screen; `token` names it in the panel's vote, so a stale page's vote for
    another pair is refused."""

    token: str
    prompt: str
    left: SidePayload
    right: SidePayload


class RevealPayload(TypedDict):
    """The models of the pair just voted on, and the vote."""

    left: str
    right: str
    choice: str
    tags: list[str]


class ArenaError(TypedDict):
    title: str
    message: str


def estimate_payload(costs: Sequence[float | None], reused: int) -> EstimatePayload:
    """`costs`: one per video to generate (None where unknown)."""
    return {"videos": len(costs), "reused": reused, "cost": dollars(costs)}


def side_payload(media: str, facts: tuple[float | None, str | None] | None) -> SidePayload:
    """`facts`: the file's (frames per second, sound codec), None while not yet read."""
    fps, audio = facts if facts is not None else (None, None)
    return {"media": media, "fps": fps, "audio": bool(audio)}
