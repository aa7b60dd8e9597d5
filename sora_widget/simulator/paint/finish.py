"""How finely a model paints the same scene: a finer model's frame has smoother edges, a layer
of texture on the ground and in the sky, and softer light; a coarser one is blurred. All of it
is drawn once per shot (into the backdrop and the sprites), so a finish costs no time per
frame. Which model gets which finish is data in `families`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finish:
    supersample: int = 1  # backdrop and sprites drawn this many times larger, then reduced
    detail: float = 0.0  # texture strokes on the ground (grass, ripples, sparkle): 1 = dense
    glow: float = 0.0  # soft light: how much of a blurred copy of the highlights is added
    blur: float = 0.0  # soft edges: the backdrop's blur radius, in pixels of a 720 px frame


DEFAULT = Finish()
