"""The Storyboard as a person uses it: real JupyterLab, headless Chromium, a shot moved by
keyboard, the film generated, its playback followed across a seam by the timeline, and the film
saved as a page that plays alone."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .helpers import panel_screenshot, run_first_cell, screenshot

pytestmark = pytest.mark.browser

SHOTS = [
    "a lighthouse keeper climbs the stairs at dawn",
    "he lights the lamp as the storm <begins> & rages",  # markup-like: the page escapes it
    "the beam sweeps the waves at night",
]
#: The order after shot 2 is moved to the front.
MOVED = [SHOTS[1], SHOTS[0], SHOTS[2]]

FILM = "document.querySelector('[data-testid=\"film-video\"]')"
FILM_READY = f"() => {{ const v = {FILM}; return v && v.readyState >= 2 && v.duration > 0; }}"
#: The film has stopped seeking and is at least at `time`, playing.
PLAYING_PAST = f"t => {{ const v = {FILM}; return !v.seeking && !v.paused && v.currentTime > t; }}"
#: With the film scrolled to the top of the notebook: whether the video and the playing card
#: are each wholly on screen, and that card wholly inside its strip's visible part.
ON_SCREEN_TOGETHER = f"""() => {{
  const video = {FILM};
  const card = document.querySelector('[data-testid="shot-card"][aria-current="true"]');
  video.scrollIntoView({{ block: "start" }});
  let box = video.parentElement;
  while (box && !(box.scrollHeight > box.clientHeight
                  && ["auto", "scroll"].includes(getComputedStyle(box).overflowY))) {{
    box = box.parentElement;
  }}
  const within = (inner, outer) => inner.top >= outer.top - 1 && inner.bottom <= outer.bottom + 1
    && inner.left >= outer.left - 1 && inner.right <= outer.right + 1;
  const view = (box || document.documentElement).getBoundingClientRect();
  const shown = card.getBoundingClientRect();
  return {{
    video: within(video.getBoundingClientRect(), view),
    card: within(shown, view),
    in_strip: within(shown, card.parentElement.getBoundingClientRect()),
  }};
}}"""


def storyboard_source() -> str:
    return (
        "from sora_widget import Storyboard\n"
        f"sb = Storyboard({SHOTS!r}, size='1280x720', seconds='4', continuity='last_frame',"
        " title='keeper')\n"
        "sb"
    )


def run_cell(page, index: int) -> None:
    page.locator(".jp-Cell .jp-InputArea-editor").nth(index).click()
    page.keyboard.press("Shift+Enter")


def output(page):
    """What cells printed (not their source, which says the same words)."""
    return page.locator(".jp-OutputArea-output")


def film_time(page) -> float:
    return page.evaluate(f"() => {FILM}.currentTime")


def seek(page, time: float) -> None:
    page.evaluate(f"t => {{ {FILM}.currentTime = t; }}", time)
    page.wait_for_function(f"() => !{FILM}.seeking")


def test_reorder_by_keyboard_generate_and_follow_the_film_across_a_seam(page, lab_server):
    page_errors: list[str] = []
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    widget = run_first_cell(
        page,
        lab_server,
        "storyboard.ipynb",
        storyboard_source(),
        "print('order', [shot.prompt for shot in sb.shots])",
        testid="storyboard",
    )
    cards = widget.get_by_test_id("shot-card")
    expect(cards).to_have_count(3)
    assert widget.get_by_test_id("backend").inner_text() == "Simulator"
    moved_key = cards.nth(1).get_attribute("data-key")

    # Alt+Left on the second card: it becomes the first, keeps the focus, and is announced.
    cards.nth(1).focus()
    page.keyboard.press("Alt+ArrowLeft")
    expect(widget.get_by_test_id("live")).to_have_text("Shot 2 moved to position 1 of 3")
    expect(cards.nth(0)).to_have_attribute("data-key", moved_key)
    expect(cards.nth(0).get_by_test_id("shot-prompt")).to_have_value(SHOTS[1])
    expect(cards.nth(0)).to_be_focused()
    run_cell(page, 1)
    output(page).get_by_text(f"order {MOVED!r}").wait_for()

    # Generate film: every shot is made in turn, then the film is stitched and shown.
    widget.get_by_test_id("generate-film").click()
    expect(widget.get_by_test_id("cancel")).to_be_visible()
    screenshot(page, "storyboard-generating")
    page.wait_for_function(FILM_READY, timeout=300_000)
    expect(widget.get_by_test_id("seam-mark")).to_have_count(3)
    expect(widget.get_by_test_id("download-film")).to_have_attribute("href", re.compile("^blob:"))
    # Save HTML downloads the page `sb.save_html` writes: the film embedded, the prompts as text.
    save_html = widget.get_by_test_id("save-html")
    expect(save_html).to_have_accessible_name("Save HTML")
    with page.expect_download(timeout=120_000) as saving:
        save_html.click()
    saved = saving.value
    assert saved.suggested_filename == "keeper.html"
    document = Path(saved.path()).read_text(encoding="utf-8")
    assert document.startswith("<!doctype html>")
    assert re.search(r'<video [^>]*src="data:video/mp4;base64,[A-Za-z0-9+/]{1000}', document)
    assert all(html.escape(prompt) in document for prompt in MOVED)
    assert SHOTS[1] not in document  # its markup-like words are text, not tags
    expect(save_html).to_have_attribute("aria-busy", "false")
    expect(save_html).to_have_accessible_name("Save HTML")
    expect(widget.get_by_test_id("shot-status")).to_have_text(["Completed"] * 3)
    # Loaded, paused at 0:00 and never played: no card claims to be playing yet.
    expect(widget.locator('[data-testid="shot-card"][aria-current]')).to_have_count(0)
    # Each later shot started from the last frame of the one before it.
    expect(widget.get_by_test_id("shot-continuity").filter(visible=True)).to_have_text(
        ["Starts from the previous shot"] * 2
    )

    # A mark seeks to its shot's start, and that shot's card is the current one.
    widget.get_by_role("button", name=f"Shot 3: {MOVED[2]}").click()
    page.wait_for_function(f"() => !{FILM}.seeking")
    expect(cards.nth(2)).to_have_attribute("aria-current", "true")
    widget.get_by_role("button", name=f"Shot 2: {MOVED[1]}").click()
    page.wait_for_function(f"() => !{FILM}.seeking")
    seam = film_time(page)
    assert seam > 1, seam  # the second shot starts after the first, not at the film's start
    expect(cards.nth(1)).to_have_attribute("aria-current", "true")

    # Played from just before that seam, the highlight follows the film into the next shot.
    seek(page, seam - 0.6)
    expect(cards.nth(0)).to_have_attribute("aria-current", "true")
    expect(cards.nth(1)).not_to_have_attribute("aria-current", "true")
    page.evaluate(f"() => {{ {FILM}.muted = true; return {FILM}.play(); }}")
    page.wait_for_function(PLAYING_PAST, arg=seam + 0.3, timeout=20_000)
    expect(cards.nth(1)).to_have_attribute("aria-current", "true")
    expect(cards.nth(0)).not_to_have_attribute("aria-current", "true")
    expect(widget.locator('[data-testid="seam-mark"][data-index="1"]')).to_have_class(
        re.compile(r"\bis-current\b")
    )
    page.evaluate(f"() => {FILM}.pause()")  # a still frame for the picture, not one mid-decode
    # At 1280x1000 the video and the card it plays are on screen together (the film is above
    # the strip, and the strip shows that card).
    together = page.evaluate(ON_SCREEN_TOGETHER)
    assert together == {"video": True, "card": True, "in_strip": True}, together
    screenshot(page, "storyboard-film")
    panel_screenshot(widget, "storyboard-film-panel")

    # Removing a shot leaves the keyboard focus in the strip, on the card now in its place.
    cards.nth(2).get_by_test_id("shot-remove").click()
    expect(cards).to_have_count(2)
    expect(cards.nth(1)).to_be_focused()

    expect(output(page).filter(has_text="Traceback")).to_have_count(0)
    assert not page_errors, page_errors
