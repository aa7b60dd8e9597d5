"""Checks of the request fields, before anything is sent.

Each message names the field and the values it allows, in the API's own words. Sora's contract
is published exactly, so its models are checked strictly; any other model is sent as typed,
with `size` and `seconds` checked for shape only: the server knows its own limits, and its
refusal is shown at its field. The simulator states what servers accept on its own
(`simulator.accepts`); `tests/test_simulator_accepts.py` holds the two to the same answers.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any, TypeVar

from sora_widget.core.catalog import Param, family_of, parameters_of
from sora_widget.core.errors import InvalidRequestError
from sora_widget.core.types import MAX_PROMPT_CHARS, SECONDS_CHOICES

#: Longer names are a mistake, not a model (LiteLLM names are short; ids are not names).
MAX_MODEL_CHARS = 256
#: The shape every server takes `size` in; sides of 2 to 5 digits, the first not 0.
_SIZE_SHAPE = re.compile(r"[1-9]\d{1,4}x[1-9]\d{1,4}")
#: `seconds` as a positive number of seconds ("5", "6.5").
_SECONDS_SHAPE = re.compile(r"\d{1,4}(\.\d{1,3})?")
T = TypeVar("T")
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


def seconds_string(seconds: T) -> T | str:
    """The API wants "4", not 4; Python callers naturally write 4. Anything else (a bool, a
    float, a string) is left for the checks to name."""
    if isinstance(seconds, int) and not isinstance(seconds, bool):
        return str(seconds)
    return seconds


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


# ---- the Advanced section: a family's extra parameters, and the raw JSON field ---------------

#: The raw JSON field's name, in messages and in the widget's `problems`.
RAW_FIELD = "raw_parameters"
#: What the raw JSON may not set: the form has its own fields for them.
FORM_FIELDS = ("prompt", "model", "size", "seconds", "input_reference")
_WHOLE = re.compile(r"[+-]?\d+")


def validate_parameter(param: Param, value: object) -> object:
    """`value` as the server takes it (typed), or None when left empty (the server's default).

    Form inputs arrive as text ("42"), Python callers pass the type itself (42); both are read.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    checked = _CHECKS[param.kind](param, value)
    if checked is None:
        raise InvalidRequestError(param.name, f"{param.name}: must be {_allowed(param)}.")
    return checked


def _as_int(param: Param, value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and _WHOLE.fullmatch(value.strip()):
        value = int(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return value if isinstance(value, int) and _in_range(param, value) else None


def _as_float(param: Param, value: object) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(value) if isinstance(value, str | int | float) else None
    except ValueError:
        return None
    return number if number is not None and _in_range(param, number) else None


def _as_bool(param: Param, value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    return {"true": True, "false": False}.get(str(value).strip().lower())


def _as_choice(param: Param, value: object) -> str | None:
    return value if value in param.choices else None


def _as_string(param: Param, value: object) -> str | None:
    return value if isinstance(value, str) and len(value) <= param.max_chars else None


def _in_range(param: Param, number: float) -> bool:
    if not math.isfinite(number):
        return False
    return (param.low is None or number >= param.low) and (
        param.high is None or number <= param.high
    )


_CHECKS = {
    "int": _as_int,
    "float": _as_float,
    "bool": _as_bool,
    "choice": _as_choice,
    "string": _as_string,
}


def _allowed(param: Param) -> str:
    """What the field takes, in the words of its message."""
    bounds = f"from {_number(param.low)} to {_number(param.high)}"
    return {
        "int": f"a whole number {bounds}",
        "float": f"a number {bounds}",
        "bool": "true or false",
        "choice": f"one of {_quoted(param.choices)}",
        "string": f"text of at most {param.max_chars:,} characters",
    }[param.kind]


def _number(value: float | None) -> str:
    """4294967295 in full, 0.5 as 0.5, 1.0 as 1."""
    if value is None:
        return "any"
    return str(int(value)) if float(value).is_integer() else repr(value)


def validate_parameters(
    model: str, values: Mapping[str, object] | None, params: tuple[Param, ...] | None = None
) -> dict[str, object]:
    """The named parameters to send for `model`, typed; empty ones are left out. A name the
    model takes not (its family's, or the server's own `params`) is refused, pointing at the
    raw JSON field."""
    offered = {param.name: param for param in (parameters_of(model) if params is None else params)}
    checked: dict[str, object] = {}
    for name, value in (values or {}).items():
        param = offered.get(name)
        if param is None:
            family = family_of(model) if params is None else None
            takes = ", ".join(offered) or "none"
            raise InvalidRequestError(
                name,
                f"{name}: not a parameter of {family.label if family else repr(model)} (it "
                f"takes {takes}). Put it in the raw JSON field (extra=...) to send it anyway.",
            )
        typed = validate_parameter(param, value)
        if typed is not None:
            checked[name] = typed
    return checked


def parse_raw_parameters(raw: str | Mapping[str, Any] | None) -> dict[str, Any]:
    """The raw JSON field: a JSON object, sent as given and merged into the request. Its keys
    win over the Advanced fields of the same name; the form's own fields cannot be set here."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return {}
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError as error:
            raise InvalidRequestError(
                RAW_FIELD,
                f'{RAW_FIELD}: not valid JSON ({error}). Write an object, such as {{"seed": 7}}.',
            ) from None
    if not isinstance(raw, Mapping):
        raise InvalidRequestError(
            RAW_FIELD, f'{RAW_FIELD}: must be a JSON object of named fields, such as {{"seed": 7}}.'
        )
    taken = [key for key in raw if key in FORM_FIELDS]
    if taken:
        raise InvalidRequestError(
            RAW_FIELD,
            f"{RAW_FIELD}: {_quoted(tuple(taken))} has its own field in the form: set it there.",
        )
    return dict(raw)
