"""nbval runs every notebook here top to bottom on the simulator, at a high speed factor.

The kernels nbval starts inherit this process's environment, so the settings are made at import,
before any kernel starts; the simulator the first notebook starts is stopped at exit.
"""

from __future__ import annotations

import atexit
import os
import tempfile
from pathlib import Path

from sora_widget.simulator import SimulatorConfig
from sora_widget.simulator.server import stop

_scratch = Path(tempfile.mkdtemp(prefix="sora-notebooks-"))
os.environ.update(
    {
        "SORA_WIDGET_BACKEND": "simulator",
        "SORA_SIM_DATA_DIR": str(_scratch / "simulator"),
        "SORA_SIM_SPEED": "25",
        "SORA_WIDGET_LIBRARY": str(_scratch / "videos"),
    }
)


atexit.register(stop, SimulatorConfig(data_dir=_scratch / "simulator"))
