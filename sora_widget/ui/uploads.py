"""Binary values from the browser (a reference image), sent in pieces and put back together.

Colab drops a browser-to-kernel message over about a megabyte (jupyter-widgets/ipywidgets#3452)
and other front ends cap them too, so `js/upload.js` never sets a binary trait from the browser:
it sends the bytes as `{"action": "upload", ...}` messages of at most `CHUNK_BYTES` each, as
base64 in the JSON (marimo carries no buffers in custom messages), and the kernel sets the trait
once every piece has arrived. Both sides read the limits from `core.shared` (js/shared.json).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from typing import Any

from sora_widget.core.errors import InvalidRequestError
from sora_widget.core.shared import CHUNK_BYTES, MAX_UPLOAD_BYTES

MAX_CHUNKS = -(-MAX_UPLOAD_BYTES // CHUNK_BYTES)


@dataclass
class _Upload:
    count: int
    name: str
    pieces: dict[int, bytes] = field(default_factory=dict)


class Uploads:
    """The uploads under way for the binary values named in `traits` (a trait, or an image
    slot of one), one per name: a new upload replaces an unfinished one (the person chose
    another image)."""

    def __init__(self, traits: tuple[str, ...]) -> None:
        self.traits = traits
        self._under_way: dict[str, tuple[str, _Upload]] = {}

    def take(self, content: dict[str, Any]) -> tuple[str, bytes, str] | None:
        """One piece; (trait, bytes, file name) once the upload is whole, else None. Raises
        InvalidRequestError, naming the trait, for a piece that breaks the rules."""
        trait = content.get("trait")
        if trait not in self.traits:
            raise InvalidRequestError(
                "upload", f"Uploads go to {', '.join(self.traits)}, not {str(trait)[:40]!r}."
            )
        upload_id, index, count = content.get("upload"), content.get("index"), content.get("count")
        if not (
            isinstance(upload_id, str)
            and isinstance(count, int)
            and isinstance(index, int)
            and 1 <= count <= MAX_CHUNKS
            and 0 <= index < count
        ):
            raise InvalidRequestError(
                trait, f"The upload was refused: at most {MAX_UPLOAD_BYTES // 2**20} MiB."
            )
        try:
            piece = base64.b64decode(str(content.get("data", "")), validate=True)
        except (binascii.Error, ValueError):
            raise InvalidRequestError(trait, "The upload arrived damaged: send it again.") from None
        if len(piece) > CHUNK_BYTES:
            raise InvalidRequestError(
                trait, f"The upload was refused: a piece is over {CHUNK_BYTES} bytes."
            )
        current = self._under_way.get(trait)
        if current is None or current[0] != upload_id:
            current = (upload_id, _Upload(count, str(content.get("name", ""))[:200]))
            self._under_way[trait] = current
        upload = current[1]
        upload.pieces[index] = piece
        if len(upload.pieces) < upload.count:
            return None
        del self._under_way[trait]
        return trait, b"".join(upload.pieces[n] for n in range(upload.count)), upload.name
