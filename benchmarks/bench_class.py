"""A class on one simulator: does one student's burst delay everyone else's video?

    python benchmarks/bench_class.py              # 30 owners, a flood of 40: about 1 minute
    python benchmarks/bench_class.py --quick      # 5 owners, a flood of 8: a smoke run
    python benchmarks/bench_class.py --workers 1  # render processes (default: every core)

Two scenarios in the same run, each on its own simulator process (`sora-widget simulator`, real
speed, a fresh data folder, the default settings but `--workers`):

- no flood: 30 keys (30 owners) each create one 4 s `sora-2` 720x1280 job at the same moment;
- flood: one more key first creates 40 jobs of 12 s, 1024x1792, `sora-2-pro` (a student
  sending a cell in a loop), then the same 30 keys create the same 30 jobs.

The 30 prompts are the same in both scenarios, and the simulator draws a job's timeline from
what was asked, so each single job has the same planned time in both. Each owner then does what
a client following the server does: retrieves its job as `openai-poll-after-ms` says until the
job is within a second of its end (a hint of 250 ms or progress 99), then every 150 ms, and
downloads the MP4 the moment it reads "completed". Everything goes through the public HTTP API,
with one key per owner; a 429 for the flood (a per-key cap or rate limit) stops the benchmark,
since none is on by default.

What is measured, per single job: seconds from the moment its timeline says it completes (its
creation plus its planned time, read afterwards from the simulator's record, as
`bench_engine.py` does: the API's `completed_at` is rounded to the second, and it already
includes the wait this benchmark looks for) to the moment its content was fully downloaded.
The simulator holds a job at 99% while its render waits for a worker, so this is the delay a
student sees: polling and download (the floor, in the no-flood row) plus any wait for a render
slot. Median, p95 and max over the 30 jobs; the goal (issue 20) is a p95 within 2 s of the
no-flood p95. Beside it, from the same records: how many single jobs' renders ended after their
timeline did (each such job was held), the p95 of render end minus timeline end (negative:
ready early), and how many flood renders finished while the singles ran, to show the flood was
rendering all along.

The simulator runs at `nice` 10 (its render workers inherit it), as in `bench_engine.py`: the
30 clients share these 2 cores with it, and their clock readings should not wait on its
renders. The machine is shared: read the difference between the rows, not the decimals.
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
from dataclasses import dataclass
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sora_widget.simulator.config import machine_cores  # noqa: E402
from sora_widget.simulator.process import command  # noqa: E402
from sora_widget.simulator.store import VideoRecord  # noqa: E402

SINGLE = {"model": "sora-2", "size": "720x1280", "seconds": "4"}
FLOOD = {"model": "sora-2-pro", "size": "1024x1792", "seconds": "12"}
FULL = (30, 40)  # owners with one job, jobs in the flood: issue 20's numbers
QUICK = (5, 8)
#: Retrieve every this many seconds once a job is within a second of its end.
POLL_SECONDS = 0.15
#: The hint (ms) the simulator gives in a job's last second: from then on, poll at POLL_SECONDS.
NEAR_HINT_MS = 250
GOAL_SECONDS = 2.0
SCENARIO_TIMEOUT = 600.0
SIMULATOR_NICE = 10
RESULTS = Path(__file__).resolve().parent / "results" / "class.md"


@dataclass(frozen=True)
class Single:
    video_id: str
    #: time.time() when the client read "completed", then when the MP4 was all downloaded.
    noticed: float
    downloaded: float


@dataclass(frozen=True)
class Outcome:
    """One scenario's figures, in seconds after each single job's timeline end."""

    content: list[float]
    noticed: list[float]
    #: Render end minus timeline end: positive means the job was held for its render.
    render_late: list[float]
    flood_rendered: int
    window: float


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def single_prompt(owner: int) -> str:
    return f"student {owner}: a red fox trotting through fresh snow at dawn"


async def create(http: httpx.AsyncClient, key: str, prompt: str, job: dict[str, str]) -> str:
    response = await http.post("/videos", headers=auth(key), json={"prompt": prompt, **job})
    if response.status_code != 200:
        raise RuntimeError(f"create refused ({response.status_code}): {response.text[:300]}")
    video_id: str = response.json()["id"]
    return video_id


async def follow(http: httpx.AsyncClient, key: str, video_id: str) -> Single:
    """Poll as a client following the server's hints would, then download the MP4."""
    near = False
    while True:
        response = await http.get(f"/videos/{video_id}", headers=auth(key))
        response.raise_for_status()
        video = response.json()
        if video["status"] == "completed":
            noticed = time.time()
            break
        if video["status"] == "failed":
            raise RuntimeError(f"{video_id} failed: {video['error']}")
        hint = int(response.headers.get("openai-poll-after-ms", "0"))
        near = near or hint <= NEAR_HINT_MS or video["progress"] >= 99
        await asyncio.sleep(POLL_SECONDS if near else hint / 1000)
    content = await http.get(f"/videos/{video_id}/content", headers=auth(key))
    content.raise_for_status()
    if not content.content:
        raise RuntimeError(f"{video_id}: empty content")
    return Single(video_id, noticed, time.time())


async def class_run(base_url: str, owners: int, flood: int) -> tuple[list[Single], list[str]]:
    """The flood's creates (if any), then every owner's one job at once, followed to the end."""
    limits = httpx.Limits(max_connections=owners + flood + 10)
    async with httpx.AsyncClient(base_url=base_url, timeout=120.0, limits=limits) as http:
        flood_ids = await asyncio.gather(
            *(
                create(http, "sk-class-flood", f"flood {n}: a city street at night, jazz", FLOOD)
                for n in range(flood)
            )
        )

        async def one(owner: int) -> Single:
            key = f"sk-class-{owner:02d}"
            video_id = await create(http, key, single_prompt(owner), SINGLE)
            return await follow(http, key, video_id)

        singles = await asyncio.gather(*(one(owner) for owner in range(owners)))
    return list(singles), list(flood_ids)


def record_of(data_dir: Path, video_id: str) -> VideoRecord:
    path = data_dir / "videos" / f"{video_id}.json"
    return VideoRecord.from_json(json.loads(path.read_text()))


def outcome(data_dir: Path, singles: list[Single], flood_ids: list[str], start: float) -> Outcome:
    """Each single job against its own timeline, from the simulator's records."""
    content: list[float] = []
    noticed: list[float] = []
    render_late: list[float] = []
    for single in singles:
        record = record_of(data_dir, single.video_id)
        planned_end = record.created_at + record.timeline.total_seconds
        assert record.rendered_at is not None, f"{single.video_id} was never rendered"
        content.append(single.downloaded - planned_end)
        noticed.append(single.noticed - planned_end)
        render_late.append(record.rendered_at - planned_end)
    end = max(single.downloaded for single in singles)
    flood_rendered = 0
    for video_id in flood_ids:
        rendered_at = record_of(data_dir, video_id).rendered_at
        if rendered_at is not None and rendered_at <= end:
            flood_rendered += 1
    return Outcome(content, noticed, render_late, flood_rendered, end - start)


def start_simulator(data_dir: Path, workers: int) -> tuple[subprocess.Popen[str], str]:
    """Real speed, default settings: no `SORA_SIM_*` from this shell (a rate limit, say)."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SORA_SIM_")}
    process = subprocess.Popen(
        command(data_dir, "--speed", "1", "--workers", str(workers)),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**environ, "PYTHONUNBUFFERED": "1"},
        preexec_fn=lambda: os.nice(SIMULATOR_NICE),  # inherited by its render workers
    )
    line = process.stdout.readline() if process.stdout else ""
    if "http://" not in line:
        process.kill()
        raise RuntimeError(f"the simulator did not start: {line!r}")
    return process, line.split()[-1]


def run_scenario(work: Path, workers: int, owners: int, flood: int) -> Outcome:
    data_dir = work / "simulator"
    process, base_url = start_simulator(data_dir, workers)
    try:
        start = time.time()
        singles, flood_ids = asyncio.run(
            asyncio.wait_for(class_run(base_url, owners, flood), SCENARIO_TIMEOUT)
        )
    finally:
        process.terminate()
        process.wait(timeout=60)
    return outcome(data_dir, singles, flood_ids, start)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


COLUMNS = (
    "content after timeline end, median (s)",
    "p95 (s)",
    "max (s)",
    "read completed after timeline end, median (s)",
    "jobs held for their render",
    "render end - timeline end, p95 (s)",
    "flood renders done meanwhile",
    "window (s)",
)


def table(results: dict[str, Outcome], owners: int) -> str:
    lines = ["| scenario | " + " | ".join(COLUMNS) + " |", "|---|" + "---:|" * len(COLUMNS)]
    for name, o in results.items():
        held = sum(late > 0 for late in o.render_late)
        cells = (
            f"{statistics.median(o.content):.2f}",
            f"{p95(o.content):.2f}",
            f"{max(o.content):.2f}",
            f"{statistics.median(o.noticed):.2f}",
            f"{held} / {owners}",
            f"{p95(o.render_late):+.2f}",
            str(o.flood_rendered),
            f"{o.window:.1f}",
        )
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def verdict(unloaded: Outcome, flooded: Outcome) -> str:
    gap = p95(flooded.content) - p95(unloaded.content)
    median_gap = statistics.median(flooded.content) - statistics.median(unloaded.content)
    met = "met" if gap <= GOAL_SECONDS else "**missed**"
    return (
        f"p95 with the flood minus without: **{gap:+.2f} s** (goal: within {GOAL_SECONDS:g} s, "
        f"{met}); median: {median_gap:+.2f} s."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="5 owners, a flood of 8")
    parser.add_argument(
        "--workers", type=int, default=machine_cores(), help="render processes (default: cores)"
    )
    options = parser.parse_args()
    owners, flood = QUICK if options.quick else FULL
    flood_name = f"flood of {flood} (one owner)"
    header = (
        f"A class on one simulator (x1, `--workers {options.workers}`): {owners} owners with one "
        f"{SINGLE['seconds']} s {SINGLE['model']} {SINGLE['size']} job each, without and with "
        f"one owner's flood of {flood} {FLOOD['seconds']} s {FLOOD['model']} {FLOOD['size']} "
        f"jobs sent first; {os.cpu_count()} CPUs, Python {platform.python_version()}; "
        f"{time.strftime('%Y-%m-%d')}. Seconds after each single job's timeline end; the "
        "machine is shared, expect noise."
    )
    print(header, flush=True)
    results: dict[str, Outcome] = {}
    with tempfile.TemporaryDirectory(prefix="bench-class-") as temp:
        for name, flood_jobs in (("no flood", 0), (flood_name, flood)):
            results[name] = run_scenario(
                Path(temp) / str(flood_jobs), options.workers, owners, flood_jobs
            )
            print(f"  {name}: done", flush=True)
    summary = verdict(results["no flood"], results[flood_name])
    text = f"{header}\n\n{table(results, owners)}\n\n{summary}\n"
    print()
    print(text)
    if options.quick:
        return  # a smoke run does not replace the full run's figures
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text)
    print(f"Written to {RESULTS}")


if __name__ == "__main__":
    main()
