"""What each model family allows and costs, as data: one row per family, each citing its source.

Servers name models their own way: a provider prefix (`gemini/`, `vertex_ai/`, `hosted_vllm/`,
`Wan-AI/`), a dated or versioned suffix (`-2025-12-08`, `-generate-preview`, `-001`), or a
LiteLLM `model_name` chosen by whoever runs the proxy. `family_of` matches the last part of the
name against each family's pattern, most specific first; a name that matches nothing is an
unknown model, which is sent as typed and checked for shape only (see `validation`).

Prices are USD per second of output, by resolution where they differ; `None` where no price is
published (self-hosted open weights cost GPU time, not a fee). They are estimates shown before
sending, never a bill: a server's own charged cost (LiteLLM's `x-litellm-response-cost`) wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal, TypedDict

#: Sizes as the Videos contract sends them (`WxH`), by resolution and orientation.
_720P = ("1280x720", "720x1280")
_1080P = ("1920x1080", "1080x1920")
_4K = ("3840x2160", "2160x3840")
_480P = ("854x480", "480x854")
_768P = ("1366x768", "768x1366")
_RUNWAY_SECONDS = tuple(str(n) for n in range(2, 11))


ParamKind = Literal["int", "float", "bool", "choice", "string"]
#: How an image travels in a create body: a multipart file, a `data:` URI string, a JSON list
#: of them, Veo's `{bytesBase64Encoded, mimeType}` (alone, or as `referenceImages` items), or
#: an item of Runway's `promptImage` list at its first or last position.
ImageEncoding = Literal[
    "file",
    "data_uri",
    "data_uri_list",
    "veo_image",
    "veo_references",
    "runway_first",
    "runway_last",
]

#: The largest seed most servers take (an unsigned 32-bit integer).
MAX_SEED = 4_294_967_295


class ParamPayload(TypedDict):
    """A `Param` as the Advanced section's form draws it."""

    name: str
    kind: ParamKind
    label: str
    help: str
    default: object
    low: float | None
    high: float | None
    choices: list[str]


class ImageSlotsPayload(TypedDict):
    """Which images a model takes: a first frame, a last frame, how many references."""

    first: bool
    last: bool
    references: int


@dataclass(frozen=True)
class Param:
    """One extra parameter a family takes, as the route it is reached through names it."""

    name: str
    kind: ParamKind
    label: str
    help: str = ""
    #: What the server uses when the field is left empty; shown as the placeholder, never sent.
    default: object = None
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    max_chars: int = 2000
    #: Sent as `{nest: value}` rather than the value (Kling's `camera_control: {"type": ...}`).
    nest: str | None = None

    def payload(self) -> ParamPayload:
        """The field as the form builds it (JSON-ready)."""
        return {
            "name": self.name,
            "kind": self.kind,
            "label": self.label,
            "help": self.help,
            "default": self.default,
            "low": self.low,
            "high": self.high,
            "choices": list(self.choices),
        }


@dataclass(frozen=True)
class ImageField:
    """Where one image goes in the create body, and in what form."""

    field: str
    encoding: ImageEncoding


@dataclass(frozen=True)
class ImageSlots:
    """The images a family takes, and the body they travel in ("form": multipart, "json")."""

    body: Literal["form", "json"] = "form"
    first: ImageField | None = ImageField("input_reference", "file")
    last: ImageField | None = None
    references: ImageField | None = None
    max_references: int = 0

    def payload(self) -> ImageSlotsPayload:
        return {
            "first": self.first is not None,
            "last": self.last is not None,
            "references": self.max_references if self.references is not None else 0,
        }


#: The OpenAI shape (and vLLM-Omni, SGLang): a multipart form with `input_reference` as a file.
#: LiteLLM's proxy takes only `input_reference` as an upload (its endpoint's one `File`) and
#: forwards every other form field as text (openai/: as form data; hosted_vllm/: through
#: `_serialize_form_value`), so other images go as `data:` URIs in text fields.
OPENAI_FORM = ImageSlots()
_SEED = Param(
    "seed", "int", "Seed", "The same seed and prompt give the same video.", None, 0, MAX_SEED
)
_NEGATIVE = Param("negative_prompt", "string", "Negative prompt", "What the video must not show.")


# ---- the parameter rows, by route ---------------------------------------------------------------

# Veo through LiteLLM's gemini/ route (litellm/llms/gemini/videos/transformation.py and
# types/llms/gemini.py `GeminiVideoGenerationParameters`, 1.108.14 and 1.110.2): names are Veo's own
# (camelCase); `size` is mapped to `aspectRatio` and `resolution`, an explicit `resolution`
# wins, an explicit `aspectRatio` loses to the size's. The pydantic model has no `seed` or
# `generateAudio`: that route DROPS them (they reach Veo directly or through vertex_ai/'s
# `parameters` block). `lastFrame` and `referenceImages` (up to 3, Veo 3.1 only) pass as given.
_VEO_31_PARAMS = (
    Param("negativePrompt", "string", "Negative prompt", "What the video must not show."),
    Param(
        "resolution",
        "choice",
        "Resolution",
        "Overrides the one the size implies.",
        None,
        choices=("720p", "1080p"),
    ),  # fmt: skip
    Param(
        "aspectRatio",
        "choice",
        "Aspect ratio",
        "Through LiteLLM the Size decides it.",
        None,
        choices=("16:9", "9:16"),
    ),  # fmt: skip
    Param(
        "generateAudio", "bool", "Sound", "Dropped by LiteLLM's gemini/ route.", True
    ),  # fmt: skip
    Param(
        "seed", "int", "Seed", "Dropped by LiteLLM's gemini/ route.", None, 0, MAX_SEED
    ),  # fmt: skip
)
_VEO_IMAGE = ImageField("input_reference", "veo_image")  # LiteLLM maps it to `instances[].image`
_VEO_31_IMAGES = ImageSlots(
    "json", _VEO_IMAGE, ImageField("lastFrame", "veo_image"),
    ImageField("referenceImages", "veo_references"), 3,
)  # fmt: skip
_VEO_3_IMAGES = ImageSlots("json", _VEO_IMAGE)
# Runway through LiteLLM's runwayml/ route (llms/runwayml/videos/transformation.py): a JSON
# body; `input_reference` becomes `promptImage`, which Runway takes as a list of
# {uri, position: first|last} (data URIs allowed); `ratio` is mapped from `size` but an explicit
# `ratio` wins (unmapped keys are spread after it); `seed` passes through.
_RUNWAY_PARAMS = (
    Param(
        "ratio",
        "choice",
        "Ratio",
        "Overrides the one the size implies.",
        None,
        choices=("1280:720", "720:1280", "1104:832", "832:1104", "960:960", "1584:672"),
    ),  # fmt: skip
    _SEED,
)
_RUNWAY_IMAGES = ImageSlots(
    "json", ImageField("promptImage", "runway_first"), ImageField("promptImage", "runway_last")
)
# Wan through LiteLLM's dashscope/ route (llms/dashscope/videos/transformation.py): caller
# parameters `negative_prompt`, `seed` (0 to 2,147,483,647, StrictInt), `audio` and
# `prompt_extend` (StrictBool), `resolution`; `input_reference` (a URL or data URI string)
# becomes `img_url` or a `media` first_frame; `last_frame_url` is one of its input keys.
_WAN_PARAMS = (
    _NEGATIVE,
    Param("seed", "int", "Seed", _SEED.help, None, 0, 2_147_483_647),
    Param("prompt_extend", "bool", "Rewrite the prompt", "Let the server expand the prompt.", True),
    Param("audio", "bool", "Sound", "A generated sound track (Wan 2.5 and later).", True),
    Param("resolution", "choice", "Resolution", "", None, choices=("480P", "720P", "1080P")),
)
_WAN_IMAGES = ImageSlots(
    "json", ImageField("input_reference", "data_uri"), ImageField("last_frame_url", "data_uri")
)
# Kling (Kuaishou's API; on fal its endpoints take the same fields): `negative_prompt`,
# `cfg_scale` 0 to 1 (default 0.5), `mode` std|pro, `camera_control` as {"type": preset}
# (the raw JSON field sends a full {"type": "simple", "config": {...}} object). Through
# LiteLLM's fal_ai/ route (llms/fal_ai/videos/transformation.py) `input_reference` must be a
# string (a file raises "fal.ai needs a public image URL") and unmapped keys pass as given;
# Kling's last frame is `tail_image_url`.
_KLING_PARAMS = (
    _NEGATIVE,
    Param(
        "cfg_scale", "float", "Prompt strength", "How closely to follow the prompt.", 0.5, 0.0, 1.0
    ),  # fmt: skip
    Param("mode", "choice", "Mode", "pro: higher quality, slower.", "std", choices=("std", "pro")),
    Param(
        "camera_control",
        "choice",
        "Camera move",
        "A preset camera movement.",
        None,
        choices=("down_back", "forward_up", "right_turn_forward", "left_turn_forward"),
        nest="type",
    ),  # fmt: skip
)
_FAL_FIRST = ImageField("input_reference", "data_uri")
_KLING_IMAGES = ImageSlots("json", _FAL_FIRST, ImageField("tail_image_url", "data_uri"))
# Seedance through LiteLLM's fal_ai/ route (its `_SEEDANCE_PROFILE`: resolutions 480p/720p/
# 1080p/4k, `input_reference` -> `image_url`; aspect ratios auto, 16:9, 9:16, 1:1, 4:3, 3:4,
# 21:9); `seed`, `camera_fixed`, `generate_audio` and `end_image_url` are fal's Seedance fields,
# passed through as unmapped keys. LiteLLM 1.110.2 adds a volcengine/ (BytePlus) video route.
_SEEDANCE_PARAMS = (
    Param("resolution", "choice", "Resolution", "", None, choices=("480p", "720p", "1080p")),
    Param(
        "aspect_ratio",
        "choice",
        "Ratio",
        "",
        None,
        choices=("auto", "16:9", "9:16", "1:1", "4:3", "3:4", "21:9"),
    ),  # fmt: skip
    Param("seed", "int", "Seed", _SEED.help, None, 0, 2_147_483_647),
    Param("camera_fixed", "bool", "Fixed camera", "Keep the camera still.", False),
    Param("generate_audio", "bool", "Sound", "A generated sound track (Seedance 1.5).", True),
)
_SEEDANCE_IMAGES = ImageSlots("json", _FAL_FIRST, ImageField("end_image_url", "data_uri"))
# Open weights served by vLLM-Omni or SGLang (`hosted_vllm/`, `openai/` with an api_base, or
# directly): LiteLLM's hosted_vllm route forwards `_VLLM_OMNI_VIDEO_PARAMS` and any other form
# field as text; vLLM-Omni's docs (examples/online_serving) send `negative_prompt`,
# `num_frames`, `fps`, `num_inference_steps`, `guidance_scale`, `seed` as form fields. Neither
# documents a last frame or reference images: the raw JSON field can still send them.
_SERVED_PARAMS = (
    _NEGATIVE,
    _SEED,
    Param("num_inference_steps", "int", "Steps", "More steps: finer, slower.", None, 1, 200),
    Param(
        "guidance_scale", "float", "Guidance", "How closely to follow the prompt.", None, 0.0, 30.0
    ),  # fmt: skip
    Param("fps", "int", "Frames per second", "", None, 1, 60),
    Param("num_frames", "int", "Frames", "Overrides the duration.", None, 1, 1000),
)
#: Open weights under their publishers' names (`Wan-AI/...`, `hosted_vllm/Lightricks/...`):
#: served by vLLM-Omni or SGLang, so they take `_SERVED_PARAMS`, whatever their family.
_SERVED = re.compile(r"(hosted_vllm/|sglang/)?(Wan-AI|Lightricks|tencent|nvidia)/.+", re.I)


@dataclass(frozen=True)
class ModelFamily:
    """One family of models: what the form offers for it and what a clip costs."""

    name: str
    label: str
    #: Matched (case-insensitively, in full) against the last segment of a model name.
    pattern: str
    #: Names servers usually give its models; the form offers the first when a server lists
    #: none of its own.
    models: tuple[str, ...]
    sizes: tuple[str, ...]
    seconds: tuple[str, ...]
    default_size: str
    default_seconds: str
    #: Whether its clips come with a sound track.
    audio: bool
    #: USD per second, by resolution ("720p", "1080p", "4k", ...; "*" for every size).
    price_per_second: dict[str, float] = field(default_factory=dict)
    #: Typical wall-clock seconds to generate a default clip: the ETA before any progress.
    typical_seconds: float = 120.0
    #: Refuse sizes and durations outside the lists before sending (the Sora contract is
    #: published exactly); other families are checked for shape only, since gateways map
    #: sizes and durations in ways a catalog cannot follow.
    strict: bool = False
    #: The extra parameters the Advanced section offers for it, as its route names them.
    parameters: tuple[Param, ...] = ()
    #: The images it takes and how they travel (see `ImageSlots`).
    images: ImageSlots = OPENAI_FORM

    def matches(self, model: str) -> bool:
        return re.fullmatch(self.pattern, model_key(model), re.IGNORECASE) is not None

    def price_for(self, size: str) -> float | None:
        """USD per second at this size, or None when the family has no published price."""
        return self.price_per_second.get(resolution_of(size)) or self.price_per_second.get("*")


FAMILIES: tuple[ModelFamily, ...] = (
    # OpenAI Sora 2 (removed 2026-09-24; kept for the simulator and servers that mimic it).
    # Source: reference/VIDEOS_API.md (sizes, seconds, prices; 1792x1024 at $0.50 is a
    # third-party figure), generation times "2 to 5 minutes typical".
    ModelFamily(
        name="sora-2-pro",
        label="Sora 2 Pro",
        pattern=r"sora-2-pro(-\d{4}-\d{2}-\d{2})?",
        models=("sora-2-pro", "sora-2-pro-2025-10-06"),
        sizes=("720x1280", "1280x720", "1024x1792", "1792x1024"),
        seconds=("4", "8", "12"),
        default_size="720x1280",
        default_seconds="4",
        audio=True,
        price_per_second={"720p": 0.30, "1024p": 0.50},
        typical_seconds=300.0,
        strict=True,
    ),
    ModelFamily(
        name="sora-2",
        label="Sora 2",
        pattern=r"sora-2(-\d{4}-\d{2}-\d{2})?",
        models=("sora-2", "sora-2-2025-10-06", "sora-2-2025-12-08"),
        sizes=("720x1280", "1280x720"),
        seconds=("4", "8", "12"),
        default_size="720x1280",
        default_seconds="4",
        audio=True,
        price_per_second={"720p": 0.10},
        typical_seconds=120.0,
        strict=True,
    ),
    # Google Veo 3.1 (Gemini API / Vertex AI, through LiteLLM's gemini/ and vertex_ai/ routes,
    # which map `size` to an aspect ratio). Source: reference/SERVERS.md: 4/6/8 s; 720p,
    # 1080p, 4k; native audio; "several minutes"; prices Veo 3.1 0.40 (720p/1080p) 0.60 (4K),
    # Fast 0.10/0.12/0.30, Lite 0.05/0.08.
    ModelFamily(
        name="veo-3.1-fast",
        label="Veo 3.1 Fast",
        pattern=r"veo-3\.1-fast(-generate)?(-preview|-\d{3})?",
        models=("veo-3.1-fast-generate-preview",),
        sizes=_720P + _1080P + _4K,
        seconds=("4", "6", "8"),
        default_size="1280x720",
        default_seconds="8",
        audio=True,
        price_per_second={"720p": 0.10, "1080p": 0.12, "4k": 0.30},
        typical_seconds=90.0,
        parameters=_VEO_31_PARAMS,
        images=_VEO_31_IMAGES,
    ),
    ModelFamily(
        name="veo-3.1-lite",
        label="Veo 3.1 Lite",
        pattern=r"veo-3\.1-lite(-generate)?(-preview|-\d{3})?",
        models=("veo-3.1-lite-generate-preview",),
        sizes=_720P + _1080P,
        seconds=("4", "6", "8"),
        default_size="1280x720",
        default_seconds="8",
        audio=True,
        price_per_second={"720p": 0.05, "1080p": 0.08},
        typical_seconds=60.0,
        parameters=_VEO_31_PARAMS,
        images=_VEO_31_IMAGES,
    ),
    ModelFamily(
        name="veo-3.1",
        label="Veo 3.1",
        pattern=r"veo-3\.1(-generate)?(-preview|-\d{3})?",
        models=("veo-3.1-generate-preview",),
        sizes=_720P + _1080P + _4K,
        seconds=("4", "6", "8"),
        default_size="1280x720",
        default_seconds="8",
        audio=True,
        price_per_second={"720p": 0.40, "1080p": 0.40, "4k": 0.60},
        typical_seconds=180.0,
        parameters=_VEO_31_PARAMS,
        images=_VEO_31_IMAGES,
    ),
    # Veo 3.0 (standard and fast): 8 s clips with audio at 720p/1080p. Source: LiteLLM's
    # gemini video transformation (8 s default); no price in reference/SERVERS.md, so none here.
    ModelFamily(
        name="veo-3.0-fast",
        label="Veo 3 Fast",
        pattern=r"veo-3(\.0)?-fast(-generate)?(-preview|-\d{3})?",
        models=("veo-3.0-fast-generate-001",),
        sizes=_720P + _1080P,
        seconds=("8",),
        default_size="1280x720",
        default_seconds="8",
        audio=True,
        typical_seconds=90.0,
        parameters=_VEO_31_PARAMS[:2],
        images=_VEO_3_IMAGES,
    ),
    ModelFamily(
        name="veo-3.0",
        label="Veo 3",
        pattern=r"veo-3(\.0)?(-generate)?(-preview|-\d{3})?",
        models=("veo-3.0-generate-001",),
        sizes=_720P + _1080P,
        seconds=("8",),
        default_size="1280x720",
        default_seconds="8",
        audio=True,
        typical_seconds=180.0,
        parameters=_VEO_31_PARAMS[:2],
        images=_VEO_3_IMAGES,
    ),
    # Runway Gen-4 Turbo and Gen-4.5 (LiteLLM's runwayml/ route). Source: reference/SERVERS.md:
    # gen4_turbo at 1280:720 or 720:1280; no price there. Runway's ratios are sizes. Durations:
    # Runway's API takes a whole `duration` of 2 to 10 s (LiteLLM sends `int(seconds)`).
    ModelFamily(
        name="runway-gen4-turbo",
        label="Runway Gen-4 Turbo",
        pattern=r"gen-?4[_-]turbo",
        models=("gen4_turbo",),
        sizes=_720P,
        seconds=_RUNWAY_SECONDS,
        default_size="1280x720",
        default_seconds="5",
        audio=False,
        typical_seconds=60.0,
        parameters=_RUNWAY_PARAMS,
        images=_RUNWAY_IMAGES,
    ),
    ModelFamily(
        name="runway-gen4.5",
        label="Runway Gen-4.5",
        pattern=r"gen-?4[._]5",
        models=("gen4.5",),
        sizes=_720P,
        seconds=_RUNWAY_SECONDS,
        default_size="1280x720",
        default_seconds="5",
        audio=False,
        typical_seconds=90.0,
        parameters=_RUNWAY_PARAMS,
        images=_RUNWAY_IMAGES,
    ),
    # Alibaba Wan 2.x (DashScope's wan2.x-t2v/i2v, fal, or open weights such as
    # Wan-AI/Wan2.2-T2V-A14B on vLLM-Omni). Source: reference/SERVERS.md: 5 s default,
    # 480P/720P/1080P; Wan 2.7 on fal $0.10/s (used for the hosted ones). vLLM-Omni: any WxH.
    ModelFamily(
        name="wan-2",
        label="Wan 2.x",
        pattern=r"wan-?2(\.\d+)?([-_].*)?",
        models=("wan2.6-t2v", "Wan-AI/Wan2.2-T2V-A14B"),
        sizes=_480P + _720P + _1080P,
        seconds=("5", "10"),
        default_size="1280x720",
        default_seconds="5",
        audio=True,
        price_per_second={"*": 0.10},
        typical_seconds=180.0,
        parameters=_WAN_PARAMS,
        images=_WAN_IMAGES,
    ),
    # ByteDance Seedance (LiteLLM's volcengine/ route). Source: reference/SERVERS.md: Seedance
    # 2.0 about $0.19/s at 1080p; statuses `processing`, `expired`, `deleted`.
    ModelFamily(
        name="seedance",
        label="Seedance",
        pattern=r"(doubao-)?seedance([-_].*)?",
        models=("seedance-1-0-pro",),
        sizes=_480P + _720P + _1080P,
        seconds=("5", "10"),
        default_size="1920x1080",
        default_seconds="5",
        audio=True,
        price_per_second={"1080p": 0.19},
        typical_seconds=120.0,
        parameters=_SEEDANCE_PARAMS,
        images=_SEEDANCE_IMAGES,
    ),
    # Kuaishou Kling (its own API, or fal's kling-video endpoints behind LiteLLM's fal_ai/
    # route, under a model_name such as "kling-v2.1"). Source: Kling's API docs (5 or 10 s,
    # 16:9 / 9:16 / 1:1); no price in reference/SERVERS.md, so none here.
    ModelFamily(
        name="kling",
        label="Kling",
        pattern=r"kling([-_.].*)?",
        models=("kling-v2.1",),
        sizes=_720P + _1080P,
        seconds=("5", "10"),
        default_size="1280x720",
        default_seconds="5",
        audio=False,
        typical_seconds=120.0,
        parameters=_KLING_PARAMS,
        images=_KLING_IMAGES,
    ),
    # MiniMax Hailuo. Source: reference/SERVERS.md: MiniMax H3 $0.08 (768P), $0.13 (2K).
    ModelFamily(
        name="minimax-hailuo",
        label="MiniMax Hailuo",
        pattern=r"(minimax-)?(hailuo|video-01|h3)([-_].*)?",
        models=("MiniMax-Hailuo-02",),
        sizes=_768P + _1080P,
        seconds=("6", "10"),
        default_size="1366x768",
        default_seconds="6",
        audio=False,
        price_per_second={"768p": 0.08, "1440p": 0.13},
        typical_seconds=120.0,
    ),
    # xAI Grok Imagine (LiteLLM's xai/grok-imagine-video). Source: reference/SERVERS.md: 6 s
    # default; Grok Imagine 1.5 $0.08 / $0.14 / $0.25 by resolution (480p, 720p, 1080p).
    ModelFamily(
        name="grok-imagine",
        label="Grok Imagine",
        pattern=r"grok-imagine(-video)?([-_].*)?",
        models=("grok-imagine-video",),
        sizes=_480P + _720P + _1080P,
        seconds=("6", "10"),
        default_size="1280x720",
        default_seconds="6",
        audio=True,
        price_per_second={"480p": 0.08, "720p": 0.14, "1080p": 0.25},
        typical_seconds=60.0,
    ),
    # Lightricks LTX-2 (open weights, on vLLM-Omni or SGLang): any WxH, sound. Source:
    # reference/SERVERS.md (vLLM-Omni models); self-hosted, so no price.
    ModelFamily(
        name="ltx-2",
        label="LTX-2",
        pattern=r"ltx-?(2|video)([-_.].*)?",
        models=("Lightricks/LTX-2",),
        sizes=_720P + _1080P,
        seconds=("4", "6", "8", "10"),
        default_size="1280x720",
        default_seconds="4",
        audio=True,
        typical_seconds=60.0,
        parameters=_SERVED_PARAMS,
    ),
    # Tencent HunyuanVideo 1.5 (open weights on vLLM-Omni / SGLang). Source: reference/SERVERS.md.
    ModelFamily(
        name="hunyuanvideo",
        label="HunyuanVideo",
        pattern=r"hunyuan-?video([-_.].*)?",
        models=("tencent/HunyuanVideo-1.5",),
        sizes=_480P + _720P,
        seconds=("4", "5"),
        default_size="1280x720",
        default_seconds="5",
        audio=False,
        typical_seconds=300.0,
        parameters=_SERVED_PARAMS,
    ),
)

_BY_NAME = {family.name: family for family in FAMILIES}
_SUFFIXES = re.compile(r"(:[\w.-]+)$")


def model_key(model: str) -> str:
    """The part of a model name that says which model it is: `hosted_vllm/Wan-AI/Wan2.2-T2V`
    is `Wan2.2-T2V`; a `name:tag` suffix (Ollama-style) is dropped."""
    return _SUFFIXES.sub("", model.strip().rsplit("/", 1)[-1])


def family_of(model: str) -> ModelFamily | None:
    """The family a model name belongs to, or None for a model the catalog does not know."""
    if not isinstance(model, str) or not model.strip():
        return None
    return next((family for family in FAMILIES if family.matches(model)), None)


def parameters_of(model: str) -> tuple[Param, ...]:
    """The extra parameters the form offers for `model`: open weights under a publisher's name
    are served (vLLM-Omni, SGLang) and take theirs; an unknown model none (only raw JSON)."""
    if isinstance(model, str) and _SERVED.fullmatch(model.strip()):
        return _SERVED_PARAMS
    family = family_of(model)
    return family.parameters if family is not None else ()


def images_of(model: str) -> ImageSlots:
    """The images `model` takes and how they travel; served and unknown models: the OpenAI
    shape (a multipart `input_reference` only)."""
    family = family_of(model)
    if family is None or (isinstance(model, str) and _SERVED.fullmatch(model.strip())):
        return OPENAI_FORM
    return family.images


def family_named(name: str) -> ModelFamily:
    return _BY_NAME[name]


def order_models(names: list[str]) -> list[str]:
    """A server's model names for the menu: those of known families first (in the catalog's
    order), then the rest as the server gave them; each once."""
    unique = list(dict.fromkeys(names))
    rank = {family.name: n for n, family in enumerate(FAMILIES)}

    def key(name: str) -> int:
        family = family_of(name)
        return rank[family.name] if family is not None else len(FAMILIES)

    return sorted(unique, key=key)


def offered_models() -> list[str]:
    """What the Model menu offers when the server lists no models: Sora's (the simulator's
    default, its dated snapshots too), then each other family's usual name."""
    strict = sorted((f for f in FAMILIES if f.strict), key=lambda family: family.name != "sora-2")
    names = [family.models[0] for family in strict]
    names += [name for family in strict for name in family.models[1:]]
    return names + [family.models[0] for family in FAMILIES if not family.strict]


def resolution_of(size: str) -> str:
    """'1280x720' -> '720p', '3840x2160' -> '4k': the label prices are quoted by."""
    try:
        width, height = (int(part) for part in size.lower().split("x"))
    except (AttributeError, ValueError):
        return ""
    short = min(width, height)
    return "4k" if short >= 2160 else f"{short}p"
