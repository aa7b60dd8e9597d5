"""A music bed for "music", "cinematic", "piano" or "jazz": styles as data (tempo, chords, the
parts that play them), notes on a grid of absolute bars, so like every voice it is a pure
function of the sample index. The key comes from the scene's seed. Notes are made at a quarter
of the track's rate (nothing in the bed needs more than 6 kHz) and interpolated up: a bed
costs a quarter of the time."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..scene import hash_unit
from .voices import RATE, Voice, add

STEP = 4  # notes are made at RATE / STEP
_RATE = RATE // STEP


@dataclass(frozen=True)
class Note:
    at: float  # seconds from the start of its bar
    seconds: float
    pitch: int  # MIDI note number
    instrument: str  # a key of INSTRUMENTS
    level: float


@dataclass(frozen=True)
class Style:
    bpm: float
    chords: tuple[tuple[int, ...], ...]  # one a bar: semitones above the key's root
    parts: tuple[str, ...]  # keys of PARTS, each a pattern of notes over one bar


STYLES = {
    # I - vi - IV - V, a soft pad under a plucked arpeggio
    "music": Style(96, ((0, 4, 7), (9, 12, 16), (5, 9, 12), (7, 11, 14)), ("pad", "arpeggio")),
    # i - VI - III - VII, slow: strings and a low drone
    "cinematic": Style(66, ((0, 3, 7), (8, 12, 15), (3, 7, 10), (10, 14, 17)), ("pad", "drone")),
    # Imaj7 - vi7 - ii7 - V7, broken chords
    "piano": Style(
        80, ((0, 4, 7, 11), (9, 12, 16, 19), (2, 5, 9, 12), (7, 11, 14, 17)), ("broken",)
    ),
    # ii7 - V7 - Imaj7 - VI7, walking bass, swung ride, chords on two and four
    "jazz": Style(
        132,
        ((2, 5, 9, 12), (7, 11, 14, 17), (0, 4, 7, 11), (9, 13, 16, 19)),
        ("walk", "ride", "comp"),
    ),
}
_LOWEST_KEY = 45  # A2: keys run from A2 to G#3
_TAIL = 3.0  # seconds a note may ring past its bar


def _pad(chord: tuple[int, ...], beat: float) -> list[Note]:
    return [Note(0.0, 4 * beat + 0.8, 12 + n, "pad", 0.22) for n in chord]


def _arpeggio(chord: tuple[int, ...], beat: float) -> list[Note]:
    tones = [24 + n for n in chord]
    return [Note(i * beat / 2, 0.5, tones[i % len(tones)], "pluck", 0.25) for i in range(8)]


def _drone(chord: tuple[int, ...], beat: float) -> list[Note]:
    return [Note(0.0, 4 * beat + 0.8, chord[0] - 12, "pad", 0.35)]


def _broken(chord: tuple[int, ...], beat: float) -> list[Note]:
    order = (0, 2, 1, 3, 2, 1, 3, 2)
    notes = [Note(0.0, 2.5, chord[0], "pluck", 0.35)]
    upper = [12 + n for n in chord]
    notes += [
        Note(i * beat / 2, 1.2, upper[order[i] % len(upper)], "pluck", 0.22) for i in range(8)
    ]
    return notes


def _walk(chord: tuple[int, ...], beat: float) -> list[Note]:
    line = (chord[0], chord[1], chord[2], chord[1] + 1)
    return [Note(i * beat, 0.9 * beat, n - 12, "bass", 0.5) for i, n in enumerate(line)]


def _ride(chord: tuple[int, ...], beat: float) -> list[Note]:
    swung = (0.0, 1.0, 1 + 2 / 3, 2.0, 3.0, 3 + 2 / 3)
    return [Note(b * beat, 0.3, 0, "ride", 0.12) for b in swung]


def _comp(chord: tuple[int, ...], beat: float) -> list[Note]:
    return [Note(b * beat, 0.25, 12 + n, "pluck", 0.13) for b in (1, 3) for n in chord]


PARTS: dict[str, Callable[[tuple[int, ...], float], list[Note]]] = {
    "pad": _pad,
    "arpeggio": _arpeggio,
    "drone": _drone,
    "broken": _broken,
    "walk": _walk,
    "ride": _ride,
    "comp": _comp,
}


def _hz(pitch: int) -> float:
    return 440.0 * 2 ** ((pitch - 69) / 12)


def _pad_sound(pitch: int, count: int) -> np.ndarray:
    """Two slightly detuned sines and an octave, swelling in and fading out."""
    t = np.arange(count) / _RATE
    f = _hz(pitch)
    body = sum(a * np.sin(2 * math.pi * f * r * t) for a, r in ((0.5, 0.997), (0.5, 1.003)))
    body += 0.2 * np.sin(4 * math.pi * f * t)
    edges = np.minimum(1, np.minimum(t / 0.5, (t[-1] - t) / 0.8))
    return body * np.sin(np.pi / 2 * edges) ** 2


def _pluck_sound(pitch: int, count: int) -> np.ndarray:
    """Piano-ish: four partials that die away, the higher ones sooner."""
    t = np.arange(count) / _RATE
    f = _hz(pitch)
    partials = ((1.0, 0.9), (0.45, 0.5), (0.2, 0.35), (0.1, 0.25))
    body = sum(
        a * np.sin(2 * math.pi * f * (k + 1) * t) * np.exp(-t / tau)
        for k, (a, tau) in enumerate(partials)
    )
    return body * np.minimum(1, np.minimum(t / 0.004, (t[-1] - t) / 0.02))


def _bass_sound(pitch: int, count: int) -> np.ndarray:
    t = np.arange(count) / _RATE
    f = _hz(pitch)
    body = np.sin(2 * math.pi * f * t) + 0.3 * np.sin(4 * math.pi * f * t)
    return body * np.exp(-t / 0.35) * np.minimum(1, np.minimum(t / 0.01, (t[-1] - t) / 0.03))


def _ride_sound(pitch: int, count: int) -> np.ndarray:
    """A cymbal tap: differentiated (so high) noise, ringing briefly."""
    t = np.arange(count) / _RATE
    hiss = np.diff(np.random.default_rng(pitch).standard_normal(count + 1))
    return hiss * np.exp(-t / 0.09) * 0.5


INSTRUMENTS: dict[str, Callable[[int, int], np.ndarray]] = {
    "pad": _pad_sound,
    "pluck": _pluck_sound,
    "bass": _bass_sound,
    "ride": _ride_sound,
}


@functools.lru_cache(maxsize=256)
def _sound(instrument: str, pitch: int, count: int) -> np.ndarray:
    return INSTRUMENTS[instrument](pitch, count).astype(np.float32)


def bed(style: Style) -> Voice:
    """The voice that plays `style` in the scene's key."""

    def voice(seed: int, start: int, count: int) -> np.ndarray:
        root = _LOWEST_KEY + int(hash_unit(f"{seed}:key") * 12)
        beat = 60 / style.bpm
        bar = 4 * beat
        low, high = start // STEP, (start + count) // STEP + 2  # the coarse samples around
        coarse = np.zeros(high - low, np.float32)
        first = max(0, math.floor((low / _RATE - _TAIL) / bar))
        for index in range(first, math.floor(high / _RATE / bar) + 1):
            chord = style.chords[index % len(style.chords)]
            for part in style.parts:
                for note in PARTS[part](chord, beat):
                    at = round((index * bar + note.at) * _RATE) - low
                    length = round(note.seconds * _RATE)
                    if at < len(coarse) and at + length > 0:
                        sound = _sound(note.instrument, root + note.pitch, length)
                        add(coarse, note.level * sound, at)
        fine = start + np.arange(count)
        return np.interp(fine, np.arange(low, high) * STEP, coarse).astype(np.float32)

    return voice
