"""A storyboard's shots without any server: what each asks for, how each starts, and when its
saved video still stands.

Plain data and pure functions, so the rules of continuity and of "only new or changed shots
are generated" are tested without a server: `parse_shot` reads what a person wrote, `plan`
says how each shot starts (on its own, from the previous shot's last frame, or as the server's
extension of it), `fingerprint` names what a video was made from.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sora_widget.core.errors import InvalidRequestError
from sora_widget.core.keywords import refuse_unknown
from sora_widget.core.validation import seconds_string, validate_prompt

Continuity = Literal["none", "last_frame", "extend"]
CONTINUITIES: tuple[str, ...] = ("none", "last_frame", "extend")
#: What a shot given as a dict may say.
SHOT_KEYS = ("prompt", "seconds", "model", "size", "image", "parameters")
#: Statuses a shot shows (the panel's contract): before, during and after its generation.
DRAFT, WAITING, QUEUED, IN_PROGRESS = "draft", "waiting", "queued", "in_progress"
COMPLETED, FAILED, CANCELLED = "completed", "failed", "cancelled"
#: A shot in one of these has a job on the server (or about to be): a restart takes it up.
IN_FLIGHT = frozenset({QUEUED, IN_PROGRESS})

NO_FIRST_FRAME = "This model takes no first frame: generated on its own."
OWN_IMAGE = "Starts from its own image."
FOLLOWED_ELSEWHERE = (
    "Another running kernel follows this shot's job and saves its video: reopen the "
    "storyboard there or once it ends."
)
OTHER_SETTINGS = (
    "Its model or size differs from the previous shot's: continued from its last frame."
)


@dataclass(eq=False)
class Shot:
    """One shot: what to make, and what became of it.

    `seconds`, `model` and `size` are the storyboard's unless the shot gave its own. `image` is
    the shot's own first frame (a path or the bytes of an image). `made_with` is the
    `fingerprint` its saved video was made from; `started_from` the video id of the shot it
    continued (None: made on its own).
    """

    prompt: str
    seconds: str
    model: str
    size: str
    image: Path | bytes | None = None
    parameters: dict[str, Any] = field(default_factory=dict)
    key: str = ""
    status: str = DRAFT
    video_id: str | None = None
    video_file: Path | None = None
    #: Why it failed or was not generated, in plain words ("" if it did not).
    error: str = ""
    #: How its video started: "none", "last_frame" or "extend".
    continuity: str = "none"
    started_from: str | None = None
    made_with: str | None = None
    #: Asked to be made again (`regenerate`) though nothing in it changed.
    redo: bool = False
    #: Its video holds the shot it extends too (the extensions route returns the whole).
    includes_previous: bool = False
    note: str = ""
    #: The job in flight: {"id" (once created), "made_with", "from", "continuity"}, kept so
    #: a restart takes it up and knows what its video is made from.
    pending: dict[str, Any] | None = None
    #: Progress, 0 to 100, and seconds left, while its job runs (not saved).
    progress: float = 0.0
    eta: float | None = None

    def __repr__(self) -> str:
        return f"Shot({self.prompt!r}, {self.status}, video_id={self.video_id!r})"

    @property
    def has_video(self) -> bool:
        return self.video_id is not None and self.video_file is not None


def parse_shot(spec: object, *, seconds: str, model: str, size: str, key: str = "") -> Shot:
    """A shot from a prompt or a dict of `SHOT_KEYS`; unknown keys refused, naming the closest."""
    if isinstance(spec, Shot):
        return spec
    if isinstance(spec, str):
        spec = {"prompt": spec}
    if not isinstance(spec, Mapping):
        raise InvalidRequestError(
            "shots", f"A shot is a prompt or a dict with 'prompt', not {type(spec).__name__}."
        )
    refuse_unknown("shot", spec, SHOT_KEYS)
    if "prompt" not in spec:
        raise InvalidRequestError("prompt", "A shot needs a 'prompt'.")
    image = spec.get("image")
    if image is not None and not isinstance(image, str | Path | bytes):
        raise InvalidRequestError(
            "image", f"A shot's image is a path or the image's bytes, not {type(image).__name__}."
        )
    parameters = spec.get("parameters") or {}
    if not isinstance(parameters, Mapping):
        raise InvalidRequestError("parameters", "A shot's parameters are a dict.")
    return Shot(
        prompt=validate_prompt(spec["prompt"]),
        seconds=str(seconds_string(spec.get("seconds", seconds))),
        model=str(spec.get("model", model)),
        size=str(spec.get("size", size)),
        image=Path(image) if isinstance(image, str) else image,
        parameters=dict(parameters),
        key=key,
    )


def check_continuity(continuity: object) -> Continuity:
    if continuity not in CONTINUITIES:
        raise InvalidRequestError(
            "continuity",
            f"Invalid value for 'continuity': {continuity!r}. Supported values are "
            f"{', '.join(map(repr, CONTINUITIES))}.",
        )
    return continuity  # type: ignore[return-value]


def styled(prompt: str, style: str) -> str:
    """What a shot's create sends as its prompt: "<prompt>. Style: <style>" (the prompt alone
    when there is no style), so every shot carries the same look."""
    style = style.strip()
    return f"{prompt.rstrip().rstrip('.')}. Style: {style}" if style else prompt


def image_bytes(image: Path | bytes | None) -> bytes | None:
    return image.read_bytes() if isinstance(image, Path) else image


def fingerprint(shot: Shot, style: str, reference: bytes | None = None) -> str:
    """What a shot's video is made from (prompt, style, settings, images): a saved video whose
    fingerprint matches is reused, never paid for again."""
    digest = hashlib.sha256()
    image = image_bytes(shot.image)
    made_of = {
        "prompt": shot.prompt,
        "style": style,
        "model": shot.model,
        "size": shot.size,
        "seconds": shot.seconds,
        "parameters": shot.parameters,
        "image": hashlib.sha256(image).hexdigest() if image is not None else None,
        "reference": hashlib.sha256(reference).hexdigest() if reference is not None else None,
    }
    digest.update(json.dumps(made_of, sort_keys=True, default=str).encode())
    return digest.hexdigest()[:16]


# ---- continuity -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """How one shot starts: `continuity` ("none", "last_frame", "extend"), the index of the
    shot it waits for (`after`), and a note for the panel."""

    continuity: str
    after: int | None = None
    note: str = ""


def plan(
    shots: Sequence[Shot],
    continuity: Continuity,
    *,
    takes_first_frame: Callable[[str], bool],
    extends: Callable[[Shot], bool],
) -> list[Step]:
    """Each shot's `Step`. `takes_first_frame(model)`: the model's create takes a first frame;
    `extends(shot)`: the server has an extension route for the shot's model and length.

    "none": all independent. "last_frame": from the previous shot's last frame, where the model
    takes a first frame (else on its own, with a note). "extend": the server's extension of the
    previous shot where it has one for this shot (same model and size), else "last_frame". A
    shot with its own image starts from that image.
    """
    steps: list[Step] = []
    for index, shot in enumerate(shots):
        if continuity == "none" or index == 0:
            steps.append(Step("none"))
        elif shot.image is not None:
            steps.append(Step("none", note=OWN_IMAGE))
        elif continuity == "extend" and extends(shot) and _same_frame(shot, shots[index - 1]):
            steps.append(Step("extend", index - 1))
        elif takes_first_frame(shot.model):
            other = continuity == "extend" and not _same_frame(shot, shots[index - 1])
            steps.append(Step("last_frame", index - 1, OTHER_SETTINGS if other else ""))
        else:
            steps.append(Step("none", note=NO_FIRST_FRAME))
    return steps


def _same_frame(shot: Shot, previous: Shot) -> bool:
    """An extension keeps its source's model and size."""
    return (shot.model, shot.size) == (previous.model, previous.size)


def is_stale(shots: Sequence[Shot], index: int) -> bool:
    """Whether the shot's video started from a shot that is no longer the one before it, or
    whose video changed (or is to be made again): offered for regeneration, never remade
    silently."""
    shot = shots[index]
    if shot.started_from is None or not shot.has_video:
        return False
    if index == 0:
        return True
    previous = shots[index - 1]
    return previous.video_id != shot.started_from or previous.redo


# ---- saved as JSON ----------------------------------------------------------------------------

#: The fields of a shot kept in the storyboard's JSON (progress and eta are not).
_SAVED = (
    "prompt",
    "seconds",
    "model",
    "size",
    "parameters",
    "key",
    "status",
    "video_id",
    "error",
    "continuity",
    "started_from",
    "made_with",
    "redo",
    "includes_previous",
    "note",
    "pending",
)


def shot_record(shot: Shot) -> dict[str, Any]:
    record: dict[str, Any] = {name: getattr(shot, name) for name in _SAVED}
    record["video_file"] = str(shot.video_file) if shot.video_file else None
    record["image"] = encode_image(shot.image)
    return record


def shot_from_record(record: Mapping[str, Any]) -> Shot:
    shot = Shot(**{name: record[name] for name in _SAVED if name in record})
    video_file = record.get("video_file")
    shot.video_file = Path(video_file) if isinstance(video_file, str) else None
    shot.image = decode_image(record.get("image"))
    return shot


def encode_image(image: Path | bytes | None) -> dict[str, str] | None:
    if isinstance(image, Path):
        return {"path": str(image)}
    if isinstance(image, bytes):
        return {"base64": base64.b64encode(image).decode("ascii")}
    return None


def decode_image(saved: object) -> Path | bytes | None:
    if not isinstance(saved, dict):
        return None
    if isinstance(saved.get("path"), str):
        return Path(saved["path"])
    if isinstance(saved.get("base64"), str):
        return base64.b64decode(saved["base64"])
    return None
