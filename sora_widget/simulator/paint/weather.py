"""Weather: raindrops and snowflakes written straight into the frame's planes."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..scene import Look
from .stage import TIME_GAIN
from .yuv import Planes

RAIN_AREA = 6000  # frame pixels per raindrop: each costs the encoder, so keep them sparse
SNOW_AREA = 6000  # frame pixels per snowflake
RAIN_SLANT = -0.2  # columns per row: the wind


@dataclass
class _Particles:
    """Raindrops or snowflakes: random starts, and positions a pure function of time."""

    x: np.ndarray  # start, in pixels
    y: np.ndarray
    fall: np.ndarray  # pixels per second
    sway: np.ndarray  # side-to-side drift in pixels (snow)
    hz: np.ndarray
    phase: np.ndarray
    shape: tuple[np.ndarray, ...]  # (rows, columns) of each particle's pixels
    slant: float = 0.0  # columns moved per row fallen

    @classmethod
    def scatter(
        cls,
        rng: np.random.Generator,
        count: int,
        size: tuple[int, int],
        fall: tuple[float, float],
        sway: float,
        shape: tuple[np.ndarray, ...],
        slant: float = 0.0,
    ) -> _Particles:
        width, height = size
        return cls(
            rng.uniform(0, width, count),
            rng.uniform(0, height, count),
            rng.uniform(*fall, count) * height,
            rng.uniform(0, sway, count) * width,
            rng.uniform(0.2, 0.6, count),
            rng.uniform(0, 2 * math.pi, count),
            shape,
            slant,
        )

    def pixels(self, t: float, width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
        """(rows, columns) covered at time t, one row per particle, wrapping at the edges."""
        fallen = self.fall * t
        x = self.x + fallen * self.slant + self.sway * np.sin(2 * np.pi * self.hz * t + self.phase)
        rows = ((self.y + fallen).astype(np.intp)[:, None] + self.shape[0]) % height
        cols = (x.astype(np.intp)[:, None] + self.shape[1]) % width
        return rows, cols


class Weather:
    """Rain streaks lighten what they cross; snowflakes are white, a little grey at night."""

    def __init__(self, seed: int, look: Look, width: int, height: int) -> None:
        rng = np.random.default_rng([seed, 1])
        self.size = (width, height)
        light = float(np.mean(TIME_GAIN[look.time_of_day]))
        self.rain = self.flakes = self.big_flakes = None
        if "rain" in look.weather:
            streak = np.arange(max(4, round(0.025 * height)))
            shape = (streak, np.rint(streak * RAIN_SLANT).astype(np.intp))
            count = width * height // RAIN_AREA
            self.rain = _Particles.scatter(rng, count, self.size, (0.9, 1.4), 0, shape, RAIN_SLANT)
            self.rain_level = np.uint8(round((60 + 150 * light) / 2))  # half of the streak's light
        if "snow" in look.weather:
            count = width * height // SNOW_AREA
            square, disc = np.ones((3, 3), bool), np.hypot(*np.mgrid[-2:3, -2:3]) <= 2.3
            self.flakes = _Particles.scatter(
                rng, count * 2 // 3, self.size, (0.06, 0.16), 0.02, np.nonzero(square)
            )
            self.big_flakes = _Particles.scatter(
                rng, count // 3, self.size, (0.06, 0.16), 0.02, np.nonzero(disc)
            )
            self.snow_level = np.uint8(round(80 + 150 * light))

    def paint(self, t: float, planes: Planes) -> None:
        if self.rain is not None:
            rows, cols = self.rain.pixels(t, *self.size)
            planes.y[rows, cols] = (planes.y[rows, cols] >> 1) + self.rain_level
        for flakes in (self.flakes, self.big_flakes):
            if flakes is not None:
                rows, cols = flakes.pixels(t, *self.size)
                planes.y[rows, cols] = self.snow_level
                planes.u[rows[:, 0] // 2, cols[:, 0] // 2] = 128
                planes.v[rows[:, 0] // 2, cols[:, 0] // 2] = 128
