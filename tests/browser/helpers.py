"""Helpers shared by the browser tests (the fixtures are in conftest): Chromium, notebooks
written to disk, notebook servers started and stopped, a first cell run, screenshots."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from sora_widget.simulator import SimulatorConfig
from sora_widget.simulator.process import stop

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--autoplay-policy=no-user-gesture-required",
]
#: Slow enough that a person (and the test) sees Queued and rising percentages.
BROWSER_SIM_SPEED = "4"
#: Room for JupyterLab's menus, tabs and toolbar above a panel that is photographed.
PANEL_MARGIN = 300


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        message = "Chromium is not installed: apt-get install chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def write_notebook(path: Path, *cells: str) -> Path:
    """A notebook with a kernelspec, so no kernel dialog appears when it opens."""
    notebook = {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": None,
                "id": f"cell{i}",
                "metadata": {},
                "outputs": [],
                "source": source,
            }
            for i, source in enumerate(cells)
        ],
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(notebook))
    return path


@dataclass
class JupyterServer:
    url: str
    root: Path
    kind: str  # "lab" or "notebook"
    process: subprocess.Popen

    def notebook_url(self, name: str, workspace: str) -> str:
        if self.kind == "lab":
            return f"{self.url}/lab/workspaces/{workspace}/tree/{name}?reset"
        return f"{self.url}/notebooks/{name}"


def start_app_server(
    name: str, command: list[str], root: Path, ready_url: str, env: dict[str, str] | None = None
) -> subprocess.Popen:
    """A notebook server (JupyterLab, Notebook 7, marimo) on the simulator, with no key, its
    videos and simulator data under `root`; returns once `ready_url` answers."""
    environment = {
        **os.environ,
        "SORA_SIM_DATA_DIR": str(root / ".simulator"),
        "SORA_SIM_SPEED": BROWSER_SIM_SPEED,
        "SORA_SIM_BLOCKED_WORDS": "forbidden",
        "SORA_WIDGET_BACKEND": "simulator",
        "SORA_WIDGET_LIBRARY": str(root / "videos"),
        **(env or {}),
    }
    environment.pop("OPENAI_API_KEY", None)
    log_path = root / f"{name}.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command, stdout=log, stderr=log, env=environment, cwd=root, start_new_session=True
        )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(ready_url, timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    process.kill()
    raise RuntimeError(f"{name} did not start:\n{log_path.read_text()[-3000:]}")


def stop_app_server(process: subprocess.Popen, root: Path) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
    # The kernels' simulator outlives them on purpose.
    stop(SimulatorConfig(data_dir=root / ".simulator"))


def screenshot(page, name: str) -> None:
    """Screenshots of each state are test artifacts; the README shows some of them."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def panel_screenshot(panel, name: str) -> None:
    """A screenshot cropped to one panel, for the docs. The viewport grows for it while it is
    taken: a panel taller than the notebook's area would be cut by JupyterLab's toolbar."""
    page = panel.page
    viewport = page.viewport_size
    box = panel.bounding_box()
    if viewport and box and box["height"] + PANEL_MARGIN > viewport["height"]:
        page.set_viewport_size({**viewport, "height": round(box["height"]) + PANEL_MARGIN})
    ARTIFACTS.mkdir(exist_ok=True)
    panel.screenshot(path=str(ARTIFACTS / f"{name}.png"))
    if viewport:
        page.set_viewport_size(viewport)


SETUP = "from sora_widget import SoraWidget\nw = SoraWidget()\nw"


VIDEO_PLAYING = """() => {
  const video = document.querySelector('[data-testid="video"]');
  return video && video.readyState >= 2 && video.currentTime > 0.2 && !video.paused;
}"""


def wait_for_kernel(server, name: str) -> None:
    """Until the notebook's kernel answers idle: a cell run before that opens a kernel dialog."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        sessions = httpx.get(f"{server.url}/api/sessions", timeout=5).json()
        for session in sessions:
            if session["path"].endswith(name) and session["kernel"]["execution_state"] == "idle":
                return
        time.sleep(0.3)
    raise AssertionError(f"the kernel of {name} did not start")


def run_first_cell(page, server, name: str, *cells: str, testid: str = "sora-widget"):
    """Open a notebook of `cells` (by default one SoraWidget), run the first, and return the
    widget's locator."""
    write_notebook(server.root / name, *(cells or (SETUP,)))
    page.goto(server.notebook_url(name, workspace=name.removesuffix(".ipynb")))
    wait_for_kernel(server, name)
    page.locator(".jp-Cell .jp-InputArea-editor").first.click()
    page.keyboard.press("Shift+Enter")
    widget = page.get_by_test_id(testid)
    # A traceback's output has a stderr mime type, not an "error" one: match its words.
    cell_error = page.locator(".jp-OutputArea-output").filter(
        has_text=re.compile("Error|Traceback")
    )
    widget.or_(cell_error).first.wait_for(timeout=90_000)
    assert widget.first.is_visible(), cell_error.inner_text()
    news = page.get_by_role("button", name="No", exact=True)
    if news.is_visible():  # JupyterLab asks once whether to fetch its news
        news.click()
    return widget


def video_facts(page) -> dict:
    return page.evaluate(
        """() => { const v = document.querySelector('[data-testid="video"]');
        return {width: v.videoWidth, height: v.videoHeight, time: v.currentTime,
                ready: v.readyState}; }"""
    )
