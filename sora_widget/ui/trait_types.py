"""Synced traits typed by what they carry, so a type checker reads the payloads' keys.

traitlets types a `Dict` trait as `dict[str, Any]`, which no `TypedDict` is: the payloads of
`widget_state` and `compare_state` would be unchecked the moment they reach a trait. A
`payload` trait is the same `traitlets.Dict`, synced with the views, typed as its `TypedDict`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar, cast

import traitlets

P = TypeVar("P", bound=Mapping[str, object])


def payload(kind: type[P], default: P | None = None) -> traitlets.TraitType[P, P]:
    """A synced `traitlets.Dict` holding a `kind` (each instance starts from a copy of
    `default`, else from {})."""
    trait = traitlets.Dict() if default is None else traitlets.Dict(dict(default))
    return cast("traitlets.TraitType[P, P]", trait.tag(sync=True))


def optional_payload(kind: type[P]) -> traitlets.TraitType[P | None, P | None]:
    """A synced `traitlets.Dict` holding a `kind` or None (the default)."""
    trait = traitlets.Dict(default_value=None, allow_none=True)
    return cast("traitlets.TraitType[P | None, P | None]", trait.tag(sync=True))
