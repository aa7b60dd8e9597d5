"""Outages: the server goes away and comes back, downloads break halfway, the disk refuses.

A job must survive the server being unreachable for a while (it is only polling), a broken
download must leave no partial file, and a library that cannot be written must say where and
why, leaving what it already holds intact and the job resumable.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import os
from pathlib import Path

import httpx
import pytest

from sora_widget.core.errors import APIConnectionError, APITimeoutError, LibraryWriteError
from sora_widget.engine.client import SoraClient
from sora_widget.engine.jobs import JobStatus, submit
from sora_widget.engine.library import Library
from sora_widget.engine.poller import _POLLERS, Poller
from sora_widget.engine.resume import resume
from sora_widget.simulator import FaultConfig
from sora_widget.ui.widget import SoraWidget

from .helpers import MP4_MAGIC, TEST_KEY, fast_cadence, start_server, stop_server

FAST = fast_cadence(maximum=0.3)


def port_of(base_url: str) -> str:
    return base_url.rsplit(":", 1)[1].split("/")[0]


def leftovers(root: Path) -> list[str]:
    """Partial files a failed write could leave: temporary '.part' files."""
    return sorted(path.name for path in root.rglob("*") if path.name.endswith(".part"))


async def test_a_job_survives_the_server_going_away_and_coming_back(tmp_path, caplog):
    """Stop the simulator mid-job, wait, restart it on the same port and data: the job ends,
    and meanwhile the panel says nothing alarming (it is only polling)."""
    caplog.set_level(logging.INFO, logger="sora_widget")
    data_dir = tmp_path / "sim"
    server = start_server(data_dir, "--speed", "20", "--api-key", TEST_KEY)
    client = SoraClient(TEST_KEY, base_url=server.base_url, max_retries=0)
    client.is_simulator = True  # polled on its hints, not a real server's 10 s cadence
    _POLLERS[client] = Poller(client, cadence=FAST)  # the widget's jobs use the shared poller
    widget = SoraWidget(prompt="a fox in a storm", client=client, library=Library(tmp_path / "v"))
    try:
        job = widget.generate()
        while job.video_id is None:
            await asyncio.sleep(0.02)
        stop_server(server)
        await asyncio.sleep(0.6)  # polls fail meanwhile: connection refused
        assert not job.done, f"the outage ended the job: {job.error!r}"
        assert widget.job["status"] in ("queued", "in_progress") and widget.error["kind"] == ""
        server = start_server(
            data_dir, "--port", port_of(server.base_url), "--speed", "20", "--api-key", TEST_KEY
        )
        video = await asyncio.wait_for(widget.wait(), 30)
    finally:
        stop_server(server)
        await client.aclose()
    assert video.status == "completed" and job.path.read_bytes()[4:8] == MP4_MAGIC
    assert widget.job["status"] == "completed" and widget.video_file.read_bytes()[4:8] == MP4_MAGIC
    assert "Polling failed" in caplog.text and widget.library.pending() == []


async def test_a_download_cut_halfway_leaves_no_file_and_resumes_after_a_restart(tmp_path):
    """Every download is cut short: nothing partial is kept, the job stays pending, and
    `library.resume` saves it once a healthy server is back on the same port."""
    data_dir = tmp_path / "sim"
    server = start_server(data_dir, "--speed", "100", "--truncate-rate", "1.0")
    # A patient client: a cut connection ends at once, it does not wait out a read timeout.
    client = SoraClient(TEST_KEY, base_url=server.base_url, max_retries=0, timeout=30)
    library = Library(tmp_path / "videos")
    try:
        job = submit(client, "a fox", library=library, poller=Poller(client, cadence=FAST))
        with pytest.raises(APIConnectionError):
            await asyncio.wait_for(job, 20)
        assert job.status is JobStatus.FAILED
        folder = library.folder(job.video_id)
        assert not folder.exists() or sorted(p.name for p in folder.iterdir()) == []
        assert leftovers(library.root) == [] and library.get(job.video_id) is None
        assert [record["id"] for record in library.pending()] == [job.video_id]

        port = port_of(server.base_url)
        stop_server(server)
        server = start_server(data_dir, "--port", port, "--speed", "100")
        [resumed] = resume(client, library, poller=Poller(client, cadence=FAST))
        await asyncio.wait_for(resumed, 30)
    finally:
        stop_server(server)
        await client.aclose()
    entry = library.get(job.video_id)
    assert entry is not None and entry.video_path.read_bytes()[4:8] == MP4_MAGIC
    assert library.pending() == [] and leftovers(library.root) == []


async def test_a_cut_download_is_retried_and_fails_as_a_dropped_connection(tmp_path, caplog):
    """Over a real socket, with a patient client: each cut arrives at once as a dropped
    connection (never a timeout), is retried, and in the end leaves no file behind."""
    caplog.set_level(logging.INFO, logger="sora_widget")
    server = start_server(tmp_path / "sim", "--speed", "100", "--truncate-rate", "1.0")

    async def no_wait(seconds: float) -> None:
        await asyncio.sleep(0)

    client = SoraClient(
        TEST_KEY, base_url=server.base_url, max_retries=3, timeout=30, sleep=no_wait
    )
    target = tmp_path / "videos" / "fox.mp4"
    try:
        video = await client.create("a fox")
        while (video := await client.retrieve(video.id)).status != "completed":
            await asyncio.sleep(0.05)
        for _ in range(5):  # 20 cut downloads in all
            with pytest.raises(APIConnectionError) as raised:
                await client.download_content(video.id, "video", target)
            assert not isinstance(raised.value, APITimeoutError), raised.value
            assert "RemoteProtocolError" in str(raised.value)
    finally:
        stop_server(server)
        await client.aclose()
    assert caplog.text.count("failed (RemoteProtocolError); retry") == 5 * 3
    assert list(target.parent.iterdir()) == []


@pytest.fixture
def sim_client(make_app):
    def build(**faults) -> SoraClient:
        app = make_app(api_key=TEST_KEY, speed=400.0, faults=FaultConfig(**faults))
        transport = httpx.ASGITransport(app=app)
        return SoraClient(TEST_KEY, base_url="http://sim.test/v1", transport=transport)

    return build


async def test_a_full_disk_gives_a_clear_error_and_corrupts_nothing(
    sim_client, tmp_path, monkeypatch
):
    """ENOSPC on the final rename of any file: a LibraryWriteError naming the folder, no
    partial file, the video saved earlier untouched, and the job still resumable."""
    client = sim_client()
    library = Library(tmp_path / "videos")
    first = await asyncio.wait_for(
        submit(client, "a first fox", library=library, poller=Poller(client, cadence=FAST)), 30
    )
    saved_before = {p: p.read_bytes() for p in library.folder(first.id).iterdir()}

    real_replace = os.replace

    def no_space(source, target, *args, **kwargs):
        # The library's files only (not the simulator's), and not its small job records.
        if Path(target).is_relative_to(library.root) and ".pending" not in str(target):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_replace(source, target, *args, **kwargs)

    monkeypatch.setattr(os, "replace", no_space)
    job = submit(client, "a second fox", library=library, poller=Poller(client, cadence=FAST))
    with pytest.raises(LibraryWriteError) as raised:
        await asyncio.wait_for(job, 30)
    error = raised.value
    assert error.errno == errno.ENOSPC and isinstance(error, OSError)
    assert str(library.folder(job.video_id)) in str(error) and "No space left" in str(error)
    assert "resume" in str(error)  # says what to do next
    assert leftovers(library.root) == [] and library.get(job.video_id) is None
    assert {p: p.read_bytes() for p in library.folder(first.id).iterdir()} == saved_before
    assert [entry.id for entry in library.entries()] == [first.id]

    monkeypatch.setattr(os, "replace", real_replace)  # space was freed
    [resumed] = resume(client, library, poller=Poller(client, cadence=FAST))
    await asyncio.wait_for(resumed, 30)
    assert {entry.id for entry in library.entries()} == {first.id, job.video_id}


@pytest.mark.parametrize("depth", ["root", "nested"])
async def test_a_library_under_a_file_names_the_folder_in_the_panel(make_widget, tmp_path, depth):
    """A path whose parent is a regular file cannot be written, even as root."""
    blocker = tmp_path / "a-file"
    blocker.write_text("in the way")
    root = blocker if depth == "root" else blocker / "videos" / "class-1"
    widget = make_widget(prompt="a fox that cannot be saved")
    widget.library = Library(root)
    widget.generate()
    with pytest.raises(LibraryWriteError):
        await asyncio.wait_for(widget.wait(), 30)
    await asyncio.sleep(0)
    assert widget.job["status"] == "failed" and widget.error["kind"] == "failed"
    assert str(root) in widget.error["message"] and "writable folder" in widget.error["message"]
    assert widget.prompt == "a fox that cannot be saved" and blocker.read_text() == "in the way"
