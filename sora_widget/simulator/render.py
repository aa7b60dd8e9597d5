"""Scene -> media files: the simulator's H.264 MP4, WebP thumbnail and JPEG spritesheet.

`render` runs in a worker process and must be fast (10x real time on one core), so each shot
draws everything that stands still once, with Pillow, into a backdrop wider than the frame,
converts it to YUV 4:2:0 once, and per frame only copies slices (camera), pastes small
precomputed sprites (moving subjects), writes particle pixels (weather) and darkens the caption
bar, straight into the planes of one reused `av.VideoFrame`: no per-frame colour conversion.
That painting lives in `paint/`; this module plans which scene is on screen when, encodes the
frames and writes the files.

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

Model families: each family's character (`families`) costs next to nothing per frame: its
grade is a lookup table applied once per shot to the backdrop and the sprites, its finish is
drawn into the backdrop, its sound's bandwidth and noise floor are one FFT over the track, and
its flaws (`paint/flaws.py`) touch only the frames they claim.

Sound: one mono AAC-LC track at 48 kHz of exactly the clip's length, made from the same scenes
by `sound/` and encoded by FFmpeg's native "aac" encoder (the wheel has no libfdk_aac) with its
"fast" coder, which costs half of the default "twoloop" and is plenty for a simulator. The whole
track is encoded before the first frame, and its packets are muxed in step with the video's,
so the file is interleaved as a player streams it. H.264 baseline plus AAC-LC in a faststart
MP4 plays in every browser that plays AAC (not VS Code's Electron: it ships no AAC decoder).
"""

from __future__ import annotations

import dataclasses
import io
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Final, NamedTuple

import av
import numpy as np
from av.video.reformatter import ColorPrimaries, ColorRange, Colorspace, ColorTrc
from PIL import Image

from sora_widget.core.atomic import atomic_path

# Shared with the client, which makes them for servers that have none.
from sora_widget.core.pictures import (
    SPRITE_COLUMNS,
    SPRITE_QUALITY,
    SPRITE_ROWS,
    SPRITE_TILE_WIDTH,
    SPRITE_TILES,
    THUMBNAIL_FORMAT,
    THUMBNAIL_QUALITY,
    sprite_tile_size,
)

from .continuation import fingerprint, print_size
from .families import character_of
from .flaw_choice import FlawChoice
from .paint.caption import CAPTION_LINES
from .paint.flaws import deal
from .paint.shot import REFERENCE_FADE_SECONDS, ZOOM_PER_SECOND, Segment, Shot
from .paint.stage import ORBIT_SECONDS, PAN_SECONDS, PAN_SPAN
from .paint.weather import RAIN_AREA, RAIN_SLANT, SNOW_AREA
from .paint.yuv import Planes
from .scene import Look, Scene, describe
from .sound.bandwidth import narrow
from .sound.track import FADE_SECONDS, sound_track
from .sound.voices import RATE as AUDIO_RATE

__all__ = [  # the public face; the painting's tuning constants are re-exported from paint/
    "RenderRequest",
    "RenderedAssets",
    "VideoProbe",
    "render",
    "audio_packets",
    "probe_video",
    "planned_flaws",
    "first_frame_png",
    "sprite_tile_size",
    "FPS",
    "ENCODER",
    "ENCODER_OPTIONS",
    "AUDIO_RATE",
    "AUDIO_ENCODER",
    "AUDIO_OPTIONS",
    "AUDIO_BIT_RATE",
    "FADE_SECONDS",
    "KEYFRAME_SECONDS",
    "THUMBNAIL_FORMAT",
    "THUMBNAIL_QUALITY",
    "SPRITE_COLUMNS",
    "SPRITE_ROWS",
    "SPRITE_TILES",
    "SPRITE_TILE_WIDTH",
    "SPRITE_QUALITY",
    "PAN_SPAN",
    "PAN_SECONDS",
    "ORBIT_SECONDS",
    "ZOOM_PER_SECOND",
    "REFERENCE_FADE_SECONDS",
    "CAPTION_LINES",
    "RAIN_AREA",
    "SNOW_AREA",
    "RAIN_SLANT",
]

FPS = 12
ENCODER: Final = "libx264"
ENCODER_OPTIONS = {"preset": "ultrafast", "profile": "baseline", "qp": "24"}
KEYFRAME_SECONDS = 2  # lets a player seek (and Compare scrub) without decoding from the start
AUDIO_ENCODER: Final = "aac"
AUDIO_OPTIONS = {"aac_coder": "fast"}
AUDIO_BIT_RATE = 96_000

# The spritesheet's layout (SPRITE_COLUMNS x SPRITE_ROWS tiles, tile i at (i + 0.5) /
# SPRITE_TILES of the duration) and the thumbnail's format live in `pictures`, shared.


@dataclass(frozen=True)
class RenderRequest:
    prompt: str
    width: int
    height: int
    seconds: int  # for an extension, the total: source plus continuation
    reference_image: bytes | None = None  # PNG/JPEG/WebP of width x height: first frame, backdrop
    source: RenderRequest | None = None  # remix, edit or extension: what made the source video
    extend: bool = False  # play the source for source.seconds, then continue with this prompt
    model: str = "sora-2"  # picks the family's character (see families.py)
    seed: int | None = None  # moves the composition deterministically (see `scene.describe`)
    negative_prompt: str = ""  # what its words mean is taken out of the scene
    last_frame: bytes | None = None  # an image the clip ends on (faded into)
    reference_images: tuple[bytes, ...] = ()  # shown as framed pictures in the scene
    generate_audio: bool = True  # False: the track is there, and silent
    flaws: FlawChoice = FlawChoice()  # the family's flaws, none, or one (see paint/flaws.py)
    # With source: goes on from the source's last frame, which reference_image is (see
    # `continuation`): its first frame only, its scene, camera and sound the source's, continued
    continuation: bool = False


@dataclass(frozen=True)
class RenderedAssets:
    video: Path
    thumbnail: Path
    spritesheet: Path
    ending: str  # the last frame's fingerprint, to know it again (see `continuation`)


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
    video = out_dir / "video.mp4"
    with atomic_path(video) as video_path:
        thumbnail, tiles, ending = _encode(request, video_path)
    assets = RenderedAssets(video, out_dir / "thumbnail.webp", out_dir / "spritesheet.jpg", ending)
    with atomic_path(assets.thumbnail) as path:
        Image.fromarray(thumbnail).save(path, THUMBNAIL_FORMAT, quality=THUMBNAIL_QUALITY, method=0)
    with atomic_path(assets.spritesheet) as path:
        _spritesheet(tiles).save(path, "JPEG", quality=SPRITE_QUALITY)
    return assets


def planned_flaws(request: RenderRequest) -> dict[str, tuple[int, int]]:
    """The flaws the render shows, each with its frames [first, end): a teacher's answer key,
    and what the tests and the docs' stills look at. An extension's source part shows its
    source's own."""
    frames = request.seconds * FPS
    character = character_of(request.model)
    size = (request.width, request.height)
    windows: dict[str, tuple[int, int]] = {}
    for s in _plan(request):
        if s.start < min(s.end, frames):
            windows |= deal(character, s.scene, size, (s.start, s.end), FPS, request.flaws)
    return windows


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


def _plan(request: RenderRequest) -> list[Segment]:
    """Which scene is on screen when: an extension plays its source, then its continuation."""
    lineage = []
    node: RenderRequest | None = request
    while node is not None:
        lineage.append(node)
        node = node.source
    scene: Scene | None = None
    reference: bytes | None = None
    segments: list[Segment] = []
    for node in reversed(lineage):
        scene = describe(node.prompt, scene, seed=node.seed, negative=node.negative_prompt)
        if not node.continuation:
            reference = node.reference_image or reference
        follows = node.source is not None and (node.extend or node.continuation)
        start = _ending(node.source) * FPS if follows and node.source else 0
        kept = [s for s in segments if s.start < start] if follows else []
        segments = [dataclasses.replace(s, end=min(s.end, start)) for s in kept]
        camera_start = start
        if segments and _same_move(segments[-1].scene.look, scene.look):
            camera_start = segments[-1].camera_start
        fade_in = node.reference_image is not None
        end = _ending(node) * FPS
        still = node.reference_image if node.continuation else None
        segments.append(Segment(scene, reference, fade_in, start, end, camera_start, still=still))
    last = request.last_frame, request.reference_images
    segments[-1] = dataclasses.replace(segments[-1], last=last[0], insets=last[1])
    return segments


def _opening(request: RenderRequest) -> int:
    """Seconds of its lineage's time before its first frame: a continuation starts where its
    source ended, an extension where its source started, anything else at 0."""
    if request.source is not None and request.continuation:
        return _ending(request.source)
    if request.source is not None and request.extend:
        return _opening(request.source)
    return 0


def _ending(request: RenderRequest) -> int:
    return _opening(request) + request.seconds


def _same_move(a: Look, b: Look) -> bool:
    return (a.camera, a.heading) == (b.camera, b.heading)


# ---------------------------------------------------------------------------- encoding


def _encode(request: RenderRequest, path: Path) -> tuple[np.ndarray, list[np.ndarray], str]:
    """Encode the video; return the thumbnail frame and the spritesheet tiles as RGB arrays,
    and the last frame's fingerprint. Frames are painted at their lineage's time, which for
    anything but a continuation (or its extension) is the clip's own."""
    width, height = request.width, request.height
    frames = request.seconds * FPS
    opening = _opening(request) * FPS
    closing = opening + frames
    segments = [s for s in _plan(request) if s.start < min(s.end, closing)]
    character = character_of(request.model)
    shown = [s for s in segments if s.end > opening]  # a continuation's source is only heard
    shots = [Shot(s, width, height, FPS, character, request.flaws) for s in shown]
    parts = [(s.scene, s.start / FPS, min(s.end, closing) / FPS) for s in segments]
    samples = sound_track(parts, closing / FPS, request.generate_audio, opening / FPS)
    if request.generate_audio:
        seed = segments[0].scene.seed
        samples = narrow(samples, character.cutoff_hz, character.noise_floor, seed)
    tiles_at: dict[int, list[int]] = {}  # frame index -> the tiles that show it
    for tile in range(SPRITE_TILES):
        tiles_at.setdefault(int((tile + 0.5) * frames / SPRITE_TILES), []).append(tile)
    tile_w, tile_h = sprite_tile_size(width, height)
    tiles: list[np.ndarray] = [np.empty(0)] * SPRITE_TILES
    thumbnail: np.ndarray = np.empty(0)
    frame = av.VideoFrame(width, height, "yuv420p")
    frame.colorspace = Colorspace.ITU709
    frame.color_range = ColorRange.MPEG
    planes = Planes.of(frame)
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
        sound = audio_packets(container, samples)
        shot = 0
        for index in range(frames):
            while shots[shot].end <= opening + index:
                shot += 1
            shots[shot].paint(opening + index, planes)
            frame.pts = index
            container.mux(stream.encode(frame))
            while sound and _plays_at(sound[0]) <= (index + 1) / FPS:
                container.mux(sound.pop(0))
            for tile in tiles_at.get(index, []):
                small = frame.reformat(tile_w, tile_h, "rgb24", interpolation="AREA", threads=1)
                tiles[tile] = small.to_ndarray()
            if index == frames // 2:
                thumbnail = frame.reformat(format="rgb24", threads=1).to_ndarray()
        container.mux(stream.encode())
        container.mux(sound)
    last = frame.reformat(*print_size(width, height), "rgb24", interpolation="AREA", threads=1)
    return thumbnail, tiles, fingerprint(last.to_image())


def _plays_at(packet: av.Packet) -> Fraction:
    """When an encoded packet plays, in seconds (an encoder's packets always carry it)."""
    assert packet.pts is not None and packet.time_base is not None
    return packet.pts * packet.time_base


def audio_packets(container: av.container.OutputContainer, samples: np.ndarray) -> list[av.Packet]:
    """The whole track, encoded at once; its packets wait to be muxed beside the frames."""
    stream = container.add_stream(
        AUDIO_ENCODER, rate=AUDIO_RATE, options=AUDIO_OPTIONS, layout="mono"
    )
    stream.bit_rate = AUDIO_BIT_RATE
    stream.codec_context.thread_count = 1
    frame = av.AudioFrame.from_ndarray(samples[None, :], format="fltp", layout="mono")
    frame.sample_rate, frame.pts = AUDIO_RATE, 0
    return [*stream.encode(frame), *stream.encode(None)]


def _spritesheet(tiles: list[np.ndarray]) -> Image.Image:
    tile_h, tile_w = tiles[0].shape[:2]
    sheet = np.zeros((SPRITE_ROWS * tile_h, SPRITE_COLUMNS * tile_w, 3), np.uint8)
    for i, tile in enumerate(tiles):
        row, col = divmod(i, SPRITE_COLUMNS)
        sheet[row * tile_h : (row + 1) * tile_h, col * tile_w : (col + 1) * tile_w] = tile
    return Image.fromarray(sheet)
