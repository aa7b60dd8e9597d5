"""The stage of one shot: its geometry, the camera's travel and the look applied to colours."""

from __future__ import annotations

import colorsys
import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from ..scene import MOBILE_KINDS, Look, Rgb, Scene, Subject, hash_unit
from .finish import DEFAULT, Finish
from .yuv import even

PAN_SPAN = 0.6  # how far a pan travels, in frame widths, before it turns back
PAN_SECONDS = 12.0  # time for one pan sweep, so a 4 s clip moves a third of the way
ORBIT_SECONDS = 8.0  # period of the orbit's back-and-forth sway

_LUMA = np.array([0.2126, 0.7152, 0.0722], np.float32)  # BT.709; multiplied, not @ (BLAS threads)
TIME_GAIN = {
    "dawn": (0.95, 0.85, 0.85),
    "day": (1.0, 1.0, 1.0),
    "sunset": (1.0, 0.78, 0.62),
    "night": (0.32, 0.36, 0.55),
}
_FOG = {
    "dawn": (220, 200, 200),
    "day": (205, 210, 215),
    "sunset": (210, 170, 150),
    "night": (55, 60, 80),
}


@dataclass(frozen=True)
class Stage:
    """Geometry and look shared by everything drawn for one shot."""

    look: Look
    width: int  # the frame
    height: int
    strip: int  # the backdrop's width: the frame plus the camera's travel
    origin: float  # the camera's left edge in the backdrop at t=0
    horizon: int
    colors: dict[str, Rgb]  # subject name -> a colour the prompt named but did not attach
    tint: Rgb | None  # such colours tint the light when no subject can wear them
    finish: Finish  # how finely the model paints
    sway: int = 0  # a handheld camera's reach to either side, in pixels (even)

    @classmethod
    def of(
        cls, scene: Scene, width: int, height: int, finish: Finish = DEFAULT, sway: int = 0
    ) -> Stage:
        look = scene.look
        margin = even(PAN_SPAN * width) if look.camera in ("pan", "orbit") else 0
        margin += 2 * sway
        uncolored = (s for s in scene.subjects if s.kind in _COLORED_KINDS and s.color is None)
        names = list(dict.fromkeys(s.name for s in uncolored))
        colors, tint = {}, None
        if look.colors:
            colors = {n: look.colors[i % len(look.colors)] for i, n in enumerate(names)}
            tint = None if names else look.colors[0]
        horizon = round(scene.horizon * height)
        stage = cls(look, width, height, width + margin, 0.0, horizon, colors, tint, finish, sway)
        return dataclasses.replace(stage, origin=stage.camera(0.0))

    def camera(self, t: float) -> float:
        """The camera's left edge in the backdrop, in pixels, t seconds into its move (a
        handheld camera's sway comes on top, see `Shot`)."""
        look, travel = self.look, self.strip - self.width - 2 * self.sway
        if look.camera == "pan":
            sweep = 1 - abs((t / PAN_SECONDS) % 2 - 1)  # 0 -> 1 -> 0 ...
            return self.sway + travel * (sweep if look.heading > 0 else 1 - sweep)
        if look.camera == "orbit":
            swing = 1 + look.heading * math.sin(2 * math.pi * t / ORBIT_SECONDS)
            return self.sway + travel / 2 * swing
        return float(self.sway)

    @property
    def unit(self) -> int:
        return min(self.width, self.height)

    def x(self, s: Subject) -> float:
        return self.origin + s.x * self.width

    def place(self, s: Subject) -> tuple[float, float, float, float]:
        """(centre x, ground line y, height, depth) in backdrop pixels."""
        return self.x(s), s.y * self.height, s.size * self.unit, self.depth(s)

    def depth(self, s: Subject) -> float:
        """0 near the camera, 1 at the horizon: how much fog sits in front of a subject."""
        distance = (s.y * self.height - self.horizon) / max(1, self.height - self.horizon)
        return min(1.0, max(0.0, 1 - distance))

    def grade(
        self, rgb: np.ndarray, depth: float | np.ndarray, emissive: bool = False
    ) -> np.ndarray:
        """The look applied to colours (..., 3): saturation, tint, light, weather and fog.
        `depth` (0 near, 1 at the horizon) sets the fog; emissive light ignores the dark."""
        look = self.look
        rgb = np.asarray(rgb, np.float32)
        saturation = look.saturation
        for weather, factor in (("rain", 0.6), ("snow", 0.75), ("fog", 0.8)):
            if weather in look.weather:
                saturation *= factor
        luma = (rgb * _LUMA).sum(axis=-1, keepdims=True)
        rgb = luma + (rgb - luma) * saturation
        if self.tint:  # keeps the brightness
            tint = np.array(self.tint, np.float32)
            rgb = rgb * (0.8 + 0.2 * tint / max(float((tint * _LUMA).sum()), 16.0))
        if not emissive:
            rgb = rgb * np.array(TIME_GAIN[look.time_of_day], np.float32)
        if "rain" in look.weather:
            rgb = rgb * 0.8
        if "fog" in look.weather:
            haze = (0.2 + 0.45 * np.asarray(depth, np.float32))[..., None]
            rgb = rgb * (1 - haze) + np.array(_FOG[look.time_of_day], np.float32) * haze
        return np.clip(rgb, 0, 255)

    def shade(self, color: Rgb, depth: float, emissive: bool = False) -> Rgb:
        r, g, b = self.grade(np.array(color, np.float32), depth, emissive)
        return round(float(r)), round(float(g)), round(float(b))

    def color(self, s: Subject) -> Rgb:
        named = s.color or self.colors.get(s.name)
        return named or _DEFAULT_COLORS.get(s.name) or _hue(hash_unit(s.name))


_DEFAULT_COLORS: dict[str, Rgb] = {
    "fox": (210, 100, 40),
    "cat": (110, 110, 120),
    "kitten": (200, 150, 90),
    "dog": (150, 100, 60),
    "puppy": (190, 140, 90),
    "wolf": (120, 120, 128),
    "horse": (120, 80, 50),
    "deer": (160, 110, 70),
    "bear": (80, 55, 40),
    "rabbit": (185, 175, 165),
    "cow": (235, 235, 235),
    "sheep": (235, 235, 225),
    "lion": (200, 150, 60),
    "tiger": (230, 120, 30),
    "astronaut": (235, 235, 240),
    "robot": (180, 185, 195),
    "taxi": (245, 200, 40),
    "bird": (40, 40, 50),
    "crow": (30, 30, 35),
    "eagle": (90, 60, 40),
    "seagull": (235, 235, 235),
    "gull": (235, 235, 235),
    "dove": (235, 235, 235),
}
_COLORED_KINDS = MOBILE_KINDS | {"shape"}


def _hue(unit: float, saturation: float = 0.65, value: float = 0.85) -> Rgb:
    r, g, b = colorsys.hsv_to_rgb(unit % 1.0, saturation, value)
    return round(r * 255), round(g * 255), round(b * 255)


def rotate_hue(color: Rgb, turn: float) -> Rgb:
    h, s, v = colorsys.rgb_to_hsv(*(c / 255 for c in color))
    return _hue(h + turn, s, v)
