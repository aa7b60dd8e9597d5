"""How fast the simulator renders, per core: `python benchmarks/bench_render.py`.

The target is 10x real time for 720x1280 on one core (a 4 s clip in at most 0.4 s of wall
time). The process is pinned to one CPU, and the renderer uses one thread throughout, so the
figures are per core. Each case renders N times into a temporary directory, each time with the
run's number added to the prompt (another seed, so nothing is reused from an earlier run);
the table shows medians. The second table varies the scene, because weather and camera moves
cost the encoder more than a still backdrop does, and the sound's voices differ in cost too.

Each row is measured three ways in the same run: with sound (the default), with
`generate_audio=False` (the track is there and silent: no synthesis, and AAC frames of zeros
cost the encoder next to nothing), and the sound alone (synthesis plus AAC encoding of the
track, without the picture). The third table compares the model families' characters
(`simulator/families.py`), flaws included.
"""

from __future__ import annotations

import dataclasses
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import av  # noqa: E402
from one_core import pin_to_one_cpu  # noqa: E402

from sora_widget.simulator.render import FPS, RenderRequest, audio_packets, render  # noqa: E402
from sora_widget.simulator.scene import describe  # noqa: E402
from sora_widget.simulator.sound.track import sound_track  # noqa: E402

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
    "a dog and a car in a city at night, jazz",
    "a lighthouse by the sea in the wind, cinematic",
]
MODELS = [  # a model of each family in `simulator/families.py`
    "sora-2",
    "sora-2-pro",
    "veo-3.1-generate-preview",
    "veo-3.1-fast-generate-preview",
    "veo-3.1-lite-generate-preview",
    "gen4_turbo",
    "kling-v2.1",
    "seedance-1-0-pro",
    "MiniMax-Hailuo-02",
    "grok-imagine-video",
    "wan2.6-t2v",
    "tencent/HunyuanVideo-1.5",
    "Lightricks/LTX-2",
]


def measure(request: RenderRequest, work: Path) -> tuple[float, float, int]:
    """Median wall seconds, median CPU seconds, video bytes."""
    walls, cpus = [], []
    for run in range(RUNS):
        out = work / f"{request.width}x{request.height}-{request.seconds}-{run}"
        wall, cpu = time.perf_counter(), time.process_time()
        assets = render(fresh(request, run), out)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), assets.video.stat().st_size


def fresh(request: RenderRequest, run: int) -> RenderRequest:
    """The prompt with a run number: another seed, so no run reuses the noise and notes an
    earlier one made (a worker renders a new prompt each time)."""
    return dataclasses.replace(request, prompt=f"{request.prompt} #{run}")


def sound_alone(request: RenderRequest) -> float:
    """Median wall seconds to make and AAC-encode the track, as `render` does, no picture."""
    walls = []
    for run in range(RUNS):
        wall = time.perf_counter()
        scene = describe(fresh(request, RUNS + run).prompt)
        samples = sound_track([(scene, 0, request.seconds)], request.seconds)
        with av.open(io.BytesIO(), "w", format="mp4") as container:
            container.mux(audio_packets(container, samples))
        walls.append(time.perf_counter() - wall)
    return statistics.median(walls)


def row(label: str, request: RenderRequest, work: Path) -> str:
    """With sound, with a silent track and the sound alone, measured in the same run."""
    seconds = request.seconds
    wall, cpu, size = measure(request, work)
    silent, _, _ = measure(dataclasses.replace(request, generate_audio=False), work)
    return (
        f"| {label} | {seconds} | {wall:.3f} | **{seconds / wall:.1f}x** | {cpu:.3f} "
        f"| {silent:.3f} | {seconds / silent:.1f}x | {1000 * sound_alone(request):.0f} "
        f"| {size / 1024:.0f} |"
    )


def main() -> None:
    header = (
        "| {} | seconds | with sound: wall (s) | x real time | CPU (s) "
        "| silent track: wall (s) | x real time | sound alone (ms) | video KB |"
    )
    rule = "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    print(f"render benchmark: {FPS} fps, N={RUNS}, {pin_to_one_cpu()}\n")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        render(RenderRequest("warm up", 720, 1280, 4), work / "warm-up")
        print(f'Prompt: "{PROMPT}"\n')
        print(header.format("size"))
        print(rule)
        for width, height, seconds in SIZES:
            request = RenderRequest(PROMPT, width, height, seconds)
            print(row(f"{width}x{height}", request, work), flush=True)
        print("\nBy scene, 720x1280:\n")
        print(header.format("prompt"))
        print(rule)
        for prompt in SCENES:
            request = RenderRequest(prompt, 720, 1280, 4)
            print(row(prompt, request, work), flush=True)
        print("\nBy model, 720x1280:\n")
        print(header.format("model"))
        print(rule)
        for model in MODELS:
            request = RenderRequest(PROMPT, 720, 1280, 4, model=model)
            print(row(model, request, work), flush=True)


if __name__ == "__main__":
    main()
