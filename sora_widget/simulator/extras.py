"""A create's fields beyond prompt, model, size and seconds: what the simulator honours, and
the report of everything it received (so a test can see a parameter cross a gateway).

Each route names a meaning its own way (OpenAI-style snake_case, Veo's camelCase, DashScope's,
fal's, vLLM-Omni's); the aliases below fold them into one. Through multipart every value is
text ("42", "true", a JSON list); through JSON it keeps its type: both are read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import UploadFile

from .errors import SimulatorHTTPError
from .requests import decode_image, reference_image_bytes

#: The form's own fields: not extras.
BASE_FIELDS = frozenset({"prompt", "model", "size", "seconds"})
#: Every name a route gives each meaning the simulator honours.
ALIASES: dict[str, tuple[str, ...]] = {
    "seed": ("seed",),
    "negative_prompt": ("negative_prompt", "negativePrompt"),
    "generate_audio": ("generate_audio", "generateAudio", "generate_sound", "audio"),
    "last_frame": ("last_frame", "lastFrame", "last_frame_url", "tail_image_url", "end_image_url"),
    "reference_images": ("reference_images", "referenceImages"),
}
#: The first frame, when a JSON route sends it inline (LiteLLM's fal_ai/ and dashscope/ shapes).
FIRST_FRAME_ALIASES = ("input_reference", "image_url", "img_url", "first_frame_url")
MAX_SEED = 4_294_967_295
DATA_PREVIEW = 48


@dataclass
class Extras:
    """What a create asked for beyond the base fields, ready for the render request."""

    seed: int | None = None
    negative_prompt: str = ""
    generate_audio: bool = True
    first_frame: bytes | None = None
    last_frame: bytes | None = None
    reference_images: list[bytes] = field(default_factory=list)
    #: Every extra field as received, images summarised ("data:image/png;base64,… (1,234 chars)").
    received: dict[str, Any] = field(default_factory=dict)

    def options(self) -> dict[str, Any]:
        """The plain values kept in the job's record (images are kept as files)."""
        return {
            "seed": self.seed,
            "negative_prompt": self.negative_prompt,
            "generate_audio": self.generate_audio,
        }


async def read_extras(fields: dict[str, Any]) -> Extras:
    """The extras of a create's fields; a value the simulator cannot read is a 400 naming it."""
    extras = Extras(received={k: summary(v) for k, v in fields.items() if k not in BASE_FIELDS})
    found = {meaning: _first(fields, names) for meaning, names in ALIASES.items()}
    if found["seed"] is not None:
        extras.seed = _seed(*found["seed"])
    if found["negative_prompt"] is not None:
        name, value = found["negative_prompt"]
        extras.negative_prompt = value if isinstance(value, str) else _refuse(name, "text")
    if found["generate_audio"] is not None:
        extras.generate_audio = _flag(*found["generate_audio"])
    prompt_images = _runway_images(fields.get("promptImage"))
    if prompt_images.get("first"):
        extras.first_frame = await _image(prompt_images["first"], "promptImage")
    if prompt_images.get("last"):
        extras.last_frame = await _image(prompt_images["last"], "promptImage")
    if found["last_frame"] is not None:
        extras.last_frame = await _image(found["last_frame"][1], found["last_frame"][0])
    if found["reference_images"] is not None:
        name, value = found["reference_images"]
        items = _maybe_json(value)
        if not isinstance(items, list):
            items = [items]
        extras.reference_images = [await _image(item, name) for item in items[:3]]
    inline = _first(fields, FIRST_FRAME_ALIASES)
    if inline is not None and is_inline_image(inline[1]) and extras.first_frame is None:
        extras.first_frame = await _image(inline[1], inline[0])
    return extras


def is_inline_image(value: Any) -> bool:
    """An image sent inside the body: a data URI, or Veo's `{bytesBase64Encoded}` object."""
    if isinstance(value, str):
        return value.startswith("data:")
    return isinstance(value, dict) and "bytesBase64Encoded" in value


def _first(fields: dict[str, Any], names: tuple[str, ...]) -> tuple[str, Any] | None:
    return next(((name, fields[name]) for name in names if fields.get(name) is not None), None)


def _seed(name: str, value: object) -> int:
    text = str(value).strip()
    if isinstance(value, bool) or not text.isdigit() or int(text) > MAX_SEED:
        _refuse(name, f"a whole number from 0 to {MAX_SEED}")
    return int(text)


def _flag(name: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text not in ("true", "false", "1", "0"):
        _refuse(name, "true or false")
    return text in ("true", "1")


def _refuse(name: str, allowed: str) -> Any:
    raise SimulatorHTTPError(
        400, f"Invalid value for '{name}': expected {allowed}.", param=name, code="invalid_value"
    )


def _maybe_json(value: Any) -> Any:
    if isinstance(value, str) and value.strip()[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _runway_images(value: Any) -> dict[str, Any]:
    """Runway's `promptImage`: a list of {uri, position}; a plain value is the first frame."""
    value = _maybe_json(value)
    if isinstance(value, list):
        return {
            item.get("position", "first"): item.get("uri")
            for item in value
            if isinstance(item, dict)
        }
    return {"first": value} if value else {}


async def _image(value: Any, name: str) -> bytes:
    """An image in any of the routes' forms, checked to be one (a 400 naming `name` if not)."""
    value = _maybe_json(value)
    if isinstance(value, dict) and isinstance(value.get("image"), dict):
        value = value["image"]  # Veo's referenceImages item
    if isinstance(value, dict) and "bytesBase64Encoded" in value:
        mime = value.get("mimeType", "image/png")
        value = {"image_url": f"data:{mime};base64,{value['bytesBase64Encoded']}"}
    elif isinstance(value, str):
        value = {"image_url": value}
    data = await reference_image_bytes(value, name)
    decode_image(data, name)
    return data


def summary(value: Any) -> Any:
    """A received value as the report shows it: images as their kind and length."""
    if isinstance(value, UploadFile):
        return f"file {value.filename or ''} ({value.content_type or 'no type'})".replace("  ", " ")
    if isinstance(value, str) and (value.startswith("data:") or len(value) > 4 * DATA_PREVIEW):
        return f"{value[:DATA_PREVIEW]}… ({len(value):,} chars)"
    if isinstance(value, dict):
        return {k: summary(v) for k, v in value.items()}
    if isinstance(value, list):
        return [summary(v) for v in value]
    return value
