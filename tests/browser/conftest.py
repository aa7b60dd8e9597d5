"""Real JupyterLab / Notebook 7 on loopback, driven by Playwright in Debian's Chromium.

Nothing here downloads a browser: Chromium is the system's (`apt-get install chromium`). In CI
a missing browser is a failure, never a skip.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ..helpers import unused_port
from .helpers import (
    ARTIFACTS,
    CHROMIUM_FLAGS,
    JupyterServer,
    chromium_path,
    start_app_server,
    stop_app_server,
)


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
