"""YUV 4:2:0 planes and sprites: everything is converted once, so a frame only copies bytes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import av
import numpy as np
from av.video.reformatter import ColorRange, Colorspace
from PIL import Image


class Planes(NamedTuple):
    """Writable numpy views of a frame's Y, U and V planes (rows may carry padding)."""

    y: np.ndarray
    u: np.ndarray
    v: np.ndarray

    @classmethod
    def blank(cls, width: int, height: int) -> Planes:
        half = (height // 2, width // 2)
        return cls(
            np.empty((height, width), np.uint8), np.empty(half, np.uint8), np.empty(half, np.uint8)
        )

    @classmethod
    def of(cls, frame: av.VideoFrame) -> Planes:
        views = []
        for plane in frame.planes:
            rows = np.frombuffer(memoryview(plane), np.uint8).reshape(plane.height, plane.line_size)
            views.append(rows[:, : plane.width])
        return cls(*views)


def to_yuv(image: Image.Image) -> Planes:
    """RGB -> BT.709 limited-range YUV 4:2:0, by swscale: the exact inverse of how PyAV (and so
    the tests, thumbnails and `first_frame_png`) turns frames back into RGB."""
    frame = av.VideoFrame.from_image(image.convert("RGB"))
    yuv = frame.reformat(
        format="yuv420p",
        dst_colorspace=Colorspace.ITU709,
        dst_color_range=ColorRange.MPEG,
        threads=1,
    )
    return Planes.of(yuv)


@dataclass
class Sprite:
    """A subject's pixels in YUV 4:2:0, with a full-resolution and a chroma-resolution mask."""

    pixels: Planes
    mask: np.ndarray
    mask2: np.ndarray

    @classmethod
    def of(cls, rgba: Image.Image) -> Sprite:
        mask = np.asarray(rgba.getchannel("A")) >= 128
        return cls(to_yuv(rgba), mask, mask[::2, ::2] | mask[1::2, 1::2])

    def halved(self) -> Sprite:
        """The same sprite at half the size (every other pixel): something further away."""
        y, u, v = self.pixels
        return Sprite(
            Planes(y[::2, ::2], u[::2, ::2], v[::2, ::2]), self.mask[::2, ::2], self.mask2[::2, ::2]
        )

    def blit(self, planes: Planes, x: int, y: int) -> None:
        """Paste with the top-left corner at (x, y), both even, clipped to the frame."""
        height, width = planes.y.shape
        h, w = self.mask.shape
        x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + w, width), min(y + h, height)
        if x0 >= x1 or y0 >= y1:
            return
        src = (slice(y0 - y, y1 - y), slice(x0 - x, x1 - x))
        np.copyto(planes.y[y0:y1, x0:x1], self.pixels.y[src], where=self.mask[src])
        src = (slice((y0 - y) // 2, (y1 - y) // 2), slice((x0 - x) // 2, (x1 - x) // 2))
        dst = (slice(y0 // 2, y1 // 2), slice(x0 // 2, x1 // 2))
        np.copyto(planes.u[dst], self.pixels.u[src], where=self.mask2[src])
        np.copyto(planes.v[dst], self.pixels.v[src], where=self.mask2[src])


def even(value: float) -> int:
    """The nearest even integer: chroma has half the resolution, so sizes and places stay even."""
    return int(round(value / 2)) * 2
