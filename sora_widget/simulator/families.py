"""Each simulated model looks (and sounds) like itself: a character per family, as data.

The simulator draws the same scene for every model; a family's character then changes how it
is finished (`Finish`: detail, soft light, blur), graded (`Grade`: lift, gamma, gain,
saturation, tint), moved (`hold`: how many frames each drawn picture stays on screen, so 2
moves at half the frame rate; `shake`: a handheld camera's sway), heard (`cutoff_hz`: the
sound's bandwidth; `noise_floor`: hiss under it) and which flaws it makes how often (`flaws`:
flaw name -> the share of renders that show it; see `flaw_choice.FLAWS`).

`quality` states the order an arena on the simulator should find, 1 the best: a better family
has more detail, fewer flaws and fuller sound than a worse one. The characters are caricatures
chosen for a class to see and discuss, not measurements of the real models.

This table is the simulator's own, matched by model name (`pattern`, searched case-blind in the
name, first row that matches wins), so the simulator does not depend on the client's catalog.
A name no row matches is drawn as sora-2, the simulator's home model.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from .paint.finish import Finish
from .paint.grade import Grade


@dataclass(frozen=True)
class Character:
    name: str
    pattern: str  # a regular expression searched in the lower-case model name
    quality: int  # 1 is the best; no two families share a rank
    look: str  # what to look for, in a sentence (the docs' table)
    finish: Finish = Finish()
    grade: Grade = Grade()
    hold: int = 1  # frames each drawn picture is held: 1 smooth, 2 choppy (half the motion rate)
    shake: float = 0.0  # handheld sway of the camera, in frame widths (0: on a tripod)
    cutoff_hz: float = 0.0  # the sound's bandwidth (0: all of it)
    noise_floor: float = 0.0  # amplitude of the hiss under the sound
    flaws: Mapping[str, float] = field(default_factory=dict)  # flaw name -> share of renders

    def matches(self, model: str) -> bool:
        return re.search(self.pattern, model.lower()) is not None


CHARACTERS: tuple[Character, ...] = (
    # The finest: supersampled edges, textured ground, soft light; clean full-band sound; it
    # rarely slips, and then on cause and effect, like its sibling.
    Character(
        "sora-2-pro",
        r"sora-2-pro",
        quality=1,
        look="finest detail (textured ground, soft light, smooth edges); neutral colour",
        finish=Finish(supersample=2, detail=1.0, glow=0.45),
        grade=Grade(gain=1.02),
        flaws={"missing-effect": 0.25, "wobble": 0.05},
    ),
    # Veo 3.x: warm, contrasty and detailed, steady, with the cleanest sound; its weak spot
    # is text.
    Character(
        "veo-3",
        r"veo-3(\.\d)?(-generate|-preview|-\d{3}|$)",
        quality=2,
        look="warm and contrasty, textured ground; steady camera; clean sound",
        finish=Finish(detail=0.6, glow=0.25),
        grade=Grade(lift=-0.03, gamma=0.95, gain=1.06, saturation=1.1, tint=(-5, 6)),
        flaws={"garbled-caption": 0.3, "missing-effect": 0.2},
    ),
    # Sora 2, the simulator's home model and the reference the others are graded from: the
    # picture and sound as drawn; strong on consistency, weak on cause and effect (the
    # footprint that never appears).
    Character(
        "sora-2",
        r"sora",
        quality=3,
        look="the reference: neutral colour, smooth motion, full-band sound",
        flaws={
            "missing-effect": 0.5,
            "wobble": 0.15,
            "pop": 0.1,
            "garbled-caption": 0.1,
            "flicker": 0.05,
        },
    ),
    # Kling: a cinematic teal grade with deep shadows; subjects sometimes melt.
    Character(
        "kling",
        r"kling",
        quality=4,
        look="cool teal cinema grade, deep shadows",
        finish=Finish(detail=0.4),
        grade=Grade(lift=-0.04, gamma=0.9, gain=1.05, saturation=1.1, tint=(7, -4)),
        cutoff_hz=16_000,
        flaws={"wobble": 0.25, "missing-effect": 0.4, "garbled-caption": 0.2},
    ),
    # Veo fast: Veo's warm grade with less detail, a faint float of the camera, sound cut at
    # 12 kHz; text and physics slip more often.
    Character(
        "veo-fast",
        r"veo-3(\.\d)?-fast",
        quality=5,
        look="Veo's warm grade, less detail; the camera floats a little; duller sound",
        finish=Finish(detail=0.2),
        grade=Grade(lift=-0.02, gain=1.04, saturation=1.08, tint=(-5, 6)),
        shake=0.003,
        cutoff_hz=12_000,
        noise_floor=0.002,
        flaws={"garbled-caption": 0.4, "missing-effect": 0.35, "flicker": 0.15},
    ),
    # Runway Gen-4: a filmic look, lifted blacks and muted colour, handheld.
    Character(
        "runway-gen4",
        r"gen-?4|runway",
        quality=6,
        look="faded film: lifted blacks, muted colour; handheld camera",
        grade=Grade(lift=0.06, gain=0.97, saturation=0.8, tint=(3, -2)),
        shake=0.004,
        cutoff_hz=14_000,
        noise_floor=0.002,
        flaws={"pop": 0.2, "wobble": 0.25, "missing-effect": 0.4, "garbled-caption": 0.35},
    ),
    # Seedance: bright and vivid, a pink cast; things appear from nowhere.
    Character(
        "seedance",
        r"seedance",
        quality=7,
        look="bright, vivid, pink cast",
        grade=Grade(gamma=1.1, gain=1.04, saturation=1.3, tint=(3, 7)),
        cutoff_hz=11_000,
        noise_floor=0.003,
        flaws={"pop": 0.35, "wobble": 0.3, "missing-effect": 0.45, "garbled-caption": 0.45},
    ),
    # Hailuo (MiniMax): dynamic, a restless handheld camera, a little soft and warm.
    Character(
        "hailuo",
        r"hailuo|minimax|video-01",
        quality=8,
        look="restless handheld camera, soft and warm",
        finish=Finish(blur=0.8),
        grade=Grade(saturation=1.1, tint=(-4, 4)),
        shake=0.008,
        cutoff_hz=10_000,
        noise_floor=0.004,
        flaws={"wobble": 0.4, "flicker": 0.2, "missing-effect": 0.5, "garbled-caption": 0.5},
    ),
    # Veo lite: soft, pale and choppy; the cheapest Veo.
    Character(
        "veo-lite",
        r"veo-3(\.\d)?-lite",
        quality=9,
        look="soft, pale, choppy motion (half the frame rate)",
        finish=Finish(blur=1.2),
        grade=Grade(lift=0.03, saturation=0.9, tint=(-3, 4)),
        hold=2,
        cutoff_hz=8_000,
        noise_floor=0.004,
        flaws={"flicker": 0.25, "garbled-caption": 0.55, "missing-effect": 0.5, "pop": 0.2},
    ),
    # Grok Imagine: punchy, oversaturated, crushed shadows, shaky; text is rarely right.
    Character(
        "grok-imagine",
        r"grok",
        quality=10,
        look="oversaturated, crushed shadows; shaky camera",
        grade=Grade(lift=-0.06, gamma=0.85, gain=1.08, saturation=1.4),
        shake=0.005,
        cutoff_hz=12_000,
        noise_floor=0.006,
        flaws={"garbled-caption": 0.65, "pop": 0.4, "missing-effect": 0.55, "wobble": 0.3},
    ),
    # Wan: a cool green cast, soft and choppy, narrow sound with hiss; every flaw is common.
    Character(
        "wan",
        r"wan-?\d|wan-ai",
        quality=11,
        look="cool green cast, soft, choppy motion; narrow, hissing sound",
        finish=Finish(blur=1.5),
        grade=Grade(lift=0.02, gamma=0.95, saturation=0.85, tint=(4, -7)),
        hold=2,
        cutoff_hz=7_000,
        noise_floor=0.008,
        flaws={
            "flicker": 0.4,
            "wobble": 0.45,
            "pop": 0.3,
            "garbled-caption": 0.7,
            "missing-effect": 0.6,
        },
    ),
    # HunyuanVideo: washed out and green, soft, choppy, a slight sway, muffled.
    Character(
        "hunyuan",
        r"hunyuan",
        quality=12,
        look="washed out, green, soft, choppy, swaying; muffled sound",
        finish=Finish(blur=1.5),
        grade=Grade(lift=0.05, saturation=0.75, tint=(-2, -6)),
        hold=2,
        shake=0.003,
        cutoff_hz=6_000,
        noise_floor=0.01,
        flaws={
            "flicker": 0.45,
            "wobble": 0.5,
            "pop": 0.35,
            "garbled-caption": 0.7,
            "missing-effect": 0.6,
        },
    ),
    # LTX: the fastest and the roughest: blurred, flat, choppy, flickering, telephone sound.
    Character(
        "ltx",
        r"ltx",
        quality=13,
        look="blurred, flat, choppy and flickering; telephone-narrow sound",
        finish=Finish(blur=2.5),
        grade=Grade(lift=0.08, gain=0.95, saturation=0.7),
        hold=2,
        cutoff_hz=4_000,
        noise_floor=0.012,
        flaws={
            "flicker": 0.6,
            "wobble": 0.55,
            "pop": 0.45,
            "garbled-caption": 0.8,
            "missing-effect": 0.7,
        },
    ),
)

#: what a model name no row matches is drawn as
DEFAULT = next(c for c in CHARACTERS if c.name == "sora-2")


def character_of(model: str) -> Character:
    """The first row whose pattern the name matches; the patterns do not overlap except
    sora-2's, which comes after sora-2-pro's."""
    return next((c for c in CHARACTERS if c.matches(model)), DEFAULT)
