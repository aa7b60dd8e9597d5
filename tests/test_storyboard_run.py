"""The Storyboard on the in-process simulator: continuity frame to frame, reordering without
paying again, a failed middle shot, regeneration and staleness, a restart, the panel's
messages, and the saved film. Stitching itself is tested with `engine.stitch`; here a test
double records what would be stitched (`fakes.FakeStitch`)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys

import av
import httpx
import numpy as np
import pytest
import traitlets

from sora_widget import Storyboard
from sora_widget.core.catalog import ImageSlots
from sora_widget.core.errors import InvalidRequestError
from sora_widget.engine.client import SoraClient
from sora_widget.engine.jobs import JobStatus
from sora_widget.engine.library import Library
from sora_widget.engine.poller import _POLLERS, Poller
from sora_widget.engine.shots import FOLLOWED_ELSEWHERE, NO_FIRST_FRAME, shot_record
from sora_widget.engine.storyboard import Board
from sora_widget.simulator import FaultConfig

from .fakes import FakeStitch, Recording
from .helpers import (
    TEST_KEY,
    delivered,
    fast_cadence,
    kill_kernel,
    owner_of,
    png_bytes,
    set_pending_owner,
)

#: vLLM-Omni's way: a model of no strict sizes, small and short, so renders are quick; its
#: create takes a first frame (`input_reference`) and it has no extensions route.
QUICK = {"model": "Wan-AI/Wan2.2-T2V-A14B", "size": "256x144", "seconds": "1"}
KEEPER = [
    "a lighthouse keeper climbs the stairs at dawn",
    "he lights the lamp as the storm begins",
    "the beam sweeps the waves at night",
]


@pytest.fixture
def stitched(monkeypatch) -> FakeStitch:
    fake = FakeStitch()
    monkeypatch.setattr("sora_widget.engine.storyboard.stitch", fake)
    return fake


@pytest.fixture
def server(make_app, tmp_path):
    """(client, its recording transport, library) on a simulator playing vLLM-Omni."""

    def build(faults: FaultConfig | None = None, library: Library | None = None):
        app = make_app(profile="vllm-omni", faults=faults or FaultConfig(), api_key=TEST_KEY)
        transport = Recording(httpx.ASGITransport(app=app))
        client = SoraClient(TEST_KEY, base_url="http://simulator.test/v1", transport=transport)
        client.is_simulator = True
        _POLLERS[client] = Poller(client, cadence=fast_cadence(first=0.05, ceiling=0.25))
        return client, transport, library or Library(tmp_path / "videos")

    return build


def board(server, shots=KEEPER, faults=None, **options) -> tuple[Storyboard, Recording]:
    client, transport, library = server(faults)
    options = {**QUICK, "title": "keeper", "continuity": "last_frame", **options}
    return Storyboard(list(shots), client=client, library=library, **options), transport


def frame(path, last: bool) -> np.ndarray:
    with av.open(str(path)) as container:
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    return (frames[-1] if last else frames[0]).astype(float)


def cards(sb: Storyboard) -> list[dict]:
    return sb.get_state(["shots"])["shots"]


async def test_each_shot_starts_from_the_last_frame_of_the_one_before(server, stitched):
    sb, transport = board(server, style="35mm film")
    assert [card["status"] for card in cards(sb)] == ["draft"] * 3
    assert [card["continuity"] for card in cards(sb)] == ["none", "last_frame", "last_frame"]
    assert sb.cost == sb.total_cost  # nothing made yet: all of it is to pay
    sb.generate()
    film = await asyncio.wait_for(sb.wait(), 120)
    assert film == sb.film_file and film.exists()
    assert film == sb.library.root / "storyboards" / "keeper.mp4"
    assert [shot.status for shot in sb.shots] == ["completed"] * 3
    for before, after in zip(sb.shots, sb.shots[1:], strict=False):
        difference = np.abs(frame(before.video_file, last=True) - frame(after.video_file, False))
        assert difference.mean() < 8, "a shot begins where the one before it ended"
        assert after.started_from == before.video_id and after.continuity == "last_frame"
    independent = np.abs(frame(sb.shots[0].video_file, True) - frame(sb.shots[1].video_file, True))
    assert independent.mean() > 8  # the comparison can tell frames apart
    sent = [r.content for r in transport.creates()]
    assert len(sent) == 3 and all(b"Style: 35mm film" in body for body in sent)
    assert [b"input_reference" in body for body in sent] == [False, True, True]
    files, titles = stitched.calls[-1]
    assert files == [shot.video_file for shot in sb.shots] and titles == KEEPER
    state = sb.get_state(["film", "busy", "cost"])
    assert state["film"]["media"] == "film:keeper" and len(state["film"]["starts"]) == 3
    assert state["busy"] is False and state["cost"] == ""  # nothing left to pay for
    sb.close()


async def test_reordering_restitches_with_no_new_video(server, stitched):
    sb, transport = board(server, continuity="none")
    sb.generate()
    await asyncio.wait_for(sb.wait(), 120)
    creates, calls = len(transport.creates()), len(stitched.calls)
    ids = [shot.video_id for shot in sb.shots]
    sb.move(2, 0)
    sb.remove(1)
    sb.insert(1, sb.shots[1].prompt)  # a new shot, made at the next generation
    assert [card["status"] for card in cards(sb)] == ["completed", "draft", "completed"]
    sb.move(1, 2)
    sb.remove(2)
    film = await asyncio.wait_for(sb.wait(), 60)
    assert [shot.video_id for shot in sb.shots] == [ids[2], ids[1]]
    assert len(transport.creates()) == creates, "a move pays for nothing"
    assert len(stitched.calls) > calls and stitched.calls[-1][0] == [s.video_file for s in sb.shots]
    assert sb.film_file == film
    sb.close()


async def test_moving_a_continued_shot_marks_it_stale_and_offers_to_remake_it(server, stitched):
    sb, transport = board(server)
    sb.generate()
    await asyncio.wait_for(sb.wait(), 120)
    sb.move(1, 2)  # the 3rd shot now follows the 1st, and the 2nd follows the 3rd
    statuses = [card["status"] for card in cards(sb)]
    assert statuses == ["completed", "stale", "stale"]
    await asyncio.wait_for(sb.wait(), 60)
    assert len(transport.creates()) == 3  # stale is offered, not remade silently
    sb.regenerate_stale()
    await asyncio.wait_for(sb.wait(), 120)
    assert len(transport.creates()) == 5
    assert [card["status"] for card in cards(sb)] == ["completed"] * 3
    sb.close()


async def test_a_failed_middle_shot_stops_only_the_shots_that_start_from_it(server, stitched):
    shots = [
        KEEPER[0],
        "he lights the forbidden lamp",
        KEEPER[2],
        {"prompt": "a gull on the railing", "image": png_bytes(256, 144)},
    ]
    sb, transport = board(server, shots, faults=FaultConfig(blocked_words=("forbidden",)))
    assert cards(sb)[3]["continuity"] == "none"  # its own image: it starts from that
    sb.generate()
    with pytest.raises(RuntimeError, match="No film yet"):
        await asyncio.wait_for(sb.wait(), 120)
    assert [shot.status for shot in sb.shots] == ["completed", "failed", "failed", "completed"]
    card = cards(sb)[2]
    assert card["error"]["title"] == "Not generated"
    assert "starts from shot 2" in card["error"]["message"]
    reason = cards(sb)[1]["error"]
    assert reason["title"] == "Failed" and reason["message"]
    assert reason["message"] in card["error"]["message"]  # the reason, on the shot it stopped
    assert len(transport.creates()) == 3  # the third was never sent
    assert sb.film_file is None and not stitched.calls
    sb.close()


async def test_regenerating_a_shot_marks_the_shots_that_started_from_it_stale(server, stitched):
    sb, transport = board(server)
    sb.generate()
    await asyncio.wait_for(sb.wait(), 120)
    old = sb.shots[0].video_id
    sb.regenerate(0)
    assert cards(sb)[1]["status"] == "stale"  # at once: its start is about to change
    await asyncio.wait_for(sb.wait(), 120)
    assert sb.shots[0].video_id != old and len(transport.creates()) == 4
    assert [card["status"] for card in cards(sb)] == ["completed", "stale", "completed"]
    assert sb.film_file is not None  # the film is of the videos there are


async def test_an_edited_shot_is_the_only_one_made_again(server, stitched):
    sb, transport = board(server, continuity="none")
    sb.generate()
    await asyncio.wait_for(sb.wait(), 120)
    sb._handle_message(sb, {"action": "edit", "key": sb.shots[1].key, "prompt": "a gull"}, [])
    assert cards(sb)[1]["changed"] is True and sb.error is None
    assert sb.cost and sb.cost != sb.total_cost  # one shot of three to pay for
    sb._handle_message(sb, {"action": "generate"}, [])
    await asyncio.wait_for(sb.wait(), 120)
    assert len(transport.creates()) == 4
    assert b"a gull" in transport.creates()[-1].content
    assert not cards(sb)[1]["changed"]


async def killed_in_flight(sb: Storyboard) -> list[str]:
    """Generate, and kill the kernel under each shot's job as soon as the job has its id: the
    storyboard's JSON is left as a dying kernel leaves it, every shot in flight. The ids."""
    records: dict[str, dict] = {}

    def die_as_each_is_created(important: bool) -> None:
        for shot in sb.shots:
            job = sb.board.jobs.get(shot.key)
            if shot.key not in records and job is not None and "id" in (shot.pending or {}):
                records[shot.key] = shot_record(shot)  # as saved when its kernel died
                kill_kernel(job)

    sb.board.on_change(die_as_each_is_created)
    sb.generate()
    with pytest.raises(RuntimeError):
        await asyncio.wait_for(sb.wait(), 60)
    sb.close()
    saved = {**sb.board.record(), "shots": [records[shot.key] for shot in sb.shots]}
    sb.board.path.write_text(json.dumps(saved))
    return [records[shot.key]["pending"]["id"] for shot in sb.shots]


async def test_a_restart_takes_up_the_shots_in_flight(server, stitched, tmp_path):
    client, _, library = server()
    sb = Storyboard(KEEPER[:2], **QUICK, continuity="none", title="keeper", client=client,
                    library=library)  # fmt: skip
    ids = await killed_in_flight(sb)

    again, transport, _ = server(library=library)
    reopened = Storyboard.open("keeper", client=again, library=library)
    # In flight as its kernel last saw it: queued, or in progress if a poll came first.
    assert {card["status"] for card in cards(reopened)} <= {"queued", "in_progress"}
    film = await asyncio.wait_for(reopened.wait(), 120)
    assert [shot.video_id for shot in reopened.shots] == ids
    assert [shot.status for shot in reopened.shots] == ["completed"] * 2
    assert transport.creates() == [] and film.exists()
    reopened.close()


async def test_a_shot_another_running_kernel_follows_is_left_to_it(server, stitched):
    """Reopened while the kernel that made the storyboard still runs a shot's job: that job is
    neither followed here nor created again, until that kernel has ended."""
    client, _, library = server()
    sb = Storyboard(KEEPER[:2], **QUICK, continuity="none", title="keeper", client=client,
                    library=library)  # fmt: skip
    alive_id, dead_id = await killed_in_flight(sb)
    other_kernel = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        set_pending_owner(library.root, alive_id, **owner_of(other_kernel))
        again, transport, _ = server(library=library)
        reopened = Storyboard.open("keeper", client=again, library=library)
        followed, taken = reopened.shots
        assert reopened.board.followed_elsewhere(followed)
        assert not reopened.board.followed_elsewhere(taken)
        assert set(reopened.board.jobs) == {taken.key}  # only the dead kernel's job
        assert cards(reopened)[0]["note"] == FOLLOWED_ELSEWHERE
        with pytest.raises(RuntimeError, match="No film yet"):
            await asyncio.wait_for(reopened.wait(), 120)
        in_flight = {"queued", "in_progress"}  # as its kernel last saw it (a poll may come first)
        assert followed.status in in_flight and followed.video_id is None
        assert taken.status == "completed" and taken.video_id == dead_id
        assert reopened.cost == ""  # nothing to pay for: the other kernel's job is paid
        reopened.generate()  # asks for nothing while the other kernel follows its job
        with pytest.raises(RuntimeError, match="No film yet"):
            await asyncio.wait_for(reopened.wait(), 60)
        assert transport.creates() == [] and followed.status in in_flight
    finally:
        other_kernel.kill()
        other_kernel.wait()
    assert not reopened.board.followed_elsewhere(followed)
    reopened.generate()  # that kernel has ended: its job is taken up, not paid again
    film = await asyncio.wait_for(reopened.wait(), 120)
    assert [shot.video_id for shot in reopened.shots] == [alive_id, dead_id]
    assert transport.creates() == [] and film.exists()
    assert cards(reopened)[0]["note"] != FOLLOWED_ELSEWHERE
    reopened.close()


async def test_a_storyboard_reopens_from_the_library_as_it_was(server, stitched):
    sb, _ = board(server, style="ink", reference=png_bytes(32, 32))
    sb.generate()
    film = await asyncio.wait_for(sb.wait(), 120)
    sb.close()
    client, transport, _ = server(library=sb.library)
    back = Storyboard.open("keeper", client=client, library=sb.library)
    assert [s.video_id for s in back.shots] == [s.video_id for s in sb.shots]
    assert back.film_file == film and back.style == "ink" and back.continuity == "last_frame"
    assert back.get_state(["film"])["film"]["starts"] == sb.get_state(["film"])["film"]["starts"]
    assert not any(card["changed"] for card in cards(back))  # the reference came back too
    got = await delivered(back, "film:keeper")
    assert got["film:keeper"] == film.read_bytes()
    back.insert(3, "the keeper sleeps")
    assert back.shots[3].key not in {s.key for s in back.shots[:3]}
    assert transport.creates() == []
    back.close()


async def test_a_model_without_a_first_frame_runs_on_its_own(server, stitched, monkeypatch):
    sb, _ = board(server)
    monkeypatch.setattr(Board, "images", lambda self, model: ImageSlots(first=None))
    assert [card["continuity"] for card in cards(sb)] == ["none", "none", "none"]
    assert cards(sb)[1]["note"] == NO_FIRST_FRAME
    sb.close()


@pytest.mark.parametrize(
    ("message", "field"),
    [
        ({"action": "explode"}, "explode"),
        ("move", "move"),
        ({"action": "move", "key": "s9", "to": 0}, "s9"),
        ({"action": "move", "key": "s0", "to": 7}, "positions are 0 to 2"),
        ({"action": "move", "key": "s0"}, "'to' is missing"),
        ({"action": "edit", "key": "s0", "seconds": "abc"}, "seconds"),
        ({"action": "edit", "key": "s0", "prompt": ""}, "prompt"),
        ({"action": "edit", "key": "s0"}, "give a 'prompt' or 'seconds'"),
        ({"action": "insert", "at": -1, "prompt": "x"}, "Cannot insert at -1"),
        ({"action": "remove", "key": 0}, "key is a string"),
    ],
)
async def test_a_bad_message_from_the_panel_is_refused_and_nothing_is_lost(
    server, stitched, message, field
):
    sb, transport = board(server)
    before = json.dumps(cards(sb))
    sb._handle_message(sb, message, [])
    assert field in sb.error["message"]
    assert json.dumps(cards(sb)) == before and transport.creates() == []
    sb._handle_message(sb, {"action": "move", "key": "s2", "to": 0}, [])
    assert sb.error is None and [s.key for s in sb.shots] == ["s2", "s0", "s1"]
    sb.close()


async def test_unknown_keywords_and_bad_settings_are_refused_before_anything_is_sent(server):
    client, transport, library = server()
    with pytest.raises(TypeError, match="did you mean 'model'"):
        Storyboard(KEEPER, modle="sora-2", client=client, library=library)
    with pytest.raises(Exception, match="continuity"):
        Storyboard(KEEPER, continuity="chain", client=client, library=library)
    with pytest.raises(Exception, match="list of shots"):
        Storyboard(KEEPER[0], client=client, library=library)
    assert transport.creates() == []


async def test_the_film_is_saved_as_mp4_and_as_a_page_that_plays_alone(server, stitched, tmp_path):
    shots = [KEEPER[0], "<b>bold</b> & a gull"]
    sb, _ = board(server, shots, continuity="none")
    with pytest.raises(RuntimeError, match="No film yet"):
        sb.save_mp4(tmp_path / "none.mp4")
    sb.generate()
    film = await asyncio.wait_for(sb.wait(), 120)
    copy = sb.save_mp4(tmp_path / "keeper.mp4")
    assert copy.read_bytes() == film.read_bytes()
    page = sb.save_html(tmp_path / "keeper.html").read_text()
    assert "data:video/mp4;base64," in page
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; a gull" in page and "<b>bold</b>" not in page
    assert page.count("data-start=") == 2
    sb.close()


async def test_the_panels_save_html_gets_the_page_save_html_writes(server, stitched, tmp_path):
    sb, _ = board(server, [KEEPER[0], "<b>bold</b> & a gull"], continuity="none")
    assert await delivered(sb, "page:keeper") == {}  # no film yet: the panel says why
    assert sb.error is not None and sb.error["title"] == "Save HTML"
    assert "No film yet" in sb.error["message"]
    sb.generate()
    await asyncio.wait_for(sb.wait(), 120)
    got = await delivered(sb, "page:keeper", "page:another")  # only its own title's page
    written = sb.save_html(tmp_path / "keeper.html").read_bytes()
    assert got == {"page:keeper": written}
    assert b"&lt;b&gt;bold&lt;/b&gt; &amp; a gull" in written
    assert sb.error is None  # built since: the old complaint goes
    sb.close()


async def test_extend_uses_the_servers_extension_and_the_film_takes_the_whole(
    make_app, tmp_path, stitched
):
    app = make_app(profile="openai", api_key=TEST_KEY)
    transport = Recording(httpx.ASGITransport(app=app))
    client = SoraClient(TEST_KEY, base_url="http://simulator.test/v1", transport=transport)
    _POLLERS[client] = Poller(client, cadence=fast_cadence(first=0.05, ceiling=0.25))
    sb = Storyboard(KEEPER[:2], seconds="4", continuity="extend", title="keeper",
                    client=client, library=Library(tmp_path / "videos"))  # fmt: skip
    assert [card["continuity"] for card in cards(sb)] == ["none", "extend"]
    sb.generate()
    await asyncio.wait_for(sb.wait(), 120)
    first, second = sb.shots
    assert second.continuity == "extend" and second.includes_previous
    assert sb.library.get(second.video_id).extends == first.video_id
    assert any(r.url.path.endswith("/videos/extensions") for r in transport.requests)
    files, titles = stitched.calls[-1]
    assert files == [second.video_file]  # it holds the first shot: stitched once, not twice
    assert titles == [" / ".join(KEEPER[:2])]
    assert sb.get_state(["film"])["film"]["starts"] == [0.0, 4.0]
    sb.close()


async def test_cancel_stops_the_jobs_and_the_shots_waiting_for_them(server, stitched):
    sb, transport = board(server)
    clicked = asyncio.Event()

    def click_cancel(important: bool) -> None:
        """Cancel as soon as shot 1 is on the server (not yet saving: a save is finished)."""
        job = sb.board.jobs.get(sb.shots[0].key)
        watched = job is not None and job.status in (JobStatus.QUEUED, JobStatus.IN_PROGRESS)
        if watched and sb.shots[1].status == "waiting" and not clicked.is_set():
            clicked.set()
            sb._handle_message(sb, {"action": "cancel"}, [])

    sb.board.on_change(click_cancel)
    sb.generate()
    await asyncio.wait_for(clicked.wait(), 60)
    with pytest.raises(RuntimeError, match="No film yet"):
        await asyncio.wait_for(sb.wait(), 60)
    assert [shot.status for shot in sb.shots] == ["cancelled", "draft", "draft"]
    assert len(transport.creates()) == 1 and sb.get_state(["busy"])["busy"] is False
    sb.close()


async def test_a_new_style_remakes_every_shot_at_the_next_generation(server, stitched):
    sb, transport = board(server, continuity="none")
    sb.generate()
    await asyncio.wait_for(sb.wait(), 120)
    assert sb.cost == ""
    sb.style = "watercolour"
    assert all(card["changed"] for card in cards(sb)) and sb.cost == sb.total_cost
    with pytest.raises(traitlets.TraitError):
        sb.model = "sora-2-pro"  # the shots are made of it: fixed
    with pytest.raises(InvalidRequestError, match="continuity"):
        sb.continuity = "chain"
    sb.generate()
    await asyncio.wait_for(sb.wait(), 120)
    assert len(transport.creates()) == 6
    assert all(b"Style: watercolour" in r.content for r in transport.creates()[3:])
    sb.close()


async def test_a_film_that_cannot_be_stitched_says_why_until_it_is(server, stitched):
    stitched.failure = ValueError("shot 2 cannot be read")
    sb, _ = board(server, continuity="none")
    sb.generate()
    with pytest.raises(RuntimeError, match="shot 2 cannot be read"):
        await asyncio.wait_for(sb.wait(), 120)
    assert "shot 2 cannot be read" in sb.error["message"] and sb.film_file is None
    sb.move(0, 1)  # any change stitches again
    film = await asyncio.wait_for(sb.wait(), 60)
    assert sb.error is None and sb.film_file == film
    sb.close()


async def test_editing_a_failed_shot_clears_its_error_it_is_a_draft_again(server, stitched):
    shots = [KEEPER[0], "he lights the forbidden lamp"]
    sb, _ = board(
        server, shots, continuity="none", faults=FaultConfig(blocked_words=("forbidden",))
    )
    sb.generate()
    with pytest.raises(RuntimeError, match="No film yet"):
        await asyncio.wait_for(sb.wait(), 120)
    assert cards(sb)[1]["status"] == "failed" and cards(sb)[1]["error"] is not None
    key = sb.shots[1].key
    sb._handle_message(sb, {"action": "edit", "key": key, "prompt": "he lights the lamp"}, [])
    assert (cards(sb)[1]["status"], cards(sb)[1]["error"]) == ("draft", None)
    sb._handle_message(sb, {"action": "edit", "key": key, "seconds": "2"}, [])
    assert cards(sb)[1]["status"] == "draft"
    assert sb.board.record()["shots"][1]["error"] == ""  # the saved storyboard agrees
    sb.close()


async def test_each_card_offers_the_durations_its_model_allows(server, stitched):
    veo = {"model": "veo-3.1-fast-generate-preview", "size": "1280x720", "seconds": "8"}
    sb, _ = board(server, [KEEPER[0], {"prompt": KEEPER[1], **veo}], continuity="none")
    wan, veo_card = cards(sb)
    assert veo_card["seconds_choices"] == ["4", "6", "8"]  # the Veo family's, not Sora's 4/8/12
    assert wan["seconds_choices"] == ["5", "10"]  # the storyboard's model, Wan 2.2
    sb.close()


async def test_a_storyboard_saved_by_another_kernel_is_not_overwritten_here(server, stitched):
    sb, _ = board(server)
    other = Board.load("keeper", client=sb.client, library=sb.library)  # a second kernel
    other.edit(0, prompt="the keeper wakes")
    sb.board.edit(1, prompt="he lights a candle")  # made from the storyboard as it was
    saved = json.loads(sb.board.path.read_text())
    assert [shot["prompt"] for shot in saved["shots"]] == ["the keeper wakes", *KEEPER[1:]]
    assert sb.error["title"] == "Not saved" and "'keeper'" in sb.error["message"]
    assert "Storyboard.open('keeper')" in sb.error["message"]
    other.edit(2, prompt="the beam sweeps the sea")  # the other kernel goes on saving
    again = Board.load("keeper", client=sb.client, library=sb.library)
    assert [shot.prompt for shot in again.shots] == [
        "the keeper wakes", KEEPER[1], "the beam sweeps the sea"
    ]  # fmt: skip
    sb.close()


async def test_a_quick_cancel_stops_the_generation_before_it_sends_anything(server, stitched):
    sb, transport = board(server)
    sb._handle_message(sb, {"action": "generate"}, [])
    sb._handle_message(sb, {"action": "cancel"}, [])  # before any shot has started
    with pytest.raises(RuntimeError, match="No film yet"):
        await asyncio.wait_for(sb.wait(), 60)
    assert transport.creates() == []
    assert [card["status"] for card in cards(sb)] == ["draft"] * 3  # nothing left the kernel
    sb.close()


async def test_a_shot_whose_create_was_sent_ends_cancelled_however_it_is_stopped(server, stitched):
    sb, transport = board(server, continuity="none")
    first = sb.shots[0]
    stopped = asyncio.Event()

    def stop_its_task(important: bool) -> None:
        """Its generation's task stopped (say, its loop closing) while its create is sent."""
        task = sb.board._making.get(first.key)
        if task is not None and first.key in sb.board.jobs and not stopped.is_set():
            stopped.set()
            del sb.board.jobs[first.key]  # not followed here any more
            task.cancel()

    sb.board.on_change(stop_its_task)
    sb.generate()
    await asyncio.wait_for(stopped.wait(), 60)
    with pytest.raises(RuntimeError, match="No film yet"):
        await asyncio.wait_for(sb.wait(), 120)
    assert len(transport.creates()) >= 1
    assert cards(sb)[0]["status"] == "cancelled" and cards(sb)[0]["error"]["title"] == "Cancelled"
    sb.close()


async def test_a_shot_whose_create_was_under_way_at_a_restart_is_cancelled_not_a_draft(
    server, stitched
):
    sb, _ = board(server, continuity="none")
    sb.close()
    saved = sb.board.record()
    saved["shots"][0].update(status="queued", pending={"made_with": "x", "continuity": "none"})
    saved["shots"][1].update(status="waiting")
    sb.board.path.write_text(json.dumps(saved))
    reopened = Storyboard.open("keeper", client=sb.client, library=sb.library)
    first, second, _ = cards(reopened)
    assert first["status"] == "cancelled" and "may have made a video" in first["error"]["message"]
    assert second["status"] == "draft" and second["error"] is None
    reopened.close()
