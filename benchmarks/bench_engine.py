"""This package's job engine against the loop a user would otherwise write with the official SDK.

    python benchmarks/bench_engine.py          # about 3 to 4 minutes on 2 busy cores
    python benchmarks/bench_engine.py --load   # then the 50-job case again, cores kept busy

Engine: `submit()` jobs sharing one `Poller` (server hints for one job, one `GET /videos` per
tick for many), each saved by a `Library` (video, thumbnail and spritesheet, written atomically).
Baseline: `openai.AsyncOpenAI`'s `videos.create_and_poll()` (polls each video on its own, every
`openai-poll-after-ms` or 1 s) then `download_content().write_to_file()` for the MP4, with
`asyncio.gather` for concurrency: the fair async baseline.

Both run in this process, one after the other, against one simulator server started here on a
free loopback port with a fixed `--speed`, so they see the same timeline (a 4 s clip takes about
2 s at speed 10, longer when 50 renders queue for the simulator's one render worker). Both use
the same httpx transport, wrapped to count requests, so the HTTP stack is not what is compared.
A warm-up job runs first so neither side pays for the render worker's start.

What each number means (medians over every video, or every sample, of the repeated runs):

- requests / video: HTTP requests sent (retries included) divided by videos finished. The
  engine also fetches the thumbnail and spritesheet: 2 more per video than the baseline.
- status polls / video: the GET requests asking for a video's state (`/videos/{id}` and, for the
  engine, `GET /videos` covering all of its jobs at once): the like-for-like polling cost.
- ready after completion: seconds from the moment the server finished the video (its end of
  work or of rendering, whichever is later, read from the simulator's record) to the moment
  the client had it on disk (engine: all three files and the metadata; baseline: the MP4).
- loop lag p50 / p99: how late a task sleeping 10 ms in a loop woke up, sampled all through the
  run: how much the client work delays everything else in the event loop (in Jupyter, the
  kernel's: widget updates, other cells' tasks).
- batch time: from the first create to the last file on disk.

One bias to keep in mind: `--speed` compresses the server's timeline, and with it the poll
hints the SDK follows, but not the engine's own cadence for many jobs (first poll after 2 s,
backing off to 15 s): at speed 10 that cadence is ten times coarser, relative to a job, than
it would be against the real service, so "ready after completion" flatters the baseline.

With `--load` the 50-job case runs a second time while one busy-looping process per core
(started here, stopped after) competes for the CPU: the kernel's loop then gets its time slices
late, and any blocking work on it (a write, an fsync, a PNG encode) stretches the lag.

The machine is shared and small (see the header of the results): read the ratios, not the
absolute times, and expect noise between runs, most of all in the loop lag's p99.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import openai

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sora_widget.client import SoraClient  # noqa: E402
from sora_widget.jobs import VideoJob, submit  # noqa: E402
from sora_widget.library import Library  # noqa: E402
from sora_widget.simulator.server import command  # noqa: E402
from sora_widget.simulator.store import VideoRecord  # noqa: E402
from sora_widget.simulator.timeline import snapshot  # noqa: E402

SPEED = 10.0
SIZE = "720x1280"
SECONDS = "4"
KEY = "sk-bench-local"
#: (concurrent jobs, runs of each client); runs alternate engine and baseline.
CASES = ((1, 3), (50, 2))
#: The case repeated with `--load`, every core kept busy by another process.
LOADED_CASE = (50, 2)
LAG_INTERVAL = 0.01
RUN_TIMEOUT = 120.0
RESULTS = Path(__file__).resolve().parent / "results" / "engine.md"

warnings.filterwarnings("ignore", message="The Sora API is scheduled", category=DeprecationWarning)


class CountingTransport(httpx.AsyncBaseTransport):
    """A real HTTP transport that counts what it sends, by kind of request."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.counts: Counter[str] = Counter()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method == "POST":
            kind = "create"
        elif path.endswith("/content"):
            kind = "content"
        else:
            kind = "status"  # GET /videos/{id} or GET /videos
        self.counts[kind] += 1
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@dataclass
class Run:
    videos: int = 0
    requests: Counter[str] = field(default_factory=Counter)
    #: video id -> time.time() when its file(s) were on disk.
    ready_at: dict[str, float] = field(default_factory=dict)
    lag: list[float] = field(default_factory=list)
    batch_seconds: float = 0.0


def prompt(index: int) -> str:
    return f"bench {index}: a red fox trotting through fresh snow at dawn"


async def engine(base_url: str, jobs: int, folder: Path, run: Run) -> None:
    transport = CountingTransport()
    library = Library(folder)
    async with SoraClient(KEY, base_url=base_url, transport=transport) as client:
        started = [
            submit(client, prompt(i), size=SIZE, seconds=SECONDS, library=library)
            for i in range(jobs)
        ]

        async def finish(job: VideoJob) -> None:
            video = await job
            run.ready_at[video.id] = time.time()

        await asyncio.gather(*(finish(job) for job in started))
    run.requests += transport.counts


async def baseline(base_url: str, jobs: int, folder: Path, run: Run) -> None:
    transport = CountingTransport()
    folder.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 (once, before the clock matters)
    async with httpx.AsyncClient(transport=transport, timeout=60.0) as http:
        client = openai.AsyncOpenAI(api_key=KEY, base_url=base_url, http_client=http)

        async def one(index: int) -> None:
            video = await client.videos.create_and_poll(
                prompt=prompt(index), model="sora-2", size=SIZE, seconds=SECONDS
            )
            content = await client.videos.download_content(video.id, variant="video")
            content.write_to_file(folder / f"{video.id}.mp4")
            run.ready_at[video.id] = time.time()

        await asyncio.gather(*(one(i) for i in range(jobs)))
    run.requests += transport.counts


Client = Callable[[str, int, Path, Run], Awaitable[None]]


async def measure(client: Client, base_url: str, jobs: int, folder: Path) -> Run:
    """One batch of `jobs`, with a task sampling the event loop's lag all the while."""
    run = Run(videos=jobs)
    loop = asyncio.get_running_loop()
    done = asyncio.Event()

    async def sample_lag() -> None:
        while not done.is_set():
            before = loop.time()
            await asyncio.sleep(LAG_INTERVAL)
            run.lag.append(loop.time() - before - LAG_INTERVAL)

    sampler = asyncio.create_task(sample_lag())
    start = time.perf_counter()
    try:
        async with asyncio.timeout(RUN_TIMEOUT):
            await client(base_url, jobs, folder, run)
    finally:
        run.batch_seconds = time.perf_counter() - start
        done.set()
        await sampler
    return run


def completed_at(data_dir: Path, video_id: str) -> float:
    """When the server finished the video, from its own record (exact, unlike `completed_at`)."""
    record_path = data_dir / "videos" / f"{video_id}.json"
    record = VideoRecord.from_json(json.loads(record_path.read_text()))
    state = snapshot(
        record.created_at,
        record.timeline,
        float("inf"),
        rendered_at=record.rendered_at,
        fail_at=None,
    )
    assert state.finished_at is not None, f"{video_id} is not completed on the server"
    return state.finished_at


@dataclass
class Summary:
    requests: float
    polls: float
    ready: float
    lag_p50_ms: float
    lag_p99_ms: float
    batch: float


def summarise(runs: list[Run], data_dir: Path) -> Summary:
    videos = sum(run.videos for run in runs)
    requests = sum((run.requests for run in runs), Counter())
    delays = [
        ready - completed_at(data_dir, video_id)
        for run in runs
        for video_id, ready in run.ready_at.items()
    ]
    lag = sorted(sample for run in runs for sample in run.lag)
    return Summary(
        requests=requests.total() / videos,
        polls=requests["status"] / videos,
        ready=statistics.median(delays),
        lag_p50_ms=1000 * statistics.median(lag),
        lag_p99_ms=1000 * lag[min(len(lag) - 1, int(0.99 * len(lag)))],
        batch=statistics.median(run.batch_seconds for run in runs),
    )


def start_simulator(data_dir: Path) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        command(data_dir, "--speed", str(SPEED)),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    line = process.stdout.readline() if process.stdout else ""
    if "http://" not in line:
        process.kill()
        raise RuntimeError(f"the simulator did not start: {line!r}")
    return process, line.split()[-1]


def table(results: dict[str, dict[str, Summary]]) -> str:
    lines = [
        "| jobs | client | requests / video | status polls / video | ready after completion "
        "(s) | loop lag p50 (ms) | loop lag p99 (ms) | batch time (s) |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ]

    def row(jobs: str, name: str, values: tuple[float, ...], ratio: bool = False) -> str:
        cells = [f"{value:.2f}x" if ratio else f"{value:.2f}" for value in values]
        return f"| {jobs} | {name} | " + " | ".join(cells) + " |"

    for jobs, by_client in results.items():
        engine_values = _values(by_client["engine"])
        baseline_values = _values(by_client["baseline"])
        lines.append(row(jobs, "engine", engine_values))
        lines.append(row(jobs, "SDK baseline", baseline_values))
        ratios = tuple(
            e / b if b else float("nan")
            for e, b in zip(engine_values, baseline_values, strict=True)
        )
        lines.append(row(jobs, "**engine / baseline**", ratios, ratio=True))
    return "\n".join(lines)


def _values(summary: Summary) -> tuple[float, ...]:
    return (
        summary.requests,
        summary.polls,
        summary.ready,
        summary.lag_p50_ms,
        summary.lag_p99_ms,
        summary.batch,
    )


def busy_cores() -> list[subprocess.Popen[bytes]]:
    """One process spinning on each core, until terminated."""
    spin = [sys.executable, "-c", "while True: pass"]
    return [subprocess.Popen(spin) for _ in range(os.cpu_count() or 1)]


async def benchmark(
    base_url: str, data_dir: Path, work: Path, load: bool
) -> dict[str, dict[str, Summary]]:
    clients: dict[str, Client] = {"engine": engine, "baseline": baseline}
    await measure(engine, base_url, 1, work / "warm-up")
    results: dict[str, dict[str, Summary]] = {}
    cases = [(jobs, repeats, False) for jobs, repeats in CASES]
    if load:
        cases.append((*LOADED_CASE, True))
    for jobs, repeats, loaded in cases:
        label = f"{jobs}, cores busy" if loaded else str(jobs)
        spinners = busy_cores() if loaded else []
        try:
            runs: dict[str, list[Run]] = {name: [] for name in clients}
            for repeat in range(repeats):
                # Alternate who goes first, so a drift in machine load favours neither.
                order = list(clients) if repeat % 2 == 0 else list(reversed(clients))
                for name in order:
                    folder = work / f"{name}-{jobs}-{loaded}-{repeat}"
                    runs[name].append(await measure(clients[name], base_url, jobs, folder))
                    print(f"  {label} job(s), {name}, run {repeat + 1}/{repeats} done", flush=True)
        finally:
            for spinner in spinners:
                spinner.terminate()
                spinner.wait()
        results[label] = {name: summarise(runs[name], data_dir) for name in clients}
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--load", action="store_true", help="also run the 50-job case with every core kept busy"
    )
    load = parser.parse_args().load
    header = (
        f"Engine vs SDK baseline: simulator speed x{SPEED:g}, {SIZE}, {SECONDS} s clips; "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, openai {openai.__version__}; "
        f"{time.strftime('%Y-%m-%d')}. Runs per case (jobs: runs): "
        + ", ".join(f"{jobs}: {repeats}" for jobs, repeats in CASES)
        + (f"; {LOADED_CASE[0]} with every core busy: {LOADED_CASE[1]}" if load else "")
        + "."
    )
    print(header, flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-engine-") as temp:
        work = Path(temp)
        data_dir = work / "simulator"
        process, base_url = start_simulator(data_dir)
        try:
            results = asyncio.run(benchmark(base_url, data_dir, work / "clients", load))
        finally:
            process.terminate()
            process.wait(timeout=15)
    text = f"{header}\n\n{table(results)}\n"
    print()
    print(text)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text)
    print(f"Written to {RESULTS}")


if __name__ == "__main__":
    main()
