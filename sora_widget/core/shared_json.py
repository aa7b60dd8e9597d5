"""`python -m sora_widget.core.shared_json`: writes `core.shared` to js/shared.json.

Kept apart from `shared` so running it does not re-run a module the package has already
imported; only this command and the test that keeps the committed file fresh import it.
"""

from __future__ import annotations

import json
from pathlib import Path

from sora_widget.core.shared import (
    CHUNK_BYTES,
    ERROR_TITLES,
    MAX_MESSAGE_BYTES,
    MAX_UPLOAD_BYTES,
    RETRYABLE,
    RUNNING,
    STATUS_LABELS,
)

#: Where the front end reads it, beside its sources (not shipped in the wheel).
SHARED_JSON = Path(__file__).parents[2] / "js" / "shared.json"


def shared_json() -> str:
    """js/shared.json's text, as `main` writes it."""
    payload = {
        "//": "Written from sora_widget/core/shared.py by `python -m sora_widget.core.shared_json`",
        "status_labels": {str(status): label for status, label in STATUS_LABELS.items()},
        "running": [str(status) for status in RUNNING],
        "error_titles": {str(kind): title for kind, title in ERROR_TITLES.items()},
        "retryable": [str(kind) for kind in RETRYABLE],
        "upload": {
            "max_message_bytes": MAX_MESSAGE_BYTES,
            "chunk_bytes": CHUNK_BYTES,
            "max_upload_bytes": MAX_UPLOAD_BYTES,
        },
    }
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    """Write js/shared.json from `core.shared`."""
    SHARED_JSON.write_text(shared_json(), encoding="utf-8")


if __name__ == "__main__":
    main()
