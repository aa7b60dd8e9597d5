"""What OpenRouter's `POST /api/v1/videos` accepts, as this simulator states it.

The rules come from OpenRouter's own description (its OpenAPI `VideoGenerationRequest`, the
video guide and the official skill, summarised in OPENROUTER.md §2 and §12): a value a model
does not list is a 400 naming the field and the values it takes. They are written here, apart
from the client's validation, so the client is tested against an independent reading of the
server. Images arrive as data URLs (the simulator is offline and fetches nothing).
"""

from __future__ import annotations

import base64
import binascii
import io
from dataclasses import dataclass, field
from typing import Any

from PIL import Image, UnidentifiedImageError

from .errors import OpenRouterError
from .openrouter_models import (
    ASPECT_RATIOS,
    MODELS,
    SHORT_SIDES,
    VideoModel,
    frame_size,
    resolution_of,
)

MAX_SEED = 4_294_967_295
MAX_SESSION_ID = 256
#: The reference images the renderer hangs in the scene.
MAX_PICTURES = 3
REFERENCE_TYPES = ("image_url", "audio_url", "video_url")
#: Upscaling-only fields: no video generation model takes them (spec and SDK docs).
UPSCALER_FIELDS = ("creativity", "upscale_factor")
ASPECT_TOLERANCE = 0.02


@dataclass
class Asked:
    """A create request, checked: what the job makes and what it is priced on."""

    model: VideoModel
    prompt: str
    duration: int
    resolution: str
    aspect_ratio: str | None
    width: int
    height: int
    generate_audio: bool
    seed: int | None = None
    negative_prompt: str = ""
    first_frame: bytes | None = None
    last_frame: bytes | None = None
    pictures: list[bytes] = field(default_factory=list)
    images_in: int = 0
    video_in: bool = False
    previous_job_id: str | None = None
    callback_url: str | None = None
    #: The `provider.options.<slug>.parameters` that reach the model (allowed keys only).
    passthrough: dict[str, Any] = field(default_factory=dict)


def invalid(message: str, **metadata: Any) -> OpenRouterError:
    """A 400 whose metadata names the field (and, when there is a list, what it takes)."""
    return OpenRouterError(400, message, metadata=metadata or None)


def not_found(what: str) -> OpenRouterError:
    return OpenRouterError(404, "Resource not found", metadata={"detail": what})


def model_named(fields: dict[str, Any]) -> VideoModel:
    """The model asked for: missing or not text is a 400, one that is not a video model a 404."""
    model = fields.get("model")
    if model is None:
        raise invalid(
            "model is required: name a video model, e.g. 'google/veo-3.1'.", param="model"
        )
    if not isinstance(model, str):
        raise invalid("model must be a string naming a video model.", param="model")
    found = MODELS.get(model)
    if found is None:
        raise not_found(
            f"No video model {model[:100]!r}; GET /api/v1/videos/models lists them: "
            + ", ".join(MODELS)
        )
    return found


def check_request(fields: dict[str, Any]) -> Asked:
    """Every field of a create, checked against what the model lists."""
    model = model_named(fields)
    for name in UPSCALER_FIELDS:
        if fields.get(name) is not None:
            raise invalid(
                f"{name} is only for video upscaling models; {model.id} is a video "
                "generation model and does not take it.",
                param=name,
            )
    frames = _frame_images(fields.get("frame_images"), model)
    pictures, images_in, video_in = _references(fields.get("input_references"))
    prompt = fields.get("prompt")
    if prompt is None:
        if not frames and not images_in:
            raise invalid(
                "prompt is required unless frame_images or input_references give an image.",
                param="prompt",
            )
        prompt = ""
    elif not isinstance(prompt, str):
        raise invalid("prompt must be a string.", param="prompt")
    width, height, resolution, aspect = _frame(fields, model)
    asked = Asked(
        model=model,
        prompt=prompt,
        duration=_duration(fields.get("duration"), model),
        resolution=resolution,
        aspect_ratio=aspect,
        width=width,
        height=height,
        generate_audio=_audio(fields.get("generate_audio"), model),
        seed=_seed(fields.get("seed"), model),
        first_frame=frames.get("first_frame"),
        last_frame=frames.get("last_frame"),
        # With frame images the job is image-to-video, and references are not used (guide).
        pictures=[] if frames else pictures[:MAX_PICTURES],
        images_in=len(frames) or images_in,
        video_in=video_in and not frames,
        previous_job_id=_previous_job(fields.get("previous_job_id"), model),
        callback_url=_callback(fields.get("callback_url")),
    )
    _check_extras(fields)
    asked.passthrough = _passthrough(fields.get("provider"), model)
    negative = asked.passthrough.get("negative_prompt", asked.passthrough.get("negativePrompt"))
    if isinstance(negative, str):
        asked.negative_prompt = negative
    return asked


def _choices(values: tuple[Any, ...]) -> str:
    return ", ".join(str(value) for value in values)


def _duration(value: object, model: VideoModel) -> int:
    allowed = model.durations or ()
    if value is None:
        if model.default_duration is None:
            raise invalid(f"duration is required for {model.id}.", param="duration")
        return model.default_duration
    if isinstance(value, bool) or not isinstance(value, int) or value not in allowed:
        raise invalid(
            f"duration {str(value)[:20]!r} is not supported by {model.id}: use one of "
            f"{_choices(allowed)} (seconds, a whole number).",
            param="duration",
            allowed=list(allowed),
        )
    return value


def _listed(name: str, value: object, allowed: tuple[str, ...] | None, model: VideoModel) -> str:
    if not isinstance(value, str) or not allowed or value not in allowed:
        takes = f"use one of {_choices(allowed)}" if allowed else f"{model.id} takes no {name}"
        raise invalid(
            f"{name} {str(value)[:20]!r} is not supported by {model.id}: {takes}.",
            param=name,
            allowed=list(allowed or ()),
        )
    return value


def _frame(fields: dict[str, Any], model: VideoModel) -> tuple[int, int, str, str | None]:
    """Width, height, resolution and aspect ratio, from `size` or `resolution` + `aspect_ratio`."""
    resolution, aspect = fields.get("resolution"), fields.get("aspect_ratio")
    if resolution is not None:
        resolution = _listed("resolution", resolution, model.resolutions, model)
    if aspect is not None:
        aspect = _listed("aspect_ratio", aspect, model.aspect_ratios, model)
    size = fields.get("size")
    if size is not None:
        size = _listed("size", size, model.sizes, model)
        width, height = (int(side) for side in size.split("x"))
        if resolution is not None and SHORT_SIDES[resolution] != min(width, height):
            raise invalid(
                f"size {size} does not match resolution {resolution}: send one or the other.",
                param="size",
            )
        if aspect is not None:
            across, down = ASPECT_RATIOS[aspect]
            if abs(width / height - across / down) > ASPECT_TOLERANCE:
                raise invalid(
                    f"size {size} does not match aspect_ratio {aspect}: send one or the other.",
                    param="size",
                )
        return width, height, resolution or resolution_of(width, height), aspect
    resolution = resolution or model.default_resolution
    aspect = aspect or model.default_aspect_ratio
    if resolution is None or aspect is None:
        raise invalid(f"{model.id} needs a size.", param="size")
    return *frame_size(resolution, aspect), resolution, aspect


def _audio(value: object, model: VideoModel) -> bool:
    if value is None:
        # The spec: the endpoint's own generate_audio flag, false when it is not set.
        return model.generate_audio is True
    if not isinstance(value, bool):
        raise invalid("generate_audio must be true or false.", param="generate_audio")
    if value and model.generate_audio is False:
        raise invalid(
            f"generate_audio is not supported by {model.id}: it makes silent video; send "
            "false or leave it out.",
            param="generate_audio",
            allowed=[False],
        )
    return value


def _seed(value: object, model: VideoModel) -> int | None:
    if value is None:
        return None
    if model.seed is False:
        raise invalid(f"seed is not supported by {model.id}: leave it out.", param="seed")
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_SEED:
        raise invalid(f"seed must be a whole number from 0 to {MAX_SEED}.", param="seed")
    return value


def _frame_images(value: object, model: VideoModel) -> dict[str, bytes]:
    if value is None:
        return {}
    if not isinstance(value, list):
        raise invalid("frame_images must be a list of frame images.", param="frame_images")
    allowed = model.frame_images or ()
    frames: dict[str, bytes] = {}
    for i, item in enumerate(value):
        where = f"frame_images[{i}]"
        if not isinstance(item, dict) or item.get("type") != "image_url":
            raise invalid(f"{where}.type must be 'image_url'.", param=f"{where}.type")
        kind = item.get("frame_type")
        if kind not in allowed:
            takes = f"use one of {_choices(allowed)}" if allowed else "it takes no frame images"
            raise invalid(
                f"{where}.frame_type {str(kind)[:20]!r} is not supported by {model.id}: {takes}.",
                param=f"{where}.frame_type",
                allowed=list(allowed),
            )
        if kind in frames:
            raise invalid(f"{where}: only one {kind} may be given.", param=f"{where}.frame_type")
        frames[kind] = image_bytes(item.get("image_url"), f"{where}.image_url.url")
    return frames


def _references(value: object) -> tuple[list[bytes], int, bool]:
    """The reference images (decoded), how many there were, and whether a video came too."""
    if value is None:
        return [], 0, False
    if not isinstance(value, list):
        raise invalid("input_references must be a list.", param="input_references")
    pictures, video_in = [], False
    for i, item in enumerate(value):
        where = f"input_references[{i}]"
        kind = item.get("type") if isinstance(item, dict) else None
        if kind not in REFERENCE_TYPES:
            raise invalid(
                f"{where}.type must be one of {_choices(REFERENCE_TYPES)}.",
                param=f"{where}.type",
                allowed=list(REFERENCE_TYPES),
            )
        assert isinstance(item, dict)
        if kind == "image_url":
            pictures.append(image_bytes(item.get("image_url"), f"{where}.image_url.url"))
            continue
        # Audio and video references are passed to providers that use them; the simulator
        # draws neither, but a video reference changes Seedance's price.
        target = item.get(kind)
        if not isinstance(target, dict) or not isinstance(target.get("url"), str):
            raise invalid(f"{where}.{kind}.url must be a string.", param=f"{where}.{kind}.url")
        video_in = video_in or kind == "video_url"
    return pictures, len(pictures), video_in


def image_bytes(value: object, param: str) -> bytes:
    """An image given as `{"url": "data:image/...;base64,..."}`, checked to be a picture."""
    url = value.get("url") if isinstance(value, dict) else None
    if not isinstance(url, str):
        raise invalid(f"{param} must be a string: an image URL or a data URL.", param=param)
    if not url.startswith("data:"):
        raise invalid(
            f"{param}: this simulator works offline and fetches no URLs; send the image as a "
            "data URL (data:image/png;base64,...).",
            param=param,
        )
    header, _, payload = url.partition(",")
    try:
        if ";base64" not in header:
            raise ValueError("not base64")
        data = base64.b64decode(payload, validate=True)
        with Image.open(io.BytesIO(data)) as image:
            image.load()
    except (
        binascii.Error,
        ValueError,
        OSError,
        UnidentifiedImageError,
        Image.DecompressionBombError,
    ):
        raise invalid(
            f"{param} could not be decoded as an image: send a base64 data URL of a PNG, "
            "JPEG or WebP picture.",
            param=param,
        ) from None
    return data


def _previous_job(value: object, model: VideoModel) -> str | None:
    if value is None:
        return None
    if not model.continues:
        takes = [m.id for m in MODELS.values() if m.continues]
        raise invalid(
            f"previous_job_id is not supported by {model.id}: only {_choices(tuple(takes))} "
            "continue a completed job.",
            param="previous_job_id",
        )
    if not isinstance(value, str) or not value:
        raise invalid("previous_job_id must be the id of a completed job.", param="previous_job_id")
    return value


def _callback(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.lower().startswith("https://") or len(value) < 9:
        raise invalid("callback_url must be an HTTPS URL.", param="callback_url")
    return value


def _check_extras(fields: dict[str, Any]) -> None:
    """The observability fields the SDK sends: their types only (they reach no provider)."""
    session = fields.get("session_id")
    if session is not None and (not isinstance(session, str) or len(session) > MAX_SESSION_ID):
        raise invalid(
            f"session_id must be a string of at most {MAX_SESSION_ID} characters.",
            param="session_id",
        )
    if fields.get("user") is not None and not isinstance(fields["user"], str):
        raise invalid("user must be a string.", param="user")
    if fields.get("trace") is not None and not isinstance(fields["trace"], dict):
        raise invalid("trace must be an object.", param="trace")


def _passthrough(value: object, model: VideoModel) -> dict[str, Any]:
    """The parameters under the serving provider's slug that the model allows; the rest, and
    other providers' entries, are dropped silently, as OpenRouter documents."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise invalid("provider must be an object with 'options'.", param="provider")
    options = value.get("options")
    if options is None:
        return {}
    if not isinstance(options, dict) or not all(isinstance(v, dict) for v in options.values()):
        raise invalid(
            "provider.options must map provider slugs to objects.", param="provider.options"
        )
    parameters = options.get(model.provider_slug, {}).get("parameters")
    if not isinstance(parameters, dict):
        return {}
    return {key: item for key, item in parameters.items() if key in model.passthrough}
