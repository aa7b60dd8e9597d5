"""The job engine against the official SDK through a real LiteLLM proxy (issue #12, part 5).

    python benchmarks/bench_litellm.py            # 5 jobs, 2 runs of each client, 3 to 6 minutes
    python benchmarks/bench_litellm.py -j 3 -r 1  # smaller

One simulator at speed x1 (real time: a 4 s 720x1280 sora-2 clip takes about 10 to 30 s), and
LiteLLM 1.108.14 (`.venv-litellm`, started by `tests/litellm_proxy.py`) in front of it with the
route `sora-2` -> `openai/sora-2`. Both clients talk to the proxy only, with its master key.

The clients, the counting transport, the simulator's start and the table are
`benchmarks/bench_engine.py`'s, so the two benchmarks measure the same way:

- Engine: `submit()` jobs sharing one `Poller`, each saved by a `Library`. LiteLLM drops the
  simulator's `openai-poll-after-ms` and has no `GET /videos`, so the engine polls each job on
  its own with its cadence for servers without hints (`Cadence.unhinted_*`: 10 to 18 s backoff,
  sooner near the end predicted from the progress rate, never sooner than 2 s after a poll).
  LiteLLM answers the MP4 for every `variant`, so the engine's thumbnail and spritesheet
  requests (still sent, still counted) are followed by making both here from the MP4.
- Baseline: `openai.AsyncOpenAI`'s `videos.create_and_poll()` (every 1 s without a hint) then
  `download_content().write_to_file()`, with `asyncio.gather`.

Runs alternate engine and baseline (who goes first alternates too), after one warm-up job.
Requests are counted on the client's side of the proxy. "Ready after completion" is measured
from the simulator's own record of when it finished each video (LiteLLM's ids carry the
simulator's id, base64-encoded) to the file(s) on disk. See bench_engine's docstring for what
every column means. No timing is asserted: the machine is shared and small, expect noise.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import openai

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_engine  # noqa: E402
from bench_engine import (  # noqa: E402
    SECONDS,
    SIZE,
    Client,
    Run,
    Summary,
    baseline,
    engine,
    measure,
    publish,
    start_simulator,
    summarise,
    table,
)

from tests.litellm_proxy import proxy_running, route  # noqa: E402

JOBS = 5
REPEATS = 2
SCENARIO = "x1, via LiteLLM"
RESULTS = Path(__file__).resolve().parent / "results" / "litellm.md"


def upstream_id(litellm_id: str) -> str:
    """The simulator's video id inside one of LiteLLM's (`video_` + base64 of
    `custom_llm_provider:openai;...;video_id:<upstream id>`)."""
    encoded = litellm_id.removeprefix("video_")
    try:
        decoded = base64.b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
    except ValueError:
        return litellm_id  # not one of LiteLLM's encoded ids: the upstream one itself
    for part in decoded.split(";"):
        key, _, value = part.partition(":")
        if key == "video_id":
            return value
    return litellm_id


def upstream(run: Run) -> Run:
    """The run with the simulator's ids, so bench_engine's `summarise` finds its records."""
    return Run(
        videos=run.videos,
        requests=run.requests,
        ready_at={upstream_id(key): value for key, value in run.ready_at.items()},
        noticed_at={upstream_id(key): value for key, value in run.noticed_at.items()},
        lag=run.lag,
        batch_seconds=run.batch_seconds,
    )


async def compare(base_url: str, jobs: int, repeats: int, data_dir: Path, work: Path) -> dict:
    clients: dict[str, Client] = {"engine": engine, "baseline": baseline}
    await measure(engine, base_url, 1, work / "warm-up")
    runs: dict[str, list[Run]] = {client: [] for client in clients}
    for repeat in range(repeats):
        order = list(clients) if repeat % 2 == 0 else list(reversed(clients))
        for client in order:
            folder = work / f"{client}-{repeat}"
            run = await measure(clients[client], base_url, jobs, folder)
            runs[client].append(upstream(run))
            content = run.requests["content"] / run.videos
            print(
                f"  {client}, run {repeat + 1}/{repeats}: {dict(run.requests)}, "
                f"{content:.1f} downloads / video, batch {run.batch_seconds:.1f} s",
                flush=True,
            )
    summaries: dict[str, Summary] = {
        client: summarise(runs[client], data_dir) for client in clients
    }
    return summaries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("-j", "--jobs", type=int, default=JOBS, help="concurrent jobs")
    parser.add_argument("-r", "--repeat", type=int, default=REPEATS, help="runs of each client")
    options = parser.parse_args()
    header = (
        f"Engine vs SDK baseline through LiteLLM (`sora-2` -> `openai/sora-2`) in front of one "
        f"simulator at x1: {SIZE}, {SECONDS} s clips, {options.jobs} concurrent jobs, "
        f"{options.repeat} runs of each client, alternating; {os.cpu_count()} CPUs (shared "
        f"with other work), Python {platform.python_version()}, openai {openai.__version__}; "
        f"{time.strftime('%Y-%m-%d')}. Requests counted on the client's side of the proxy; "
        "medians over every video of the runs; the machine is shared, expect noise. "
        "Generated by `python benchmarks/bench_litellm.py`."
    )
    print(header, flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-litellm-") as temp:
        work = Path(temp)
        data_dir = work / "simulator"
        (work / "litellm").mkdir()
        process, simulator_url = start_simulator(data_dir, 1.0)
        routes = [route("sora-2", "openai/sora-2", simulator_url, bench_engine.KEY)]
        try:
            with proxy_running(routes, work / "litellm") as proxy:
                # bench_engine's clients authenticate with its module's KEY: here, the proxy's.
                bench_engine.KEY = proxy.key
                summaries = asyncio.run(
                    compare(
                        proxy.base_url, options.jobs, options.repeat, data_dir, work / "clients"
                    )
                )
        finally:
            process.terminate()
            process.wait(timeout=15)
    notes = (
        "Through LiteLLM there is no `openai-poll-after-ms` hint and no `GET /videos`: the SDK "
        "polls every 1 s, the engine on its cadence for servers without hints. The engine asks "
        "for the thumbnail and spritesheet until it learns that LiteLLM answers the MP4 for "
        "them, then for the video only, and makes the pictures from it; the SDK downloads the "
        "video once."
    )
    publish(f"{header}\n\n{table({SCENARIO: summaries})}\n\n{notes}\n", RESULTS)


if __name__ == "__main__":
    main()
