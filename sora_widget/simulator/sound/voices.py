"""Ambience and subjects' sounds: noise beds shaped in the frequency domain, and short events
(chirps, barks, steps) placed on a grid of absolute time.

A voice is `(seed, first sample, count) -> float32 samples`: a pure function of the absolute
sample index, so any stretch of it can be made alone and joins its neighbours sample for
sample. Noise comes from two seeded loops of different lengths (together they repeat only
after 20 s), events from a generator seeded by (seed, voice, grid cell): never global state.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import numpy as np

from ..scene import hash_unit

RATE = 48000  # samples per second

Voice = Callable[[int, int, int], np.ndarray]
Make = Callable[[np.random.Generator], np.ndarray]  # one event's samples

_LOOPS = (65536, 61440)  # lengths of the two noise loops: 2**16 and 15 * 2**12
_ENVELOPE_STEP = 64  # slow envelopes are computed every this many samples, then interpolated


def key(name: str) -> int:
    """A stable integer for a voice's name, to seed its generators."""
    return int(hash_unit(name) * 2**32)


def seconds(start: int, count: int) -> np.ndarray:
    return (start + np.arange(count)) / RATE


def add(out: np.ndarray, sound: np.ndarray, at: int) -> None:
    """Mix `sound` into `out` starting at index `at` (which may lie outside it)."""
    lo, hi = max(at, 0), min(at + len(sound), len(out))
    if lo < hi:
        out[lo:hi] += sound[lo - at : hi - at]


@functools.lru_cache(maxsize=32)
def _loop(seed: int, name: str, length: int, low: float, high: float) -> np.ndarray:
    """Noise of unit power between `low` and `high` Hz (smooth second-order edges) that
    repeats after `length` samples without a seam: shaped by one inverse FFT."""
    rng = np.random.default_rng([seed, key(name), length])
    bins = length // 2 + 1
    f = np.fft.rfftfreq(length, 1 / RATE)
    f[0] = 1.0
    gain = 1 / np.sqrt((1 + (low / f) ** 4) * (1 + (f / high) ** 4))
    gain[0] = 0.0
    x = np.fft.irfft((rng.standard_normal(bins) + 1j * rng.standard_normal(bins)) * gain, length)
    return (x / x.std()).astype(np.float32)


def noise(seed: int, name: str, band: tuple[float, float], start: int, count: int) -> np.ndarray:
    """Band-limited noise of unit power at the absolute samples [start, start + count)."""
    index = np.arange(start, start + count)
    a, b = (np.take(_loop(seed, name, n, *band), index, mode="wrap") for n in _LOOPS)
    return (a + b) * np.float32(math.sqrt(0.5))


def swell(
    seed: int, name: str, start: int, count: int, periods: tuple[float, ...], depth: float
) -> np.ndarray:
    """A slow gain between 1 - 2 * depth and 1: a few sines with seeded phases (gusts, swell)."""
    phases = np.random.default_rng([seed, key(name), 0]).uniform(0, 2 * math.pi, len(periods))
    first = start - start % _ENVELOPE_STEP
    coarse = np.arange(first, start + count + _ENVELOPE_STEP, _ENVELOPE_STEP)
    t = coarse / RATE
    wave = sum(np.sin(2 * math.pi * t / p + ph) for p, ph in zip(periods, phases, strict=True))
    gain = 1 - depth + depth * wave / len(periods)
    return np.interp(start + np.arange(count), coarse, gain).astype(np.float32)


def events(
    seed: int,
    name: str,
    start: int,
    count: int,
    make: Make,
    period: float,
    per_cell: float | None = None,
    longest: float = 1.0,
    spread: float = 0.06,
) -> np.ndarray:
    """Events on a grid of `period` seconds of absolute time: one per cell, up to `spread`
    seconds after its start, or (with `per_cell`) a Poisson number at random places. Each
    event has its own generator, so one outside [start, start + count) is never made."""
    out = np.zeros(count, np.float32)
    cell = period * RATE
    first = max(0, math.floor((start - longest * RATE) / cell))
    for index in range(first, math.floor((start + count) / cell) + 1):
        rng = np.random.default_rng([seed, key(name), index])
        if per_cell is None:
            places = [index * cell + rng.uniform(0, spread) * RATE]
        else:
            places = sorted(index * cell + rng.uniform(0, cell, rng.poisson(per_cell)))
        for n, place in enumerate(places):
            at = round(place) - start
            if at < count and at + longest * RATE > 0:
                add(out, make(np.random.default_rng([seed, key(name), index, n])), at)
    return out


def tone(f0: np.ndarray | float, count: int, partials: tuple[float, ...]) -> np.ndarray:
    """Harmonics of a (possibly gliding) fundamental, phase integrated from the first sample."""
    f = np.broadcast_to(np.asarray(f0, np.float64), (count,))
    phase = 2 * math.pi * np.cumsum(f) / RATE
    waves = (a * np.sin((k + 1) * phase) for k, a in enumerate(partials))
    return sum(waves, np.zeros(count)).astype(np.float32)


def _local(duration: float) -> np.ndarray:
    return np.arange(round(duration * RATE)) / RATE


# ---------------------------------------------------------------------------- events


def _chirps(rng: np.random.Generator) -> np.ndarray:
    """A bird's phrase: two to five rising chirps."""
    base, parts = rng.uniform(2600, 4200), []
    for _ in range(int(rng.integers(2, 6))):
        duration = rng.uniform(0.04, 0.1)
        t = _local(duration)
        glide = base * (1 + rng.uniform(0.2, 0.7) * t / duration)
        parts += [tone(glide, len(t), (1.0, 0.15)) * np.sin(np.pi * t / duration) ** 2]
        parts += [np.zeros(round(rng.uniform(0.03, 0.09) * RATE), np.float32)]
    return np.concatenate(parts)


def _voiced(
    rng: np.random.Generator,
    duration: float,
    pitch: Callable[[np.ndarray], np.ndarray],
    partials: tuple[float, ...],
    envelope: Callable[[np.ndarray], np.ndarray],
    breath: float = 0.0,
) -> np.ndarray:
    """An animal's call: harmonics on a pitch contour, shaped by an envelope, some breath."""
    t = _local(duration)
    sound = tone(pitch(t), len(t), partials) + breath * rng.standard_normal(len(t))
    return (sound * envelope(t)).astype(np.float32)


def _bark(rng: np.random.Generator) -> np.ndarray:
    low = rng.uniform(280, 360)
    one = _voiced(
        rng,
        0.18,
        lambda t: low + 220 * np.exp(-t / 0.04),
        (1.0, 0.6, 0.4, 0.25, 0.15),
        lambda t: (1 - np.exp(-t / 0.004)) * np.exp(-t / 0.05),
        breath=0.35,
    )
    gap = np.zeros(round(rng.uniform(0.08, 0.16) * RATE), np.float32)
    return np.concatenate([one, gap, one * 0.8]) if rng.random() < 0.6 else one


def _meow(rng: np.random.Generator) -> np.ndarray:
    d, f = rng.uniform(0.5, 0.8), rng.uniform(480, 600)
    return _voiced(
        rng,
        d,
        lambda t: f * (1 + 0.4 * np.sin(np.pi * t / d) ** 2),
        (1.0, 0.6, 0.3, 0.15),
        lambda t: np.sin(np.pi * t / d) ** 0.7,
    )


def _howl(rng: np.random.Generator) -> np.ndarray:
    d, f = rng.uniform(1.4, 2.0), rng.uniform(360, 420)
    return _voiced(
        rng,
        d,
        lambda t: f * (1 + 0.5 * np.sin(np.pi * np.minimum(t / (0.6 * d), 1))),
        (1.0, 0.2),
        lambda t: np.sin(np.pi * t / d),
    )


def _thump(rng: np.random.Generator, pitch: float, decay: float) -> np.ndarray:
    """A footstep or hoof: a low knock and a short scuff."""
    t = _local(6 * decay)
    knock = np.sin(2 * math.pi * pitch * t) * np.exp(-t / decay)
    scuff = 0.35 * rng.standard_normal(len(t)) * np.exp(-t / (decay / 3))
    return ((knock + scuff) * rng.uniform(0.7, 1.0)).astype(np.float32)


def _horn(rng: np.random.Generator) -> np.ndarray:
    t = _local(rng.uniform(0.25, 0.6))
    edges = np.minimum(1, np.minimum(t / 0.01, (t[-1] - t) / 0.03))
    square = (1.0, 0.0, 1 / 3, 0.0, 1 / 5)
    return (0.5 * (tone(415.0, len(t), square) + tone(523.0, len(t), square)) * edges).astype(
        np.float32
    )


def _crackle(rng: np.random.Generator) -> np.ndarray:
    t = _local(0.006)
    return (rng.standard_normal(len(t)) * np.exp(-t / 0.0015) * rng.uniform(0.2, 1) ** 2).astype(
        np.float32
    )


def _drip(rng: np.random.Generator) -> np.ndarray:
    t = _local(0.02)
    ping = np.sin(2 * math.pi * rng.uniform(2000, 5000) * t) * np.exp(-t / 0.004)
    return (ping * rng.uniform(0.1, 1)).astype(np.float32)


def _foghorn(rng: np.random.Generator) -> np.ndarray:
    t = _local(2.2)
    envelope = np.minimum(1, np.minimum(t / 0.3, (t[-1] - t) / 0.6))
    return tone(92.0, len(t), (1.0, 0.5, 0.33, 0.25, 0.2)) * envelope.astype(np.float32)


def _servo(rng: np.random.Generator) -> np.ndarray:
    t = _local(rng.uniform(0.15, 0.35))
    low, high = (500.0, 1100.0) if rng.random() < 0.5 else (1100.0, 500.0)
    glide = low + (high - low) * t / t[-1]
    edges = np.minimum(1, np.minimum(t / 0.01, (t[-1] - t) / 0.01))
    return tone(glide, len(t), (1.0, 0.0, 1 / 3, 0.0, 1 / 5)) * edges.astype(np.float32)


# ---------------------------------------------------------------------------- voices


def rain(seed: int, start: int, count: int) -> np.ndarray:
    """Hiss above 700 Hz, drops ticking on things, a little flutter."""
    hiss = noise(seed, "rain", (700.0, 11000.0), start, count)
    flutter = swell(seed, "rain", start, count, (0.9, 1.7, 2.3), 0.08)
    drops = events(seed, "drops", start, count, _drip, 0.1, per_cell=3.0, longest=0.02)
    return hiss * flutter + drops


def hush(seed: int, start: int, count: int) -> np.ndarray:
    """The muffled air of snow, fog or a still day."""
    air = noise(seed, "hush", (60.0, 450.0), start, count)
    return air * swell(seed, "hush", start, count, (3.1, 5.9), 0.2)


def wind(seed: int, start: int, count: int) -> np.ndarray:
    gusts = swell(seed, "wind", start, count, (2.9, 4.7, 7.3), 0.42)
    return noise(seed, "wind", (50.0, 700.0), start, count) * gusts**2


def waves(seed: int, start: int, count: int) -> np.ndarray:
    """Surf that swells and breaks every 6 to 8 s."""
    period = 6.0 + 2.0 * hash_unit(f"{seed}:waves")
    t = seconds(start, count)
    breaking = ((1 + np.sin(2 * math.pi * t / period)) / 2) ** 3
    surf = noise(seed, "waves", (90.0, 2200.0), start, count)
    return surf * (0.2 + 0.8 * breaking).astype(np.float32)


def city(seed: int, start: int, count: int) -> np.ndarray:
    rumble = noise(seed, "city", (35.0, 350.0), start, count)
    traffic = noise(seed, "traffic", (400.0, 3500.0), start, count)
    traffic *= swell(seed, "traffic", start, count, (2.3, 3.7), 0.3)
    horns = events(seed, "horns", start, count, _horn, 1.0, per_cell=0.15, longest=0.6)
    return 0.8 * rumble + 0.3 * traffic + 0.25 * horns


def leaves(seed: int, start: int, count: int) -> np.ndarray:
    rustle = noise(seed, "leaves", (1200.0, 7000.0), start, count)
    return rustle * swell(seed, "leaves", start, count, (2.1, 3.3, 5.1), 0.4) ** 2


def fire(seed: int, start: int, count: int) -> np.ndarray:
    roar = noise(seed, "fire", (40.0, 300.0), start, count)
    roar *= swell(seed, "fire", start, count, (0.7, 1.3), 0.25)
    crackles = events(seed, "crackles", start, count, _crackle, 0.1, per_cell=1.4, longest=0.01)
    return 0.6 * roar + 1.2 * crackles


def engine(seed: int, start: int, count: int) -> np.ndarray:
    """An idling motor: harmonics of 40 to 55 Hz that waver, over a rumble. The phase is in
    closed form, so it is continuous from any sample."""
    f0, wobble, rate = 40 + 15 * hash_unit(f"{seed}:engine"), 0.05, 0.7
    t = seconds(start, count)
    phase = 2 * math.pi * f0 * (t - wobble / (2 * math.pi * rate) * np.cos(2 * math.pi * rate * t))
    z = np.exp(1j * phase)
    z2 = z * z  # powers by products: complex ** is far slower
    hum = (z + 0.6 * z2 + 0.4 * z2 * z + 0.25 * z2 * z2).imag.astype(np.float32)
    return 0.5 * hum + 0.5 * noise(seed, "engine", (30.0, 250.0), start, count)


def _scattered(name: str, make: Make, per_second: float, longest: float) -> Voice:
    def voice(seed: int, start: int, count: int) -> np.ndarray:
        return events(seed, name, start, count, make, 1.0, per_cell=per_second, longest=longest)

    return voice


def _every(name: str, make: Make, period: float, longest: float) -> Voice:
    """One event in every `period` seconds, anywhere in its first half: a call repeated."""

    def voice(seed: int, start: int, count: int) -> np.ndarray:
        return events(seed, name, start, count, make, period, longest=longest, spread=period / 2)

    return voice


def _paced(name: str, pitch: float, decay: float, interval: float) -> Voice:
    def voice(seed: int, start: int, count: int) -> np.ndarray:
        def step(rng: np.random.Generator) -> np.ndarray:
            return _thump(rng, pitch, decay)

        return events(seed, name, start, count, step, interval, longest=6 * decay)

    return voice


birds = _scattered("birds", _chirps, 1.2, 0.8)
bark = _every("bark", _bark, 1.6, 0.6)
meow = _every("meow", _meow, 2.2, 0.8)
howl = _every("howl", _howl, 3.5, 2.0)
servo = _scattered("servo", _servo, 0.6, 0.35)
horn = _scattered("horn", _horn, 0.2, 0.6)
footsteps = _paced("footsteps", 75.0, 0.02, 0.5)
hooves = _paced("hooves", 160.0, 0.01, 0.25)


def foghorn(seed: int, start: int, count: int) -> np.ndarray:
    return events(seed, "foghorn", start, count, _foghorn, 7.0, longest=2.2)
