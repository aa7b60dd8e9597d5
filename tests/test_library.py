"""Library: atomic saves, safe file names, metadata, lookup, resume; then against the simulator."""

from __future__ import annotations

import asyncio
import dataclasses
import errno
import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from sora_widget.core.errors import (
    APIConnectionError,
    CompletedWithoutVideo,
    LibraryWriteError,
    NotFoundError,
    RateLimitError,
    SoraError,
)
from sora_widget.core.types import Video
from sora_widget.core.urls import public_url
from sora_widget.engine.client import SoraClient
from sora_widget.engine.inflight import PENDING_FOLDER
from sora_widget.engine.jobs import JobStatus, submit, submit_remix
from sora_widget.engine.library import Library
from sora_widget.engine.poller import Poller
from sora_widget.engine.resume import resume
from sora_widget.engine.retry import MAX_RETRY_AFTER, RetryPolicy
from sora_widget.engine.storage import folder_name
from sora_widget.simulator import FaultConfig

from .fakes import FAKE_MEDIA, FakeClient, FakeClock, FakeTime, fake_poller, sim_client
from .helpers import (
    MP4_MAGIC,
    fast_cadence,
    owner_of,
    packets,
    renders_finished,
    set_pending_owner,
)

#: The simulator's speed and the polling for the tests against it: quick, in real time.
SPEED = 200.0
FAST = fast_cadence()
DISTINCTIVE_KEY = "sk-proj-LIBRARY-MUST-NEVER-STORE-THIS-4b1d"


def completed(video_id: str = "video_001", **fields) -> Video:
    values = {
        "model": "sora-2",
        "status": "completed",
        "progress": 100,
        "created_at": 1_750_000_000,
        "completed_at": 1_750_000_030,
        "expires_at": 1_750_003_630,
        "size": "720x1280",
        "seconds": "4",
        "prompt": "a red fox",
    }
    return Video(id=video_id, **{**values, **fields})


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def client(fake_time) -> FakeClient:
    """A fake client that already knows the ids the tests save."""
    client = FakeClient(fake_time, queue=0, work=0)
    for _ in range(5):
        client.add("a red fox", "sora-2", "720x1280", "4", None)
    return client


@pytest.fixture
def library(tmp_path, fake_time) -> Library:
    return Library(tmp_path / "library", clock=lambda: 1_750_000_100.0)


def files_under(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


# ---- ids become file names --------------------------------------------------------------------


PLAIN_IDS = ["video_68d7a1", "VIDEO-123_abc", "x" * 128, "video_gen_0f3a9c", "3f2b8c1e-9d4a-4b6e"]


@pytest.mark.parametrize("video_id", PLAIN_IDS)
def test_plain_ids_are_their_own_folder_name(video_id):
    assert folder_name(video_id) == video_id


#: Ids real servers send (LiteLLM's base64 of 266 characters, vLLM-Omni's, UUIDs), and hostile ones.
OPAQUE_IDS = [
    "video_bGl0ZWxsbTpjdXN0b21fbGxtX3Byb3ZpZGVyOm9wZW5haTttb2RlbF9pZDp" + "QQ==" * 50,
    "id=with=equals",
    "../../escaped",
    "a/../../b",
    "..",
    ".",
    "a\\b",
    "a\0b",
    "vidéo",
    "video_1\n",
    "x" * 129,
]


@pytest.mark.parametrize("video_id", OPAQUE_IDS)
def test_other_ids_get_a_safe_name_that_no_plain_id_has(video_id):
    name = folder_name(video_id)
    assert "." in name.strip(".") and len(name) <= 80
    assert all(char.isascii() and (char.isalnum() or char in "_-.") for char in name)
    assert name not in (".", "..") and "/" not in name
    assert folder_name(video_id) == name  # stable, so the video is found again
    every = OPAQUE_IDS + PLAIN_IDS
    assert len({folder_name(other) for other in every}) == len(every)


@pytest.mark.parametrize("video_id", ["", None, 7])
def test_what_is_not_an_id_is_refused(video_id):
    with pytest.raises(ValueError, match="non-empty string"):
        folder_name(video_id)


def known_as(client: FakeClient, video_id: str) -> None:
    """Make the fake server's next video answer to `video_id`."""
    made = client.add("a red fox", "sora-2", "720x1280", "4", None)
    client.videos[video_id] = dataclasses.replace(client.videos.pop(made.id), id=video_id)


@pytest.mark.parametrize("video_id", OPAQUE_IDS + PLAIN_IDS[-2:])
async def test_any_id_is_saved_inside_the_library_and_found_again(
    tmp_path, library, client, video_id
):
    known_as(client, video_id)
    library.record_pending(completed(video_id), client.base_url)
    assert [record["id"] for record in library.pending()] == [video_id]
    entry = await library.save(completed(video_id), client)
    assert entry.id == video_id and entry.folder.parent == library.root
    assert library.get(video_id) == entry and [e.id for e in library.entries()] == [video_id]
    assert library.pending() == []
    outside = [path for path in files_under(tmp_path) if library.root not in path.parents]
    assert outside == []


async def test_a_metadata_file_in_the_wrong_folder_is_not_taken_for_another_video(library, client):
    known_as(client, "video_real")
    entry = await library.save(completed("video_real"), client)
    impostor = library.root / "video_other"
    impostor.mkdir()
    (impostor / "metadata.json").write_text((entry.folder / "metadata.json").read_text())
    assert library.get("video_other") is None
    assert [e.id for e in library.entries()] == ["video_real"]


async def test_a_job_whose_server_sends_an_odd_id_is_saved(tmp_path, library, fake_time):
    """A local check never fails a job the server accepted: that video is paid for."""
    client = FakeClient(fake_time, queue=0, work=1)
    known_as(client, "../../evil")
    odd = completed("../../evil")

    async def create(*args, **kwargs) -> Video:
        return odd

    client.create = create
    job = submit(client, "a fox", library=library, poller=fake_poller(client, fake_time))
    video = await job
    assert job.status is JobStatus.COMPLETED and video.id == "../../evil"
    assert library.get("../../evil") is not None
    assert all(library.root in path.parents for path in files_under(tmp_path))


# ---- saving -----------------------------------------------------------------------------------


async def test_save_downloads_three_files_and_writes_metadata(library, client):
    entry = await library.save(completed(), client)
    folder = library.root / "video_001"
    assert entry.folder == folder
    assert sorted(path.name for path in folder.iterdir()) == [
        "metadata.json",
        "spritesheet.jpg",
        "thumbnail.webp",
        "video.mp4",
    ]
    assert entry.video_path.read_bytes().startswith(FAKE_MEDIA["video"])
    assert entry.thumbnail_path.read_bytes().startswith(FAKE_MEDIA["thumbnail"])
    assert entry.spritesheet_path.read_bytes().startswith(FAKE_MEDIA["spritesheet"])
    metadata = json.loads((folder / "metadata.json").read_text())
    assert metadata == {
        "id": "video_001",
        "prompt": "a red fox",
        "model": "sora-2",
        "size": "720x1280",
        "seconds": "4",
        "status": "completed",
        "created_at": 1_750_000_000,
        "completed_at": 1_750_000_030,
        "expires_at": 1_750_003_630,
        "remixed_from_video_id": None,
        "base_url": "https://fake.test/v1",
        "cost": 0.4,
        "saved_at": 1_750_000_100.0,
        "charged_cost": None,  # the fake server sends no cost header
        "sprite": None,  # the fake's spritesheet is only JPEG's magic bytes: no grid to read
        "pictures": {"thumbnail": "server", "spritesheet": "server"},
        "extends": None,
        "continues": None,
        # The fake's MP4 is only its magic bytes: kept as it came, saying why it is untagged.
        "file_metadata_problem": "The MP4 keeps no metadata: it could not be remuxed "
        "(InvalidDataError: Invalid data found when processing input).",
        "settings": None,  # nothing beyond prompt, model, size and seconds was sent
        "request": None,  # the contract's fields were all it sent
        "generation_id": None,  # an OpenRouter field: not on this server
        "is_byok": None,
        "outputs": None,  # one output
        "files": {
            "video": "video.mp4",
            "thumbnail": "thumbnail.webp",
            "spritesheet": "spritesheet.jpg",
        },
    }
    assert library.get("video_001") == entry


async def test_metadata_saved_before_charged_costs_and_grids_still_loads(library, client):
    entry = await library.save(completed(), client)
    path = entry.folder / "metadata.json"
    old = json.loads(path.read_text())
    for name in ("charged_cost", "sprite", "pictures", "settings"):
        del old[name]
    path.write_text(json.dumps(old))
    loaded = library.get(entry.id)
    assert loaded is not None and loaded.charged_cost is None and loaded.sprite is None
    assert library.total_cost() == 0.4


async def test_a_video_is_downloaded_exactly_once(library, client):
    first, second = await asyncio.gather(
        library.save(completed(), client), library.save(completed(), client)
    )
    assert first == second and client.calls["download"] == 3
    again = Library(library.root)
    assert await again.save(completed(), client) == first
    assert client.calls["download"] == 3


async def test_only_completed_videos_are_saved(library, client):
    with pytest.raises(ValueError, match="in_progress"):
        await library.save(completed(status="in_progress", progress=50), client)


async def test_a_download_that_keeps_failing_raises_and_keeps_the_job_pending(
    library, client, fake_time
):
    video = completed()
    library.record_pending(video, client.base_url)
    client.download_errors = {"video": [APIConnectionError("cut short")]}
    with pytest.raises(APIConnectionError):
        await library.save(video, client)
    assert fake_time.sleeps == []  # the client retried already: the library does not loop
    assert library.get(video.id) is None
    assert not (library.folder(video.id) / "metadata.json").exists()
    assert [record["id"] for record in library.pending()] == [video.id]
    # The two variants that did arrive are kept; a later save fetches only the missing one.
    entry = await library.save(video, client)
    assert entry.video_path.exists() and client.calls["download"] == 3 + 1
    assert library.pending() == []


async def test_an_expired_download_is_not_retried(library, client):
    client.download_errors = {"video": [NotFoundError("The content expired.", status_code=404)]}
    with pytest.raises(CompletedWithoutVideo) as ended:
        await library.save(completed(), client)
    assert isinstance(ended.value.__cause__, NotFoundError)
    assert client.calls["download"] == 3
    assert [record["id"] for record in library.failures()] == ["video_001"]


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
async def test_saved_files_get_the_umasks_mode(library, client, umask, mode):
    """A library folder shared by a class must be readable as the umask says, not 0600."""
    previous = os.umask(umask)
    try:
        video = completed()
        library.record_pending(video, client.base_url)
        entry = await library.save(video, client)
        record = library.root / PENDING_FOLDER / "video_002.json"
        library.record_pending(completed("video_002"), client.base_url)
    finally:
        os.umask(previous)
    for path in [*entry.folder.iterdir(), record]:
        assert path.stat().st_mode & 0o777 == mode, path.name


# ---- disk problems ----------------------------------------------------------------------------


async def test_an_unwritable_root_gives_a_clear_error_naming_the_folder(tmp_path, client):
    root = tmp_path / "not-a-folder"
    root.write_text("a file where the library should be")
    library = Library(root)
    with pytest.raises(LibraryWriteError) as raised:
        await library.save(completed(), client)
    assert isinstance(raised.value, OSError) and isinstance(raised.value, SoraError)
    assert str(root / "video_001") in str(raised.value)


async def test_a_full_disk_leaves_no_partial_file(library, client):
    client.download_errors = {"video": [OSError(errno.ENOSPC, "No space left on device")]}
    with pytest.raises(LibraryWriteError, match="No space left") as raised:
        await library.save(completed(), client)
    assert raised.value.errno == errno.ENOSPC
    assert str(library.folder("video_001")) in str(raised.value)
    assert not (library.folder("video_001") / "metadata.json").exists()


async def test_metadata_is_written_atomically(library, client, monkeypatch):
    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(LibraryWriteError):
        await library.save(completed(), client)
    leftovers = [path.name for path in files_under(library.root)]
    assert sorted(leftovers) == ["spritesheet.jpg", "thumbnail.webp", "video.mp4"]


def test_record_pending_on_a_broken_folder_only_warns(tmp_path, caplog):
    root = tmp_path / "not-a-folder"
    root.write_text("")
    Library(root).record_pending(completed(), "https://fake.test/v1")
    assert "will not be resumed" in caplog.text


# ---- reading ----------------------------------------------------------------------------------


async def saved_family(library: Library, client: FakeClient) -> None:
    """video_001 <- video_002 <- video_003, and video_004 also from video_001; video_005 alone."""
    sources = {"video_002": "video_001", "video_003": "video_002", "video_004": "video_001"}
    prompts = {"video_005": "a blue whale", "video_003": "a red fox at night in the rain"}
    for number in range(1, 6):
        video_id = f"video_{number:03d}"
        await library.save(
            completed(
                video_id,
                created_at=1_750_000_000 + number,
                remixed_from_video_id=sources.get(video_id),
                prompt=prompts.get(video_id, "a red fox"),
                model="sora-2-pro" if number == 5 else "sora-2",
            ),
            client,
        )


async def test_entries_find_lineage_remixes_and_cost(library, client):
    await saved_family(library, client)
    assert [entry.id for entry in library.entries()] == [
        "video_005",
        "video_004",
        "video_003",
        "video_002",
        "video_001",
    ]
    assert [entry.id for entry in library.find("WHALE")] == ["video_005"]
    assert len(library.find("fox")) == 4
    assert library.lineage("video_003") == ["video_003", "video_002", "video_001"]
    assert library.lineage("video_001") == ["video_001"]
    assert [entry.id for entry in library.remixes_of("video_001")] == ["video_002", "video_004"]
    assert library.total_cost() == pytest.approx(4 * 0.4 + 1.2)
    assert library.get("video_999") is None


async def test_lineage_stops_at_a_source_that_is_not_saved(library, client):
    await library.save(completed(remixed_from_video_id="video_gone"), client)
    assert library.lineage("video_001") == ["video_001", "video_gone"]


async def test_an_edited_metadata_file_cannot_point_outside_the_folder(library, client):
    entry = await library.save(completed(), client)
    metadata_path = entry.folder / "metadata.json"
    metadata = json.loads(metadata_path.read_text())
    metadata["files"]["video"] = "../../../etc/passwd"
    metadata_path.write_text(json.dumps(metadata))
    assert library.get(entry.id).video_path == entry.folder / "video.mp4"


def test_foreign_or_broken_folders_are_skipped(library):
    (library.root / "not an id").mkdir(parents=True)
    (library.root / "not an id" / "metadata.json").write_text("{}")
    (library.root / "video_bad").mkdir()
    (library.root / "video_bad" / "metadata.json").write_text("{not json")
    assert library.entries() == []


# ---- pending jobs and resume ------------------------------------------------------------------


def test_the_backend_address_is_kept_without_credentials():
    assert (
        public_url("https://user:sk-secret@example.com:8443/v1/?api-key=sk-secret")
        == "https://example.com:8443/v1"
    )


async def test_a_running_job_is_pending_until_saved(library, fake_time):
    client = FakeClient(fake_time, queue=2, work=20)
    job = submit(client, "a fox", library=library, poller=fake_poller(client, fake_time))
    async for update in job.updates():
        if update.status is JobStatus.IN_PROGRESS:
            break
    assert [record["id"] for record in library.pending()] == [job.video_id]
    await job
    assert library.pending() == [] and job.path == library.folder(job.video_id) / "video.mp4"


async def test_resume_follows_pending_jobs_of_the_same_backend_only(library, fake_time):
    client = FakeClient(fake_time, queue=2, work=20)
    ours = await client.create("a fox")
    library.record_pending(ours, client.base_url)
    library.record_pending(completed("video_elsewhere"), "https://other.example/v1")

    fresh = Library(library.root)  # a new process: nothing in memory
    jobs = resume(client, fresh, poller=fake_poller(client, fake_time))
    assert [job.video_id for job in jobs] == [ours.id]
    await asyncio.gather(*jobs)
    assert fresh.get(ours.id) is not None
    assert [record["id"] for record in fresh.pending()] == ["video_elsewhere"]


async def test_a_job_this_process_follows_is_not_resumed_a_second_time(library, fake_time):
    client = FakeClient(fake_time, queue=2, work=20)
    job = submit(client, "a fox", library=library, poller=fake_poller(client, fake_time))
    async for update in job.updates():
        if update.status is JobStatus.IN_PROGRESS:
            break
    # A second widget in the same kernel: the running job is not followed twice.
    assert resume(client, Library(library.root), poller=fake_poller(client, fake_time)) == []
    job.cancel()


async def test_only_jobs_whose_process_has_ended_are_resumed(library, fake_time):
    """Another kernel still running follows its own jobs; a dead kernel's jobs are taken over."""
    client = FakeClient(fake_time, queue=2, work=20)
    alive_video, dead_video = await client.create("alive"), await client.create("dead")
    library.record_pending(alive_video, client.base_url)
    library.record_pending(dead_video, client.base_url)
    sleeper = [sys.executable, "-c", "import time; time.sleep(60)"]
    alive = subprocess.Popen(sleeper)
    dead = subprocess.Popen(sleeper)
    try:
        set_pending_owner(library.root, alive_video.id, **owner_of(alive))
        set_pending_owner(library.root, dead_video.id, **owner_of(dead))
        dead.kill()
        dead.wait()
        jobs = resume(client, Library(library.root), poller=fake_poller(client, fake_time))
        assert [job.video_id for job in jobs] == [dead_video.id]
        await asyncio.gather(*jobs)
    finally:
        alive.kill()
        alive.wait()
    # Once the other kernel has ended too, its job is free.
    jobs = resume(client, Library(library.root), poller=fake_poller(client, fake_time))
    assert [job.video_id for job in jobs] == [alive_video.id]
    await asyncio.gather(*jobs)


async def test_a_reused_pid_does_not_hold_a_job(library, fake_time):
    client = FakeClient(fake_time, queue=2, work=20)
    video = await client.create("a fox")
    library.record_pending(video, client.base_url)
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        # Same pid, but a process that started later than the one that recorded the job.
        set_pending_owner(library.root, video.id, **{**owner_of(process), "started": 12345.0})
        jobs = resume(client, Library(library.root), poller=fake_poller(client, fake_time))
        assert [job.video_id for job in jobs] == [video.id]
        await asyncio.gather(*jobs)
    finally:
        process.kill()
        process.wait()


async def test_resume_can_take_only_one_kind_of_owner_oldest_first(library, fake_time):
    client = FakeClient(fake_time, queue=2, work=20)
    videos = []
    for prompt, origin in [("one", "widget"), ("two", "compare"), ("three", "widget")]:
        fake_time.now += 1  # distinct created_at
        video = await client.create(prompt)
        library.record_pending(video, client.base_url, origin=origin)
        videos.append(video)
    fresh = Library(library.root)
    widget_jobs = resume(client, fresh, origin="widget", poller=fake_poller(client, fake_time))
    assert [job.video_id for job in widget_jobs] == [videos[0].id, videos[2].id]
    assert {job.origin for job in widget_jobs} == {"widget"}
    rest = resume(client, fresh, poller=fake_poller(client, fake_time))
    assert [(job.video_id, job.origin) for job in rest] == [(videos[1].id, "compare")]
    await asyncio.gather(*widget_jobs, *rest)


async def test_cancelling_a_job_means_it_is_not_resumed(library, fake_time):
    client = FakeClient(fake_time, queue=2, work=20)
    job = submit(client, "a fox", library=library, poller=fake_poller(client, fake_time))
    async for update in job.updates():
        if update.status is JobStatus.QUEUED:
            break
    job.cancel()
    assert library.pending() == []


# ---- against the simulator --------------------------------------------------------------------


async def wait_for_video(client, video_id: str) -> Video:
    while True:
        video = await client.retrieve(video_id)
        if video.is_terminal:
            return video
        await asyncio.sleep(0.02)


async def test_resume_after_a_restart_completes_a_pending_job(make_app, tmp_path):
    # The first "kernel": its simulator clock stands still, so the job is still queued when
    # the kernel dies, right after the job was recorded as pending.
    frozen = FakeClock(time.time())
    first_app = make_app(clock=frozen, speed=SPEED)
    client, _ = sim_client(first_app)
    video = await client.create("a red fox in fresh snow")
    Library(tmp_path / "library").record_pending(video, client.base_url)
    assert (await client.retrieve(video.id)).status == "queued"
    await client.aclose()
    await renders_finished(first_app)  # so the next server does not render it a second time

    # The restart: new simulator process, new client, new library, same folders.
    client, _ = sim_client(make_app(speed=SPEED))
    library = Library(tmp_path / "library")
    jobs = resume(client, library, poller=Poller(client, cadence=FAST))
    assert [job.video_id for job in jobs] == [video.id]
    await jobs[0]
    await client.aclose()
    entry = library.get(video.id)
    assert entry is not None and entry.video_path.read_bytes()[4:8] == MP4_MAGIC
    assert library.pending() == []


async def test_a_truncated_download_is_retried_and_the_file_is_whole(make_app, tmp_path):
    app = make_app(speed=SPEED)
    client, _ = sim_client(app)
    video = await wait_for_video(client, (await client.create("a red fox")).id)
    await client.aclose()

    faulty = make_app(speed=SPEED, faults=FaultConfig(seed=0, truncate_rate=0.5))
    sleeps: list[float] = []

    async def no_wait(seconds: float) -> None:
        sleeps.append(seconds)

    client, transport = sim_client(faulty, max_retries=5, sleep=no_wait)  # the only retries
    library = Library(tmp_path / "library")
    entry = await library.save(video, client)
    await client.aclose()
    assert transport.counts["content"] > 3 and sleeps  # at least one download was cut short
    served = tmp_path / "simulator" / "assets" / video.id
    assert packets(entry.video_path) == packets(served / "video.mp4")  # tagged, not re-encoded
    for name in ("thumbnail.webp", "spritesheet.jpg"):
        assert (entry.folder / name).read_bytes() == (served / name).read_bytes()
    assert sorted(path.name for path in entry.folder.iterdir()) == [
        "metadata.json",
        "spritesheet.jpg",
        "thumbnail.webp",
        "video.mp4",
    ]


def _refusing_server(answer: httpx.Response, gets: Counter[str]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        gets[request.url.params["variant"]] += 1
        return answer

    return httpx.MockTransport(handler)


@pytest.mark.parametrize(
    ("answer", "error_class"),
    [
        (
            httpx.Response(
                429, json={"error": {"message": "slow"}}, headers={"retry-after": "100000"}
            ),
            RateLimitError,
        ),
        (
            httpx.Response(200, headers={"content-length": "1000"}, content=b"cut"),
            APIConnectionError,
        ),
    ],
    ids=["rate_limited", "cut_short"],
)
async def test_a_download_failing_every_time_is_retried_by_the_client_only(
    tmp_path, answer, error_class
):
    """One retry layer, one cap: 1 + max_retries GETs per file (and the rate limit's waits
    when it says when to come back), never a wait past the cap."""
    gets: Counter[str] = Counter()
    sleeps: list[float] = []

    async def record(seconds: float) -> None:
        sleeps.append(seconds)

    transport = _refusing_server(answer, gets)
    client = SoraClient(
        "sk-test",
        base_url="http://api.test/v1",
        transport=transport,
        sleep=record,
        max_retries=2,
        dialect="openai",  # counted: only the downloads reach this server
    )
    with pytest.raises(error_class):
        await asyncio.wait_for(Library(tmp_path / "library").save(completed(), client), 10)
    per_file = 1 + 2 + (RetryPolicy().max_rate_limit_waits if answer.status_code == 429 else 0)
    assert gets == {"video": per_file, "thumbnail": per_file, "spritesheet": per_file}
    assert len(sleeps) == 3 * (per_file - 1) and max(sleeps) <= MAX_RETRY_AFTER
    assert list((tmp_path / "library").rglob("*.*")) == []  # nothing partial left behind


async def test_no_saved_file_contains_the_api_key(make_app, tmp_path):
    app = make_app(speed=SPEED, api_key=DISTINCTIVE_KEY)
    client, _ = sim_client(app, key=DISTINCTIVE_KEY)
    library = Library(tmp_path / "library")
    poller = Poller(client, cadence=FAST)
    job = submit(client, "a fox", library=library, poller=poller)
    remix = submit_remix(client, (await job).id, "a fox at night", library=library, poller=poller)
    await remix
    await client.aclose()
    saved = files_under(library.root)
    assert len(saved) == 8
    for path in saved:
        assert DISTINCTIVE_KEY.encode() not in path.read_bytes(), path
    assert DISTINCTIVE_KEY not in repr(job) + repr(library) + repr(job.entry)


async def test_saving_a_video_does_its_disk_work_off_the_event_loop(
    make_app, tmp_path, monkeypatch
):
    """In a notebook this loop is the kernel's: a write or an fsync on it freezes every widget.
    (The in-process simulator shares the loop and writes its own files: only ours count.)"""
    import sora_widget.core.atomic as atomic

    library = Library(tmp_path / "library")
    loop_thread = threading.current_thread()
    on_loop: list[str] = []

    def ours(args: tuple, kwargs: dict) -> bool:
        paths = [*args, *kwargs.values()]
        if paths and isinstance(paths[0], int):  # a file descriptor: where does it point?
            paths = [os.readlink(f"/proc/self/fd/{paths[0]}")]
        return any(str(library.root) in str(path) for path in paths)

    def watched(name, real):
        def call(*args, **kwargs):
            if threading.current_thread() is loop_thread and ours(args, kwargs):
                on_loop.append(name)
            return real(*args, **kwargs)

        return call

    for name in ("open", "fsync", "replace"):  # creating the temporary file, syncing, renaming
        monkeypatch.setattr(atomic.os, name, watched(name, getattr(os, name)))
    client, _ = sim_client(make_app(speed=SPEED))
    job = submit(client, "a red fox", library=library, poller=Poller(client, cadence=FAST))
    await asyncio.wait_for(job, 60)
    await client.aclose()
    assert job.entry is not None and job.entry.video_path.read_bytes()[4:8] == MP4_MAGIC
    assert on_loop == [], f"on the event loop's thread: {sorted(set(on_loop))}"
