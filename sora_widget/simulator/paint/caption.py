"""The caption: the prompt as white text on a darkened bar across the bottom of the frame."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .yuv import Planes, even

CAPTION_LINES = 3
BAR_LUMA = 28  # the bar behind the letters, where nothing shows through it

Caption = tuple[np.ndarray, np.ndarray, np.ndarray]  # text luma, text mask, chroma mask
#: Pillow's default font: FreeType when available, its bitmap font otherwise.
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


def layout_caption(
    text: str, width: int, height: int, scramble: Callable[[str], str] | None = None
) -> tuple[int, Caption]:
    """The prompt in at most CAPTION_LINES lines; returns the bar's top row and its text.
    `scramble` changes the wrapped lines' letters (a flaw), so the bar keeps its height."""
    size = max(10, round(min(width, height) * 0.032))
    font = ImageFont.load_default(size=size)
    pad, line_height = round(0.6 * size), round(1.3 * size)
    lines = _wrap(text or " ", font, width - 2 * pad)
    if scramble is not None:
        lines = [scramble(line) for line in lines]
    bar_height = even(len(lines) * line_height + 2 * pad)
    alpha = Image.new("L", (width, bar_height))
    draw = ImageDraw.Draw(alpha)
    for i, line in enumerate(lines):
        draw.text((pad, pad + i * line_height), line, fill=255, font=font)
    a = np.asarray(alpha).astype(np.uint16)
    text_y = ((BAR_LUMA * (255 - a) + 235 * a) // 255).astype(np.uint8)  # white over the dark bar
    mask = a > 0
    return height - bar_height, (text_y, mask, mask[::2, ::2] | mask[1::2, 1::2])


def paint_caption(planes: Planes, top: int, caption: Caption, opaque: bool = False) -> None:
    """Darken the bar to a quarter (cheap shifts, no blending), then set the text. An `opaque`
    bar hides what is under it: a picture made from another video's frame carries that video's
    caption, whose letters would show through a quarter's darkening under the new ones."""
    text_y, mask, mask2 = caption
    bar_y, bar_u, bar_v = planes.y[top:], planes.u[top // 2 :], planes.v[top // 2 :]
    for bar, lift in ((bar_y, 12), (bar_u, 96), (bar_v, 96)):
        if opaque:
            bar.fill(BAR_LUMA if bar is bar_y else 128)
            continue
        np.right_shift(bar, 2, out=bar)
        bar += np.uint8(lift)
    np.copyto(bar_y, text_y, where=mask)
    np.copyto(bar_u, 128, where=mask2)
    np.copyto(bar_v, 128, where=mask2)


def _wrap(text: str, font: Font, width: float) -> list[str]:
    """Greedy word wrap; words longer than a line break anywhere; overflow ends in an ellipsis."""
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        candidate = f"{line} {word}" if line else word
        if font.getlength(candidate) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = word
        while font.getlength(line) > width and len(lines) <= CAPTION_LINES:
            cut = _longest_fit(line, font, width)
            lines.append(line[:cut])
            line = line[cut:]
        if len(lines) > CAPTION_LINES:
            break
    lines.append(line)
    if len(lines) <= CAPTION_LINES:
        return lines
    last = lines[CAPTION_LINES - 1]
    while last and font.getlength(last + "…") > width:
        last = last[:-1]
    return [*lines[: CAPTION_LINES - 1], last.rstrip() + "…"]


def _longest_fit(text: str, font: Font, width: float) -> int:
    """How many leading characters fit in `width` (at least one)."""
    low, high = 1, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if font.getlength(text[:middle]) <= width:
            low = middle
        else:
            high = middle - 1
    return low
