"""Scene -> media files: the simulator's H.264 MP4, WebP thumbnail and JPEG spritesheet.

`render` runs in a worker process and must be fast (10x real time on one core), so each shot
draws everything that stands still once, with Pillow, into a backdrop wider than the frame,
converts it to YUV 4:2:0 once, and per frame only copies slices (camera), pastes small
precomputed sprites (moving subjects), writes particle pixels (weather) and darkens the caption
bar, straight into the planes of one reused `av.VideoFrame`: no per-frame colour conversion.

Encoder: the PyAV 18.1 wheel bundles FFmpeg with libx264 (and its libx264rgb variant); "h264"
resolves to libx264 too; libopenh264 is absent; the *_nvenc, *_qsv, *_amf and *_v4l2m2m
entries need hardware. So libx264, preset ultrafast (CAVLC, no B-frames, which is
H.264 Constrained Baseline and plays in every browser), one thread (so a render is
deterministic and the worker pool, not the encoder, owns parallelism), constant QP (rate
control by CRF costs a lookahead pass for nothing here). Colours are BT.709, limited range,
tagged in the stream so browsers and PyAV convert them back the same way.

Frame rate: 12 fps. Even ultrafast, x264 spends 2 to 4 ms on a 720x1280 frame on one core
(more for rain, snow and zoom, where every macroblock changes), so at 24 fps the encoder alone
would use 0.2 to 0.4 s of a 4 s clip's 0.4 s budget; 15 fps left too little headroom for the
dearest scenes on a busy machine. Browsers play 12 fps MP4 without complaint.
"""

from __future__ import annotations

import colorsys
import dataclasses
import io
import math
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import av
import numpy as np
from av.video.reformatter import ColorPrimaries, ColorRange, Colorspace, ColorTrc
from PIL import Image, ImageDraw, ImageFont, ImageOps

from .scene import MOBILE_KINDS, Look, Rgb, Scene, Subject, describe, hash_unit

FPS = 12
ENCODER = "libx264"
ENCODER_OPTIONS = {"preset": "ultrafast", "profile": "baseline", "qp": "24"}
KEYFRAME_SECONDS = 2  # lets a player seek (and Compare scrub) without decoding from the start

THUMBNAIL_FORMAT = "WEBP"
THUMBNAIL_QUALITY = 80

# The spritesheet is a SPRITE_COLUMNS x SPRITE_ROWS grid of tiles SPRITE_TILE_WIDTH pixels wide
# (the height keeps the video's aspect: see `sprite_tile_size`), read left to right, top to
# bottom. Tile i shows the frame at (i + 0.5) / SPRITE_TILES of the duration, so a hover at
# fraction f of the video's width maps to tile floor(f * SPRITE_TILES).
SPRITE_COLUMNS = 10
SPRITE_ROWS = 2
SPRITE_TILES = SPRITE_COLUMNS * SPRITE_ROWS
SPRITE_TILE_WIDTH = 128
SPRITE_QUALITY = 80

PAN_SPAN = 0.6  # how far a pan travels, in frame widths, before it turns back
PAN_SECONDS = 12.0  # time for one pan sweep, so a 4 s clip moves a third of the way
ORBIT_SECONDS = 8.0  # period of the orbit's back-and-forth sway
ZOOM_PER_SECOND = 0.04  # scale grows from 1.0 by this much each second
REFERENCE_FADE_SECONDS = 0.5  # a reference image is the first frame, then fades into the scene
CAPTION_LINES = 3


@dataclass(frozen=True)
class RenderRequest:
    prompt: str
    width: int
    height: int
    seconds: int  # for an extension, the total: source plus continuation
    reference_image: bytes | None = None  # PNG/JPEG/WebP of width x height: first frame, backdrop
    source: RenderRequest | None = None  # remix, edit or extension: what made the source video
    extend: bool = False  # play the source for source.seconds, then continue with this prompt


@dataclass(frozen=True)
class RenderedAssets:
    video: Path
    thumbnail: Path
    spritesheet: Path


class VideoProbe(NamedTuple):
    first_frame_png: bytes
    width: int
    height: int
    seconds: float


def render(request: RenderRequest, out_dir: Path) -> RenderedAssets:
    """Write video.mp4, thumbnail.webp and spritesheet.jpg into out_dir, each atomically."""
    width, height = request.width, request.height
    if width < 16 or height < 16 or width % 2 or height % 2:
        raise ValueError(f"size must be even and at least 16x16, got {width}x{height}")
    if request.seconds < 1:
        raise ValueError(f"seconds must be at least 1, got {request.seconds}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    assets = RenderedAssets(
        out_dir / "video.mp4", out_dir / "thumbnail.webp", out_dir / "spritesheet.jpg"
    )
    with _atomic(assets.video) as video_path:
        thumbnail, tiles = _encode(request, video_path)
    with _atomic(assets.thumbnail) as path:
        Image.fromarray(thumbnail).save(path, THUMBNAIL_FORMAT, quality=THUMBNAIL_QUALITY, method=0)
    with _atomic(assets.spritesheet) as path:
        _spritesheet(tiles).save(path, "JPEG", quality=SPRITE_QUALITY)
    return assets


def sprite_tile_size(width: int, height: int) -> tuple[int, int]:
    """(tile width, tile height) of the spritesheet for a video of width x height."""
    return SPRITE_TILE_WIDTH, max(2, round(SPRITE_TILE_WIDTH * height / width / 2) * 2)


def probe_video(video_bytes: bytes) -> VideoProbe:
    """First frame as PNG, size and duration of an uploaded video; ValueError if unreadable.
    A still image (which FFmpeg also opens) has no duration, so it is refused too."""
    try:
        with av.open(io.BytesIO(video_bytes), "r") as container:
            stream = container.streams.video[0]
            frame = next(container.decode(stream))
            if container.duration is not None:
                seconds = container.duration / av.time_base
            else:
                seconds = float((stream.duration or 0) * (stream.time_base or 0))
            image = frame.to_image()
    except (av.FFmpegError, IndexError, StopIteration, OSError, ValueError) as error:
        raise ValueError(f"not a readable video: {type(error).__name__}") from None
    if seconds <= 0:
        raise ValueError("not a readable video: it has no duration (a still image?)")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return VideoProbe(buffer.getvalue(), image.width, image.height, seconds)


def first_frame_png(video_bytes: bytes) -> bytes:
    """An uploaded video's first frame, which an edit or extension uses as its reference."""
    return probe_video(video_bytes).first_frame_png


# ---------------------------------------------------------------------------- planning


@dataclass(frozen=True)
class _Segment:
    scene: Scene
    reference: bytes | None  # backdrop, inherited down a remix chain
    fade_in: bool  # this request's own reference image: show it alone as the first frame
    start: int  # first frame index
    end: int  # one past the last frame index
    camera_start: int  # frame where the camera move began: an extension continues an unchanged one


def _plan(request: RenderRequest) -> list[_Segment]:
    """Which scene is on screen when: an extension plays its source, then its continuation."""
    lineage = []
    node: RenderRequest | None = request
    while node is not None:
        lineage.append(node)
        node = node.source
    scene: Scene | None = None
    reference: bytes | None = None
    segments: list[_Segment] = []
    for node in reversed(lineage):
        scene = describe(node.prompt, scene)
        reference = node.reference_image or reference
        start = node.source.seconds * FPS if node.extend and node.source else 0
        kept = [s for s in segments if s.start < start] if node.extend else []
        segments = [dataclasses.replace(s, end=min(s.end, start)) for s in kept]
        camera_start = start
        if segments and _same_move(segments[-1].scene.look, scene.look):
            camera_start = segments[-1].camera_start
        fade_in = node.reference_image is not None
        end = node.seconds * FPS
        segments.append(_Segment(scene, reference, fade_in, start, end, camera_start))
    return segments


def _same_move(a: Look, b: Look) -> bool:
    return (a.camera, a.heading) == (b.camera, b.heading)


# ---------------------------------------------------------------------------- encoding


def _encode(request: RenderRequest, path: Path) -> tuple[np.ndarray, list[np.ndarray]]:
    """Encode the video; return the thumbnail frame and the spritesheet tiles as RGB arrays."""
    width, height = request.width, request.height
    frames = request.seconds * FPS
    shots = [
        _Shot(segment, width, height)
        for segment in _plan(request)
        if segment.start < min(segment.end, frames)
    ]
    tiles_at: dict[int, list[int]] = {}  # frame index -> the tiles that show it
    for tile in range(SPRITE_TILES):
        tiles_at.setdefault(int((tile + 0.5) * frames / SPRITE_TILES), []).append(tile)
    tile_w, tile_h = sprite_tile_size(width, height)
    tiles: list[np.ndarray] = [np.empty(0)] * SPRITE_TILES
    thumbnail = np.empty(0)
    frame = av.VideoFrame(width, height, "yuv420p")
    frame.colorspace = Colorspace.ITU709
    frame.color_range = ColorRange.MPEG
    planes = _Planes.of(frame)
    with av.open(str(path), "w", format="mp4", options={"movflags": "+faststart"}) as container:
        stream = container.add_stream(ENCODER, rate=FPS, options=ENCODER_OPTIONS)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        codec = stream.codec_context
        codec.thread_count = 1
        codec.gop_size = KEYFRAME_SECONDS * FPS
        codec.colorspace = Colorspace.ITU709
        codec.color_primaries = ColorPrimaries.BT709
        codec.color_trc = ColorTrc.BT709
        codec.color_range = ColorRange.MPEG
        shot = 0
        for index in range(frames):
            while shots[shot].end <= index:
                shot += 1
            shots[shot].paint(index, planes)
            frame.pts = index
            container.mux(stream.encode(frame))
            for tile in tiles_at.get(index, []):
                small = frame.reformat(tile_w, tile_h, "rgb24", interpolation="AREA", threads=1)
                tiles[tile] = small.to_ndarray()
            if index == frames // 2:
                thumbnail = frame.reformat(format="rgb24", threads=1).to_ndarray()
        container.mux(stream.encode())
    return thumbnail, tiles


def _spritesheet(tiles: list[np.ndarray]) -> Image.Image:
    tile_h, tile_w = tiles[0].shape[:2]
    sheet = np.zeros((SPRITE_ROWS * tile_h, SPRITE_COLUMNS * tile_w, 3), np.uint8)
    for i, tile in enumerate(tiles):
        row, col = divmod(i, SPRITE_COLUMNS)
        sheet[row * tile_h : (row + 1) * tile_h, col * tile_w : (col + 1) * tile_w] = tile
    return Image.fromarray(sheet)


@contextmanager
def _atomic(target: Path) -> Iterator[Path]:
    """A temporary path beside `target` that replaces it only if the block succeeds."""
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    try:
        yield Path(name)
        os.replace(name, target)
    finally:
        if os.path.exists(name):
            os.unlink(name)


# ---------------------------------------------------------------------------- pixels


class _Planes(NamedTuple):
    """Writable numpy views of a frame's Y, U and V planes (rows may carry padding)."""

    y: np.ndarray
    u: np.ndarray
    v: np.ndarray

    @classmethod
    def blank(cls, width: int, height: int) -> _Planes:
        half = (height // 2, width // 2)
        return cls(
            np.empty((height, width), np.uint8), np.empty(half, np.uint8), np.empty(half, np.uint8)
        )

    @classmethod
    def of(cls, frame: av.VideoFrame) -> _Planes:
        views = []
        for plane in frame.planes:
            rows = np.frombuffer(plane, np.uint8).reshape(plane.height, plane.line_size)
            views.append(rows[:, : plane.width])
        return cls(*views)


def _to_yuv(image: Image.Image) -> _Planes:
    """RGB -> BT.709 limited-range YUV 4:2:0, by swscale: the exact inverse of how PyAV (and so
    the tests, thumbnails and `first_frame_png`) turns frames back into RGB."""
    frame = av.VideoFrame.from_image(image.convert("RGB"))
    yuv = frame.reformat(
        format="yuv420p",
        dst_colorspace=Colorspace.ITU709,
        dst_color_range=ColorRange.MPEG,
        threads=1,
    )
    return _Planes.of(yuv)


@dataclass
class _Sprite:
    """A subject's pixels in YUV 4:2:0, with a full-resolution and a chroma-resolution mask."""

    pixels: _Planes
    mask: np.ndarray
    mask2: np.ndarray

    @classmethod
    def of(cls, rgba: Image.Image) -> _Sprite:
        mask = np.asarray(rgba.getchannel("A")) >= 128
        return cls(_to_yuv(rgba), mask, mask[::2, ::2] | mask[1::2, 1::2])

    def blit(self, planes: _Planes, x: int, y: int) -> None:
        """Paste with the top-left corner at (x, y), both even, clipped to the frame."""
        height, width = planes.y.shape
        h, w = self.mask.shape
        x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + w, width), min(y + h, height)
        if x0 >= x1 or y0 >= y1:
            return
        src = (slice(y0 - y, y1 - y), slice(x0 - x, x1 - x))
        np.copyto(planes.y[y0:y1, x0:x1], self.pixels.y[src], where=self.mask[src])
        src = (slice((y0 - y) // 2, (y1 - y) // 2), slice((x0 - x) // 2, (x1 - x) // 2))
        dst = (slice(y0 // 2, y1 // 2), slice(x0 // 2, x1 // 2))
        np.copyto(planes.u[dst], self.pixels.u[src], where=self.mask2[src])
        np.copyto(planes.v[dst], self.pixels.v[src], where=self.mask2[src])


def _even(value: float) -> int:
    return int(round(value / 2)) * 2


# ---------------------------------------------------------------------------- colour

_LUMA = np.array([0.2126, 0.7152, 0.0722], np.float32)  # BT.709; multiplied, not @ (BLAS threads)
_TIME_GAIN = {
    "dawn": (0.95, 0.85, 0.85),
    "day": (1.0, 1.0, 1.0),
    "sunset": (1.0, 0.78, 0.62),
    "night": (0.32, 0.36, 0.55),
}
_SKY = {  # (top, horizon)
    "dawn": ((60, 80, 150), (250, 185, 150)),
    "day": ((60, 130, 225), (175, 210, 245)),
    "sunset": ((50, 45, 110), (250, 135, 60)),
    "night": ((4, 6, 22), (20, 30, 65)),
}
_FOG = {
    "dawn": (220, 200, 200),
    "day": (205, 210, 215),
    "sunset": (210, 170, 150),
    "night": (55, 60, 80),
}
_OVERCAST = (125, 130, 140)
_LIT_WINDOW = (255, 210, 120)


def _hue(unit: float, saturation: float = 0.65, value: float = 0.85) -> Rgb:
    r, g, b = colorsys.hsv_to_rgb(unit % 1.0, saturation, value)
    return round(r * 255), round(g * 255), round(b * 255)


def _rotate_hue(color: Rgb, turn: float) -> Rgb:
    h, s, v = colorsys.rgb_to_hsv(*(c / 255 for c in color))
    return _hue(h + turn, s, v)


# ---------------------------------------------------------------------------- the stage


@dataclass(frozen=True)
class _Stage:
    """Geometry and look shared by everything drawn for one shot."""

    look: Look
    width: int  # the frame
    height: int
    strip: int  # the backdrop's width: the frame plus the camera's travel
    origin: float  # the camera's left edge in the backdrop at t=0
    horizon: int
    colors: dict[str, Rgb]  # subject name -> a colour the prompt named but did not attach
    tint: Rgb | None  # such colours tint the light when no subject can wear them

    @property
    def unit(self) -> int:
        return min(self.width, self.height)

    def x(self, s: Subject) -> float:
        return self.origin + s.x * self.width

    def place(self, s: Subject) -> tuple[float, float, float, float]:
        """(centre x, ground line y, height, depth) in backdrop pixels."""
        return self.x(s), s.y * self.height, s.size * self.unit, self.depth(s)

    def depth(self, s: Subject) -> float:
        """0 near the camera, 1 at the horizon: how much fog sits in front of a subject."""
        distance = (s.y * self.height - self.horizon) / max(1, self.height - self.horizon)
        return min(1.0, max(0.0, 1 - distance))

    def grade(
        self, rgb: np.ndarray, depth: float | np.ndarray, emissive: bool = False
    ) -> np.ndarray:
        """The look applied to colours (..., 3): saturation, tint, light, weather and fog.
        `depth` (0 near, 1 at the horizon) sets the fog; emissive light ignores the dark."""
        look = self.look
        rgb = np.asarray(rgb, np.float32)
        saturation = look.saturation
        for weather, factor in (("rain", 0.6), ("snow", 0.75), ("fog", 0.8)):
            if weather in look.weather:
                saturation *= factor
        luma = (rgb * _LUMA).sum(axis=-1, keepdims=True)
        rgb = luma + (rgb - luma) * saturation
        if self.tint:  # keeps the brightness
            tint = np.array(self.tint, np.float32)
            rgb = rgb * (0.8 + 0.2 * tint / max(float((tint * _LUMA).sum()), 16.0))
        if not emissive:
            rgb = rgb * np.array(_TIME_GAIN[look.time_of_day], np.float32)
        if "rain" in look.weather:
            rgb = rgb * 0.8
        if "fog" in look.weather:
            haze = (0.2 + 0.45 * np.asarray(depth, np.float32))[..., None]
            rgb = rgb * (1 - haze) + np.array(_FOG[look.time_of_day], np.float32) * haze
        return np.clip(rgb, 0, 255)

    def shade(self, color: Rgb, depth: float, emissive: bool = False) -> Rgb:
        r, g, b = self.grade(np.array(color, np.float32), depth, emissive)
        return round(float(r)), round(float(g)), round(float(b))

    def color(self, s: Subject) -> Rgb:
        named = s.color or self.colors.get(s.name)
        return named or _DEFAULT_COLORS.get(s.name) or _hue(hash_unit(s.name))


_DEFAULT_COLORS: dict[str, Rgb] = {
    "fox": (210, 100, 40),
    "cat": (110, 110, 120),
    "kitten": (200, 150, 90),
    "dog": (150, 100, 60),
    "puppy": (190, 140, 90),
    "wolf": (120, 120, 128),
    "horse": (120, 80, 50),
    "deer": (160, 110, 70),
    "bear": (80, 55, 40),
    "rabbit": (185, 175, 165),
    "cow": (235, 235, 235),
    "sheep": (235, 235, 225),
    "lion": (200, 150, 60),
    "tiger": (230, 120, 30),
    "astronaut": (235, 235, 240),
    "robot": (180, 185, 195),
    "taxi": (245, 200, 40),
    "bird": (40, 40, 50),
    "crow": (30, 30, 35),
    "eagle": (90, 60, 40),
    "seagull": (235, 235, 235),
    "gull": (235, 235, 235),
    "dove": (235, 235, 235),
}
_COLORED_KINDS = MOBILE_KINDS | {"shape"}


def _stage(scene: Scene, width: int, height: int) -> _Stage:
    look = scene.look
    margin = _even(PAN_SPAN * width) if look.camera in ("pan", "orbit") else 0
    uncolored = (s for s in scene.subjects if s.kind in _COLORED_KINDS and s.color is None)
    names = list(dict.fromkeys(s.name for s in uncolored))
    colors, tint = {}, None
    if look.colors:
        colors = {n: look.colors[i % len(look.colors)] for i, n in enumerate(names)}
        tint = None if names else look.colors[0]
    horizon = round(scene.horizon * height)
    stage = _Stage(look, width, height, width + margin, 0.0, horizon, colors, tint)
    return dataclasses.replace(stage, origin=_camera(stage, 0.0))


def _camera(stage: _Stage, t: float) -> float:
    """The camera's left edge in the backdrop, in pixels, t seconds into its move."""
    look, travel = stage.look, stage.strip - stage.width
    if look.camera == "pan":
        sweep = 1 - abs((t / PAN_SECONDS) % 2 - 1)  # 0 -> 1 -> 0 ...
        return travel * (sweep if look.heading > 0 else 1 - sweep)
    if look.camera == "orbit":
        return travel / 2 * (1 + look.heading * math.sin(2 * math.pi * t / ORBIT_SECONDS))
    return 0.0


# ---------------------------------------------------------------------------- the backdrop

Draw = ImageDraw.ImageDraw


def _backdrop(stage: _Stage, scene: Scene, reference: Image.Image | None) -> Image.Image:
    """Sky, ground and all the scenery that never moves, as wide as the camera travels."""
    if reference is None:
        image = _sky_and_ground(stage, scene)
    else:
        still = stage.grade(np.asarray(reference), 0.6).astype(np.uint8)
        mirrored = np.concatenate([still[:, ::-1], still, still[:, ::-1]], axis=1)
        left = stage.width - round(stage.origin)
        image = Image.fromarray(mirrored[:, left : left + stage.strip])
    draw = ImageDraw.Draw(image)
    if reference is None:
        _draw_sky_details(draw, stage, np.random.default_rng([scene.seed, 0]))
    layers = ("sun", "moon", "mountain", "city", "ocean")
    scenery = [s for s in scene.subjects if s.kind not in MOBILE_KINDS]
    scenery.sort(key=lambda s: (layers.index(s.kind) if s.kind in layers else len(layers), s.y))
    for subject in scenery:
        # each subject its own random details, so a remix that changes the light keeps them
        rng = np.random.default_rng([scene.seed, int(hash_unit(f"{subject}") * 2**32)])
        _SCENERY[subject.kind](draw, stage, subject, rng)
    return image


def _sky_and_ground(stage: _Stage, scene: Scene) -> Image.Image:
    look, horizon = stage.look, stage.horizon
    top, bottom = (np.array(c, np.float32) for c in _SKY[look.time_of_day])
    if look.weather & {"rain", "snow"}:
        grey = np.array(_OVERCAST, np.float32) * np.array(_TIME_GAIN[look.time_of_day])
        top, bottom = top * 0.45 + grey * 0.55, bottom * 0.45 + grey * 0.55
    f = np.linspace(0, 1, horizon, dtype=np.float32)[:, None]
    sky = stage.grade(top * (1 - f) + bottom * f, 1.0, emissive=True)
    if any(s.kind == "ocean" for s in scene.subjects):
        far, near = (40, 110, 165), (12, 55, 105)
    elif "snow" in look.weather:
        far, near = (235, 238, 245), (200, 205, 220)
    else:
        grass = _rotate_hue((70, 140, 60), (look.accent - 0.5) * 0.3)
        far, near = tuple(min(255, c * 1.1) for c in grass), tuple(c * 0.7 for c in grass)
    g = np.linspace(0, 1, stage.height - horizon, dtype=np.float32)[:, None]
    ground = np.array(far, np.float32) * (1 - g) + np.array(near, np.float32) * g
    ground = stage.grade(ground, 0.9 - 0.8 * g[:, 0])
    column = np.concatenate([sky, ground]).astype(np.uint8)[:, None]
    return Image.fromarray(column).resize((stage.strip, stage.height), Image.Resampling.NEAREST)


def _draw_sky_details(draw: Draw, stage: _Stage, rng: np.random.Generator) -> None:
    """Stars on a clear night, clouds otherwise (more and greyer under rain or snow)."""
    look, horizon, unit = stage.look, stage.horizon, stage.unit
    overcast = bool(look.weather & {"rain", "snow"})
    if look.time_of_day == "night":
        if not overcast:
            count = stage.strip * horizon // 1500
            xs, ys = rng.integers(0, stage.strip, count), rng.integers(0, horizon * 0.85, count)
            for x, y, light in zip(xs, ys, rng.uniform(90, 250, count), strict=True):
                star = stage.shade((int(light), int(light), int(light)), 1.0, emissive=True)
                draw.rectangle((x, y, x + 1, y + 1), fill=star)
        return
    color = stage.shade((185, 188, 195) if overcast else (248, 248, 252), 1.0)
    for _ in range(int(rng.integers(2, 5)) + (3 if overcast else 0)):
        cx, cy = rng.uniform(0, stage.strip), rng.uniform(0.05, 0.7) * horizon
        size = rng.uniform(0.06, 0.12) * unit
        for dx, dy, r in ((-1.0, 0.2, 0.7), (0.0, 0.0, 1.0), (1.1, 0.25, 0.65), (0.5, 0.35, 0.7)):
            x, y, rx, ry = cx + dx * size, cy + dy * size, r * size * 1.3, r * size
            draw.ellipse((x - rx, y - ry, x + rx, y + ry), fill=color)


def _draw_sun(draw: Draw, stage: _Stage, s: Subject, rng: np.random.Generator) -> None:
    low = stage.look.time_of_day in ("dawn", "sunset")
    r = s.size * stage.unit / 2 * (1.3 if low else 1.0)
    cx, cy = stage.x(s), stage.horizon - r * 0.4 if low else s.y * stage.height
    core = (255, 150, 70) if low else (255, 236, 140)
    halo = stage.shade(
        ((core[0] + 255) // 2, (core[1] + 255) // 2, (core[2] + 255) // 2), 1.0, True
    )
    draw.ellipse((cx - 1.4 * r, cy - 1.4 * r, cx + 1.4 * r, cy + 1.4 * r), fill=halo)
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=stage.shade(core, 1.0, emissive=True))


def _draw_moon(draw: Draw, stage: _Stage, s: Subject, rng: np.random.Generator) -> None:
    r, cx, cy = s.size * stage.unit / 2, stage.x(s), s.y * stage.height
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=stage.shade((235, 235, 215), 1.0, True))
    crater = stage.shade((205, 205, 190), 1.0, True)
    for dx, dy, k in ((-0.3, -0.2, 0.22), (0.25, 0.3, 0.15), (0.35, -0.35, 0.1)):
        x, y = cx + dx * r, cy + dy * r
        draw.ellipse((x - k * r, y - k * r, x + k * r, y + k * r), fill=crater)


def _draw_mountain(draw: Draw, stage: _Stage, s: Subject, rng: np.random.Generator) -> None:
    h, cx, base = s.size * stage.unit, stage.x(s), stage.horizon + 1
    w = 1.1 * h
    rock, snow = stage.shade((95, 105, 130), 0.85), stage.shade((240, 242, 248), 0.85)
    draw.polygon([(cx - w, base), (cx, base - h), (cx + w, base)], fill=rock)
    cap = [(-0.28, 0.72), (-0.1, 0.78), (0.0, 1.0), (0.12, 0.8), (0.28, 0.72)]
    draw.polygon([(cx + dx * w, base - dy * h) for dx, dy in cap], fill=snow)


def _draw_city(draw: Draw, stage: _Stage, s: Subject, rng: np.random.Generator) -> None:
    """A skyline across the whole backdrop; windows light up after sunset."""
    look, unit, base = stage.look, stage.unit, stage.horizon + 1
    lit_share = {"night": 0.55, "sunset": 0.3}.get(look.time_of_day, 0.0)
    lit, unlit = stage.shade(_LIT_WINDOW, 0.75, True), stage.shade((120, 150, 185), 0.75)
    step_x, step_y = 0.028 * unit, 0.036 * unit
    x = -rng.uniform(0, 0.1) * unit
    while x < stage.strip:
        w, h = rng.uniform(0.08, 0.16) * unit, rng.uniform(0.3, 1.0) * s.size * unit
        tone = rng.uniform(0.8, 1.2)
        wall = stage.shade((int(70 * tone), int(75 * tone), int(95 * tone)), 0.75)
        draw.rectangle((x, base - h, x + w, base), fill=wall)
        for wy in np.arange(base - h + 0.6 * step_y, base - step_y, step_y):
            for wx in np.arange(x + 0.4 * step_x, x + w - 0.6 * step_x, step_x):
                window = lit if rng.random() < lit_share else unlit
                draw.rectangle((wx, wy, wx + 0.45 * step_x, wy + 0.45 * step_y), fill=window)
        x += w + rng.uniform(0.0, 0.03) * unit


def _draw_ocean(draw: Draw, stage: _Stage, s: Subject, rng: np.random.Generator) -> None:
    """The ground is already water (see `_sky_and_ground`): add wave crests, longer up close."""
    horizon, depth = stage.horizon, stage.height - stage.horizon
    for _ in range(stage.strip * depth // 3000):
        y = rng.uniform(horizon + 3, stage.height)
        near = (y - horizon) / depth
        x, length = rng.uniform(0, stage.strip), (0.01 + 0.05 * near) * stage.unit
        crest = stage.shade((150, 200, 230), 0.9 - 0.8 * near)
        draw.line((x, y, x + length, y), fill=crest, width=max(1, round(3 * near)))


def _draw_tree(draw: Draw, stage: _Stage, s: Subject, rng: np.random.Generator) -> None:
    cx, base, h, depth = stage.place(s)
    look = stage.look
    leaves = stage.shade(_rotate_hue((50, 130, 55), (look.accent - 0.5) * 0.15), depth)
    snow = stage.shade((240, 242, 248), depth) if "snow" in look.weather else None
    trunk = stage.shade((95, 65, 40), depth)
    draw.rectangle((cx - 0.05 * h, base - 0.4 * h, cx + 0.05 * h, base), fill=trunk)
    if s.name in ("pine", "forest", "woods"):
        for i in range(3):
            top, bottom, w = (
                base - (1 - 0.2 * i) * h,
                base - (0.55 - 0.2 * i) * h,
                (0.2 + 0.06 * i) * h,
            )
            draw.polygon([(cx - w, bottom), (cx, top), (cx + w, bottom)], fill=leaves)
            if snow:
                cap = top + 0.12 * h
                draw.polygon([(cx - 0.3 * w, cap), (cx, top), (cx + 0.3 * w, cap)], fill=snow)
        return
    for dx, dy, r in ((-0.16, 0.55, 0.2), (0.16, 0.55, 0.2), (0.0, 0.75, 0.25)):
        x, y = cx + dx * h, base - dy * h
        draw.ellipse((x - r * h, y - r * h, x + r * h, y + r * h), fill=leaves)
    if snow:
        draw.chord((cx - 0.2 * h, base - h, cx + 0.2 * h, base - 0.7 * h), 180, 360, fill=snow)


def _draw_house(draw: Draw, stage: _Stage, s: Subject, rng: np.random.Generator) -> None:
    """Windows glow after sunset; snow settles on the roof."""
    cx, base, h, depth = stage.place(s)
    look, w = stage.look, 1.2 * h
    if look.time_of_day in ("night", "sunset"):
        window = stage.shade(_LIT_WINDOW, depth, True)
    else:
        window = stage.shade((150, 190, 220), depth)
    wall, door = stage.shade((205, 175, 135), depth), stage.shade((90, 60, 40), depth)
    roof = stage.shade((240, 242, 248) if "snow" in look.weather else (150, 60, 50), depth)
    eaves = base - 0.6 * h
    draw.rectangle((cx - w / 2, eaves, cx + w / 2, base), fill=wall)
    draw.polygon([(cx - 0.6 * w, eaves), (cx, base - h), (cx + 0.6 * w, eaves)], fill=roof)
    draw.rectangle((cx - 0.08 * w, base - 0.32 * h, cx + 0.08 * w, base), fill=door)
    for x in (cx - 0.3 * w, cx + 0.3 * w):
        draw.rectangle((x - 0.09 * w, base - 0.45 * h, x + 0.09 * w, base - 0.27 * h), fill=window)


def _draw_shape(draw: Draw, stage: _Stage, s: Subject, rng: np.random.Generator) -> None:
    """An unknown word: its hash picks circle, square, triangle, diamond or star, and a hue."""
    r, cx, cy = s.size * stage.unit / 2, stage.x(s), s.y * stage.height
    fill = stage.shade(stage.color(s), 0.4)
    variant = ("circle", "square", "triangle", "diamond", "star")[int(hash_unit(s.name) * 5)]
    if variant == "circle":
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=fill)
        return
    corners, turn, radii = {
        "square": (4, math.pi / 4, (r,)),
        "triangle": (3, 0.0, (r,)),
        "diamond": (4, 0.0, (r,)),
        "star": (10, 0.0, (r, 0.45 * r)),
    }[variant]
    angles = [turn + 2 * math.pi * i / corners for i in range(corners)]
    radius = [radii[i % len(radii)] for i in range(corners)]
    points = [
        (cx + q * math.sin(a), cy - q * math.cos(a)) for q, a in zip(radius, angles, strict=True)
    ]
    draw.polygon(points, fill=fill)


_SCENERY = {
    "sun": _draw_sun,
    "moon": _draw_moon,
    "mountain": _draw_mountain,
    "city": _draw_city,
    "ocean": _draw_ocean,
    "tree": _draw_tree,
    "house": _draw_house,
    "shape": _draw_shape,
}


# ---------------------------------------------------------------------------- moving subjects
# Each draws its poses facing right, in units of the sprite's height (so the numbers read as
# proportions); `_Mover` mirrors them for subjects heading left and cycles through them.

Point = tuple[float, float]
Box = tuple[float, float, float, float]


class _Pen:
    """A transparent canvas `aspect` heights wide, drawn on in units of its height."""

    def __init__(self, aspect: float, height: int) -> None:
        self.image = Image.new("RGBA", (max(2, _even(aspect * height)), height))
        self.draw = ImageDraw.Draw(self.image)
        self.unit = height

    def _points(self, points: list[Point]) -> list[Point]:
        return [(x * self.unit, y * self.unit) for x, y in points]

    def _box(self, box: Box) -> Box:
        x0, y0, x1, y1 = (c * self.unit for c in box)
        return x0, y0, x1, y1

    def polygon(self, points: list[Point], fill: Rgb) -> None:
        self.draw.polygon(self._points(points), fill=fill)

    def line(self, points: list[Point], fill: Rgb, width: float) -> None:
        thickness = max(2, round(width * self.unit))
        self.draw.line(self._points(points), fill=fill, width=thickness, joint="curve")

    def ellipse(self, box: Box, fill: Rgb) -> None:
        self.draw.ellipse(self._box(box), fill=fill)

    def chord(self, box: Box, start: float, end: float, fill: Rgb) -> None:
        self.draw.chord(self._box(box), start, end, fill=fill)

    def rectangle(self, box: Box, fill: Rgb, radius: float = 0.0) -> None:
        self.draw.rounded_rectangle(self._box(box), radius * self.unit, fill=fill)


Poses = list[Image.Image]


def _animal_poses(stage: _Stage, s: Subject, h: int, depth: float) -> Poses:
    """Four legs that swap stride between the two poses; ears and tail by species."""
    body, dark = stage.shade(stage.color(s), depth), stage.shade((25, 20, 20), depth)
    light, name = stage.shade((240, 235, 225), depth), s.name
    poses = []
    for stride in (-1, 1):
        pen = _Pen(1.6, h)
        for x, phase in ((0.45, 1), (0.6, -1), (0.98, -1), (1.12, 1)):
            foot = x + 0.07 * stride * phase
            pen.polygon(
                [(x - 0.045, 0.6), (x + 0.045, 0.6), (foot + 0.04, 1), (foot - 0.04, 1)], body
            )
        if name in ("fox", "wolf"):  # bushy
            pen.polygon([(0.42, 0.45), (0.02, 0.3), (0.0, 0.48), (0.4, 0.62)], body)
            pen.polygon([(0.12, 0.34), (0.02, 0.3), (0.0, 0.48), (0.1, 0.46)], light)
        elif name in ("cat", "kitten", "tiger", "lion"):  # thin, held up
            pen.line([(0.4, 0.45), (0.22, 0.3), (0.2, 0.08)], body, 0.06)
        elif name in ("horse", "cow"):  # hanging
            pen.line([(0.38, 0.42), (0.3, 0.75)], dark, 0.07)
        else:  # a stub
            pen.line([(0.4, 0.45), (0.28, 0.36)], body, 0.08)
        pen.ellipse((0.35, 0.35, 1.2, 0.72), body)
        if name == "fox":
            pen.chord((0.95, 0.38, 1.25, 0.72), 30, 200, light)
        pen.ellipse((1.08, 0.14, 1.42, 0.46), body)  # head
        pen.polygon([(1.36, 0.24), (1.6, 0.36), (1.36, 0.44)], body)  # snout
        pen.ellipse((1.55, 0.32, 1.6, 0.38), dark)  # nose
        pen.ellipse((1.3, 0.23, 1.35, 0.28), dark)  # eye
        if name in ("dog", "puppy", "sheep", "cow"):  # floppy ears
            pen.ellipse((1.1, 0.16, 1.2, 0.42), dark)
        elif name == "rabbit":
            pen.ellipse((1.12, -0.2, 1.2, 0.25), body)
            pen.ellipse((1.22, -0.2, 1.3, 0.25), body)
        elif name == "bear":
            pen.ellipse((1.1, 0.1, 1.2, 0.22), body)
        else:  # pointed ears
            pen.polygon([(1.13, 0.24), (1.18, 0.0), (1.27, 0.19)], body)
            pen.polygon([(1.26, 0.19), (1.34, 0.01), (1.4, 0.23)], body)
        poses.append(pen.image)
    return poses


def _person_poses(stage: _Stage, s: Subject, h: int, depth: float) -> Poses:
    body, dark = stage.shade(stage.color(s), depth), stage.shade((50, 50, 70), depth)
    astronaut = s.name == "astronaut"
    head = stage.shade((240, 240, 245) if astronaut else (225, 185, 150), depth)
    poses = []
    for stride in (-1, 1):
        pen = _Pen(0.6, h)
        pen.line([(0.26, 0.6), (0.24 + 0.1 * stride, 1.0)], dark, 0.07)  # legs
        pen.line([(0.34, 0.6), (0.36 - 0.1 * stride, 1.0)], dark, 0.07)
        pen.line([(0.3, 0.26), (0.3 - 0.12 * stride, 0.56)], body, 0.07)  # arm
        pen.rectangle((0.18, 0.2, 0.42, 0.64), body, radius=0.06)
        pen.ellipse((0.2, 0.0, 0.4, 0.2), head)
        if astronaut:
            pen.ellipse((0.27, 0.05, 0.39, 0.14), stage.shade((40, 60, 90), depth))  # visor
        poses.append(pen.image)
    return poses


def _car_poses(stage: _Stage, s: Subject, h: int, depth: float) -> Poses:
    """Headlights and tail lights glow (they ignore the night)."""
    pen = _Pen(2.4, h)
    body, dark = stage.shade(stage.color(s), depth), stage.shade((25, 25, 30), depth)
    glass, hub = stage.shade((150, 190, 220), depth), stage.shade((160, 160, 170), depth)
    pen.polygon([(0.55, 0.4), (0.8, 0.05), (1.6, 0.05), (1.9, 0.4)], body)
    pen.polygon([(0.7, 0.38), (0.88, 0.12), (1.18, 0.12), (1.18, 0.38)], glass)
    pen.polygon([(1.26, 0.38), (1.26, 0.12), (1.55, 0.12), (1.78, 0.38)], glass)
    pen.rectangle((0.0, 0.36, 2.39, 0.84), body, radius=0.12)
    for x in (0.55, 1.85):
        pen.ellipse((x - 0.18, 0.64, x + 0.18, 0.99), dark)
        pen.ellipse((x - 0.07, 0.75, x + 0.07, 0.89), hub)
    pen.rectangle((2.26, 0.46, 2.39, 0.58), stage.shade((255, 240, 180), depth, True))
    pen.rectangle((0.0, 0.46, 0.08, 0.58), stage.shade((230, 40, 40), depth, True))
    return [pen.image]


def _bird_poses(stage: _Stage, s: Subject, h: int, depth: float) -> Poses:
    color = stage.shade(stage.color(s), depth)
    poses = []
    for tip in (0.12, 0.88):  # wings up, wings down
        pen = _Pen(2.0, h)
        pen.line([(0.05, tip), (0.55, 0.55), (1.0, 0.45), (1.45, 0.55), (1.95, tip)], color, 0.16)
        poses.append(pen.image)
    return poses


def _boat_poses(stage: _Stage, s: Subject, h: int, depth: float) -> Poses:
    pen = _Pen(1.6, h)
    hull, sail = stage.shade(stage.color(s), depth), stage.shade((245, 245, 240), depth)
    pen.line([(0.8, 0.05), (0.8, 0.72)], stage.shade((60, 45, 35), depth), 0.03)  # mast
    pen.polygon([(0.84, 0.05), (0.84, 0.66), (1.35, 0.66)], sail)
    pen.polygon([(0.76, 0.12), (0.76, 0.66), (0.35, 0.66)], sail)
    pen.polygon([(0.0, 0.7), (1.6, 0.7), (1.35, 1.0), (0.25, 1.0)], hull)
    return [pen.image]


_POSES = {
    "animal": _animal_poses,
    "person": _person_poses,
    "car": _car_poses,
    "bird": _bird_poses,
    "boat": _boat_poses,
}
_POSE_HZ = 6.0  # pose changes per second (trot, stride, wing beat)
_BOB = {"bird": 0.01, "boat": 0.004, "animal": 0.004, "person": 0.004}  # in frame heights


@dataclass
class _Mover:
    """A moving subject: precomputed sprites and where they are at time t."""

    sprites: list[_Sprite]
    left: float  # left edge in the backdrop at t=0
    top: float
    speed: float  # pixels per second
    bob: float  # pixels
    span: float  # backdrop width: movers leave one side and come back on the other

    @classmethod
    def of(cls, stage: _Stage, s: Subject) -> _Mover:
        h = max(2, _even(s.size * stage.unit))
        depth = 0.5 if s.kind == "bird" else stage.depth(s)
        poses = _POSES[s.kind](stage, s, h, depth)
        if s.speed < 0:
            poses = [ImageOps.mirror(pose) for pose in poses]
        sprites = [_Sprite.of(pose) for pose in poses]
        width = sprites[0].mask.shape[1]
        top = s.y * stage.height - (h / 2 if s.kind == "bird" else h)
        bob = _BOB.get(s.kind, 0.0) * stage.height
        return cls(sprites, stage.x(s) - width / 2, top, s.speed * stage.width, bob, stage.strip)

    def paint(self, t: float, camera: int, planes: _Planes) -> None:
        width = self.sprites[0].mask.shape[1]
        left = (self.left + self.speed * t + width) % (self.span + width) - width
        top = self.top - self.bob * abs(math.sin(math.pi * _POSE_HZ / 2 * t))
        sprite = self.sprites[int(t * _POSE_HZ) % len(self.sprites)]
        sprite.blit(planes, _even(left - camera), _even(top))


# ---------------------------------------------------------------------------- weather

RAIN_AREA = 6000  # frame pixels per raindrop: each costs the encoder, so keep them sparse
SNOW_AREA = 6000  # frame pixels per snowflake
RAIN_SLANT = -0.2  # columns per row: the wind


@dataclass
class _Particles:
    """Raindrops or snowflakes: random starts, and positions a pure function of time."""

    x: np.ndarray  # start, in pixels
    y: np.ndarray
    fall: np.ndarray  # pixels per second
    sway: np.ndarray  # side-to-side drift in pixels (snow)
    hz: np.ndarray
    phase: np.ndarray
    shape: tuple[np.ndarray, np.ndarray]  # (rows, columns) of each particle's pixels
    slant: float = 0.0  # columns moved per row fallen

    @classmethod
    def scatter(
        cls,
        rng: np.random.Generator,
        count: int,
        size: tuple[int, int],
        fall: tuple[float, float],
        sway: float,
        shape: tuple[np.ndarray, np.ndarray],
        slant: float = 0.0,
    ) -> _Particles:
        width, height = size
        return cls(
            rng.uniform(0, width, count),
            rng.uniform(0, height, count),
            rng.uniform(*fall, count) * height,
            rng.uniform(0, sway, count) * width,
            rng.uniform(0.2, 0.6, count),
            rng.uniform(0, 2 * math.pi, count),
            shape,
            slant,
        )

    def pixels(self, t: float, width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
        """(rows, columns) covered at time t, one row per particle, wrapping at the edges."""
        fallen = self.fall * t
        x = self.x + fallen * self.slant + self.sway * np.sin(2 * np.pi * self.hz * t + self.phase)
        rows = ((self.y + fallen).astype(np.intp)[:, None] + self.shape[0]) % height
        cols = (x.astype(np.intp)[:, None] + self.shape[1]) % width
        return rows, cols


class _Weather:
    """Rain streaks lighten what they cross; snowflakes are white, a little grey at night."""

    def __init__(self, seed: int, look: Look, width: int, height: int) -> None:
        rng = np.random.default_rng([seed, 1])
        self.size = (width, height)
        light = float(np.mean(_TIME_GAIN[look.time_of_day]))
        self.rain = self.flakes = self.big_flakes = None
        if "rain" in look.weather:
            streak = np.arange(max(4, round(0.025 * height)))
            shape = (streak, np.rint(streak * RAIN_SLANT).astype(np.intp))
            count = width * height // RAIN_AREA
            self.rain = _Particles.scatter(rng, count, self.size, (0.9, 1.4), 0, shape, RAIN_SLANT)
            self.rain_level = np.uint8(round((60 + 150 * light) / 2))  # half of the streak's light
        if "snow" in look.weather:
            count = width * height // SNOW_AREA
            square, disc = np.ones((3, 3), bool), np.hypot(*np.mgrid[-2:3, -2:3]) <= 2.3
            self.flakes = _Particles.scatter(
                rng, count * 2 // 3, self.size, (0.06, 0.16), 0.02, np.nonzero(square)
            )
            self.big_flakes = _Particles.scatter(
                rng, count // 3, self.size, (0.06, 0.16), 0.02, np.nonzero(disc)
            )
            self.snow_level = np.uint8(round(80 + 150 * light))

    def paint(self, t: float, planes: _Planes) -> None:
        if self.rain is not None:
            rows, cols = self.rain.pixels(t, *self.size)
            planes.y[rows, cols] = (planes.y[rows, cols] >> 1) + self.rain_level
        for flakes in (self.flakes, self.big_flakes):
            if flakes is not None:
                rows, cols = flakes.pixels(t, *self.size)
                planes.y[rows, cols] = self.snow_level
                planes.u[rows[:, 0] // 2, cols[:, 0] // 2] = 128
                planes.v[rows[:, 0] // 2, cols[:, 0] // 2] = 128


# ---------------------------------------------------------------------------- shots


class _Shot:
    """One segment's scene, everything that stands still prepared once; `paint` makes frames."""

    def __init__(self, segment: _Segment, width: int, height: int) -> None:
        scene = segment.scene
        self.stage = stage = _stage(scene, width, height)
        self.start, self.end, self.camera_start = segment.start, segment.end, segment.camera_start
        reference = None
        if segment.reference is not None:
            reference = _reference_image(segment.reference, width, height)
        self.backdrop = _to_yuv(_backdrop(stage, scene, reference))
        movers = sorted((s for s in scene.subjects if s.kind in MOBILE_KINDS), key=lambda s: s.y)
        self.movers = [_Mover.of(stage, s) for s in movers]
        self.weather = _Weather(scene.seed, scene.look, width, height)
        self.caption_top, self.caption = _caption(scene.caption, width, height)
        self.still = _to_yuv(reference) if segment.fade_in and reference is not None else None
        zooming = scene.look.camera == "zoom"
        self.zoom_centre = _zoom_centre(stage, scene)
        self.canvas = _Planes.blank(width, height) if zooming else None  # drawn here, then scaled

    def paint(self, index: int, planes: _Planes) -> None:
        """Subjects and weather move with the clip's time; the camera with its move's time."""
        t, width = index / FPS, self.stage.width
        move = (index - self.camera_start) / FPS
        camera = round(_camera(self.stage, move))  # chroma follows to the nearest even pixel
        target = planes if self.canvas is None else self.canvas
        for plane, backdrop, step in zip(target, self.backdrop, (1, 2, 2), strict=True):
            plane[:] = backdrop[:, camera // step : camera // step + width // step]
        for mover in self.movers:
            mover.paint(t, camera, target)
        if self.canvas is not None:
            _zoom(self.canvas, planes, self.zoom_centre, 1 + ZOOM_PER_SECOND * move)
        self.weather.paint(t, planes)
        _paint_caption(planes, self.caption_top, self.caption)
        fading = (index - self.start) / (REFERENCE_FADE_SECONDS * FPS)
        if self.still is not None and fading < 1:
            weight = int(256 * fading)
            for plane, still in zip(planes, self.still, strict=True):
                plane[:] = (still.astype(np.uint16) * (256 - weight) + plane * weight) >> 8


def _zoom_centre(stage: _Stage, scene: Scene) -> tuple[float, float]:
    """The first moving subject's place at t=0, else the middle of the frame."""
    for s in scene.subjects:
        if s.kind in MOBILE_KINDS:
            return s.x * stage.width, s.y * stage.height - s.size * stage.unit / 2
    return stage.width / 2, stage.height / 2


def _zoom(source: _Planes, planes: _Planes, centre: tuple[float, float], scale: float) -> None:
    """Nearest-neighbour scale about `centre`, kept inside the picture."""
    for plane, image, step in zip(planes, source, (1, 2, 2), strict=True):
        height, width = image.shape
        left = min(max(centre[0] / step - width / scale / 2, 0), width - width / scale)
        top = min(max(centre[1] / step - height / scale / 2, 0), height - height / scale)
        rows = (top + np.arange(height) / scale).astype(np.intp)
        cols = (left + np.arange(width) / scale).astype(np.intp)
        np.take(image[rows], cols, axis=1, out=plane, mode="clip")


Caption = tuple[np.ndarray, np.ndarray, np.ndarray]  # text luma, text mask, chroma mask


def _caption(text: str, width: int, height: int) -> tuple[int, Caption]:
    """The prompt in at most CAPTION_LINES lines; returns the bar's top row and its text."""
    size = max(10, round(min(width, height) * 0.032))
    font = ImageFont.load_default(size=size)
    pad, line_height = round(0.6 * size), round(1.3 * size)
    lines = _wrap(text or " ", font, width - 2 * pad)
    bar_height = _even(len(lines) * line_height + 2 * pad)
    alpha = Image.new("L", (width, bar_height))
    draw = ImageDraw.Draw(alpha)
    for i, line in enumerate(lines):
        draw.text((pad, pad + i * line_height), line, fill=255, font=font)
    a = np.asarray(alpha).astype(np.uint16)
    text_y = ((28 * (255 - a) + 235 * a) // 255).astype(np.uint8)  # white over the dark bar
    mask = a > 0
    return height - bar_height, (text_y, mask, mask[::2, ::2] | mask[1::2, 1::2])


def _paint_caption(planes: _Planes, top: int, caption: Caption) -> None:
    """Darken the bar to a quarter (cheap shifts, no blending), then set the text."""
    text_y, mask, mask2 = caption
    bar_y, bar_u, bar_v = planes.y[top:], planes.u[top // 2 :], planes.v[top // 2 :]
    for bar, lift in ((bar_y, 12), (bar_u, 96), (bar_v, 96)):
        np.right_shift(bar, 2, out=bar)
        bar += np.uint8(lift)
    np.copyto(bar_y, text_y, where=mask)
    np.copyto(bar_u, 128, where=mask2)
    np.copyto(bar_v, 128, where=mask2)


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
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


def _longest_fit(text: str, font: ImageFont.FreeTypeFont, width: float) -> int:
    """How many leading characters fit in `width` (at least one)."""
    low, high = 1, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if font.getlength(text[:middle]) <= width:
            low = middle
        else:
            high = middle - 1
    return low


def _reference_image(data: bytes, width: int, height: int) -> Image.Image:
    try:
        with Image.open(io.BytesIO(data)) as image:
            rgb = image.convert("RGB")
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        raise ValueError(f"reference image is not a readable image: {error}") from None
    if rgb.size != (width, height):
        rgb = ImageOps.fit(rgb, (width, height))
    return rgb
