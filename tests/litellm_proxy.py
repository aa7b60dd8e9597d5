"""LiteLLM's proxy as a real process in front of a simulator: a server we did not write.

It runs from its own virtualenv (`.venv-litellm`, made by `make test` from
`tests/requirements-litellm.txt`), so its pins never decide this package's dependencies.
"""

from __future__ import annotations

import base64
import os
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml

from .helpers import stop_and_read, unused_port

ROOT = Path(__file__).resolve().parents[1]
LITELLM = ROOT / ".venv-litellm" / "bin" / "litellm"
MASTER_KEY = "sk-litellm-test-master-5e1f"
STARTUP_SECONDS = 120


@dataclass
class Proxy:
    base_url: str
    key: str
    process: subprocess.Popen
    output: Path


def upstream_of(litellm_id: str) -> str:
    """What one of LiteLLM's video ids says of the upstream job: they are `video_` and the
    base64 of `custom_llm_provider:<provider>;model_id:...;video_id:<upstream id>`."""
    encoded = litellm_id.removeprefix("video_")
    return base64.b64decode(encoded + "=" * (-len(encoded) % 4)).decode()


def upstream_id(litellm_id: str) -> str:
    """The upstream server's own id inside one of LiteLLM's (the id itself when it is not)."""
    try:
        said = upstream_of(litellm_id)
    except ValueError:
        return litellm_id
    for part in said.split(";"):
        key, _, value = part.partition(":")
        if key == "video_id":
            return value
    return litellm_id


def route(name: str, model: str, api_base: str, api_key: str) -> dict[str, Any]:
    """One `model_list` entry: clients send `name`, LiteLLM calls `model` at `api_base`."""
    return {
        "model_name": name,
        "litellm_params": {"model": model, "api_base": api_base, "api_key": api_key},
        "model_info": {"mode": "video_generation"},
    }


def _start_proxy(routes: list[dict[str, Any]], folder: Path) -> Proxy:
    """The proxy on a free loopback port with these routes; returns once it answers."""
    if not LITELLM.exists():
        raise RuntimeError(
            f"LiteLLM is not installed at {LITELLM}: run `make test`, which makes that "
            "virtualenv from tests/requirements-litellm.txt."
        )
    config = folder / "litellm.yaml"
    config.write_text(
        yaml.safe_dump({"model_list": routes, "general_settings": {"master_key": MASTER_KEY}})
    )
    port = unused_port()
    env = {
        **os.environ,
        # Offline: the price map ships with the package; no telemetry, no update checks.
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",
        "LITELLM_TELEMETRY": "False",
        "NO_DOCS": "True",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("OPENAI_API_KEY", None)
    handle, name = tempfile.mkstemp(prefix="litellm-", suffix=".out")
    output = Path(name)
    with os.fdopen(handle, "wb") as sink:
        process = subprocess.Popen(
            [str(LITELLM), "--config", str(config), "--host", "127.0.0.1", "--port", str(port)],
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=folder,
        )
    base_url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health/liveliness", timeout=2).is_success:
                return Proxy(base_url, MASTER_KEY, process, output)
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    _stop_proxy(Proxy(base_url, MASTER_KEY, process, output))
    raise RuntimeError(f"LiteLLM did not start: {output.read_text(errors='replace')[-3000:]}")


def _stop_proxy(proxy: Proxy) -> str:
    """Stop it and return what it printed."""
    return stop_and_read(proxy.process, proxy.output)


@contextmanager
def proxy_running(routes: list[dict[str, Any]], folder: Path) -> Iterator[Proxy]:
    """The proxy for the length of a `with` block (a fixture's life, say)."""
    proxy = _start_proxy(routes, folder)
    try:
        yield proxy
    finally:
        _stop_proxy(proxy)
