"""nbval runs every notebook here top to bottom on the simulator, at a high speed factor.

nbval's kernels inherit this process's environment when they start (in the setup of a
notebook's first cell), so the settings are put in place around the notebook items only, and
taken away again before any other test runs. The simulator they start is stopped at exit.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from sora_widget.simulator import SimulatorConfig
from sora_widget.simulator.process import stop

_HERE = Path(__file__).resolve().parent
_scratch = Path(tempfile.mkdtemp(prefix="sora-notebooks-"))
NOTEBOOK_ENV = {
    "SORA_WIDGET_BACKEND": "simulator",
    "SORA_SIM_DATA_DIR": str(_scratch / "simulator"),
    "SORA_SIM_SPEED": "25",
    "SORA_WIDGET_LIBRARY": str(_scratch / "videos"),
}
_saved: dict[str, str | None] = {}
atexit.register(shutil.rmtree, _scratch, ignore_errors=True)  # runs last: after the stop below
atexit.register(stop, SimulatorConfig(data_dir=_scratch / "simulator"))


def _is_notebook(item: pytest.Item | None) -> bool:
    return item is not None and _HERE in Path(str(item.path)).parents


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every cell here is a `notebook` test, which `make test-fast` leaves out."""
    for item in items:
        if _is_notebook(item):
            item.add_marker(pytest.mark.notebook)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    if _is_notebook(item) and not _saved:
        _saved.update({name: os.environ.get(name) for name in NOTEBOOK_ENV})
        os.environ.update(NOTEBOOK_ENV)


def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    if _saved and not _is_notebook(nextitem):
        for name, value in _saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        _saved.clear()
