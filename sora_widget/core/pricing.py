"""The cost estimate shown before anything is sent, from the catalog's prices."""

from __future__ import annotations

import math

from sora_widget.core.catalog import family_of


def estimate_cost(model: str, size: str, seconds: str | int) -> float | None:
    """USD for one video, or None when the model and size have no published price.

    Half-typed form values and odd server answers ("5.5", "four") have no price either: this
    runs on every keystroke in the widget and on every save, so it must not raise.
    """
    family = family_of(model)
    price = family.price_for(size) if family is not None else None
    if price is None or isinstance(seconds, bool):
        return None
    try:
        duration = float(seconds)
    except (TypeError, ValueError):
        return None
    return round(price * duration, 2) if math.isfinite(duration) and duration > 0 else None
