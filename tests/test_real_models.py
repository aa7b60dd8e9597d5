"""The LiteLLM recipe in docs/servers.md, as written, starts the real proxy with its models."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from sora_widget.core.catalog import family_of
from sora_widget.engine.client import SoraClient

from .litellm_proxy import proxy_running

SERVERS_PAGE = Path(__file__).resolve().parents[1] / "docs" / "servers.md"


def recipe_config() -> dict:
    section = SERVERS_PAGE.read_text(encoding="utf-8").split("## Real models in 2026", 1)[1]
    return yaml.safe_load(re.search(r"```yaml\n(.*?)```", section, re.S).group(1))


async def test_the_documented_litellm_config_serves_its_video_models(tmp_path, monkeypatch):
    config = recipe_config()
    names = [entry["model_name"] for entry in config["model_list"]]
    assert {family_of(name).name for name in names} == {"veo-3.1", "runway-gen4-turbo", "wan-2"}
    for variable in ("GEMINI_API_KEY", "RUNWAYML_API_SECRET", "DASHSCOPE_API_KEY"):
        monkeypatch.setenv(variable, "not-a-real-key")  # read when a video is asked for
    with proxy_running(config["model_list"], tmp_path) as proxy:
        async with SoraClient(proxy.key, base_url=proxy.base_url) as client:
            models = await client.list_models()
    assert models.kind == "LiteLLM"
    assert models.names == ["veo-3.1", "gen4_turbo", "wan2.6-t2v"]


@pytest.mark.parametrize("name", ["veo-3.1", "gen4_turbo", "wan2.6-t2v"])
def test_each_recipe_model_has_its_own_durations(name):
    family = family_of(name)
    assert family is not None and not family.strict and family.seconds
