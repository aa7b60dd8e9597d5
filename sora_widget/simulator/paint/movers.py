"""Moving subjects: each kind's poses, drawn once as sprites, and where a mover is at time t.

Each kind draws its poses facing right, in units of the sprite's height (so the numbers read as
proportions); `Mover` mirrors them for subjects heading left and cycles through them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageOps

from ..scene import Rgb, Subject
from .stage import Stage
from .yuv import Planes, Sprite, even

Point = tuple[float, float]
Box = tuple[float, float, float, float]


class _Pen:
    """A transparent canvas `aspect` heights wide, drawn on in units of its height."""

    def __init__(self, aspect: float, height: int) -> None:
        self.image = Image.new("RGBA", (max(2, even(aspect * height)), height))
        self.draw = ImageDraw.Draw(self.image)
        self.unit = height

    def _points(self, points: list[Point]) -> list[Point]:
        return [(x * self.unit, y * self.unit) for x, y in points]

    def _box(self, box: Box) -> Box:
        x0, y0, x1, y1 = (c * self.unit for c in box)
        return x0, y0, x1, y1

    def polygon(self, points: list[Point], fill: Rgb) -> None:
        self.draw.polygon(self._points(points), fill=fill)

    def line(self, points: list[Point], fill: Rgb, width: float) -> None:
        thickness = max(2, round(width * self.unit))
        self.draw.line(self._points(points), fill=fill, width=thickness, joint="curve")

    def ellipse(self, box: Box, fill: Rgb) -> None:
        self.draw.ellipse(self._box(box), fill=fill)

    def chord(self, box: Box, start: float, end: float, fill: Rgb) -> None:
        self.draw.chord(self._box(box), start, end, fill=fill)

    def rectangle(self, box: Box, fill: Rgb, radius: float = 0.0) -> None:
        self.draw.rounded_rectangle(self._box(box), radius * self.unit, fill=fill)


Poses = list[Image.Image]


def _animal_poses(stage: Stage, s: Subject, h: int, depth: float) -> Poses:
    """Four legs that swap stride between the two poses; ears and tail by species."""
    body, dark = stage.shade(stage.color(s), depth), stage.shade((25, 20, 20), depth)
    light, name = stage.shade((240, 235, 225), depth), s.name
    poses = []
    for stride in (-1, 1):
        pen = _Pen(1.6, h)
        for x, phase in ((0.45, 1), (0.6, -1), (0.98, -1), (1.12, 1)):
            foot = x + 0.07 * stride * phase
            pen.polygon(
                [(x - 0.045, 0.6), (x + 0.045, 0.6), (foot + 0.04, 1), (foot - 0.04, 1)], body
            )
        if name in ("fox", "wolf"):  # bushy
            pen.polygon([(0.42, 0.45), (0.02, 0.3), (0.0, 0.48), (0.4, 0.62)], body)
            pen.polygon([(0.12, 0.34), (0.02, 0.3), (0.0, 0.48), (0.1, 0.46)], light)
        elif name in ("cat", "kitten", "tiger", "lion"):  # thin, held up
            pen.line([(0.4, 0.45), (0.22, 0.3), (0.2, 0.08)], body, 0.06)
        elif name in ("horse", "cow"):  # hanging
            pen.line([(0.38, 0.42), (0.3, 0.75)], dark, 0.07)
        else:  # a stub
            pen.line([(0.4, 0.45), (0.28, 0.36)], body, 0.08)
        pen.ellipse((0.35, 0.35, 1.2, 0.72), body)
        if name == "fox":
            pen.chord((0.95, 0.38, 1.25, 0.72), 30, 200, light)
        pen.ellipse((1.08, 0.14, 1.42, 0.46), body)  # head
        pen.polygon([(1.36, 0.24), (1.6, 0.36), (1.36, 0.44)], body)  # snout
        pen.ellipse((1.55, 0.32, 1.6, 0.38), dark)  # nose
        pen.ellipse((1.3, 0.23, 1.35, 0.28), dark)  # eye
        if name in ("dog", "puppy", "sheep", "cow"):  # floppy ears
            pen.ellipse((1.1, 0.16, 1.2, 0.42), dark)
        elif name == "rabbit":
            pen.ellipse((1.12, -0.2, 1.2, 0.25), body)
            pen.ellipse((1.22, -0.2, 1.3, 0.25), body)
        elif name == "bear":
            pen.ellipse((1.1, 0.1, 1.2, 0.22), body)
        else:  # pointed ears
            pen.polygon([(1.13, 0.24), (1.18, 0.0), (1.27, 0.19)], body)
            pen.polygon([(1.26, 0.19), (1.34, 0.01), (1.4, 0.23)], body)
        poses.append(pen.image)
    return poses


def _person_poses(stage: Stage, s: Subject, h: int, depth: float) -> Poses:
    body, dark = stage.shade(stage.color(s), depth), stage.shade((50, 50, 70), depth)
    astronaut = s.name == "astronaut"
    head = stage.shade((240, 240, 245) if astronaut else (225, 185, 150), depth)
    poses = []
    for stride in (-1, 1):
        pen = _Pen(0.6, h)
        pen.line([(0.26, 0.6), (0.24 + 0.1 * stride, 1.0)], dark, 0.07)  # legs
        pen.line([(0.34, 0.6), (0.36 - 0.1 * stride, 1.0)], dark, 0.07)
        pen.line([(0.3, 0.26), (0.3 - 0.12 * stride, 0.56)], body, 0.07)  # arm
        pen.rectangle((0.18, 0.2, 0.42, 0.64), body, radius=0.06)
        pen.ellipse((0.2, 0.0, 0.4, 0.2), head)
        if astronaut:
            pen.ellipse((0.27, 0.05, 0.39, 0.14), stage.shade((40, 60, 90), depth))  # visor
        poses.append(pen.image)
    return poses


def _robot_poses(stage: Stage, s: Subject, h: int, depth: float) -> Poses:
    """Boxy, with an antenna and eyes that glow (they ignore the night)."""
    body, dark = stage.shade(stage.color(s), depth), stage.shade((60, 62, 70), depth)
    eyes = stage.shade((60, 220, 255), depth, True)
    poses = []
    for stride in (-1, 1):
        pen = _Pen(0.7, h)
        pen.rectangle((0.2 + 0.04 * stride, 0.62, 0.3 + 0.04 * stride, 1.0), dark)  # legs
        pen.rectangle((0.4 - 0.04 * stride, 0.62, 0.5 - 0.04 * stride, 1.0), dark)
        pen.line([(0.35, 0.3), (0.35 + 0.14 * stride, 0.58)], dark, 0.06)  # arm
        pen.rectangle((0.14, 0.25, 0.56, 0.66), body, radius=0.03)
        pen.rectangle((0.2, 0.36, 0.5, 0.5), dark, radius=0.02)  # chest panel
        pen.rectangle((0.2, 0.04, 0.5, 0.23), body, radius=0.03)  # head
        pen.rectangle((0.38, 0.09, 0.48, 0.14), eyes)  # visor, facing right
        pen.line([(0.35, 0.04), (0.35, -0.0)], dark, 0.02)  # antenna
        pen.ellipse((0.32, 0.0, 0.38, 0.04), eyes)
        poses.append(pen.image)
    return poses


def _car_poses(stage: Stage, s: Subject, h: int, depth: float) -> Poses:
    """Headlights and tail lights glow (they ignore the night)."""
    pen = _Pen(2.4, h)
    body, dark = stage.shade(stage.color(s), depth), stage.shade((25, 25, 30), depth)
    glass, hub = stage.shade((150, 190, 220), depth), stage.shade((160, 160, 170), depth)
    pen.polygon([(0.55, 0.4), (0.8, 0.05), (1.6, 0.05), (1.9, 0.4)], body)
    pen.polygon([(0.7, 0.38), (0.88, 0.12), (1.18, 0.12), (1.18, 0.38)], glass)
    pen.polygon([(1.26, 0.38), (1.26, 0.12), (1.55, 0.12), (1.78, 0.38)], glass)
    pen.rectangle((0.0, 0.36, 2.39, 0.84), body, radius=0.12)
    for x in (0.55, 1.85):
        pen.ellipse((x - 0.18, 0.64, x + 0.18, 0.99), dark)
        pen.ellipse((x - 0.07, 0.75, x + 0.07, 0.89), hub)
    pen.rectangle((2.26, 0.46, 2.39, 0.58), stage.shade((255, 240, 180), depth, True))
    pen.rectangle((0.0, 0.46, 0.08, 0.58), stage.shade((230, 40, 40), depth, True))
    return [pen.image]


def _bird_poses(stage: Stage, s: Subject, h: int, depth: float) -> Poses:
    color = stage.shade(stage.color(s), depth)
    poses = []
    for tip in (0.12, 0.88):  # wings up, wings down
        pen = _Pen(2.0, h)
        pen.line([(0.05, tip), (0.55, 0.55), (1.0, 0.45), (1.45, 0.55), (1.95, tip)], color, 0.16)
        poses.append(pen.image)
    return poses


def _boat_poses(stage: Stage, s: Subject, h: int, depth: float) -> Poses:
    pen = _Pen(1.6, h)
    hull, sail = stage.shade(stage.color(s), depth), stage.shade((245, 245, 240), depth)
    pen.line([(0.8, 0.05), (0.8, 0.72)], stage.shade((60, 45, 35), depth), 0.03)  # mast
    pen.polygon([(0.84, 0.05), (0.84, 0.66), (1.35, 0.66)], sail)
    pen.polygon([(0.76, 0.12), (0.76, 0.66), (0.35, 0.66)], sail)
    pen.polygon([(0.0, 0.7), (1.6, 0.7), (1.35, 1.0), (0.25, 1.0)], hull)
    return [pen.image]


_POSES = {
    "animal": _animal_poses,
    "person": _person_poses,
    "robot": _robot_poses,
    "car": _car_poses,
    "bird": _bird_poses,
    "boat": _boat_poses,
}
_POSE_HZ = 6.0  # pose changes per second (trot, stride, wing beat)
_BOB = {
    "bird": 0.01,
    "boat": 0.004,
    "animal": 0.004,
    "person": 0.004,
    "robot": 0.002,
}  # in frame heights


@dataclass
class Mover:
    """A moving subject: precomputed sprites and where they are at time t."""

    sprites: list[Sprite]
    left: float  # left edge in the backdrop at t=0
    top: float
    speed: float  # pixels per second
    bob: float  # pixels
    span: float  # backdrop width: movers leave one side and come back on the other

    @classmethod
    def of(cls, stage: Stage, s: Subject) -> Mover:
        h = max(2, even(s.size * stage.unit))
        depth = 0.5 if s.kind == "bird" else stage.depth(s)
        k = stage.finish.supersample  # drawn larger and reduced: smooth edges inside the sprite
        poses = _POSES[s.kind](stage, s, h * k, depth)
        if k > 1:
            size = (max(2, even(poses[0].width / k)), h)
            poses = [pose.resize(size, Image.Resampling.LANCZOS) for pose in poses]
        if s.speed < 0:
            poses = [ImageOps.mirror(pose) for pose in poses]
        sprites = [Sprite.of(pose) for pose in poses]
        width = sprites[0].mask.shape[1]
        top = s.y * stage.height - (h / 2 if s.kind == "bird" else h)
        bob = _BOB.get(s.kind, 0.0) * stage.height
        return cls(sprites, stage.x(s) - width / 2, top, s.speed * stage.width, bob, stage.strip)

    def paint(self, t: float, camera: int, planes: Planes) -> None:
        sprite = self.sprites[int(t * _POSE_HZ) % len(self.sprites)]
        left, top, _, _ = self.box(t, camera)
        sprite.blit(planes, left, top)

    def box(self, t: float, camera: int) -> tuple[int, int, int, int]:
        """(left, top, width, height) in the frame at time t, left and top even."""
        height, width = self.sprites[0].mask.shape
        left = self.backdrop_left(t)
        top = self.top - self.bob * abs(math.sin(math.pi * _POSE_HZ / 2 * t))
        return even(left - camera), even(top), width, height

    def backdrop_left(self, t: float) -> float:
        """The left edge in the backdrop at time t: it leaves one side, comes back on the other."""
        width = self.sprites[0].mask.shape[1]
        return (self.left + self.speed * t + width) % (self.span + width) - width

    def steps(self, start: float, end: float, pitch: float) -> np.ndarray:
        """The times from `start` to `end` seconds at which it has travelled another `pitch`
        pixels (none if it stands still)."""
        if not self.speed:
            return np.empty(0)
        every = pitch / abs(self.speed)
        return np.arange(math.ceil(start / every), math.ceil(end / every)) * every
