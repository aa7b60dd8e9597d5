"""Helpers shared by the tests that are not test doubles (those are in `fakes`): servers as
real processes, request bodies, pictures, waits."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import os
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import anywidget
import httpx
import psutil
from PIL import Image
from starlette.applications import Starlette

from sora_widget.core.vote import Side, Vote
from sora_widget.engine.poller import Cadence
from sora_widget.simulator.process import command

from .spec import check_response

MP4_MAGIC = b"ftyp"
TEST_KEY = "sk-test-SECRET-do-not-leak-7f3a"
#: A key of OpenRouter's shape, for the simulator's `openrouter` profile (it takes any).
OPENROUTER_TEST_KEY = "sk-or-v1-test-0123456789abcdef0123456789abcdef0123456789abcdef01234567"
PROMPT = "a red fox trotting through fresh snow"
#: The cheapest quick OpenRouter job (simulator's `openrouter` profile): 854x480 for one second.
OPENROUTER_QUICK = {
    "model": "x-ai/grok-imagine-video",
    "prompt": "a paper boat on a pond",
    "duration": 1,
    "resolution": "480p",
    "aspect_ratio": "16:9",
}


def key_traces(key: str) -> list[bytes]:
    """What would betray `key` in a file or a log: the key itself, or the start of an
    unsalted digest of it (as a record kept it once), in hex."""
    digests = [make(key.encode()).hexdigest() for make in (hashlib.sha256, hashlib.sha1)]
    return [key.encode(), *(digest[:16].encode() for digest in digests)]


def leaked_keys(folder: Path, *keys: str) -> list[tuple[str, str]]:
    """(file, key) for every file under `folder` holding a trace of one of `keys`."""
    return [
        (str(path), key)
        for path in sorted(folder.rglob("*"))
        if path.is_file()
        for key in keys
        if any(trace in path.read_bytes() for trace in key_traces(key))
    ]


def fast_cadence(**overrides: float) -> Cadence:
    """Polling quick enough for tests in real time, hinted or not: a test's server that is
    not the simulator is otherwise polled as the guide says (first after 10 s)."""
    quick = {"initial": 0.05, "maximum": 0.2, "unhinted_initial": 0.05, "unhinted_maximum": 0.2}
    return Cadence(**{**quick, "unhinted_floor": 0.05, **overrides})


def png_bytes(width: int, height: int, color: tuple[int, int, int] = (200, 40, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, format="PNG")
    return buffer.getvalue()


async def _check_against_spec(response: httpx.Response) -> None:
    """Every JSON answer the tests see is checked against the published spec."""
    await response.aread()
    check_response(response)


def api_client(
    app: Starlette, key: str | None = "sk-anything", *, spec: bool = True
) -> httpx.AsyncClient:
    """`spec=False` for the profiles of servers that bend OpenAI's spec (see `profiles`)."""
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://simulator.test/v1",
        headers=headers,
        event_hooks={"response": [_check_against_spec] if spec else []},
    )


async def renders_finished(app: Starlette, timeout: float = 30.0) -> None:
    """Wait (in real time) until the worker has rendered every scheduled video."""
    simulator = app.state.simulator
    deadline = asyncio.get_running_loop().time() + timeout
    while simulator._renders:
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError("rendering did not finish")
        await asyncio.sleep(0.02)


def unused_port() -> int:
    """A loopback port nothing listens on right now: for a server to start on, or a refusal."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def error_of(response: httpx.Response) -> dict[str, Any]:
    return response.json()["error"]


# ---- pending jobs, as a dead process leaves them ----------------------------------------------


def owner_of(process: subprocess.Popen) -> dict[str, Any]:
    """The owner a pending record names for `process` (another kernel, alive or not)."""
    return {
        "host": socket.gethostname(),
        "pid": process.pid,
        "started": psutil.Process(process.pid).create_time(),
    }


def set_pending_owner(library_root: Path, video_id: str, **owner: Any) -> None:
    """Rewrite fields of the process a pending job's record names (say, `pid=-1`: it is gone)."""
    path = library_root / ".pending" / f"{video_id}.json"
    record = json.loads(path.read_text())
    path.write_text(json.dumps({**record, "owner": {**record["owner"], **owner}}))


async def started(job: Any) -> None:
    """Until the server has the job queued or running."""
    while job.video_id is None or job.status.value not in ("queued", "in_progress"):
        await asyncio.sleep(0.01)


def kill_kernel(job: Any) -> None:
    """What a kernel restart does to a running job: its task stops, its pending record stays,
    and the process named in that record is gone."""
    job._task.cancel()
    set_pending_owner(job.library.root, job.video_id, pid=-1)


# ---- media, as a view asks for them -----------------------------------------------------------


async def delivered(widget: Any, *keys: str) -> dict[str, bytes]:
    """What a view asking for `keys` receives through the widget's media mailbox."""
    got: dict[str, bytes] = {}

    def take(change: dict[str, Any]) -> None:
        if change["new"]:
            got[widget.media_key] = change["new"]

    widget.observe(take, names="media")
    try:
        await widget.send_media(list(keys), widget.library)
    finally:
        widget.unobserve(take, names="media")
    return got


def stop_and_read(process: subprocess.Popen, output: Path) -> str:
    """Stop a server process the tests started and return what it printed to `output`."""
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    text = output.read_text(errors="replace")
    output.unlink(missing_ok=True)
    return text


def packets(path: Path) -> list[tuple[str, int | None, bytes]]:
    """Every stream's packets in an MP4 (type, pts, bytes): a remux keeps them all alike."""
    import av

    with av.open(str(path)) as container:
        return [
            (packet.stream.type, packet.pts, bytes(packet))
            for packet in container.demux()
            if packet.dts is not None
        ]


# ---- sound -------------------------------------------------------------------------------------


def silent_mp4(path: Path, seconds: float = 1.0, width: int = 64, height: int = 64) -> Path:
    """An H.264 MP4 with no audio stream at all, as some servers send (the simulator's always
    have a track, silent or not)."""
    import av
    import numpy as np

    with av.open(str(path), "w") as container:
        video = container.add_stream("libx264", rate=12)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        for n in range(round(seconds * 12)):
            pixels = np.full((height, width, 3), 40 + n * 8 % 200, dtype=np.uint8)
            container.mux(video.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")))
        container.mux(video.encode())
    return path


def audio_codec(mp4: bytes) -> str:
    """The first audio stream's codec in an MP4's bytes, "" when it has none (read by PyAV)."""
    import av

    with av.open(io.BytesIO(mp4)) as container:
        streams = container.streams.audio
        return streams[0].codec_context.name if streams else ""


def jpeg_bytes(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height)).save(buffer, format="JPEG")
    return buffer.getvalue()


# ---- what a server says -------------------------------------------------------------------------


def video_json(**overrides: Any) -> dict[str, Any]:
    """A video object as OpenAI's API sends it (queued), with `overrides`."""
    return {
        "id": "video_1",
        "object": "video",
        "model": "sora-2",
        "status": "queued",
        "progress": 0,
        "created_at": 1_750_000_000,
        "completed_at": None,
        "expires_at": None,
        "prompt": PROMPT,
        "size": "720x1280",
        "seconds": "4",
        "remixed_from_video_id": None,
        "error": None,
        **overrides,
    }


async def until(condition: Callable[[], bool], steps: int = 10_000) -> None:
    """Let other tasks run until `condition` holds (fake time moves as they sleep)."""
    for _ in range(steps):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("condition never became true")


# ---- the simulator as a real process ------------------------------------------------------------


@dataclass
class RunningServer:
    base_url: str
    process: subprocess.Popen
    data_dir: Path
    #: Where its stdout and stderr go: a file, not a pipe nobody reads, which would fill up and
    #: freeze the server at its next log line.
    output: Path


def start_server(data_dir: Path, *extra_args: str) -> RunningServer:
    """`sora-widget simulator` as a real process on port 0; returns once it prints its URL."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    handle, name = tempfile.mkstemp(prefix="simulator-", suffix=".out")
    output = Path(name)
    with os.fdopen(handle, "wb") as sink:
        process = subprocess.Popen(
            command(data_dir, *extra_args), stdout=sink, stderr=subprocess.STDOUT, env=env
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        for line in output.read_text(errors="replace").splitlines():
            if "listening on http://" in line:
                return RunningServer(line.split()[-1], process, data_dir, output)
        time.sleep(0.05)
    process.kill()
    process.wait()
    text = output.read_text(errors="replace")
    output.unlink()
    raise RuntimeError(f"simulator did not start: {text[-3000:]!r}")


def stop_server(server: RunningServer) -> str:
    """Stop it and return everything it printed, for the tests that check for leaks."""
    return stop_and_read(server.process, server.output)


@contextmanager
def server_running(data_dir: Path, *extra_args: str) -> Iterator[RunningServer]:
    """`start_server` for the length of a `with` block (a fixture's life, say)."""
    server = start_server(data_dir, *extra_args)
    try:
        yield server
    finally:
        stop_server(server)


# ---- widgets -------------------------------------------------------------------------------------


def state_text(widget: anywidget.AnyWidget) -> str:
    """Everything a widget would sync or save, binary buffers included, as one string."""
    parts = []
    for value in widget.get_state().values():
        if isinstance(value, bytes | memoryview):
            parts.append(bytes(value).decode("latin-1"))
        else:
            parts.append(json.dumps(value, default=lambda v: bytes(v).decode("latin-1")))
    return "\n".join(parts)


def arena_leaks(arena: Any) -> list[str]:
    """What of the pair awaiting a vote the Arena's synced traits give away: any of its models'
    names, the pair's video ids, the library's folder or the videos' own folders (the page
    must tell the two sides apart by nothing but their pictures)."""
    pair = arena.current
    assert pair is not None, "no pair awaits a vote"
    secrets = [*arena.models, str(arena.library.root)]
    for side in (pair.left, pair.right):
        secrets += [side.video_id, arena.library.get(side.video_id).folder.name]
    text = state_text(arena)
    return [secret for secret in secrets if secret in text]


def arena_vote(
    left: str,
    right: str,
    choice: str = "left",
    *,
    second: int = 0,
    prompt: str = PROMPT,
    voter: str = "me",
    tags: tuple[str, ...] = (),
) -> Vote:
    """A vote between two models' videos on `prompt`, `second` seconds into 2026."""
    return Vote.cast(
        voter,
        prompt,
        Side(left, f"video_{left}"),
        Side(right, f"video_{right}"),
        choice,
        tags,
        when=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=second),
    )
