"""The body of a create request: the form's fields, the images and the extra parameters, in the
shape the model's route takes (see `catalog.ImageSlots`).

The OpenAI shape is a multipart form with `input_reference` as a file; other images travel as
`data:` URIs in text fields there, since a gateway (LiteLLM) passes only that one upload on.
JSON routes (LiteLLM's runwayml/, fal_ai/, dashscope/, gemini/) take every image inline, each in
its route's own form. Named parameters come next; the raw JSON object is merged last, so its
keys win over named ones of the same name.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sora_widget.core.catalog import ImageField, images_of, parameters_of
from sora_widget.core.errors import InvalidRequestError
from sora_widget.core.reference_image import FilePart, Fit, ReferenceImage, prepare_reference

#: The names the Python API and the form give each image slot, in messages too.
FIRST, LAST, REFERENCES = "input_reference", "last_frame", "reference_images"
FormParts = list[tuple[str, Any]]


@dataclass
class CreateBody:
    """What to send: `json` (a dict) or a multipart form (`fields` and file `files`)."""

    as_json: bool
    fields: dict[str, Any] = field(default_factory=dict)
    files: FormParts = field(default_factory=list)

    def form_parts(self) -> FormParts:
        """The multipart parts: every field as text (objects and lists as JSON), then files."""
        return [(name, (None, _as_text(value))) for name, value in self.fields.items()] + list(
            self.files
        )


def build_create_body(
    fields: dict[str, str],
    *,
    size: str,
    fit: Fit | None = None,
    input_reference: ReferenceImage | None = None,
    last_frame: ReferenceImage | None = None,
    reference_images: Sequence[ReferenceImage] = (),
    parameters: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
) -> CreateBody:
    """The create body for `fields["model"]`; each image fitted to `size` as `fit` says.

    Decoding and fitting images takes tens of milliseconds: call it in a worker thread."""
    model = fields["model"]
    slots = images_of(model)
    body = CreateBody(as_json=slots.body == "json", fields=dict(fields))
    wanted = [
        (FIRST, slots.first, [input_reference] if input_reference is not None else []),
        (LAST, slots.last, [last_frame] if last_frame is not None else []),
        (REFERENCES, slots.references, list(reference_images)),
    ]
    for name, where, images in wanted:
        if not images:
            continue
        if where is None:
            raise InvalidRequestError(
                name,
                f"{name}: {model!r} takes no such image. Leave it out, or send it in the raw "
                "JSON field (extra=...) as the server expects it.",
            )
        if name == REFERENCES and len(images) > slots.max_references:
            raise InvalidRequestError(
                name, f"{name}: at most {slots.max_references} for {model!r}, got {len(images)}."
            )
        prepared = [prepare_reference(image, size, fit, name) for image in images]
        _place(body, where, prepared, name)
    nests = {param.name: param.nest for param in parameters_of(model) if param.nest}
    for key, value in (parameters or {}).items():
        body.fields[key] = {nests[key]: value} if key in nests else value
    body.fields.update(extra or {})
    return body


def _place(body: CreateBody, where: ImageField, images: list[Any], name: str) -> None:
    """Put prepared images (file parts or {image_url}/{file_id}) where the route wants them."""
    encoding, key = where.encoding, where.field
    if encoding == "file" and not body.as_json:
        for image in images:
            if isinstance(image, dict):  # an object: bracketed form fields, as the SDK sends
                body.fields.update({f"{key}[{k}]": v for k, v in image.items()})
            else:
                body.files.append((key, image))
        return
    uris = [_data_uri(image, name) for image in images]
    if encoding in ("file", "data_uri"):
        body.fields[key] = uris[0]
    elif encoding == "data_uri_list":
        body.fields[key] = uris
    elif encoding == "veo_image":
        body.fields[key] = _veo_image(uris[0])
    elif encoding == "veo_references":
        body.fields[key] = [{"image": _veo_image(uri), "referenceType": "asset"} for uri in uris]
    else:  # runway_first / runway_last: one promptImage list, each image at its position
        position = encoding.removeprefix("runway_")
        body.fields.setdefault(key, []).append({"uri": uris[0], "position": position})


def _data_uri(image: FilePart | dict[str, str], name: str) -> str:
    if isinstance(image, dict):
        url = image.get("image_url")
        if url is None:
            raise InvalidRequestError(
                name, f"{name}: this route takes the image itself or an image_url, not a file_id."
            )
        return url
    _, data, content_type = image
    return f"data:{content_type};base64,{base64.b64encode(data).decode('ascii')}"


def _veo_image(uri: str) -> dict[str, str]:
    """Veo's inline image: `{bytesBase64Encoded, mimeType}` (a URL is passed as `gcsUri`)."""
    header, _, payload = uri.partition(",")
    if not header.startswith("data:"):
        return {"gcsUri": uri}
    return {"bytesBase64Encoded": payload, "mimeType": header[5:].split(";")[0]}


def _as_text(value: Any) -> str:
    """A form field's text: booleans as JSON spells them, objects and lists as JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value)
