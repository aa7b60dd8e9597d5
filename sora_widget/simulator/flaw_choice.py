"""The deliberate flaws' names, and a request's choice of them: kept apart from the painting
(`paint/flaws.py`), which needs numpy, so the settings and the command line stay light."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

#: name -> what it looks like
FLAWS: dict[str, str] = {
    "flicker": "the whole picture pulses brighter and darker for a few frames, as frames made "
    "apart disagree on exposure",
    "wobble": "the moving subject's outline ripples and bends for about a second, as if its "
    "shape were not settled",
    "pop": "a half-size copy of the subject (a stone, if nothing moves) appears from one frame "
    "to the next and vanishes as suddenly",
    "garbled-caption": "the caption's letters turn into look-alike nonsense for a while, as "
    "generated text does",
    "missing-effect": "a cause without its effect: a walker in snow stops leaving footprints",
}


@dataclass(frozen=True)
class FlawChoice:
    """A request's setting: flaws at their families' rates, none, or only one, always."""

    enabled: bool = True
    only: str | None = None

    def __post_init__(self) -> None:
        if self.only is not None and self.only not in FLAWS:
            raise ValueError(f"unknown flaw {self.only!r}; known: {', '.join(FLAWS)}")

    def rate(self, flaw: str, rates: Mapping[str, float]) -> float:
        if not self.enabled:
            return 0.0
        if self.only is not None:
            return 1.0 if flaw == self.only else 0.0
        return rates.get(flaw, 0.0)
