"""One arena vote as data: what a voter saw on each side and what they chose.

A vote is checked when it is made and when it is read back (`Vote.from_json`), so a line that
does not describe a real vote (an unknown choice or tag, a model against itself, a time without
its zone) is refused as a whole rather than half-counted. The files that hold votes are the
engine's (`engine/votes.py`); the ratings drawn from them are `core/ratings.py`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, cast

Choice = Literal["left", "right", "tie", "both_bad"]
#: "both_bad": neither video does the prompt justice; the ratings count it as a tie.
CHOICES: tuple[Choice, ...] = ("left", "right", "tie", "both_bad")

Tag = Literal["prompt adherence", "motion", "physics", "look", "sound"]
#: The reasons a voter may give, always in this order in a vote.
TAGS: tuple[Tag, ...] = ("prompt adherence", "motion", "physics", "look", "sound")


@dataclass(frozen=True)
class Side:
    """The video shown on one side: which model made it, and its id in the library."""

    model: str
    video_id: str


@dataclass(frozen=True)
class Vote:
    """A vote on one pair: `time` is ISO 8601 with its zone (written in UTC)."""

    time: str
    voter: str
    prompt: str
    left: Side
    right: Side
    choice: Choice
    tags: tuple[Tag, ...] = ()

    def __post_init__(self) -> None:
        if self.choice not in CHOICES:
            raise ValueError(f"choice must be one of {CHOICES}, not {self.choice!r}")
        unknown = [tag for tag in self.tags if tag not in TAGS]
        if unknown:
            raise ValueError(f"unknown tags {unknown}: the tags are {TAGS}")
        if self.left.model == self.right.model:
            raise ValueError(f"a vote needs two different models, not {self.left.model!r} twice")
        if _parse_time(self.time).tzinfo is None:
            raise ValueError(f"the time {self.time!r} has no time zone")

    @classmethod
    def cast(
        cls,
        voter: str,
        prompt: str,
        left: Side,
        right: Side,
        choice: str,
        tags: Iterable[str] = (),
        *,
        when: datetime | None = None,
    ) -> Vote:
        """A vote made `when` (now by default), its tags deduplicated in `TAGS` order."""
        moment = (when or datetime.now(UTC)).astimezone(UTC)
        return cls(
            time=moment.isoformat(timespec="milliseconds"),
            voter=voter,
            prompt=prompt,
            left=left,
            right=right,
            choice=cast(Choice, choice),
            tags=tuple(cast(Tag, tag) for tag in sorted(set(tags), key=_tag_rank)),
        )

    @property
    def moment(self) -> datetime:
        """`time` as a datetime, for ordering votes written with different offsets."""
        return _parse_time(self.time)

    @property
    def key(self) -> tuple[str, str, str, str, str, str, str]:
        """What makes two records the same vote: same voter, same pair (prompt, videos and
        sides), same time; a copied file or a class folder merged twice counts it once."""
        return (
            self.voter,
            self.time,
            self.prompt,
            self.left.model,
            self.left.video_id,
            self.right.model,
            self.right.video_id,
        )

    def to_json(self) -> dict[str, object]:
        """The vote as one JSON object (the shape of a line in a vote file)."""
        return {
            "time": self.time,
            "voter": self.voter,
            "prompt": self.prompt,
            "left": {"model": self.left.model, "video_id": self.left.video_id},
            "right": {"model": self.right.model, "video_id": self.right.video_id},
            "choice": self.choice,
            "tags": list(self.tags),
        }

    @classmethod
    def from_json(cls, data: object) -> Vote:
        """The vote `to_json` wrote; ValueError says what is wrong with anything else."""
        if not isinstance(data, Mapping):
            raise ValueError("a vote is a JSON object")
        tags = data.get("tags", [])
        if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
            raise ValueError("tags must be a list of strings")
        return cls(
            time=_text(data, "time"),
            voter=_text(data, "voter"),
            prompt=_text(data, "prompt"),
            left=_side(data, "left"),
            right=_side(data, "right"),
            choice=cast(Choice, _text(data, "choice")),
            tags=tuple(cast(Tag, tag) for tag in tags),
        )


def _tag_rank(tag: str) -> int:
    """A tag's place in `TAGS`; unknown tags last, for `Vote` to refuse."""
    return TAGS.index(tag) if tag in TAGS else len(TAGS)


def _parse_time(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"the time {text!r} is not ISO 8601") from None


def _text(data: Mapping[str, object], field: str) -> str:
    value = data.get(field)
    if not isinstance(value, str):
        raise ValueError(f"{field!r} must be a string")
    return value


def _side(data: Mapping[str, object], field: str) -> Side:
    value = data.get(field)
    if not isinstance(value, Mapping):
        raise ValueError(f"{field!r} must be an object with model and video_id")
    return Side(model=_text(value, "model"), video_id=_text(value, "video_id"))
