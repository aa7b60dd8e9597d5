"""Prices per second of output, as data, and the estimate shown before anything is sent."""

from __future__ import annotations

from .types import MODEL_FAMILY, PRO_SIZES, STANDARD_SIZES

#: USD per second of video, by model family and size (reference/VIDEOS_API.md).
PRICE_PER_SECOND: dict[tuple[str, str], float] = {
    **{("sora-2", size): 0.10 for size in STANDARD_SIZES},
    **{("sora-2-pro", size): 0.30 for size in STANDARD_SIZES},
    **{("sora-2-pro", size): 0.50 for size in PRO_SIZES},
}


def estimate_cost(model: str, size: str, seconds: str | int) -> float | None:
    """USD for one video, or None when the combination has no published price.

    Half-typed form values and odd server answers ("5.5", "four") have no price either: this
    runs on every keystroke in the widget and on every save, so it must not raise.
    """
    family = MODEL_FAMILY.get(model)
    price = PRICE_PER_SECOND.get((family, size)) if family else None
    if price is None or isinstance(seconds, bool):
        return None
    try:
        return round(price * int(seconds), 2)
    except (TypeError, ValueError):
        return None
