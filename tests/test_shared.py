"""The words Python and the browser share come from one place, and the browser's copy is fresh."""

from __future__ import annotations

import json

from sora_widget.core import shared, shared_json
from sora_widget.core.errors import APIError, InvalidRequestError, JobTimeout
from sora_widget.ui.widget_state import IDLE_JOB, error_payload, rate_limit_payload


def test_the_committed_js_shared_json_is_what_the_python_source_writes():
    assert shared_json.SHARED_JSON.read_text(encoding="utf-8") == shared_json.shared_json(), (
        "js/shared.json is stale: run `python -m sora_widget.core.shared_json` and commit it"
    )


def test_every_status_and_kind_the_browser_is_sent_has_its_words():
    words = json.loads(shared_json.shared_json())
    assert set(words["status_labels"]) == {str(status) for status in shared.ShownStatus}
    assert set(words["error_titles"]) == {str(kind) for kind in shared.ErrorKind}
    assert set(words["running"]) <= set(words["status_labels"])
    assert set(words["retryable"]) <= set(words["error_titles"])
    assert IDLE_JOB["status"] in words["status_labels"]


def test_each_error_payload_names_a_kind_with_a_title():
    errors = [
        InvalidRequestError("prompt", "empty"),
        JobTimeout("too slow", "video_1"),
        APIError("no", status_code=418),
        RuntimeError("surprise"),
    ]
    kinds = [error_payload(error)["kind"] for error in errors] + [rate_limit_payload(1)["kind"]]
    assert [kind in shared.ERROR_TITLES for kind in kinds] == [True] * len(kinds), kinds


def test_the_generator_writes_the_file(tmp_path, monkeypatch):
    target = tmp_path / "shared.json"
    monkeypatch.setattr(shared_json, "SHARED_JSON", target)
    shared_json.main()
    assert target.read_text(encoding="utf-8") == shared_json.shared_json()
