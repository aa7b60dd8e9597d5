"""The video models the OpenRouter profile serves, as data, and what a job on each costs.

Each row is one entry of OpenRouter's `GET /api/v1/videos/models`, copied from a captured
response (a third party's fixture, `rbb-dev/Open-WebUI-OpenRouter-pipe`
`tests/fixtures/video_models_catalog.json` @ 8771a5da, summarised in the project's
OPENROUTER.md §9.2): capabilities, ids, dates and prices are those facts; descriptions are in
our own words. Prices drift on the real service; these are one point in time. What the
simulator adds of its own is marked on the row (`provider_slug` where the spec has no slug,
`shows_in_progress`, `continues`). Pure data and arithmetic: no web stack is imported here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

CATALOG_SOURCE = (
    "rbb-dev/Open-WebUI-OpenRouter-pipe tests/fixtures/video_models_catalog.json "
    "@ 8771a5da4c5566a042bd50ac4fea5425ad0c7a9d (OPENROUTER.md §9.2)"
)
#: The pixels of each resolution's short side (360p: SDK 1.3.84; the rest: the spec's enum).
SHORT_SIDES = {
    "360p": 360,
    "480p": 480,
    "720p": 720,
    "768p": 768,
    "1080p": 1080,
    "1K": 1024,
    "2K": 1440,
    "4K": 2160,
}
#: The aspect ratios the spec's enum allows, as (width, height) proportions.
ASPECT_RATIOS = {
    "16:9": (16, 9),
    "9:16": (9, 16),
    "1:1": (1, 1),
    "4:3": (4, 3),
    "3:4": (3, 4),
    "3:2": (3, 2),
    "2:3": (2, 3),
    "21:9": (21, 9),
    "9:21": (9, 21),
}
FRAME_TYPES = ("first_frame", "last_frame")
#: Seedance prices per video token, which ByteDance counts as width x height x fps x seconds
#: / 1024 at its 24 fps.
TOKEN_FPS = 24
TOKEN_PIXELS = 1024


@dataclass(frozen=True)
class VideoModel:
    """One model as OpenRouter lists it, plus who serves it."""

    id: str
    canonical_slug: str
    name: str
    created: int
    description: str
    resolutions: tuple[str, ...] | None
    aspect_ratios: tuple[str, ...] | None
    sizes: tuple[str, ...] | None
    durations: tuple[int, ...] | None
    frame_images: tuple[str, ...] | None
    generate_audio: bool | None
    seed: bool | None
    pricing_skus: dict[str, str]
    passthrough: tuple[str, ...]
    #: The `provider.options` key whose `parameters` reach this model (the spec's slugs).
    provider_slug: str
    provider_name: str
    #: False: polled as `pending` until it is done, as the cookbook's QA run saw (no
    #: `in_progress` ever shown).
    shows_in_progress: bool = True
    #: Takes `previous_job_id`: continues a completed job of its own.
    continues: bool = False
    source: str = CATALOG_SOURCE

    @property
    def default_duration(self) -> int | None:
        """The shortest it makes: lists are sets, not necessarily sorted (Veo Lite's 8, 4, 6)."""
        return min(self.durations) if self.durations else None

    @property
    def default_resolution(self) -> str | None:
        return _preferred(self.resolutions, "720p")

    @property
    def default_aspect_ratio(self) -> str | None:
        return _preferred(self.aspect_ratios, "16:9")

    def as_json(self) -> dict[str, Any]:
        """The `VideoModel` object: every key the spec requires, null where unknown."""
        return {
            "id": self.id,
            "canonical_slug": self.canonical_slug,
            "hugging_face_id": None,
            "name": self.name,
            "created": self.created,
            "description": self.description,
            "supported_resolutions": _listed(self.resolutions),
            "supported_aspect_ratios": _listed(self.aspect_ratios),
            "supported_sizes": _listed(self.sizes),
            "supported_durations": _listed(self.durations),
            "supported_frame_images": _listed(self.frame_images),
            "generate_audio": self.generate_audio,
            "seed": self.seed,
            "upscale_factor": None,  # generation models; only upscalers have these
            "creativity": None,
            "allowed_passthrough_parameters": list(self.passthrough),
            "pricing_skus": dict(self.pricing_skus),
        }


def _preferred(listed: tuple[str, ...] | None, choice: str) -> str | None:
    if not listed:
        return None
    return choice if choice in listed else listed[0]


def _listed(values: tuple[Any, ...] | None) -> list[Any] | None:
    return list(values) if values is not None else None


def _seconds(low: int, high: int) -> tuple[int, ...]:
    return tuple(range(low, high + 1))


_VEO_PASSTHROUGH = (
    "personGeneration",
    "aspectRatio",
    "negativePrompt",
    "conditioningScale",
    "enhancePrompt",
)
_VEO_SIZES = ("1280x720", "1080x1920", "1920x1080", "720x1280", "3840x2160", "2160x3840")
_SEEDANCE_RATIOS = ("1:1", "3:4", "9:16", "4:3", "16:9", "21:9", "9:21")
_SEEDANCE_FAST_SIZES = (
    "480x480", "480x640", "480x854", "640x480", "854x480", "1120x480", "720x720", "720x960",
    "720x1280", "720x1680", "960x720", "1280x720", "1680x720",
)  # fmt: skip
_BOTH = FRAME_TYPES
_FIRST = ("first_frame",)

MODELS: dict[str, VideoModel] = {
    model.id: model
    for model in (
        VideoModel(
            id="google/veo-3.1",
            canonical_slug="google/veo-3.1-20260320",
            name="Google: Veo 3.1",
            created=1774277148,
            description="Google's highest-fidelity Veo: 1080p or 4K from text or images, "
            "with synchronised sound.",
            resolutions=("720p", "1080p", "4K"),
            aspect_ratios=("16:9", "9:16"),
            sizes=_VEO_SIZES,
            durations=(4, 6, 8),
            frame_images=_BOTH,
            generate_audio=True,
            seed=True,
            pricing_skus={
                "duration_seconds_with_audio": "0.40",
                "duration_seconds_with_audio_4k": "0.60",
                "duration_seconds_without_audio": "0.20",
                "duration_seconds_without_audio_4k": "0.40",
            },
            passthrough=_VEO_PASSTHROUGH,
            provider_slug="google-vertex",
            provider_name="Google Vertex",
        ),
        VideoModel(
            id="google/veo-3.1-fast",
            canonical_slug="google/veo-3.1-fast-20260320",
            name="Google: Veo 3.1 Fast",
            created=1776994666,
            description="Veo's middle tier: quicker and cheaper than Veo 3.1, with sound.",
            resolutions=("720p", "1080p", "4K"),
            aspect_ratios=("16:9", "9:16"),
            sizes=_VEO_SIZES,
            durations=(4, 6, 8),
            frame_images=_BOTH,
            generate_audio=True,
            seed=True,
            pricing_skus={
                "duration_seconds_with_audio": "0.12",
                "duration_seconds_with_audio_4k": "0.30",
                "duration_seconds_without_audio": "0.10",
                "duration_seconds_with_audio_720p": "0.10",
                "duration_seconds_without_audio_4k": "0.25",
                "duration_seconds_without_audio_720p": "0.08",
            },
            passthrough=_VEO_PASSTHROUGH,
            provider_slug="google-vertex",
            provider_name="Google Vertex",
        ),
        VideoModel(
            id="google/veo-3.1-lite",
            canonical_slug="google/veo-3.1-lite-20260331",
            name="Google: Veo 3.1 Lite",
            created=1776978818,
            description="Veo's cheapest tier for many quick clips at 720p or 1080p, with sound.",
            resolutions=("720p", "1080p"),
            aspect_ratios=("16:9", "9:16"),
            sizes=("1280x720", "720x1280", "1920x1080", "1080x1920"),
            durations=(8, 4, 6),  # unsorted, as listed (CB-T2V, SKILL)
            frame_images=_BOTH,
            generate_audio=True,
            seed=True,
            pricing_skus={
                "duration_seconds_with_audio": "0.08",
                "duration_seconds_without_audio": "0.05",
                "duration_seconds_with_audio_720p": "0.05",
                "duration_seconds_without_audio_720p": "0.03",
            },
            passthrough=_VEO_PASSTHROUGH,
            provider_slug="google-vertex",
            provider_name="Google Vertex",
        ),
        VideoModel(
            id="bytedance/seedance-2.0",
            canonical_slug="bytedance/seedance-2.0-20260414",
            name="ByteDance: Seedance 2.0",
            created=1776211362,
            description="ByteDance's Seedance 2.0: text, first/last frame or reference "
            "images to video, up to 4K, priced per video token.",
            resolutions=("480p", "720p", "1080p", "4K"),
            aspect_ratios=_SEEDANCE_RATIOS,
            sizes=(
                *_SEEDANCE_FAST_SIZES,
                "1080x1080",
                "1080x1440",
                "1080x1920",
                "1440x1080",
                "1920x1080",
                "2520x1080",
                "3840x2160",
                "2160x3840",
                "2160x2160",
                "2880x2160",
                "2160x2880",
                "5040x2160",
            ),  # fmt: skip
            durations=_seconds(4, 15),
            frame_images=_BOTH,
            generate_audio=True,
            seed=True,
            pricing_skus={
                "video_tokens": "0.000007",
                "video_tokens_4k": "0.000004",
                "video_tokens_1080p": "0.0000077",
                "video_tokens_without_audio": "0.000007",
                "video_tokens_with_video_input": "0.0000043",
                "video_tokens_4k_with_video_input": "0.0000024",
                "video_tokens_1080p_with_video_input": "0.0000047",
            },
            passthrough=("watermark", "req_key"),
            provider_slug="byteplus",
            provider_name="BytePlus",
        ),
        VideoModel(
            id="bytedance/seedance-2.0-fast",
            canonical_slug="bytedance/seedance-2.0-fast-20260414",
            name="ByteDance: Seedance 2.0 Fast",
            created=1776211362,
            description="The quicker, cheaper Seedance 2.0 at 480p or 720p.",
            resolutions=("480p", "720p"),
            aspect_ratios=_SEEDANCE_RATIOS,
            sizes=_SEEDANCE_FAST_SIZES,
            durations=_seconds(4, 15),
            frame_images=_BOTH,
            generate_audio=True,
            seed=True,
            pricing_skus={
                "video_tokens": "0.0000042",
                "video_tokens_without_audio": "0.0000042",
                "video_tokens_with_video_input": "0.000002475",
            },
            passthrough=("watermark", "req_key"),
            provider_slug="byteplus",
            provider_name="BytePlus",
        ),
        VideoModel(
            id="alibaba/wan-2.6",
            canonical_slug="alibaba/wan-2.6-20260327",
            name="Alibaba: Wan 2.6",
            created=1774659190,
            description="Alibaba's Wan 2.6: 5 or 10 second clips from text or a first frame, "
            "priced apart for text-to-video and image-to-video.",
            resolutions=("720p", "1080p"),
            aspect_ratios=("16:9", "9:16"),
            sizes=("1280x720", "1080x1920", "720x1280", "1920x1080"),
            durations=(5, 10),
            frame_images=_FIRST,
            generate_audio=True,
            seed=True,
            pricing_skus={
                "text_to_video_duration_seconds_480p": "0.04",
                "text_to_video_duration_seconds_720p": "0.08",
                "image_to_video_duration_seconds_720p": "0.10",
                "text_to_video_duration_seconds_1080p": "0.12",
                "image_to_video_duration_seconds_1080p": "0.15",
            },
            passthrough=(
                "negative_prompt",
                "enable_prompt_expansion",
                "shot_type",
                "audio",
                "size",
            ),
            provider_slug="alibaba",
            provider_name="Alibaba",
        ),
        VideoModel(
            id="alibaba/wan-2.7",
            canonical_slug="alibaba/wan-2.7-20260414",
            name="Alibaba: Wan 2.7",
            created=1776211362,
            description="Alibaba's Wan 2.7: text, first/last frame or reference images to "
            "video, 2 to 10 seconds.",
            resolutions=("720p", "1080p"),
            aspect_ratios=("16:9", "9:16", "1:1", "4:3", "3:4"),
            sizes=(
                "1280x720",
                "720x1280",
                "1920x1080",
                "1080x1920",
                "720x720",
                "1080x1080",
                "960x720",
                "720x960",
                "1440x1080",
                "1080x1440",
            ),  # fmt: skip
            durations=_seconds(2, 10),
            frame_images=_BOTH,
            generate_audio=True,
            seed=True,
            pricing_skus={"duration_seconds": "0.1"},
            passthrough=(
                "negative_prompt",
                "prompt_extend",
                "audio",
                "ratio",
                "last_image",
                "video",
                "videos",
                "images",
            ),  # fmt: skip
            provider_slug="alibaba",
            provider_name="Alibaba",
        ),
        VideoModel(
            id="kwaivgi/kling-v3.0-pro",
            canonical_slug="kwaivgi/kling-v3.0-pro-20260429",
            name="Kling: Video v3.0 Pro",
            created=1777496206,
            description="Kuaishou's Kling v3.0 Pro at 720p, 3 to 15 seconds, with first and "
            "last frame control; sound costs extra.",
            resolutions=("720p",),
            aspect_ratios=("16:9", "9:16", "1:1"),
            sizes=("1280x720", "720x1280", "720x720"),
            durations=_seconds(3, 15),
            frame_images=_BOTH,
            generate_audio=True,
            seed=False,
            pricing_skus={
                "duration_seconds": "0.112",
                "duration_seconds_with_audio": "0.168",
                "text_to_video_duration_seconds_480p": "0.112",
                "text_to_video_duration_seconds_720p": "0.112",
                "image_to_video_duration_seconds_720p": "0.112",
                "text_to_video_duration_seconds_1080p": "0.112",
                "image_to_video_duration_seconds_1080p": "0.112",
            },
            passthrough=("negative_prompt", "cfg_scale"),
            # The spec's ProviderOptions names no Kling provider: the simulator's own choice.
            provider_slug="kwaivgi",
            provider_name="Kling",
        ),
        VideoModel(
            id="minimax/hailuo-2.3",
            canonical_slug="minimax/hailuo-2.3-20260420",
            name="MiniMax: Hailuo 2.3",
            created=1776702740,
            description="MiniMax's Hailuo 2.3: 6 or 10 seconds of silent 1080p from text or a "
            "first frame.",
            resolutions=("1080p",),
            aspect_ratios=("16:9",),
            sizes=("1920x1080",),
            durations=(6, 10),
            frame_images=_FIRST,
            generate_audio=False,
            seed=None,
            pricing_skus={"duration_seconds": "0.0817"},
            passthrough=("prompt_optimizer", "fast_pretreatment"),
            provider_slug="minimax",
            provider_name="MiniMax",
            # The cookbook's webhook QA run polled it: pending x4, then completed (CB-HOOK).
            shows_in_progress=False,
        ),
        VideoModel(
            id="openai/sora-2-pro",
            canonical_slug="openai/sora-2-pro-20260320",
            name="OpenAI: Sora 2 Pro",
            created=1774277521,
            description="OpenAI's Sora 2 Pro: 4 to 20 seconds at 720p or 1080p with sound; "
            "text only, no frame images.",
            resolutions=("720p", "1080p"),
            aspect_ratios=("16:9", "9:16"),
            sizes=("1280x720", "1080x1920", "1920x1080", "720x1280"),
            durations=(4, 8, 12, 16, 20),
            frame_images=None,
            generate_audio=True,
            seed=False,
            pricing_skus={
                "duration_seconds_720p": "0.30",
                "duration_seconds_1024p": "0.50",
                "duration_seconds_1080p": "0.50",
            },
            passthrough=("quality", "style"),
            provider_slug="openai",
            provider_name="OpenAI",
        ),
        VideoModel(
            id="runway/gen-4.5",
            canonical_slug="runway/gen-4.5-20260729",
            name="Runway: Gen-4.5",
            created=1785339483,
            description="Runway's Gen-4.5: silent 720p clips of 2 to 10 seconds from text or "
            "a first frame.",
            resolutions=("720p",),
            aspect_ratios=("16:9", "9:16"),
            sizes=("1280x720", "720x1280"),
            durations=_seconds(2, 10),
            frame_images=_FIRST,
            generate_audio=False,
            seed=True,
            pricing_skus={"cents_per_second_output": "12"},
            passthrough=("contentModeration",),
            provider_slug="runway",
            provider_name="Runway",
        ),
        VideoModel(
            id="x-ai/grok-imagine-video",
            canonical_slug="x-ai/grok-imagine-video-20260512",
            name="SpaceXAI: Grok Imagine Video",
            created=1779117586,
            description="xAI's fast Grok Imagine Video: 1 to 15 seconds at 480p or 720p in "
            "seven aspect ratios.",
            resolutions=("480p", "720p"),
            aspect_ratios=("16:9", "9:16", "1:1", "4:3", "3:4", "3:2", "2:3"),
            sizes=(
                "854x480",
                "1280x720",
                "480x854",
                "720x1280",
                "480x480",
                "720x720",
                "640x480",
                "960x720",
                "480x640",
                "720x960",
                "720x480",
                "1080x720",
                "480x720",
                "720x1080",
            ),  # fmt: skip
            durations=_seconds(1, 15),
            frame_images=_FIRST,
            generate_audio=None,
            seed=None,
            pricing_skus={
                "cents_per_image_input": "0.2",
                "cents_per_video_output_second_480p": "5",
                "cents_per_video_output_second_720p": "7",
            },
            passthrough=(),
            provider_slug="xai",
            provider_name="xAI",
        ),
        VideoModel(
            id="black-forest-labs/flux-3-video",
            canonical_slug="black-forest-labs/flux-3-video-20260804",
            name="Black Forest Labs: FLUX.3 Video",
            created=1785858831,
            description="Black Forest Labs' FLUX.3 Video: text to video with opening and "
            "closing keyframes, and video continuation: pass a completed job's id as "
            "previous_job_id to continue that video (priced per continued second).",
            resolutions=("720p", "1080p"),
            aspect_ratios=("21:9", "16:9", "4:3", "1:1", "3:4", "9:16"),
            sizes=None,
            durations=_seconds(5, 20),
            frame_images=_BOTH,
            generate_audio=True,
            seed=False,
            pricing_skus={
                "cents_per_second_output": "17",
                "cents_per_second_output_720p": "17",
                "cents_per_second_output_1080p": "29",
                "cents_per_second_video_continuation_720p": "41",
                "cents_per_second_video_continuation_1080p": "53",
            },
            passthrough=("safety_tolerance", "version"),
            provider_slug="black-forest-labs",
            provider_name="Black Forest Labs",
            # Its `cents_per_second_video_continuation_*` prices are the only continuation
            # prices in the catalog: the simulator lets it take `previous_job_id`.
            continues=True,
        ),
    )
}


def frame_size(resolution: str, aspect_ratio: str) -> tuple[int, int]:
    """The pixels of a resolution at an aspect ratio: the short side is the resolution's,
    the long one follows, rounded to an even number (480p at 16:9 is 854x480)."""
    short = SHORT_SIDES[resolution]
    across, down = ASPECT_RATIOS[aspect_ratio]
    if across >= down:
        return _even(short * across / down), short
    return short, _even(short * down / across)


def resolution_of(width: int, height: int) -> str:
    """The listed resolution nearest a frame's short side (for pricing a `size`)."""
    short = min(width, height)
    return min(SHORT_SIDES, key=lambda name: (abs(SHORT_SIDES[name] - short), name))


def _even(value: float) -> int:
    return 2 * round(value / 2)


def cost(
    model: VideoModel,
    *,
    seconds: int,
    resolution: str,
    width: int,
    height: int,
    audio: bool,
    from_image: bool = False,
    images_in: int = 0,
    video_in: bool = False,
    continuation: bool = False,
) -> float:
    """What a job costs in USD, read from the model's `pricing_skus`: the most specific SKU
    that applies (per second in USD, per second in cents, or per video token), as the names
    in the catalog say. The rules are the simulator's reading of those names."""
    skus = {name: float(value) for name, value in model.pricing_skus.items()}
    res = resolution.lower()
    sound = "with_audio" if audio else "without_audio"
    mode = "image_to_video" if from_image else "text_to_video"
    per_second = _first_sku(
        skus,
        f"duration_seconds_{sound}_{res}",
        f"duration_seconds_{sound}",
        f"{mode}_duration_seconds_{res}",
        f"duration_seconds_{res}",
        "duration_seconds",
    )
    if per_second is not None:
        return _usd(per_second * seconds)
    cents_per_second = _first_sku(
        skus,
        *((f"cents_per_second_video_continuation_{res}",) if continuation else ()),
        f"cents_per_second_output_{res}",
        "cents_per_second_output",
        f"cents_per_video_output_second_{res}",
    )
    if cents_per_second is not None:
        cents = cents_per_second * seconds + skus.get("cents_per_image_input", 0.0) * images_in
        cents = max(cents, skus.get("minimum_cents_per_generation", 0.0))
        return _usd(cents / 100)
    per_token = _first_sku(
        skus,
        *(
            (f"video_tokens_{res}_with_video_input", "video_tokens_with_video_input")
            if video_in
            else ()
        ),
        f"video_tokens_{res}",
        *(("video_tokens_without_audio",) if not audio else ()),
        "video_tokens",
    )
    if per_token is not None:
        tokens = width * height * TOKEN_FPS * seconds / TOKEN_PIXELS
        return _usd(per_token * tokens)
    return 0.0


def _first_sku(skus: dict[str, float], *names: str) -> float | None:
    return next((skus[name] for name in names if name in skus), None)


def _usd(amount: float) -> float:
    return round(amount, 6)
