"""Scene -> the voices it is heard with, as data: what the picture shows is heard (its weather,
its subjects), and so are the sound words nothing draws (`scene.SOUND_WORDS`)."""

from __future__ import annotations

import numpy as np

from ..scene import Scene
from . import voices
from .music import STYLES, bed
from .voices import Voice

#: voice -> (synthesis, gain in the mix)
VOICES: dict[str, tuple[Voice, float]] = {
    "rain": (voices.rain, 0.22),
    "hush": (voices.hush, 0.05),
    "wind": (voices.wind, 0.3),
    "waves": (voices.waves, 0.28),
    "city": (voices.city, 0.2),
    "leaves": (voices.leaves, 0.08),
    "fire": (voices.fire, 0.25),
    "engine": (voices.engine, 0.18),
    "birds": (voices.birds, 0.15),
    "bark": (voices.bark, 0.3),
    "meow": (voices.meow, 0.2),
    "howl": (voices.howl, 0.18),
    "footsteps": (voices.footsteps, 0.35),
    "hooves": (voices.hooves, 0.35),
    "servo": (voices.servo, 0.08),
    "foghorn": (voices.foghorn, 0.15),
    **{name: (bed(style), 0.5) for name, style in STYLES.items()},
}

WEATHER_VOICES = {"rain": ("rain",), "snow": ("hush",), "fog": ("hush",)}

#: a subject's name, else its kind -> its voices
SUBJECT_VOICES: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(["dog", "puppy"], ("bark",)),
    **dict.fromkeys(["cat", "kitten", "lion", "tiger"], ("meow",)),
    "wolf": ("howl",),
    "horse": ("hooves",),
    **dict.fromkeys(["forest", "woods"], ("leaves", "birds")),
    **dict.fromkeys(["mountain", "hill", "peak", "alps"], ("wind",)),
    "bird": ("birds",),
    "car": ("engine",),
    "person": ("footsteps",),
    "robot": ("servo", "footsteps"),
    "ocean": ("waves",),
    "city": ("city",),
    "tree": ("leaves",),
    "lighthouse": ("foghorn",),
}

#: a sound word's value -> its voices; "silence" has none and silences the rest
WORD_VOICES: dict[str, tuple[str, ...]] = {
    "wind": ("wind",),
    "fire": ("fire",),
    **{name: (name,) for name in STYLES},
    "silence": (),
}
QUIET = ("hush",)  # what a scene with nothing audible in it sounds like: air


def voices_of(scene: Scene) -> tuple[str, ...]:
    """The voices heard in `scene`, each once, in a stable order."""
    look = scene.look
    if "silence" in look.sounds:
        return ()
    heard = [v for w in sorted(look.weather) for v in WEATHER_VOICES[w]]
    for s in scene.subjects:
        heard += SUBJECT_VOICES.get(s.name, SUBJECT_VOICES.get(s.kind, ()))
    heard += [v for word in sorted(look.sounds) for v in WORD_VOICES[word]]
    return tuple(dict.fromkeys(heard)) or QUIET


def sound_of(scene: Scene, start: int, count: int) -> np.ndarray:
    """The scene's mix at the absolute samples [start, start + count)."""
    out = np.zeros(count, np.float32)
    for name in voices_of(scene):
        synthesis, gain = VOICES[name]
        out += gain * synthesis(scene.seed, start, count)
    return out
