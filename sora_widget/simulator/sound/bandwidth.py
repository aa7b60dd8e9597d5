"""A family's sound: hiss under the track (its noise floor) and a low-pass at its bandwidth,
both applied to the whole mixed track at once (one FFT), so they cost a few milliseconds."""

from __future__ import annotations

import numpy as np

from .voices import RATE

_ROLL_OFF = 0.15  # the filter fades out over this share of the cutoff, below it


def narrow(samples: np.ndarray, cutoff_hz: float, noise_floor: float, seed: int) -> np.ndarray:
    """The track with seeded hiss of `noise_floor` added, then nothing above `cutoff_hz` (0:
    no filter): a cheap model's sound is duller and noisier, the hiss narrowed with it."""
    if not cutoff_hz and not noise_floor:
        return samples
    out = samples.astype(np.float32)
    if noise_floor:
        rng = np.random.default_rng([seed, 3])
        out += noise_floor * rng.standard_normal(len(out), dtype=np.float32)
    if cutoff_hz:
        spectrum = np.fft.rfft(out)
        hz = np.fft.rfftfreq(len(out), 1 / RATE)
        fade = np.clip((cutoff_hz - hz) / (_ROLL_OFF * cutoff_hz), 0, 1)
        spectrum *= 0.5 - 0.5 * np.cos(np.pi * fade)
        out = np.fft.irfft(spectrum, len(out)).astype(np.float32)
    return np.clip(out, -1, 1)
