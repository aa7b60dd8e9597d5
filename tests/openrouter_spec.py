"""Validate OpenRouter-profile answers against OpenRouter's published OpenAPI description.

`tests/reference/openrouter-videos-openapi.yml` is OpenRouter's own spec (its four video paths
and their schemas, copied unchanged). Every JSON body is checked against the schema the spec
gives for its path and status; statuses the spec does not list for a path (403, 409, 410, 503,
added by the 1.3.84 SDK) are checked against the same error envelope every `*Response` error
schema of the spec shares. `/key` is not in that file: its shape is the one the SDK reads.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import yaml
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC_PATH = Path(__file__).resolve().parent / "reference" / "openrouter-videos-openapi.yml"
API_ROOT = "/api/v1"
#: Fields of the 1.3.84 SDK's `VideoGenerationResponse` that the 2026-08 spec lacks.
NEWER_RESPONSE_FIELDS = {
    "type": "object",
    "properties": {
        "urls": {"type": "array", "items": {"type": "string"}},
        "expires_at": {"type": "integer"},
    },
}
KEY_SCHEMA = {
    "type": "object",
    "required": ["data"],
    "properties": {
        "data": {
            "type": "object",
            "required": [
                "label",
                "limit",
                "usage",
                "limit_remaining",
                "limit_reset",
                "include_byok_in_limit",
                "usage_daily",
                "usage_weekly",
                "usage_monthly",
                "byok_usage",
                "is_free_tier",
                "is_provisioning_key",
            ],  # fmt: skip
            "properties": {
                "label": {"type": "string"},
                "limit": {"type": ["number", "null"]},
                "usage": {"type": "number"},
                "limit_remaining": {"type": ["number", "null"]},
                "is_free_tier": {"const": False},
                "is_provisioning_key": {"const": False},
                "limit_reset": {"type": "null"},
                "include_byok_in_limit": {"const": False},
                "byok_usage": {"type": "number"},
            },
        }
    },
}


@cache
def spec() -> dict[str, Any]:
    return yaml.safe_load(SPEC_PATH.read_text())


@cache
def _registry() -> Registry:
    return Registry().with_resource("spec.yml", Resource(spec(), specification=DRAFT202012))


def schema_named(name: str) -> dict[str, Any]:
    """A `$ref` to one of the spec's component schemas, resolvable through the registry."""
    assert name in spec()["components"]["schemas"], name
    return {"$ref": f"spec.yml#/components/schemas/{name}"}


def validate(body: Any, schema: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator(schema, registry=_registry()).validate(body)


def _operation(method: str, path: str) -> dict[str, Any] | None:
    relative = path.removeprefix(API_ROOT)
    # Literal paths first: /videos/models before /videos/{jobId}.
    for template in sorted(spec()["paths"], key=lambda t: t.count("{")):
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
        if re.match(pattern, relative):
            return spec()["paths"][template].get(method.lower())
    return None


def check_body(method: str, path: str, status: int, body: Any) -> None:
    """Raise unless `body` is what the spec says `METHOD path` answers with `status`."""
    if status >= 400:
        assert body["error"]["code"] == status, body  # the HTTP status, always
        validate(body, schema_named("BadRequestResponse"))  # the shared envelope
    if path == f"{API_ROOT}/key":
        validate(body, KEY_SCHEMA if status < 400 else schema_named("UnauthorizedResponse"))
        return
    operation = _operation(method, path)
    assert operation is not None, f"{method} {path} is not in OpenRouter's spec"
    answer = operation["responses"].get(str(status))
    if answer is None:
        assert status >= 400, f"{method} {path} answered {status}, which the spec does not list"
        return
    schema = answer["content"]["application/json"]["schema"]
    validate(body, {"$ref": "spec.yml#" + schema["$ref"].removeprefix("#")})
    if schema["$ref"].endswith("/VideoGenerationResponse"):
        validate(body, NEWER_RESPONSE_FIELDS)


def check_response(response: httpx.Response) -> None:
    """Every JSON answer: the right content type, and a body the spec describes."""
    kind = response.headers.get("content-type", "")
    if response.status_code < 400 and not kind.startswith("application/json"):
        return  # the MP4 itself
    assert kind.startswith("application/json"), (response.status_code, kind)
    check_body(
        response.request.method, response.request.url.path, response.status_code, response.json()
    )
