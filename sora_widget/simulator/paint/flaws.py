"""Flaws made on purpose, as generated video shows them, so a class can learn to spot them.

Which flaws a shot shows is decided from a hash of what it draws (the prompt, the size, the
frames and the family), so the same request always shows the same ones, at the same frames.
Each happens at most once per shot, in a window that starts between 30 % and 60 % of the
way through it and ends before its last frame: the first frame (the thumbnail's neighbour,
and an extension's seam) is always clean. How often each family shows each flaw is data in
`families`; a teacher can switch them off or ask for one (`flaw_choice.FlawChoice`).
"""

from __future__ import annotations

import math
import random

import numpy as np

from ..families import Character
from ..flaw_choice import FLAWS, FlawChoice
from ..scene import Scene
from .yuv import Planes

_SECONDS = {  # how long each lasts; missing-effect lasts to the end of the shot
    "flicker": 0.5,
    "wobble": 1.0,
    "pop": 1.0,
    "garbled-caption": 1.5,
}
_FLICKER = (22, -16)  # luma added on alternate frames of a flicker
_WOBBLE = 0.08  # the ripple's amplitude, in subject heights


Window = tuple[int, int]  # first frame, one past the last


def deal(
    character: Character,
    scene: Scene,
    size: tuple[int, int],
    frames: Window,
    fps: int,
    choice: FlawChoice,
) -> dict[str, Window]:
    """The flaws a shot of `scene` over `frames` shows, each with the frames it shows in."""
    start, end = frames
    if end - start < 4:  # too short to show a flaw and a clean frame on each side
        return {}
    key = f"{character.name}:{scene.seed}:{scene.caption}:{size[0]}x{size[1]}:{start}"
    windows = {}
    for flaw in FLAWS:
        chance = random.Random(f"{key}:{flaw}")
        if chance.random() >= choice.rate(flaw, character.flaws):
            continue
        first = start + max(1, int((end - start) * (0.3 + 0.3 * chance.random())))
        seconds = _SECONDS.get(flaw)
        last = end if seconds is None else min(end - 1, first + max(2, round(seconds * fps)))
        windows[flaw] = (first, last)
    return windows


def flicker(planes: Planes, step: int) -> None:
    """Brighten or darken the whole picture: `step` counts the frames into the flicker."""
    shift = _FLICKER[step % 2]
    table = np.clip(np.arange(256) + shift, 0, 255).astype(np.uint8)
    planes.y[:] = table[planes.y]


def wobble(planes: Planes, box: tuple[int, int, int, int], step: int) -> None:
    """Shift each row of the box (left, top, width, height; all even) sideways along a wave
    that travels as `step` grows, so the subject's outline bends and ripples."""
    left, top, width, height = box
    amplitude, phase = max(2.0, _WOBBLE * height), 1.7 * step
    for plane, step_size in zip(planes, (1, 2, 2), strict=True):
        x0, x1 = max(left // step_size, 0), min((left + width) // step_size, plane.shape[1])
        y0, y1 = max(top // step_size, 0), min((top + height) // step_size, plane.shape[0])
        if x0 >= x1 or y0 >= y1:
            continue
        rows = np.arange(y0, y1)
        wave = np.sin(2 * math.pi * (rows - top / step_size) * step_size / height * 2 + phase)
        shifts = np.rint(amplitude / step_size * wave).astype(np.intp)
        cols = np.clip(np.arange(x0, x1)[None, :] - shifts[:, None], x0, x1 - 1)
        region = plane[y0:y1]
        region[:, x0:x1] = np.take_along_axis(region, cols, axis=1)


_LOOK_ALIKES = "aeoucnmrvwxszkhbdpqgyil"


def garble(text: str, seed: int) -> str:
    """The same text with about half its letters swapped for others: as long, unreadable."""
    rng = random.Random(f"{seed}:garble")
    return "".join(
        rng.choice(_LOOK_ALIKES) if c.isalpha() and rng.random() < 0.5 else c for c in text
    )
