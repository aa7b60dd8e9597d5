"""The backdrop: sky, ground and all the scenery that never moves, drawn once per shot."""

from __future__ import annotations

import math
from typing import cast

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFilter

from ..scene import MOBILE_KINDS, Scene, Subject, hash_unit
from .stage import TIME_GAIN, Stage, rotate_hue

_SKY = {  # (top, horizon)
    "dawn": ((60, 80, 150), (250, 185, 150)),
    "day": ((60, 130, 225), (175, 210, 245)),
    "sunset": ((50, 45, 110), (250, 135, 60)),
    "night": ((4, 6, 22), (20, 30, 65)),
}
_OVERCAST = (125, 130, 140)
_LIT_WINDOW = (255, 210, 120)

Draw = ImageDraw.ImageDraw


def draw_backdrop(stage: Stage, scene: Scene, reference: Image.Image | None) -> Image.Image:
    """Sky, ground and all the scenery that never moves, as wide as the camera travels, in
    the model's finish: drawn larger and reduced, textured, softly lit."""
    finish = stage.finish
    if finish.supersample > 1 and reference is None:
        k = finish.supersample
        large = Stage.of(scene, stage.width * k, stage.height * k, finish, stage.sway * k)
        image = _draw(large, scene, None).resize((stage.strip, stage.height), Image.Resampling.BOX)
    else:
        image = _draw(stage, scene, reference)
    if finish.blur:
        image = image.filter(ImageFilter.GaussianBlur(finish.blur * stage.unit / 720))
    return _soften(image, finish.glow) if finish.glow else image


def _soften(image: Image.Image, glow: float) -> Image.Image:
    """Soft light: a blurred copy of the highlights, screened over the picture."""
    halo = image.reduce(8).filter(ImageFilter.GaussianBlur(3))
    halo = halo.resize(image.size, Image.Resampling.BILINEAR)
    return ImageChops.screen(image, halo.point(lambda v: round(max(0, v - 90) * glow)))


def _draw(stage: Stage, scene: Scene, reference: Image.Image | None) -> Image.Image:
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
        if stage.finish.detail:
            _draw_texture(draw, image, stage, np.random.default_rng([scene.seed, 2]))
    layers = ("sun", "moon", "mountain", "city", "ocean")
    scenery = [s for s in scene.subjects if s.kind not in MOBILE_KINDS]
    scenery.sort(key=lambda s: (layers.index(s.kind) if s.kind in layers else len(layers), s.y))
    for subject in scenery:
        # each subject its own random details, so a remix that changes the light keeps them
        rng = np.random.default_rng([scene.seed, int(hash_unit(f"{subject}") * 2**32)])
        _SCENERY[subject.kind](draw, stage, subject, rng)
    return image


def _sky_and_ground(stage: Stage, scene: Scene) -> Image.Image:
    look, horizon = stage.look, stage.horizon
    top, bottom = (np.array(c, np.float32) for c in _SKY[look.time_of_day])
    if look.weather & {"rain", "snow"}:
        grey = np.array(_OVERCAST, np.float32) * np.array(TIME_GAIN[look.time_of_day])
        top, bottom = top * 0.45 + grey * 0.55, bottom * 0.45 + grey * 0.55
    f = np.linspace(0, 1, horizon, dtype=np.float32)[:, None]
    sky = stage.grade(top * (1 - f) + bottom * f, 1.0, emissive=True)
    far: tuple[float, ...]
    near: tuple[float, ...]
    if any(s.kind == "ocean" for s in scene.subjects):
        far, near = (40, 110, 165), (12, 55, 105)
    elif "snow" in look.weather:
        far, near = (235, 238, 245), (200, 205, 220)
    else:
        grass = rotate_hue((70, 140, 60), (look.accent - 0.5) * 0.3)
        far, near = tuple(min(255, c * 1.1) for c in grass), tuple(c * 0.7 for c in grass)
    g = np.linspace(0, 1, stage.height - horizon, dtype=np.float32)[:, None]
    ground = np.array(far, np.float32) * (1 - g) + np.array(near, np.float32) * g
    ground = stage.grade(ground, 0.9 - 0.8 * g[:, 0])
    column = np.concatenate([sky, ground]).astype(np.uint8)[:, None]
    return Image.fromarray(column).resize((stage.strip, stage.height), Image.Resampling.NEAREST)


def _draw_sky_details(draw: Draw, stage: Stage, rng: np.random.Generator) -> None:
    """Stars on a clear night, clouds otherwise (more and greyer under rain or snow)."""
    look, horizon, unit = stage.look, stage.horizon, stage.unit
    overcast = bool(look.weather & {"rain", "snow"})
    if look.time_of_day == "night":
        if not overcast:
            count = stage.strip * horizon // 1500
            xs, ys = (
                rng.integers(0, stage.strip, count),
                rng.integers(0, int(horizon * 0.85), count),
            )
            for x, y, light in zip(xs, ys, rng.uniform(90, 250, count), strict=True):
                star = stage.shade((int(light), int(light), int(light)), 1.0, emissive=True)
                draw.rectangle((x, y, x + 1, y + 1), fill=star)
        return
    shadow = stage.shade((150, 155, 170) if overcast else (200, 205, 222), 1.0)
    color = stage.shade((185, 188, 195) if overcast else (248, 248, 252), 1.0)
    for _ in range(int(rng.integers(2, 5)) + (3 if overcast else 0)):
        cx, cy = rng.uniform(0, stage.strip), rng.uniform(0.05, 0.7) * horizon
        size = rng.uniform(0.06, 0.12) * unit
        lobes = ((-1.0, 0.2, 0.7), (0.0, 0.0, 1.0), (1.1, 0.25, 0.65), (0.5, 0.35, 0.7))
        if stage.finish.detail:  # a shaded underside
            for dx, dy, r in lobes:
                x, y, rx, ry = cx + dx * size, cy + (dy + 0.12) * size, r * size * 1.3, r * size
                draw.ellipse((x - rx, y - ry, x + rx, y + ry), fill=shadow)
        for dx, dy, r in lobes:
            x, y, rx, ry = cx + dx * size, cy + dy * size, r * size * 1.3, r * size
            draw.ellipse((x - rx, y - ry, x + rx, y + ry), fill=color)


def _draw_texture(draw: Draw, image: Image.Image, stage: Stage, rng: np.random.Generator) -> None:
    """The finer finish's ground: blades of grass, ripples on water, sparkle on snow, each a
    little lighter or darker than the ground under it, longer up close."""
    horizon, depth = stage.horizon, stage.height - stage.horizon
    k = stage.finish.supersample
    count = int(stage.finish.detail * stage.strip * depth / (260 * k * k))
    _, ground_green, ground_blue = _rgb(image, 0, stage.height - 1)
    water = ground_blue > ground_green
    snowy = "snow" in stage.look.weather and not water
    ys = horizon + depth * rng.random(count) ** 0.8
    xs = rng.uniform(0, stage.strip, count)
    tones = rng.uniform(0.72, 1.3, count)
    slants = rng.uniform(-0.4, 0.4, count)
    for x, y, tone, slant in zip(xs, ys, tones, slants, strict=True):
        near = (y - horizon) / depth
        length = (0.004 + 0.022 * near) * stage.unit
        r, g, b = _rgb(image, int(x), min(int(y), stage.height - 1))
        fill = (min(255, int(r * tone)), min(255, int(g * tone)), min(255, int(b * tone)))
        if water:
            draw.line((x, y, x + 1.5 * length, y), fill=fill, width=max(1, round(k * near)))
        elif snowy:
            dot = max(1, k * near)
            draw.rectangle((x, y, x + dot, y + dot), fill=(250, 250, 255) if tone > 1.2 else fill)
        else:
            draw.line((x, y, x + slant * length, y - length), fill=fill, width=max(1, k))


def _draw_sun(draw: Draw, stage: Stage, s: Subject, rng: np.random.Generator) -> None:
    low = stage.look.time_of_day in ("dawn", "sunset")
    r = s.size * stage.unit / 2 * (1.3 if low else 1.0)
    cx, cy = stage.x(s), stage.horizon - r * 0.4 if low else s.y * stage.height
    core = (255, 150, 70) if low else (255, 236, 140)
    halo = stage.shade(
        ((core[0] + 255) // 2, (core[1] + 255) // 2, (core[2] + 255) // 2), 1.0, True
    )
    draw.ellipse((cx - 1.4 * r, cy - 1.4 * r, cx + 1.4 * r, cy + 1.4 * r), fill=halo)
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=stage.shade(core, 1.0, emissive=True))


def _draw_moon(draw: Draw, stage: Stage, s: Subject, rng: np.random.Generator) -> None:
    r, cx, cy = s.size * stage.unit / 2, stage.x(s), s.y * stage.height
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=stage.shade((235, 235, 215), 1.0, True))
    crater = stage.shade((205, 205, 190), 1.0, True)
    for dx, dy, k in ((-0.3, -0.2, 0.22), (0.25, 0.3, 0.15), (0.35, -0.35, 0.1)):
        x, y = cx + dx * r, cy + dy * r
        draw.ellipse((x - k * r, y - k * r, x + k * r, y + k * r), fill=crater)


def _draw_mountain(draw: Draw, stage: Stage, s: Subject, rng: np.random.Generator) -> None:
    h, cx, base = s.size * stage.unit, stage.x(s), stage.horizon + 1
    w = 1.1 * h
    rock, snow = stage.shade((95, 105, 130), 0.85), stage.shade((240, 242, 248), 0.85)
    draw.polygon([(cx - w, base), (cx, base - h), (cx + w, base)], fill=rock)
    cap = [(-0.28, 0.72), (-0.1, 0.78), (0.0, 1.0), (0.12, 0.8), (0.28, 0.72)]
    draw.polygon([(cx + dx * w, base - dy * h) for dx, dy in cap], fill=snow)


def _draw_city(draw: Draw, stage: Stage, s: Subject, rng: np.random.Generator) -> None:
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


def _draw_ocean(draw: Draw, stage: Stage, s: Subject, rng: np.random.Generator) -> None:
    """The ground is already water (see `_sky_and_ground`): add wave crests, longer up close."""
    horizon, depth = stage.horizon, stage.height - stage.horizon
    for _ in range(stage.strip * depth // 3000):
        y = rng.uniform(horizon + 3, stage.height)
        near = (y - horizon) / depth
        x, length = rng.uniform(0, stage.strip), (0.01 + 0.05 * near) * stage.unit
        crest = stage.shade((150, 200, 230), 0.9 - 0.8 * near)
        draw.line((x, y, x + length, y), fill=crest, width=max(1, round(3 * near)))


def _draw_tree(draw: Draw, stage: Stage, s: Subject, rng: np.random.Generator) -> None:
    cx, base, h, depth = stage.place(s)
    look = stage.look
    leaves = stage.shade(rotate_hue((50, 130, 55), (look.accent - 0.5) * 0.15), depth)
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


def _draw_house(draw: Draw, stage: Stage, s: Subject, rng: np.random.Generator) -> None:
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


def _draw_lighthouse(draw: Draw, stage: Stage, s: Subject, rng: np.random.Generator) -> None:
    """A striped tower on a rock; its lamp shines after sunset and throws a beam at night."""
    cx, base, h, depth = stage.place(s)
    look, w = stage.look, 0.16 * h
    lit = look.time_of_day in ("night", "sunset")
    rock = stage.shade((70, 65, 60), depth)
    draw.ellipse((cx - 1.6 * w, base - 0.25 * w, cx + 1.6 * w, base + 0.35 * w), fill=rock)
    stripes = (stage.shade((240, 238, 232), depth), stage.shade((200, 40, 40), depth))
    top, bands = base - 0.78 * h, 5
    for i in range(bands):  # a tapering tower, painted in bands from the bottom
        y0, y1 = base + (top - base) * i / bands, base + (top - base) * (i + 1) / bands
        w0, w1 = w * (1 - 0.35 * i / bands), w * (1 - 0.35 * (i + 1) / bands)
        draw.polygon([(cx - w0, y0), (cx + w0, y0), (cx + w1, y1), (cx - w1, y1)], stripes[i % 2])
    dark = stage.shade((40, 40, 45), depth)
    draw.rectangle((cx - 0.85 * w, top - 0.03 * h, cx + 0.85 * w, top), fill=dark)  # gallery
    lamp = stage.shade(_LIT_WINDOW, depth, True) if lit else stage.shade((150, 190, 220), depth)
    draw.rectangle((cx - 0.5 * w, top - 0.13 * h, cx + 0.5 * w, top - 0.03 * h), fill=lamp)
    draw.pieslice((cx - 0.6 * w, top - 0.2 * h, cx + 0.6 * w, top - 0.07 * h), 180, 360, dark)
    if look.time_of_day == "night":
        beam = stage.shade((255, 240, 190), 1.0, True)
        y, reach = top - 0.08 * h, 4.5 * h
        side = 1 if hash_unit(s.name + str(s.x)) < 0.5 else -1
        far = cx + side * reach
        draw.polygon([(cx, y), (far, y - 0.3 * h), (far, y + 0.12 * h)], fill=beam)


def _draw_shape(draw: Draw, stage: Stage, s: Subject, rng: np.random.Generator) -> None:
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
    "lighthouse": _draw_lighthouse,
    "shape": _draw_shape,
}


def _rgb(image: Image.Image, x: int, y: int) -> tuple[int, int, int]:
    """A pixel of an RGB image (Pillow types `getpixel` for every mode at once)."""
    return cast(tuple[int, int, int], image.getpixel((x, y)))
