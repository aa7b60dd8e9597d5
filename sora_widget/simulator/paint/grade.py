"""A colour grade applied to YUV planes through lookup tables: brightness by lift, gamma and
gain, colour by saturation and a tint. It is applied once per shot, to the backdrop and the
sprites, so a family's grade costs no time per frame."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .yuv import Planes

_BLACK, _RANGE = 16, 219  # BT.709 limited range: luma runs from 16 to 235


@dataclass(frozen=True)
class Grade:
    lift: float = 0.0  # raises the blacks (faded film) or, negative, crushes them
    gamma: float = 1.0  # above 1 brightens the mid-tones, below 1 darkens them
    gain: float = 1.0  # scales the highlights
    saturation: float = 1.0  # scales the colour's distance from grey
    tint: tuple[int, int] = (0, 0)  # added to U (+ blue, - yellow) and V (+ red, - cyan)

    @property
    def neutral(self) -> bool:
        return self == Grade()

    def apply(self, planes: Planes) -> None:
        """Grade the planes in place (a sprite's, a backdrop's)."""
        if self.neutral:
            return
        level = np.clip((np.arange(256, dtype=np.float32) - _BLACK) / _RANGE, 0, None)
        level = np.clip(self.lift + (1 - self.lift) * level * self.gain, 0, None)
        luma = np.clip(_BLACK + _RANGE * level ** (1 / self.gamma), 0, 255)
        planes.y[:] = np.rint(luma).astype(np.uint8)[planes.y]
        for plane, shift in zip((planes.u, planes.v), self.tint, strict=True):
            chroma = 128 + (np.arange(256, dtype=np.float32) - 128) * self.saturation + shift
            plane[:] = np.rint(np.clip(chroma, 16, 240)).astype(np.uint8)[plane]
