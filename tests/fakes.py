"""Test doubles, in one place: fake clocks, fake clients and servers, transports that record or
hold requests, executors that never render. Tests import them from here, never from each other.
"""

from __future__ import annotations

import asyncio
import hashlib
import pickle
import random
import shutil
import time as real_time
from collections import Counter
from collections.abc import Callable, Hashable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sora_widget.core.errors import BadRequestError, NotFoundError
from sora_widget.core.types import Video, VideoError, VideoStatus
from sora_widget.engine.api import VideoPage
from sora_widget.engine.client import SoraClient
from sora_widget.engine.features import ServerSupport
from sora_widget.engine.poller import _POLLERS, Cadence, Poller
from sora_widget.simulator.render import RenderedAssets, RenderRequest

from .helpers import TEST_KEY, fast_cadence, jpeg_bytes, png_bytes, video_json

#: When FakeClient's fake time 0 is, in Unix seconds.
EPOCH = 1_750_000_000
#: What FakeClient serves for each variant (its video id follows): only the first bytes matter.
FAKE_MEDIA = {
    "video": b"\0\0\0\x18ftypmp42",
    "thumbnail": b"RIFF\0\0\0\0WEBP",
    "spritesheet": b"\xff\xd8\xff",
}
#: Hostile's video: an MP4 header and nothing to play.
HOSTILE_MP4 = b"\x00\x00\x00\x18ftypmp42" + bytes(64)
#: Every Hostile answer asks to be polled again at once (clamped to the poller's 0.1 s floor).
FAST_POLL = {"openai-poll-after-ms": "1"}
NOT_FOUND_VIDEO = {
    "error": {
        "message": "Video with id 'video_9' not found.",
        "type": "invalid_request_error",
        "param": None,
        "code": None,
    }
}


# ---- clocks -------------------------------------------------------------------------------------


class FakeClock:
    """A clock tests move by hand, so time-dependent behaviour is exact and instant."""

    def __init__(self, start: float = 1_750_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class FakeTime:
    """A clock that moves only when someone sleeps: cadence tests run in no real time."""

    def __init__(self, seed: str | int = 0) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []
        #: Draws the jitter of the pollers on this clock: seeded, so a run can be repeated.
        self.random = random.Random(seed)

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


class Warp:
    """A clock and a sleep running `factor` times faster than real time, for everyone."""

    def __init__(self, factor: float) -> None:
        self.factor = factor
        self.start = real_time.time()

    def clock(self) -> float:
        return self.start + (real_time.time() - self.start) * self.factor

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds / self.factor)


# ---- clients and libraries ------------------------------------------------------------------


@dataclass
class FakeVideo:
    id: str
    prompt: str
    model: str
    size: str
    seconds: str
    created: float
    queue: float
    work: float
    remixed_from: str | None = None


class FakeClient:
    """SoraClient's interface over videos whose state is a function of the fake time.

    A prompt containing "forbidden" is blocked by moderation, one containing "broken" fails.
    """

    base_url = "https://fake.test/v1"
    is_simulator = True
    #: A server of the contract's shape: the real client's checks apply as they are.
    dialect = "openai"
    server_catalog: dict[str, object] = {}
    checked_parameters = SoraClient.checked_parameters
    remember_asked = SoraClient.remember_asked

    def __init__(
        self,
        time: FakeTime,
        *,
        queue: float = 2.0,
        work: float = 20.0,
        hint: float | None = None,
        page_cap: int = 100,
        stall: bool = False,
        silent: bool = False,
    ) -> None:
        self.time = time
        #: Like OpenRouter: no progress field, `pending` until the video is done.
        self.silent = silent
        self.sends_progress = False if silent else None
        self.stall = stall  # never completes: progress stops at 99%
        self.queue = queue
        self.work = work
        self.hint = hint
        self.page_cap = page_cap
        self.videos: dict[str, FakeVideo] = {}
        self.support = ServerSupport()  # what a real client learns of its server
        self.requests: dict[str, dict[str, object]] = {}  # what each create sent, by video id
        self._asked: dict[str, dict[str, object]] = {}
        self.calls: Counter[str] = Counter()
        self.retrieved: list[str] = []
        #: Raised, in order, by the next polls (list or retrieve), and by downloads per variant.
        self.poll_errors: list[Exception] = []
        self.download_errors: dict[str, list[Exception]] = {}
        self.create_error: Exception | None = None
        self.list_error: Exception | None = None

    def add(self, prompt: str, model: str, size: str, seconds: str, source: str | None) -> Video:
        video_id = f"video_{len(self.videos) + 1:03d}"
        self.videos[video_id] = FakeVideo(
            video_id, prompt, model, size, seconds, self.time.now, self.queue, self.work, source
        )
        return self.describe(video_id)

    def describe(self, video_id: str) -> Video:
        if video_id not in self.videos:
            raise NotFoundError(f"Video with id '{video_id}' not found.", status_code=404)
        fake = self.videos[video_id]
        working = self.time.now - fake.created - fake.queue
        fields: dict = {"status": "queued", "progress": 0}
        if working >= 0 and ("forbidden" in fake.prompt or "broken" in fake.prompt):
            code = "moderation_blocked" if "forbidden" in fake.prompt else "video_generation_failed"
            fields = {
                "status": "failed",
                "progress": 0,
                "error": VideoError(code, f"{code} (fake)"),
            }
        elif working >= fake.work and not self.stall:
            done = int(EPOCH + fake.created + fake.queue + fake.work)
            fields = {"status": "completed", "progress": 100, "completed_at": done}
            fields["expires_at"] = done + 3600
        elif working >= 0:
            fields = {"status": "in_progress", "progress": min(99, int(100 * working / fake.work))}
        if self.silent and fields["status"] != "completed":
            fields = {**fields, "status": "queued", "progress": 0}
        if self.silent:
            fields["progress_reported"] = False
        return Video(
            id=fake.id,
            model=fake.model,
            created_at=int(EPOCH + fake.created),
            size=fake.size,
            seconds=fake.seconds,
            prompt=fake.prompt,
            remixed_from_video_id=fake.remixed_from,
            **fields,
        )

    def _maybe_fail(self) -> None:
        if self.poll_errors:
            raise self.poll_errors.pop(0)

    async def create(
        self,
        prompt,
        *,
        model="sora-2",
        size="720x1280",
        seconds="4",
        input_reference=None,
        fit=None,
        **images_and_parameters,
    ) -> Video:
        self.calls["create"] += 1
        if self.create_error is not None:
            raise self.create_error
        return self.add(prompt, model, size, seconds, None)

    async def remix(self, video_id: str, prompt: str) -> Video:
        self.calls["remix"] += 1
        source = self.describe(video_id)
        return self.add(prompt, source.model, source.size, source.seconds, video_id)

    async def retrieve(self, video_id: str) -> Video:
        self.calls["retrieve"] += 1
        return self.describe(video_id)

    async def retrieve_with_hint(self, video_id: str) -> tuple[Video, float | None]:
        self.calls["retrieve"] += 1
        self.retrieved.append(video_id)
        self._maybe_fail()
        return self.describe(video_id), self.hint

    async def list_page(self, *, limit=None, order=None, after=None) -> VideoPage:
        self.calls["list"] += 1
        if self.list_error is not None:
            raise self.list_error
        self._maybe_fail()
        newest_first = [self.describe(video_id) for video_id in reversed(self.videos)]
        page = newest_first[: min(limit or 20, self.page_cap)]
        return VideoPage(
            data=page,
            first_id=page[0].id if page else None,
            last_id=page[-1].id if page else None,
            has_more=len(newest_first) > len(page),
        )

    async def delete(self, video_id: str) -> bool:
        self.calls["delete"] += 1
        video = self.describe(video_id)
        if not video.is_terminal:
            raise BadRequestError(
                f"Cannot delete video '{video_id}' while its status is '{video.status}'.",
                status_code=400,
            )
        del self.videos[video_id]
        return True

    async def download_content(self, video_id: str, variant: str = "video", path=None) -> Path:
        self.calls["download"] += 1
        self.describe(video_id)
        if self.download_errors.get(variant):
            raise self.download_errors[variant].pop(0)
        target = Path(path)
        target.write_bytes(FAKE_MEDIA[variant] + video_id.encode())
        return target


def fake_poller(client: FakeClient, time: FakeTime, **timing: float) -> Poller:
    cadence = Cadence(rng=time.random, **timing)
    return Poller(client, clock=time.clock, sleep=time.sleep, cadence=cadence)


class TimedClient(FakeClient):
    """Records (fake time, kind, video id or None) for every poll request."""

    def __init__(self, time: FakeTime, **options) -> None:
        super().__init__(time, **options)
        self.polls: list[tuple[float, str, str | None]] = []

    async def retrieve_with_hint(self, video_id: str) -> tuple[Video, float | None]:
        self.polls.append((self.time.now, "retrieve", video_id))
        return await super().retrieve_with_hint(video_id)

    async def list_page(self, *, limit=None, order=None, after=None) -> VideoPage:
        self.polls.append((self.time.now, "list", None))
        return await super().list_page(limit=limit, order=order, after=after)


class EndingClient(FakeClient):
    """A FakeClient whose server ends its videos with `final` instead of completing them."""

    final = "cancelled"

    def describe(self, video_id: str) -> Video:
        video = super().describe(video_id)
        if video.status == VideoStatus.COMPLETED:
            return Video.from_dict({**video.to_dict(), "status": self.final})
        return video


class UnhintedClient(FakeClient):
    """A FakeClient for a real server that sends no poll hint."""

    is_simulator = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.support = ServerSupport()

    async def retrieve_with_hint(self, video_id: str) -> tuple[Video, float | None]:
        result = await super().retrieve_with_hint(video_id)
        self.support.learn("poll_hint", result[1] is not None)
        return result


class FakeLibrary:
    """Records what a job asks of its library; `save` waits until the test releases it."""

    def __init__(self) -> None:
        self.pending: dict[str, str] = {}
        self.saved: list[str] = []
        self.release = asyncio.Event()

    def record_pending(self, video: Video, base_url: str, *, origin: str, **record) -> None:
        self.pending[video.id] = base_url

    def forget_pending(self, video_id: str) -> None:
        self.pending.pop(video_id, None)

    async def save(self, video: Video, client, **options) -> object:
        await self.release.wait()
        self.saved.append(video.id)
        self.forget_pending(video.id)
        return type("Entry", (), {"video_path": Path(f"/library/{video.id}/video.mp4")})()


# ---- servers --------------------------------------------------------------------------------


class FakeServer:
    """A Videos server in a MockTransport: videos are a function of a fake clock; which
    routes exist, and how it answers the missing ones, is set per test."""

    def __init__(self, time: FakeTime | None = None, **routes: Any) -> None:
        self.time = time or FakeTime()
        self.calls: Counter[str] = Counter()
        self.routes = {"list": True, "delete": True, "remix": True, **routes}
        self.videos: dict[str, float] = {}  # id -> creation time
        self.work = 30.0
        self.progress: Any = "linear"  # "linear", None (absent) or a function of the fraction

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def describe(self, video_id: str) -> dict[str, Any]:
        done = (self.time.now - self.videos[video_id]) / self.work
        if done >= 1:
            return video_json(id=video_id, status="completed", progress=100)
        fields: dict[str, Any] = {"id": video_id, "status": "processing"}
        body = video_json(**fields)
        if self.progress is None:
            del body["progress"]
        elif self.progress == "linear":
            body["progress"] = int(done * 100)
        else:
            body["progress"] = self.progress(done)
        return body

    def handle(self, request: httpx.Request) -> httpx.Response:
        path, method = request.url.path.removeprefix("/v1"), request.method
        if method == "POST" and path == "/videos":
            self.calls["create"] += 1
            video_id = f"video_{len(self.videos) + 1}"
            self.videos[video_id] = self.time.now
            return httpx.Response(200, json=self.describe(video_id))
        if method == "GET" and path == "/videos":
            self.calls["list"] += 1
            answer = self.routes["list"]
            if answer is True:
                data = [self.describe(video_id) for video_id in reversed(self.videos)]
                return httpx.Response(200, json={"object": "list", "data": data})
            return answer
        video_id = path.split("/")[2]
        if method == "GET" and path.count("/") == 2:
            self.calls["retrieve"] += 1
            if video_id not in self.videos:
                return httpx.Response(404, json=NOT_FOUND_VIDEO)
            return httpx.Response(200, json=self.describe(video_id))
        if method == "DELETE":
            self.calls["delete"] += 1
            answer = self.routes["delete"]
            if answer is True:
                if video_id not in self.videos:
                    return httpx.Response(404, json=NOT_FOUND_VIDEO)
                return httpx.Response(200, json={"id": video_id, "deleted": True})
            return answer
        if method == "POST" and path.endswith("/remix"):
            self.calls["remix"] += 1
            answer = self.routes["remix"]
            return answer if answer is not True else httpx.Response(200, json=video_json())
        return httpx.Response(404, json={"detail": "Not Found"})

    def client(self) -> SoraClient:
        return SoraClient(
            TEST_KEY, base_url="http://gateway.test/v1", transport=self.transport(), max_retries=0
        )


def hostile_video(**overrides: Any) -> dict[str, Any]:
    """A video object as Hostile's scripts start from: `video_json` with its own id."""
    return video_json(**{"id": "video_hostile1", **overrides})


class Hostile:
    """A scriptable server: `videos` answers the create and each poll in turn (the last one
    repeats); content is served from `media`. Requests are counted per path."""

    def __init__(self, *videos: dict[str, Any] | httpx.Response) -> None:
        self.videos = list(videos)
        self.polls = 0
        self.paths: list[str] = []
        self.media = {"video": HOSTILE_MP4, "thumbnail": png_bytes(72, 128), "spritesheet": None}

    def next_video(self) -> httpx.Response:
        answer = self.videos[min(self.polls, len(self.videos) - 1)]
        self.polls += 1
        if isinstance(answer, httpx.Response):
            return answer
        return httpx.Response(200, json=answer, headers=FAST_POLL)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(request.url.path)
        if request.url.path.endswith("/content"):
            variant = request.url.params.get("variant", "video")
            data = self.media.get(variant)
            if data is None:
                data = jpeg_bytes(720, 1280)
            return httpx.Response(200, content=data)
        if request.method == "GET" and request.url.path.endswith("/videos"):
            return httpx.Response(404, json={"error": {"message": "no list here"}})
        return self.next_video()


def client_for(handler: Callable[[httpx.Request], httpx.Response], **options: Any) -> SoraClient:
    """A client of a server played by `handler` (a Hostile, say), which never really waits."""

    async def no_wait(seconds: float) -> None:
        await asyncio.sleep(0)

    # The contract's shape, said up front: each server here answers requests in sequence.
    client = SoraClient(
        TEST_KEY,
        base_url="http://hostile.test/v1",
        transport=httpx.MockTransport(handler),
        sleep=no_wait,
        dialect="openai",
        **options,
    )
    # Jobs (the widget's too) use the client's shared poller: make it quick before first use.
    _POLLERS[client] = Poller(client, cadence=fast_cadence())
    return client


class ResponseCounter:
    """ASGI wrapper counting responses by (method, route, status).

    Outside the simulator's fault gate, it sees what a client would: a create answered 200
    reached the handler and made a video, even if the gate then dropped the body.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.counts: Counter[tuple[str, str, int]] = Counter()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        route = _route(scope["path"])

        async def counting(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.counts[(scope["method"], route, message["status"])] += 1
            await send(message)

        await self.app(scope, receive, counting)


def _route(path: str) -> str:
    if path == "/v1/videos":
        return "/videos"
    return "/videos/{id}/content" if path.endswith("/content") else "/videos/{id}"


# ---- transports -----------------------------------------------------------------------------


class Recording(httpx.AsyncBaseTransport):
    """Passes requests on to `inner` and remembers them, to count what reached the server."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.requests: list[httpx.Request] = []
        self.closed = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()  # keep the body, to look at what was sent
        self.requests.append(request)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        self.closed = True
        await self.inner.aclose()

    def creates(self) -> list[httpx.Request]:
        """The create requests (`POST .../videos`) that reached the server."""
        return [r for r in self.requests if r.method == "POST" and r.url.path.endswith("/videos")]


class CountingTransport(httpx.AsyncBaseTransport):
    """Counts requests by kind: models, list, retrieve (one video), content, other; and keeps the
    variant each content request asked for, in order."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.counts: Counter[str] = Counter()
        self.variants: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method == "GET" and path.endswith("/models"):
            self.counts["models"] += 1  # what the server offers (once per client), not a poll
        elif request.method == "GET" and path.endswith("/videos"):
            self.counts["list"] += 1
        elif request.method == "GET" and path.endswith("/content"):
            self.counts["content"] += 1
            self.variants.append(request.url.params.get("variant", "video"))
        elif request.method == "GET":
            self.counts["retrieve"] += 1
        else:
            self.counts[request.method] += 1
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def sim_client(
    app: Any, key: str = TEST_KEY, **options: Any
) -> tuple[SoraClient, CountingTransport]:
    """A real client of an in-process simulator app, through a CountingTransport."""
    transport = CountingTransport(httpx.ASGITransport(app=app))
    client = SoraClient(key, base_url="http://simulator.test/v1", transport=transport, **options)
    client.is_simulator = True  # as `connect()` says of the simulator it starts
    return client, transport


class StatusCounting(httpx.AsyncBaseTransport):
    """Our side of the proxy: every request and its answer's status."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.seen: Counter[tuple[str, str, int]] = Counter()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        path = request.url.path
        kind = "create" if path == "/v1/videos" and request.method == "POST" else "other"
        self.seen[(request.method, kind, response.status_code)] += 1
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


class RefusingCreates(httpx.AsyncBaseTransport):
    """Passes requests on, but answers the next `refusals` creates with a 429."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.refusals = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path.endswith("/videos") and self.refusals:
            self.refusals -= 1
            body = {"error": {"message": "Too many requests.", "type": "rate_limit_error"}}
            return httpx.Response(429, json=body, headers={"retry-after": "1"})
        return await self.inner.handle_async_request(request)


class HeldCreates(httpx.AsyncBaseTransport):
    """Passes requests on, but holds each create (`POST .../videos`) until `release` is set;
    `holding` is set once one is held, so a test can look at the world while it waits."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.holding = asyncio.Event()
        self.release = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path.endswith("/videos"):
            self.holding.set()
            await self.release.wait()
        return await self.inner.handle_async_request(request)


# ---- sleeps and executors -------------------------------------------------------------------


class Sleeps(list):
    """An injectable sleep that records the delays instead of waiting."""

    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


class IdleExecutor(Executor):
    """Accepts renders and never runs them: jobs stay in progress, and no CPU is spent on media
    that tests of requests and errors never look at."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        return Future()


class HeldRenders(Executor):
    """Records which prompts it was asked to render, in order, and finishes a render only when a
    test says so: the order of a render queue, seen without rendering anything."""

    def __init__(self) -> None:
        self.started: list[str] = []
        self._pending: list[tuple[Future[RenderedAssets], Path]] = []

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        request, out_dir = args
        self.started.append(request.prompt)
        future: Future[RenderedAssets] = Future()
        self._pending.append((future, out_dir))
        return future

    def finish_oldest(self) -> None:
        future, out_dir = self._pending.pop(0)
        names = ("video.mp4", "thumbnail.webp", "spritesheet.jpg")
        paths = (out_dir / name for name in names)
        future.set_result(RenderedAssets(*paths, ending=""))  # nothing drawn: no last frame

    @property
    def rendering(self) -> int:
        return len(self._pending)


class CountingExecutor(ThreadPoolExecutor):
    """Renders for real, one at a time, and counts how many renders it was given."""

    def __init__(self) -> None:
        super().__init__(max_workers=1)
        self.renders = 0

    def submit(self, fn, /, *args, **kwargs):
        self.renders += 1
        return super().submit(fn, *args, **kwargs)


class CachedRenders(Executor):
    """Renders each distinct request once, on threads of its own, then copies those files for
    every later video asking the same: what the simulator does within one data folder, across
    every test that shares this executor. `key` says which requests count as the same (the
    soak: any of one size)."""

    def __init__(
        self, folder: Path, key: Callable[[RenderRequest], Hashable] | None = None
    ) -> None:
        self.folder = folder
        self.key = key or (lambda request: hashlib.sha256(pickle.dumps(request)).hexdigest())
        self.rendered: dict[Hashable, Future[RenderedAssets]] = {}
        self._threads = ThreadPoolExecutor(max_workers=2)

    def submit(
        self,
        fn: Callable[[RenderRequest, Path], RenderedAssets],
        /,
        *args: Any,
        **kwargs: Any,
    ) -> Future[RenderedAssets]:
        request, out_dir = args
        key = self.key(request)
        if key not in self.rendered:
            # Submitted before any copy of it, so a copy waiting for it never holds it back.
            folder = self.folder / str(len(self.rendered))
            self.rendered[key] = self._threads.submit(fn, request, folder)
        return self._threads.submit(_copy_assets, self.rendered[key], out_dir)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Kept for the next app: a closing simulator does not end a shared cache."""

    def close(self) -> None:
        self._threads.shutdown(wait=True, cancel_futures=True)


def _copy_assets(rendered: Future[RenderedAssets], out_dir: Path) -> RenderedAssets:
    source = rendered.result()
    out_dir.mkdir(parents=True, exist_ok=True)
    originals = (source.video, source.thumbnail, source.spritesheet)
    copies = (Path(shutil.copyfile(path, out_dir / path.name)) for path in originals)
    return RenderedAssets(*copies, ending=source.ending)


# ---- stitching ----------------------------------------------------------------------------------


class FakeStitch:
    """Stands in for `engine.stitch.stitch` (written on another branch) in storyboard tests:
    records each call's files and titles, writes `out` (a copy of the first shot), and says each
    shot starts where the ones before it end (their durations, read from the files)."""

    def __init__(self) -> None:
        self.calls: list[tuple[list[Path], list[str]]] = []
        #: Each call's `skips` (seconds left out at each shot's start; [] for none).
        self.skips: list[list[float]] = []
        #: Raised by the next call (then cleared), as a shot that cannot be read would be.
        self.failure: Exception | None = None

    def __call__(
        self,
        shots: list[Path],
        out: Path,
        *,
        titles: tuple[str, ...] | list[str] = (),
        size: str | None = None,
        transition_ms: int = 0,
        skips: tuple[float, ...] | list[float] = (),
    ) -> Any:
        import av

        from sora_widget.engine.stitch import Film

        self.calls.append((list(shots), list(titles)))
        self.skips.append(list(skips))
        if self.failure is not None:
            failure, self.failure = self.failure, None
            raise failure
        durations = []
        for shot in shots:
            with av.open(str(shot)) as container:
                durations.append(
                    container.duration / av.time_base - (skips[len(durations)] if skips else 0)
                )
                stream = container.streams.video[0]
                shape, fps = f"{stream.width}x{stream.height}", float(stream.average_rate or 0)
        shutil.copyfile(shots[0], out)
        starts = tuple(sum(durations[:n]) for n in range(len(durations)))
        return Film(Path(out), sum(durations), starts, shape, fps, True, True)


class EchoesNothing:
    """A gateway answering a create and each retrieve with only `{"id", "status"}` (done at
    once), serving `clips[n]` as the n-th video's content; other routes are OpenAI's 404."""

    def __init__(self, clips: list[bytes]) -> None:
        self.clips = clips
        self.created: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method == "POST" and path == "/v1/videos":
            self.created.append(request)
            return httpx.Response(200, json={"id": f"task_{len(self.created)}", "status": "queued"})
        number = path.removeprefix("/v1/videos/task_").split("/")[0]
        if request.method == "GET" and number.isdigit() and int(number) <= len(self.created):
            if path.endswith("/content"):
                return httpx.Response(200, content=self.clips[int(number) - 1],
                                      headers={"content-type": "video/mp4"})  # fmt: skip
            return httpx.Response(200, json={"id": f"task_{number}", "status": "completed"})
        said = f"Invalid URL ({request.method} {path})"
        return httpx.Response(404, json={"error": {"message": said}})
