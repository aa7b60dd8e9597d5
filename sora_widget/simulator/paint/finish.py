"""How finely each model paints the same scene, as data: a finer model's frame has smoother
edges, a layer of texture on the ground and in the sky, and softer light, so a model
comparison shows a difference a class can point at. All of it is drawn once per shot (into the
backdrop and the sprites), so a finer finish costs no time per frame."""

from __future__ import annotations

from dataclasses import dataclass

from sora_widget.core.catalog import family_of


@dataclass(frozen=True)
class Finish:
    supersample: int = 1  # backdrop and sprites drawn this many times larger, then reduced
    detail: float = 0.0  # texture strokes on the ground (grass, ripples, sparkle): 1 = dense
    glow: float = 0.0  # soft light: how much of a blurred copy of the highlights is added


DEFAULT = Finish()
#: a model family's name -> its finish; families not named here paint as sora-2 does
FINISHES: dict[str, Finish] = {
    "sora-2": DEFAULT,
    "sora-2-pro": Finish(supersample=2, detail=1.0, glow=0.45),
}


def finish_of(model: str) -> Finish:
    family = family_of(model)
    return FINISHES.get(family.name, DEFAULT) if family else DEFAULT
