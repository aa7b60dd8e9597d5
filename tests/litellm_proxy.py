"""LiteLLM's proxy as a real process in front of simulators: a server we did not write.

It runs from its own virtualenv (`.venv-litellm`, made by `make test` from
`tests/requirements-litellm.txt`), so its pins never decide this package's dependencies. It
takes half a minute to start, so one proxy serves the whole session (the `litellm_proxy`
fixture) with every route the tests use, each under its own name.
"""

from __future__ import annotations

import base64
import os
import re
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

from .helpers import TEST_KEY, RunningServer, stop_and_read, unused_port

ROOT = Path(__file__).resolve().parents[1]
LITELLM = ROOT / ".venv-litellm" / "bin" / "litellm"
SERVERS_PAGE = ROOT / "docs" / "servers.md"
MASTER_KEY = "sk-litellm-test-master-5e1f"
STARTUP_SECONDS = 120
#: The simulators behind the shared proxy, by name: the arguments each is started with.
UPSTREAMS = {
    "openai": ("--speed", "100", "--api-key", TEST_KEY),
    "veo": ("--speed", "100", "--api-key", TEST_KEY),
    "vllm": ("--profile", "vllm-omni", "--speed", "100", "--api-key", TEST_KEY),
    # Fails about one request in seven, for the soak through the proxy.
    "faulty": (
        "--speed", "200", "--api-key", TEST_KEY, "--seed", "11", "--server-error-rate", "0.04",
        "--unavailable-rate", "0.04", "--failure-rate", "0.06", "--truncate-rate", "0.04",
    ),
}  # fmt: skip
#: What the documented recipe reads from the environment: read only when a video is asked for.
RECIPE_KEYS = {
    "GEMINI_API_KEY": "not-a-real-key",
    "RUNWAYML_API_SECRET": "not-a-real-key",
    "DASHSCOPE_API_KEY": "not-a-real-key",
}
#: A model the browser test picks from the proxy's menu (Veo through an OpenAI-shaped route).
OFFERED = "veo-3.1-fast-generate-preview"
#: The name the soak asks for: the faulty simulator's route. LiteLLM finds the route of one of
#: its video ids by the upstream model the id names, so no two routes name the same upstream
#: model unless they lead to the same server (wan-2.2 and Wan-AI/...), and each of these
#: names its own.
SOAK_MODEL = "sora-2-2025-10-06"


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


def recipe_config() -> dict[str, Any]:
    """The LiteLLM config docs/servers.md's "Real models in 2026" section shows, as written."""
    section = SERVERS_PAGE.read_text(encoding="utf-8").split("## Real models in 2026", 1)[1]
    return yaml.safe_load(re.search(r"```yaml\n(.*?)```", section, re.S).group(1))


def shared_routes(upstreams: dict[str, RunningServer]) -> list[dict[str, Any]]:
    """Every route the tests use, each name once (two deployments under one name would share
    its requests): OpenAI-shaped, Gemini's and vLLM-Omni's mappings, the faulty server, and the
    documented recipe (whose providers are never called)."""
    openai, vllm = upstreams["openai"].base_url, upstreams["vllm"].base_url
    veo_root = upstreams["veo"].base_url.removesuffix("/v1")
    return [
        route("sora-2", "openai/sora-2", openai, TEST_KEY),
        route("sora-2-pro", "openai/sora-2-pro", openai, TEST_KEY),
        route(OFFERED, f"openai/{OFFERED}", openai, TEST_KEY),
        route("veo-3.1-generate-preview", "gemini/veo-3.1-generate-preview", veo_root, TEST_KEY),
        route("wan-2.2", "hosted_vllm/Wan-AI/Wan2.2-T2V-A14B", vllm, TEST_KEY),
        # Open weights under their publishers' names: SGLang-style through `openai/`,
        # vLLM-Omni through `hosted_vllm/`.
        route("Lightricks/LTX-2", "openai/Lightricks/LTX-2", openai, TEST_KEY),
        route("Wan-AI/Wan2.2-T2V-A14B", "hosted_vllm/Wan-AI/Wan2.2-T2V-A14B", vllm, TEST_KEY),
        route(SOAK_MODEL, f"openai/{SOAK_MODEL}", upstreams["faulty"].base_url, TEST_KEY),
        *recipe_config()["model_list"],
    ]


def _start_proxy(
    routes: list[dict[str, Any]], folder: Path, env: dict[str, str] | None = None
) -> Proxy:
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
    environment = {
        **os.environ,
        # Offline: the price map ships with the package; no telemetry, no update checks.
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",
        "LITELLM_TELEMETRY": "False",
        "NO_DOCS": "True",
        "PYTHONUNBUFFERED": "1",
        **(env or {}),
    }
    environment.pop("OPENAI_API_KEY", None)
    handle, name = tempfile.mkstemp(prefix="litellm-", suffix=".out")
    output = Path(name)
    with os.fdopen(handle, "wb") as sink:
        process = subprocess.Popen(
            [str(LITELLM), "--config", str(config), "--host", "127.0.0.1", "--port", str(port)],
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=environment,
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
def proxy_running(
    routes: list[dict[str, Any]], folder: Path, env: dict[str, str] | None = None
) -> Iterator[Proxy]:
    """The proxy for the length of a `with` block (a fixture's life, say); `env` adds to its
    environment."""
    proxy = _start_proxy(routes, folder, env)
    try:
        yield proxy
    finally:
        _stop_proxy(proxy)
