"""How fast the simulator renders, per core: `python benchmarks/bench_render.py`.

The target is 10x real time for 720x1280 on one core (a 4 s clip in at most 0.4 s of wall
time). The process is pinned to one CPU, and the renderer uses one thread throughout, so the
figures are per core. Each case renders N times into a temporary directory; the table shows
medians. The second table varies the scene, because weather and camera moves cost the
encoder more than a still backdrop does.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sora_widget.simulator.render import FPS, RenderRequest, render  # noqa: E402

RUNS = 5
PROMPT = "A red fox trotting through fresh snow at dawn, the camera slowly pans right"
SIZES = [(720, 1280, 4), (720, 1280, 12), (1280, 720, 4), (1024, 1792, 4), (1792, 1024, 4)]
SCENES = [
    "a red fox trotting",
    "a red fox trotting through snow",
    "a red fox trotting in the rain",
    "a red fox trotting through snow at night in the rain",
    "city skyline at night, pan left",
    "a boat on the ocean at sunset, zoom in",
    "a forest in fog with birds, orbit",
]


def pin_to_one_cpu() -> str:
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity on this platform)"
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return f"pinned to CPU {cpu}"


def measure(request: RenderRequest, work: Path) -> tuple[float, float, int]:
    """Median wall seconds, median CPU seconds, video bytes."""
    walls, cpus = [], []
    for run in range(RUNS):
        out = work / f"{request.width}x{request.height}-{request.seconds}-{run}"
        wall, cpu = time.perf_counter(), time.process_time()
        assets = render(request, out)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), assets.video.stat().st_size


def row(label: str, seconds: int, wall: float, cpu: float, size: int) -> str:
    return (
        f"| {label} | {seconds} | {wall:.3f} | {seconds / wall:.1f}x | {cpu:.3f} "
        f"| {size / 1024:.0f} |"
    )


def main() -> None:
    header = "| {} | seconds | median wall (s) | video s per s | median CPU (s) | video KB |"
    rule = "|---|---:|---:|---:|---:|---:|"
    print(f"render benchmark: {FPS} fps, N={RUNS}, {pin_to_one_cpu()}\n")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        render(RenderRequest("warm up", 720, 1280, 4), work / "warm-up")
        print(f'Prompt: "{PROMPT}"\n')
        print(header.format("size"))
        print(rule)
        for width, height, seconds in SIZES:
            request = RenderRequest(PROMPT, width, height, seconds)
            print(row(f"{width}x{height}", seconds, *measure(request, work)), flush=True)
        print("\nBy scene, 720x1280:\n")
        print(header.format("prompt"))
        print(rule)
        for prompt in SCENES:
            request = RenderRequest(prompt, 720, 1280, 4)
            print(row(prompt, 4, *measure(request, work)), flush=True)


if __name__ == "__main__":
    main()
