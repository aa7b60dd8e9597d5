"""The Arena as a person uses it: real JupyterLab, headless Chromium, one prompt on three of the
simulator's models. Blind until the vote: no model name in the page's HTML nor in the state the
kernel syncs to it; a vote by keyboard; both names after it, gone again with the next pair; the
leaderboard with them."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from .helpers import panel_screenshot, run_first_cell, screenshot

pytestmark = pytest.mark.browser

PROMPT = "a paper boat drifting down a rain gutter"
#: Three models the simulator makes at 1280x720 and 4 seconds. They are read by the kernel from
#: a file, so the notebook's source (which is in the page) does not carry them.
MODELS = ["sora-2", "sora-2-pro", "veo-3.1-fast-generate-preview"]
MODELS_FILE = "arena_models.json"

SIDES = "[...document.querySelectorAll('.sora-arena-side video')]"
#: Both sides can show a frame.
BOTH_READY = f"() => {SIDES}.length === 2 && {SIDES}.every(v => v.readyState >= 2)"


def arena_source() -> str:
    return (
        "import json\n"
        "from sora_widget import Arena\n"
        f"arena = Arena(prompts=[{PROMPT!r}], models=json.load(open({MODELS_FILE!r})),"
        " seconds='4', size='1280x720', voter='me')\n"
        "arena"
    )


#: Which model names are in the traits the page is sent (bytes and the widget's own code and
#: plumbing, the underscored traits, left out); printed without the names themselves.
STATE_LEAKS = (
    "synced = {k: v for k, v in arena.get_state().items()"
    " if not k.startswith('_') and not isinstance(v, (bytes, memoryview))}\n"
    "text = json.dumps(synced, default=str)\n"
    "print('phase', arena.phase, 'leaks', sum(name in text for name in json.load(open("
    f"{MODELS_FILE!r}))))"
)


def run_cell(page, index: int) -> None:
    page.locator(".jp-Cell .jp-InputArea-editor").nth(index).click()
    page.keyboard.press("Shift+Enter")


def output(page):
    """What cells printed (not their source)."""
    return page.locator(".jp-OutputArea-output")


def assert_blind(page, widget) -> None:
    """No model name in the whole page nor in the synced state; no video key in the page."""
    html = page.content()
    for name in MODELS:
        assert name not in html, f"{name} is in the page before the vote"
    assert "blind:" not in widget.inner_html()
    for side in ("arena-left", "arena-right"):
        src = widget.get_by_test_id(side).locator("video").get_attribute("src") or ""
        assert src.startswith("blob:"), src


def test_blind_pair_vote_by_keyboard_reveal_next_and_leaderboard(page, lab_server):
    (lab_server.root / MODELS_FILE).write_text(json.dumps(MODELS))
    widget = run_first_cell(
        page, lab_server, "arena.ipynb", arena_source(), STATE_LEAKS, STATE_LEAKS, testid="arena"
    )
    expect(widget.get_by_test_id("arena-estimate")).to_contain_text("3 videos to generate")
    assert widget.get_by_test_id("backend").inner_text() == "Simulator"

    widget.get_by_test_id("arena-generate").click()
    expect(widget.get_by_test_id("arena-prompt")).to_have_text(PROMPT, timeout=300_000)
    page.wait_for_function(BOTH_READY, timeout=60_000)
    expect(widget.get_by_test_id("leaderboard")).to_be_hidden()
    assert_blind(page, widget)
    run_cell(page, 1)
    output(page).get_by_text("phase voting leaks 0").wait_for()
    screenshot(page, "arena-voting")
    panel_screenshot(widget, "arena-voting-panel")

    # A click in the panel gives it focus; "1" votes for the left side (and JupyterLab's own
    # "1", heading 1 in command mode, is not run).
    widget.get_by_test_id("arena-prompt").click()
    page.keyboard.press("1")
    reveal = widget.get_by_test_id("arena-reveal")
    expect(reveal).to_be_visible()
    left = widget.get_by_test_id("arena-name-left").inner_text()
    right = widget.get_by_test_id("arena-name-right").inner_text()
    assert {left, right} <= set(MODELS) and left != right, (left, right)
    expect(reveal).to_contain_text(f"{left} was preferred")
    expect(widget.get_by_test_id("summary")).to_have_text("1 vote cast")
    rows = widget.get_by_test_id("leaderboard-row")
    expect(widget.get_by_test_id("leaderboard")).to_be_visible()
    expect(rows.first).to_be_visible()
    shown = {rows.nth(i).get_attribute("data-model") for i in range(rows.count())}
    assert {left, right} <= shown, shown
    assert page.locator(".jp-MarkdownCell").count() == 0  # the key went to the panel only
    screenshot(page, "arena-revealed")

    # Next (N): another pair, blind again: the names just shown are gone from the page.
    page.keyboard.press("n")
    expect(reveal).to_be_hidden()
    expect(widget.get_by_test_id("vote-left")).to_be_visible()
    page.wait_for_function(BOTH_READY, timeout=60_000)
    assert_blind(page, widget)
    run_cell(page, 2)
    expect(output(page).get_by_text("phase voting leaks 0")).to_have_count(2)

    # A second vote by keyboard, then the board has every model that took part.
    widget.get_by_test_id("arena-prompt").click()
    page.keyboard.press("3")
    expect(reveal).to_contain_text("A tie")
    expect(widget.get_by_test_id("summary")).to_have_text("2 votes cast")
    expect(rows.first).to_be_visible()
    ratings = [
        rows.nth(i).locator(".sora-board-number").first.inner_text() for i in range(rows.count())
    ]
    assert all(re.fullmatch(r"\d+", rating) for rating in ratings), ratings
    screenshot(page, "arena-leaderboard")
    panel_screenshot(widget, "arena-leaderboard-panel")
