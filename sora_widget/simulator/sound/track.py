"""A clip's whole sound track: each scene's mix over the seconds it is on screen, crossfaded
where one scene hands over to the next (an extension's seam), softly limited."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..scene import Scene
from .cues import sound_of
from .voices import RATE

FADE_SECONDS = 0.25  # the crossfade after a seam: the next scene's sound comes in over this

Part = tuple[Scene, float, float]  # a scene and the seconds [start, end) it is on screen


def sound_track(
    parts: Sequence[Part], seconds: float, audible: bool = True, opening: float = 0.0
) -> np.ndarray:
    """Mono float32 samples in [-1, 1] at `RATE`, from `opening` to `seconds` of the parts'
    time. A scene plays on past its end while the next fades in, both functions of absolute
    time, so the seam has no click and a voice that both scenes share goes on unchanged; the
    first scene alone is what its clip alone would be, sample for sample. A continuation's
    track (`opening` > 0) is the part of its lineage's track that follows its source's."""
    first, total = round(opening * RATE), round(seconds * RATE)
    out = np.zeros(total - first, np.float32)
    if not audible:
        return out
    fade = round(FADE_SECONDS * RATE)
    ramp = (0.5 - 0.5 * np.cos(np.linspace(0, np.pi, fade, endpoint=False))).astype(np.float32)
    for scene, start_seconds, end_seconds in parts:
        start, end = round(start_seconds * RATE), round(end_seconds * RATE)
        stop = min(total, end + fade) if end < total else total
        low = max(start, first)
        if low >= stop:
            continue
        mix = sound_of(scene, low, stop - low)
        if start > 0 and low < start + fade:
            head = mix[: start + fade - low]
            head *= ramp[low - start : low - start + len(head)]
        if stop > end:
            tail = mix[max(end - low, 0) :]
            tail *= 1 - ramp[max(low - end, 0) : max(low - end, 0) + len(tail)]
        out[low - first : stop - first] += mix
    return np.tanh(out)
