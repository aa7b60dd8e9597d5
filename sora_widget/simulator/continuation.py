"""Knowing a video's last frame again, so a create that starts from it continues that video.

A storyboard (or `extending`'s fallback) continues a shot by creating the next with the shot's
last frame as its first (`input_reference`, OpenRouter's `frame_images`). The client decodes
that frame, re-encodes it (PNG, JPEG or WebP) and may fit it to another size, so it is known
by a fingerprint rather than by its bytes: a grey thumbnail `PRINT_SIDE` pixels on its long
side, kept with each rendered video. An incoming image is matched against the fingerprints of
the videos its caller may see (their own; the teacher's key, every owner's), each first fitted
to the image's shape as the client fits a frame; the closest within `MATCH_LEVELS` wins. The
renderer then plays the new clip as the rest of that video (see `RenderRequest.continuation`),
so its picture, motion and sound have no seam; an image that matches nothing renders as before.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterable

import numpy as np
from PIL import Image

from .store import VideoRecord

#: The long side of a last frame's fingerprint, in pixels: enough to survive a crop to
#: another shape, small enough to keep in a video's record (about 3 kB of text).
PRINT_SIDE = 64
#: The largest mean and the largest single grey difference (of 255, each pixel against its
#: nearest neighbours: see `_difference`) between a fingerprint and an image that is that frame.
#: Re-encoded (H.264, then JPEG or WebP) and fitted, a last frame stays under 1.5 and 35;
#: another scene differs by tens on average, the same scene with its subject moved by a few
#: pixels' worth of the fingerprint (the clip's first frame) by more than 40 somewhere.
MATCH_MEAN = 3.0
MATCH_MOST = 40.0


def print_size(width: int, height: int) -> tuple[int, int]:
    """The fingerprint's size for a frame of this size: its shape, `PRINT_SIDE` long."""
    scale = PRINT_SIDE / max(width, height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def fingerprint(image: Image.Image) -> str:
    """A frame's fingerprint as text (base64 of its grey pixels), to keep in its record."""
    return base64.b64encode(_grey(image).tobytes()).decode("ascii")


def continued_video(reference: bytes, candidates: Iterable[VideoRecord]) -> str | None:
    """The id of the video whose last frame `reference` is, among `candidates` (the rendered
    videos the caller may see); None when none is close enough. Ties go to the newest."""
    with Image.open(io.BytesIO(reference)) as opened:
        image = opened.convert("L")
    shapes: dict[tuple[int, int], np.ndarray] = {}  # the image at each size compared
    best: tuple[float, float, str] | None = None
    for record in candidates:
        if record.ending is None:
            continue
        width, height = (int(side) for side in record.size.split("x"))
        kept_size = print_size(width, height)
        pixels = np.frombuffer(base64.b64decode(record.ending), np.uint8)
        if pixels.size != kept_size[0] * kept_size[1]:
            continue
        kept = Image.fromarray(pixels.reshape(kept_size[1], kept_size[0]))
        box, size = _centre_crop(kept_size, image.size)
        if size not in shapes:
            shapes[size] = np.asarray(image.resize(size, Image.Resampling.BOX), np.float32)
        cropped = np.asarray(kept.resize(size, Image.Resampling.BOX, box=box), np.float32)
        difference = _difference(cropped, shapes[size])
        if difference.mean() <= MATCH_MEAN and difference.max() <= MATCH_MOST:
            rank = (float(difference.mean()), -record.created_at, record.id)
            best = min(best, rank) if best is not None else rank
    return best[2] if best is not None else None


def _difference(kept: np.ndarray, image: np.ndarray) -> np.ndarray:
    """Each pixel's grey difference to the nearest of the image's pixels around it: two
    resamplings of one frame disagree by up to a pixel at sharp edges, a moved subject by more."""
    height, width = kept.shape
    padded = np.pad(image, 1, mode="edge")
    shifted = (padded[y : y + height, x : x + width] for y in range(3) for x in range(3))
    return np.min([np.abs(kept - near) for near in shifted], axis=0)


def _centre_crop(
    kept: tuple[int, int], image: tuple[int, int]
) -> tuple[tuple[float, float, float, float], tuple[int, int]]:
    """The part of a fingerprint an image of another shape shows (fitted as the client fits
    a frame: centred, cropped), and the size both are compared at: that part's own."""
    width, height = kept
    aspect = image[0] / image[1]
    wider = width / height > aspect
    crop_w, crop_h = (height * aspect, float(height)) if wider else (float(width), width / aspect)
    left, top = (width - crop_w) / 2, (height - crop_h) / 2
    size = max(1, round(crop_w)), max(1, round(crop_h))
    return (left, top, left + crop_w, top + crop_h), size


def _grey(image: Image.Image) -> Image.Image:
    small = image.convert("RGB").resize(print_size(*image.size), Image.Resampling.BOX)
    return small.convert("L")
