"""The LiteLLM recipe in docs/servers.md, as written, starts the real proxy with its models."""

from __future__ import annotations

import pytest

from sora_widget.core.catalog import family_of
from sora_widget.engine.client import SoraClient

from .litellm_proxy import Proxy, recipe_config


async def test_the_documented_litellm_config_serves_its_video_models(litellm_proxy: Proxy):
    """The shared proxy was started with the recipe's routes among its own (`shared_routes`)."""
    names = [entry["model_name"] for entry in recipe_config()["model_list"]]
    assert {family_of(name).name for name in names} == {"veo-3.1", "runway-gen4-turbo", "wan-2"}
    async with SoraClient(litellm_proxy.key, base_url=litellm_proxy.base_url) as client:
        models = await client.list_models()
    assert models.kind == "LiteLLM"
    assert [name for name in models.names if name in names] == [
        "veo-3.1",
        "gen4_turbo",
        "wan2.6-t2v",
    ]


@pytest.mark.parametrize("name", ["veo-3.1", "gen4_turbo", "wan2.6-t2v"])
def test_each_recipe_model_has_its_own_durations(name):
    family = family_of(name)
    assert family is not None and not family.strict and family.seconds
