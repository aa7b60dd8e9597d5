"""OpenRouter's video API as a dialect of the Videos contract: its request body and its words.

OpenRouter (`POST /videos`, `GET /videos/{id}`, `GET /videos/{id}/content?index=N`,
`GET /videos/models`) reads `duration` as an integer, `resolution` + `aspect_ratio` (or a
listed `size`), `frame_images` and `input_references` as data URLs, provider parameters under
`provider.options.<slug>.parameters`, and `previous_job_id` to continue a job. It echoes none of
what was asked: the client records that itself (see `api`). Facts: OPENROUTER.md, from
OpenRouter's published OpenAPI description and its official SDK.
"""

from __future__ import annotations

import base64
import json
import math
import time
from collections.abc import Mapping, Sequence
from typing import Any, TypeGuard

from sora_widget.core.catalog import model_key
from sora_widget.core.errors import InvalidRequestError
from sora_widget.core.reference_image import Fit, ReferenceImage, prepare_reference
from sora_widget.core.server_catalog import AUDIO, SEED, ServerModel

#: The address OpenRouter serves its API at.
OPENROUTER_BASE_URL = "https://openrouter.ai/api/v1"
#: How the badge names a server of this shape.
KIND = "OpenRouter"
#: Attribution headers (optional; they name the app on OpenRouter's rankings). The official
#: SDK reads the same environment variables.
ATTRIBUTION_ENV = {
    "HTTP-Referer": "OPENROUTER_HTTP_REFERER",
    "X-OpenRouter-Title": "OPENROUTER_X_OPEN_ROUTER_TITLE",
}
DEFAULT_ATTRIBUTION = {
    "HTTP-Referer": "https://pypi.org/project/sora-widget/",
    "X-OpenRouter-Title": "sora_widget",
}
#: The provider slug `provider.options` is keyed by, per model author (the part of the model
#: id before "/"). From the spec's `ProviderOptions` slugs; OpenRouter forwards only the
#: serving provider's entry. An author not listed (Kling's `kwaivgi`: no document pairs it
#: with a slug) is used as it is; the raw JSON field can name any slug.
PROVIDER_SLUGS = {
    "google": "google-vertex",
    "openai": "openai",
    "bytedance": "byteplus",
    "alibaba": "alibaba",
    "minimax": "minimax",
    "runway": "runway",
    "x-ai": "xai",
    "black-forest-labs": "black-forest-labs",
}


def provider_slug(model: str) -> str:
    """`google/veo-3.1` -> `google-vertex`: where the model's provider parameters go."""
    author = model.split("/", 1)[0] if "/" in model else model_key(model)
    return PROVIDER_SLUGS.get(author.lower(), author.lower())


def continues_jobs(model: ServerModel | None) -> TypeGuard[ServerModel]:
    """Whether the model takes `previous_job_id`: OpenRouter lists no flag for it, but a model
    that does has a continuation price (FLUX video's `cents_per_second_video_continuation_*`)."""
    return model is not None and any(p.mode == "video_continuation" for p in model.prices)


def duration_of(seconds: str, model: ServerModel | None) -> int:
    """`duration` is a whole number of seconds, from the model's list where it has one."""
    try:
        number = float(seconds)
    except ValueError:
        number = float("nan")
    allowed = model.durations if model is not None else ()
    whole = math.isfinite(number) and number >= 1 and number == int(number)
    if not whole or (allowed and int(number) not in allowed):
        listed = ", ".join(str(n) for n in allowed) or "a whole number of seconds"
        where = f"for {model.id!r} " if model is not None else ""
        raise InvalidRequestError(
            "seconds",
            f"Invalid value for 'seconds': {seconds!r}. OpenRouter takes {where}{listed}.",
        )
    return int(number)


def check_size(size: str, model: ServerModel | None) -> dict[str, str]:
    """The size fields to send, or an error naming what the model lists."""
    if model is None:
        return {"size": size}
    if size in model.size_fields or size in model.listed_sizes or not model.sizes:
        return model.fields_for_size(size)
    raise InvalidRequestError(
        "size",
        f"Invalid value for 'size': {size!r} is not offered by {model.id!r}. Supported values "
        f"are {', '.join(model.size_label(s) for s in model.sizes)}.",
    )


def build_create_body(
    prompt: str,
    *,
    model: str,
    known: ServerModel | None,
    size: str,
    seconds: str,
    fit: Fit | None = None,
    input_reference: ReferenceImage | None = None,
    last_frame: ReferenceImage | None = None,
    reference_images: Sequence[ReferenceImage] = (),
    parameters: Mapping[str, Any] | None = None,
    extra: Mapping[str, Any] | None = None,
    previous_job_id: str | None = None,
) -> dict[str, Any]:
    """The JSON body of `POST /videos`. Decodes and fits images: call it in a worker thread."""
    body: dict[str, Any] = {"model": model, "prompt": prompt}
    body["duration"] = duration_of(seconds, known)
    body.update(check_size(size, known))
    frames = []
    for frame_type, image in (("first_frame", input_reference), ("last_frame", last_frame)):
        if image is None:
            continue
        if known is not None and known.frame_images and frame_type not in known.frame_images:
            raise InvalidRequestError(
                "input_reference" if frame_type == "first_frame" else "last_frame",
                f"{known.id!r} takes no {frame_type.replace('_', ' ')} (it takes "
                f"{', '.join(sorted(known.frame_images))}).",
            )
        frames.append({**_image_part(image, size, fit, frame_type), "frame_type": frame_type})
    if frames:
        body["frame_images"] = frames
    if reference_images:
        body["input_references"] = [
            _image_part(image, size, fit, "reference_images") for image in reference_images
        ]
    passthrough = {}
    for name, value in (parameters or {}).items():
        if name in (AUDIO, SEED):
            body[name] = value
        else:
            passthrough[name] = _json_or_text(value)
    if passthrough:
        body["provider"] = {"options": {provider_slug(model): {"parameters": passthrough}}}
    if previous_job_id is not None:
        body["previous_job_id"] = previous_job_id
    body.update(extra or {})
    return body


def asked_fields(body: Mapping[str, Any], size: str, seconds: str) -> dict[str, Any]:
    """What a create asked for, as the Video fields a server that echoes nothing lacks."""
    return {
        "model": body.get("model"),
        "prompt": body.get("prompt"),
        "size": size,
        "seconds": str(body.get("duration", seconds)),
        "created_at": int(time.time()),
    }


def request_record(body: Mapping[str, Any]) -> dict[str, Any]:
    """The body as the library keeps it: every field as sent, images by count, not bytes.
    Runs after the server accepted the job, so it takes any shape the raw JSON gave."""
    kept = {k: v for k, v in body.items() if k not in ("frame_images", "input_references")}
    frames, references = body.get("frame_images"), body.get("input_references")
    if isinstance(frames, list):
        kept["frame_images"] = [
            frame.get("frame_type") if isinstance(frame, dict) else None for frame in frames
        ]
    if isinstance(references, list):
        kept["input_references"] = len(references)
    return kept


def _image_part(image: ReferenceImage, size: str, fit: Fit | None, name: str) -> dict[str, Any]:
    """`{"type": "image_url", "image_url": {"url": <data URL or URL>}}`."""
    prepared = prepare_reference(image, size, fit, name)
    if isinstance(prepared, dict):
        url = prepared.get("image_url")
        if url is None:
            raise InvalidRequestError(name, f"{name}: OpenRouter takes an image or its URL.")
    else:
        _, data, content_type = prepared
        url = f"data:{content_type};base64,{base64.b64encode(data).decode('ascii')}"
    return {"type": "image_url", "image_url": {"url": url}}


def _json_or_text(value: object) -> object:
    """A passthrough value typed in a text field: "0.5", "true", "[1,2]" are sent as JSON
    (providers type their parameters), anything else as the text itself."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value
