"""The same widgets in marimo: `marimo run` on the marimo quickstart, in headless Chromium.

marimo renders anywidgets in a shadow root, which Playwright's locators pierce (and
`document.querySelector` does not), so every check here goes through locators.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ..helpers import unused_port
from .helpers import screenshot, start_app_server, stop_app_server

pytestmark = pytest.mark.browser

APP = Path(__file__).resolve().parents[2] / "notebooks" / "marimo_quickstart.py"
FACTS = """v => ({ready: v.readyState, time: v.currentTime, paused: v.paused,
                  width: v.videoWidth, height: v.videoHeight})"""


@pytest.fixture(scope="module")
def marimo_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("marimo")
    port = unused_port()
    command = [sys.executable, "-m", "marimo", "run", str(APP), "--headless"]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    url = f"http://127.0.0.1:{port}"
    process = start_app_server("marimo", command, root, url)
    yield url
    stop_app_server(process, root)


def test_type_generate_and_watch_the_video_play_in_marimo(page, marimo_url):
    page.goto(marimo_url)
    panel = page.get_by_test_id("sora-widget")
    panel.wait_for(timeout=90_000)
    assert panel.get_by_test_id("backend").inner_text() == "Simulator"
    panel.get_by_role("textbox", name="Prompt", exact=True).fill("a red fox in fresh snow")
    panel.get_by_label("Size").select_option("1280x720")
    generate = panel.get_by_role("button", name="Generate")
    page.wait_for_function("button => !button.disabled", arg=generate.element_handle())
    generate.click()
    panel.get_by_test_id("status-badge").filter(has_text="In progress").wait_for()
    video = panel.get_by_test_id("video")
    video.wait_for(timeout=120_000)
    page.wait_for_function(
        "v => v.readyState >= 2 && v.currentTime > 0.2 && !v.paused",
        arg=video.element_handle(),
        timeout=60_000,
    )
    first = video.evaluate(FACTS)
    assert (first["width"], first["height"]) == (1280, 720), first
    page.wait_for_timeout(700)
    assert video.evaluate(FACTS)["time"] != first["time"], "the video is not advancing"
    assert panel.get_by_test_id("status-badge").inner_text() == "Completed"
    assert panel.get_by_test_id("history-item").count() == 1
    screenshot(page, "marimo-playing")


def test_a_comparison_plays_in_step_in_marimo(page, marimo_url):
    page.goto(marimo_url)
    videos = page.get_by_test_id("cell-video")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if videos.count() == 2 and all(
            videos.nth(n).evaluate(FACTS)["ready"] >= 2 for n in range(2)
        ):
            break
        time.sleep(0.5)
    else:
        raise AssertionError("the two videos of the comparison did not load")
    page.get_by_role("button", name="Play", exact=True).click()
    page.wait_for_timeout(1500)
    # Both clocks read in one call, so the spread is the videos', not the test's.
    facts = videos.evaluate_all("vs => vs.map(v => ({time: v.currentTime, paused: v.paused}))")
    assert not any(fact["paused"] for fact in facts), facts
    assert all(fact["time"] > 0.3 for fact in facts), facts
    assert abs(facts[0]["time"] - facts[1]["time"]) < 0.1, facts
    screenshot(page, "marimo-compare")
