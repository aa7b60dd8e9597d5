"""The simulator's renderer: real, playable media that visibly follow the prompt (and remix)."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image, ImageDraw

from sora_widget.simulator.flaw_choice import FlawChoice
from sora_widget.simulator.render import (
    FPS,
    REFERENCE_FADE_SECONDS,
    SPRITE_COLUMNS,
    SPRITE_ROWS,
    RenderedAssets,
    RenderRequest,
    first_frame_png,
    probe_video,
    render,
    sprite_tile_size,
)
from sora_widget.simulator.scene import FLOOR, describe

W, H, SECONDS = 720, 1280, 4  # the smallest size the API offers
FOX = "a red fox trotting across a meadow"
SNOW_FOX = "a red fox trotting through snow"

Render = Callable[..., RenderedAssets]


@pytest.fixture(scope="module")
def make(tmp_path_factory: pytest.TempPathFactory) -> Render:
    """Render a prompt (or a request) once per module; later calls reuse the files."""
    cache: dict[RenderRequest, RenderedAssets] = {}

    def make(prompt: str | RenderRequest, **fields: object) -> RenderedAssets:
        request = prompt
        if isinstance(prompt, str):
            request = RenderRequest(
                prompt,
                fields.pop("width", W),
                fields.pop("height", H),
                fields.pop("seconds", SECONDS),
                **fields,
            )
        if request not in cache:
            cache[request] = render(request, tmp_path_factory.mktemp("render"))
        return cache[request]

    return make


def frames(assets: RenderedAssets, *wanted: int) -> list[np.ndarray]:
    """Decoded RGB frames: the ones at the `wanted` indices (-1 is the last), else all."""
    with av.open(str(assets.video)) as container:
        decoded = list(container.decode(video=0))
    picked = [decoded[i] for i in wanted] if wanted else decoded
    return [frame.to_ndarray(format="rgb24") for frame in picked]


def first_frame(assets: RenderedAssets) -> np.ndarray:
    with av.open(str(assets.video)) as container:
        return next(container.decode(video=0)).to_ndarray(format="rgb24")


def remix(prompt: str, source: str = FOX) -> RenderRequest:
    return RenderRequest(prompt, W, H, SECONDS, source=RenderRequest(source, W, H, SECONDS))


def brightness(frame: np.ndarray) -> float:
    return float(frame.mean())


def difference(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean())


# ---------------------------------------------------------------------------- the files


def test_video_is_h264_mp4_of_the_exact_size_and_length(make: Render) -> None:
    assets = make(SNOW_FOX)
    data = assets.video.read_bytes()
    assert data.index(b"moov") < data.index(b"mdat"), "moov after mdat: not faststart"
    with av.open(str(assets.video)) as container:
        stream = container.streams.video[0]
        assert container.format.name.startswith("mov,mp4")
        assert stream.codec_context.name == "h264"
        assert stream.codec_context.profile in ("Baseline", "Constrained Baseline")
        assert (stream.width, stream.height) == (W, H)
        assert stream.codec_context.pix_fmt == "yuv420p"
        assert container.duration / av.time_base == pytest.approx(SECONDS, abs=1 / FPS)
        decoded = list(container.decode(stream))
    assert len(decoded) == SECONDS * FPS
    assert all((f.width, f.height) == (W, H) for f in decoded)


def test_thumbnail_is_webp_with_the_video_aspect(make: Render) -> None:
    with Image.open(make(SNOW_FOX).thumbnail) as thumbnail:
        assert thumbnail.format == "WEBP"
        assert thumbnail.width / thumbnail.height == pytest.approx(W / H, rel=0.01)


def test_spritesheet_is_a_jpeg_grid_of_the_documented_size(make: Render) -> None:
    tile_w, tile_h = sprite_tile_size(W, H)
    assert tile_w / tile_h == pytest.approx(W / H, rel=0.02)
    with Image.open(make(SNOW_FOX).spritesheet) as sheet:
        assert sheet.format == "JPEG"
        assert sheet.size == (SPRITE_COLUMNS * tile_w, SPRITE_ROWS * tile_h)
        tiles = np.asarray(sheet.convert("L")).reshape(SPRITE_ROWS, tile_h, SPRITE_COLUMNS, tile_w)
    assert tiles.mean(axis=(1, 3)).min() > 20, "an empty (black) tile"


def test_files_are_written_whole_and_nothing_else_is_left(make: Render) -> None:
    assets = make(SNOW_FOX)
    assert sorted(p.name for p in assets.video.parent.iterdir()) == [
        "spritesheet.jpg",
        "thumbnail.webp",
        "video.mp4",
    ]


@pytest.mark.parametrize("size", [(719, 1280), (720, 0)])
def test_impossible_sizes_are_refused(tmp_path: Path, size: tuple[int, int]) -> None:
    with pytest.raises(ValueError, match="size"):
        render(RenderRequest(FOX, *size, SECONDS), tmp_path)


# ---------------------------------------------------------------------------- the prompt shows


def test_same_request_gives_the_same_video(make: Render, tmp_path: Path) -> None:
    again = render(RenderRequest(SNOW_FOX, W, H, SECONDS), tmp_path)
    assert again.video.read_bytes() == make(SNOW_FOX).video.read_bytes()
    assert np.array_equal(first_frame(again), first_frame(make(SNOW_FOX)))


def test_different_prompts_give_different_videos(make: Render) -> None:
    assert difference(first_frame(make(FOX)), first_frame(make("a city skyline at dusk"))) > 20
    # words outside the vocabulary still change the scene
    assert difference(first_frame(make("a quiet zebra")), first_frame(make("a loud walrus"))) > 5


def test_the_caption_shows_the_prompt(make: Render) -> None:
    """The bar at the bottom holds light text on dark: more text, more light pixels."""
    short, long = first_frame(make(FOX)), first_frame(make("x" * 32_000))
    bar = slice(int(0.96 * H), H)
    assert (long[bar] > 180).sum() > (short[bar] > 180).sum() > 100


def test_night_is_darker_and_weather_falls(make: Render) -> None:
    day, night = first_frame(make(FOX)), first_frame(make(remix(FOX + " at night")))
    assert brightness(night) < 0.5 * brightness(day)
    sky = slice(0, int(0.4 * H))
    for weather in ("rain", "snow"):
        before, after = frames(make(remix(f"{FOX} in the {weather}")), 10, 11)
        assert difference(before[sky], after[sky]) > 0.3, f"no {weather} falling"
    before, after = frames(make(FOX), 10, 11)
    assert difference(before[sky], after[sky]) < 0.05


@pytest.mark.parametrize("camera", ["pan", "zoom", "orbit"])
def test_camera_words_move_the_view(make: Render, camera: str) -> None:
    static = frames(make("a city skyline at dusk"), 0, -1)
    moving = frames(make(f"a city skyline at dusk, {camera}"), 0, -1)
    assert difference(*static) < 1
    assert difference(*moving) > 3


# ---------------------------------------------------------------------------- remix and extension


def subjects_mask(frame: np.ndarray, horizon: float) -> np.ndarray:
    """The ground band's pixels that stand out from their row: the ground itself is a vertical
    gradient, so whatever differs from its row's median is a subject."""
    band = frame[int(horizon * H) + 4 : int((FLOOR + 0.03) * H)].astype(float).mean(axis=2)
    residual = np.abs(band - np.median(band, axis=1, keepdims=True))
    return residual > 0.3 * residual.max()


def overlap(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / (a | b).sum())


def test_remix_keeps_the_composition_and_takes_the_new_look(make: Render) -> None:
    night = remix(FOX + " at night")
    unrelated = FOX + "."  # another seed: the same words, the fox elsewhere
    horizon = describe(FOX).horizon
    source_mask, night_mask, unrelated_mask = (
        subjects_mask(first_frame(make(r)), horizon) for r in (FOX, night, unrelated)
    )
    assert source_mask.sum() > 1000, "no fox found"
    assert overlap(source_mask, night_mask) > 0.8
    assert overlap(source_mask, unrelated_mask) < 0.5
    assert describe(night.prompt, describe(FOX)).subjects == describe(FOX).subjects


def detail(frame: np.ndarray, rows: slice) -> float:
    """Mean absolute Laplacian of the brightness: how much fine texture the rows hold."""
    luma = frame[rows].astype(float).mean(axis=2)
    centre = 4 * luma[1:-1, 1:-1]
    around = luma[:-2, 1:-1] + luma[2:, 1:-1] + luma[1:-1, :-2] + luma[1:-1, 2:]
    return float(np.abs(centre - around).mean())


def test_sora_2_pro_paints_the_same_scene_finer(make: Render) -> None:
    plain, pro = (first_frame(make(FOX, model=m)) for m in ("sora-2", "sora-2-pro"))
    ground = slice(int(describe(FOX).horizon * H) + 8, int(FLOOR * H))
    assert detail(pro, ground) > 1.5 * detail(plain, ground), "no finer texture"
    assert difference(plain, pro) > 1
    assert np.array_equal(first_frame(make(FOX, model="sora-2-pro-2025-10-06")), pro)
    assert np.array_equal(first_frame(make(FOX, model="some-other-model")), plain)


def standout(frame: np.ndarray, rows: slice) -> np.ndarray:
    """The pixels of `rows` whose colour is far from their row's median: subjects, not the sky
    or ground, which are gradients down the frame."""
    band = frame[rows].astype(int)
    return np.abs(band - np.median(band, axis=1, keepdims=True)).sum(axis=2) > 60


@pytest.mark.parametrize("word", ["lighthouse", "robot", "car", "dog", "cat", "person"])
def test_subjects_people_type_are_drawn(make: Render, word: str) -> None:
    prompt = f"a {word} at noon"
    scene = describe(prompt)
    assert scene.subjects[0].kind not in ("shape", "person" if word == "robot" else "")
    ground = slice(int(scene.horizon * H) + 4, int(FLOOR * H))
    assert standout(first_frame(make(prompt)), ground).sum() > 1500, f"no {word} found"


def test_a_lighthouse_stands_tall_by_the_sea(make: Render) -> None:
    """It is the one thing that rises above the horizon (clouds float higher)."""
    horizon = int(describe("a lighthouse at noon").horizon * H)
    frame = first_frame(make("a lighthouse at noon"))
    _, cols = np.nonzero(standout(frame, slice(horizon - int(0.08 * H), horizon - 2)))
    assert len(cols) > 500 and np.ptp(cols) < 0.2 * W
    bottom = frame[int(0.85 * H)].astype(int)
    assert (bottom[:, 2] > bottom[:, 1] + 20).mean() > 0.9, "no sea beneath it"


def test_a_robot_is_not_a_person(make: Render) -> None:
    """Its eyes glow cyan; a person has none."""

    def cyan(prompt: str) -> int:
        ground = slice(int(describe(prompt).horizon * H) - 200, int(FLOOR * H))
        frame = first_frame(make(prompt))[ground].astype(int)
        r, g, b = frame[..., 0], frame[..., 1], frame[..., 2]
        return int(((b > 200) & (g > 170) & (r < 120)).sum())

    assert cyan("a robot walking at noon") > 50
    assert cyan("a person walking at noon") < 5


def test_rain_and_snow_remixes_differ_from_their_source(make: Render) -> None:
    for weather in ("rain", "snow"):
        weathered = first_frame(make(remix(f"{FOX} in the {weather}")))
        assert difference(weathered, first_frame(make(FOX))) > 10


def test_extension_plays_the_source_then_continues(make: Render) -> None:
    source = RenderRequest(FOX, W, H, SECONDS)
    extension = RenderRequest(
        "the fox trots on at night", W, H, 2 * SECONDS, source=source, extend=True
    )
    probe = probe_video(make(extension).video.read_bytes())
    assert probe.seconds == pytest.approx(2 * SECONDS, abs=1 / FPS)
    last_of_source = SECONDS * FPS - 1
    first, handover, last = frames(make(extension), 0, last_of_source, -1)
    assert len(frames(make(extension))) == 2 * SECONDS * FPS
    original_first, original_last = frames(make(source), 0, -1)
    assert np.array_equal(first, original_first)
    assert difference(handover, original_last) < 1
    assert brightness(last) < 0.5 * brightness(original_last)


# ---------------------------------------------------------------------------- reference image


def reference_png() -> bytes:
    image = Image.new("RGB", (W, H), (200, 80, 40))
    draw = ImageDraw.Draw(image)
    draw.ellipse((100, 200, 600, 700), fill=(30, 200, 90))
    draw.rectangle((0, 900, W, H), fill=(20, 40, 160))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def test_reference_image_is_the_first_frame_and_the_backdrop(make: Render) -> None:
    reference = np.asarray(Image.open(io.BytesIO(reference_png())))
    clip = frames(make("a cat in the garden", reference_image=reference_png()))
    above_caption = slice(0, int(0.95 * H))  # the bar shows this clip's own caption
    assert difference(clip[0][above_caption], reference[above_caption]) < 4
    top = slice(0, int(0.6 * H))
    assert difference(clip[-1][top], reference[top]) < 15
    assert difference(first_frame(make("a cat in the garden"))[top], reference[top]) > 40


def test_a_reference_image_fades_into_the_scene(make: Render) -> None:
    """Every frame of the fade is a mix of the two, in colour too: no tint of its own."""
    clip = frames(make("a cat in the garden", reference_image=reference_png()))
    fade = round(REFERENCE_FADE_SECONDS * FPS)
    start, end = clip[0].mean(axis=(0, 1)), clip[fade].mean(axis=(0, 1))
    low, high = np.minimum(start, end) - 6, np.maximum(start, end) + 6
    for index in range(1, fade):
        colour = clip[index].mean(axis=(0, 1))
        assert np.all((low <= colour) & (colour <= high)), (index, colour, start, end)


def png_of(frame: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(frame).save(buffer, "PNG")
    return buffer.getvalue()


def caption_text(frame: np.ndarray) -> np.ndarray:
    """Where the caption's white letters are: bright pixels in the bar (a one-line caption's
    is the bottom 58 rows at this size; the snow above it is bright too)."""
    mask = np.zeros(frame.shape[:2], dtype=bool)
    bar = frame[-50:].astype(np.int16)
    mask[-50:] = bar.min(axis=2) > 170
    return mask


@pytest.mark.parametrize("how", ["continued", "backdrop"])
def test_a_shot_from_another_s_last_frame_hides_that_shot_s_caption(make: Render, how: str) -> None:
    """A shot made from the previous shot's last frame (a storyboard's seam) shows its own
    prompt only: where the old caption's letters were, and the new one has none, the bar is
    as dark as a bar, in every frame, during the fade too."""
    no_flaws = FlawChoice(enabled=False)
    earlier = RenderRequest(SNOW_FOX, W, H, SECONDS, flaws=no_flaws)
    ending = frames(make(earlier), -1)[0]
    later = "a grey wolf howls on a hill at night"
    if how == "continued":
        request = RenderRequest(
            later, W, H, SECONDS, png_of(ending), earlier, flaws=no_flaws, continuation=True
        )
    else:
        request = RenderRequest(later, W, H, SECONDS, png_of(ending), flaws=no_flaws)
    clip = frames(make(request))
    own = caption_text(clip[-1])
    grown = own.copy()  # the new letters' edges, blurred by the encoding, left out
    for shift in (-3, 3):
        grown |= np.roll(own, shift, axis=0) | np.roll(own, shift, axis=1)
    old = caption_text(ending) & ~grown
    assert old.sum() > 200, "the earlier shot's caption is not where it is looked for"
    for index, frame in enumerate(clip):
        typical = np.median(frame[old].mean(axis=1))  # the bar's 28, or a quarter of the scene
        assert typical < 40, (index, typical)  # the old letters: 235, or 70 once darkened


# ---------------------------------------------------------------------------- hostile prompts


@pytest.mark.parametrize(
    "prompt",
    [
        "🦊 a fox 👨‍👩‍👧‍👦 ❤️‍🔥 🇯🇵",
        "a\x00fox\x01\x1b[31m red\r\n\tcar\x7f\u200b\u202e \ud800 lone surrogate",
        "a red fox trotting through snow " * 1000,
        "x" * 32_000,
        "",
    ],
    ids=["emoji", "control", "32000 chars", "one long word", "empty"],
)
def test_hostile_prompts_render(make: Render, prompt: str) -> None:
    assets = make(prompt[:32_000])
    assert probe_video(assets.video.read_bytes())[1:3] == (W, H)


# ---------------------------------------------------------------------------- uploads


def test_first_frame_png_round_trips_a_rendered_video(make: Render) -> None:
    assets = make(SNOW_FOX)
    png = first_frame_png(assets.video.read_bytes())
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG"
        assert np.array_equal(np.asarray(image.convert("RGB")), first_frame(assets))
    probe = probe_video(assets.video.read_bytes())
    assert (probe.width, probe.height) == (W, H)
    assert probe.seconds == pytest.approx(SECONDS, abs=1 / FPS)


@pytest.mark.parametrize("name", ["empty", "garbage", "truncated", "still image"])
def test_first_frame_png_refuses_what_is_not_a_video(make: Render, name: str) -> None:
    data = {
        "empty": b"",
        "garbage": b"definitely not a video " * 100,
        "truncated": make(SNOW_FOX).video.read_bytes()[:2000],
        "still image": reference_png(),
    }[name]
    with pytest.raises(ValueError, match="not a readable video"):
        first_frame_png(data)
