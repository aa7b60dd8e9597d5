"""A server's own model catalog (OpenRouter's `GET /videos/models`), read tolerantly.

OpenRouter publishes, per model, the durations, resolutions, aspect ratios, sizes, frame images,
sound and seed it takes, the provider parameters it passes on, and its prices as SKUs. Those
facts are the server's and win over the built-in catalog, which only fills gaps (a typical
generation time, durations a model does not list). A field of an odd type (a list where an
object was expected, null, a number as a string) is read as "not said", never a reason to drop
the model: the menu must offer everything the server does.

Pure data and arithmetic: no HTTP here (see `api` for where the list comes from).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, SupportsFloat

from sora_widget.core.catalog import (
    MAX_SEED,
    ImageField,
    ImageSlots,
    Param,
    family_of,
    resolution_of,
)

#: The short side of each resolution OpenRouter names (`VideoGenerationRequest.resolution`).
RESOLUTION_SIDES = {
    "360p": 360,
    "480p": 480,
    "720p": 720,
    "768p": 768,
    "1080p": 1080,
    "1K": 1024,
    "2K": 1440,
    "4K": 2160,
}
#: Offered when a model lists no durations (and the built-in catalog does not know it).
FALLBACK_SECONDS = ("5", "10")
#: OpenRouter documents no structured field for reference images; every provider takes some.
MAX_REFERENCES = 3
#: The parameters that are request fields of their own, not provider passthrough.
AUDIO, SEED = "generate_audio", "seed"

# ---- prices -------------------------------------------------------------------------------------

#: SKU names whose unit is known: (pattern, USD per unit of the number). The groups name the
#: generation mode, sound and resolution the price is for; a missing group is "any".
#: Source: OPENROUTER.md §5.1 and the captured catalog (§9.2): USD per second, cents per second.
_PER_SECOND_SKUS: tuple[tuple[re.Pattern[str], float], ...] = (
    (
        re.compile(
            r"(?:(?P<mode>text|image)_to_video_)?duration_seconds"
            r"(?:_(?P<audio>with|without)_audio)?(?:_(?P<res>\w+))?"
        ),
        1.0,
    ),
    (
        re.compile(
            r"cents_per_(?:second_(?P<mode>video_continuation|output)|video_output_second)"
            r"(?:_(?P<res>\w+))?"
        ),
        0.01,
    ),
    (re.compile(r"per-video-second(?:-(?P<res>\w+))?"), 1.0),
)
#: A floor for one generation, in cents (Runway's `minimum_cents_per_generation`).
_MINIMUM_SKU = "minimum_cents_per_generation"
#: SKUs priced per unit the client cannot count before the job runs (Seedance's video tokens).
_UNCOUNTABLE = re.compile(r"tokens")


@dataclass(frozen=True)
class SecondPrice:
    """One per-second SKU: USD per second, for a mode, sound and resolution (None: any)."""

    usd: float
    mode: str | None
    audio: bool | None
    resolution: str | None


@dataclass(frozen=True)
class Estimate:
    """What a generation will cost: `usd`, or None with `note` saying why ("charged after")."""

    usd: float | None
    note: str = ""


def parse_prices(skus: object) -> tuple[tuple[SecondPrice, ...], float, bool]:
    """(per-second prices, minimum USD per generation, whether some SKU is uncountable)."""
    prices: list[SecondPrice] = []
    minimum, uncountable = 0.0, False
    for name, raw in _sku_items(skus):
        amount = usd_amount(raw)
        if amount is None:
            continue
        if name == _MINIMUM_SKU:
            minimum = amount / 100
            continue
        if _UNCOUNTABLE.search(name):
            uncountable = True
            continue
        for pattern, unit in _PER_SECOND_SKUS:
            match = pattern.fullmatch(name)
            if match is None:
                continue
            groups = match.groupdict()
            mode = groups.get("mode")
            audio = groups.get("audio")
            prices.append(
                SecondPrice(
                    usd=amount * unit,
                    mode=None if mode in (None, "output") else mode,
                    audio=None if audio is None else audio == "with",
                    resolution=(groups.get("res") or "").lower() or None,
                )
            )
            break
    return tuple(prices), minimum, uncountable


def _sku_items(skus: object) -> Iterable[tuple[str, object]]:
    """`pricing_skus` as (name, value): an object as published, or a list of {sku, price}
    objects or [name, value] pairs as loose servers send it."""
    if isinstance(skus, Mapping):
        return [(str(k), v) for k, v in skus.items()]
    items: list[tuple[str, object]] = []
    if isinstance(skus, list):
        for item in skus:
            if isinstance(item, Mapping):
                name = item.get("sku") or item.get("name") or item.get("id")
                value = item.get("price", item.get("value"))
                if isinstance(name, str):
                    items.append((name, value))
            elif isinstance(item, list | tuple) and len(item) == 2 and isinstance(item[0], str):
                items.append((item[0], item[1]))
    return items


def usd_amount(value: object) -> float | None:
    """An amount a server wrote (a string, "0.40", as OpenRouter prices are, or a number);
    None for anything that is not a finite amount of 0 or more."""
    if isinstance(value, bool) or not isinstance(value, str | SupportsFloat):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) and number >= 0 else None


# ---- one model ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServerModel:
    """One model as the server describes it, with what the form and the request need."""

    id: str
    name: str = ""
    description: str = ""
    resolutions: tuple[str, ...] = ()
    aspect_ratios: tuple[str, ...] = ()
    listed_sizes: tuple[str, ...] = ()
    durations: tuple[int, ...] = ()
    frame_images: frozenset[str] = frozenset()
    audio: bool | None = None
    seed: bool | None = None
    passthrough: tuple[str, ...] = ()
    prices: tuple[SecondPrice, ...] = ()
    minimum_usd: float = 0.0
    uncountable_price: bool = False
    #: Each size the form offers -> (resolution, aspect ratio) to send for it; sizes the model
    #: lists only as `supported_sizes` travel as `size` and are not here.
    size_fields: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ServerModel:
        """Any object with a string `id`; every other field is optional and read leniently."""
        prices, minimum, uncountable = parse_prices(data.get("pricing_skus"))
        resolutions = _strings(data.get("supported_resolutions"))
        ratios = _strings(data.get("supported_aspect_ratios"))
        return cls(
            id=str(data["id"]),
            name=data["name"] if isinstance(data.get("name"), str) else "",
            description=data["description"] if isinstance(data.get("description"), str) else "",
            resolutions=resolutions,
            aspect_ratios=ratios,
            listed_sizes=tuple(s for s in _strings(data.get("supported_sizes")) if _wxh(s)),
            durations=tuple(sorted(set(_whole_numbers(data.get("supported_durations"))))),
            frame_images=frozenset(_strings(data.get("supported_frame_images"))),
            audio=_flag(data.get("generate_audio")),
            seed=_flag(data.get("seed")),
            passthrough=_strings(data.get("allowed_passthrough_parameters")),
            prices=prices,
            minimum_usd=minimum,
            uncountable_price=uncountable,
            size_fields=_size_fields(resolutions, ratios),
        )

    # ---- what the form offers ---------------------------------------------------------------

    @property
    def sizes(self) -> tuple[str, ...]:
        """`WxH` sizes for the Size menu: each resolution and aspect ratio the model lists,
        then the sizes it lists on their own."""
        extra = tuple(size for size in self.listed_sizes if size not in self.size_fields)
        return tuple(self.size_fields) + extra

    @property
    def seconds(self) -> tuple[str, ...]:
        """The Duration menu: the model's own durations; the built-in catalog's if it lists
        none; a generic pair for a model nobody knows."""
        if self.durations:
            return tuple(str(n) for n in self.durations)
        family = family_of(self.id)
        return family.seconds if family is not None else FALLBACK_SECONDS

    @property
    def default_seconds(self) -> str:
        return self.seconds[0]

    @property
    def default_size(self) -> str:
        """720p landscape where offered (OpenRouter's examples), else the first size."""
        for wanted in ("1280x720", "720x1280"):
            if wanted in self.sizes:
                return wanted
        return self.sizes[0] if self.sizes else "1280x720"

    def size_label(self, size: str) -> str:
        """ "1280x720 · 720p 16:9": what the menu shows, so the server's own words are seen."""
        resolution, ratio = self.size_fields.get(size, (None, None))
        words = " ".join(word for word in (resolution, ratio) if word)
        return f"{size} · {words}" if words else size

    @property
    def parameters(self) -> tuple[Param, ...]:
        """The Advanced section: Sound and Seed where the model takes them, then each provider
        parameter it passes on (their types are the provider's: a value that reads as JSON,
        such as 0.5 or true, is sent as that)."""
        params: list[Param] = []
        if self.audio:
            params.append(Param(AUDIO, "bool", "Sound", "Generate a sound track.", True))
        if self.seed:
            same = "The same seed and prompt give the same video."
            params.append(Param(SEED, "int", "Seed", same, None, 0, MAX_SEED))
        params += [
            Param(
                name,
                "string",
                name,
                "Passed to the provider as given (a number or true/false as JSON).",
            )
            for name in self.passthrough
            if name not in (AUDIO, SEED)
        ]
        return tuple(params)

    @property
    def images(self) -> ImageSlots:
        """First and last frame where the model lists them; reference images for every model
        (OpenRouter: all providers accept image references)."""
        return ImageSlots(
            body="json",
            first=ImageField("frame_images", "data_uri")
            if "first_frame" in self.frame_images
            else None,
            last=ImageField("frame_images", "data_uri")
            if "last_frame" in self.frame_images
            else None,
            references=ImageField("input_references", "data_uri_list"),
            max_references=MAX_REFERENCES,
        )

    # ---- the request --------------------------------------------------------------------------

    def fields_for_size(self, size: str) -> dict[str, str]:
        """How a `WxH` from the form travels: `resolution` + `aspect_ratio` where the model
        lists them, else `size` itself (the server judges sizes it does not list)."""
        resolution, ratio = self.size_fields.get(size, (None, None))
        if resolution is None and ratio is None:
            return {"size": size}
        fields = {"resolution": resolution, "aspect_ratio": ratio}
        return {name: value for name, value in fields.items() if value is not None}

    def estimate(
        self, size: str, seconds: str | int, *, audio: bool | None = None, first_frame: bool = False
    ) -> Estimate:
        """The price of one generation from the model's per-second SKUs; None with "charged
        after" where its unit cannot be counted beforehand (video tokens)."""
        try:
            duration = float(seconds)
        except (TypeError, ValueError):
            return Estimate(None)
        if not math.isfinite(duration) or duration <= 0:
            return Estimate(None)
        resolution = (self.size_fields.get(size, (None, None))[0] or resolution_of(size)).lower()
        wanted_audio = bool(self.audio) if audio is None else audio
        mode = "image" if first_frame else "text"
        price = _best_price(self.prices, mode, wanted_audio, resolution)
        if price is None:
            note = "charged after" if self.uncountable_price else ""
            return Estimate(None, note)
        return Estimate(round(max(price * duration, self.minimum_usd), 2))


def _best_price(
    prices: tuple[SecondPrice, ...], mode: str, audio: bool, resolution: str
) -> float | None:
    """The most specific SKU that fits: an exact mode, sound and resolution beat "any", and
    one that names the sound asked for beats any that does not (sound changes a price most:
    Kling's `duration_seconds_with_audio` over its `text_to_video_duration_seconds_720p`)."""
    best: tuple[tuple[bool, int], float] | None = None
    for price in prices:
        if price.mode not in (None, mode):
            continue
        if price.audio not in (None, audio) or price.resolution not in (None, resolution):
            continue
        named = (price.mode, price.audio, price.resolution)
        score = (price.audio is not None, sum(value is not None for value in named))
        if best is None or score > best[0]:
            best = (score, price.usd)
    return None if best is None else best[1]


def parse_catalog(body: object) -> dict[str, ServerModel]:
    """`{"data": [VideoModel, ...]}` -> models by id, in the server's order. An item without
    a string id is skipped; any other oddity leaves the model with less said about it."""
    items = body.get("data") if isinstance(body, Mapping) else None
    models: dict[str, ServerModel] = {}
    for item in items if isinstance(items, list) else []:
        if isinstance(item, Mapping) and isinstance(item.get("id"), str) and item["id"].strip():
            models.setdefault(item["id"], ServerModel.from_dict(item))
    return models


def looks_like_catalog(body: object) -> bool:
    """Whether a body is an OpenRouter-style video model list: a `data` list whose entries
    carry its capability fields (a chat model list or a video object has none of them)."""
    items = body.get("data") if isinstance(body, Mapping) else None
    if not isinstance(items, list):
        return False
    marks = ("supported_durations", "supported_resolutions", "pricing_skus", "supported_sizes")
    return any(isinstance(item, Mapping) and any(m in item for m in marks) for item in items)


# ---- helpers ------------------------------------------------------------------------------------


def _strings(value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(dict.fromkeys(item for item in value if isinstance(item, str) and item))


def _whole_numbers(value: object) -> list[int]:
    """Durations as whole seconds, from numbers or numeric strings; anything else skipped."""
    found = []
    for item in value if isinstance(value, list) else []:
        if isinstance(item, bool):
            continue
        try:
            number = float(item)
        except (TypeError, ValueError):
            continue
        if math.isfinite(number) and number >= 1 and number == int(number):
            found.append(int(number))
    return found


def _flag(value: object) -> bool | None:
    return value if isinstance(value, bool) else None


def _wxh(size: str) -> bool:
    return re.fullmatch(r"[1-9]\d{1,4}x[1-9]\d{1,4}", size) is not None


def _size_fields(
    resolutions: tuple[str, ...], ratios: tuple[str, ...]
) -> dict[str, tuple[str | None, str | None]]:
    """Each (resolution, aspect ratio) the model lists as the `WxH` it makes. Without listed
    resolutions, each ratio at 720p is sent as the ratio alone; without ratios, 16:9."""
    sized: list[str | None] = [r for r in resolutions if r in RESOLUTION_SIDES]
    fields: dict[str, tuple[str | None, str | None]] = {}
    for resolution in sized or [None]:
        side = RESOLUTION_SIDES[resolution] if resolution else 720
        for ratio in ratios or ([None] if resolution else []):
            wxh = _pixels(side, ratio or "16:9")
            if wxh is not None:
                fields.setdefault(wxh, (resolution, ratio))
    return fields


def _pixels(short_side: int, ratio: str) -> str | None:
    """720 and "16:9" -> "1280x720"; sides rounded to even numbers, as encoders want."""
    try:
        across, down = (int(part) for part in ratio.split(":"))
    except ValueError:
        return None
    if across <= 0 or down <= 0:
        return None
    long_side = 2 * round(short_side * max(across, down) / min(across, down) / 2)
    width, height = (long_side, short_side) if across >= down else (short_side, long_side)
    return f"{width}x{height}"
