"""The Model menu from the server's own list (`GET /models`), asked once per client."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from sora_widget.engine.client import SoraClient
from sora_widget.engine.library import Library
from sora_widget.ui.widget import SoraWidget

BASE_URL = "http://127.0.0.1:4000/v1"

LITELLM_LIST = {
    "object": "list",
    "data": [
        {"id": "my-chat-model", "object": "model", "mode": "chat"},
        {"id": "team-wan", "object": "model", "mode": "video_generation"},
        {"id": "veo-3.1-fast-generate-preview", "object": "model", "mode": "video_generation"},
        {"id": "sora-2-pro", "object": "model", "mode": "video_generation"},
    ],
}


def server(answer: httpx.Response, asked: list[str]) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        asked.append(request.url.path)
        return answer if request.url.path == "/v1/models" else httpx.Response(404)

    return httpx.MockTransport(handle)


def widget_on(transport: httpx.MockTransport, tmp_path, **fields) -> SoraWidget:
    client = SoraClient("sk-test", base_url=BASE_URL, transport=transport)
    return SoraWidget(client=client, library=Library(tmp_path), resume=False, **fields)


async def settled(widget: SoraWidget) -> None:
    assert widget._menu is not None
    await asyncio.wait_for(widget._menu, 5)


async def test_a_litellm_list_fills_the_menu_with_its_video_models(tmp_path):
    asked: list[str] = []
    answer = httpx.Response(200, json=LITELLM_LIST, headers={"x-litellm-version": "1.108.14"})
    widget = widget_on(server(answer, asked), tmp_path)
    await settled(widget)
    # Known families first (in the catalog's order), then the proxy's own names.
    assert widget.options["models"] == ["sora-2-pro", "veo-3.1-fast-generate-preview", "team-wan"]
    assert widget.model == "sora-2-pro"  # the default sora-2 is not offered here
    assert widget.options["seconds"]["veo-3.1-fast-generate-preview"] == ["4", "6", "8"]
    assert "team-wan" not in widget.options["seconds"]  # unknown: every duration, by shape
    assert widget.backend == {
        "label": "127.0.0.1 · LiteLLM",
        "title": "LiteLLM at http://127.0.0.1:4000/v1",
    }


async def test_widgets_on_one_client_ask_once(tmp_path):
    asked: list[str] = []
    answer = httpx.Response(200, json=LITELLM_LIST)
    client = SoraClient("sk-test", base_url=BASE_URL, transport=server(answer, asked))
    widgets = [SoraWidget(client=client, library=Library(tmp_path), resume=False) for _ in "abc"]
    for widget in widgets:
        await settled(widget)
    assert asked.count("/v1/models") == 1


async def test_a_plain_list_offers_every_name_known_families_first(tmp_path):
    plain = {"data": [{"id": "zeta-model"}, {"id": "gen4_turbo"}, {"id": "sora-2"}]}
    widget = widget_on(server(httpx.Response(200, json=plain), []), tmp_path, model="sora-2")
    await settled(widget)
    assert widget.options["models"] == ["sora-2", "gen4_turbo", "zeta-model"]
    assert widget.model == "sora-2" and widget.backend["label"] == "127.0.0.1"


@pytest.mark.parametrize(
    "answer",
    [httpx.Response(404, json={"error": {"message": "no"}}), httpx.Response(200, json={})],
    ids=["no /models", "an empty list"],
)
async def test_without_a_list_the_catalog_is_offered(tmp_path, answer):
    widget = widget_on(server(answer, []), tmp_path)
    before = widget.options
    await settled(widget)
    assert widget.options == before and "sora-2" in widget.options["models"]
    assert widget.model == "sora-2"


async def test_choosing_another_family_takes_its_size_and_duration(tmp_path):
    widget = widget_on(server(httpx.Response(404), []), tmp_path, seconds="12")
    widget.model = "gen4_turbo"
    assert (widget.size, widget.seconds) == ("720x1280", "5")  # its size was fine: kept
    widget.model = "sora-2-pro"  # Sora keeps a choice and shows it refused instead
    widget.seconds = "8"
    widget.size = "1792x1024"
    widget.model = "sora-2"
    assert widget.size == "1792x1024" and "size" in widget.problems


async def test_a_size_and_duration_given_with_the_model_are_kept(tmp_path):
    # Wan 2.2's own 480p is 832x480, which the catalog does not list: the server is the judge.
    served = "hosted_vllm/Wan-AI/Wan2.2-T2V-A14B"
    widget = widget_on(server(httpx.Response(404), []), tmp_path, model=served, size="832x480")
    assert (widget.size, widget.seconds) == ("832x480", "5")  # the duration: Wan's default
    widget = widget_on(server(httpx.Response(404), []), tmp_path, model="gen4_turbo", seconds=10)
    assert (widget.size, widget.seconds) == ("720x1280", "10")
    assert list(widget.problems) == ["prompt"]  # nothing said of either
