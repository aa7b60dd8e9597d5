"""A person on OpenRouter: the badge says so, the Model menu is the server's catalog, each
model offers its own durations and price against the key's credits, and a video plays.

The kernel has OPENROUTER_API_KEY and no OPENAI_API_KEY, as a student given an OpenRouter key
would; OPENROUTER_BASE_URL points it at the simulator's `openrouter` profile instead of
openrouter.ai.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from ..helpers import RunningServer, server_running, unused_port
from .helpers import (
    VIDEO_PLAYING,
    JupyterServer,
    run_first_cell,
    screenshot,
    start_app_server,
    stop_app_server,
    video_facts,
)

pytestmark = pytest.mark.browser

KEY = "sk-or-v1-browser-test-0123456789abcdef0123456789abcdef0123456789abcdef0123"
CREDITS = "5"
SETUP = 'from sora_widget import SoraWidget\nw = SoraWidget("a paper boat on a pond at dawn")\nw'
#: A few of the profile's 13 video models, and a name only OpenAI's Sora API serves.
SERVER_MODELS = ["google/veo-3.1", "x-ai/grok-imagine-video", "bytedance/seedance-2.0"]
QUICK = "x-ai/grok-imagine-video"


@pytest.fixture(scope="module")
def simulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """OpenRouter's video API under /api/v1, taking only KEY, with $5 on it."""
    with server_running(
        tmp_path_factory.mktemp("browser-openrouter-sim"),
        "--profile",
        "openrouter",
        "--speed",
        "20",
        "--credits",
        CREDITS,
        "--api-key",
        KEY,
    ) as server:
        yield server


@pytest.fixture(scope="module")
def openrouter_lab(
    simulator: RunningServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[JupyterServer]:
    """JupyterLab whose kernels have an OpenRouter key (and no OpenAI key) and its base URL."""
    assert simulator.base_url.endswith("/api/v1"), simulator.base_url
    root = tmp_path_factory.mktemp("jupyter-openrouter")
    port = unused_port()
    url = f"http://127.0.0.1:{port}"
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
        "--IdentityProvider.token=", "--ServerApp.password=",
        f"--ServerApp.root_dir={root}", "--ServerApp.disable_check_xsrf=True",
        f"--LabApp.workspaces_dir={root / '.workspaces'}",
        f"--LabApp.user_settings_dir={root / '.settings'}",
    ]  # fmt: skip
    env = {
        "JUPYTER_CONFIG_DIR": str(root / ".jupyter-config"),
        "JUPYTER_RUNTIME_DIR": str(root / ".jupyter-runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(root / ".settings"),
        # start_app_server removes OPENAI_API_KEY; "api" undoes its simulator default.
        "SORA_WIDGET_BACKEND": "api",
        "OPENROUTER_API_KEY": KEY,
        "OPENROUTER_BASE_URL": simulator.base_url,
        "SORA_WIDGET_LIBRARY": str(root / "videos"),
    }
    process = start_app_server("lab-openrouter", command, root, f"{url}/api/status", env)
    yield JupyterServer(url, root, "lab", process)
    stop_app_server(process, root)


def test_pick_an_openrouter_model_see_its_durations_and_credits_and_watch_it_play(
    page, openrouter_lab: JupyterServer
):
    run_first_cell(page, openrouter_lab, "openrouter.ipynb", SETUP)
    expect(page.get_by_test_id("backend")).to_have_text("127.0.0.1 · OpenRouter")
    expect(page.get_by_role("textbox", name="Prompt")).to_have_value(
        "a paper boat on a pond at dawn"
    )

    # The Model menu is the server's catalog (asked in the background), then "Other model…".
    model = page.get_by_label("Model", exact=True)
    for name in SERVER_MODELS:
        expect(model.locator(f"option[value='{name}']")).to_have_count(1)
    offered = model.locator("option").all_inner_texts()
    assert len(offered) == 13 + 1 and offered[-1] == "Other model…", offered
    assert "sora-2" not in offered and "sora-2-pro" not in offered, offered

    # Veo 3.1: its own durations, its own words for sizes, a price against the key's $5.
    model.select_option("google/veo-3.1")
    duration = page.get_by_label("Duration")
    expect(duration.locator("option")).to_have_text(["4 s", "6 s", "8 s"])
    size = page.get_by_label("Size")
    expect(size.locator("option[value='1280x720']")).to_have_text("1280x720 · 720p 16:9")
    size.select_option("1280x720")
    duration.select_option("4")
    cost = page.get_by_test_id("cost")
    # Veo 3.1 with sound: 40 cents a second.
    expect(cost).to_have_text("≈ $1.60 · $5.00 left on this key")
    duration.select_option("8")
    expect(cost).to_have_text("≈ $3.20 · $5.00 left on this key")
    screenshot(page, "lab-openrouter-veo")

    # Grok Imagine at 480p for 2 s: quick, and cheap.
    model.select_option(QUICK)
    expect(duration.locator("option")).to_have_text([f"{s} s" for s in range(1, 16)])
    expect(size.locator("option[value='854x480']")).to_have_text("854x480 · 480p 16:9")
    size.select_option("854x480")
    duration.select_option("2")
    expect(cost).to_have_text("≈ $0.10 · $5.00 left on this key")
    generate = page.get_by_role("button", name="Generate")
    expect(generate).to_be_enabled()
    generate.click()
    page.wait_for_function(VIDEO_PLAYING, timeout=90_000)
    first = video_facts(page)
    assert first["ready"] >= 2 and (first["width"], first["height"]) == (854, 480), first
    page.wait_for_timeout(700)
    assert video_facts(page)["time"] != first["time"], "the video is not advancing"
    assert page.get_by_test_id("status-badge").inner_text() == "Completed"
    assert page.get_by_test_id("error").is_hidden()
    length = page.evaluate("() => document.querySelector('[data-testid=\"video\"]').duration")
    assert 1.5 < length < 2.5, length  # the 2 s asked for, in OpenRouter's `duration` field
    path = page.get_by_test_id("video-path").inner_text()
    assert path.startswith(str(openrouter_lab.root / "videos")) and path.endswith("video.mp4")
    # The job was charged: the key has less left, asked again once the video was saved.
    expect(cost).to_contain_text("$4.90 left on this key")
    screenshot(page, "lab-openrouter-playing")
