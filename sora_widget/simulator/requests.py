"""Reading request bodies the way the real API accepts them: multipart, form or JSON.

The official SDK sends objects inside multipart forms as bracketed keys (`video[id]=...`);
they are folded back into dicts here so routes see one shape whatever the encoding.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
from typing import Any

from PIL import Image, UnidentifiedImageError
from starlette.datastructures import UploadFile
from starlette.requests import Request

from .accepts import IMAGE_TYPES
from .errors import SimulatorHTTPError

#: The spec allows data URLs up to 20 MiB, so form fields may be that large.
MAX_FIELD_BYTES = 21 * 1024 * 1024
MAX_FILES = 4
MAX_FIELDS = 64


def content_type(request: Request) -> str:
    """The body's media type, lower case and without parameters (`boundary=...`)."""
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def read_fields(request: Request) -> dict[str, Any]:
    """The request's fields; a body that cannot be parsed is a 400, never a 500."""
    encoding = content_type(request)
    if encoding == "application/json":
        try:
            body = json.loads(await request.body())
        except (ValueError, UnicodeDecodeError) as error:
            raise SimulatorHTTPError(
                400, f"We could not parse the JSON body of your request: {error}."
            ) from None
        if not isinstance(body, dict):
            raise SimulatorHTTPError(400, "The JSON body must be an object of named parameters.")
        return body
    if encoding in ("multipart/form-data", "application/x-www-form-urlencoded"):
        try:
            form = await request.form(
                max_files=MAX_FILES, max_fields=MAX_FIELDS, max_part_size=MAX_FIELD_BYTES
            )
        except SimulatorHTTPError:  # the body was too large (see `limits.BodyLimit`)
            raise
        except Exception as error:  # multipart parser errors have no common base class
            raise SimulatorHTTPError(
                400, f"We could not parse the multipart body: {error}."
            ) from None
        try:
            return _fold_brackets(
                [(key, await _in_memory(value)) for key, value in form.multi_items()]
            )
        finally:
            await form.close()  # its uploads are spooled temporary files
    if not await request.body():
        return {}
    raise SimulatorHTTPError(
        400,
        f"Unsupported content type {encoding or '(none)'!r}: send multipart/form-data "
        "or application/json.",
        code="unsupported_content_type",
    )


async def _in_memory(value: Any) -> Any:
    """An upload read whole (the body limit bounds it), so the form's files close at once."""
    if not isinstance(value, UploadFile):
        return value
    data = await value.read()
    return UploadFile(
        io.BytesIO(data), size=len(data), filename=value.filename, headers=value.headers
    )


def _fold_brackets(items: list[tuple[str, Any]]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for key, value in items:
        name, bracket, rest = key.partition("[")
        if bracket and rest.endswith("]"):
            nested = fields.setdefault(name, {})
            if isinstance(nested, dict):
                nested[rest[:-1]] = value
        else:
            fields[key] = value
    return fields


def optional_string(fields: dict[str, Any], name: str, default: str) -> Any:
    """A field's value, or the default when absent; type errors are left to the validators."""
    value = fields.get(name)
    return default if value is None else value


def decode_image(data: bytes, param: str) -> Image.Image:
    """Open an uploaded image fully, so a truncated or hostile file fails here with a 400."""
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise SimulatorHTTPError(
            400,
            f"'{param}' could not be read as an image: upload a JPEG, PNG or WebP file.",
            param=param,
            code="invalid_image",
        ) from None
    if image.format not in IMAGE_TYPES.values():
        raise SimulatorHTTPError(
            400,
            f"'{param}' is a {image.format} image: upload a JPEG, PNG or WebP file.",
            param=param,
            code="unsupported_mimetype",
        )
    return image


async def reference_image_bytes(value: Any, param: str = "input_reference") -> bytes:
    """The bytes of an image given as an upload or as `{image_url: data URL}`."""
    if isinstance(value, UploadFile):
        mimetype = (value.content_type or "").split(";")[0].strip().lower()
        if mimetype not in IMAGE_TYPES:
            raise SimulatorHTTPError(
                400,
                f"Invalid file '{param}': unsupported mimetype ('{mimetype or 'none'}'). "
                "Supported file formats are 'image/jpeg', 'image/png', and 'image/webp'.",
                param=param,
                code="unsupported_mimetype",
            )
        return await value.read()
    if isinstance(value, dict):
        if value.get("file_id"):
            raise SimulatorHTTPError(
                404,
                f"'{param}.file_id': no such File object {str(value['file_id'])[:64]!r}. The "
                "simulator has no Files API: upload the image itself or send it as a data URL "
                "in image_url.",
                param=f"{param}.file_id",
                code="file_not_found",
            )
        url = value.get("image_url")
        if isinstance(url, str) and url.startswith("data:"):
            return _decode_data_url(url, f"{param}.image_url")
        if isinstance(url, str) and url:
            raise SimulatorHTTPError(
                400,
                "The simulator works offline and cannot fetch image URLs: upload the image or "
                "send it as a base64 data URL (data:image/png;base64,...).",
                param=f"{param}.image_url",
                code="invalid_value",
            )
        raise SimulatorHTTPError(
            400,
            f"'{param}' must have exactly one of 'image_url' or 'file_id'.",
            param=param,
            code="invalid_value",
        )
    raise SimulatorHTTPError(
        400,
        f"Invalid type for '{param}': expected a file, but got a "
        f"{'string' if isinstance(value, str) else type(value).__name__} instead.",
        param=param,
        code="invalid_type",
    )


def _decode_data_url(url: str, param: str) -> bytes:
    header, _, payload = url.partition(",")
    if ";base64" not in header:
        raise SimulatorHTTPError(
            400, f"'{param}' must be a base64 data URL.", param=param, code="invalid_value"
        )
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise SimulatorHTTPError(
            400, f"'{param}' is not valid base64.", param=param, code="invalid_value"
        ) from None


async def upload_bytes(value: Any, param: str) -> bytes:
    """The bytes of a required file field (a video for edits, extensions and characters)."""
    if isinstance(value, UploadFile):
        return await value.read()
    raise SimulatorHTTPError(
        400,
        f"Invalid type for '{param}': expected a file, but got "
        f"{'nothing' if value is None else 'a ' + type(value).__name__} instead.",
        param=param,
        code="invalid_type" if value is not None else "missing_required_parameter",
    )
