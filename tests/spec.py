"""Validate simulator responses against the published OpenAPI description of the Videos API."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

#: A copy kept in the repository: the tests read nothing outside it.
SPEC_PATH = Path(__file__).resolve().parent / "reference" / "openai-videos-openapi.yml"

#: The spec has no schema for error bodies; this is the shape the API documents.
ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "additionalProperties": False,
    "properties": {
        "error": {
            "type": "object",
            "required": ["message", "type", "param", "code"],
            "additionalProperties": False,
            "properties": {
                "message": {"type": "string", "minLength": 1},
                "type": {"type": "string"},
                "param": {"type": ["string", "null"]},
                "code": {"type": ["string", "null"]},
            },
        }
    },
}


@cache
def _spec() -> dict[str, Any]:
    return yaml.safe_load(SPEC_PATH.read_text())


@cache
def _registry() -> Registry:
    return Registry().with_resource("spec.yml", Resource(_spec(), specification=DRAFT202012))


def _path_pattern(template: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$")


def response_schema(method: str, path: str) -> dict[str, Any] | None:
    """The JSON schema of the 200 response for `METHOD /v1/...`, or None for binary content."""
    relative = path.removeprefix("/v1")
    # Literal paths win over templated ones (/videos/edits before /videos/{video_id}).
    templates = sorted(_spec()["paths"], key=lambda t: t.count("{"))
    for template in templates:
        if _path_pattern(template).match(relative):
            operation = _spec()["paths"][template].get(method.lower())
            if operation is None:
                continue
            content = operation["responses"]["200"]["content"]
            if "application/json" not in content or template.endswith("/content"):
                return None
            return content["application/json"]["schema"]
    raise AssertionError(f"{method} {path} is not in the spec")


def validate_response(method: str, path: str, status: int, body: Any) -> None:
    """Raise jsonschema.ValidationError unless `body` matches the spec for this call."""
    if status >= 400:
        jsonschema.validate(body, ERROR_SCHEMA)
        return
    schema = response_schema(method, path)
    if schema is None:
        return
    validator = jsonschema.Draft202012Validator(
        {"$ref": "spec.yml#" + schema["$ref"].removeprefix("#")}, registry=_registry()
    )
    validator.validate(body)


def check_response(response: Any) -> None:
    """Validate an httpx response that has been read, if it is JSON (media are not)."""
    if response.headers.get("content-type", "").startswith("application/json"):
        validate_response(
            response.request.method,
            response.request.url.path,
            response.status_code,
            response.json(),
        )
