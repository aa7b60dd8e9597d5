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

#: Sizes as the Videos contract sends them (`WxH`), by resolution and orientation.
_720P = ("1280x720", "720x1280")
_1080P = ("1920x1080", "1080x1920")
_4K = ("3840x2160", "2160x3840")
_480P = ("854x480", "480x854")
_768P = ("1366x768", "768x1366")


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
    ),
    # Runway Gen-4 Turbo and Gen-4.5 (LiteLLM's runwayml/ route). Source: reference/SERVERS.md:
    # gen4_turbo 5/10 s at 1280:720 or 720:1280; no price there. Runway's ratios are sizes.
    ModelFamily(
        name="runway-gen4-turbo",
        label="Runway Gen-4 Turbo",
        pattern=r"gen-?4[_-]turbo",
        models=("gen4_turbo",),
        sizes=_720P,
        seconds=("5", "10"),
        default_size="1280x720",
        default_seconds="5",
        audio=False,
        typical_seconds=60.0,
    ),
    ModelFamily(
        name="runway-gen4.5",
        label="Runway Gen-4.5",
        pattern=r"gen-?4[._]5",
        models=("gen4.5",),
        sizes=_720P,
        seconds=("5", "10"),
        default_size="1280x720",
        default_seconds="5",
        audio=False,
        typical_seconds=90.0,
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
