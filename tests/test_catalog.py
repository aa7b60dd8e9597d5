"""The model catalog: names as servers really spell them find their family."""

from __future__ import annotations

import pytest

from sora_widget.core.catalog import FAMILIES, family_of, model_key, resolution_of

NAMES = {
    "sora-2": "sora-2",
    "sora-2-2025-12-08": "sora-2",
    "openai/sora-2-pro": "sora-2-pro",
    "sora-2-pro-2025-10-06": "sora-2-pro",
    "gemini/veo-3.1-generate-preview": "veo-3.1",
    "vertex_ai/veo-3.1-fast-generate-001": "veo-3.1-fast",
    "veo-3.1-lite-generate-preview": "veo-3.1-lite",
    "gemini/veo-3.0-generate-001": "veo-3.0",
    "veo-3.0-fast-generate-001": "veo-3.0-fast",
    "runwayml/gen4_turbo": "runway-gen4-turbo",
    "runwayml/gen4.5": "runway-gen4.5",
    "dashscope/wan2.6-t2v": "wan-2",
    "hosted_vllm/Wan-AI/Wan2.2-T2V-A14B": "wan-2",
    "volcengine/doubao-seedance-1-0-pro-250528": "seedance",
    "minimax/MiniMax-Hailuo-02": "minimax-hailuo",
    "xai/grok-imagine-video": "grok-imagine",
    "hosted_vllm/Lightricks/LTX-2": "ltx-2",
    "tencent/HunyuanVideo-1.5": "hunyuanvideo",
}


@pytest.mark.parametrize("name, family", NAMES.items())
def test_names_with_prefixes_and_suffixes_find_their_family(name: str, family: str) -> None:
    found = family_of(name)
    assert found is not None and found.name == family


@pytest.mark.parametrize("name", ["my-house-model", "", "  ", "sora-3", "veo-4", "gpt-image-1"])
def test_unknown_names_have_no_family(name: str) -> None:
    assert family_of(name) is None


def test_model_key_is_the_last_segment_without_a_tag() -> None:
    assert model_key("hosted_vllm/Wan-AI/Wan2.2-T2V-A14B") == "Wan2.2-T2V-A14B"
    assert model_key("ltx-2:latest") == "ltx-2"


def test_every_family_is_consistent() -> None:
    names = [family.name for family in FAMILIES]
    assert len(names) == len(set(names))
    for family in FAMILIES:
        assert family.default_size in family.sizes, family.name
        assert family.default_seconds in family.seconds, family.name
        assert family.typical_seconds > 0
        for size in family.sizes:
            width, _, height = size.partition("x")
            assert width.isdigit() and height.isdigit(), size
        for resolution, price in family.price_per_second.items():
            assert price > 0 and (resolution == "*" or resolution.endswith(("p", "k")))


def test_prices_follow_the_resolution() -> None:
    veo_fast = family_of("veo-3.1-fast-generate-preview")
    assert veo_fast is not None
    assert veo_fast.price_for("1280x720") == 0.10
    assert veo_fast.price_for("1080x1920") == 0.12
    assert veo_fast.price_for("3840x2160") == 0.30
    sora_pro = family_of("sora-2-pro")
    assert sora_pro is not None and sora_pro.price_for("1792x1024") == 0.50
    ltx = family_of("ltx-2")
    assert ltx is not None and ltx.price_for("1280x720") is None  # self-hosted: no fee


def test_resolution_labels() -> None:
    assert resolution_of("1280x720") == "720p"
    assert resolution_of("2160x3840") == "4k"
    assert resolution_of("nonsense") == ""
