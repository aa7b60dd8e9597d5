"""A local server that behaves like the hosted Videos API (the package's default backend).

`create_app` loads Starlette and the video stack, so it is imported on first use: a kernel
that only talks to a simulator (or to another server) never loads them.
"""

from typing import Any

from .config import FaultConfig, SimulatorConfig

__all__ = ["FaultConfig", "SimulatorConfig", "create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from .app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
