"""A person's view: real JupyterLab and Notebook 7 in headless Chromium, typing and clicking."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import httpx
import numpy as np
import psutil
import pytest
from PIL import Image
from playwright.sync_api import expect

from .helpers import (
    CHROMIUM_FLAGS,
    VIDEO_PLAYING,
    chromium_path,
    run_first_cell,
    screenshot,
    video_facts,
    wait_for_kernel,
)

pytestmark = pytest.mark.browser

#: Records every status label and progress value the page shows, so a fast state is not missed.
WATCH_STATUS = """() => {
  window.__seen = [];
  const record = () => {
    const badge = document.querySelector('[data-testid="status-badge"]');
    const bar = document.querySelector('[data-testid="progress"]');
    const entry = [badge ? badge.textContent : '', bar ? bar.getAttribute('aria-valuenow') : ''];
    const last = window.__seen[window.__seen.length - 1];
    if (!last || last[0] !== entry[0] || last[1] !== entry[1]) window.__seen.push(entry);
  };
  new MutationObserver(record).observe(document.body,
    {subtree: true, childList: true, characterData: true, attributes: true});
  record();
}"""


def generate_and_play(page, prompt: str, size: str, shot: str) -> None:
    page.get_by_role("textbox", name="Prompt").fill(prompt)
    page.get_by_label("Size").select_option(size)
    page.evaluate(WATCH_STATUS)
    screenshot(page, f"{shot}-form")
    page.get_by_role("button", name="Generate").click()
    page.get_by_test_id("status-badge").filter(has_text="In progress").wait_for()
    screenshot(page, f"{shot}-in-progress")
    page.wait_for_function(VIDEO_PLAYING, timeout=120_000)
    seen = page.evaluate("() => window.__seen")
    labels = [label for label, _ in seen if label]
    assert labels[0] == "Queued", seen
    assert "In progress" in labels and labels[-1] == "Completed", seen
    percentages = [int(value) for label, value in seen if label == "In progress" and value]
    assert len(set(percentages)) >= 2 and percentages == sorted(percentages), seen
    width, height = (int(n) for n in size.split("x"))
    first = video_facts(page)
    assert (first["width"], first["height"]) == (width, height), first
    page.wait_for_timeout(700)
    assert video_facts(page)["time"] != first["time"], "the video is not advancing"
    screenshot(page, f"{shot}-playing")


def test_type_generate_and_watch_the_video_play(page, lab_server):
    run_first_cell(page, lab_server, "quick.ipynb")
    assert page.get_by_test_id("backend").inner_text() == "Simulator"
    generate_and_play(page, "a red fox trotting through fresh snow at dawn", "1280x720", "lab")
    assert page.get_by_test_id("video-path").inner_text().endswith("video.mp4")
    assert page.get_by_test_id("history-item").count() == 1
    # A second click: ipykernel 7 delivers it on a subshell thread, not the kernel's main loop.
    page.get_by_role("textbox", name="Prompt", exact=True).fill("the same fox at noon")
    page.get_by_role("button", name="Generate").click()
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=\"history-item\"]').length === 2",
        timeout=120_000,
    )
    assert page.get_by_test_id("error").is_hidden()


def test_a_model_the_menu_does_not_list_is_typed_and_made(page, lab_server):
    """Servers name their own models: "Other model…" takes any name, and its video plays."""
    run_first_cell(page, lab_server, "other-model.ipynb")
    model = page.get_by_label("Model", exact=True)
    name = page.get_by_role("textbox", name="Model name")
    expect(name).to_be_hidden()
    model.select_option("Other model…")
    expect(name).to_be_visible()
    expect(name).to_be_focused()
    name.fill("house-model-v2")
    # An unknown model: every size is offered, checked for shape only.
    page.get_by_label("Duration").select_option("6")
    page.get_by_role("textbox", name="Prompt").fill("a lighthouse at dusk, slow zoom")
    expect(page.get_by_role("button", name="Generate")).to_be_enabled()
    page.get_by_label("Size").select_option("1280x720")
    page.get_by_role("button", name="Generate").click()
    page.wait_for_function(VIDEO_PLAYING, timeout=120_000)
    facts = video_facts(page)
    assert (facts["width"], facts["height"]) == (1280, 720), facts
    assert page.evaluate("document.querySelector('[data-testid=\"video\"]').duration") > 5.5
    expect(name).to_have_value("house-model-v2")
    model.select_option("sora-2")  # back to a listed model: the name field goes away
    expect(name).to_be_hidden()
    screenshot(page, "lab-other-model")


def test_moderation_error_is_shown_in_plain_words(page, lab_server):
    run_first_cell(page, lab_server, "moderation.ipynb")
    page.get_by_role("textbox", name="Prompt").fill("something forbidden in the park")
    page.get_by_role("button", name="Generate").click()
    error = page.get_by_test_id("error")
    error.wait_for(timeout=90_000)
    assert "moderation" in error.inner_text().lower()
    assert "Traceback" not in error.inner_text()
    assert page.get_by_role("button", name="Retry").is_visible()
    screenshot(page, "lab-moderation")


def test_cancel_stops_a_running_job(page, lab_server):
    run_first_cell(page, lab_server, "cancel.ipynb")
    page.get_by_role("textbox", name="Prompt").fill("a very long journey")
    page.get_by_label("Duration").select_option("12")
    page.get_by_role("button", name="Generate").click()
    # Clicking as the status row first appears can land elsewhere: JupyterLab scrolls the
    # notebook as the output grows. A person clicks a button that is already there.
    page.get_by_test_id("status-badge").filter(has_text="In progress").wait_for()
    page.get_by_role("button", name="Cancel", exact=True).click()
    page.get_by_test_id("status-badge").filter(has_text="Cancelled").wait_for()
    assert (
        page.get_by_test_id("video").count() == 0 or not page.get_by_test_id("video").is_visible()
    )
    screenshot(page, "lab-cancelled")
    cancelled_id = page.get_by_test_id("job-id").get_attribute("title")
    page.get_by_role("button", name="Retry", exact=True).click()  # the same request again
    page.get_by_test_id("status-badge").filter(has_text="In progress").wait_for()
    assert page.get_by_test_id("job-id").get_attribute("title") != cancelled_id
    page.get_by_role("button", name="Cancel", exact=True).click()
    page.get_by_test_id("status-badge").filter(has_text="Cancelled").wait_for()


def test_reference_image_of_the_wrong_size_is_fitted(page, lab_server, tmp_path):
    image = tmp_path / "wide.png"
    # Noise: a PNG of 1.4 MB, which reaches the kernel in pieces (no message over 1 MB).
    noise = np.random.default_rng(3).integers(0, 255, (600, 800, 3), dtype=np.uint8)
    Image.fromarray(noise).save(image)
    assert image.stat().st_size > 1_000_000
    run_first_cell(page, lab_server, "reference.ipynb")
    page.get_by_role("textbox", name="Prompt").fill("a lighthouse on a cliff")
    page.get_by_test_id("reference-input").set_input_files(str(image))
    warning = page.get_by_test_id("reference-warning")
    warning.wait_for()
    assert "800x600" in warning.inner_text()  # what the kernel read from the bytes it put together
    assert page.get_by_test_id("reference-size").inner_text() == "800×600"
    assert page.get_by_role("button", name="Generate").is_disabled()
    page.get_by_test_id("fit").get_by_text("Crop").click()
    page.wait_for_function("() => !document.querySelector('[data-testid=\"generate\"]').disabled")
    page.get_by_role("button", name="Generate").click()
    page.wait_for_function(VIDEO_PLAYING, timeout=120_000)
    assert (video_facts(page)["width"], video_facts(page)["height"]) == (720, 1280)
    screenshot(page, "lab-reference-fitted")


def test_extend_a_finished_video_and_the_next_piece_plays(page, lab_server):
    run_first_cell(page, lab_server, "extend.ipynb")
    extend = page.get_by_test_id("extend")
    generate_and_play(page, "a paper boat on a pond", "1280x720", "lab-extend")
    first_id = page.get_by_test_id("job-id").get_attribute("title")
    first_duration = page.evaluate(
        "() => document.querySelector('[data-testid=\"video\"]').duration"
    )
    page.get_by_test_id("remix-prompt").fill("the boat drifts under a stone bridge")
    assert extend.inner_text() == "Extend" and extend.is_enabled()
    extend.click()
    page.get_by_test_id("status-badge").filter(has_text="In progress").wait_for()
    page.wait_for_function(
        """(first) => {
          const video = document.querySelector('[data-testid="video"]');
          const job = document.querySelector('[data-testid="job-id"]');
          return job && job.title !== first && video && video.readyState >= 2
            && video.currentTime > 0.2 && !video.paused && video.duration > 6;
        }""",
        arg=first_id,
        timeout=180_000,
    )
    facts = video_facts(page)
    assert (facts["width"], facts["height"]) == (1280, 720), facts
    duration = page.evaluate("() => document.querySelector('[data-testid=\"video\"]').duration")
    assert first_duration < 5 and duration > 7  # the extension is the stitched whole: 4 + 4 s
    assert page.get_by_test_id("history-item").count() == 2
    assert page.get_by_test_id("error").is_hidden()
    screenshot(page, "lab-extended")


def test_html_in_a_prompt_is_text_not_markup(page, lab_server):
    hostile = '<img src=x onerror="window.__xss = 1"> a cat'
    run_first_cell(page, lab_server, "hostile.ipynb")
    page.get_by_role("textbox", name="Prompt").fill(hostile)
    page.get_by_role("button", name="Generate").click()
    page.wait_for_function(VIDEO_PLAYING, timeout=120_000)
    assert page.evaluate("() => window.__xss") is None
    assert page.locator("[data-testid='sora-widget'] img[src='x']").count() == 0
    assert page.get_by_role("textbox", name="Remix prompt").input_value() == hostile


def test_the_same_flow_in_notebook_7(page, notebook_server):
    run_first_cell(page, notebook_server, "nb7.ipynb")
    generate_and_play(page, "a sailing boat on a calm blue sea at sunset", "720x1280", "nb7")


def save_notebook(page, path: Path) -> Path:
    """Ctrl+S, as a person saves: the widget's output is in the file once it returns."""
    page.locator(".jp-Cell .jp-InputPrompt").first.click()
    page.keyboard.press("Control+s")
    deadline = time.monotonic() + 30
    while "widget-view+json" not in path.read_text() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert "widget-view+json" in path.read_text(), "the notebook was not saved"
    return path


def test_two_views_stay_in_sync_survive_a_reload_and_saving_stays_small(page, lab_server):
    source = "from sora_widget import SoraWidget\nw = SoraWidget()\ndisplay(w, w)"
    run_first_cell(page, lab_server, "views.ipynb", source)
    widgets = page.get_by_test_id("sora-widget")
    widgets.nth(1).wait_for()
    widgets.nth(0).get_by_role("textbox", name="Prompt", exact=True).fill("an owl at night")
    second_prompt = widgets.nth(1).get_by_role("textbox", name="Prompt", exact=True)
    page.wait_for_function(
        "el => el.value === 'an owl at night'", arg=second_prompt.element_handle()
    )
    widgets.nth(1).get_by_role("button", name="Generate").click()
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="video"]')]
            .filter(v => v.readyState >= 2 && v.currentTime > 0.2).length === 2""",
        timeout=120_000,
    )

    saved = save_notebook(page, lab_server.root / "views.ipynb")
    assert saved.stat().st_size < 200_000, "saving must not embed the video"

    # The saved output points at the live widget: after a reload it shows the current state.
    page.reload()
    page.get_by_test_id("sora-widget").first.wait_for(timeout=90_000)
    page.wait_for_function(VIDEO_PLAYING, timeout=60_000)
    assert page.get_by_test_id("status-badge").first.inner_text() == "Completed"
    screenshot(page, "lab-after-reload")


def test_a_page_reload_mid_job_shows_the_job_where_it_is(page, lab_server):
    run_first_cell(page, lab_server, "reload.ipynb")
    page.get_by_role("textbox", name="Prompt", exact=True).fill("a tram crossing a city at dusk")
    page.get_by_label("Duration").select_option("12")
    page.get_by_role("button", name="Generate").click()
    page.get_by_test_id("status-badge").filter(has_text="In progress").wait_for()
    video_id = page.get_by_test_id("job-id").get_attribute("title")
    before = int(page.get_by_test_id("progress").get_attribute("aria-valuenow"))
    save_notebook(page, lab_server.root / "reload.ipynb")

    page.reload()  # the kernel and its job carry on; the page asks for the widget's state
    page.get_by_test_id("sora-widget").wait_for(timeout=90_000)
    assert page.get_by_test_id("job-id").get_attribute("title") == video_id
    badge = page.get_by_test_id("status-badge").inner_text()
    progress = int(page.get_by_test_id("progress").get_attribute("aria-valuenow"))
    assert badge in ("In progress", "Completed") and progress >= before, (badge, progress)
    prompt = page.get_by_role("textbox", name="Prompt", exact=True)
    assert prompt.input_value() == "a tram crossing a city at dusk"
    page.wait_for_function(VIDEO_PLAYING, timeout=120_000)
    assert page.get_by_test_id("status-badge").inner_text() == "Completed"


def restart_kernel(page, server, name: str) -> None:
    """Kernel > Restart Kernel…, confirmed, as a person does it; returns once a new kernel
    process is idle."""
    pid = kernel_pid(server, name)
    page.get_by_role("menuitem", name="Kernel", exact=True).click()
    page.locator('.lm-Menu-item[data-command="kernelmenu:restart"]').click()
    page.locator(".jp-Dialog button.jp-mod-accept", has_text="Restart").click()
    deadline = time.monotonic() + 60
    while kernel_pid(server, name) in (pid, None) and time.monotonic() < deadline:
        time.sleep(0.2)
    wait_for_kernel(server, name)


def kernel_of(server, name: str) -> str:
    sessions = httpx.get(f"{server.url}/api/sessions", timeout=5).json()
    return next(s["kernel"]["id"] for s in sessions if s["path"].endswith(name))


def test_a_kernel_restart_mid_job_then_rerunning_the_cell_resumes_it(page, lab_server):
    run_first_cell(page, lab_server, "restart.ipynb")
    prompt = "a lighthouse in a storm at night"
    page.get_by_role("textbox", name="Prompt", exact=True).fill(prompt)
    page.get_by_label("Model", exact=True).select_option("sora-2-pro")
    page.get_by_label("Size").select_option("1280x720")
    page.get_by_label("Duration").select_option("12")  # about 25 s at the tests' speed
    page.get_by_role("button", name="Generate").click()
    page.get_by_test_id("status-badge").filter(has_text="In progress").wait_for()
    video_id = page.get_by_test_id("job-id").get_attribute("title")
    assert video_id and video_id.startswith("video_")
    pid_before = kernel_pid(lab_server, "restart.ipynb")
    assert pid_before is not None

    restart_kernel(page, lab_server, "restart.ipynb")

    page.locator(".jp-Cell .jp-InputArea-editor").first.click()
    page.keyboard.press("Shift+Enter")  # the same cell, run again in the new kernel
    page.get_by_test_id("resumed").wait_for()
    assert kernel_pid(lab_server, "restart.ipynb") != pid_before, "the kernel was not restarted"
    assert page.get_by_test_id("job-id").get_attribute("title") == video_id
    assert page.get_by_role("textbox", name="Prompt", exact=True).input_value() == prompt
    screenshot(page, "lab-resumed-after-restart")
    page.wait_for_function(VIDEO_PLAYING, timeout=120_000)
    assert (video_facts(page)["width"], video_facts(page)["height"]) == (1280, 720)
    assert page.get_by_test_id("video-path").inner_text().endswith(f"{video_id}/video.mp4")
    assert not list((lab_server.root / "videos" / ".pending").glob(f"{video_id}.json"))


def kernel_pid(server, name: str) -> int | None:
    """The process id of the notebook's kernel (a restart replaces the process, not the id),
    or None between two processes."""
    connection_file = f"kernel-{kernel_of(server, name)}.json"
    for process in psutil.Process(server.process.pid).children(recursive=True):
        try:
            if any(part.endswith(connection_file) for part in process.cmdline()):
                return process.pid
        except psutil.Error:
            continue  # ended while we looked
    return None


def test_the_quickstart_notebook_runs_and_its_video_plays(page, lab_server):
    quickstart = Path(__file__).resolve().parents[2] / "notebooks" / "01_quickstart.ipynb"
    shutil.copy(quickstart, lab_server.root / "01_quickstart.ipynb")
    page.goto(lab_server.notebook_url("01_quickstart.ipynb", workspace="quickstart"))
    wait_for_kernel(lab_server, "01_quickstart.ipynb")
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    page.wait_for_function(VIDEO_PLAYING, timeout=120_000)
    assert page.get_by_test_id("status-badge").inner_text() == "Completed"
    assert page.locator(".jp-OutputArea-output[data-mime-type*='error']").count() == 0
    screenshot(page, "lab-quickstart")


def set_theme(server, theme: str) -> None:
    """Through JupyterLab's settings API, as the Settings menu would store it."""
    raw = json.dumps({"theme": theme})
    response = httpx.put(
        f"{server.url}/lab/api/settings/@jupyterlab/apputils-extension:themes",
        json={"raw": raw},
        timeout=10,
    )
    assert response.status_code == 204, response.text


def test_keyboard_and_dark_theme(page, lab_server):
    set_theme(lab_server, "JupyterLab Dark")
    try:
        run_first_cell(page, lab_server, "keyboard.ipynb")
        page.wait_for_function("() => document.body.dataset.jpThemeLight === 'false'")
        page.get_by_role("textbox", name="Prompt", exact=True).click()
        page.keyboard.type("a lantern glowing on a night boat")
        # The kernel checks the prompt as it is typed; Generate is enabled once it agrees.
        page.wait_for_function(
            "() => !document.querySelector('[data-testid=\"generate\"]').disabled"
        )
        page.keyboard.press("Control+Enter")  # generate from the keyboard
        page.wait_for_function(VIDEO_PLAYING, timeout=120_000)
        colors = page.evaluate(
            """() => { const root = document.querySelector('[data-testid="sora-widget"]');
            const lum = c => { const [r, g, b] = c.match(/\\d+/g).map(Number);
                               return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
            let node = root, bg = getComputedStyle(node).backgroundColor;
            while (bg === 'rgba(0, 0, 0, 0)' && node.parentElement) {
              node = node.parentElement; bg = getComputedStyle(node).backgroundColor; }
            return {text: lum(getComputedStyle(root).color), background: lum(bg)}; }"""
        )
        assert colors["text"] > colors["background"] + 100, colors  # light text, dark page
        screenshot(page, "lab-dark-playing")
    finally:
        set_theme(lab_server, "JupyterLab Light")


def test_the_advanced_section_refuses_a_value_at_its_field_then_generates(page, lab_server):
    """Advanced shows the chosen model's own parameters (LTX-2, served: steps, seed, ...); a
    refused seed is named at its field and holds Generate back; a good one is sent, and "Use
    these settings again" brings it back from the saved video."""
    run_first_cell(page, lab_server, "advanced.ipynb")
    page.get_by_label("Model", exact=True).select_option("Lightricks/LTX-2")
    page.get_by_text("Advanced", exact=True).click()
    seed = page.get_by_label("Seed", exact=True)
    expect(page.get_by_label("Steps", exact=True)).to_be_visible()
    expect(page.get_by_label("Ratio", exact=True)).to_have_count(0)  # Runway's, not LTX-2's
    page.get_by_role("textbox", name="Prompt", exact=True).fill("a harbour in the rain at dusk")
    seed.fill("-5")
    error = page.get_by_test_id("param-error-seed")
    expect(error).to_have_text("seed: must be a whole number from 0 to 4294967295.")
    expect(seed).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("button", name="Generate")).to_be_disabled()
    screenshot(page, "lab-advanced-refused")
    seed.fill("42")
    expect(error).to_be_hidden()
    page.get_by_label("Negative prompt", exact=True).fill("rain")
    page.get_by_role("button", name="Generate").click()
    page.wait_for_function(VIDEO_PLAYING, timeout=120_000)
    seed.fill("7")
    page.get_by_role("button", name="Use these settings again").click()
    expect(seed).to_have_value("42")
    expect(page.get_by_label("Negative prompt", exact=True)).to_have_value("rain")
    screenshot(page, "lab-advanced-generated")


#: Two views of one panel, whose video has the simulator's sound (rain).
SOUND_SETUP = """from sora_widget import SoraWidget
w = SoraWidget('rain on a tin roof', size='1280x720')
{before}w.generate()
display(w, w)"""

#: Every player video's sound: muted, volume, audio bytes decoded, playing.
SOUND = """() => [...document.querySelectorAll('[data-testid="video"]')].map(v => ({
  muted: v.muted, volume: v.volume, bytes: v.webkitAudioDecodedByteCount,
  playing: !v.paused && v.readyState >= 2}))"""
#: What a browser without an AAC decoder answers (VS Code's Electron: microsoft/vscode#158486).
NO_AAC = """const aac = (type) => type.includes('mp4a');
HTMLMediaElement.prototype.canPlayType = (type) => (aac(type) ? '' : 'maybe');
MediaSource.isTypeSupported = (type) => !aac(type);"""
#: The first video decodes more sound than `bytes`, playing unmuted.
DECODES_MORE = """bytes => { const v = document.querySelector('[data-testid="video"]');
  return !v.muted && !v.paused && v.webkitAudioDecodedByteCount > bytes; }"""


def test_unmute_in_one_view_is_heard_in_both_and_decodes_sound(page, lab_server):
    run_first_cell(
        page,
        lab_server,
        "sound.ipynb",
        SOUND_SETUP.format(before=""),
        "print('sound', w.muted, w.volume)",
        "print('page written', w.save_html('sound.html').stat().st_size)",
    )
    views = page.get_by_test_id("sora-widget")
    views.nth(1).wait_for()
    page.wait_for_function(
        f"() => {{ const s = ({SOUND})(); return s.length === 2 && s.every(v => v.playing); }}",
        timeout=120_000,
    )
    assert all(video["muted"] for video in page.evaluate(SOUND)), "autoplay starts muted"
    unmute = views.nth(0).get_by_role("button", name="Unmute")
    expect(unmute).to_be_enabled()
    expect(views.nth(0).get_by_test_id("sound-note")).to_be_hidden()
    unmute.click()
    page.wait_for_function(f"() => ({SOUND})().every(v => !v.muted && v.playing)")
    expect(views.nth(1).get_by_role("button", name="Mute")).to_be_visible()  # it followed
    decoded = page.evaluate(SOUND)[0]["bytes"]
    page.wait_for_function(DECODES_MORE, arg=decoded)
    views.nth(1).get_by_role("slider", name="Volume").fill("0.4")
    page.wait_for_function(f"() => ({SOUND})().every(v => Math.abs(v.volume - 0.4) < 1e-6)")
    page.locator(".jp-Cell .jp-InputArea-editor").nth(1).click()
    page.keyboard.press("Shift+Enter")
    page.locator(".jp-OutputArea-output").get_by_text("sound False 0.4").wait_for()
    screenshot(page, "lab-sound-on")

    # The saved page: the same control under its video, muted until clicked.
    page.locator(".jp-Cell .jp-InputArea-editor").nth(2).click()
    page.keyboard.press("Shift+Enter")
    page.locator(".jp-OutputArea-output").get_by_text("page written").wait_for()
    page.goto((lab_server.root / "sound.html").as_uri())
    saved = page.locator("video")
    saved.evaluate("v => v.play()")
    assert saved.evaluate("v => v.muted") is True
    page.get_by_role("button", name="Unmute").click()
    decoded = saved.evaluate("v => v.webkitAudioDecodedByteCount")
    page.wait_for_function(
        "b => { const v = document.querySelector('video');"
        " return !v.muted && !v.paused && v.webkitAudioDecodedByteCount > b; }",
        arg=decoded,
    )
    expect(page.get_by_role("slider", name="Volume")).to_be_visible()
    expect(page.get_by_test_id("sound-note")).to_be_hidden()

    # A front end without an AAC decoder (VS Code's Electron answers so): the note says it.
    vscode_like = page.context.new_page()
    vscode_like.add_init_script(NO_AAC)
    vscode_like.goto((lab_server.root / "sound.html").as_uri())
    expect(vscode_like.get_by_test_id("sound-note")).to_contain_text("cannot play AAC sound")


@pytest.fixture
def strict_page(browser):
    """Pages in a Chromium with its own autoplay rule (no sound before a click on the page),
    where the suite's other Chromium allows sound without one."""
    strict = browser.browser_type.launch(
        executable_path=chromium_path(),
        args=[flag for flag in CHROMIUM_FLAGS if not flag.startswith("--autoplay-policy")],
    )

    def new_page():
        page = strict.new_context(viewport={"width": 1280, "height": 1000}).new_page()
        page.set_default_timeout(60_000)
        return page

    yield new_page
    strict.close()


#: Says when a video starts playing, and whether muted. Playwright's page.evaluate counts as a
#: click (a user gesture), so a page that must not have been clicked in is watched through this
#: until its video plays, never evaluated.
REPORT_PLAYING = """document.addEventListener('playing', (event) => {
  if (event.target.dataset.testid === 'video')
    console.log(`sora-test: playing, muted ${event.target.muted}`);
}, true);"""


def test_a_view_told_to_play_sound_before_any_click_plays_muted_and_says_so(
    strict_page, lab_server
):
    first = strict_page()
    run_first_cell(first, lab_server, "held.ipynb", SOUND_SETUP.format(before="w.muted = False\n"))
    first.get_by_test_id("sora-widget").nth(1).wait_for()
    save_notebook(first, lab_server.root / "held.ipynb")

    # A page nobody has clicked in yet, on the same live widget: the browser refuses sound.
    page = strict_page()
    page.add_init_script(REPORT_PLAYING)
    playing = lambda message: message.text.startswith("sora-test: playing")  # noqa: E731
    with page.expect_console_message(playing, timeout=120_000) as first_play:
        page.goto(lab_server.notebook_url("held.ipynb", workspace="held-again"))
    assert first_play.value.text == "sora-test: playing, muted true"  # it plays: not stalled
    view = page.get_by_test_id("sora-widget").first
    assert page.evaluate(SOUND)[0]["muted"] is True
    expect(view.get_by_test_id("sound-note")).to_contain_text("click Unmute")
    screenshot(page, "lab-sound-held")
    view.get_by_role("button", name="Unmute").click()
    decoded = page.evaluate(SOUND)[0]["bytes"]
    page.wait_for_function(DECODES_MORE, arg=decoded)
    expect(view.get_by_test_id("sound-note")).to_be_hidden()
