"""Real JupyterLab / Notebook 7 on loopback, driven by Playwright in Debian's Chromium.

Nothing here downloads a browser: Chromium is the system's (`apt-get install chromium`). In CI
a missing browser is a failure, never a skip.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from sora_widget.simulator import SimulatorConfig
from sora_widget.simulator.process import stop

from ..helpers import unused_port

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


def _start_jupyter(kind: str, root: Path) -> JupyterServer:
    port = unused_port()
    command = [
        sys.executable,
        "-m",
        "jupyterlab" if kind == "lab" else "notebook",
        "--no-browser",
        "--allow-root",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--IdentityProvider.token=",
        "--ServerApp.password=",
        f"--ServerApp.root_dir={root}",
        "--ServerApp.disable_check_xsrf=True",
    ]
    if kind == "lab":
        command += [
            f"--LabApp.workspaces_dir={root / '.workspaces'}",
            f"--LabApp.user_settings_dir={root / '.settings'}",
        ]
    url = f"http://127.0.0.1:{port}"
    env = {
        "JUPYTER_CONFIG_DIR": str(root / ".jupyter-config"),
        "JUPYTER_RUNTIME_DIR": str(root / ".jupyter-runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(root / ".settings"),
    }
    process = start_app_server(kind, command, root, f"{url}/api/status", env)
    return JupyterServer(url, root, kind, process)


@pytest.fixture(scope="module")
def browser():
    """Per module: Playwright's sync API keeps an event loop running in this thread while it
    is open, which would break every asyncio test that runs after it."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


def _server_fixture(kind: str):
    @pytest.fixture(scope="session")
    def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JupyterServer]:
        root = tmp_path_factory.mktemp(f"jupyter-{kind}")
        started = _start_jupyter(kind, root)
        yield started
        stop_app_server(started.process, root)

    return server


lab_server = _server_fixture("lab")
notebook_server = _server_fixture("notebook")


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    if request.node.rep_call.failed if hasattr(request.node, "rep_call") else False:
        page.screenshot(path=str(ARTIFACTS / f"FAILED-{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def screenshot(page, name: str) -> None:
    """Screenshots of each state are test artifacts; the README shows some of them."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
