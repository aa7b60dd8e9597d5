"""A person on a LiteLLM proxy: the Model menu is the proxy's, and its video plays with a poster."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ..litellm_proxy import OFFERED, Proxy
from .helpers import VIDEO_PLAYING, run_first_cell, screenshot, video_facts

pytestmark = pytest.mark.browser


#: The poster is a decoded image of the video's size class (a thumbnail, not the MP4's bytes).
POSTER = """async () => {
  const video = document.querySelector('[data-testid="video"]');
  if (!video.poster) return null;
  const image = new Image();
  image.src = video.poster;
  try { await image.decode(); } catch (error) { return {broken: String(error)}; }
  return {width: image.naturalWidth, height: image.naturalHeight};
}"""


def test_pick_a_model_the_proxy_offers_and_watch_it_play(page, lab_server, litellm_proxy: Proxy):
    setup = (
        "from sora_widget import SoraClient, SoraWidget\n"
        f"client = SoraClient(api_key={litellm_proxy.key!r}, base_url={litellm_proxy.base_url!r})\n"
        "w = SoraWidget(client=client)\nw"
    )
    run_first_cell(page, lab_server, "litellm.ipynb", setup)
    model = page.get_by_label("Model", exact=True)
    # The shared proxy offers every test's routes: the ones this test needs are among them.
    expect(model.locator("option", has_text=OFFERED)).to_have_count(1)
    offered = model.locator("option").all_inner_texts()
    assert "sora-2" in offered and offered[-1] == "Other model…", offered
    expect(page.get_by_test_id("backend")).to_have_text("127.0.0.1 · LiteLLM")
    model.select_option(OFFERED)
    expect(page.get_by_label("Duration").locator("option")).to_have_text(["4 s", "6 s", "8 s"])
    page.get_by_label("Duration").select_option("4")
    page.get_by_label("Size").select_option("1280x720")
    page.get_by_role("textbox", name="Prompt").fill("a lighthouse at dusk, waves below")
    page.get_by_role("button", name="Generate").click()
    page.wait_for_function(VIDEO_PLAYING, timeout=180_000)
    facts = video_facts(page)
    assert (facts["width"], facts["height"]) == (1280, 720), facts
    poster = page.evaluate(POSTER)
    assert poster and "broken" not in poster and poster["width"] > 0, poster
    path = page.get_by_test_id("video-path").inner_text()
    assert path.endswith("video.mp4") and "video_" in path
    screenshot(page, "lab-litellm")
