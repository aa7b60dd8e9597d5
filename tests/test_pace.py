"""`Pace`: windows of generation time, intersected per settings, scaled to other durations."""

from __future__ import annotations

import pytest

from sora_widget.engine.pace import SCALED_SLACK, Pace


def test_windows_of_the_same_settings_narrow_and_a_contradiction_replaces_them():
    pace = Pace()
    pace.learn("m", "854x480", "5", 20.0, 35.0)
    pace.learn("m", "854x480", "5", 30.0, 40.0)
    assert pace.expect("m", "854x480", "5") == (30.0, 35.0)
    pace.learn("m", "854x480", "5", 50.0, 52.0)  # the server got slower: the newest wins
    assert pace.expect("m", "854x480", "5") == (50.0, 52.0)


def test_another_duration_is_scaled_from_the_nearest_and_widened():
    pace = Pace()
    pace.learn("m", "854x480", "4", 18.0, 20.0)
    pace.learn("m", "854x480", "12", 50.0, 54.0)
    low, high = pace.expect("m", "854x480", "6")  # nearest: 4 s, times 1.5
    assert (low, high) == pytest.approx((27 * (1 - SCALED_SLACK), 30 * (1 + SCALED_SLACK)))
    assert pace.expect("m", "1280x720", "4") is None  # another size: nothing known
    assert pace.expect("other", "854x480", "4") is None
