"""Checks of the request fields, shared by the client (before sending) and the simulator.

One implementation on both sides means the simulator refuses exactly what the client would,
with the same words: each message names the field and the values it allows.
"""

from __future__ import annotations

from .errors import InvalidRequestError
from .types import (
    MAX_PROMPT_CHARS,
    MODEL_FAMILY,
    MODELS,
    SECONDS_CHOICES,
    sizes_for_model,
)


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
    if model not in MODEL_FAMILY:
        raise InvalidRequestError(
            "model",
            f"Invalid value for 'model': {model!r}. Supported values are {_quoted(MODELS)}.",
        )
    return str(model)


def validate_size(size: object, model: str) -> str:
    allowed = sizes_for_model(model)
    if size not in allowed:
        raise InvalidRequestError(
            "size",
            f"Invalid value for 'size': {size!r} is not available for model '{model}'. "
            f"Supported values are {_quoted(allowed)}.",
        )
    return str(size)


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
    validate_seconds(seconds)
