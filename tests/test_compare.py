"""Compare's model without a browser: concurrency, cancel, failure, lineage, pick, export."""

from __future__ import annotations

import asyncio
import base64
import gc
import itertools
import json
import re
import weakref

import pytest
import traitlets

from sora_widget.core.errors import InvalidRequestError
from sora_widget.simulator import FaultConfig
from sora_widget.ui.compare import Compare
from sora_widget.ui.compare_state import labels

from .helpers import TEST_KEY, audio_codec, delivered, kill_kernel, started, state_text

FOX = "a red fox trotting through fresh snow at dawn"
REMIXES = [
    "a red fox trotting through fresh snow at night",
    "a red fox trotting through fresh snow in the rain",
    "a red fox trotting through fresh snow in fog",
]


@pytest.fixture
def make_compare(make_widget):
    """Compare on the in-process simulator, with the test widget's client and library."""

    def build(*args, faults: FaultConfig | None = None, **kwargs) -> Compare:
        widget = make_widget(faults=faults)
        return Compare(*args, client=widget.client, library=widget.library, **kwargs)

    return build


def track(compare: Compare) -> dict[str, list[int]]:
    """When each cell was first seen running, and when it ended, as places in the order of
    all such events (not clock readings: the order is what the tests claim)."""
    seen: dict[str, list[int]] = {}
    events = itertools.count()

    def record(change):
        for cell in change["new"]:
            status = cell["job"]["status"]
            places = seen.setdefault(cell["key"], [])
            started = status in ("queued", "in_progress") and not places
            ended = status in ("completed", "failed", "cancelled") and len(places) == 1
            if started or ended:
                places.append(next(events))

    compare.observe(record, names="cells")
    return seen


def statuses(compare: Compare) -> list[str]:
    return [cell["job"]["status"] for cell in compare.cells]


async def test_remixes_run_together_on_the_shared_poller(make_compare):
    compare = make_compare(FOX, remixes=REMIXES, size="1280x720")
    seen = track(compare)
    assert statuses(compare) == ["queued", "waiting", "waiting", "waiting"]
    assert {cell["size"] for cell in compare.cells} == {"1280x720"}  # remixes keep the size
    entries = await asyncio.wait_for(compare.wait(), 120)
    assert statuses(compare) == ["completed"] * 4 and all(entries)
    remixes = [seen[cell["key"]] for cell in compare.cells[1:]]
    # All three were in flight together: every one started before any one finished.
    assert max(start for start, _ in remixes) < min(end for _, end in remixes)
    source_end = seen[compare.cells[0]["key"]][1]
    assert all(start > source_end for start, _ in remixes)
    pollers = {id(variant.job.poller) for variant in compare.variants}
    assert len(pollers) == 1, "every job polls through the client's one Poller"


async def test_lineage_is_shown_and_kept_in_the_library(make_compare):
    compare = make_compare(FOX, remixes=REMIXES[:2])
    await asyncio.wait_for(compare.wait(), 120)
    source, first, second = compare.variants
    assert [cell["label"] for cell in compare.cells] == ["Source", "Remix 1", "Remix 2"]
    assert compare.cells[0]["role"] == "source"
    for cell, variant in zip(compare.cells[1:], (first, second), strict=True):
        assert cell["remix_of"] == source.key and cell["remixed_from"] == source.video_id
        assert variant.entry.remixed_from_video_id == source.video_id
        assert compare.library.lineage(variant.video_id) == [variant.video_id, source.video_id]
    # A remix of a remix: its lineage goes back two steps.
    deeper = compare.add_remix(REMIXES[2], of=first.video_id)
    await asyncio.wait_for(compare.wait(), 120)
    assert compare.cells[-1]["remix_of"] == first.key
    assert compare.library.lineage(deeper.video_id) == [
        deeper.video_id,
        first.video_id,
        source.video_id,
    ]


async def test_each_video_travels_once_when_a_view_asks_for_it(make_compare):
    compare = make_compare(FOX, remixes=REMIXES[:1])
    sent: list[str] = []
    compare.observe(lambda change: sent.append(change["name"]), names=traitlets.All)
    await asyncio.wait_for(compare.wait(), 120)
    media = [cell["media"] for cell in compare.cells]
    assert media == [f"video:{v.video_id}" for v in compare.variants]
    videos = await delivered(compare, *media)  # what a view asks for, and gets
    assert all(videos[key][4:8] == b"ftyp" for key in media) and compare.media == b""
    assert all(isinstance(cell["fps"], float) and cell["fps"] > 0 for cell in compare.cells)
    assert not any(isinstance(v, bytes) for cell in compare.cells for v in cell.values())
    # Each video went out once when asked for, and left the state again (set, then emptied).
    assert sent.count("cells") >= 2 and sent.count("media") == 2 * len(media)


async def test_cancel_one_the_others_carry_on(make_compare):
    compare = make_compare(FOX, remixes=REMIXES)
    await asyncio.sleep(0)
    compare.cancel(2)  # still waiting for the source
    await asyncio.wait_for(compare.wait(), 120)
    assert statuses(compare) == ["completed", "completed", "cancelled", "completed"]
    assert compare.variants[2].job is None
    compare.retry(2)
    await asyncio.wait_for(compare.wait(), 120)
    assert statuses(compare)[2] == "completed"


async def test_cancel_a_running_job_from_the_browser(make_compare):
    compare = make_compare(prompts=["a long journey", "a short walk"], seconds=12)
    job = compare.variants[0].job
    while job.video_id is None:
        await asyncio.sleep(0.01)
    compare._handle_message(compare, {"action": "cancel", "key": "c0"}, [])
    await asyncio.wait_for(compare.wait(), 120)
    assert statuses(compare) == ["cancelled", "completed"]
    compare.cancel(job.video_id)  # by id too; cancelling twice is harmless
    with pytest.raises(IndexError, match="0 to 1"):
        compare.cancel(5)
    with pytest.raises(KeyError):
        compare.cancel("video_nope")


async def test_one_remix_fails_the_others_complete(make_compare):
    prompts = [REMIXES[0], "a red fox trotting through forbidden snow", REMIXES[2]]
    compare = make_compare(FOX, remixes=prompts, faults=FaultConfig(blocked_words=("forbidden",)))
    await asyncio.wait_for(compare.wait(), 120)
    assert statuses(compare) == ["completed", "completed", "failed", "completed"]
    error = compare.cells[2]["error"]
    assert error["kind"] == "moderation" and "Traceback" not in error["message"]
    assert compare.cells[2]["media"] == ""
    compare._handle_message(compare, {"action": "retry", "key": "c2"}, [])
    assert statuses(compare)[2] == "queued"  # tried again, in the same cell
    await asyncio.wait_for(compare.wait(), 120)
    assert statuses(compare)[2] == "failed"
    compare._handle_message(compare, {"action": "retry", "key": "c1"}, [])
    assert "only a failed or cancelled" in compare.error["message"]


async def test_remixes_of_a_failed_source_say_why_and_start_with_its_retry(make_compare):
    compare = make_compare(
        "forbidden fox", remixes=REMIXES[:1], faults=FaultConfig(blocked_words=("forbidden",))
    )
    await asyncio.wait_for(compare.wait(), 120)
    assert statuses(compare) == ["failed", "failed"]
    assert "source video did not complete" in compare.cells[1]["error"]["message"]
    compare.retry(1)  # a blocked remix retries its source
    assert statuses(compare) == ["queued", "waiting"]


async def test_picked_is_a_synced_video_id(make_compare):
    compare = make_compare(FOX, remixes=REMIXES[:1])
    assert compare.picked is None
    with pytest.raises(traitlets.TraitError):
        compare.picked = "video_not_here"
    await asyncio.wait_for(compare.wait(), 120)
    remix_id = compare.variants[1].video_id
    compare.set_state({"picked": remix_id})  # what a click in the browser sends
    assert compare.picked == remix_id and compare.get_state("picked") == {"picked": remix_id}
    compare.picked = None


async def test_add_a_variant_to_a_running_comparison(make_compare):
    compare = make_compare(FOX, remixes=REMIXES[:1])
    added = compare.add(model="sora-2-pro")
    remix = compare.add_remix(REMIXES[1])
    assert (added.prompt, added.model) == (FOX, "sora-2-pro")
    assert [cell["key"] for cell in compare.cells] == ["c0", "c1", "c2", "c3"]
    assert compare.cells[2]["job"]["status"] == "queued"
    await asyncio.wait_for(compare.wait(), 120)
    assert statuses(compare) == ["completed"] * 4
    assert remix.entry.remixed_from_video_id == compare.variants[0].video_id
    with pytest.raises(InvalidRequestError) as refused:
        compare.add(model="m" * 300)
    assert refused.value.param == "model" and len(compare.variants) == 4


async def test_source_is_a_widget(make_widget):
    widget = make_widget(prompt=FOX)
    with pytest.raises(InvalidRequestError, match="no video yet"):
        Compare(widget, remixes=REMIXES[:1])
    widget.generate()
    await asyncio.wait_for(widget.wait(), 60)
    compare = Compare(widget, remixes=REMIXES[:1])  # the widget's client and library
    assert compare.client is widget.client and compare.library is widget.library
    assert statuses(compare) == ["completed", "queued"]  # the source is already saved
    assert compare.variants[0].video_id == widget.selected and compare.cells[0]["prompt"] == FOX
    await asyncio.wait_for(compare.wait(), 120)
    assert compare.variants[1].entry.remixed_from_video_id == widget.selected


async def test_source_is_a_video_id_still_running(make_compare):
    first = make_compare(FOX)
    job = first.variants[0].job
    while job.video_id is None:
        await asyncio.sleep(0.01)
    compare = Compare(job.video_id, remixes=REMIXES[:1], client=first.client, library=first.library)
    assert compare.variants[0].kind == "existing"
    assert statuses(compare)[1] == "waiting"
    await asyncio.wait_for(compare.wait(), 120)
    assert statuses(compare) == ["completed", "completed"]
    assert compare.cells[0]["prompt"] == FOX  # learnt from the server


async def test_one_prompt_on_two_models(make_compare):
    compare = make_compare(FOX, models=["sora-2", "sora-2-pro"])
    seen = track(compare)
    assert [cell["label"] for cell in compare.cells] == ["sora-2", "sora-2-pro"]
    await asyncio.wait_for(compare.wait(), 120)
    assert [v.entry.model for v in compare.variants] == ["sora-2", "sora-2-pro"]
    assert max(s for s, _ in seen.values()) < min(e for _, e in seen.values())


async def test_a_grid_of_prompts_by_models(make_compare):
    compare = make_compare(prompts=["a fox", "a boat"], models=["sora-2", "sora-2-pro"])
    assert compare.columns == 2
    assert [cell["label"] for cell in compare.cells] == [
        "Prompt 1 · sora-2",
        "Prompt 1 · sora-2-pro",
        "Prompt 2 · sora-2",
        "Prompt 2 · sora-2-pro",
    ]
    assert all(v.job is not None and not v.job.done for v in compare.variants)
    await asyncio.wait_for(compare.wait(), 120)
    assert statuses(compare) == ["completed"] * 4


@pytest.mark.parametrize(
    ("args", "kwargs", "field"),
    [
        ((FOX,), {"prompts": ["x"]}, "prompts"),
        ((FOX,), {"remixes": ["x"], "models": ["sora-2"]}, "models"),
        ((), {"models": ["sora-2"]}, "prompts"),
        ((FOX,), {"models": ["sora-2", ""]}, "model"),
        ((FOX,), {"remixes": [""]}, "prompt"),
        (("video_abc",), {"models": ["sora-2"]}, "models"),
        ((42,), {}, "source"),
        ((), {"prompts": "one string"}, "prompts"),
    ],
)
async def test_bad_arguments_are_refused_before_any_job_starts(make_compare, args, kwargs, field):
    with pytest.raises(InvalidRequestError) as refused:
        make_compare(*args, **kwargs)
    assert refused.value.param == field


def test_labels_tell_cells_apart():
    from sora_widget.ui.compare_state import Variant

    cells = [Variant("a", "existing"), Variant("b", "remix"), Variant("c", "generate")]
    assert labels(cells, cells[0]) == {"a": "Source", "b": "Remix 1", "c": "sora-2"}


async def test_save_html_is_self_contained_and_escapes_prompts(make_compare, tmp_path):
    hostile = '<img src=x onerror="alert(1)"> a fox </script><script>alert(2)</script>'
    compare = make_compare(hostile, remixes=[hostile + " at night"])
    with pytest.raises(RuntimeError, match="No finished video"):
        compare.to_html()
    await asyncio.wait_for(compare.wait(), 120)
    compare.picked = compare.variants[1].video_id
    page = compare.save_html(tmp_path / "compare.html").read_text()
    assert page.count("data:video/mp4;base64,") == 2
    assert "<img src=x" not in page and "alert(2)</script>" not in page
    assert "&lt;img src=x" in page  # the title, as text
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page), "no external resources"
    state = json.loads(
        page.split('id="sora-compare-state">')[1].split("</script>")[0],
    )
    assert [cell["prompt"] for cell in state["cells"]] == [hostile, hostile + " at night"]
    assert state["picked"] == compare.picked and state["playing"] is False
    assert set(state["media"]) == {f"video:{v.video_id}" for v in compare.variants}
    assert TEST_KEY not in page


async def test_one_cell_is_heard_at_a_time(make_compare):
    compare = make_compare(FOX, models=["sora-2", "sora-2-pro"])
    first, second = (cell["key"] for cell in compare.cells)
    assert compare.heard == "" and compare.volume == 1.0  # all start muted
    compare.hear(0)
    assert compare.heard == first
    compare.heard = second  # a click on the other cell's Unmute: the first goes quiet
    assert compare.get_state(["heard"]) == {"heard": second}
    compare.hear(None)
    assert compare.heard == ""
    with pytest.raises(traitlets.TraitError, match=r"heard must be the key of a cell \('c0'"):
        compare.heard = "c9"
    with pytest.raises(traitlets.TraitError, match=r"volume must be from 0 \(silent\) to 1"):
        compare.volume = 2
    with pytest.raises(traitlets.TraitError):  # a list of unmuted cells is no longer a thing
        compare.heard = [first, second]
    await asyncio.wait_for(compare.wait(), 120)


async def test_a_cell_says_whether_its_video_has_sound_and_the_page_keeps_it(make_compare):
    compare = make_compare(FOX, remixes=REMIXES[1:2])
    await asyncio.wait_for(compare.wait(), 120)
    assert [cell["audio"] for cell in compare.cells] == ["aac", "aac"]  # read from the files
    compare.hear(1)
    page = compare.to_html()
    state = json.loads(page.split('id="sora-compare-state">')[1].split("</script>")[0])
    assert state["heard"] == compare.cells[1]["key"] and state["volume"] == 1.0
    for variant in compare.variants:
        embedded = base64.b64decode(state["media"][variant.media].split(",", 1)[1])
        assert embedded == variant.entry.video_path.read_bytes()  # whole, sound and all
        assert audio_codec(embedded) == "aac"
    assert "Unmute" in page and "mp4a.40.2" in page  # the cells' control, in the page's script


async def test_rerunning_the_cell_after_a_kernel_restart_takes_up_its_jobs(make_widget):
    widget = make_widget(resume=False)
    client, library = widget.client, widget.library
    models = ["sora-2", "sora-2-pro"]
    before = Compare(FOX, models=models, client=client, library=library)
    jobs = [variant.job for variant in before.variants]
    for job in jobs:
        await started(job)
        kill_kernel(job)
    await asyncio.sleep(0.05)

    after = Compare(FOX, models=models, client=client, library=library)
    assert [v.job.video_id for v in after.variants] == [job.video_id for job in jobs]
    await asyncio.wait_for(after.wait(), 120)
    assert statuses(after) == ["completed", "completed"]
    assert len((await client.list_page(limit=100)).data) == 2, "nothing was paid for twice"
    assert library.pending() == []


async def test_a_remix_left_running_is_taken_up_by_the_same_comparison(make_compare):
    first = make_compare(FOX)
    [source] = await asyncio.wait_for(first.wait(), 60)
    before = Compare(source.id, remixes=REMIXES[:1], client=first.client, library=first.library)
    remix = before.variants[1].job
    await started(remix)
    kill_kernel(remix)
    await asyncio.sleep(0.05)
    other = Compare(source.id, remixes=REMIXES[1:2], client=first.client, library=first.library)
    assert other.variants[1].job.video_id != remix.video_id  # another prompt: a new remix
    after = Compare(source.id, remixes=REMIXES[:1], client=first.client, library=first.library)
    assert after.variants[1].job.video_id == remix.video_id
    await asyncio.wait_for(asyncio.gather(after.wait(), other.wait()), 120)
    assert statuses(after) == ["completed", "completed"]


async def test_remixes_left_running_bring_back_their_saved_source_not_a_new_one(make_widget):
    widget = make_widget(resume=False)
    client, library = widget.client, widget.library
    before = Compare(FOX, remixes=REMIXES[:2], client=client, library=library)
    source = before.variants[0]
    while source.entry is None or any(v.job is None for v in before.variants[1:]):
        await asyncio.sleep(0.02)
    remixes = [variant.job for variant in before.variants[1:]]
    for job in remixes:
        await started(job)
        kill_kernel(job)
    await asyncio.sleep(0.05)

    after = Compare(FOX, remixes=REMIXES[:2], client=client, library=library)
    assert after.variants[0].video_id == source.video_id  # the saved source, not a new one
    assert [v.job.video_id for v in after.variants[1:]] == [job.video_id for job in remixes]
    await asyncio.wait_for(after.wait(), 120)
    assert statuses(after) == ["completed"] * 3
    assert len((await client.list_page(limit=100)).data) == 3, "nothing was paid for twice"
    assert library.pending() == []
    # Once nothing is left running, re-running the cell makes new videos, as it always did.
    again = Compare(FOX, remixes=REMIXES[:1], client=client, library=library)
    assert again.variants[0].job is not None and again.variants[0].entry is None
    again.cancel(0)


async def test_the_key_is_in_no_trait_and_no_state(make_compare):
    compare = make_compare(FOX, remixes=REMIXES[:1])
    await asyncio.wait_for(compare.wait(), 120)
    assert TEST_KEY not in state_text(compare) and TEST_KEY not in repr(compare)


async def test_a_closed_comparison_is_collected_while_its_jobs_run_on_and_save(make_compare):
    compare = make_compare(FOX, models=["sora-2", "sora-2-pro"])
    jobs = [variant.job for variant in compare.variants]
    await started(jobs[0])
    library, collected = compare.library, weakref.ref(compare)
    compare.close()
    del compare
    gc.collect()
    assert collected() is None
    for job in jobs:
        video = await asyncio.wait_for(job, 60)
        assert library.get(video.id) is not None and job._callbacks == []
