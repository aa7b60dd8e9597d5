"""Reference images for `input_reference`: read, check against the video size, fit if asked.

The API refuses an image whose size differs from the requested video size, after the upload
and with a terse message. Checking here, before anything is sent, lets us say which two sizes
differ and offer to fit the image instead. The widget reuses these functions for its preview.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any, Literal

from PIL import Image, ImageOps, UnidentifiedImageError

from sora_widget.core.errors import InvalidRequestError
from sora_widget.core.types import parse_size

PARAM = "input_reference"
#: Pillow's format name -> the content type the API accepts for it.
CONTENT_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
EXTENSIONS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}
FITS = ("crop", "pad")
#: The most sent untouched: the spec caps a reference given as a data URL at 20 MiB, and an
#: image of any video size needs far less (a 1792x1024 PNG is under 8 MiB).
MAX_UPLOAD_BYTES = 20 * 1024 * 1024

Fit = Literal["crop", "pad"]
ReferenceImage = str | os.PathLike[str] | bytes | Image.Image | dict[str, str]
#: A multipart file part: (filename, bytes, content type).
FilePart = tuple[str, bytes, str]


def fit_image(image: Image.Image, size: str, fit: Fit) -> Image.Image:
    """The image at exactly `size`: "crop" fills the frame and trims the overflow (centred),
    "pad" keeps the whole image and fills the rest with black."""
    target = parse_size(size)
    image = ImageOps.exif_transpose(image).convert("RGB")
    if fit == "crop":
        return ImageOps.fit(image, target, method=Image.Resampling.LANCZOS)
    if fit == "pad":
        return ImageOps.pad(image, target, method=Image.Resampling.LANCZOS, color=(0, 0, 0))
    raise _invalid_fit(fit)


def prepare_reference(
    value: ReferenceImage, size: str, fit: Fit | None = None, param: str = PARAM
) -> FilePart | dict[str, str]:
    """What to send as `input_reference` (or the image field `param`): a file part, or the
    `{image_url}`/`{file_id}` object.

    An image of the right size is sent untouched. One of another size is refused with an offer
    to fit it, or, when `fit` is given, fitted and sent as PNG.
    """
    if fit is not None and fit not in FITS:
        raise _invalid_fit(fit)
    if isinstance(value, dict):
        return _reference_object(value, param)
    image, data, filename = _open(value, param)
    if f"{image.width}x{image.height}" != size:
        if fit is None:
            raise InvalidRequestError(
                param,
                f"'{param}' is {image.width}x{image.height} but the video size is {size}: the "
                "image must match it exactly. Pass fit='crop' to fill the frame and trim the "
                "edges, or fit='pad' to keep the whole image with black bars.",
                "invalid_image_dimensions",
            )
        image = fit_image(image, size, fit)
    elif data is not None:
        if len(data) <= MAX_UPLOAD_BYTES:
            return filename, data, CONTENT_TYPES[str(image.format)]
        if fit is None:  # with a fit it is re-encoded below, as a fitted image is
            raise InvalidRequestError(
                param,
                f"'{param}' is {len(data) / 2**20:.1f} MiB, over the "
                f"{MAX_UPLOAD_BYTES // 2**20} MiB limit for uploads: save it again as PNG or "
                f"JPEG (a {size} image needs far less), or pass fit='crop' to re-encode it.",
                "file_too_large",
            )
    return f"{Path(filename).stem}.png", _png_bytes(image), "image/png"


def _open(value: Any, param: str = PARAM) -> tuple[Image.Image, bytes | None, str]:
    """The decoded image, its original bytes (None for a PIL image) and a file name."""
    if isinstance(value, Image.Image):
        return value, None, "reference.png"
    if isinstance(value, str | os.PathLike):
        path = Path(value)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise InvalidRequestError(
                param, f"'{param}' could not be read from {str(path)!r}: {error.strerror}."
            ) from None
        return _decode(data, param), data, path.name
    if isinstance(value, bytes | bytearray | memoryview):
        data = bytes(value)
        image = _decode(data, param)
        return image, data, f"reference.{EXTENSIONS[str(image.format)]}"
    raise InvalidRequestError(
        param,
        f"Invalid type for '{param}': expected a file path, bytes, a PIL image, or "
        f"{{'image_url': ...}} / {{'file_id': ...}}, but got {type(value).__name__}.",
        "invalid_type",
    )


def _decode(data: bytes, param: str = PARAM) -> Image.Image:
    """Decode fully, so a truncated file fails here rather than on the server."""
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except Image.DecompressionBombError:
        raise InvalidRequestError(
            param,
            f"'{param}' has too many pixels to open safely (over "
            f"{2 * (Image.MAX_IMAGE_PIXELS or 0):,}): use an image close to the video size.",
            "image_too_large",
        ) from None
    except (UnidentifiedImageError, OSError, ValueError):
        raise InvalidRequestError(
            param,
            f"'{param}' could not be read as an image: use a PNG, JPEG or WebP file.",
            "invalid_image",
        ) from None
    if image.format not in CONTENT_TYPES:
        raise InvalidRequestError(
            param,
            f"'{param}' is a {image.format} image: use a PNG, JPEG or WebP file.",
            "unsupported_mimetype",
        )
    return image


def _reference_object(value: dict, param: str = PARAM) -> dict[str, str]:
    given = {k: v for k, v in value.items() if v is not None}
    if len(given) != 1 or not given.keys() <= {"image_url", "file_id"}:
        raise InvalidRequestError(
            param,
            f"'{param}' as an object must have exactly one of 'image_url' or 'file_id', "
            f"got {sorted(value)}.",
        )
    (key, url_or_id), *_ = given.items()
    if not isinstance(url_or_id, str) or not url_or_id:
        raise InvalidRequestError(f"{param}.{key}", f"'{param}.{key}' must be a non-empty string.")
    return {key: url_or_id}


def _png_bytes(image: Image.Image) -> bytes:
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _invalid_fit(fit: object) -> InvalidRequestError:
    return InvalidRequestError(
        "fit", f"Invalid value for 'fit': {fit!r}. Supported values are 'crop' and 'pad'."
    )
