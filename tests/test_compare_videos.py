"""`Compare(videos=...)`: videos that exist, under the caller's labels, on a class's simulator
where only the teacher's key sees every student's videos."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest

from sora_widget.core.errors import InvalidRequestError, NotFoundError
from sora_widget.engine.client import SoraClient
from sora_widget.engine.library import Library
from sora_widget.engine.poller import _POLLERS, Poller
from sora_widget.ui.compare import Compare

from .fakes import FakeClock, sim_client
from .helpers import fast_cadence, renders_finished

ALICE = "sk-alice-CLASS-9a8b7c6d"
BOB = "sk-bob-CLASS-5e4f3a2b"
TEACHER = "sk-teacher-CLASS-1c0d9e8f"
QUICK = {"model": "sora-2", "size": "720x1280", "seconds": "4"}
UNKNOWN = "video_0000000000000000nope"


@pytest.fixture
def class_app(make_app, tmp_path: Path, fake_clock: FakeClock):
    """A class's simulator on a clock the test moves: alice, bob and the teacher."""
    keys = tmp_path / "class.csv"
    keys.write_text(f"alice,{ALICE}\nbob,{BOB}\nteacher,{TEACHER}\n")
    return make_app(clock=fake_clock, keys_file=keys)


@pytest.fixture
def client_for(class_app) -> Callable[[str], SoraClient]:
    def build(key: str) -> SoraClient:
        client, _ = sim_client(class_app, key)
        _POLLERS[client] = Poller(client, cadence=fast_cadence())
        return client

    return build


async def finish(app, clock: FakeClock, video_id: str) -> None:
    clock.advance(app.state.simulator.store.videos[video_id].timeline.total_seconds + 0.01)
    await renders_finished(app)


async def until(condition: Callable[[], bool]) -> None:
    while not condition():
        await asyncio.sleep(0.01)


async def test_the_teacher_sees_each_students_video_under_their_name(
    class_app, client_for, fake_clock, tmp_path
):
    alice, bob, teacher = client_for(ALICE), client_for(BOB), client_for(TEACHER)
    done = await alice.create("a red fox trotting through fresh snow", **QUICK)
    await finish(class_app, fake_clock, done.id)
    rendering = await bob.create("a paper boat on a pond in the rain", **QUICK)
    library = Library(tmp_path / "teacher")

    compare = Compare(
        videos={"Alice": done.id, "Bob": rendering.id, "Nobody": UNKNOWN},
        client=teacher,
        library=library,
    )
    alices, bobs, nobodys = compare.variants
    assert [cell["label"] for cell in compare.cells] == ["Alice", "Bob", "Nobody"]
    assert compare.source is None  # no student's video is the others' baseline
    await asyncio.wait_for(until(lambda: alices.entry is not None and nobodys.ended), 30)
    await asyncio.wait_for(until(lambda: bobs.job is not None and bobs.job.video is not None), 30)
    assert bobs.status in ("queued", "in_progress")  # still rendering: followed, not refused
    assert nobodys.status == "failed" and isinstance(nobodys.error, NotFoundError)
    assert compare.cells[2]["error"]["kind"] == "not_found"

    await finish(class_app, fake_clock, rendering.id)
    entries = await asyncio.wait_for(compare.wait(), 30)
    assert [cell["job"]["status"] for cell in compare.cells] == ["completed", "completed", "failed"]
    assert [entry.id for entry in entries[:2]] == [done.id, rendering.id] and entries[2] is None
    assert all(library.get(entry.id).video_path.stat().st_size for entry in entries[:2])
    assert [v.job.video.extra["owner"] for v in (alices, bobs)] == ["alice", "bob"]
    assert [cell["prompt"] for cell in compare.cells[:2]] == [done.prompt, rendering.prompt]

    # Saved now: a list of ids shows them at once from the library, numbered in order.
    again = Compare(videos=[rendering.id, done.id], client=teacher, library=library)
    assert [cell["label"] for cell in again.cells] == ["Video 1", "Video 2"]
    assert [v.status for v in again.variants] == ["completed", "completed"]
    assert all(v.job is None for v in again.variants)  # nothing fetched twice
    assert "<title>Comparison: Video 1, Video 2</title>" in again.to_html()


async def test_a_student_sees_another_students_video_as_unknown(
    class_app, client_for, fake_clock, tmp_path
):
    alice, bob = client_for(ALICE), client_for(BOB)
    made = await alice.create("a red fox trotting through fresh snow", **QUICK)
    await finish(class_app, fake_clock, made.id)
    compare = Compare(
        videos={"Alice": made.id, "Nobody": UNKNOWN}, client=bob, library=Library(tmp_path / "b")
    )
    await asyncio.wait_for(compare.wait(), 30)
    errors = [cell["error"] for cell in compare.cells]
    assert [error["kind"] for error in errors] == ["not_found", "not_found"]
    assert errors[0]["message"].replace(made.id, UNKNOWN) == errors[1]["message"]


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        ((), {"videos": {}}),
        ((), {"videos": []}),
        ((), {"videos": {"Alice": 42}}),
        ((), {"videos": {"Alice": ""}}),
        ((), {"videos": {"": "video_abc"}}),
        ((), {"videos": [None]}),
        ((), {"videos": "video_abc"}),
        ((), {"videos": {"Alice": "video_abc"}, "remixes": ["at night"]}),
        ((), {"videos": {"Alice": "video_abc"}, "prompts": ["a fox"]}),
        ((), {"videos": {"Alice": "video_abc"}, "models": ["sora-2"]}),
        ((), {"videos": {"Alice": "video_abc"}, "pieces": ["video_def"]}),
        (("a fox",), {"videos": {"Alice": "video_abc"}}),
    ],
)
def test_bad_videos_are_refused_naming_the_field(client_for, tmp_path, args, kwargs):
    with pytest.raises(InvalidRequestError) as refused:
        Compare(*args, client=client_for(TEACHER), library=Library(tmp_path / "t"), **kwargs)
    assert refused.value.param == "videos"
