"""A local server that behaves like the hosted Videos API (the package's default backend)."""

from .app import create_app
from .config import FaultConfig, SimulatorConfig

__all__ = ["FaultConfig", "SimulatorConfig", "create_app"]
