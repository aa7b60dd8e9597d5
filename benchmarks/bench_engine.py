"""This package's job engine against the loop a user would otherwise write with the official SDK.

    python benchmarks/bench_engine.py                 # all three scenarios, about 4 minutes
    python benchmarks/bench_engine.py -s x1-10 -r 1   # one scenario, one run of each client
    python benchmarks/bench_engine.py --load          # and x10-50 again with every core busy

Scenarios (simulator speed, concurrent jobs): `x10-1` and `x10-50` on a compressed clock, and
`x1-10` at real speed, where the SDK's hint-driven cadence is not flattered by the compression.
Each scenario runs against its own simulator at its speed.

Engine: `submit()` jobs sharing one `Poller` (server hints for one job, one `GET /videos` per
tick for many), each saved by a `Library` (video, thumbnail and spritesheet, written atomically).
Baseline: `openai.AsyncOpenAI`'s `videos.create_and_poll()` (polls each video on its own, every
`openai-poll-after-ms` or 1 s) then `download_content().write_to_file()` for the MP4, with
`asyncio.gather` for concurrency: the fair async baseline.

Both run in this process, one after the other, against one simulator server started here on a
free loopback port with a fixed `--speed`, so they see the same timeline (a 4 s clip takes about
2 s at speed 10). Both use
the same httpx transport, wrapped to count requests, so the HTTP stack is not what is compared.
A warm-up batch first sends every prompt the scenario uses, once: the simulator draws a job's
timeline from what was asked and shares an earlier render of the same request, so in the
measured runs both clients meet the same server, one bound by its planned timeline, as a real
one is, not by its one render worker competing with the client for this machine's 2 cores.

What each number means (medians over every video, or every sample, of the repeated runs):

- requests / video: HTTP requests sent (retries included) divided by videos finished. The
  engine also fetches the thumbnail and spritesheet: 2 more per video than the baseline.
- status polls / video: the GET requests asking for a video's state (`/videos/{id}` and, for the
  engine, `GET /videos` covering all of its jobs at once): the like-for-like polling cost.
- noticed after completion: the same, to the moment the client's polling saw the video
  completed (before any download): the cadence's share of "ready after completion".
- ready after completion: seconds from the moment the server finished the video (its end of
  work or of rendering, whichever is later, read from the simulator's record) to the moment
  the client had it on disk (engine: all three files and the metadata; baseline: the MP4).
- loop lag p50 / p99: how late a task sleeping 10 ms in a loop woke up, sampled all through the
  run: how much the client work delays everything else in the event loop (in Jupyter, the
  kernel's: widget updates, other cells' tasks).
- batch time: from the first create to the last file on disk.

With `--load`, the `x10-50` case runs once more (its own simulator, same settings) while one
busy-looping process per core, started here at normal priority, competes for the CPU: the
kernel's loop then gets its time slices late, and any work on it stretches the lag. That is
the row "x10-50, cores busy".

The simulator (its server and its render worker) runs at a lower CPU priority (`nice` 10),
for both clients alike: against a real server the kernel does not share its cores with the
server's renderer, and here, on 2 cores, a render's CPU bursts would otherwise preempt the
kernel's process and show up as loop lag that no client could avoid. In the "cores busy" row
it runs at normal priority like everything else: niced against two busy loops, the render
worker gets about a tenth of a core and the warm-up's 50 renders take many minutes. The
busy-looping load processes always keep normal priority: another program competing with the
kernel is the scenario.

One bias to keep in mind: `--speed` compresses the server's timeline, and with it the poll
hints the SDK follows, but not the engine's fixed waits (first poll after 1 s, list requests at
most 3 s apart): at speed 10 those are ten times coarser, relative to a job, than against the
real service. The engine's predicted retrieves scale with the job (they come from its progress
rate), so they are not affected; the `x1-10` scenario shows both at real speed.

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

from sora_widget.engine.client import SoraClient  # noqa: E402
from sora_widget.engine.jobs import JobStatus, VideoJob, submit  # noqa: E402
from sora_widget.engine.library import Library  # noqa: E402
from sora_widget.simulator.process import command  # noqa: E402
from sora_widget.simulator.store import VideoRecord  # noqa: E402
from sora_widget.simulator.timeline import snapshot  # noqa: E402

SIZE = "720x1280"
SECONDS = "4"
KEY = "sk-bench-local"


@dataclass(frozen=True)
class Scenario:
    speed: float
    jobs: int
    #: Runs of each client; runs alternate engine and baseline.
    repeats: int


SCENARIOS = {
    "x10-1": Scenario(10.0, 1, 3),
    "x10-50": Scenario(10.0, 50, 2),
    "x1-10": Scenario(1.0, 10, 2),
}
LAG_INTERVAL = 0.01
RUN_TIMEOUT = 300.0
#: The simulator's niceness (see above); the load processes keep the default, 0.
SIMULATOR_NICE = 10
BUSY = "x10-50, cores busy"
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
    #: video id -> time.time() when the client saw it completed (before any download).
    noticed_at: dict[str, float] = field(default_factory=dict)
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

        def notice(job: VideoJob) -> None:
            if job.status is JobStatus.SAVING and job.video_id not in run.noticed_at:
                run.noticed_at[job.video_id] = time.time()

        for job in started:
            job.on_update(notice)

        async def finish(job: VideoJob) -> None:
            video = await job
            run.ready_at[video.id] = time.time()

        await asyncio.gather(*(finish(job) for job in started))
    run.requests += transport.counts


async def baseline(base_url: str, jobs: int, folder: Path, run: Run) -> None:
    transport = CountingTransport()
    folder.mkdir(parents=True, exist_ok=True)
    async with httpx.AsyncClient(transport=transport, timeout=60.0) as http:
        client = openai.AsyncOpenAI(api_key=KEY, base_url=base_url, http_client=http)

        async def one(index: int) -> None:
            video = await client.videos.create_and_poll(
                prompt=prompt(index), model="sora-2", size=SIZE, seconds=SECONDS
            )
            run.noticed_at[video.id] = time.time()
            content = await client.videos.download_content(video.id, variant="video")
            # By index: ids through a proxy such as LiteLLM are too long for a file name.
            content.write_to_file(folder / f"{index}.mp4")
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
    noticed: float
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
    noticed = [
        seen - completed_at(data_dir, video_id)
        for run in runs
        for video_id, seen in run.noticed_at.items()
    ]
    lag = sorted(sample for run in runs for sample in run.lag)
    return Summary(
        requests=requests.total() / videos,
        polls=requests["status"] / videos,
        noticed=statistics.median(noticed),
        ready=statistics.median(delays),
        lag_p50_ms=1000 * statistics.median(lag),
        lag_p99_ms=1000 * lag[min(len(lag) - 1, int(0.99 * len(lag)))],
        batch=statistics.median(run.batch_seconds for run in runs),
    )


def start_simulator(
    data_dir: Path, speed: float, niceness: int = SIMULATOR_NICE
) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        command(data_dir, "--speed", str(speed)),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        # Inherited by the render worker it starts.
        preexec_fn=lambda: os.nice(niceness),
    )
    line = process.stdout.readline() if process.stdout else ""
    if "http://" not in line:
        process.kill()
        raise RuntimeError(f"the simulator did not start: {line!r}")
    return process, line.split()[-1]


COLUMNS = (
    "requests / video",
    "status polls / video",
    "noticed after completion, median (s)",
    "ready after completion, median (s)",
    "loop lag p50 (ms)",
    "loop lag p99 (ms)",
    "batch time, median (s)",
)


def table(results: dict[str, dict[str, Summary]]) -> str:
    lines = [
        "| scenario | client | " + " | ".join(COLUMNS) + " |",
        "|---|---|" + "---:|" * len(COLUMNS),
    ]

    def row(name: str, client: str, values: tuple[float, ...], ratio: bool = False) -> str:
        cells = [f"{value:.2f}x" if ratio else f"{value:.2f}" for value in values]
        return f"| {name} | {client} | " + " | ".join(cells) + " |"

    for name, by_client in results.items():
        engine_values = _values(by_client["engine"])
        baseline_values = _values(by_client["baseline"])
        lines.append(row(name, "engine", engine_values))
        lines.append(row(name, "SDK baseline", baseline_values))
        ratios = tuple(
            e / b if b else float("nan")
            for e, b in zip(engine_values, baseline_values, strict=True)
        )
        lines.append(row(name, "**engine / baseline**", ratios, ratio=True))
    return "\n".join(lines)


def _values(summary: Summary) -> tuple[float, ...]:
    return (
        summary.requests,
        summary.polls,
        summary.noticed,
        summary.ready,
        summary.lag_p50_ms,
        summary.lag_p99_ms,
        summary.batch,
    )


async def run_scenario(
    name: str, scenario: Scenario, base_url: str, data_dir: Path, work: Path
) -> dict[str, Summary]:
    clients: dict[str, Client] = {"engine": engine, "baseline": baseline}
    slug = name.replace(", ", "-").replace(" ", "-")
    await measure(engine, base_url, scenario.jobs, work / f"warm-up-{slug}")
    runs: dict[str, list[Run]] = {client: [] for client in clients}
    for repeat in range(scenario.repeats):
        # Alternate who goes first, so a drift in machine load favours neither.
        order = list(clients) if repeat % 2 == 0 else list(reversed(clients))
        for client in order:
            folder = work / f"{slug}-{client}-{repeat}"
            runs[client].append(await measure(clients[client], base_url, scenario.jobs, folder))
            print(f"  {name}: {client}, run {repeat + 1}/{scenario.repeats} done", flush=True)
    return {client: summarise(runs[client], data_dir) for client in clients}


def busy_cores() -> list[subprocess.Popen[bytes]]:
    """One process spinning on each core, at normal priority, until terminated."""
    spin = [sys.executable, "-c", "while True: pass"]
    return [subprocess.Popen(spin) for _ in range(os.cpu_count() or 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "-s",
        "--scenario",
        action="append",
        choices=list(SCENARIOS),
        help="run only this scenario (repeatable); default: all",
    )
    parser.add_argument("-r", "--repeat", type=int, help="runs of each client per scenario")
    parser.add_argument(
        "--load",
        action="store_true",
        help="then run x10-50 again while a busy-looping process per core competes for the CPU",
    )
    options = parser.parse_args()
    chosen = {
        name: Scenario(s.speed, s.jobs, options.repeat or s.repeats)
        for name, s in SCENARIOS.items()
        if not options.scenario or name in options.scenario
    }
    if options.load:
        busy = SCENARIOS["x10-50"]
        chosen[BUSY] = Scenario(busy.speed, busy.jobs, options.repeat or busy.repeats)
    header = (
        f"Engine vs SDK baseline: {SIZE}, {SECONDS} s clips; {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, openai {openai.__version__}; "
        f"{time.strftime('%Y-%m-%d')}. Scenarios (simulator speed, jobs, runs of each client): "
        + ", ".join(f"{name} (x{s.speed:g}, {s.jobs}, {s.repeats})" for name, s in chosen.items())
        + ". Medians over every video of the runs; the machine is shared, expect noise."
    )
    print(header, flush=True)
    results: dict[str, dict[str, Summary]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-engine-") as temp:
        for name, scenario in chosen.items():
            work = Path(temp) / name.replace(", ", "-").replace(" ", "-")
            data_dir = work / "simulator"
            loaded = name == BUSY
            niceness = 0 if loaded else SIMULATOR_NICE
            process, base_url = start_simulator(data_dir, scenario.speed, niceness)
            spinners = busy_cores() if loaded else []
            try:
                results[name] = asyncio.run(
                    run_scenario(name, scenario, base_url, data_dir, work / "clients")
                )
            finally:
                for spinner in spinners:
                    spinner.terminate()
                    spinner.wait(timeout=15)
                process.terminate()
                process.wait(timeout=15)
    publish(f"{header}\n\n{table(results)}\n", RESULTS)


def publish(text: str, path: Path) -> None:
    """Print the results and keep them where docs/benchmarks.md's tables are copied from."""
    print()
    print(text)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    print(f"Written to {path}")


if __name__ == "__main__":
    main()
