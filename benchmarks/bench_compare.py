"""Compare's synchronised playback in headless Chromium: `python benchmarks/bench_compare.py`.

For 2, 4 and 8 variants (a source and its remixes, 1280x720, 4 s, made by the simulator
in-process), the comparison is saved with `Compare.save_html` and opened from file:// in Debian's
Chromium (the browser tests' flags). The saved page runs the widget's own front end and
`js/sync.js`, with no kernel in the way, so this measures the sync itself:

1. Time until all cells play: page load until every video can show a frame, then a click on
   Play until every video's clock is moving.
2. Drift over 30 s of looping playback: on every animation frame the page records the largest
   distance between any two videos' `currentTime` (folded around the loop). Also counted: the
   hard seeks the sync made (`seeking` events, loop restarts to 0 excluded).

Medians are reported, never asserted: this machine is shared and noisy.
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
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Page, sync_playwright  # noqa: E402

from sora_widget import Compare, Library, SoraClient  # noqa: E402
from sora_widget.simulator import SimulatorConfig, create_app  # noqa: E402
from tests.browser.conftest import CHROMIUM_FLAGS, chromium_path  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "compare.md"
VARIANTS = (2, 4, 8)
SPEED = 50.0
PROMPT = "a red fox trotting through fresh snow at dawn"
REMIXES = [
    "a red fox trotting through fresh snow at night",
    "a red fox trotting through fresh snow in the rain",
    "a red fox trotting through fresh snow in fog",
    "a red fox trotting through fresh snow at sunset",
    "a red fox trotting through fresh snow at noon, zoom in",
    "a red fox trotting through fresh snow at night in the rain",
    "a red fox trotting through fresh snow at dawn, the camera pans left",
]

VIDEOS = "[...document.querySelectorAll('[data-testid=\"cell-video\"]')]"

#: Starts recording, on every animation frame, the spread of the videos' clocks and the seeks.
RECORD = f"""() => {{
  const videos = {VIDEOS};
  window.__spreads = [];
  window.__seeks = 0;
  // A loop restart is a seek to 0 as well: count only the sync's own (hard) seeks.
  for (const v of videos) {{
    v.addEventListener('seeking', () => {{ if (v.currentTime > 0.05) window.__seeks += 1; }});
  }}
  const sample = () => {{
    const d = videos[0].duration, t0 = videos[0].currentTime;
    const offsets = videos.map(v => ((v.currentTime - t0 + d / 2) % d + d) % d - d / 2);
    window.__spreads.push(Math.max(...offsets) - Math.min(...offsets));
    if (window.__recording) requestAnimationFrame(sample);
  }};
  window.__recording = true;
  requestAnimationFrame(sample);
}}"""


async def make_pages(work: Path, counts: list[int]) -> dict[int, Path]:
    """One saved comparison per variant count, made by the in-process simulator."""
    app = create_app(SimulatorConfig(data_dir=work / "simulator", speed=SPEED))
    client = SoraClient(
        api_key="sk-anything",
        base_url="http://localhost/v1",
        transport=httpx.ASGITransport(app=app),
    )
    client.is_simulator = True
    library = Library(work / "videos")
    pages = {}
    for count in counts:
        compare = Compare(
            PROMPT, remixes=REMIXES[: count - 1], size="1280x720", client=client, library=library
        )
        entries = await compare.wait()
        if not all(entries):
            raise RuntimeError(f"a variant failed: {compare.cells}")
        pages[count] = compare.save_html(work / f"compare-{count}.html")
    await client.aclose()
    return pages


def measure(page: Page, path: Path, seconds: float) -> dict[str, float]:
    started = time.perf_counter()
    page.goto(path.as_uri())
    page.wait_for_function(f"() => {VIDEOS}.length > 0 && {VIDEOS}.every(v => v.readyState >= 2)")
    ready = time.perf_counter() - started
    page.get_by_role("button", name="Play").click()
    clicked = time.perf_counter()
    page.wait_for_function(f"() => {VIDEOS}.every(v => !v.paused && v.currentTime > 0.05)")
    moving = time.perf_counter() - clicked
    page.wait_for_timeout(500)  # the first corrections after start are not steady state
    page.evaluate(RECORD)
    page.wait_for_timeout(seconds * 1000)
    spreads, seeks = page.evaluate(
        "() => { window.__recording = false; return [window.__spreads, window.__seeks]; }"
    )
    spreads.sort()
    return {
        "ready": ready,
        "moving": moving,
        "median": statistics.median(spreads),
        "p95": spreads[int(0.95 * (len(spreads) - 1))],
        "max": spreads[-1],
        "within_frame": sum(s <= 1 / 12 for s in spreads) / len(spreads),
        "seeks_per_min": seeks * 60 / seconds,
        "samples": len(spreads),
    }


def table(results: dict[int, list[dict[str, float]]]) -> str:
    lines = [
        "| variants | runs | load → all ready (s) | Play → all moving (s) | drift median (ms) "
        "| drift p95 (ms) | drift max (ms) | within 1 frame | hard seeks / min |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for count, runs in results.items():

        def median(key: str, runs: list[dict[str, float]] = runs) -> float:
            return statistics.median(run[key] for run in runs)

        lines.append(
            f"| {count} | {len(runs)} | {median('ready'):.2f} | {median('moving'):.2f} "
            f"| {1000 * median('median'):.1f} | {1000 * median('p95'):.1f} "
            f"| {1000 * max(run['max'] for run in runs):.1f} "
            f"| {100 * median('within_frame'):.0f}% | {median('seeks_per_min'):.1f} |"
        )
    return "\n".join(lines)


def chromium_version(executable: str) -> str:
    try:
        return subprocess.run(
            [executable, "--version"], capture_output=True, text=True, timeout=20
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="page loads per variant count")
    parser.add_argument("--seconds", type=float, default=30.0, help="playback measured per run")
    parser.add_argument(
        "--variants", type=int, nargs="+", default=VARIANTS, choices=range(2, len(REMIXES) + 2)
    )
    args = parser.parse_args()
    executable = chromium_path()
    with tempfile.TemporaryDirectory() as tmp:
        print("Making the comparisons with the simulator…", flush=True)
        pages = asyncio.run(make_pages(Path(tmp), args.variants))
        results: dict[int, list[dict[str, float]]] = {}
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
            for count, path in pages.items():
                for run in range(args.runs):
                    context = browser.new_context(viewport={"width": 1280, "height": 1000})
                    page = context.new_page()
                    page.set_default_timeout(120_000)
                    result = measure(page, path, args.seconds)
                    context.close()
                    results.setdefault(count, []).append(result)
                    print(
                        f"{count} variants, run {run + 1}: median drift "
                        f"{1000 * result['median']:.1f} ms, max {1000 * result['max']:.1f} ms",
                        flush=True,
                    )
            browser.close()
    report = "\n".join(
        [
            "# Compare: synchronised playback",
            "",
            f"Saved comparison pages (file://) in headless {chromium_version(executable)}, "
            f"{os.cpu_count()} CPUs ({platform.machine()}, shared with other work), "
            f"1280x720 H.264 at 12 fps (one frame = 83 ms), {args.seconds:.0f} s of looping "
            f"playback per run, drift sampled on every animation frame. Generated by "
            "`python benchmarks/bench_compare.py`.",
            "",
            table(results),
            "",
            "Drift: the largest distance between any two videos' `currentTime` at one instant. "
            "Chromium refreshes each video's reported position once per rendering frame, not "
            "in one step for all, so about one animation frame (16.7 ms at 60 Hz) is the floor "
            "of what can be measured. Times are medians over runs; drift max is the worst "
            "instant of all runs. Hard seeks exclude the loop's own restarts.",
            "",
        ]
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(report, encoding="utf-8")
    print()
    print(report)


if __name__ == "__main__":
    main()
