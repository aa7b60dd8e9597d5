"""Compare as a person uses it: real JupyterLab, headless Chromium, videos playing in step."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .helpers import panel_screenshot, run_first_cell, screenshot

pytestmark = pytest.mark.browser

#: The simulator's frame rate: one frame step moves every video by one of these.
SIM_FPS = 12

FOX = "a red fox trotting through fresh snow at dawn"
REMIXES = [
    "a red fox trotting through fresh snow at night",
    "a red fox trotting through fresh snow in the rain",
    "a red fox trotting through fresh snow in fog",
]

#: Every cell's video can show a frame, or null while some are still coming.
VIDEOS = "[...document.querySelectorAll('[data-testid=\"cell-video\"]')]"
ALL_READY = f"n => {VIDEOS}.length === n && {VIDEOS}.every(v => v.readyState >= 2)"
#: The largest distance between the videos' clocks, folded around the loop.
SPREAD = """selector => {
  const videos = [...document.querySelectorAll(selector)];
  const d = videos[0].duration, t0 = videos[0].currentTime;
  const offsets = videos.map(v => {
    const o = v.currentTime - t0;
    return ((o + d / 2) % d + d) % d - d / 2;
  });
  return {spread: Math.max(...offsets) - Math.min(...offsets),
          times: videos.map(v => v.currentTime), paused: videos.map(v => v.paused)};
}"""


def compare_source(*remixes: str, extra: str = "") -> str:
    return (
        "from sora_widget import Compare\n"
        f"cmp = Compare({FOX!r}, remixes={list(remixes)!r}, size='1280x720'{extra})\n"
        "cmp"
    )


def open_compare(page, server, name: str, *cells: str):
    """Open a notebook of `cells`, run the first, and return the Compare widget's locator."""
    return run_first_cell(page, server, name, *cells, testid="sora-compare")


def run_cell(page, index: int) -> None:
    page.locator(".jp-Cell .jp-InputArea-editor").nth(index).click()
    page.keyboard.press("Shift+Enter")


def output(page):
    """What cells printed (not their source, which says the same words)."""
    return page.locator(".jp-OutputArea-output")


#: Pushes video `index` of `selector` a second away from the others, as a decoder falling
#: behind would, and counts the seeks of them all from then on (this push is the first).
PUSH_OFF = """([selector, index]) => {
  const videos = [...document.querySelectorAll(selector)];
  window.__seeks = 0;
  for (const video of videos) video.addEventListener('seeked', () => (window.__seeks += 1));
  const pushed = videos[index];
  pushed.currentTime = (pushed.currentTime + 1) % pushed.duration;
}"""
#: The group seeked to bring them together again (a second seek), and all are within a
#: frame of each other, playing.
BACK_IN_STEP = f"""selector => {{
  const facts = ({SPREAD})(selector);
  return window.__seeks >= 2 && !facts.paused.some(Boolean) && facts.spread <= {1 / SIM_FPS};
}}"""


def assert_kept_in_step(page, selector: str, index: int = -1) -> None:
    """The players are kept in step by the sync group, not found in step by a measured
    median: video `index` (by default the last) is pushed a second off while they play, and
    the group must seek them back to within a frame of each other."""
    count = page.locator(selector).count()
    page.evaluate(PUSH_OFF, [selector, index % count])
    page.wait_for_function(BACK_IN_STEP, arg=selector, timeout=10_000)


def current_times(page) -> list[float]:
    return page.evaluate(f"() => {VIDEOS}.map(v => v.currentTime)")


def test_a_source_and_three_remixes_play_in_step(page, lab_server):
    widget = open_compare(page, lab_server, "compare.ipynb", compare_source(*REMIXES))
    cells = widget.get_by_test_id("cell")
    cells.nth(3).wait_for()
    assert widget.get_by_test_id("backend").inner_text() == "Simulator"
    assert cells.nth(0).get_by_test_id("source-mark").is_visible()
    page.wait_for_function(
        '() => document.querySelector(\'[data-testid="cell"] [data-testid="status-badge"]\')'
    )
    screenshot(page, "compare-in-progress")
    page.wait_for_function(ALL_READY, arg=4, timeout=240_000)
    assert "4 of 4 ready" in widget.get_by_test_id("summary").inner_text()
    for index in (1, 2, 3):
        assert cells.nth(index).get_by_test_id("lineage").inner_text() == "remix of ★ Source"
    assert cells.nth(1).locator("ins").first.inner_text() == "night"
    assert cells.nth(1).locator("del").first.inner_text() == "dawn"
    screenshot(page, "compare-ready")

    play = widget.get_by_role("button", name="Play")
    play.click()
    page.wait_for_function(f"() => {VIDEOS}.every(v => !v.paused && v.currentTime > 0.3)")
    widget.get_by_role("button", name="Pause").click()
    widget.get_by_role("slider", name="Seek").fill("2")
    page.wait_for_function(f"() => {VIDEOS}.every(v => !v.seeking)")
    assert all(abs(t - 2) < 0.05 for t in current_times(page)), current_times(page)

    widget.get_by_role("button", name="Play").click()
    page.wait_for_timeout(3000)  # several seconds of playback, through a loop
    assert_kept_in_step(page, '[data-testid="cell-video"]')
    screenshot(page, "compare-playing")

    # The keyboard, scoped to the widget: Space pauses, the right arrow steps one frame.
    widget.get_by_test_id("grid").focus()
    page.keyboard.press("Space")
    widget.get_by_role("button", name="Play").wait_for()
    # From a known frame: paused on the last one, a step would wrap to the first (loop is on).
    widget.get_by_role("slider", name="Seek").fill("1")
    page.wait_for_function(f"() => {VIDEOS}.every(v => !v.seeking)")
    widget.get_by_test_id("grid").focus()
    before = current_times(page)
    page.keyboard.press("ArrowRight")
    page.wait_for_function(f"() => {VIDEOS}.every(v => !v.seeking)")
    after = current_times(page)
    frames = [[int(t * SIM_FPS + 1e-3) for t in times] for times in (before, after)]
    assert all(b == a + 1 for a, b in zip(*frames, strict=True)), (before, after)


#: Three model families (see the simulator's `families`): sora-2 neutral, Veo fast warm, Wan
#: a cool green cast.
MODELS = ["sora-2", "veo-3.1-fast-generate-preview", "wan2.6-t2v"]
#: Each video's warmth as the page shows it: red minus blue over its current frame.
WARMTH = f"""() => {VIDEOS}.map(video => {{
  const canvas = document.createElement('canvas');
  canvas.width = 160;
  canvas.height = 90;
  const context = canvas.getContext('2d');
  context.drawImage(video, 0, 0, 160, 90);
  const pixels = context.getImageData(0, 0, 160, 90).data;
  let warmth = 0;
  for (let i = 0; i < pixels.length; i += 4) warmth += pixels[i] - pixels[i + 2];
  return warmth / (pixels.length / 4);
}})"""


def test_three_models_play_in_step_each_in_its_own_look(page, lab_server):
    source = (
        f"from sora_widget import Compare\nCompare({FOX!r}, models={MODELS!r}, size='1280x720')"
    )
    widget = open_compare(page, lab_server, "models.ipynb", source)
    page.wait_for_function(ALL_READY, arg=3, timeout=240_000)
    cells = widget.get_by_test_id("cell")
    labels = [cells.nth(i).get_by_test_id("cell-label").inner_text() for i in range(3)]
    assert [label.removeprefix("★").strip() for label in labels] == MODELS

    widget.get_by_role("button", name="Play").click()
    page.wait_for_function(f"() => {VIDEOS}.every(v => !v.paused && v.currentTime > 1.5)")
    assert_kept_in_step(page, '[data-testid="cell-video"]')
    panel_screenshot(widget, "compare-three-models")

    # The same frame of each, as the page shows it: Veo warmer than sora-2, Wan cooler.
    widget.get_by_role("button", name="Pause").click()
    widget.get_by_role("slider", name="Seek").fill("2")
    page.wait_for_function(f"() => {VIDEOS}.every(v => !v.seeking)")
    sora, veo, wan = page.evaluate(WARMTH)
    assert veo > sora + 10 > wan + 20, (sora, veo, wan)


def test_the_ab_wipe_moves_with_its_divider_and_the_pick_reaches_python(page, lab_server):
    widget = open_compare(
        page,
        lab_server,
        "wipe.ipynb",
        compare_source(REMIXES[1]),
        "print('picked is', cmp.picked == cmp.variants[1].video_id)",
    )
    page.wait_for_function(ALL_READY, arg=2, timeout=240_000)
    widget.get_by_test_id("cell").nth(1).get_by_role("button", name="Pick as favourite").click()
    run_cell(page, 1)
    output(page).get_by_text("picked is True").wait_for()

    widget.get_by_role("checkbox", name="A/B wipe").check()
    stage = widget.get_by_test_id("wipe-stage")
    stage.wait_for()
    clip = "() => document.querySelector('[data-testid=\"wipe-a\"]').style.clipPath"
    assert page.evaluate(clip) == "inset(0px 50% 0px 0px)"
    divider = widget.get_by_role("slider", name="Wipe")
    assert divider.get_attribute("aria-valuenow") == "50"
    box = stage.bounding_box()
    middle_y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] / 2, middle_y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.35, middle_y, steps=5)
    page.mouse.move(box["x"] + box["width"] * 0.25, middle_y, steps=5)
    page.mouse.up()
    assert page.evaluate(clip) == "inset(0px 75% 0px 0px)"
    assert divider.get_attribute("aria-valuenow") == "25"
    divider.press("ArrowRight")
    assert divider.get_attribute("aria-valuenow") == "30"
    widget.get_by_role("button", name="Play").click()
    assert_kept_in_step(page, '[data-testid="wipe-a"], [data-testid="wipe-b"]')
    screenshot(page, "compare-wipe")


def test_the_saved_page_plays_in_step_without_jupyter(page, lab_server):
    open_compare(
        page,
        lab_server,
        "export.ipynb",
        compare_source(*REMIXES[:2]),
        "await cmp.wait()\nprint('saved', cmp.save_html('compare.html').stat().st_size)",
    )
    run_cell(page, 1)
    output(page).get_by_text("saved ").wait_for(timeout=240_000)

    page.goto((lab_server.root / "compare.html").as_uri())
    exported = page.get_by_test_id("sora-compare")
    exported.wait_for()
    assert exported.get_by_test_id("cell").count() == 3
    assert not page.evaluate(
        "() => [...document.querySelectorAll('[src]')].some(e => "
        "/^(https?:)?\\/\\//.test(e.getAttribute('src')))"
    )
    page.wait_for_function(ALL_READY, arg=3, timeout=60_000)
    exported.get_by_role("button", name="Play").click()
    page.wait_for_timeout(3000)
    assert_kept_in_step(page, '[data-testid="cell-video"]')
    # The page keeps the sound: Unmute on a cell there is heard, the others stay muted.
    exported.get_by_test_id("cell").nth(2).get_by_role("button", name="Unmute").click()
    page.wait_for_function(f"() => {VIDEOS}.map(v => v.muted).join() === 'true,true,false'")
    decoded = page.evaluate(f"() => {VIDEOS}[2].webkitAudioDecodedByteCount")
    page.wait_for_function(f"b => {VIDEOS}[2].webkitAudioDecodedByteCount > b", arg=decoded)
    screenshot(page, "compare-exported")
    page.emulate_media(color_scheme="dark")
    page.set_viewport_size({"width": 420, "height": 1000})
    screenshot(page, "compare-exported-dark-narrow")


def test_two_views_of_one_comparison_share_the_transport(page, lab_server):
    source = compare_source(REMIXES[0]).removesuffix("cmp") + "display(cmp, cmp)"
    open_compare(page, lab_server, "views.ipynb", source)
    views = page.get_by_test_id("sora-compare")
    views.nth(1).wait_for()
    page.wait_for_function(ALL_READY, arg=4, timeout=240_000)
    views.nth(0).get_by_role("button", name="Play").click()
    views.nth(1).get_by_role("button", name="Pause").wait_for()  # the other view heard it
    page.wait_for_function(f"() => {VIDEOS}.every(v => !v.paused && v.currentTime > 0.3)")
    views.nth(1).get_by_role("checkbox", name="Loop").uncheck()
    assert not views.nth(0).get_by_role("checkbox", name="Loop").is_checked()
    views.nth(1).get_by_test_id("cell").nth(1).get_by_role("button", name="Enlarge").click()
    assert views.nth(0).get_by_test_id("cell").nth(1).get_attribute("class").endswith("is-enlarged")
    screenshot(page, "compare-two-views")


#: Counts what would be heard as a skip or a wobble in cell `n`'s sound: seeks (other than a
#: loop's return to the start) and changes of its playback rate.
COUNT_MOVES = f"""n => {{
  const video = {VIDEOS}[n];
  window.__moves = {{seeks: 0, rates: 0}};
  video.addEventListener('seeking', () => {{
    if (video.currentTime > 0.1 && video.currentTime < video.duration - 0.1) __moves.seeks += 1;
  }});
  video.addEventListener('ratechange', () => (__moves.rates += 1));
}}"""


def muted(page) -> list[bool]:
    return page.evaluate(f"() => {VIDEOS}.map(v => v.muted)")


def test_one_cell_is_heard_at_a_time_and_keeping_step_never_moves_its_sound(page, lab_server):
    widget = open_compare(
        page,
        lab_server,
        "heard.ipynb",
        compare_source(REMIXES[1]),  # the simulator's sound: snow's hush, then rain
        "print('heard is the remix', cmp.heard == cmp.variants[1].key)",
    )
    page.wait_for_function(ALL_READY, arg=2, timeout=240_000)
    cells = widget.get_by_test_id("cell")
    assert muted(page) == [True, True]
    cells.nth(0).get_by_role("button", name="Unmute").click()
    page.wait_for_function(f"() => {VIDEOS}.map(v => v.muted).join() === 'false,true'")
    cells.nth(1).get_by_role("button", name="Unmute").click()  # the source goes quiet
    page.wait_for_function(f"() => {VIDEOS}.map(v => v.muted).join() === 'true,false'")
    expect(cells.nth(0).get_by_role("button", name="Unmute")).to_be_visible()
    expect(cells.nth(1).get_by_role("button", name="Mute")).to_be_visible()
    run_cell(page, 1)
    output(page).get_by_text("heard is the remix True").wait_for()

    page.evaluate(COUNT_MOVES, 1)
    widget.get_by_role("button", name="Play").click()
    decoded = page.evaluate(f"() => {VIDEOS}[1].webkitAudioDecodedByteCount")
    page.wait_for_function(
        f"b => {{ const v = {VIDEOS}[1]; return !v.paused && v.webkitAudioDecodedByteCount > b; }}",
        arg=decoded,
    )
    assert_kept_in_step(page, '[data-testid="cell-video"]', index=0)  # the source follows
    heard = page.evaluate(f"() => ({{...window.__moves, pitch: {VIDEOS}[1].preservesPitch}})")
    assert heard == {"seeks": 0, "rates": 0, "pitch": True}, "the heard cell leads, untouched"
    screenshot(page, "compare-heard")
