"""Prompt -> Scene: the small vocabulary that makes a simulated video visibly follow its prompt.

A `Scene` has two halves, so a remix can keep one and replace the other:

* the composition (`seed`, `horizon`, `subjects`): what is where. A remix keeps its source's.
* the look (`Look`): time of day, weather, colours, camera, the sounds the picture does not
  show. A remix takes every attribute its own prompt mentions and inherits the rest, so
  "at night" changes the light and nothing else.

Everything is derived from hashes of the text (never `hash()`, which is salted per process),
so the same prompt always yields the same scene. Words outside the vocabulary still count:
they tint the ground (`Look.accent`), and a prompt without any known subject turns its first
few unknown words into abstract shapes. A colour word just before a subject ("a red fox")
colours that subject; other colours go to the moving subjects that have none, or tint the
light. Drawing is `paint/`'s business and sound `sound/`'s, not this module's: the sound
follows the picture (its weather and subjects) plus `SOUND_WORDS`, which nothing draws.
"""

from __future__ import annotations

import dataclasses
import hashlib
import random
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

Rgb = tuple[int, int, int]

TIMES_OF_DAY = {
    **dict.fromkeys(["dawn", "sunrise", "daybreak", "morning"], "dawn"),
    **dict.fromkeys(["noon", "midday", "day", "daytime", "daylight", "afternoon", "sunny"], "day"),
    **dict.fromkeys(["sunset", "dusk", "evening", "twilight"], "sunset"),
    **dict.fromkeys(["night", "midnight", "nighttime", "moonlit", "starry"], "night"),
}

WEATHER = {
    **dict.fromkeys(["rain", "rainy", "raining", "drizzle", "downpour", "storm", "stormy"], "rain"),
    **dict.fromkeys(["snow", "snowy", "snowing", "snowfall", "snowflakes", "blizzard"], "snow"),
    **dict.fromkeys(["fog", "foggy", "mist", "misty", "haze", "hazy"], "fog"),
    "clear": None,  # mentions the weather, and asks for none
}

COLORS: dict[str, Rgb] = {
    "red": (214, 48, 49),
    "crimson": (170, 20, 50),
    "orange": (240, 130, 40),
    "yellow": (245, 210, 50),
    "golden": (232, 176, 55),
    "gold": (232, 176, 55),
    "green": (60, 170, 80),
    "emerald": (20, 150, 100),
    "teal": (20, 150, 150),
    "cyan": (40, 200, 230),
    "blue": (50, 100, 220),
    "navy": (30, 40, 110),
    "purple": (130, 60, 190),
    "violet": (140, 80, 220),
    "pink": (240, 120, 180),
    "magenta": (220, 50, 180),
    "white": (240, 240, 240),
    "black": (30, 30, 35),
    "silver": (190, 195, 205),
    "gray": (128, 130, 135),
    "grey": (128, 130, 135),
    "brown": (130, 85, 50),
}

# mood word -> (saturation factor, colours it adds)
MOODS: dict[str, tuple[float, tuple[Rgb, ...]]] = {
    "neon": (1.6, ((255, 60, 200), (40, 230, 255))),
    "vivid": (1.4, ()),
    "vibrant": (1.4, ()),
    "colorful": (1.4, ()),
    "colourful": (1.4, ()),
    "pastel": (0.55, ((250, 190, 210), (180, 230, 210), (200, 190, 240))),
    "muted": (0.6, ()),
    "monochrome": (0.0, ()),
    "grayscale": (0.0, ()),
    "greyscale": (0.0, ()),
    "noir": (0.0, ()),
    "sepia": (0.25, ((200, 160, 110),)),
    "vintage": (0.4, ((200, 160, 110),)),
}

CAMERAS = {
    **dict.fromkeys(["pan", "pans", "panning", "tracking", "dolly"], "pan"),
    **dict.fromkeys(["zoom", "zooms", "zooming"], "zoom"),
    **dict.fromkeys(["orbit", "orbits", "orbiting", "circling"], "orbit"),
    **dict.fromkeys(["static", "locked", "tripod", "stationary"], "static"),
}

SUBJECTS = {
    **dict.fromkeys(
        ["fox", "cat", "kitten", "dog", "puppy", "wolf", "horse", "deer", "bear", "rabbit"],
        "animal",
    ),
    **dict.fromkeys(["cow", "sheep", "lion", "tiger", "animal"], "animal"),
    **dict.fromkeys(
        ["person", "man", "woman", "boy", "girl", "child", "astronaut", "people"], "person"
    ),
    **dict.fromkeys(["robot", "android", "droid", "cyborg"], "robot"),
    **dict.fromkeys(["car", "truck", "taxi", "bus", "van", "jeep", "traffic"], "car"),
    **dict.fromkeys(["bird", "eagle", "seagull", "gull", "crow", "dove", "flock"], "bird"),
    **dict.fromkeys(["tree", "pine", "oak", "palm", "forest", "woods"], "tree"),
    **dict.fromkeys(["house", "cabin", "cottage", "barn", "hut", "village"], "house"),
    **dict.fromkeys(["lighthouse", "beacon"], "lighthouse"),
    **dict.fromkeys(["boat", "ship", "sailboat", "yacht", "canoe"], "boat"),
    "sun": "sun",
    "moon": "moon",
    **dict.fromkeys(["mountain", "hill", "peak", "alps"], "mountain"),
    **dict.fromkeys(["ocean", "sea", "waves", "beach", "lake", "river", "water"], "ocean"),
    **dict.fromkeys(["city", "skyline", "skyscraper", "buildings", "downtown", "town"], "city"),
}
MOBILE_KINDS = frozenset({"animal", "person", "robot", "car", "bird", "boat"})
SINGLE_KINDS = frozenset({"sun", "moon", "ocean", "city", "lighthouse"})  # one is enough
_BY_THE_WATER = frozenset({"boat", "lighthouse"})
COLLECTIVES = {"forest": 6, "woods": 6, "flock": 5, "people": 3, "village": 3, "traffic": 3}
PLURAL_COUNT = 3
MAX_SUBJECTS = 16  # instances, so a long prompt cannot make rendering slow
MAX_SHAPES = 3
FLOOR = 0.9  # the lowest ground line, in frame heights: below it sits the caption
CAPTION_MAX_CHARS = 400

STOPWORDS = frozenset(
    {
        *("a", "an", "the", "and", "or", "but", "of", "in", "on", "at", "to", "into", "onto"),
        *("over", "under", "through", "from", "by", "for", "with", "without", "is", "are"),
        *("was", "be", "it", "its", "as", "while", "during", "very", "this", "that", "these"),
        *("those", "same", "make", "makes", "made", "some", "one", "two", "three", "scene"),
        *("video", "shot", "clip"),
    }
)

# What is heard but not drawn; the weather and the subjects are heard too (see `sound/`).
SOUND_WORDS = {
    **dict.fromkeys(["wind", "windy", "breeze", "breezy", "gust", "gusty", "gale"], "wind"),
    **dict.fromkeys(["fire", "campfire", "fireplace", "bonfire", "flame", "flames"], "fire"),
    **dict.fromkeys(["music", "musical", "song", "melody", "soundtrack", "upbeat"], "music"),
    **dict.fromkeys(["cinematic", "epic", "orchestra", "orchestral", "dramatic"], "cinematic"),
    **dict.fromkeys(["piano", "pianist", "lullaby"], "piano"),
    **dict.fromkeys(["jazz", "jazzy", "saxophone", "swing"], "jazz"),
    **dict.fromkeys(["silent", "silence", "soundless", "mute"], "silence"),
}
_SILENT = re.compile(r"\b(?:no|without)\s+(?:sound|audio)\b")  # two words mean "silent" too

_WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class Subject:
    """One thing in the picture; positions are fractions of the frame so any size works."""

    kind: str  # a value of SUBJECTS, or "shape" for an unknown word
    name: str  # the prompt's word, which picks details and default colours
    x: float  # centre at t=0, in frame widths from the left edge
    y: float  # bottom edge (centre for things in the sky), in frame heights from the top
    size: float  # height, in units of the frame's shorter side
    speed: float  # frame widths per second; negative heads left
    color: Rgb | None = None  # named just before it in the prompt


@dataclass(frozen=True)
class Look:
    """The attributes a remix prompt may change without moving anything."""

    time_of_day: str = "day"  # dawn | day | sunset | night
    weather: frozenset[str] = frozenset()  # subset of {"rain", "snow", "fog"}
    colors: tuple[Rgb, ...] = ()  # named colours no subject claimed
    saturation: float = 1.0
    camera: str = "static"  # static | pan | zoom | orbit
    heading: int = 1  # camera direction for pan and orbit: 1 right, -1 left
    accent: float = 0.0  # hue in [0, 1) from the words outside the vocabulary
    sounds: frozenset[str] = frozenset()  # values of SOUND_WORDS the prompt named


@dataclass(frozen=True)
class Scene:
    seed: int
    horizon: float  # in frame heights from the top
    subjects: tuple[Subject, ...]
    look: Look
    caption: str


def describe(
    prompt: str, source: Scene | None = None, *, seed: int | None = None, negative: str = ""
) -> Scene:
    """Build the scene for `prompt`; with `source` (a remix or extension) keep its composition.

    `seed` (a request's `seed`) moves the composition, the same seed always the same way;
    `negative` (a `negative_prompt`) takes away what its words mean: "rain" drops rain, and
    "storm" or "rainy" with it."""
    refused = {_meaning(word) for word, _ in map(_singular, _WORD.findall(negative.lower()))}
    tokens = [
        t for t in map(_singular, _WORD.findall(prompt.lower())) if _meaning(t[0]) not in refused
    ]
    words = [word for word, _ in tokens]
    seeded = prompt if seed is None else f"{prompt}\x00seed:{seed}"
    seed = source.seed if source else _seed(seeded)
    horizon = source.horizon if source else 0.56 + 0.1 * random.Random(f"{seed}:horizon").random()
    bound = _bound_colors(words)
    named = _named_subjects(tokens)
    if source and not named:
        subjects = source.subjects
    else:
        if not named:
            named = [("shape", w, 1) for w in dict.fromkeys(_unknown(words))][:MAX_SHAPES]
        kept = {s.name: s.color for s in source.subjects if s.color} if source else {}
        # reversed: when a subject is named twice with colours, the first colour wins
        colors = kept | {name: COLORS[words[i]] for i, name in reversed(bound.items())}
        subjects = _place(named, colors, seed, horizon)
    base = source.look if source else Look(accent=hash_unit(f"{seed}:accent"))
    changes = _look_changes(words, bound, seed)
    if _SILENT.search(prompt.lower()):
        changes["sounds"] = frozenset({"silence"})
    look = dataclasses.replace(base, **changes)
    return Scene(seed, horizon, subjects, look, _caption(prompt))


def _meaning(word: str) -> tuple[str, object]:
    """What a word stands for in the vocabulary, so synonyms refuse each other."""
    for name, table in (("weather", WEATHER), ("time", TIMES_OF_DAY), ("camera", CAMERAS)):
        if word in table:
            return name, table[word]
    return "word", word


def hash_unit(text: str) -> float:
    """A stable number in [0, 1) for any text."""
    return int.from_bytes(_digest(text)[:4], "big") / 2**32


def _seed(text: str) -> int:
    return int.from_bytes(_digest(text)[:8], "big")


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


def _singular(word: str) -> tuple[str, bool]:
    """(word, plural): "foxes" -> ("fox", True); only subject words are de-pluralised."""
    for suffix in ("es", "s"):
        stem = word.removesuffix(suffix)
        if stem != word and stem in SUBJECTS and word not in SUBJECTS:
            return stem, True
    return word, False


def _bound_colors(words: list[str]) -> dict[int, str]:
    """Colour word index -> the subject it describes, if one of the next two words names one
    ("a red fox", "a red sports car")."""
    bound: dict[int, str] = {}
    for i, word in enumerate(words):
        if word in COLORS:
            subject = next((w for w in words[i + 1 : i + 3] if w in SUBJECTS), None)
            if subject:
                bound[i] = subject
    return bound


def _named_subjects(tokens: list[tuple[str, bool]]) -> list[tuple[str, str, int]]:
    """(kind, name, count) for each subject word, in prompt order, first mention wins."""
    found: dict[str, tuple[str, str, int]] = {}
    for name, plural in tokens:
        if name in SUBJECTS and name not in found:
            count = COLLECTIVES.get(name, PLURAL_COUNT if plural else 1)
            if SUBJECTS[name] in SINGLE_KINDS:
                count = 1
            found[name] = (SUBJECTS[name], name, count)
    wet = any(kind in _BY_THE_WATER for kind, _, _ in found.values())
    if wet and not any(kind == "ocean" for kind, _, _ in found.values()):
        found["ocean"] = ("ocean", "ocean", 1)  # boats need water, lighthouses a shore
    return list(found.values())


def _unknown(words: list[str]) -> list[str]:
    vocabulary = (TIMES_OF_DAY, WEATHER, COLORS, MOODS, CAMERAS, SUBJECTS, SOUND_WORDS)
    return [
        w
        for w in words
        if w not in STOPWORDS and len(w) > 1 and not any(w in v for v in vocabulary)
    ]


def _look_changes(words: list[str], bound: dict[int, str], seed: int) -> dict[str, Any]:
    """Only the attributes the words mention, so a remix inherits the others."""
    changes: dict[str, Any] = {}
    times = [TIMES_OF_DAY[w] for w in words if w in TIMES_OF_DAY]
    if times:
        changes["time_of_day"] = times[-1]
    weather = [WEATHER[w] for w in words if w in WEATHER]
    if weather:
        changes["weather"] = frozenset(w for w in weather if w)
    moods = [MOODS[w] for w in words if w in MOODS]
    if moods or any(w in COLORS for w in words):
        free = [COLORS[w] for i, w in enumerate(words) if w in COLORS and i not in bound]
        free += [color for _, added in moods for color in added]
        changes["colors"] = tuple(dict.fromkeys(free))
        changes["saturation"] = moods[-1][0] if moods else 1.0
    cameras = [CAMERAS[w] for w in words if w in CAMERAS]
    if cameras:
        changes["camera"] = cameras[-1]
        sides = [w for w in words if w in ("left", "right")]
        if sides:
            changes["heading"] = -1 if sides[-1] == "left" else 1
        else:
            changes["heading"] = 1 if hash_unit(f"{seed}:heading") < 0.5 else -1
    sounds = [SOUND_WORDS[w] for w in words if w in SOUND_WORDS]
    if sounds:
        changes["sounds"] = frozenset(sounds)
    unknown = sorted(set(_unknown(words)))
    if unknown:
        changes["accent"] = hash_unit(" ".join(unknown))
    return changes


# kind -> (band, low, high, size, speed). The band is where y falls: "sky" spans the top of the
# frame to the horizon, "ground" the horizon to FLOOR (nearer things drawn bigger), "horizon"
# sits on it; low and high are fractions of the band. Size and speed are as in `Subject`.
_PLACEMENT: dict[str, tuple[str, float, float, float, float]] = {
    "animal": ("ground", 0.35, 0.95, 0.30, 0.05),
    "person": ("ground", 0.30, 0.95, 0.40, 0.04),
    "robot": ("ground", 0.30, 0.95, 0.40, 0.03),
    "car": ("ground", 0.25, 0.90, 0.20, 0.16),
    "boat": ("ground", 0.10, 0.45, 0.22, 0.02),
    "tree": ("ground", 0.00, 0.45, 0.45, 0.0),
    "house": ("ground", 0.05, 0.35, 0.30, 0.0),
    "lighthouse": ("ground", 0.02, 0.20, 0.65, 0.0),
    "shape": ("ground", 0.20, 0.70, 0.20, 0.0),
    "bird": ("sky", 0.15, 0.70, 0.07, 0.10),
    "sun": ("sky", 0.20, 0.55, 0.16, 0.0),
    "moon": ("sky", 0.15, 0.50, 0.12, 0.0),
    "mountain": ("horizon", 0, 0, 0.50, 0.0),
    "ocean": ("horizon", 0, 0, 0.0, 0.0),
    "city": ("horizon", 0, 0, 0.45, 0.0),
}


def _place(
    named: list[tuple[str, str, int]], colors: dict[str, Rgb], seed: int, horizon: float
) -> tuple[Subject, ...]:
    """Positions depend only on (seed, name, index), so a subject a remix keeps stays put."""
    subjects: list[Subject] = []
    for kind, name, count in named:
        band, low, high, size, speed = _PLACEMENT[kind]
        for i in range(min(count, MAX_SUBJECTS - len(subjects))):
            r = random.Random(f"{seed}:{name}:{i}")
            x = r.uniform(0.15, 0.85) if i == 0 else r.uniform(-0.25, 1.25)
            depth = r.uniform(low, high)
            scale = r.uniform(0.85, 1.15)
            if band == "ground":
                y = horizon + (FLOOR - horizon) * depth
                scale *= 0.55 + 0.45 * depth  # perspective: nearer is bigger
            else:
                y = horizon * depth if band == "sky" else horizon
            heading = 1 if r.random() < 0.5 else -1
            subjects.append(
                Subject(kind, name, x, y, size * scale, speed * heading, colors.get(name))
            )
    return tuple(subjects)


def _caption(prompt: str) -> str:
    """The prompt made safe to draw: no control or unpaired surrogate characters, bounded."""
    cleaned = "".join(" " if unicodedata.category(c)[0] == "C" else c for c in prompt[:2000])
    text = " ".join(cleaned.split())
    return text if len(text) <= CAPTION_MAX_CHARS else text[: CAPTION_MAX_CHARS - 1] + "…"
