"""A shot: one scene on screen for a run of frames, everything that stands still prepared once,
so that painting a frame only copies, pastes and shifts bytes."""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps

from ..scene import MOBILE_KINDS, Scene
from .backdrop import draw_backdrop
from .caption import layout_caption, paint_caption
from .finish import Finish
from .movers import Mover
from .stage import Stage
from .weather import Weather
from .yuv import Planes, to_yuv

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
    """One segment's scene, everything that stands still prepared once; `paint` makes frames."""

    def __init__(self, segment: Segment, width: int, height: int, fps: int, finish: Finish) -> None:
        scene = segment.scene
        self.stage = stage = Stage.of(scene, width, height, finish)
        self.fps = fps
        self.start, self.end, self.camera_start = segment.start, segment.end, segment.camera_start
        reference = None
        if segment.reference is not None:
            reference = _reference_image(segment.reference, width, height)
        backdrop = draw_backdrop(stage, scene, reference)
        _hang_pictures(backdrop, segment.insets, width, height)
        self.backdrop = to_yuv(backdrop)
        last = _reference_image(segment.last, width, height) if segment.last else None
        self.final = to_yuv(last) if last is not None else None
        movers = sorted((s for s in scene.subjects if s.kind in MOBILE_KINDS), key=lambda s: s.y)
        self.movers = [Mover.of(stage, s) for s in movers]
        self.weather = Weather(scene.seed, scene.look, width, height)
        self.caption_top, self.caption = layout_caption(scene.caption, width, height)
        first = reference
        if segment.still is not None:
            first = _reference_image(segment.still, width, height)
        self.still = to_yuv(first) if segment.fade_in and first is not None else None
        zooming = scene.look.camera == "zoom"
        self.zoom_centre = _zoom_centre(stage, scene)
        self.canvas = Planes.blank(width, height) if zooming else None  # drawn here, then scaled

    def paint(self, index: int, planes: Planes) -> None:
        """Subjects and weather move with the clip's time; the camera with its move's time."""
        t, width = index / self.fps, self.stage.width
        move = (index - self.camera_start) / self.fps
        camera = round(self.stage.camera(move))  # chroma follows to the nearest even pixel
        target = planes if self.canvas is None else self.canvas
        for plane, backdrop, step in zip(target, self.backdrop, (1, 2, 2), strict=True):
            plane[:] = backdrop[:, camera // step : camera // step + width // step]
        for mover in self.movers:
            mover.paint(t, camera, target)
        if self.canvas is not None:
            _zoom(self.canvas, planes, self.zoom_centre, 1 + ZOOM_PER_SECOND * move)
        self.weather.paint(t, planes)
        paint_caption(planes, self.caption_top, self.caption)
        fading = (index - self.start) / (REFERENCE_FADE_SECONDS * self.fps)
        if self.still is not None and fading < 1:
            weight = int(256 * fading)
            _blend(planes, self.still, weight)
        ending = (self.end - 1 - index) / (REFERENCE_FADE_SECONDS * self.fps)
        if self.final is not None and ending < 1:
            _blend(planes, self.final, int(256 * max(ending, 0)))


def _blend(planes: Planes, image: Planes, weight: int) -> None:
    """`image` over the frame: all of it at weight 0, none at 256 (in 16 bits: a uint8 product
    would wrap)."""
    for plane, still in zip(planes, image, strict=True):
        wide = plane.astype(np.uint16)
        plane[:] = (still.astype(np.uint16) * (256 - weight) + wide * weight) >> 8


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
