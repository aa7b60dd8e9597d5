"""Footprints: a walker in snow leaves a print at each stride, a cause and its effect, so the
"missing-effect" flaw (prints that stop appearing) has something to take away."""

from __future__ import annotations

import numpy as np

from ..scene import Subject
from .movers import Mover
from .yuv import Planes, even

WALKERS = frozenset({"animal", "person", "robot"})
_PITCH = 0.15  # the distance between prints, in walker heights
_HIND = 0.3  # where the prints are made: the hind feet, in sprite widths from the tail


class Footprints:
    """Each walker's prints: where (in the backdrop) and when each is made."""

    def __init__(self, walkers: list[Mover], start: float, end: float) -> None:
        """`start` and `end`: the seconds of the clip the shot is on screen."""
        # each walker's print left edges in the backdrop, print times, rows and columns
        self.trails: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
        for mover in walkers:
            height, width = mover.sprites[0].mask.shape
            times = mover.steps(start, end, _PITCH * height)
            hind = _HIND if mover.speed > 0 else 1 - _HIND  # sprites heading left are mirrored
            lefts = np.array([mover.backdrop_left(t) + hind * width for t in times])
            rows = even(mover.top + height) - 2 + np.arange(max(2, even(0.03 * height)))
            cols = np.arange(max(4, even(0.08 * height)))
            self.trails.append((lefts, times, rows, cols))

    @classmethod
    def of(
        cls, subjects: list[Subject], movers: list[Mover], snowy: bool, start: float, end: float
    ) -> Footprints:
        walkers = [m for s, m in zip(subjects, movers, strict=True) if snowy and s.kind in WALKERS]
        return cls(walkers, start, end)

    def paint(self, t: float, camera: int, planes: Planes, until: float | None = None) -> None:
        """Darken the snow to five eighths under every print made by time t (and before
        `until`, if given: the prints after it never appear)."""
        height, width = planes.y.shape
        for lefts, times, rows, cols in self.trails:
            made = times <= t if until is None else (times <= t) & (times < until)
            xs = (lefts[made] - camera).astype(np.intp)
            xs = xs[(xs >= 0) & (xs + len(cols) <= width)]
            visible = rows[rows < height]
            if not len(xs) or not len(visible):
                continue
            where = (visible[None, :, None], xs[:, None, None] + cols[None, None, :])
            planes.y[where] = (planes.y[where] >> 1) + (planes.y[where] >> 3)
