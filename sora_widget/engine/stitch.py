"""PLACEHOLDER until the stitching helper's branch (h/stitch) lands: the interface only.

The real module stitches shots into one MP4 with PyAV; this one states its signature so the
storyboard imports and type-checks. The lead replaces it with the h/stitch file when merging.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Film:
    """The stitched film: its file, length, each shot's start (seconds), size and rate."""

    path: Path
    duration: float
    starts: tuple[float, ...]
    size: str
    fps: float
    copied: bool
    has_audio: bool


def stitch(
    shots: Sequence[Path],
    out: Path,
    *,
    titles: Sequence[str] = (),
    size: str | None = None,
    transition_ms: int = 0,
) -> Film:
    """One MP4 of `shots` in order (placeholder: see the module's docstring)."""
    raise NotImplementedError("sora_widget.engine.stitch is a placeholder until h/stitch lands")
