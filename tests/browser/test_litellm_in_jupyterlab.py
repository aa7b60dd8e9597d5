"""A person on a LiteLLM proxy: the Model menu is the proxy's, and its video plays with a poster."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from ..conftest import RunningServer, server_running
from ..litellm_proxy import Proxy, proxy_running, route
from .conftest import screenshot
from .test_widget_in_jupyterlab import VIDEO_PLAYING, run_first_cell, video_facts

pytestmark = pytest.mark.browser

SIM_KEY = "sk-behind-the-proxy"
OFFERED = "veo-3.1-fast-generate-preview"

#: The poster is a decoded image of the video's size class (a thumbnail, not the MP4's bytes).
POSTER = """async () => {
  const video = document.querySelector('[data-testid="video"]');
  if (!video.poster) return null;
  const image = new Image();
  image.src = video.poster;
  try { await image.decode(); } catch (error) { return {broken: String(error)}; }
  return {width: image.naturalWidth, height: image.naturalHeight};
}"""


@pytest.fixture(scope="module")
def simulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with server_running(
        tmp_path_factory.mktemp("browser-behind-litellm"), "--speed", "4", "--api-key", SIM_KEY
    ) as server:
        yield server


@pytest.fixture(scope="module")
def proxy(simulator: RunningServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proxy]:
    routes = [
        route("sora-2", "openai/sora-2", simulator.base_url, SIM_KEY),
        route(OFFERED, f"openai/{OFFERED}", simulator.base_url, SIM_KEY),
    ]
    with proxy_running(routes, tmp_path_factory.mktemp("browser-litellm")) as running:
        yield running


def test_pick_a_model_the_proxy_offers_and_watch_it_play(page, lab_server, proxy: Proxy):
    setup = (
        "from sora_widget import SoraClient, SoraWidget\n"
        f"client = SoraClient(api_key={proxy.key!r}, base_url={proxy.base_url!r})\n"
        "w = SoraWidget(client=client)\nw"
    )
    run_first_cell(page, lab_server, "litellm.ipynb", setup)
    model = page.get_by_label("Model", exact=True)
    expect(model.locator("option")).to_have_text(["sora-2", OFFERED, "Other model…"])
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
