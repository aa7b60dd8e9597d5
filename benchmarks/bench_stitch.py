"""How fast shots become a film, per core: `python benchmarks/bench_stitch.py`.

The storyboard's film is 6 shots of 8 s at 1280x720, rendered once by the simulator (12 fps
H.264 + AAC, every shot another prompt) into a temporary folder. Each row stitches those same
files into one MP4 N times and shows the median, as "times real time": film seconds per wall
second. Goals: stream copy at least 50x, re-encode at least 5x.

- `stitch`, stream copy: the shots match, so packets are remuxed (`copied=True`).
- `stitch`, re-encode: the same files with a 500 ms crossfade at each seam, which is what makes
  a film of matching shots re-encode (H.264 veryfast CRF 20 + AAC); the film is 2.5 s shorter.
- ffmpeg, in the same run on the same files: `ffmpeg -f concat -safe 0 -i list.txt -c copy`,
  and `-c:v libx264 -c:a aac` (x264's default preset, medium) and the same with stitch's own
  settings (`-preset veryfast -crf 20`).

The last column is how much longer the film's sound plays than its picture, decoded sample
after sample as a player does: sound that drifts at the seams shows there (an AAC frame is
21 ms at 48 kHz).

The process is pinned to one CPU and ffmpeg inherits the pinning, so the figures are per core.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import av  # noqa: E402
from one_core import pin_to_one_cpu  # noqa: E402

from sora_widget.engine.stitch import stitch  # noqa: E402
from sora_widget.simulator.render import FPS, RenderRequest, render  # noqa: E402

SHOTS = 6
SECONDS = 8
WIDTH, HEIGHT = 1280, 720
TRANSITION_MS = 500
COPY_RUNS = 7
ENCODE_RUNS = 3
#: x264's default preset (medium), then stitch's own settings.
FFMPEG_ENCODES = [
    ("-c:v", "libx264", "-c:a", "aac"),
    ("-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-c:a", "aac"),
]
PROMPTS = [
    "a lighthouse keeper climbs the stairs at dawn",
    "he lights the lamp as the storm begins, the camera slowly pans right",
    "the beam sweeps the waves at night in the rain",
    "a gull on the railing in the wind",
    "a boat on the ocean at sunset, zoom in",
    "city skyline at night, pan left",
]


def film_seconds(path: Path) -> tuple[float, float]:
    """The picture's length, and the sound's as decoded (from its first sample's time)."""
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        picture = float((video.duration or 0) * (video.time_base or 0))
        frames = list(container.decode(container.streams.audio[0]))
    sound = float(frames[0].time or 0) + sum(f.samples for f in frames) / frames[0].sample_rate
    return picture, sound


def measure(make: Callable[[Path], None], out: Path, runs: int) -> float:
    """Median wall seconds of `make(out)`."""
    walls = []
    for _ in range(runs):
        out.unlink(missing_ok=True)
        wall = time.perf_counter()
        make(out)
        walls.append(time.perf_counter() - wall)
    return statistics.median(walls)


def ffmpeg(listing: Path, *codec: str) -> Callable[[Path], None]:
    def run(out: Path) -> None:
        command = ["ffmpeg", "-v", "error", "-y", "-f", "concat", "-safe", "0", "-i"]
        subprocess.run([*command, str(listing), *codec, str(out)], check=True)

    return run


def row(label: str, make: Callable[[Path], None], out: Path, runs: int) -> str:
    wall = measure(make, out, runs)
    seconds, sound = film_seconds(out)
    return (
        f"| {label} | {runs} | {seconds:.2f} | {wall:.3f} | **{seconds / wall:.1f}x** "
        f"| {out.stat().st_size / 1024:.0f} | {1000 * (sound - seconds):+.0f} |"
    )


def main() -> None:
    print(
        f"stitch benchmark: {SHOTS} shots of {SECONDS} s at {WIDTH}x{HEIGHT}, {FPS} fps, "
        f"{pin_to_one_cpu()}\n"
    )
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        shots = [
            render(RenderRequest(prompt, WIDTH, HEIGHT, SECONDS), work / f"shot{index}").video
            for index, prompt in enumerate(PROMPTS[:SHOTS])
        ]
        listing = work / "list.txt"
        listing.write_text("".join(f"file '{shot}'\n" for shot in shots))
        stitch(shots[:2], work / "warm-up.mp4")  # loads the video stack once
        print(
            "| method | runs | film (s) | wall, median (s) | x real time | film KB "
            "| sound - picture (ms) |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|")
        have_ffmpeg = shutil.which("ffmpeg") is not None

        def concat(*options: str) -> Callable[[Path], None] | None:
            return ffmpeg(listing, *options) if have_ffmpeg else None

        cases: list[tuple[str, Callable[[Path], None] | None, int]] = [
            ("stitch, stream copy", lambda out: _stitch(shots, out), COPY_RUNS),
            ("ffmpeg concat, `-c copy`", concat("-c", "copy"), COPY_RUNS),
            (
                f"stitch, re-encode ({TRANSITION_MS} ms crossfades)",
                lambda out: _stitch(shots, out, TRANSITION_MS),
                ENCODE_RUNS,
            ),
            *[
                (f"ffmpeg concat, `{' '.join(options)}`", concat(*options), ENCODE_RUNS)
                for options in FFMPEG_ENCODES
            ],
        ]
        for index, (label, make, runs) in enumerate(cases):
            if make is None:
                print(f"| {label} | | | (ffmpeg is not installed) | | | |")
            else:
                print(row(label, make, work / f"film{index}.mp4", runs), flush=True)


def _stitch(shots: list[Path], out: Path, transition_ms: int = 0) -> None:
    film = stitch(shots, out, transition_ms=transition_ms)
    assert film.copied == (transition_ms == 0)  # the row measures the path it names


if __name__ == "__main__":
    main()
