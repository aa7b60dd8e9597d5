"""What a downloaded file really is, and the thumbnail and spritesheet made from a saved MP4.

Servers do not all serve the three variants: LiteLLM drops `variant` and answers the MP4 for
each, SGLang too, New-API gateways answer 404, and a gateway may send a JPEG thumbnail or an
HTML page with status 200. So a file is judged by its first bytes, never by its content type,
and a thumbnail or spritesheet the server does not have is made here, in the kernel, from the
saved video: the same sizes and formats as the simulator's (which imports these constants).

PyAV and NumPy load inside the functions that decode, never with the package.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from PIL import Image

from sora_widget.core.atomic import atomic_path
from sora_widget.core.types import SPRITE_COLUMNS

THUMBNAIL_FORMAT = "WEBP"
THUMBNAIL_QUALITY = 80
# The spritesheet is a SPRITE_COLUMNS x SPRITE_ROWS grid of tiles SPRITE_TILE_WIDTH pixels wide
# (the height keeps the video's aspect: see `sprite_tile_size`), read left to right, top to
# bottom. Tile i shows the frame at (i + 0.5) / SPRITE_TILES of the duration.
SPRITE_ROWS = 2
SPRITE_TILES = SPRITE_COLUMNS * SPRITE_ROWS
SPRITE_TILE_WIDTH = 128
SPRITE_QUALITY = 80
#: The made thumbnail shows the frame this far in (or at half a shorter video).
THUMBNAIL_SECONDS = 1.0

#: Pillow's format names for the kinds `sniff` tells apart.
IMAGE_FORMATS = {"webp": "WEBP", "jpeg": "JPEG", "png": "PNG"}
#: The kinds each variant may arrive as.
ACCEPTED = {
    "video": ("mp4",),
    "thumbnail": tuple(IMAGE_FORMATS),
    "spritesheet": tuple(IMAGE_FORMATS),
}
#: What each library file must be.
NAMED_KIND = {"video": "mp4", "thumbnail": "webp", "spritesheet": "jpeg"}
#: Enough of a file's start to tell its kind.
HEAD_BYTES = 16


def sprite_tile_size(width: int, height: int) -> tuple[int, int]:
    """(tile width, tile height) of the spritesheet for a video of width x height."""
    return SPRITE_TILE_WIDTH, max(2, round(SPRITE_TILE_WIDTH * height / width / 2) * 2)


def sniff(head: bytes) -> str:
    """The kind of a file from its first bytes: mp4, webp, jpeg, png, gif, html, json, empty or
    unknown."""
    if head[4:8] == b"ftyp":
        return "mp4"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if head[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if head[:4] == b"GIF8":
        return "gif"
    text = head.lstrip()[:9].lower()
    if text.startswith((b"<!doctype", b"<html", b"<head", b"<body", b"<")):
        return "html"
    if text.startswith((b"{", b"[")):
        return "json"
    return "empty" if not head else "unknown"


def describe(kind: str) -> str:
    """A kind in words, for messages."""
    return {
        "mp4": "an MP4 video",
        "webp": "a WebP image",
        "jpeg": "a JPEG image",
        "png": "a PNG image",
        "gif": "a GIF image",
        "html": "an HTML page",
        "json": "JSON",
        "empty": "an empty body",
    }.get(kind, "bytes of no known format")


def sniff_file(path: Path) -> str:
    with open(path, "rb") as file:
        return sniff(file.read(HEAD_BYTES))


# ---- pictures the server sent ----------------------------------------------------------------


def normalize(path: Path, variant: str) -> str | None:
    """Make the thumbnail or spritesheet at `path` the format its name says.

    Returns the kind the server sent ("webp", "jpeg", ...) when it is kept (converted if need
    be), or None when it is not a picture at all (the MP4, HTML): then it is removed, to be made
    from the video. Blocking: run it in a worker thread.
    """
    kind = sniff_file(path)
    wanted = NAMED_KIND[variant]
    if kind == wanted:
        return kind
    if kind in IMAGE_FORMATS:
        try:
            with Image.open(path) as image:
                image.load()
                converted = image.convert("RGB")
        except (OSError, ValueError, Image.DecompressionBombError):
            pass
        else:
            _save_picture(converted, path, variant)
            return kind
    path.unlink(missing_ok=True)
    return None


def _save_picture(image: Image.Image, path: Path, variant: str) -> None:
    with atomic_path(path) as temp:
        if variant == "thumbnail":
            image.save(temp, THUMBNAIL_FORMAT, quality=THUMBNAIL_QUALITY, method=0)
        else:
            image.save(temp, "JPEG", quality=SPRITE_QUALITY)


# ---- pictures made from the video ------------------------------------------------------------


def make_pictures(video: Path, thumbnail: Path | None, spritesheet: Path | None) -> None:
    """Write a WebP thumbnail (a frame near the start, full size) and a JPEG spritesheet
    (SPRITE_COLUMNS x SPRITE_ROWS tiles spread over the duration) from a saved MP4, decoding it
    once. Raises ValueError when the video cannot be decoded. Blocking: run it in a thread."""
    import av  # the video stack loads when a video is first decoded, not with the package

    try:
        with av.open(str(video)) as container:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            duration = _duration(container, stream)
            thumb_at = min(THUMBNAIL_SECONDS, duration / 2)
            tile_times = [(i + 0.5) * duration / SPRITE_TILES for i in range(SPRITE_TILES)]
            frames = []  # (time, frame) of every frame we may need, converted once chosen
            wanted = [thumb_at, *tile_times] if thumbnail is not None else tile_times
            last = max(wanted)
            for frame in container.decode(stream):
                seconds = float(frame.time or 0.0)
                frames.append((seconds, frame))
                if len(frames) > 2:  # keep only what a later wanted time could still pick
                    frames = _keep_needed(frames, wanted)
                if seconds >= last:
                    break
    except (av.FFmpegError, IndexError, OSError, ValueError) as error:
        raise ValueError(f"the video could not be decoded ({type(error).__name__})") from None
    if not frames:
        raise ValueError("the video has no frames")
    if thumbnail is not None:
        _save_picture(_nearest(frames, thumb_at).to_image(), thumbnail, "thumbnail")
    if spritesheet is not None:
        first = frames[0][1]
        tile_w, tile_h = sprite_tile_size(first.width, first.height)
        sheet = Image.new("RGB", (SPRITE_COLUMNS * tile_w, SPRITE_ROWS * tile_h))
        for i, seconds in enumerate(tile_times):
            frame = _nearest(frames, seconds)  # scaled from YUV: no full-size RGB copy
            tile = frame.to_image(width=tile_w, height=tile_h, interpolation="AREA")
            row, column = divmod(i, SPRITE_COLUMNS)
            sheet.paste(tile, (column * tile_w, row * tile_h))
        _save_picture(sheet, spritesheet, "spritesheet")


def _duration(container: Any, stream: Any) -> float:
    import av

    if container.duration is not None:
        return max(container.duration / av.time_base, 0.01)
    return max(float((stream.duration or 0) * (stream.time_base or 0)), 0.01)


def _nearest(frames: list[tuple[float, Any]], seconds: float) -> Any:
    """The last frame shown at `seconds` (the first, if none is yet)."""
    shown = [frame for time, frame in frames if time <= seconds + 1e-6]
    return shown[-1] if shown else frames[0][1]


def _keep_needed(frames: list[tuple[float, Any]], wanted: list[float]) -> list[tuple[float, Any]]:
    """Drop decoded frames no wanted time can pick: only the last one at or before each."""
    keep = {id(_nearest(frames, seconds)) for seconds in wanted}
    keep.add(id(frames[-1][1]))
    return [(time, frame) for time, frame in frames if id(frame) in keep]


# ---- the spritesheet's grid ------------------------------------------------------------------

#: Grids tried: up to this many columns and rows.
MAX_GRID = 30
#: A tile's aspect may differ from the video's by this much (log ratio: 6 %).
ASPECT_TOLERANCE = 0.06
#: A grid's seams are visible when the change across its typical boundary is this many times
#: the usual change at that position.
VISIBLE_SEAMS = 2.0
#: Finer grids are preferred while their typical seam is at least this share of the best's.
SEAM_SHARE = 0.5


def sprite_grid(image: Image.Image, video_width: int, video_height: int) -> tuple[int, int]:
    """(columns, rows) of a spritesheet, measured from the image.

    Tiles keep the video's aspect, but tiles of several sizes fit any sheet (a 10x2 sheet of
    16:9 tiles is also 5x1 and 20x4), so aspect alone cannot decide: the seams do, since
    neighbouring tiles show different moments. Each grid whose tile aspect matches the video's
    is scored by its median boundary (the change across it over the usual change there); a
    coarser grid scores like the true one (its boundaries are some of the seams), a finer one
    lower (half its boundaries cut through tiles). So the finest grid scoring at least half the
    best is chosen. A sheet with no visible seams (a still video) gets the simulator's
    `SPRITE_COLUMNS` if that fits, else the best-fitting aspect.
    """
    import numpy as np

    sheet_w, sheet_h = image.size
    tile_w, tile_h = sprite_tile_size(video_width, video_height)
    if (sheet_w, sheet_h) == (SPRITE_COLUMNS * tile_w, SPRITE_ROWS * tile_h):
        return SPRITE_COLUMNS, SPRITE_ROWS  # exactly the simulator's (and our own) layout
    aspect = video_width / video_height
    candidates = []
    for columns in range(1, MAX_GRID + 1):
        column_w = sheet_w / columns
        rows = round(sheet_h * aspect / column_w)
        if not 1 <= rows <= MAX_GRID:
            continue
        error = abs(math.log((column_w / (sheet_h / rows)) / aspect))
        if error <= ASPECT_TOLERANCE:
            candidates.append((columns, rows, error))
    if not candidates:
        return SPRITE_COLUMNS, max(1, round(sheet_h * aspect * SPRITE_COLUMNS / sheet_w))
    gray = np.asarray(image.convert("L"), dtype=np.float32)
    across = (  # the change between neighbouring columns, and rows, of pixels
        np.abs(np.diff(gray, axis=1)).mean(axis=0),
        np.abs(np.diff(gray, axis=0)).mean(axis=1),
    )
    grids = [
        (columns, rows, _seam_ratios(across, columns, rows)) for columns, rows, _ in candidates
    ]
    grids = [grid for grid in grids if grid[2]]
    best = max(grids, key=lambda grid: np.median(list(grid[2].values())), default=None)
    if best is not None and (typical := float(np.median(list(best[2].values())))) >= VISIBLE_SEAMS:
        # Refine: a finer grid is taken only if the boundaries it adds are seams as well.
        chosen = best
        for grid in sorted(grids, key=lambda grid: grid[0] * grid[1]):
            if grid[0] * grid[1] <= chosen[0] * chosen[1]:
                continue
            added = [ratio for at, ratio in grid[2].items() if at not in chosen[2]]
            if added and float(np.median(added)) >= max(VISIBLE_SEAMS, SEAM_SHARE * typical):
                chosen = grid
        # A sheet finer than the simulator's, whose 10-column grid shows seams too, is most
        # likely the simulator's with an edge in mid-tile (a lighthouse at the centre).
        usual = next((grid for grid in grids if grid[0] == SPRITE_COLUMNS), None)
        if (
            usual is not None
            and chosen[0] > SPRITE_COLUMNS
            and float(np.median(list(usual[2].values()))) >= SEAM_SHARE * typical
        ):
            chosen = usual
        return chosen[0], chosen[1]
    for columns, rows, _ in candidates:
        if columns == SPRITE_COLUMNS:
            return columns, rows
    columns, rows, _ = min(candidates, key=lambda candidate: candidate[2])
    return columns, rows


def _seam_ratios(across: tuple[Any, Any], columns: int, rows: int) -> dict[tuple[int, int], float]:
    """For each boundary of the grid, (axis, position): the change across it over the usual
    change at that position modulo 8 (JPEG's 8-pixel blocks make edges of their own)."""
    import numpy as np

    ratios = {}
    for axis, (change, parts) in enumerate(zip(across, (columns, rows), strict=True)):
        length = len(change) + 1
        for k in range(1, parts):
            at = round(k * length / parts) - 1  # the change between pixel `at` and `at + 1`
            if 0 <= at < len(change):
                usual = float(np.median(change[at % 8 :: 8]))
                ratios[axis, at] = float(change[at]) / (usual + 0.5)
    return ratios


def sprite_grid_of(path: Path, size: str) -> dict[str, int] | None:
    """`{"columns", "rows"}` of the spritesheet at `path` for a video of `size` ("WxH"), or None
    when there is none or it cannot be read. Blocking: run it in a worker thread."""
    from sora_widget.core.types import parse_size

    try:
        video_width, video_height = parse_size(size)
        with Image.open(path) as image:
            image.load()
            columns, rows = sprite_grid(image, video_width, video_height)
    except (OSError, ValueError, ZeroDivisionError, Image.DecompressionBombError):
        return None
    return {"columns": columns, "rows": rows}
