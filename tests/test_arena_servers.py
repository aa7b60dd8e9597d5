"""The Arena on every server the simulator plays, on a gateway that echoes nothing and through
a real LiteLLM proxy: the estimate (the server's own prices on OpenRouter, none where nobody
gives one), the videos made, blind pairs, two votes, the leaderboard and the votes file."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import httpx
import pytest

from sora_widget import Arena
from sora_widget.engine.client import SoraClient
from sora_widget.engine.library import Library
from sora_widget.engine.poller import _POLLERS, Poller

from .fakes import EchoesNothing, client_for
from .helpers import arena_leaks, fast_cadence, silent_mp4, state_text, until
from .litellm_proxy import Proxy

PROMPT = "a dog catches a frisbee on a beach"
#: Open-weight models no price list knows, as vLLM-Omni and SGLang serve them at any WxH.
OPEN_MODELS = ["Lightricks/LTX-2", "tencent/HunyuanVideo", "genmo/mochi-1-preview"]
OPEN_SHAPE = {"size": "256x144", "seconds": "1"}
#: Sora and Veo take 720x1280 for 4 s at the least; their published prices per second.
SORA_SHAPE = {"size": "720x1280", "seconds": "4"}
#: What each profile serves (OpenRouter: from its /videos/models catalog, the smallest size
#: and length all three take), and the estimate before anything is sent ("" where no price is
#: known; OpenRouter's is checked against what the server charged, see below).
GRIDS: dict[str, tuple[list[str], dict[str, str], str | None]] = {
    "openai": (
        ["sora-2", "sora-2-pro", "veo-3.1-fast-generate-preview"],
        SORA_SHAPE,
        f"${4 * (0.10 + 0.30 + 0.10):.2f}",
    ),
    "gateway": (
        ["sora-2", "veo-3.1-fast-generate-preview", "veo-3.1-generate-preview"],
        SORA_SHAPE,
        f"${4 * (0.10 + 0.10 + 0.40):.2f}",
    ),
    "vllm-omni": (OPEN_MODELS, OPEN_SHAPE, ""),
    "sglang": (OPEN_MODELS, OPEN_SHAPE, ""),
    "openrouter": (
        ["x-ai/grok-imagine-video", "alibaba/wan-2.7", "kwaivgi/kling-v3.0-pro"],
        {"size": "720x720", "seconds": "3"},
        None,
    ),
}


async def made(arena: Arena) -> None:
    arena.generate()
    await asyncio.wait_for(arena.wait(), 180)
    assert arena.failures == [], [(g.model, g.error) for g in arena.failures]
    assert arena.phase == "voting"


def asked_model(create: httpx.Request) -> str:
    """The model a create asked for, as JSON or as a multipart form."""
    if create.headers.get("content-type", "").startswith("application/json"):
        return json.loads(create.content)["model"]
    found = re.search(rb'name="model"\r\n\r\n([^\r]*)\r\n', create.content)
    assert found is not None, create.content[:300]
    return found.group(1).decode()


async def two_blind_votes(arena: Arena) -> list:
    """Vote "left" on the first pair from the panel and "tie" on the second from Python,
    checking that nothing synced tells a pair apart before its vote, and that the panel's
    reveal names the first after it."""
    voted = []
    for choice in ("left", "tie"):
        pair = arena.current
        assert pair is not None and pair.prompt == PROMPT
        assert arena_leaks(arena) == []
        assert arena.board == [] and arena.reveal is None
        voted.append(pair)
        if choice == "tie":
            arena.vote(choice)
            continue
        vote = {"action": "vote", "token": arena.pair["token"], "choice": choice}
        arena._handle_message(arena, vote, [])
        assert arena.error is None and arena.reveal is not None
        assert (arena.reveal["left"], arena.reveal["right"]) == (pair.left.model, pair.right.model)
        assert {row["model"] for row in arena.board} == set(arena.models)
        arena.next_pair()
    return voted


def assert_ranked(arena: Arena, voted: list) -> None:
    """The leaderboard and the votes file say what the two votes were, naming the right
    models and the videos each made."""
    first, second = voted
    rows = {row["model"]: row for row in arena.leaderboard()}
    assert set(rows) == set(arena.models)
    assert sum(row["votes"] for row in rows.values()) == 4
    assert rows[first.left.model]["wins"] >= 1 and rows[first.right.model]["losses"] >= 1
    assert rows[second.left.model]["ties"] == rows[second.right.model]["ties"] == 1
    lines = [json.loads(line) for line in arena.votes_file.read_text().splitlines()]
    assert [line["choice"] for line in lines] == ["left", "tie"]
    for line, pair in zip(lines, voted, strict=True):
        assert line["left"] == {"model": pair.left.model, "video_id": pair.left.video_id}
        assert line["right"] == {"model": pair.right.model, "video_id": pair.right.video_id}
        for side in (line["left"], line["right"]):
            assert arena.library.get(side["video_id"]).model == side["model"]


@pytest.mark.parametrize("profile", list(GRIDS))
async def test_an_arena_of_three_models_on_every_profile(on_profile, profile):
    models, shape, estimate = GRIDS[profile]
    client, transport, library = on_profile(profile)
    arena = Arena([PROMPT], models, voter="ada", client=client, library=library, **shape)
    if profile == "openrouter":  # the server's catalog is asked in the background
        await until(lambda: bool(client.server_catalog) and arena.estimate["cost"] != "")
    assert arena.estimate["videos"] == 3 and transport.creates() == []
    if estimate is not None:
        assert arena.estimate["cost"] == estimate
    await made(arena)
    # (SGLang refuses a form without a reference image: such a create is sent again as JSON)
    assert {asked_model(create) for create in transport.creates()} == set(models)
    for generation in arena.generations:
        entry = generation.entry
        assert entry is not None and entry.prompt == PROMPT
        assert (entry.model, entry.size, entry.seconds) == (generation.model, *shape.values())
    if profile == "openrouter":  # the estimate was the server's own prices: what it charged
        charged = [client.charged_cost(g.entry.id) for g in arena.generations]
        assert None not in charged
        assert arena.estimate["cost"] == f"${sum(charged):.2f}"
    voted = await two_blind_votes(arena)
    assert_ranked(arena, voted)
    arena.close()


async def test_on_openrouter_a_model_priced_by_tokens_has_no_estimate_not_a_zero(on_profile):
    """Seedance's price is per video token, counted only once made: the estimate says
    nothing rather than $0.00."""
    client, transport, library = on_profile("openrouter")
    models = ["bytedance/seedance-2.0", "bytedance/seedance-2.0-fast"]
    arena = Arena([PROMPT], models, client=client, library=library, size="854x480", seconds="4")
    await until(lambda: bool(client.server_catalog))
    assert arena.estimate == {"videos": 2, "reused": 0, "cost": ""}
    assert [client.server_catalog[m].estimate("854x480", "4").note for m in models] == [
        "charged after"
    ] * 2
    assert transport.creates() == []
    arena.close()


async def test_a_gateway_that_echoes_nothing_still_names_each_videos_model(tmp_path):
    """Its answers are `{"id", "status"}` only: the arena knows each video's model from what
    was asked, so the reveal and the leaderboard are right, and a second arena reuses all."""
    clips = [
        silent_mp4(tmp_path / f"{n}.mp4", seconds=1 + n / 2, width=256, height=144).read_bytes()
        for n in range(3)
    ]
    gateway = EchoesNothing(clips)
    client, library = client_for(gateway), Library(tmp_path / "videos")
    arena = Arena([PROMPT], OPEN_MODELS, voter="ada", client=client, library=library,
                  **OPEN_SHAPE)  # fmt: skip
    assert arena.estimate == {"videos": 3, "reused": 0, "cost": ""}
    await made(arena)
    asked = {f"task_{n}": asked_model(create) for n, create in enumerate(gateway.created, 1)}
    assert sorted(asked.values()) == sorted(OPEN_MODELS)
    for generation in arena.generations:
        assert generation.entry is not None
        assert asked[generation.entry.id] == generation.model == generation.entry.model
    voted = await two_blind_votes(arena)
    for pair in voted:
        assert (asked[pair.left.video_id], asked[pair.right.video_id]) == (
            pair.left.model,
            pair.right.model,
        )
    assert_ranked(arena, voted)
    arena.close()

    again = Arena([PROMPT], OPEN_MODELS, voter="bob", client=client, library=library,
                  **OPEN_SHAPE)  # fmt: skip
    assert again.estimate == {"videos": 0, "reused": 3, "cost": ""}
    await made(again)
    assert len(gateway.created) == 3, "every video came from the library"
    pair = again.current
    assert pair is not None and arena_leaks(again) == []
    assert (asked[pair.left.video_id], asked[pair.right.video_id]) == (
        pair.left.model,
        pair.right.model,
    )
    again.close()


async def test_through_litellm_an_arena_of_two_routed_models(
    litellm_proxy: Proxy, tmp_path: Path
) -> None:
    """Two names the proxy routes to two simulators (OpenAI-shaped and vLLM-Omni)."""
    models = ["Lightricks/LTX-2", "Wan-AI/Wan2.2-T2V-A14B"]
    client = SoraClient(litellm_proxy.key, base_url=litellm_proxy.base_url)
    _POLLERS[client] = Poller(client, cadence=fast_cadence(first=0.05, ceiling=0.25))
    arena = Arena([PROMPT], models, voter="ada", size="256x144", seconds="4", client=client,
                  library=Library(tmp_path / "videos"))  # fmt: skip
    try:
        await made(arena)
        for generation in arena.generations:
            assert generation.entry is not None and generation.entry.model == generation.model
        pair = arena.current
        assert pair is not None and arena_leaks(arena) == []
        arena.vote("right")
        assert arena.phase == "done"  # two models on one prompt: one pair
        assert pair.left.model in state_text(arena) and pair.right.model in state_text(arena)
        rows = {row["model"]: row for row in arena.leaderboard()}
        assert (rows[pair.right.model]["wins"], rows[pair.left.model]["losses"]) == (1, 1)
        [line] = arena.votes_file.read_text().splitlines()
        assert json.loads(line)["right"] == {
            "model": pair.right.model,
            "video_id": pair.right.video_id,
        }
    finally:
        arena.close()
        await client.aclose()
