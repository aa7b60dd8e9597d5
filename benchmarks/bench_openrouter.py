"""The job engine against OpenRouter's documented client loop, on the openrouter profile.

    python benchmarks/bench_openrouter.py         # 5 jobs, 3 rounds of the 3 clients, ~11 min
    python benchmarks/bench_openrouter.py -r 1    # one round, about 4 minutes

One simulator (`sora-widget simulator --profile openrouter --speed 1`, real time, niced as in
`bench_engine`) on a free loopback port, serving OpenRouter's video API under `/api/v1`: no
progress field, no poll hint, no `GET /videos`. Four clients, in the same run, one after the
other (the order rotates every round), each sending the same 5 jobs at once:

- engine: `submit()` jobs on a `SoraClient(KEY, base_url=".../api/v1")` (the shape learned from
  the server's answer, as for any base URL), each saved by a `Library`; a job is "ready" when
  `await job` returns, that is with the MP4, the pictures made from it and the metadata on disk.
  Two ways: a fresh client every round (a new kernel's first videos: nothing learned), and one
  client kept across the rounds, as a kernel keeps `connect()`'s (its poller has learned how long
  such videos take, `sora_widget.engine.pace`, and looks for each one then).
- SDK, 10 s / SDK, 30 s: OpenRouter's official SDK (`openrouter` 1.3.84, async methods with
  `asyncio.gather`): `generate_async()`, then, as the guide's loop does, sleep the interval and
  `get_generation_async()` until the status is terminal, then `get_video_content_async(index=0)`
  written to a file. 10 s and 30 s are the two ends of what OpenRouter's reference recommends
  (every 10 to 30 s; the guide says about 30 s).

The jobs: Seedance 2.0 Fast (`bytedance/seedance-2.0-fast`) at 480p 16:9, 5, 7, 9, 11 and 13 s
clips, one each. The simulator draws a job's time from what was asked (model, size, duration,
prompt), so every client meets the same five timelines, about 23 to 51 s from create to
completed: the span OpenRouter's guide gives ("30 s to a few minutes"), and spread out, so no
fixed interval is flattered by all jobs ending just before one of its polls. A warm-up sends
each job once first: the simulator shares an earlier identical render (the openrouter profile
launches ordinary simulator jobs), so in the measured runs a job's end is its planned timeline,
not the render worker competing with the clients for this machine's CPU.

What each number means (over every video of every round):

- requests / video: HTTP requests the client sent (the engine's one `GET /videos/models`
  included), divided by videos.
- status polls / video: `GET /videos/{id}` requests (OpenRouter has no list to batch them).
- noticed after completion: from the moment the server finished the video (the simulator's own
  record: end of the planned timeline or of the render, whichever is later, read from the store
  as `bench_engine.completed_at` does) to the moment the client saw it completed (engine: the
  job entering "saving"; SDK: the `get_generation` answer saying "completed").
- ready after completion: the same, to the file(s) on disk.
- batch time: from the first create to the last file on disk.

Requests are counted by an httpx transport wrapper on each client's side (the engine's
`transport=`, the SDK's `async_client=`). No timing is asserted: the machine is small and
shared, and a fixed-interval loop's numbers depend on where the jobs' ends fall between polls.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from openrouter import OpenRouter

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_engine import SIMULATOR_NICE, completed_at, publish  # noqa: E402

from sora_widget.engine.client import SoraClient  # noqa: E402
from sora_widget.engine.jobs import JobStatus, VideoJob, submit  # noqa: E402
from sora_widget.engine.library import Library  # noqa: E402
from sora_widget.simulator.process import command  # noqa: E402

MODEL = "bytedance/seedance-2.0-fast"
RESOLUTION = "480p"
ASPECT_RATIO = "16:9"
SIZE = "854x480"  # what the engine is asked: 480p at 16:9
DURATIONS = (5, 7, 9, 11, 13)
KEY = "sk-or-v1-bench-local-0123456789abcdef0123456789abcdef0123456789abcdef"
ROUNDS = 3
RUN_TIMEOUT = 240.0
TERMINAL = ("completed", "failed", "cancelled", "expired")
RESULTS = Path(__file__).resolve().parent / "results" / "openrouter.md"
SCENARIO = "x1, openrouter profile"


class CountingTransport(httpx.AsyncBaseTransport):
    """A real HTTP transport that counts what it sends, by kind, and when each poll went out."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.counts: Counter[str] = Counter()
        #: video id -> time.time() of each status poll.
        self.polls: dict[str, list[float]] = defaultdict(list)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method == "POST":
            kind = "create"
        elif path.endswith("/content"):
            kind = "content"
        elif path.endswith("/videos/models"):
            kind = "models"
        elif "/videos/" in path:
            kind = "status"
            self.polls[path.rsplit("/", 1)[-1]].append(time.time())
        else:
            kind = "other"
        self.counts[kind] += 1
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@dataclass
class Run:
    videos: int = 0
    requests: Counter[str] = field(default_factory=Counter)
    created_at: dict[str, float] = field(default_factory=dict)
    noticed_at: dict[str, float] = field(default_factory=dict)
    ready_at: dict[str, float] = field(default_factory=dict)
    polls: dict[str, list[float]] = field(default_factory=dict)
    batch_seconds: float = 0.0


def prompt(index: int) -> str:
    return f"bench {index}: a paper boat drifting on a pond at dawn"


async def engine(base_url: str, folder: Path, run: Run) -> None:
    """A fresh client for every round: a new kernel's first videos, nothing learned yet."""
    transport = CountingTransport()
    async with SoraClient(KEY, base_url=base_url, transport=transport) as client:
        await _engine_batch(client, transport, folder, run)


#: The client `engine_kept` keeps across rounds, with its transport, by base URL.
_KEPT: dict[str, tuple[SoraClient, CountingTransport]] = {}


async def engine_kept(base_url: str, folder: Path, run: Run) -> None:
    """One client for every round, as a kernel keeps `connect()`'s: its poller knows how long
    these videos took in the earlier rounds (`sora_widget.engine.pace`), and looks for each then."""
    if base_url not in _KEPT:
        transport = CountingTransport()
        _KEPT[base_url] = (SoraClient(KEY, base_url=base_url, transport=transport), transport)
    client, transport = _KEPT[base_url]
    await _engine_batch(client, transport, folder, run)


async def _engine_batch(
    client: SoraClient, transport: CountingTransport, folder: Path, run: Run
) -> None:
    library = Library(folder)
    counted = Counter(transport.counts)
    started = [
        submit(client, prompt(i), model=MODEL, size=SIZE, seconds=str(d), library=library)
        for i, d in enumerate(DURATIONS)
    ]

    def notice(job: VideoJob) -> None:
        if job.video_id and job.video_id not in run.created_at:
            run.created_at[job.video_id] = time.time()
        if job.status is JobStatus.SAVING and job.video_id not in run.noticed_at:
            run.noticed_at[job.video_id] = time.time()

    for job in started:
        job.on_update(notice)

    async def finish(job: VideoJob) -> None:
        video = await job
        run.ready_at[video.id] = time.time()
        assert job.path is not None and job.path.is_file()

    await asyncio.gather(*(finish(job) for job in started))
    run.requests += transport.counts - counted
    run.polls = {vid: times for vid, times in transport.polls.items() if vid in run.ready_at}


def sdk_loop(interval: float) -> Callable[[str, Path, Run], Awaitable[None]]:
    """OpenRouter's documented loop with the official SDK, polling every `interval` s."""

    async def client_loop(base_url: str, folder: Path, run: Run) -> None:
        transport = CountingTransport()
        folder.mkdir(parents=True, exist_ok=True)
        async with httpx.AsyncClient(
            transport=transport, timeout=60.0, follow_redirects=True
        ) as http:
            client = OpenRouter(
                api_key=KEY, server_url=base_url, async_client=http, retry_config=None
            )
            videos = client.video_generation

            async def one(index: int, duration: int) -> None:
                job = await videos.generate_async(
                    model=MODEL,
                    prompt=prompt(index),
                    duration=duration,
                    resolution=RESOLUTION,
                    aspect_ratio=ASPECT_RATIO,
                )
                run.created_at[job.id] = time.time()
                status = job.status
                while status not in TERMINAL:
                    await asyncio.sleep(interval)
                    status = (await videos.get_generation_async(job_id=job.id)).status
                if status != "completed":
                    raise RuntimeError(f"{job.id} ended {status}")
                run.noticed_at[job.id] = time.time()
                content = await videos.get_video_content_async(job_id=job.id, index=0)
                try:
                    data = await content.aread()
                finally:
                    await content.aclose()
                (folder / f"{index}.mp4").write_bytes(data)
                run.ready_at[job.id] = time.time()

            await asyncio.gather(*(one(i, d) for i, d in enumerate(DURATIONS)))
        run.requests += transport.counts
        run.polls = dict(transport.polls)

    return client_loop


Client = Callable[[str, Path, Run], Awaitable[None]]
CLIENTS: dict[str, Client] = {
    "engine": engine,
    "engine, kept client": engine_kept,
    "SDK, every 10 s": sdk_loop(10.0),
    "SDK, every 30 s": sdk_loop(30.0),
}


async def measure(client: Client, base_url: str, folder: Path) -> Run:
    run = Run(videos=len(DURATIONS))
    start = time.perf_counter()
    try:
        async with asyncio.timeout(RUN_TIMEOUT):
            await client(base_url, folder, run)
    finally:
        run.batch_seconds = time.perf_counter() - start
    return run


async def warm_up(base_url: str) -> None:
    """Each job once, polled every second: the measured runs then share its render."""
    headers = {"Authorization": f"Bearer {KEY}"}
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=60.0) as http:

        async def one(index: int, duration: int) -> None:
            body = {
                "model": MODEL,
                "prompt": prompt(index),
                "duration": duration,
                "resolution": RESOLUTION,
                "aspect_ratio": ASPECT_RATIO,
            }
            created = await http.post("/videos", json=body)
            created.raise_for_status()
            job_id = created.json()["id"]
            while True:
                await asyncio.sleep(1.0)
                status = (await http.get(f"/videos/{job_id}")).json()["status"]
                if status in TERMINAL:
                    assert status == "completed", f"warm-up job {job_id} ended {status}"
                    return

        async with asyncio.timeout(RUN_TIMEOUT):
            await asyncio.gather(*(one(i, d) for i, d in enumerate(DURATIONS)))


@dataclass
class Summary:
    requests: float
    polls: float
    noticed: float
    ready: float
    ready_p90: float
    ready_max: float
    batch: float
    #: Server time per job (create to completed, as the client saw the create), for context.
    job_seconds: float


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summarise(runs: list[Run], data_dir: Path) -> Summary:
    videos = sum(run.videos for run in runs)
    requests = sum((run.requests for run in runs), Counter())
    done = {vid: completed_at(data_dir, vid) for run in runs for vid in run.ready_at}
    ready = [at - done[vid] for run in runs for vid, at in run.ready_at.items()]
    noticed = [at - done[vid] for run in runs for vid, at in run.noticed_at.items()]
    spans = [done[vid] - at for run in runs for vid, at in run.created_at.items() if vid in done]
    return Summary(
        requests=requests.total() / videos,
        polls=requests["status"] / videos,
        noticed=statistics.median(noticed),
        ready=statistics.median(ready),
        ready_p90=quantile(ready, 0.9),
        ready_max=max(ready),
        batch=statistics.median(run.batch_seconds for run in runs),
        job_seconds=statistics.median(spans),
    )


COLUMNS = (
    "requests / video",
    "status polls / video",
    "noticed after completion, median (s)",
    "ready after completion, median (s)",
    "ready after completion, p90 (s)",
    "ready after completion, max (s)",
    "batch time, median (s)",
)


def _values(summary: Summary) -> tuple[float, ...]:
    return (
        summary.requests,
        summary.polls,
        summary.noticed,
        summary.ready,
        summary.ready_p90,
        summary.ready_max,
        summary.batch,
    )


def table(summaries: dict[str, Summary]) -> str:
    lines = [
        "| scenario | client | " + " | ".join(COLUMNS) + " |",
        "|---|---|" + "---:|" * len(COLUMNS),
    ]

    def row(client: str, values: tuple[float, ...], ratio: bool = False) -> str:
        cells = [f"{v:.2f}x" if ratio else f"{v:.2f}" for v in values]
        return f"| {SCENARIO} | {client} | " + " | ".join(cells) + " |"

    for client, summary in summaries.items():
        lines.append(row(client, _values(summary)))
    engines = [client for client in summaries if client.startswith("engine")]
    for engine_name in engines:
        mine = _values(summaries[engine_name])
        for client in (client for client in summaries if client not in engines):
            theirs = _values(summaries[client])
            ratios = tuple(e / b if b else float("nan") for e, b in zip(mine, theirs, strict=True))
            lines.append(row(f"**{engine_name} / {client}**", ratios, ratio=True))
    return "\n".join(lines)


def poll_offsets(run: Run) -> dict[str, list[float]]:
    """Each video's status polls, in seconds after its create."""
    return {
        vid: [round(at - run.created_at[vid], 1) for at in times]
        for vid, times in run.polls.items()
        if vid in run.created_at
    }


async def compare(base_url: str, rounds: int, data_dir: Path, work: Path) -> dict[str, Summary]:
    started = time.perf_counter()
    await warm_up(base_url)
    print(f"  warm-up done in {time.perf_counter() - started:.1f} s", flush=True)
    runs: dict[str, list[Run]] = {client: [] for client in CLIENTS}
    names = list(CLIENTS)
    for number in range(rounds):
        # Rotate who goes first, so a drift in the machine's load favours no client.
        order = names[number % len(names) :] + names[: number % len(names)]
        for client in order:
            folder = work / f"{client.replace(' ', '').replace(',', '-')}-{number}"
            run = await measure(CLIENTS[client], base_url, folder)
            runs[client].append(run)
            ends = {vid: completed_at(data_dir, vid) for vid in run.ready_at}
            lags = sorted(round(run.ready_at[vid] - ends[vid], 1) for vid in ends)
            print(
                f"  {client}, round {number + 1}/{rounds}: {dict(run.requests)}, "
                f"batch {run.batch_seconds:.1f} s, ready after completion {lags}",
                flush=True,
            )
            for vid, offsets in sorted(poll_offsets(run).items(), key=lambda kv: kv[1][-1]):
                span = ends[vid] - run.created_at[vid]
                print(f"    done at {span:5.1f} s; polled at {offsets}", flush=True)
    return {client: summarise(runs[client], data_dir) for client in CLIENTS}


def start_simulator(data_dir: Path) -> tuple[subprocess.Popen[str], str]:
    """The openrouter profile at real speed, niced as bench_engine's simulator."""
    process = subprocess.Popen(
        command(data_dir, "--profile", "openrouter", "--speed", "1"),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        preexec_fn=lambda: os.nice(SIMULATOR_NICE),
    )
    line = process.stdout.readline() if process.stdout else ""
    if "http://" not in line:
        process.kill()
        raise RuntimeError(f"the simulator did not start: {line!r}")
    return process, line.split()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("-r", "--rounds", type=int, default=ROUNDS, help="rounds of each client")
    options = parser.parse_args()
    import openrouter

    header = (
        f"Engine vs OpenRouter's documented loop with its official SDK (openrouter "
        f"{openrouter.__version__}), on one "
        f"simulator with `--profile openrouter --speed 1`: {MODEL} at {RESOLUTION} "
        f"{ASPECT_RATIO}, one job each of {', '.join(map(str, DURATIONS))} s, sent together; "
        f"{options.rounds} rounds of the four clients, order rotating, after one warm-up; "
        f"{os.cpu_count()} CPUs (shared with other work), Python {platform.python_version()}; "
        f"{time.strftime('%Y-%m-%d')}. Medians over every video of the rounds; the machine is "
        "shared, expect noise. Generated by `python benchmarks/bench_openrouter.py`."
    )
    print(header, flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-openrouter-") as temp:
        work = Path(temp)
        data_dir = work / "simulator"
        process, base_url = start_simulator(data_dir)
        try:
            summaries = asyncio.run(compare(base_url, options.rounds, data_dir, work / "clients"))
        finally:
            process.terminate()
            process.wait(timeout=15)
    spans = statistics.median(s.job_seconds for s in summaries.values())
    print(f"Median job time on the server (create to completed): {spans:.1f} s")
    notes = (
        f"Median time of a job on the server, create to completed: {spans:.1f} s (the same five "
        "timelines for every client). OpenRouter sends no progress, no poll hint and has no "
        "`GET /videos`: the SDK loops sleep their interval, then `get_generation`, until "
        "completed, then download index 0 (one request); the engine learns the shape from "
        "`GET /videos/models` (counted in its requests), polls each video on its own "
        "(`GET /videos/{id}`) every 10 s while nothing is known of how long such videos take, "
        "and, once it is (the kept client from its second round on: "
        "`sora_widget.engine.pace`), at the "
        "window such videos took; it downloads the MP4 from "
        'the pre-signed `urls[0]` and makes the thumbnail and spritesheet from it. "Noticed" '
        'and "ready" are measured from the simulator\'s record of when it finished each video; '
        "the benchmark prints every video's poll times after its create."
    )
    publish(f"{header}\n\n{table(summaries)}\n\n{notes}\n", RESULTS)


if __name__ == "__main__":
    main()
