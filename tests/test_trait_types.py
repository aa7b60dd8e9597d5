"""A payload trait is a synced `traitlets.Dict`: each widget starts from its own copy."""

from __future__ import annotations

import pytest
import traitlets

from sora_widget.ui.trait_types import payload
from sora_widget.ui.widget_state import NO_ERROR, BackendBadge, ErrorPayload, dollars


class View(traitlets.HasTraits):
    error = payload(ErrorPayload, NO_ERROR)
    backend = payload(BackendBadge)


def test_each_instance_starts_from_its_own_copy_of_the_default() -> None:
    first, second = View(), View()
    first.error["message"] = "changed in place"
    assert second.error == NO_ERROR and NO_ERROR["message"] == ""
    assert first.backend == {} and first.backend is not second.backend


def test_a_payload_trait_is_synced_and_refuses_what_is_not_a_dict() -> None:
    assert View.class_traits()["error"].metadata == {"sync": True}
    view = View()
    view.backend = {"label": "Simulator", "title": "http://127.0.0.1:8000/v1"}
    assert view.backend["label"] == "Simulator"
    with pytest.raises(traitlets.TraitError):
        view.error = "broken"


def test_a_sum_of_costs_says_when_some_are_unknown() -> None:
    """A grid with an unpriced model must not show a partial sum as the total."""
    assert dollars([0.4, 1.2]) == "$1.60"
    assert dollars([0.4, None, 1.2, None]) == "$1.60 + 2 unpriced"
    assert dollars([None, None]) == "" and dollars([]) == ""
