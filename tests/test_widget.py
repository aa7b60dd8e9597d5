"""SoraWidget's model without a browser: traits for each status, validation, cancel, re-attach."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import gc
import json
import re
import shutil
import weakref

import httpx
import ipywidgets
import pytest
import traitlets

from sora_widget.core.errors import (
    APIError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InvalidRequestError,
    JobTimeout,
    NotFoundError,
    PermissionDeniedError,
    ServerError,
)
from sora_widget.core.shared import ERROR_TITLES, ErrorKind
from sora_widget.engine import backend
from sora_widget.engine.backend import connect
from sora_widget.engine.client import SoraClient
from sora_widget.engine.jobs import submit
from sora_widget.engine.library import Library
from sora_widget.engine.poller import Poller
from sora_widget.engine.storage import LibraryEntry
from sora_widget.simulator import FaultConfig
from sora_widget.ui.widget import SoraWidget
from sora_widget.ui.widget_state import (
    cost_label,
    error_payload,
    form_problems,
    history_item,
    options,
)

from .fakes import CountingTransport, RefusingCreates
from .helpers import (
    TEST_KEY,
    audio_codec,
    delivered,
    fast_cadence,
    kill_kernel,
    png_bytes,
    silent_mp4,
    started,
    state_text,
)


async def test_generate_moves_through_every_status_to_a_playable_video(make_widget):
    widget = make_widget(prompt="a red fox trotting through fresh snow")
    seen = []
    widget.observe(lambda change: seen.append(change["new"]["status"]), names="job")
    assert widget.backend["label"] == "Simulator"
    assert widget.cost == "≈ $0.40" and widget.problems == {}
    job = widget.generate()
    assert widget.job["status"] == "queued"
    video = await asyncio.wait_for(widget.wait(), 60)
    assert video.status == "completed"
    assert seen[0] == "queued" and "in_progress" in seen and seen[-1] == "completed"
    assert widget.job["progress"] == 100 and widget.job["id"] == job.video_id
    # A view asks for the player's media by key; they are sent, then leave the state.
    media = await delivered(widget, *(f"{kind}:{job.video_id}" for kind in MEDIA))
    assert media[f"video:{job.video_id}"][4:8] == b"ftyp"
    assert media[f"thumbnail:{job.video_id}"][8:12] == b"WEBP"
    assert widget.sprite["columns"] >= 1 and media[f"spritesheet:{job.video_id}"][:2] == b"\xff\xd8"
    assert widget.media == b""
    assert widget.video_file is not None and widget.video_file.exists()
    assert [item["id"] for item in widget.history] == [job.video_id]
    assert widget.remix_prompt == widget.prompt and widget.result.id == job.video_id


MEDIA = ("video", "thumbnail", "spritesheet")
VALID = {"prompt": "ok", "model": "sora-2", "size": "720x1280", "seconds": "4"}


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"prompt": ""}, "prompt"),
        ({"prompt": "x" * 32_001}, "prompt"),
        ({"prompt": "ok", "model": ""}, "model"),
        ({"prompt": "ok", "size": "1792x1024"}, "size"),
        ({"prompt": "ok", "seconds": "5"}, "seconds"),
    ],
)
async def test_invalid_form_names_the_field_and_refuses_to_generate(make_widget, fields, field):
    widget = make_widget(**fields)
    assert field in widget.problems and widget.problems[field]
    with pytest.raises(InvalidRequestError) as refused:
        widget.generate()
    assert refused.value.param == field
    widget._handle_message(widget, {"action": "generate"}, [])
    assert widget.error["kind"] == "invalid" and widget.error["field"] == field
    assert widget.job["status"] == "idle"
    setattr(widget, field, VALID[field])  # fixed: the refusal no longer stands
    assert widget.problems == {} and widget.error["kind"] == ""


async def test_cost_and_problems_follow_the_form(make_widget):
    widget = make_widget(prompt="ok")
    widget.model = "sora-2-pro"
    widget.size = "1792x1024"
    widget.seconds = "12"
    assert widget.cost == "≈ $6.00" and widget.problems == {}
    widget.model = "sora-2"
    assert "size" in widget.problems and "sora-2" in widget.problems["size"]


async def test_reference_image_of_the_wrong_size_needs_a_fit(make_widget):
    widget = make_widget(prompt="a lighthouse")
    widget.reference = png_bytes(400, 300)
    assert widget.reference_info["matches"] is False
    assert "400x300" in widget.problems["reference"]
    widget.fit = "crop"
    assert "reference" not in widget.problems
    widget.generate()
    await asyncio.wait_for(widget.wait(), 60)
    assert widget.job["status"] == "completed"
    widget.reference = b"not an image"
    assert "could not be read" in widget.problems["reference"]


async def test_moderation_block_is_shown_in_plain_words(make_widget):
    widget = make_widget(
        prompt="something forbidden", faults=FaultConfig(blocked_words=("forbidden",))
    )
    widget.generate()
    with pytest.raises(Exception):  # noqa: B017 (ModerationBlocked; the panel is what we check)
        await asyncio.wait_for(widget.wait(), 60)
    assert widget.job["status"] == "failed"
    assert widget.error["kind"] == "moderation" and "moderation" in widget.error["message"]
    assert "Traceback" not in widget.error["message"]


async def test_cancel_from_the_browser(make_widget):
    widget = make_widget(prompt="a long one", seconds="12")
    widget.generate()
    await asyncio.sleep(0.05)
    widget._handle_message(widget, {"action": "cancel"}, [])
    await asyncio.sleep(0.05)
    assert widget.job["status"] == "cancelled"
    assert widget.selected == "" and widget.video_path == ""


async def test_reattach_from_the_library_after_a_restart(make_widget, tmp_path):
    first = make_widget(prompt="kept safe")
    first.generate()
    video = await asyncio.wait_for(first.wait(), 60)
    again = SoraWidget.from_id(video.id, client=first.client, library=Library(tmp_path / "videos"))
    assert again.job["status"] == "completed" and again.video_path == first.video_path
    assert again.selected == video.id and again.history[0]["id"] == video.id


async def test_reattach_follows_a_running_job(make_widget):
    first = make_widget(prompt="still running")
    job = first.generate()
    while job.video_id is None:
        await asyncio.sleep(0.01)
    again = SoraWidget.from_id(job.video_id, client=first.client, library=first.library)
    video = await asyncio.wait_for(again.wait(), 60)
    assert video.id == job.video_id and again.video_file.read_bytes()[4:8] == b"ftyp"


async def test_rerunning_the_cell_after_a_kernel_restart_resumes_its_jobs(make_widget):
    before = make_widget(prompt="first fox", seconds="8")
    first = before.generate()
    await started(first)
    second = before.generate()  # the first runs on in the history strip
    await started(second)
    [running] = before.history
    assert running["id"] == first.video_id and running["status"] in ("queued", "in_progress")
    kill_kernel(first)
    kill_kernel(second)
    await asyncio.sleep(0.05)

    after = make_widget(client=before.client)  # the cell, run again: an empty form
    assert after.job["id"] == second.video_id and after.job["resumed"] is True
    while after.job["status"] != "in_progress":
        await asyncio.sleep(0.01)
    # The clock counts from when the video was created, before the restart.
    assert after.job["started_at"] <= second.video.created_at * 1000
    video = await asyncio.wait_for(after.wait(), 60)
    assert video.id == second.video_id and after.video_file.read_bytes()[4:8] == b"ftyp"
    assert after.prompt == "first fox" and after.seconds == "8"  # what Retry would make again
    while len(after.history) < 2 or not all(item["thumbnail"] for item in after.history):
        await asyncio.sleep(0.02)
    assert {item["id"] for item in after.history} == {first.video_id, second.video_id}
    assert after.library.pending() == []
    assert make_widget(client=before.client).job["status"] == "idle"  # nothing left to resume


async def test_a_second_widget_does_not_take_a_job_another_one_follows(make_widget):
    one = make_widget(prompt="mine")
    job = one.generate()
    await started(job)
    two = make_widget(client=one.client)
    assert two.job["status"] == "idle" and two.history == []
    await asyncio.wait_for(one.wait(), 60)


async def test_a_comparisons_jobs_are_not_resumed_by_a_widget(make_widget):
    widget = make_widget(prompt="a widget job")
    job = submit(widget.client, "a compare job", library=widget.library, origin="compare")
    await started(job)
    kill_kernel(job)
    await asyncio.sleep(0.05)
    assert make_widget(client=widget.client).job["status"] == "idle"
    assert [record["origin"] for record in widget.library.pending()] == ["compare"]


async def test_a_job_replaced_in_the_panel_still_reaches_the_history(make_widget):
    widget = make_widget(prompt="the first")
    first = widget.generate()
    await started(first)
    widget.prompt = "the second"
    widget.generate()
    await asyncio.wait_for(widget.wait(), 60)
    await asyncio.wait_for(first, 60)
    await asyncio.sleep(0.05)
    assert [item["prompt"] for item in widget.history] == ["the first", "the second"]
    assert all(item["status"] == "completed" and item["thumbnail"] for item in widget.history)
    widget._handle_message(widget, {"action": "select", "id": first.video_id}, [])
    assert widget.selected == first.video_id


async def test_selecting_a_running_job_brings_it_into_the_panel(make_widget):
    widget = make_widget(prompt="slow", seconds="12")
    first = widget.generate()
    await started(first)
    widget.prompt = "quick"
    widget.generate()
    widget._handle_message(widget, {"action": "select", "id": first.video_id}, [])
    assert widget.job["id"] == first.video_id
    await asyncio.wait_for(widget.wait(), 60)
    assert widget.selected == first.video_id


async def test_a_job_that_fails_after_leaving_the_panel_leaves_the_history(make_widget):
    widget = make_widget(
        prompt="a forbidden scene", faults=FaultConfig(blocked_words=("forbidden",))
    )
    blocked = widget.generate()
    await started(blocked)
    widget.prompt = "a harmless scene"
    widget.generate()
    assert [item["id"] for item in widget.history] == [blocked.video_id]
    await asyncio.wait_for(widget.wait(), 60)
    await asyncio.wait_for(blocked.settled(), 60)  # a job no one follows any more fails here
    await asyncio.sleep(0.05)
    assert blocked.status.value == "failed"
    assert [item["prompt"] for item in widget.history] == ["a harmless scene"]


async def test_the_key_is_in_no_trait_and_no_state(make_widget):
    widget = make_widget(prompt="a secret-free clip")
    widget.generate()
    await asyncio.wait_for(widget.wait(), 60)
    assert TEST_KEY not in state_text(widget)
    assert TEST_KEY not in repr(widget) and TEST_KEY not in widget.to_html()


async def test_export_is_self_contained_and_escapes_the_prompt(make_widget, tmp_path):
    widget = make_widget(prompt='<img src=x onerror="alert(1)"> a fox')
    widget.generate()
    await asyncio.wait_for(widget.wait(), 60)
    page = widget.save_html(tmp_path / "fox.html").read_text()
    assert "data:video/mp4;base64," in page
    assert "<img src=x" not in page and "&lt;img src=x" in page


async def test_sound_is_a_synced_trait_that_starts_muted(make_widget):
    widget = make_widget()
    state = widget.get_state()
    assert state["muted"] is True and state["volume"] == 1.0  # browsers autoplay muted only
    widget.muted, widget.volume = False, 0.25
    assert widget.get_state(["muted", "volume"]) == {"muted": False, "volume": 0.25}
    for wrong in (1.5, -0.1, float("nan")):
        with pytest.raises(traitlets.TraitError, match=r"volume must be from 0 \(silent\) to 1"):
            widget.volume = wrong
    assert widget.volume == 0.25
    with pytest.raises(traitlets.TraitError, match="muted"):
        widget.muted = "yes"


async def test_the_player_learns_whether_its_video_has_sound(make_widget, tmp_path):
    widget = make_widget(prompt="rain on a tin roof")
    assert widget.audio is None  # not read yet: the views make no claim
    widget.generate()
    await asyncio.wait_for(widget.wait(), 60)
    assert widget.audio == "aac"  # the simulator's sound, as real servers send it
    entry = widget.library.get(widget.selected)
    silent_mp4(entry.video_path)  # a server that sends no audio stream at all
    again = SoraWidget.from_id(entry.id, client=widget.client, library=widget.library)
    await again._layout
    assert again.audio == ""  # the views disable Unmute and say there is no sound
    entry.video_path.write_bytes(b"not a video")
    unreadable = SoraWidget.from_id(entry.id, client=widget.client, library=widget.library)
    await unreadable._layout
    assert unreadable.audio is None


async def test_the_saved_page_keeps_the_sound_and_the_unmute_control(make_widget, tmp_path):
    widget = make_widget(prompt="rain on a tin roof")
    widget.generate()
    await asyncio.wait_for(widget.wait(), 60)
    page = widget.save_html(tmp_path / "rain.html").read_text()
    embedded = re.search(r'src="data:video/mp4;base64,([^"]+)"', page)
    assert audio_codec(base64.b64decode(embedded.group(1))) == "aac"
    assert 'data-sora-audio="aac"' in page  # the control knows the codec to ask about
    script = page.split("<script>")[1].split("</script>")[0]
    assert "Unmute" in script and "Volume" in script and "mp4a.40.2" in script


async def test_rate_limit_shows_a_countdown_then_a_clear_error(make_widget):
    async def quick_sleep(seconds: float) -> None:
        await asyncio.sleep(0.01)

    widget = make_widget(
        prompt="one too many",
        faults=FaultConfig(rate_limit_per_minute=1),
        client_options={"sleep": quick_sleep, "max_retries": 2},
    )
    await widget.client.list_page()  # uses up this minute's only request
    seen = []
    widget.observe(lambda change: seen.append(dict(change["new"])), names="error")
    widget.generate()
    with pytest.raises(Exception):  # noqa: B017 (RateLimitError; the panel is what we check)
        await asyncio.wait_for(widget.wait(), 30)
    countdowns = [e for e in seen if e["kind"] == "rate_limit" and "automatically" in e["message"]]
    assert countdowns and countdowns[0]["retry_at"] > 0
    assert widget.error["kind"] == "rate_limit" and "Retry" in widget.error["message"]


async def test_clicks_from_a_kernel_subshell_run_on_the_widgets_loop(make_widget):
    """ipykernel 7 delivers widget messages on a subshell thread with its own event loop."""
    import threading

    widget = make_widget(prompt="clicked twice")

    def click_from_subshell(action: str) -> None:
        async def deliver() -> None:
            widget._handle_custom_msg({"action": action}, [])

        thread = threading.Thread(target=asyncio.run, args=(deliver(),))
        thread.start()
        thread.join()

    click_from_subshell("generate")
    await asyncio.sleep(0.05)
    first = await asyncio.wait_for(widget.wait(), 60)
    widget.prompt = "clicked twice, again"
    click_from_subshell("generate")
    await asyncio.sleep(0.05)
    second = await asyncio.wait_for(widget.wait(), 60)
    assert second.id != first.id and widget.error["kind"] == ""


def test_the_form_follows_the_chosen_model() -> None:
    choices = options()
    assert choices["models"][:3] == ["sora-2", "sora-2-pro", "sora-2-2025-10-06"]
    assert "veo-3.1-generate-preview" in choices["models"] and "gen4_turbo" in choices["models"]
    assert choices["seconds"]["veo-3.1-generate-preview"] == ["4", "6", "8"]
    assert choices["seconds"]["gen4_turbo"] == [str(n) for n in range(2, 11)]  # Runway: 2-10 s
    assert "1920x1080" in choices["sizes"]["veo-3.1-generate-preview"]
    # Sora's menu shows Pro's sizes (disabled for sora-2); another family shows its own.
    assert choices["size_menu"]["sora-2"] == ["720x1280", "1280x720", "1024x1792", "1792x1024"]
    assert choices["size_menu"]["gen4_turbo"] == ["1280x720", "720x1280"]
    assert cost_label("veo-3.1-fast-generate-preview", "1920x1080", "8") == "≈ $0.96"
    assert cost_label("Lightricks/LTX-2", "1280x720", "4") == ""  # self-hosted: no price


def test_a_model_the_catalog_does_not_know_is_checked_for_shape_only() -> None:
    valid = {"prompt": "ok", "model": "my-finetune", "size": "1000x600", "seconds": "7"}
    assert form_problems(**valid) == {}
    problems = form_problems(**{**valid, "size": "big", "seconds": "soon"})
    assert set(problems) == {"size", "seconds"} and "WIDTHxHEIGHT" in problems["size"]


# ---- defects from the review (issue #11, part 3) ---------------------------------------------


async def test_selecting_a_running_job_again_does_not_subscribe_the_widget_twice(make_widget):
    widget = make_widget(prompt="slow", seconds="12")
    completions = []
    widget.on_complete(lambda widget: completions.append(widget.selected))
    first = widget.generate()
    await started(first)
    widget.prompt = "quick"
    second = widget.generate()
    for _ in range(3):  # back and forth in the history strip
        widget._handle_message(widget, {"action": "select", "id": first.video_id}, [])
    await asyncio.wait_for(first, 60)
    await asyncio.wait_for(second, 60)
    await asyncio.sleep(0.05)
    assert completions == [first.video_id]


async def test_remix_takes_the_video_on_screen_after_a_failure_and_while_a_job_runs(make_widget):
    widget = make_widget(prompt="a fox", faults=FaultConfig(blocked_words=("forbidden",)))
    widget.generate()
    source = await asyncio.wait_for(widget.wait(), 60)
    widget.prompt = "a forbidden fox"
    widget.generate()
    with pytest.raises(Exception):  # noqa: B017 (ModerationBlocked: the panel job failed)
        await asyncio.wait_for(widget.wait(), 60)
    assert widget.job["status"] == "failed" and widget.selected == source.id
    after_failure = widget.remix("a fox at night")
    widget.prompt, widget.seconds = "a slow fox", "12"
    running = widget.generate()
    await started(running)
    while_running = widget.remix("a fox in the rain")
    for job in (after_failure, while_running):
        assert (await asyncio.wait_for(job, 60)).remixed_from_video_id == source.id


async def test_remix_without_a_saved_video_on_screen_says_to_generate_first(make_widget):
    widget = make_widget(prompt="a fox")
    with pytest.raises(InvalidRequestError, match="generate one first"):
        widget.remix("a fox at night")
    widget.selected = "video_not_in_the_library"
    with pytest.raises(InvalidRequestError, match="generate one first"):
        widget.remix("a fox at night")


def _status_error(error_class, status: int, message: str = "the server said no"):
    return error_class(message, status_code=status, request_id="req_1")


@pytest.mark.parametrize(
    ("error", "kind", "advice"),
    [
        (_status_error(ServerError, 500), "server", "try again later"),
        (_status_error(ServerError, 503), "server", "try again later"),
        (_status_error(NotFoundError, 404), "not_found", "deleted or has expired"),
        (_status_error(PermissionDeniedError, 403), "permission", "cannot use this model"),
        (_status_error(AuthenticationError, 401), "auth", "Check OPENAI_API_KEY"),
        (_status_error(ConflictError, 409), "conflict", "wait until"),
        (_status_error(APIError, 418), "refused", "418"),
    ],
)
def test_each_api_error_has_its_own_title_and_says_what_to_do(error, kind, advice):
    payload = error_payload(error)
    assert payload["kind"] == kind
    assert advice.casefold() in payload["message"].casefold()
    assert "the server said no" in payload["message"] or kind == "auth"
    assert ERROR_TITLES[payload["kind"]] != ERROR_TITLES[ErrorKind.INVALID], kind


def test_a_timeout_says_in_plain_words_how_to_pick_the_video_up_again():
    payload = error_payload(JobTimeout("Video video_123 did not finish ...", "video_123"))
    assert payload["kind"] == "timeout" and "VideoJob.attach" not in payload["message"]
    assert 'run the cell again or SoraWidget.from_id("video_123")' in payload["message"]
    long_id = "x" * 266  # LiteLLM's: too long to read in a panel
    assert long_id not in error_payload(JobTimeout("...", long_id))["message"]


def test_a_refused_field_is_still_an_invalid_request_naming_the_field():
    error = BadRequestError("'size' is not supported", status_code=400, param="size")
    payload = error_payload(error)
    assert payload == {**payload, "kind": "invalid", "field": "size"}


# ---- one client and one poller per server (issue #11, part 5) --------------------------------


@pytest.fixture
def configured_api(make_app, monkeypatch) -> CountingTransport:
    """`connect()` as in a kernel with OPENAI_API_KEY set, the API being an in-process
    simulator; returns the transport, which counts the requests of every client made."""
    counting = CountingTransport(httpx.ASGITransport(app=make_app(api_key=TEST_KEY)))
    monkeypatch.setenv("SORA_WIDGET_BACKEND", "api")
    monkeypatch.setenv("OPENAI_API_KEY", TEST_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", "http://simulator.test/v1")

    def client_on_the_transport(*args, transport=None, **kwargs) -> SoraClient:
        return SoraClient(*args, transport=transport or counting, **kwargs)

    monkeypatch.setattr(backend, "SoraClient", client_on_the_transport)
    monkeypatch.setattr(backend, "_CLIENTS", weakref.WeakKeyDictionary())
    return counting


async def test_widgets_without_a_client_share_one_and_poll_once_per_tick(configured_api, tmp_path):
    library = Library(tmp_path / "videos")
    widgets = [SoraWidget(prompt=f"fox number {n}", library=library) for n in range(3)]
    client = widgets[0].client
    assert all(widget.client is client for widget in widgets) and connect() is client
    poller = Poller.for_client(client)
    # A server that is not the simulator (and sends no hint on the list) is polled on the
    # unhinted schedule: made fast here too.
    poller.cadence = fast_cadence(list_maximum=0.1)
    polls_per_tick, counts, nap = [], configured_api.counts, poller.sleep

    async def counting_nap(seconds: float) -> None:
        polls_per_tick.append(counts["list"] + counts["retrieve"] - sum(polls_per_tick))
        await nap(seconds)

    poller.sleep = counting_nap
    jobs = [widget.generate() for widget in widgets]
    await asyncio.wait_for(asyncio.gather(*jobs), 60)
    # One list per tick; once, beside it, a retrieve shows whether the server sends hints.
    assert counts["list"] >= 1 and max(polls_per_tick) <= 2
    assert sum(polls > 1 for polls in polls_per_tick) <= 1, polls_per_tick


async def test_connect_hands_out_no_closed_client_and_one_per_key(configured_api, monkeypatch):
    first = connect()
    assert connect() is first and TEST_KEY not in repr(dict(backend._CLIENTS))
    await first.aclose()
    second = connect()
    assert second is not first and connect() is second
    monkeypatch.setenv("OPENAI_API_KEY", "sk-another-key")
    assert connect() is not second
    assert connect(max_retries=0) is not connect()


async def test_a_rate_limit_shows_only_in_the_widget_whose_job_it_holds_up(make_app, tmp_path):
    async def quick_sleep(seconds: float) -> None:
        await asyncio.sleep(0.01)

    transport = RefusingCreates(httpx.ASGITransport(app=make_app(api_key=TEST_KEY)))
    client = SoraClient(
        TEST_KEY, base_url="http://simulator.test/v1", transport=transport, sleep=quick_sleep
    )
    library = Library(tmp_path / "videos")
    held_up = SoraWidget(prompt="held up", client=client, library=library)
    other = SoraWidget(prompt="running on", seconds="12", client=client, library=library)
    running = other.generate()
    await started(running)
    kinds: dict[str, list[str]] = {"held up": [], "other": []}
    held_up.observe(lambda change: kinds["held up"].append(change["new"]["kind"]), names="error")
    other.observe(lambda change: kinds["other"].append(change["new"]["kind"]), names="error")
    transport.refusals = 2
    await asyncio.wait_for(held_up.generate(), 60)
    assert kinds["held up"][:1] == ["rate_limit"] and kinds["other"] == []
    running.cancel()


async def test_a_closed_widget_is_collected_while_its_job_runs_on_and_saves(make_widget):
    widget = make_widget(prompt="left running", seconds="8")
    job = widget.generate()
    await started(job)
    widget.prompt = "the next one"
    replaced = widget.generate()  # one job in the history strip, one in the panel
    library, collected = widget.library, weakref.ref(widget)
    widget.close()
    del widget
    gc.collect()
    assert collected() is None
    for paid in (job, replaced):
        video = await asyncio.wait_for(paid, 60)
        assert library.get(video.id) is not None
        assert paid._callbacks == [] and paid._retry_listeners == []


# ---- what crosses the comm, and what a saved notebook keeps ------------------------------------


def manager_state_bytes(widget: SoraWidget) -> int:
    """The size of what ipywidgets' embed (and "Save Widget State") writes for this widget."""
    state = ipywidgets.Widget.get_manager_state(drop_defaults=True, widgets=[widget])
    return len(json.dumps(state))


def count_sent(widget: SoraWidget) -> list[int]:
    """Bytes of every message the widget sends its views from now on (JSON plus buffers)."""
    sizes: list[int] = []

    def send(msg: dict, buffers: list | None = None) -> None:
        sizes.append(
            len(json.dumps(msg)) + sum(len(memoryview(b).cast("B")) for b in buffers or [])
        )

    widget._send = send
    return sizes


def copies(library: Library, entry: LibraryEntry, count: int) -> list[LibraryEntry]:
    """`count` more saved videos in the library, copies of `entry` under new ids."""
    made = []
    for n in range(count):
        folder = library.folder(f"{entry.id}_copy{n}")
        shutil.copytree(entry.folder, folder)
        copy = dataclasses.replace(entry, id=folder.name, folder=folder)
        (folder / "metadata.json").write_text(json.dumps(copy.to_metadata()))
        made.append(copy)
    return made


async def test_the_saved_state_names_the_video_and_does_not_hold_it(make_widget):
    widget = make_widget(prompt="a red fox trotting through fresh snow")
    widget.generate()
    await asyncio.wait_for(widget.wait(), 60)
    played = await delivered(widget, f"video:{widget.selected}")  # a view has it
    assert played and widget.media == b""
    size = manager_state_bytes(widget)
    assert size < 100_000 and widget.video_file.stat().st_size > size
    assert widget.selected in json.dumps(widget.get_state("history"))


async def test_a_status_change_in_the_history_sends_no_thumbnails(make_widget):
    widget = make_widget(prompt="a red fox trotting through fresh snow")
    widget.generate()
    await asyncio.wait_for(widget.wait(), 60)
    entry = widget.library.get(widget.selected)
    thumbnail = entry.thumbnail_path.stat().st_size
    for copy in copies(widget.library, entry, 19):
        widget._remember(copy)
    assert len(widget.history) == 20 and all(item["thumbnail"] for item in widget.history)
    sent = count_sent(widget)
    for n in range(20):  # a job out of the panel, moving on
        status = ("queued", "in_progress")[n % 2]
        widget._put_in_history(history_item("video_running", "a job", status))
    assert len(sent) == 20 and max(sent) < thumbnail and sum(sent) < 20 * 10_000
