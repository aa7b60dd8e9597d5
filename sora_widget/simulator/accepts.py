"""What the simulated servers accept in a create, stated here from the API's own description.

The client checks its requests before sending them (`core.validation`); a simulator that reused
those checks would agree with the client by construction, so a client bug would pass every
test. This module says it again from the sources, and `tests/test_simulator_accepts.py`
compares the two on every model, size and duration, so a drift on either side fails.

Sources: the Videos API's OpenAPI description (tests/reference/openai-videos-openapi.yml:
`VideoModel`, `VideoSize`, `VideoSeconds`, the prompts' `minLength` 1 and `maxLength` 32000,
the extension's "allowed values: 4, 8, 12, 16, 20", the defaults sora-2, 720x1280 and 4) and
OpenAI's video guide (1024x1792 and 1792x1024 are for sora-2-pro only; an integer `seconds`
is refused "expected one of '4', '8', or '12', but got an integer instead"). The words of each
refusal are the API's. Every profile plays a server of that contract for Sora's models; any
other model name is taken with a `WIDTHxHEIGHT` size and a positive number of seconds, as the
servers the profiles stand for take them (vLLM-Omni: any model it serves, any WxH).
On top of what servers accept, the simulator refuses what its one render core cannot draw.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sora_widget.core.errors import InvalidRequestError

#: The create's defaults (`model`, `size`, `seconds` in `CreateVideoMultipartBody`).
DEFAULT_MODEL = "sora-2"
DEFAULT_SIZE = "720x1280"
DEFAULT_SECONDS = "4"
#: Every prompt (create, remix, edit, extension): `minLength: 1`, `maxLength: 32000`.
MAX_PROMPT_CHARS = 32_000
#: `VideoSeconds`: a create's durations, as strings.
CREATE_SECONDS = ("4", "8", "12")
#: An extension's added seconds ("allowed values: 4, 8, 12, 16, 20").
EXTENSION_SECONDS = ("4", "8", "12", "16", "20")
#: Images (`input_reference`, frames, references): the types the API's refusal names
#: ("Supported file formats are 'image/jpeg', 'image/png', and 'image/webp'"), with the name
#: Pillow reads each as. Every profile's image must also be of the requested size.
IMAGE_TYPES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
#: The simulator's own bound on a model name: longer is a mistake, not a name.
MAX_MODEL_CHARS = 256
#: What the render core draws in good time (Sora Pro's 1792 fits; 4K does not).
MAX_RENDER_SIDE = 1920
MIN_RENDER_SIDE = 64
MAX_RENDER_SECONDS = 20

_SIZE_SHAPE = re.compile(r"[1-9]\d{1,4}x[1-9]\d{1,4}")
_SECONDS_SHAPE = re.compile(r"\d{1,4}(\.\d{1,3})?")
#: A route's prefix (`openai/sora-2`, as LiteLLM names it) and an Ollama-style `:tag`.
_ROUTE_PREFIX = re.compile(r"^.*/")
_TAG = re.compile(r":[\w.-]+$")
_EXAMPLES = "'sora-2', 'veo-3.1-generate-preview' or 'Wan-AI/Wan2.2-T2V-A14B'"


@dataclass(frozen=True)
class SoraModel:
    """One of the contract's models: its name (and dated snapshots) and what it renders."""

    name: str
    sizes: tuple[str, ...]
    seconds: tuple[str, ...] = CREATE_SECONDS

    def named(self, model: str) -> bool:
        """`sora-2`, `sora-2-2025-10-06`, `openai/SORA-2`: the contract's names are matched
        whatever the case, a route's prefix or a tag."""
        key = _TAG.sub("", _ROUTE_PREFIX.sub("", model.strip()))
        return (
            re.fullmatch(rf"{re.escape(self.name)}(-\d{{4}}-\d{{2}}-\d{{2}})?", key, re.I)
            is not None
        )


#: `VideoModel`'s names, and the sizes the guide gives each (in `VideoSize`'s order).
SORA_MODELS = (
    SoraModel("sora-2-pro", ("720x1280", "1280x720", "1024x1792", "1792x1024")),
    SoraModel("sora-2", ("720x1280", "1280x720")),
)
#: Uploaded videos (edits, extensions, characters) must be of a size the contract makes.
UPLOAD_MODEL = SORA_MODELS[0]


def sora_model(model: str) -> SoraModel | None:
    """The contract's model `model` names, or None for any other server's model."""
    return next((sora for sora in SORA_MODELS if sora.named(model)), None)


def _quoted(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{value}'" for value in values)


def accept_prompt(prompt: object, param: str = "prompt") -> str:
    """A prompt of 1 to 32,000 characters, not only whitespace."""
    if prompt is None:
        raise InvalidRequestError(
            param, f"Missing required parameter: '{param}'.", "missing_required_parameter"
        )
    if not isinstance(prompt, str):
        raise InvalidRequestError(
            param,
            f"Invalid type for '{param}': expected a string, but got {type(prompt).__name__}.",
            "invalid_type",
        )
    if not prompt.strip():
        raise InvalidRequestError(
            param, f"'{param}' is empty: describe the video in 1 to 32,000 characters."
        )
    if len(prompt) > MAX_PROMPT_CHARS:
        raise InvalidRequestError(
            param,
            f"'{param}' is too long: {len(prompt):,} characters, the maximum is "
            f"{MAX_PROMPT_CHARS:,}.",
            "string_above_max_length",
        )
    return prompt


def accept_model(model: object) -> str:
    """Any printable name: the server it stands for offers models of its own."""
    if not isinstance(model, str) or not model.strip():
        raise InvalidRequestError(
            "model",
            f"Invalid value for 'model': {model!r:.60}. Give the model's name as the server "
            f"lists it, such as {_EXAMPLES}.",
        )
    if len(model) > MAX_MODEL_CHARS or not model.isprintable():
        raise InvalidRequestError(
            "model",
            f"Invalid value for 'model': a name of at most {MAX_MODEL_CHARS} printable "
            f"characters was expected, got {len(model):,} characters.",
        )
    return model


def accept_size(size: object, model: str) -> str:
    """A Sora model's sizes exactly; for any other model, the `WIDTHxHEIGHT` shape."""
    sora = sora_model(model)
    if sora is not None:
        if size not in sora.sizes:
            raise InvalidRequestError(
                "size",
                f"Invalid value for 'size': {size!r} is not available for model '{model}'. "
                f"Supported values are {_quoted(sora.sizes)}.",
            )
        return str(size)
    if not isinstance(size, str) or not _SIZE_SHAPE.fullmatch(size):
        raise InvalidRequestError(
            "size",
            f"Invalid value for 'size': {size!r:.60}. Expected WIDTHxHEIGHT in pixels, such "
            "as '1280x720'.",
        )
    return size


def accept_duration(seconds: object, model: str) -> str:
    """A Sora model's `seconds` exactly; for any other model, a positive number as a string."""
    sora = sora_model(model)
    if sora is not None:
        return accept_seconds(seconds, sora.seconds)
    if isinstance(seconds, str) and _SECONDS_SHAPE.fullmatch(seconds) and float(seconds) > 0:
        return seconds
    raise InvalidRequestError(
        "seconds",
        f"Invalid value for 'seconds': {seconds!r:.60}. Expected a positive number of seconds "
        "as a string, such as '5'.",
    )


def accept_seconds(seconds: object, choices: tuple[str, ...]) -> str:
    """One of `choices`, as a string: the API refuses an integer in its own words."""
    if isinstance(seconds, int) and not isinstance(seconds, bool):
        quoted = [f"'{choice}'" for choice in choices]
        raise InvalidRequestError(
            "seconds",
            f"Invalid type for 'seconds': expected one of {', '.join(quoted[:-1])}, or "
            f"{quoted[-1]}, but got an integer instead.",
            "invalid_type",
        )
    if seconds not in choices:
        raise InvalidRequestError(
            "seconds",
            f"Invalid value for 'seconds': {seconds!r}. Supported values are {_quoted(choices)}.",
        )
    return str(seconds)


def accept_create(
    *, prompt: object, model: object, size: object, seconds: object
) -> dict[str, str]:
    """A create's base fields as the server takes them, and as the simulator can draw them."""
    checked_model = accept_model(model)
    job = {
        "prompt": accept_prompt(prompt),
        "model": checked_model,
        "size": accept_size(size, checked_model),
        "seconds": accept_duration(seconds, checked_model),
    }
    _check_renderable(job["size"], job["seconds"])
    return job


def _check_renderable(size: str, seconds: str) -> None:
    """Any model name and `WxH` is taken (it stands in for every server), but it renders on
    one CPU core: whole seconds, and frames no larger than it can draw in good time."""
    width, _, height = size.partition("x")
    if (
        max(int(width), int(height)) > MAX_RENDER_SIDE
        or min(int(width), int(height)) < MIN_RENDER_SIDE
    ):
        raise InvalidRequestError(
            "size",
            f"Invalid value for 'size': {size!r}. The simulator renders sides of "
            f"{MIN_RENDER_SIDE} to {MAX_RENDER_SIDE} pixels, such as '1280x720'.",
        )
    if not seconds.isdigit() or not 1 <= int(seconds) <= MAX_RENDER_SECONDS:
        raise InvalidRequestError(
            "seconds",
            f"Invalid value for 'seconds': {seconds!r}. The simulator makes clips of 1 to "
            f"{MAX_RENDER_SECONDS} whole seconds.",
        )
