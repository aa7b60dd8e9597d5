"""The client's checks (`core.validation`) against the simulator's own statement of what servers
accept (`simulator.accepts`), and that statement against the published OpenAPI description.

The two are written apart on purpose: these tests compare them on every model, size and
duration either knows of, so a change on one side alone fails here.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import pytest
import yaml

from sora_widget.core.catalog import FAMILIES
from sora_widget.core.errors import InvalidRequestError
from sora_widget.core.reference_image import CONTENT_TYPES as CLIENT_IMAGE_TYPES
from sora_widget.core.types import (
    DEFAULT_MODEL,
    DEFAULT_SECONDS,
    DEFAULT_SIZE,
    EXTENSION_SECONDS_CHOICES,
    MAX_PROMPT_CHARS,
    SECONDS_CHOICES,
)
from sora_widget.core.validation import (
    validate_duration,
    validate_model,
    validate_prompt,
    validate_seconds,
    validate_size,
)
from sora_widget.simulator import accepts

from .spec import SPEC_PATH

#: Where the simulator refuses what the client sends, by design: it renders on one CPU core.
#: Each is the refusal's field and the words that say why; every one must still occur.
BY_DESIGN = {
    "size": "The simulator renders sides of 64 to 1920 pixels",
    "seconds": "The simulator makes clips of 1 to 20 whole seconds",
}
#: Names, sizes and durations beyond the lists: others' spellings and wrong values.
ODD_MODELS = (
    "openai/sora-2",
    "SORA-2-PRO",
    "sora-2:latest",
    "sora-2-2026-01-01",
    "sora-3",
    "sora-2-proper",
    "my-model",
    "",
    "   ",
    "a\nb",
    "m" * 257,
    None,
    7,
)
ODD_SIZES = ("64x64", "63x720", "1920x1921", "0x720", "1280X720", "1280x720 ", "big", "", 1280)
ODD_SECONDS = ("1", "6", "6.5", "16", "20", "21", "0", "-4", "04", " 4", "", 4, 8.0, True, None)


def _outcome(check: Any, *args: object) -> tuple[str, str, str] | None:
    """None if taken; else what the refusal says (field, words, code)."""
    try:
        check(*args)
    except InvalidRequestError as error:
        return error.param, error.message, error.code
    return None


def _client(model: object, size: object, seconds: object) -> tuple[str, str, str] | None:
    def check() -> None:
        checked = validate_model(model)
        validate_size(size, checked)
        validate_duration(seconds, checked)

    return _outcome(check)


def _simulator(model: object, size: object, seconds: object) -> tuple[str, str, str] | None:
    return _outcome(
        lambda: accepts.accept_create(prompt="A fox", model=model, size=size, seconds=seconds)
    )


@cache
def _spec() -> dict[str, Any]:
    return yaml.safe_load(SPEC_PATH.read_text())


def _schema(name: str) -> dict[str, Any]:
    return _spec()["components"]["schemas"][name]


def test_client_and_simulator_agree_on_every_model_size_and_duration() -> None:
    models = [name for family in FAMILIES for name in family.models] + list(ODD_MODELS)
    models += _schema("VideoModel")["anyOf"][1]["enum"]
    sizes = list(dict.fromkeys(size for family in FAMILIES for size in family.sizes))
    sizes += _schema("VideoSize")["enum"] + list(ODD_SIZES)
    seconds = list(dict.fromkeys(s for family in FAMILIES for s in family.seconds))
    seconds += list(ODD_SECONDS)
    differences: set[str] = set()
    for model in models:
        for size in sizes:
            for duration in seconds:
                client = _client(model, size, duration)
                simulator = _simulator(model, size, duration)
                if client == simulator:
                    continue
                asked = f"{model!r} {size!r} {duration!r}"
                assert client is None and simulator is not None, (asked, client, simulator)
                field, words, _ = simulator
                assert field in BY_DESIGN and BY_DESIGN[field] in words, (asked, simulator)
                differences.add(field)
    assert differences == set(BY_DESIGN)


@pytest.mark.parametrize(
    "prompt", [None, 7, "", " \n ", "a", "x" * MAX_PROMPT_CHARS, "x" * (MAX_PROMPT_CHARS + 1)]
)
@pytest.mark.parametrize("param", ["prompt", "name"])
def test_client_and_simulator_agree_on_prompts(prompt: object, param: str) -> None:
    assert _outcome(validate_prompt, prompt, param) == _outcome(
        accepts.accept_prompt, prompt, param
    )


@pytest.mark.parametrize("seconds", ["4", "16", "20", "24", "2", 8, "8.0", None])
def test_client_and_simulator_agree_on_extension_seconds(seconds: object) -> None:
    assert _outcome(validate_seconds, seconds, EXTENSION_SECONDS_CHOICES) == _outcome(
        accepts.accept_seconds, seconds, accepts.EXTENSION_SECONDS
    )


def test_client_and_simulator_share_defaults_and_image_types() -> None:
    assert (accepts.DEFAULT_MODEL, accepts.DEFAULT_SIZE, accepts.DEFAULT_SECONDS) == (
        DEFAULT_MODEL,
        DEFAULT_SIZE,
        DEFAULT_SECONDS,
    )
    assert accepts.CREATE_SECONDS == SECONDS_CHOICES
    assert accepts.MAX_PROMPT_CHARS == MAX_PROMPT_CHARS
    assert {kind: name for name, kind in CLIENT_IMAGE_TYPES.items()} == accepts.IMAGE_TYPES


def test_the_simulator_states_what_the_published_description_says() -> None:
    create = _schema("CreateVideoMultipartBody")["properties"]
    assert all(accepts.sora_model(name) for name in _schema("VideoModel")["anyOf"][1]["enum"])
    stated_sizes = {size for sora in accepts.SORA_MODELS for size in sora.sizes}
    assert stated_sizes == set(_schema("VideoSize")["enum"])
    assert tuple(_schema("VideoSeconds")["enum"]) == accepts.CREATE_SECONDS
    extension = _schema("CreateVideoExtendMultipartBody")["properties"]["seconds"]
    allowed = re.search(r"allowed values: ([\d, ]+)", extension["description"])
    assert allowed is not None
    assert tuple(allowed.group(1).replace(" ", "").split(",")) == accepts.EXTENSION_SECONDS
    prompts = [
        schema["properties"]["prompt"]
        for name, schema in _spec()["components"]["schemas"].items()
        if name.startswith("Create") and "prompt" in schema.get("properties", {})
    ]
    assert len(prompts) >= 4
    assert {(p["minLength"], p["maxLength"]) for p in prompts} == {(1, accepts.MAX_PROMPT_CHARS)}
    for name, default in (
        ("model", accepts.DEFAULT_MODEL),
        ("size", accepts.DEFAULT_SIZE),
        ("seconds", accepts.DEFAULT_SECONDS),
    ):
        assert re.search(rf"Defaults to `?{default}\b", create[name]["description"]), name
