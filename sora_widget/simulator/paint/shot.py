"""A shot: one scene on screen for a run of frames, everything that stands still prepared once,
so that painting a frame only copies, pastes and shifts bytes."""

from __future__ import annotations

import functools
import io
import math
import random
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageOps

from ..families import Character
from ..flaw_choice import FlawChoice
from ..scene import FLOOR, MOBILE_KINDS, Scene, hash_unit
from .backdrop import draw_backdrop
from .caption import layout_caption, paint_caption
from .flaws import deal, flicker, garble, wobble
from .footprints import Footprints
from .movers import Mover
from .stage import Stage
from .weather import Weather
from .yuv import Planes, Sprite, even, to_yuv

ZOOM_PER_SECOND = 0.04  # scale grows from 1.0 by this much each second
REFERENCE_FADE_SECONDS = 0.5  # a reference image is the first frame, then fades into the scene


@dataclass(frozen=True)
class Segment:
    """Which scene is on screen over which frames, as the renderer's plan decided."""

    scene: Scene
    reference: bytes | None  # backdrop, inherited down a remix chain
    fade_in: bool  # this request's own reference image: show it alone as the first frame
    start: int  # first frame index
    end: int  # one past the last frame index
    camera_start: int  # frame where the camera move began: an extension continues an unchanged one
    last: bytes | None = None  # the image the segment ends on, faded into over its last frames
    insets: tuple[bytes, ...] = ()  # reference images, drawn as framed pictures in the backdrop
    # With fade_in, a first frame that is not the backdrop: a continuation's (see
    # `continuation`), the last frame of the video it goes on from.
    still: bytes | None = None


class Shot:
    """One segment's scene, everything that stands still prepared once; `paint` makes frames,
    in the family's character (see `families`) and with the flaws it was dealt (see `flaws`)."""

    def __init__(
        self,
        segment: Segment,
        width: int,
        height: int,
        fps: int,
        character: Character,
        choice: FlawChoice,
    ) -> None:
        scene = segment.scene
        sway = max(2, even(character.shake * width)) if character.shake else 0
        self.stage = stage = Stage.of(scene, width, height, character.finish, sway)
        self.fps, self.hold = fps, character.hold
        self.start, self.end, self.camera_start = segment.start, segment.end, segment.camera_start
        reference = None
        if segment.reference is not None:
            reference = _reference_image(segment.reference, width, height)
        backdrop = draw_backdrop(stage, scene, reference)
        _hang_pictures(backdrop, segment.insets, width, height)
        self.backdrop = to_yuv(backdrop)
        character.grade.apply(self.backdrop)
        last = _reference_image(segment.last, width, height) if segment.last else None
        self.final = to_yuv(last) if last is not None else None
        moving = sorted((s for s in scene.subjects if s.kind in MOBILE_KINDS), key=lambda s: s.y)
        self.movers = [Mover.of(stage, s) for s in moving]
        for mover in self.movers:
            for sprite in mover.sprites:
                character.grade.apply(sprite.pixels)
        self.weather = Weather(scene.seed, scene.look, width, height)
        self.caption = layout_caption(scene.caption, width, height)
        self.framed = reference is not None  # the backdrop is an image, maybe with a caption
        first = reference
        if segment.still is not None:
            first = _reference_image(segment.still, width, height)
        self.still = to_yuv(first) if segment.fade_in and first is not None else None
        zooming = scene.look.camera == "zoom"
        self.zoom_centre = _zoom_centre(stage, scene)
        self.canvas = Planes.blank(width, height) if zooming else None  # drawn here, then scaled
        snowy = "snow" in scene.look.weather
        self.footprints = Footprints.of(
            moving, self.movers, snowy, self.start / fps, self.end / fps
        )
        self.sway_phases = tuple(2 * math.pi * hash_unit(f"{scene.seed}:sway:{n}") for n in (0, 1))
        frames = (self.start, self.end)
        self.flaws = deal(character, scene, (width, height), frames, fps, choice)
        self.garbled = self.caption
        if "garbled-caption" in self.flaws:
            scramble = functools.partial(garble, seed=scene.seed)
            self.garbled = layout_caption(scene.caption, width, height, scramble)
        self.pop = _pop_sprite(stage, self.movers, scene.seed) if "pop" in self.flaws else None

    def paint(self, index: int, planes: Planes) -> None:
        """Subjects and weather move with the clip's time; the camera with its move's time. A
        family that holds each picture for `hold` frames paints the held frame again."""
        held = index - (index - self.start) % self.hold
        t, width = held / self.fps, self.stage.width
        move = (held - self.camera_start) / self.fps
        camera = round(self.stage.camera(move) + self._sway(t))  # chroma: nearest even pixel
        target = planes if self.canvas is None else self.canvas
        for plane, backdrop, step in zip(target, self.backdrop, (1, 2, 2), strict=True):
            plane[:] = backdrop[:, camera // step : camera // step + width // step]
        missing = self.flaws.get("missing-effect")
        self.footprints.paint(t, camera, target, missing[0] / self.fps if missing else None)
        for mover in self.movers:
            mover.paint(t, camera, target)
        if (into := self._into("wobble", held)) is not None and self.movers:
            wobble(target, self.movers[-1].box(t, camera), into)  # the nearest subject
        if self.pop is not None and self._into("pop", held) is not None:
            sprite, left, top = self.pop
            sprite.blit(target, even(left - camera), top)
        if self.canvas is not None:
            _zoom(self.canvas, planes, self.zoom_centre, 1 + ZOOM_PER_SECOND * move)
        self.weather.paint(t, planes)
        if (into := self._into("flicker", held)) is not None:
            flicker(planes, into)
        garbled = self._into("garbled-caption", held) is not None
        top, caption = self.garbled if garbled else self.caption
        paint_caption(planes, top, caption, opaque=self.framed)
        fading = (index - self.start) / (REFERENCE_FADE_SECONDS * self.fps)
        if self.still is not None and fading < 1:
            weight = int(256 * fading)
            _blend(planes, self.still, weight, rows=top)  # the bar shows its own caption only
        ending = (self.end - 1 - index) / (REFERENCE_FADE_SECONDS * self.fps)
        if self.final is not None and ending < 1:
            _blend(planes, self.final, int(256 * max(ending, 0)))

    def _into(self, flaw: str, index: int) -> int | None:
        """How many frames into `flaw` this frame is; None outside it (or without it)."""
        first, end = self.flaws.get(flaw, (0, 0))
        return index - first if first <= index < end else None

    def _sway(self, t: float) -> float:
        """A handheld camera's drift to either side: two slow waves, at most `stage.sway`."""
        slow, quick = self.sway_phases
        wave = 0.6 * math.sin(2 * math.pi * 0.7 * t + slow) + 0.4 * math.sin(
            2 * math.pi * 1.9 * t + quick
        )
        return self.stage.sway * wave


def _blend(planes: Planes, image: Planes, weight: int, rows: int | None = None) -> None:
    """`image` over the frame (over its first `rows` rows only, if given): all of it at weight
    0, none at 256 (in 16 bits: a uint8 plane times the weight would wrap)."""
    for plane, still, step in zip(planes, image, (1, 2, 2), strict=True):
        end = None if rows is None else rows // step
        plane[:end] = (
            still[:end].astype(np.uint16) * (256 - weight) + plane[:end].astype(np.uint16) * weight
        ) >> 8


def _pop_sprite(stage: Stage, movers: list[Mover], seed: int) -> tuple[Sprite, float, int]:
    """What pops in, and where (left in the backdrop, top in the frame): a half-size copy of
    the nearest subject standing in the distance across the frame from it, or, with no
    subject, a grey stone on the ground."""
    if movers:
        nearest = movers[-1]
        sprite = nearest.sprites[0].halved()
        height, width = sprite.mask.shape
        foot = (stage.horizon + nearest.top + 2 * height) / 2  # the original is twice as tall
        across = stage.width - (nearest.left - stage.origin + width)  # mirrors its centre
        left = stage.origin + min(max(across - width / 2, 0), stage.width - width)
        return sprite, left, even(foot - height)
    rng = random.Random(f"{seed}:pop")
    side = max(4, even(0.12 * stage.unit))
    stone = Image.new("RGBA", (side, side))
    ImageDraw.Draw(stone).ellipse((0, 0, side - 1, side - 1), fill=(120, 118, 112, 255))
    top = even(stage.horizon + (FLOOR * stage.height - stage.horizon) * rng.uniform(0.3, 0.8))
    left = stage.origin + rng.uniform(0.1, 0.9) * (stage.width - side)
    return Sprite.of(stone), left, top


def _hang_pictures(
    backdrop: Image.Image, pictures: tuple[bytes, ...], width: int, height: int
) -> None:
    """Each reference image as a small framed picture along the top left of the view (the
    caption bar darkens the bottom)."""
    side = max(8, min(width, height) // 5)
    for n, data in enumerate(pictures):
        picture = ImageOps.expand(
            _reference_image(data, side, side), border=max(1, side // 16), fill="white"
        )
        gap = side // 4
        backdrop.paste(picture, (gap + n * (picture.width + gap), gap))


def _zoom_centre(stage: Stage, scene: Scene) -> tuple[float, float]:
    """The first moving subject's place at t=0, else the middle of the frame."""
    for s in scene.subjects:
        if s.kind in MOBILE_KINDS:
            return s.x * stage.width, s.y * stage.height - s.size * stage.unit / 2
    return stage.width / 2, stage.height / 2


def _zoom(source: Planes, planes: Planes, centre: tuple[float, float], scale: float) -> None:
    """Nearest-neighbour scale about `centre`, kept inside the picture."""
    for plane, image, step in zip(planes, source, (1, 2, 2), strict=True):
        height, width = image.shape
        left = min(max(centre[0] / step - width / scale / 2, 0), width - width / scale)
        top = min(max(centre[1] / step - height / scale / 2, 0), height - height / scale)
        rows = (top + np.arange(height) / scale).astype(np.intp)
        cols = (left + np.arange(width) / scale).astype(np.intp)
        np.take(image[rows], cols, axis=1, out=plane, mode="clip")


def _reference_image(data: bytes, width: int, height: int) -> Image.Image:
    """The uploaded image, cropped to the frame: the backdrop, and maybe the first frame."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            rgb = image.convert("RGB")
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        raise ValueError(f"reference image is not a readable image: {error}") from None
    if rgb.size != (width, height):
        rgb = ImageOps.fit(rgb, (width, height))
    return rgb
