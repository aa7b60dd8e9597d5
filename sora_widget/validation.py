"""Checks of the request fields, shared by the client (before sending) and the simulator.

One implementation on both sides means the simulator refuses exactly what the client would,
with the same words: each message names the field and the values it allows. Sora's contract
is published exactly, so its models are checked strictly; any other model is sent as typed,
with `size` and `seconds` checked for shape only: the server knows its own limits, and its
refusal is shown at its field.
"""

from __future__ import annotations

import re

from .catalog import family_of
from .errors import InvalidRequestError
from .types import MAX_PROMPT_CHARS, SECONDS_CHOICES

#: Longer names are a mistake, not a model (LiteLLM names are short; ids are not names).
MAX_MODEL_CHARS = 256
#: The shape every server takes `size` in; sides of 2 to 5 digits, the first not 0.
_SIZE_SHAPE = re.compile(r"[1-9]\d{1,4}x[1-9]\d{1,4}")
#: `seconds` as a positive number of seconds ("5", "6.5").
_SECONDS_SHAPE = re.compile(r"\d{1,4}(\.\d{1,3})?")
_KNOWN = "'sora-2', 'veo-3.1-generate-preview' or 'Wan-AI/Wan2.2-T2V-A14B'"


def _quoted(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def validate_prompt(prompt: object, param: str = "prompt") -> str:
    """A prompt is a string of 1 to 32,000 characters with something other than whitespace."""
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


def validate_model(model: object) -> str:
    """Any model name a server may offer: unknown ones are sent as typed (see `catalog`)."""
    if not isinstance(model, str) or not model.strip():
        raise InvalidRequestError(
            "model",
            f"Invalid value for 'model': {model!r:.60}. Give the model's name as the server "
            f"lists it, such as {_KNOWN}.",
        )
    if len(model) > MAX_MODEL_CHARS or not model.isprintable():
        raise InvalidRequestError(
            "model",
            f"Invalid value for 'model': a name of at most {MAX_MODEL_CHARS} printable "
            f"characters was expected, got {len(model):,} characters.",
        )
    return model


def validate_size(size: object, model: str) -> str:
    """A strict family's sizes exactly (Sora's); for the rest, the `WIDTHxHEIGHT` shape."""
    family = family_of(model)
    if family is not None and family.strict:
        if size not in family.sizes:
            raise InvalidRequestError(
                "size",
                f"Invalid value for 'size': {size!r} is not available for model '{model}'. "
                f"Supported values are {_quoted(family.sizes)}.",
            )
    elif not isinstance(size, str) or not _SIZE_SHAPE.fullmatch(size):
        raise InvalidRequestError(
            "size",
            f"Invalid value for 'size': {size!r:.60}. Expected WIDTHxHEIGHT in pixels, such "
            "as '1280x720'.",
        )
    return size


def validate_duration(seconds: object, model: str) -> str:
    """`seconds` for a create: a strict family's choices exactly, else a positive number."""
    family = family_of(model)
    if family is not None and family.strict:
        return validate_seconds(seconds, family.seconds)
    if isinstance(seconds, str) and _SECONDS_SHAPE.fullmatch(seconds) and float(seconds) > 0:
        return seconds
    raise InvalidRequestError(
        "seconds",
        f"Invalid value for 'seconds': {seconds!r:.60}. Expected a positive number of seconds "
        "as a string, such as '5'.",
    )


def validate_seconds(seconds: object, choices: tuple[str, ...] = SECONDS_CHOICES) -> str:
    """`seconds` travels as a string; an integer is refused with the API's own words."""
    if isinstance(seconds, int) and not isinstance(seconds, bool):
        raise InvalidRequestError(
            "seconds",
            f"Invalid type for 'seconds': expected one of {_or_list(choices)}, "
            "but got an integer instead.",
            "invalid_type",
        )
    if seconds not in choices:
        raise InvalidRequestError(
            "seconds",
            f"Invalid value for 'seconds': {seconds!r}. Supported values are {_quoted(choices)}.",
        )
    return str(seconds)


def _or_list(values: tuple[str, ...]) -> str:
    quoted = [f"'{v}'" for v in values]
    return ", ".join(quoted[:-1]) + f", or {quoted[-1]}"


def validate_generation(prompt: object, model: object, size: object, seconds: object) -> None:
    """All the checks of a create request, in the order the fields appear in a form."""
    validate_prompt(prompt)
    checked_model = validate_model(model)
    validate_size(size, checked_model)
    validate_duration(seconds, checked_model)
