"""Extension chains, videos that completed without a video, metadata in the file, and images
from the browser in pieces: engine, library and widget models on the in-process simulator."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import shutil
import subprocess
from pathlib import Path

import av
import httpx
import numpy as np
import pytest
from PIL import Image

from sora_widget.core.errors import CompletedWithoutVideo, InvalidRequestError
from sora_widget.core.shared import CHUNK_BYTES, ERROR_TITLES, MAX_MESSAGE_BYTES, MAX_UPLOAD_BYTES
from sora_widget.engine.client import SoraClient
from sora_widget.engine.extending import extend
from sora_widget.engine.jobs import JobStatus, submit
from sora_widget.engine.library import Library
from sora_widget.engine.poller import Poller
from sora_widget.engine.video_file import last_frame, read_tags, write_tags
from sora_widget.simulator import FaultConfig
from sora_widget.ui.compare import Compare
from sora_widget.ui.widget import SoraWidget

from .helpers import TEST_KEY, fast_cadence, packets

ROOT = Path(__file__).resolve().parents[1]
FAST = fast_cadence()
#: A model with no strict sizes, small and short, so the renderer is quick.
QUICK = {
    "model": "Wan-AI/Wan2.2-T2V-A14B",
    "size": "256x144",
    "seconds": "1",
}  # as vLLM-Omni serves it


def client_for(app) -> SoraClient:
    client = SoraClient(
        TEST_KEY, base_url="http://simulator.test/v1", transport=httpx.ASGITransport(app=app)
    )
    client.is_simulator = True
    return client


@pytest.fixture
def on(make_app, tmp_path):
    """(client, library) on a simulator playing `profile`, with `faults`."""

    def build(profile: str = "openai", faults: FaultConfig | None = None):
        app = make_app(profile=profile, faults=faults or FaultConfig(), api_key=TEST_KEY)
        return client_for(app), Library(tmp_path / "videos")

    return build


# ---- extending ---------------------------------------------------------------------------------


async def test_a_chain_of_three_pieces_is_saved_with_its_lineage_and_shown_in_order(on):
    client, library = on("openai")
    widget = SoraWidget(prompt="a red fox trotting through snow", client=client, library=library)
    widget.seconds = "4"
    assert widget.extending["reason"]  # nothing saved yet: Extend is disabled, saying why
    widget.generate()
    await asyncio.wait_for(widget.wait(), 60)
    assert widget.extending == {**widget.extending, "route": "extension", "reason": ""}
    ids = [widget.selected]
    for prompt in ("the fox reaches a frozen river", "the fox crosses the ice at dusk"):
        job = widget.extend(prompt, seconds=4)
        await asyncio.wait_for(widget.wait(), 60)
        assert job.lineage == {"extends": ids[-1]} and widget.selected == job.video_id
        ids.append(job.video_id)
    assert client.features["extensions"] is True
    chain = library.chain(ids[-1])
    assert [entry.id for entry in chain] == ids
    assert [entry.extends for entry in chain] == [None, ids[0], ids[1]]
    assert [entry.seconds for entry in chain] == ["4", "8", "12"]  # each the stitched whole
    saved = json.loads((chain[2].folder / "metadata.json").read_text())
    assert saved["extends"] == ids[1] and saved["continues"] is None

    comparison = Compare.chain(widget)
    await asyncio.wait_for(comparison.wait(), 60)
    cells = comparison.cells
    assert [cell["label"] for cell in cells] == ["Part 1", "Part 2", "Part 3"]
    assert [cell["video_id"] for cell in cells] == ids
    assert all(cell["media"] and cell["job"]["status"] == "completed" for cell in cells)
    with pytest.raises(InvalidRequestError, match="No saved video"):
        Compare.chain("video_unknown", client=client, library=library)
    widget.close()
    comparison.close()


@pytest.mark.parametrize("profile", ["vllm-omni", "gateway"])
async def test_without_an_extensions_route_a_video_continues_from_its_last_frame(on, profile):
    client, library = on(profile)
    poller = Poller(client, cadence=FAST)
    first = await submit(client, "a paper boat on a pond", **QUICK, library=library, poller=poller)
    # 4 s: a length the extensions route would add, so it is tried first (vLLM-Omni: 405;
    # New API: 404 "Invalid URL").
    job = extend(client, first.id, "the boat drifts under a bridge", seconds="4", library=library,
                 poller=poller)  # fmt: skip
    await asyncio.wait_for(job.settled(), 60)
    assert job.status is JobStatus.COMPLETED, job.error
    assert job.lineage == {"continues": first.id}
    assert client.features["extensions"] is False  # asked once, then not again
    record = client._http._transport.app.state.simulator.store.videos[job.video_id]
    assert record.has_reference and record.source_id is None  # a new video, from an image
    assert (record.model, record.size) == (QUICK["model"], QUICK["size"])
    sent = Image.open(io.BytesIO((Path(record_dir(client, job.video_id)) / "reference.png")
                                 .read_bytes()))  # fmt: skip
    frame = Image.open(io.BytesIO(last_frame(library.get(first.id).video_path)))
    assert sent.size == frame.size == (256, 144)
    assert np.abs(np.asarray(sent, float) - np.asarray(frame, float)).mean() < 1
    chain = library.chain(job.video_id)
    assert [(e.id, e.continues) for e in chain] == [(first.id, None), (job.video_id, first.id)]

    again = extend(client, job.video_id, "and out to sea", seconds="4", library=library,
                   poller=poller)  # fmt: skip
    await asyncio.wait_for(again.settled(), 60)
    assert again.lineage == {"continues": job.video_id}
    assert [e.id for e in library.chain(again.video_id)] == [first.id, job.video_id, again.video_id]


def record_dir(client: SoraClient, video_id: str) -> Path:
    return client._http._transport.app.state.simulator.store.assets_dir(video_id)


async def test_the_panel_names_the_route_it_will_take(on):
    client, library = on("vllm-omni")
    widget = SoraWidget(prompt="a paper boat", client=client, library=library, **QUICK)
    widget.generate()
    await asyncio.wait_for(widget.wait(), 60)
    assert widget.extending["label"] == "Continue"  # 1 s: no length the extensions route adds
    widget.seconds = "4"
    assert widget.extending["label"] == "Extend"  # not known to be missing: it is tried first
    job = widget.extend("it drifts on")
    await asyncio.wait_for(widget.wait(), 60)
    assert job.lineage == {"continues": library.chain(job.video_id)[0].id}
    assert widget.extending["label"] == "Continue"
    assert "cannot extend" in widget.extending["title"]
    widget.close()


async def test_extending_names_what_is_wrong(on):
    client, library = on("openai")
    with pytest.raises(InvalidRequestError, match="not saved"):
        extend(client, "video_x", "more", seconds=4, library=library)
    widget = SoraWidget(client=client, library=library)
    with pytest.raises(InvalidRequestError, match="no completed video to extend"):
        widget.extend("more")
    widget.close()


# ---- completed without a video -----------------------------------------------------------------


@pytest.mark.parametrize("profile", ["gateway", "openai"])  # an HTML page; a 404
async def test_a_job_that_completes_without_a_video_ends_failed_saying_so(on, profile):
    client, library = on(profile, FaultConfig(no_video_words=("lighthouse",)))
    poller = Poller(client, cadence=FAST)
    job = submit(client, "a lighthouse in a storm", **QUICK, library=library, poller=poller)
    await asyncio.wait_for(job.settled(), 60)
    assert job.status is JobStatus.FAILED and isinstance(job.error, CompletedWithoutVideo)
    assert "completed without a video" in str(job.error)
    assert ("HTML page" if profile == "gateway" else "404") in job.error.message
    assert library.get(job.video_id) is None and library.entries() == []
    [kept] = library.failures()  # nothing about it is lost
    assert kept["id"] == job.video_id and kept["prompt"] == "a lighthouse in a storm"
    assert kept["failure"]["code"] == "completed_without_video"
    assert kept["base_url"] == "http://simulator.test/v1" and library.pending() == []


async def test_the_panel_says_completed_without_a_video(on):
    client, library = on("gateway", FaultConfig(no_video_words=("lighthouse",)))
    widget = SoraWidget(prompt="a lighthouse in a storm", client=client, library=library, **QUICK)
    widget.generate()
    with pytest.raises(CompletedWithoutVideo):
        await asyncio.wait_for(widget.wait(), 60)
    assert widget.job["status"] == "failed"
    assert widget.error["kind"] == "no_video"
    assert widget.error["message"].startswith("It completed without a video: the server sent")
    assert widget.selected == "" and widget.history == []  # no broken player
    assert ERROR_TITLES[widget.error["kind"]] == "Completed without a video"
    widget.close()


# ---- metadata in the file ----------------------------------------------------------------------


async def test_the_saved_mp4_says_how_it_was_made_and_nothing_secret(on):
    client, library = on("openai")
    video = await submit(client, "a heron over a lake at dawn", library=library, seconds=4,
                         poller=Poller(client, cadence=FAST))  # fmt: skip
    entry = library.get(video.id)
    tags = read_tags(entry.video_path)
    assert tags["prompt"] == "a heron over a lake at dawn" and tags["model"] == "sora-2"
    assert tags["server"] == "http://simulator.test/v1" and tags["video_id"] == video.id
    assert "seed" not in tags and entry.file_metadata_problem is None
    assert not any(TEST_KEY in value for value in tags.values())
    served = record_dir(client, video.id) / "video.mp4"
    assert packets(entry.video_path) == packets(served)  # remuxed: the server's packets


async def test_a_seed_and_a_credential_free_server_go_into_the_file(make_app, tmp_path):
    app = make_app(api_key=TEST_KEY)
    client = SoraClient(TEST_KEY, base_url="http://user:hunter2@simulator.test/v1",
                        transport=httpx.ASGITransport(app=app))  # fmt: skip
    video = await submit(client, "a kite", poller=Poller(client, cadence=FAST))
    entry = await Library(tmp_path / "lib").save(
        video, client, settings={"parameters": {"seed": 1234}}
    )
    tags = read_tags(entry.video_path)
    assert tags["seed"] == "1234" and tags["server"] == "http://simulator.test/v1"
    assert "hunter2" not in json.dumps(tags)


def test_remuxing_keeps_every_stream_and_packet(tmp_path):
    path = tmp_path / "with_sound.mp4"
    _video_with_sound(path)
    before = packets(path)
    write_tags(path, {"prompt": "a drum", "model": "m"})
    assert packets(path) == before  # copied, not re-encoded: the same packets, audio too
    assert read_tags(path)["prompt"] == "a drum"


def test_a_file_that_cannot_be_remuxed_is_kept_as_it_was(tmp_path):
    path = tmp_path / "odd.mp4"
    path.write_bytes(b"\0\0\0\x18ftypmp42" + b"not really a video" * 100)
    original = path.read_bytes()
    with pytest.raises(ValueError, match="could not be remuxed"):
        write_tags(path, {"prompt": "x"})
    assert path.read_bytes() == original and list(tmp_path.iterdir()) == [path]


async def test_the_library_records_why_the_file_has_no_metadata(on, monkeypatch):
    client, library = on("openai")

    def refuse(path: Path, tags: dict[str, str]) -> None:
        raise ValueError("it could not be remuxed (test)")

    monkeypatch.setattr("sora_widget.engine.saving.write_tags", refuse)
    video = await submit(client, "a kite", library=library, poller=Poller(client, cadence=FAST))
    entry = library.get(video.id)
    assert (
        entry.file_metadata_problem == "The MP4 keeps no metadata: it could not be remuxed (test)."
    )
    assert entry.video_path.read_bytes()[4:8] == b"ftyp"  # the video is saved all the same


def _video_with_sound(path: Path) -> None:
    with av.open(str(path), "w") as out:
        video = out.add_stream("h264", rate=24)
        video.width, video.height, video.pix_fmt = 64, 64, "yuv420p"
        audio = out.add_stream("aac", rate=48000)
        for i in range(24):
            frame = av.VideoFrame.from_ndarray(np.full((64, 64, 3), i * 9, np.uint8), "rgb24")
            out.mux(video.encode(frame))
        out.mux(video.encode())
        for i in range(47):
            sound = av.AudioFrame.from_ndarray(np.zeros((1, 1024), np.float32), "fltp", "mono")
            sound.sample_rate, sound.pts = 48000, i * 1024
            out.mux(audio.encode(sound))
        out.mux(audio.encode())


# ---- images from the browser, in pieces ----------------------------------------------------------


def test_the_limits_are_the_same_on_both_sides():
    script = (
        "import { CHUNK_BYTES, MAX_MESSAGE_BYTES } from './js/upload.js';"
        "import { SEND_LIMIT } from './js/image.js';"
        "console.log(JSON.stringify([MAX_MESSAGE_BYTES, CHUNK_BYTES, SEND_LIMIT]));"
    )
    assert json.loads(run_node(script)) == [MAX_MESSAGE_BYTES, CHUNK_BYTES, MAX_UPLOAD_BYTES]
    assert MAX_MESSAGE_BYTES <= 1_000_000  # Colab's limit (ipywidgets#3452)


def run_node(script: str, stdin: bytes = b"") -> str:
    """What an ES module `script` prints, run by Node from the checkout (js/ is importable)."""
    node = shutil.which("node")
    assert node, "node is needed for the front end's tests"
    done = subprocess.run([node, "--input-type=module", "-e", script], input=stdin, cwd=ROOT,
                          capture_output=True, check=True)  # fmt: skip
    return done.stdout.decode()


def js_upload_messages(data: bytes, name: str) -> list[str]:
    """The messages js/upload.js makes for `data`, as the JSON text the browser sends."""
    script = (
        "import { uploadMessages } from './js/upload.js';"
        "import { readFileSync } from 'node:fs';"
        "const bytes = new Uint8Array(readFileSync(0));"
        f"for (const m of uploadMessages('reference', bytes, {json.dumps(name)}))"
        " console.log(JSON.stringify(m));"
    )
    return run_node(script, data).splitlines()


async def test_a_large_image_from_the_browser_arrives_whole_in_messages_under_the_limit(
    make_widget,
):
    noise = np.random.default_rng(7).integers(0, 255, (1280, 720, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(noise).save(buffer, "PNG")
    image = buffer.getvalue()
    assert len(image) > 2 * MAX_MESSAGE_BYTES  # far over what Colab takes in one message
    widget = make_widget(prompt="a fox", size="720x1280")
    messages = js_upload_messages(image, "noise.png")
    assert len(messages) == -(-len(image) // CHUNK_BYTES)
    assert max(len(text.encode()) for text in messages) < MAX_MESSAGE_BYTES
    for text in messages[:-1]:
        widget._handle_message(widget, json.loads(text), [])
        assert widget.reference == b""  # set only once it is whole
    widget._handle_message(widget, json.loads(messages[-1]), [])
    assert widget.reference == image and widget.reference_name == "noise.png"
    assert widget.reference_info["matches"] and widget.error["kind"] == ""
    widget.close()


async def test_a_broken_upload_is_refused_naming_the_field(make_widget):
    widget = make_widget()
    piece = {"action": "upload", "trait": "reference", "upload": "u1", "count": 1, "index": 0}
    widget._handle_message(widget, {**piece, "data": "%%%"}, [])
    assert widget.error["field"] == "reference" and "damaged" in widget.error["message"]
    widget._handle_message(widget, {**piece, "count": 10_000, "data": ""}, [])
    assert widget.error["field"] == "reference" and "8 MiB" in widget.error["message"]
    widget._handle_message(widget, {**piece, "trait": "prompt", "data": ""}, [])
    assert widget.error["field"] == "upload" and widget.prompt == ""
    assert widget.reference == b""
    widget.close()


async def test_a_resumed_piece_keeps_its_place_in_the_chain(on):
    from sora_widget.engine.resume import resume

    client, library = on("openai")
    poller = Poller(client, cadence=FAST)
    first = await submit(client, "a kite", library=library, seconds=4, poller=poller)
    running = await client.extend(first.id, "the kite climbs", "4")
    library.record_pending(running, client.base_url, lineage={"extends": first.id})
    [job] = resume(client, library, poller=poller)
    await asyncio.wait_for(job.settled(), 60)
    assert job.lineage == {"extends": first.id}
    assert [entry.id for entry in library.chain(running.id)] == [first.id, running.id]


def litellm_id(said: str) -> str:
    """A video id as LiteLLM's proxy makes one: "video_" and the base64 of what it routes by."""
    return "video_" + base64.b64encode(said.encode()).decode()


@pytest.mark.parametrize(
    ("video_id", "form_field"),
    [
        ("video_" + "a1b2" * 100, b'name="video[id]"'),  # the SDK's form
        (
            litellm_id("litellm:custom_llm_provider:openai;model_id:LTX-2;video_id:video_1" * 4),
            b'name="video"',
        ),  # fmt: skip
    ],
)
async def test_an_id_too_long_for_a_file_name_is_extended_as_an_id(video_id, form_field):
    """LiteLLM's ids run to hundreds of characters: asking the OS whether one names a file
    fails (ENAMETOOLONG); it is an id. LiteLLM's proxy reads it only from a `video` field."""
    sent: list[bytes] = []

    def server(request: httpx.Request) -> httpx.Response:
        sent.append(request.read())
        return httpx.Response(200, json={"id": "video_2", "status": "queued"})

    async with SoraClient(
        TEST_KEY, base_url="http://proxy.test/v1", transport=httpx.MockTransport(server)
    ) as client:
        video = await client.extend(video_id, "the lamp is lit", seconds="4")
    assert video.id == "video_2"
    [form] = sent
    assert form_field in form and video_id.encode() in form
    if form_field == b'name="video"':
        assert json.dumps({"id": video_id}).encode() in form
