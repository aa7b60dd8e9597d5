"""What both panels (`SoraWidget`, `Compare`) are built from besides their media: the built
front-end files, the sound's volume trait, and the server's features kept current."""

from __future__ import annotations

import os
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

import traitlets

from sora_widget.engine.client import SoraClient
from sora_widget.engine.features import ServerSupport

STATIC = Path(__file__).parent.parent / "static"


#: What a panel whose front end was not built shows (a source checkout before `npm run build`).
UNBUILT = (
    "export default { render({ el }) { el.textContent = "
    '"This panel\'s front end is not built: run npm run build."; } };'
)


def front_end(name: str, *, missing_ok: bool = False) -> str | Path:
    """A built front-end file for `_esm` or `_css`: its text, or its path while developing
    with ANYWIDGET_HMR=1. anywidget reloads a path live, but its reload hook holds every widget
    made from it for good: a closed widget, and its video bytes, would never be freed.
    `missing_ok`: an unbuilt file gives a panel saying so (and no style), not an ImportError."""
    path = STATIC / name
    if missing_ok and not path.exists():
        return UNBUILT if name.endswith(".js") else ""
    return path if os.environ.get("ANYWIDGET_HMR") == "1" else path.read_text(encoding="utf-8")


def page_assets(name: str) -> dict[str, str]:
    """The script and style a saved page (`export`) inlines: `<name>.js` and `<name>.css`."""
    return {
        "script": (STATIC / f"{name}.js").read_text(encoding="utf-8"),
        "css": (STATIC / f"{name}.css").read_text(encoding="utf-8"),
    }


class Volume(traitlets.Float):
    """Loudness, 0 (silent) to 1 (full): all a media element accepts, so the kernel refuses
    the rest with the range in the message rather than a view failing silently."""

    def validate(self, obj: Any, value: Any) -> float:
        value = super().validate(obj, value)
        if not 0.0 <= value <= 1.0:
            raise traitlets.TraitError(
                f"{self.name} must be from 0 (silent) to 1 (full), not {value}."
            )
        return value


def follow_features(view: traitlets.HasTraits, client: SoraClient) -> Callable[[], None]:
    """Keep `view.features` up to date with what `client` learns about its server; returns the
    function that stops. The client holds the view weakly: it never keeps a closed one alive."""
    ref = weakref.ref(view)

    def update(support: ServerSupport) -> None:
        target = ref()
        if target is not None:
            target.set_trait("features", support.payload())

    update(client.support)
    return client.support.on_change(update)
