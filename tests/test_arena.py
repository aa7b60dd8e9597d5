"""The Arena on the in-process simulator: the estimate before anything is sent, the videos
made and reused, blindness of every synced trait until the vote, votes as JSON lines, results
merged from many voters' files, the CSV, and the panel's messages, bad ones refused."""

from __future__ import annotations

import asyncio
import csv
import json

import httpx
import pytest

from sora_widget import Arena
from sora_widget.core.errors import InvalidRequestError
from sora_widget.core.pricing import estimate_cost
from sora_widget.core.vote import TAGS
from sora_widget.engine.client import SoraClient
from sora_widget.engine.library import Library
from sora_widget.engine.poller import _POLLERS, Poller
from sora_widget.simulator import FaultConfig

from .fakes import Recording
from .helpers import TEST_KEY, arena_leaks, delivered, fast_cadence, state_text

#: vLLM-Omni takes any model name and size: small, short videos render quickly.
MODELS = ["wan-alpha", "wan-bravo", "wan-charlie"]
PROMPTS = ["a dog catches a frisbee on a beach", "rain on a tin roof, close up"]
QUICK = {"size": "256x144", "seconds": "1"}


@pytest.fixture
def server(make_app, tmp_path):
    """(client, its recording transport, library) on a simulator playing vLLM-Omni, which
    refuses prompts with the word "forbidden"."""
    faults = FaultConfig(blocked_words=("forbidden",))
    app = make_app(profile="vllm-omni", faults=faults, api_key=TEST_KEY)
    transport = Recording(httpx.ASGITransport(app=app))
    client = SoraClient(TEST_KEY, base_url="http://simulator.test/v1", transport=transport)
    client.is_simulator = True
    _POLLERS[client] = Poller(client, cadence=fast_cadence(first=0.05, ceiling=0.25))
    return client, transport, Library(tmp_path / "videos")


def arena(server, voter: str = "ada", models=MODELS, prompts=PROMPTS) -> Arena:
    client, _, library = server
    return Arena(
        prompts=prompts, models=models, voter=voter, client=client, library=library, **QUICK
    )


async def ready(server, **options) -> Arena:
    """An arena whose videos are made: its first pair awaits a vote."""
    made = arena(server, **options)
    made.generate()
    await asyncio.wait_for(made.wait(), 120)
    return made


def lines(arena: Arena) -> list[dict]:
    return [json.loads(line) for line in arena.votes_file.read_text().splitlines()]


async def test_the_estimate_comes_before_anything_is_sent(server):
    client, transport, library = server
    models = ["sora-2", "sora-2-pro"]
    made = Arena(prompts=PROMPTS, models=models, client=client, library=library)
    each = [estimate_cost(model, "1280x720", "4") for model in models]
    assert None not in each
    assert made.phase == "estimate"
    assert made.estimate == {
        "videos": 4,
        "reused": 0,
        "cost": f"${len(PROMPTS) * sum(each):.2f}",
    }
    assert made.progress == {"done": 0, "total": 4, "failed": 0}
    assert transport.creates() == []
    assert made.current is None and made.pair is None
    assert not any(model in json.dumps(made.estimate) for model in models)


async def test_generate_returns_at_once_and_wait_brings_the_first_pair(server):
    _, transport, _ = server
    made = arena(server)
    made.generate()
    assert made.phase == "generating" and made.current is None
    await asyncio.wait_for(made.wait(), 120)
    assert len(transport.creates()) == len(PROMPTS) * len(MODELS)
    assert made.progress == {"done": 6, "total": 6, "failed": 0}
    assert made.phase == "voting"
    pair = made.current
    assert pair is not None and pair.prompt in PROMPTS
    assert {pair.left.model, pair.right.model} <= set(MODELS)
    assert pair.left.model != pair.right.model
    assert made.library.get(pair.left.video_id).model == pair.left.model
    shown = made.pair
    assert shown is not None and shown["prompt"] == pair.prompt
    assert shown["left"]["fps"] and shown["right"]["fps"]  # read from the files: frame step


async def test_a_second_arena_on_the_same_grid_makes_no_video(server):
    _, transport, _ = server
    await ready(server)
    made = len(transport.creates())
    again = arena(server, voter="bob")
    assert again.estimate == {"videos": 0, "reused": 6, "cost": ""}
    again.generate()
    await asyncio.wait_for(again.wait(), 60)
    assert len(transport.creates()) == made, "every video came from the library"
    assert again.phase == "voting" and again.current is not None
    wider = arena(server, models=[*MODELS, "wan-delta"])
    assert wider.estimate["videos"] == len(PROMPTS) and wider.estimate["reused"] == 6


async def test_nothing_synced_tells_the_models_apart_before_the_vote(server):
    made = await ready(server)
    pair = made.current
    assert pair is not None
    assert arena_leaks(made) == []
    assert made.reveal is None and made.board == []
    keys = [made.pair["left"]["media"], made.pair["right"]["media"]]
    assert all(key.startswith("blind:") for key in keys)
    sent = await delivered(made, *keys, f"video:{pair.left.video_id}")
    saved = made.library.get(pair.left.video_id).video_path.read_bytes()
    assert pair.left.model.encode() in saved  # the saved file names its model...
    assert set(sent) >= set(keys) and all(sent[key] for key in keys)
    for key in keys:  # ...the copy the page gets does not
        assert not any(model.encode() in sent[key] for model in MODELS)
    made._handle_message(made, {"action": "vote", "token": made.pair["token"], "choice": "tie"}, [])
    assert made.phase == "revealed"
    assert made.reveal == {
        "left": pair.left.model,
        "right": pair.right.model,
        "choice": "tie",
        "tags": [],
    }
    assert {row["model"] for row in made.board} == set(MODELS)
    after = state_text(made)
    assert pair.left.model in after and pair.right.model in after
    made._handle_message(made, {"action": "next"}, [])
    assert made.phase == "voting" and made.reveal is None and made.board == []
    assert made.pair["left"]["media"] not in keys, "each pair's media have fresh tokens"
    assert await delivered(made, *keys) == {}, "the last pair's tokens name nothing now"


async def test_each_vote_is_a_json_line_in_the_library(server):
    made = await ready(server)
    shown = [made.current, None]
    made.vote("left", tags=["motion", "prompt adherence", "motion"])
    shown[1] = made.current
    made.vote("both_bad")
    assert made.votes_file == made.library.root / "arena" / "ada.jsonl"
    written = lines(made)
    assert [set(line) for line in written] == [
        {"time", "voter", "prompt", "left", "right", "choice", "tags"}
    ] * 2
    for line, pair in zip(written, shown, strict=True):
        assert line["voter"] == "ada" and line["prompt"] == pair.prompt
        assert line["left"] == {"model": pair.left.model, "video_id": pair.left.video_id}
        assert line["right"] == {"model": pair.right.model, "video_id": pair.right.video_id}
    assert [line["choice"] for line in written] == ["left", "both_bad"]
    assert [line["tags"] for line in written] == [["prompt adherence", "motion"], []]
    assert made.votes_cast == 2
    rows = {row["model"]: row for row in made.leaderboard()}
    assert sum(row["votes"] for row in rows.values()) == 4
    assert rows[shown[0].left.model]["wins"] >= 1
    matrix = made.win_matrix()  # left won the first vote; "both bad" is half a win each
    first, second = shown
    assert matrix[first.left.model][first.right.model] >= 1
    assert sum(map(sum, (row.values() for row in matrix.values()))) == 2
    assert matrix[second.left.model][second.right.model] >= 0.5


async def test_the_next_pair_is_never_the_same_pair_twice_in_a_row_and_each_is_voted_once(
    server,
):
    made = await ready(server)
    seen = []
    while made.current is not None:
        seen.append(made.current)
        made.vote("right")
    assert made.phase == "done" and made.pair is None
    met = [(pair.prompt, frozenset((pair.left.model, pair.right.model))) for pair in seen]
    assert len(met) == len(set(met)) == len(PROMPTS) * 3, "every pair of the grid, once"
    assert all(before != after for before, after in zip(met, met[1:], strict=False))
    assert made.board != [] and made.reveal is None


async def test_a_failed_video_leaves_the_others_to_vote_on(server):
    made = await ready(server, prompts=["a forbidden dance", PROMPTS[0]])
    assert {(g.prompt, g.model) for g in made.failures} == {
        ("a forbidden dance", model) for model in MODELS
    }
    assert made.progress == {"done": 6, "total": 6, "failed": 3}
    assert made.error is not None and "3 of 6" in made.error["message"]
    assert not any(model in json.dumps(made.error) for model in MODELS)
    votes = 0
    while made.current is not None:
        assert made.current.prompt == PROMPTS[0]
        made.vote("left")
        votes += 1
    assert votes == 3 and made.phase == "done"


async def test_results_merge_voters_files_counting_each_vote_once(server, tmp_path):
    ada = await ready(server)
    bob = await ready(server, voter="bob")
    for voter, choice in ((ada, "left"), (ada, "tie"), (bob, "right")):
        voter.vote(choice)
    folder = ada.library.root / "arena"
    merged = Arena.results(str(folder / "*.jsonl"))
    assert sum(row["votes"] for row in merged) == 2 * 3  # two models in each vote
    assert {row["model"] for row in merged} <= set(MODELS)
    copy = tmp_path / "ada-copy.jsonl"
    copy.write_bytes(ada.votes_file.read_bytes())
    assert Arena.results(str(folder / "*.jsonl"), copy) == merged, "a copied file counts once"
    assert [row["model"] for row in Arena.results(ada.votes_file)] == [
        row["model"] for row in ada.leaderboard() if row["votes"]
    ]
    with pytest.raises(FileNotFoundError):
        Arena.results(str(tmp_path / "nobody" / "*.jsonl"))


async def test_save_csv_writes_one_row_a_vote(server, tmp_path):
    made = await ready(server)
    pair = made.current
    made.vote("left", tags=["look"])
    made.vote("tie")
    target = made.save_csv(tmp_path / "votes.csv")
    with target.open(newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    assert len(rows) == 2
    assert rows[0]["left_model"] == pair.left.model and rows[0]["winner"] == pair.left.model
    assert rows[0]["tags"] == "look" and rows[1]["winner"] == ""


async def test_earlier_votes_rank_the_models_before_anything_is_made(server):
    first = await ready(server)
    first.vote("left")
    again = arena(server)
    assert again.phase == "estimate" and again.pair is None
    assert sum(row["votes"] for row in again.board) == 2
    assert again.votes_cast == 0


async def test_bad_messages_are_refused_naming_the_field_and_nothing_is_lost(server):
    made = await ready(server)
    pair, token = made.current, made.pair["token"]
    bad = {
        "action": {"action": "dance"},
        "token": {"action": "vote", "token": "stale", "choice": "left"},
        "choice": {"action": "vote", "token": token, "choice": "middle"},
        "tags": {"action": "vote", "token": token, "choice": "left", "tags": ["smell"]},
    }
    for field, message in [*bad.items(), ("action", "not a dict"), ("action", {"action": "next"})]:
        made._handle_message(made, message, [])
        assert made.error is not None and made.error["message"].startswith(f"{field}:"), message
        assert made.current == pair and made.pair["token"] == token and made.votes_cast == 0
    made._handle_message(made, {"action": "vote", "token": token}, [])
    assert made.error["message"].startswith("choice:")
    assert not made.votes_file.exists(), "no refused vote was written"
    made._handle_message(
        made, {"action": "vote", "token": token, "choice": "left", "tags": ["sound"]}, []
    )
    assert made.error is None and made.votes_cast == 1 and lines(made)[0]["tags"] == ["sound"]
    made._handle_message(made, {"action": "vote", "token": token, "choice": "left"}, [])
    assert made.error["message"].startswith("token:") and made.votes_cast == 1


async def test_the_python_api_refuses_what_it_cannot_do(server):
    with pytest.raises(TypeError, match="did you mean 'voter'"):
        Arena(prompts=PROMPTS, models=MODELS, client=server[0], library=server[2], votr="ada")
    with pytest.raises(InvalidRequestError):
        arena(server, models=["wan-alpha"])
    with pytest.raises(InvalidRequestError):
        arena(server, prompts="one prompt")
    made = arena(server)
    with pytest.raises(InvalidRequestError, match="No pair"):
        made.vote("left")
    made.generate()
    with pytest.raises(InvalidRequestError):
        made.generate()
    await asyncio.wait_for(made.wait(), 120)
    with pytest.raises(InvalidRequestError, match="choice"):
        made.vote("sideways")
    with pytest.raises(InvalidRequestError, match="tags"):
        made.vote("left", tags="motion")
    assert made.tags == list(TAGS) and made.votes_cast == 0


async def test_after_a_vote_in_the_panel_python_moves_on_with_next_pair(server):
    made = await ready(server)
    voted = made.current
    made._handle_message(
        made, {"action": "vote", "token": made.pair["token"], "choice": "left"}, []
    )
    assert made.current is None and made.phase == "revealed"
    with pytest.raises(InvalidRequestError, match=r"next_pair\(\)"):
        made.vote("left")
    made.next_pair()
    assert made.phase == "voting" and made.current not in (None, voted)
    with pytest.raises(InvalidRequestError):
        made.next_pair()  # nothing revealed now: a pair awaits a vote
