"""SoraWidget beside the usual baseline, in real JupyterLab: `python benchmarks/bench_widget.py`.

The baseline is what a user would otherwise write: the official `openai` SDK's
`create_and_poll`, `download_content(...).write_to_file(...)`, then
`IPython.display.Video(path, embed=True)`. Both run in the same JupyterLab (started on
loopback with the browser tests' helpers), against the same simulator, which this script
starts as a real server, so the kernel talks HTTP to it as it would to the API.

1. Latency: from the instant the job completes on the server to the first frame playing in
   the page's `<video>`. The server's instant is exact: the simulator derives a job's status
   from the clock, so its completion time is `max(created_at + planned duration, rendered_at)`
   (its own `snapshot()` on its own record). A 20 Hz poll of `GET /videos/{id}` from here
   checks it. The page records `Date.now()` when a `<video>` first has `readyState >= 2` and
   `currentTime > 0`; the browser, kernel and simulator share this machine's clock.
2. Kernel memory (VmRSS, from /proc) after 20 small videos in one SoraWidget versus 20
   `Video(embed=True)` outputs.
3. How much a saved .ipynb grows (Ctrl+S in JupyterLab) with each.

Medians and ratios are reported, never asserted: this machine is shared and noisy. The whole
run takes five to seven minutes on two cores; `--runs 3 --videos 10` gives a quick look.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402

from sora_widget.simulator.config import SimulatorConfig  # noqa: E402
from sora_widget.simulator.process import read_state  # noqa: E402
from sora_widget.simulator.store import VideoRecord  # noqa: E402
from sora_widget.simulator.timeline import snapshot  # noqa: E402
from tests.browser.conftest import (  # noqa: E402
    CHROMIUM_FLAGS,
    JupyterServer,
    _start_jupyter,
    _stop,
    chromium_path,
    write_notebook,
)
from tests.browser.test_widget_in_jupyterlab import wait_for_kernel  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "widget.md"
#: The simulator accepts any non-empty key; a real one is never needed or read here.
KEY = "sk-anything"
PROMPT = "a red fox trotting through fresh snow at dawn, the camera slowly pans right"
#: Each video gets its own prompt (the simulator renders a prompt deterministically, and the
#: widget rightly sends nothing when the new bytes equal the old); take i is the same video
#: for the widget and the baseline. In cells, `take` is a kernel variable.
PROMPT_SOURCE = "f" + repr(PROMPT + ", take {take}")
LARGE = {"model": "sora-2-pro", "size": "1792x1024", "seconds": "12"}
SMALL = {"model": "sora-2", "size": "720x1280", "seconds": "4"}
#: The widget's player autoplays muted; the baseline gets the same attributes so both start
#: on their own (a bare `Video(embed=True)` waits for a click on Play).
VIDEO_ATTRIBUTES = "controls autoplay muted loop"
POLL_HZ = 20
MIB = 1024 * 1024

#: For every <video> and source: when the page first has it (`since`) and when it first shows
#: a frame and moves (`t`). A source is told apart by the element and its `src` attribute (the
#: widget's blob URL; `Video(embed=True)` puts its data URL in a <source>, on a new element),
#: so the multi-megabyte data URL is never read here.
WATCH_FIRST_FRAMES = """() => {
  window.__frames = [];
  const seen = new WeakMap();
  setInterval(() => {
    const now = Date.now() / 1000;
    for (const video of document.querySelectorAll('video')) {
      const key = video.getAttribute('src') || '';
      let state = seen.get(video);
      if (!state || state.key !== key) {
        state = {key, since: now, done: false};
        seen.set(video, state);
      }
      if (!state.done && video.readyState >= 2 && video.currentTime > 0) {
        state.done = true;
        window.__frames.push({t: now, since: state.since, width: video.videoWidth,
                              height: video.videoHeight});
      }
    }
  }, 4);
}"""
PAUSE_ALL = "() => document.querySelectorAll('video').forEach((v) => v.pause())"

_START = time.monotonic()


def say(message: str) -> None:
    """Progress on stderr, so stdout carries only the table."""
    print(
        f"[bench_widget {time.monotonic() - _START:6.1f}s] {message}", file=sys.stderr, flush=True
    )


# ---- the simulator, as a real server ----------------------------------------------------------


@dataclass
class Simulator:
    url: str
    data_dir: Path
    process: subprocess.Popen

    def video_ids(self) -> set[str]:
        return {p.stem for p in (self.data_dir / "videos").glob("*.json") if p.stem[0] != "."}

    def completed_at(self, video_id: str) -> float:
        """The exact instant the server started answering `completed`, from its own record."""
        path = self.data_dir / "videos" / f"{video_id}.json"
        record = VideoRecord.from_json(json.loads(path.read_text()))
        state = snapshot(
            record.created_at,
            record.timeline,
            math.inf,
            rendered_at=record.rendered_at,
            fail_at=None,
        )
        if state.finished_at is None:
            raise RuntimeError(f"{video_id} has not completed on the server")
        return state.finished_at


@contextmanager
def simulator(data_dir: Path, speed: float) -> Iterator[Simulator]:
    """`sora-widget simulator --port 0` in its own session, stopped (by its pid) afterwards."""
    data_dir.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "SORA_"))}
    command = [sys.executable, "-m", "sora_widget.cli", "simulator", "--port", "0"]
    command += ["--data-dir", str(data_dir), "--speed", str(speed)]
    with open(data_dir / "server.log", "wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=log, env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while (state := read_state(SimulatorConfig(data_dir=data_dir))) is None:
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError((data_dir / "server.log").read_text()[-2000:])
            time.sleep(0.1)
        yield Simulator(state["base_url"], data_dir, process)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # the group this script started


class CompletionWatch(threading.Thread):
    """An outside observer polling `GET /videos/{id}` at 20 Hz: checks the record's instant."""

    def __init__(self, sim: Simulator) -> None:
        super().__init__(daemon=True)
        self.sim = sim
        self.known = sim.video_ids()
        self.video_id: str | None = None
        self.seen_at: float | None = None

    def run(self) -> None:
        headers = {"Authorization": f"Bearer {KEY}"}
        deadline = time.monotonic() + 600
        with httpx.Client(timeout=5, headers=headers) as http:
            while time.monotonic() < deadline:
                tick = time.monotonic()
                if self.video_id is None:
                    new = self.sim.video_ids() - self.known
                    self.video_id = next(iter(new)) if new else None
                if self.video_id is not None:
                    body = http.get(f"{self.sim.url}/videos/{self.video_id}").json()
                    if body["status"] == "completed":
                        self.seen_at = time.time()
                        return
                time.sleep(max(0.0, 1 / POLL_HZ - (time.monotonic() - tick)))

    def result(self) -> tuple[str, float, float]:
        """(video id, exact completion, when the poll saw it)."""
        self.join(timeout=120)
        if self.video_id is None or self.seen_at is None:
            raise RuntimeError("the job did not complete on the simulator")
        return self.video_id, self.sim.completed_at(self.video_id), self.seen_at


# ---- notebooks in the browser ------------------------------------------------------------------


def widget_setup(sim: Simulator, spec: dict[str, str]) -> str:
    return (
        "from sora_widget import SoraWidget\n"
        "from sora_widget.engine.client import SoraClient\n\n"
        f"w = SoraWidget(model={spec['model']!r}, size={spec['size']!r}, "
        f"seconds={spec['seconds']!r},\n"
        f"               client=SoraClient(api_key={KEY!r}, base_url={sim.url!r}))\n"
        "take = 0"
    )


#: Jobs start from a cell, not the Generate button: under JupyterLab's default
#: `commsOverSubshells` every widget message after the first is handled on a kernel subshell
#: thread with its own event loop, and a second Generate then fails ("... is bound to a
#: different event loop"). The trigger cell sits above the widget, so running it keeps the
#: player in view.
GENERATE = f"take += 1\nw.prompt = {PROMPT_SOURCE}\nw.generate();"
SHOW = "w"


def show_widget(page: Page, index: int) -> None:
    run_cell(page, index)
    page.get_by_test_id("sora-widget").wait_for(timeout=90_000)
    wait_cell_done(page, index)


def baseline_setup(sim: Simulator) -> str:
    return (
        "from IPython.display import Video, display\n"
        "from openai import OpenAI\n\n"
        f"client = OpenAI(api_key={KEY!r}, base_url={sim.url!r})"
    )


def baseline_cell(spec: dict[str, str], take: int | None, *, show: str = "{}") -> str:
    """The three lines a user writes, for take `take` (None: the kernel's `take`); `show`
    wraps the last line (e.g. in `display(...)`)."""
    prompt = PROMPT_SOURCE if take is None else repr(f"{PROMPT}, take {take}")
    target = "f'take-{take}.mp4'" if take is None else repr(f"take-{take}.mp4")
    video = f"Video({target}, embed=True, html_attributes={VIDEO_ATTRIBUTES!r})"
    return (
        f"video = client.videos.create_and_poll(prompt={prompt}, model={spec['model']!r}, "
        f"size={spec['size']!r}, seconds={spec['seconds']!r})\n"
        f"client.videos.download_content(video.id).write_to_file({target})\n" + show.format(video)
    )


def new_page(browser: Browser) -> Page:
    context = browser.new_context(viewport={"width": 1280, "height": 1400})
    page = context.new_page()
    page.set_default_timeout(60_000)
    return page


def open_notebook(page: Page, server: JupyterServer, name: str, *cells: str) -> None:
    """Like the tests' `run_first_cell`, for notebooks of several cells that run later."""
    write_notebook(server.root / name, *cells)
    page.goto(server.notebook_url(name, workspace=name.removesuffix(".ipynb")))
    wait_for_kernel(server, name)
    page.locator(".jp-Cell .jp-InputArea-editor").first.wait_for()
    news = page.get_by_role("button", name="No", exact=True)
    if news.is_visible():  # JupyterLab asks once whether to fetch its news
        news.click()


def run_cell(page: Page, index: int) -> None:
    """Scroll the cell to the top (its output then shows in view) and run it in place."""
    cell = page.locator(".jp-Notebook .jp-Cell").nth(index)
    cell.evaluate("(el) => el.scrollIntoView({block: 'start'})")
    cell.locator(".jp-InputArea-editor").click()
    page.keyboard.press("Control+Enter")


def wait_cell_done(page: Page, index: int, timeout_s: float = 300) -> None:
    prompt = page.locator(".jp-Notebook .jp-Cell").nth(index).locator(".jp-InputPrompt")
    expect(prompt).to_have_text(re.compile(r"^\[\d+\]:$"), timeout=timeout_s * 1000)


def watch_frames(page: Page) -> None:
    page.evaluate(WATCH_FIRST_FRAMES)


def next_frame(page: Page, count: int, timeout_s: float = 300) -> dict[str, Any]:
    """The first frame of the next video to play (the `count`-th recorded in this page)."""
    page.wait_for_function(
        f"() => window.__frames.length > {count}", polling=100, timeout=timeout_s * 1000
    )
    return page.evaluate(f"() => window.__frames[{count}]")


def frame_count(page: Page) -> int:
    return page.evaluate("() => window.__frames.length")


# ---- 1. completion on the server to the first frame ------------------------------------------


@dataclass
class Run:
    video_id: str
    completed: float  # on the server (exact, from its record)
    polled: float  # when the 20 Hz poll saw `completed`
    saved: float  # mtime of the .mp4 the kernel wrote
    in_page: float  # Date.now() when the page's <video> got this source
    first_frame: float  # Date.now() when it showed a frame and moved

    def __str__(self) -> str:
        return (
            f"{self.video_id[:14]}…: poll saw it +{self.polled - self.completed:.3f} s, "
            f".mp4 +{self.to_disk:.3f} s, in page +{self.to_page:.3f} s, "
            f"first frame +{self.total:.3f} s"
        )

    @property
    def to_page(self) -> float:
        return self.in_page - self.completed

    @property
    def total(self) -> float:
        return self.first_frame - self.completed

    @property
    def to_disk(self) -> float:
        return self.saved - self.completed


def one_run(
    page: Page,
    sim: Simulator,
    start: Callable[[], object],
    saved_path: Callable[[str], Path],
    size: str,
) -> Run:
    """Start a job (`start()`), wait for its first frame, and time it against the server."""
    watch = CompletionWatch(sim)
    watch.start()
    count = frame_count(page)
    start()
    frame = next_frame(page, count)
    video_id, completed, polled = watch.result()
    page.evaluate(PAUSE_ALL)  # a looping 1792x1024 video would tax the next run's CPU
    if f"{frame['width']}x{frame['height']}" != size:
        raise RuntimeError(f"unexpected video in the page: {frame}")
    saved = saved_path(video_id).stat().st_mtime
    return Run(video_id, completed, polled, saved, frame["since"], frame["t"])


def bench_latency(
    browser: Browser, server: JupyterServer, sim: Simulator, runs: int
) -> tuple[list[Run], list[Run]]:
    """Widget and baseline alternate, so drift on a shared machine hits both alike."""
    widget_page, baseline_page = new_page(browser), new_page(browser)
    cells = [widget_setup(sim, LARGE), GENERATE, SHOW]
    open_notebook(widget_page, server, "latency-widget.ipynb", *cells)
    watch_frames(widget_page)
    run_cell(widget_page, 0)
    wait_cell_done(widget_page, 0)
    show_widget(widget_page, 2)
    cells = [baseline_cell(LARGE, i) for i in range(1, runs + 1)]
    open_notebook(baseline_page, server, "latency-baseline.ipynb", baseline_setup(sim), *cells)
    watch_frames(baseline_page)
    run_cell(baseline_page, 0)
    wait_cell_done(baseline_page, 0)
    skew = clock_skew(widget_page)
    say(f"page clock minus Python clock: {skew * 1000:+.1f} ms")
    widget_runs: list[Run] = []
    baseline_runs: list[Run] = []
    for i in range(1, runs + 1):
        run = one_run(
            widget_page,
            sim,
            lambda: run_cell(widget_page, 1),
            lambda vid: library_file(server, vid),
            LARGE["size"],
        )
        widget_runs.append(run)
        say(f"latency {i}/{runs}: SoraWidget {run}")
        run = one_run(
            baseline_page,
            sim,
            lambda i=i: run_cell(baseline_page, i),
            lambda vid, i=i: server.root / f"take-{i}.mp4",
            LARGE["size"],
        )
        baseline_runs.append(run)
        say(f"latency {i}/{runs}: openai + Video(embed=True) {run}")
    widget_page.context.close()
    baseline_page.context.close()
    return widget_runs, baseline_runs


def library_file(server: JupyterServer, video_id: str) -> Path:
    """The widget's copy, wherever the kernel's library is (SORA_WIDGET_LIBRARY or ./)."""
    return next(server.root.rglob(f"{video_id}/video.mp4"))


def clock_skew(page: Page) -> float:
    before = time.time()
    browser_now = page.evaluate("() => Date.now() / 1000")
    return browser_now - (before + time.time()) / 2


# ---- 2. kernel memory --------------------------------------------------------------------------


@dataclass
class Memory:
    label: str
    before: int  # VmRSS after the setup cell, bytes
    after: int  # VmRSS after the videos
    peak: int  # VmHWM


def kernel_pid(server: JupyterServer, name: str) -> int:
    """The kernel of the notebook's session: the process started with its connection file."""
    sessions = httpx.get(f"{server.url}/api/sessions", timeout=5).json()
    kernel_id = next(s["kernel"]["id"] for s in sessions if s["path"].endswith(name))
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if f"kernel-{kernel_id}.json" in (proc / "cmdline").read_text():
                return int(proc.name)
        except OSError:
            continue
    raise RuntimeError(f"no process for kernel {kernel_id}")


def rss(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) in bytes."""
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    return (int(fields["VmRSS"].split()[0]) * 1024, int(fields["VmHWM"].split()[0]) * 1024)


def settle_and_measure(pid: int, label: str, before: int) -> Memory:
    time.sleep(2)  # let the last messages leave the kernel
    after, peak = rss(pid)
    say(f"memory: {label}: {before / MIB:.1f} -> {after / MIB:.1f} MiB")
    return Memory(label, before, after, peak)


def memory_widget(browser: Browser, server: JupyterServer, sim: Simulator, count: int) -> Memory:
    """One SoraWidget on screen generating `count` videos, one after the other."""
    page = new_page(browser)
    name = "memory-widget.ipynb"
    loop = (
        f"for take in range(1, {count + 1}):\n"
        f"    w.prompt = {PROMPT_SOURCE}\n"
        "    w.generate()\n"
        "    await w.wait()"
    )
    open_notebook(page, server, name, widget_setup(sim, SMALL), loop, SHOW)
    run_cell(page, 0)
    wait_cell_done(page, 0)
    show_widget(page, 2)
    pid = kernel_pid(server, name)
    before, _ = rss(pid)
    run_cell(page, 1)
    wait_cell_done(page, 1)
    expect(page.get_by_test_id("history-item")).to_have_count(count)
    memory = settle_and_measure(pid, "SoraWidget", before)
    page.context.close()
    return memory


def memory_baseline(
    browser: Browser, server: JupyterServer, sim: Simulator, count: int, loop: bool
) -> Memory:
    """`count` cells ending in `Video(...)` (kept in `Out`), or one cell `display()`ing them."""
    page = new_page(browser)
    name = f"memory-{'loop' if loop else 'cells'}.ipynb"
    if loop:
        body = baseline_cell(SMALL, None, show="display({})")
        cells = [f"for take in range(1, {count + 1}):\n" + textwrap.indent(body, "    ")]
    else:
        cells = [baseline_cell(SMALL, i) for i in range(1, count + 1)]
    open_notebook(page, server, name, baseline_setup(sim), *cells)
    run_cell(page, 0)
    wait_cell_done(page, 0)
    pid = kernel_pid(server, name)
    before, _ = rss(pid)
    for i in range(1, len(cells) + 1):
        run_cell(page, i)
        wait_cell_done(page, i)
    label = (
        f"openai SDK + `display(Video(embed=True))` x{count} in one cell"
        if loop
        else f"openai SDK + {count} cells ending in `Video(embed=True)`"
    )
    memory = settle_and_measure(pid, label, before)
    page.context.close()
    return memory


# ---- 3. the saved notebook ---------------------------------------------------------------------


@dataclass
class Saved:
    label: str
    size: int


@dataclass
class SaveReport:
    rows: list[Saved] = field(default_factory=list)
    video_bytes: int = 0
    state_parts: dict[str, int] = field(default_factory=dict)


def save(page: Page, path: Path) -> int:
    """Ctrl+S, as a person saves; returns the file's size once JupyterLab has written it."""
    before = path.stat().st_mtime_ns
    page.keyboard.press("Control+s")
    deadline = time.monotonic() + 60
    while path.stat().st_mtime_ns == before:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{path.name} was not saved")
        time.sleep(0.1)
    time.sleep(0.5)
    return path.stat().st_size


def widget_state_parts(path: Path) -> dict[str, int]:
    """Bytes of saved widget state by what they hold (video, JS bundle, the rest)."""
    metadata = json.loads(path.read_text())["metadata"].get("widgets", {})
    models = metadata.get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
    parts: dict[str, int] = {}
    for model in models.values():
        for buffer in model.get("buffers", []):
            key = f"binary trait `{buffer['path'][0]}` (base64)"
            parts[key] = parts.get(key, 0) + len(buffer["data"])
        for key, value in model.get("state", {}).items():
            if isinstance(value, str) and len(value) > 10_000:
                label = f"string trait `{key}`"
                parts[label] = parts.get(label, 0) + len(value)
    parts["all widget state"] = len(json.dumps(metadata))
    return parts


def bench_saved_size(browser: Browser, server: JupyterServer, sim: Simulator) -> SaveReport:
    page = new_page(browser)
    name = "saved.ipynb"
    path = server.root / name
    same_video = (
        "from IPython.display import Video\nfrom openai import OpenAI\n\n"
        f"client = OpenAI(api_key={KEY!r}, base_url={sim.url!r})\n"
        "client.videos.download_content(w.selected).write_to_file('same.mp4')\n"
        "Video('same.mp4', embed=True)"
    )
    open_notebook(page, server, name, widget_setup(sim, LARGE), GENERATE, SHOW, same_video)
    watch_frames(page)
    report = SaveReport()
    run_cell(page, 0)
    wait_cell_done(page, 0)
    show_widget(page, 2)
    report.rows.append(Saved("SoraWidget displayed, no video yet", save(page, path)))
    run_cell(page, 1)
    next_frame(page, 0)
    report.rows.append(Saved("after the widget generated and played a video", save(page, path)))
    run_cell(page, 3)
    wait_cell_done(page, 3)
    page.locator(".jp-Notebook .jp-Cell").nth(3).locator("video").wait_for()
    report.video_bytes = (server.root / "same.mp4").stat().st_size
    report.rows.append(
        Saved("+ a cell with `Video(embed=True)` of the same video", save(page, path))
    )
    enable_widget_state(page, server)
    report.rows.append(Saved('same, with "Save Widget State Automatically" on', save(page, path)))
    report.state_parts = widget_state_parts(path)
    page.context.close()
    return report


def enable_widget_state(page: Page, server: JupyterServer) -> None:
    """Settings → Save Widget State Automatically (off by default in jupyterlab_widgets)."""
    page.locator(".lm-MenuBar-itemLabel", has_text="Settings").click()
    page.locator(".lm-Menu-itemLabel", has_text="Save Widget State Automatically").click()
    stored = (
        server.root / ".settings/@jupyter-widgets/jupyterlab-manager/plugin.jupyterlab-settings"
    )
    deadline = time.monotonic() + 30
    while not (stored.exists() and '"saveState": true' in stored.read_text()):
        if time.monotonic() > deadline:
            raise RuntimeError("the widget state setting was not stored")
        time.sleep(0.1)
    # Stored is not yet applied: wait for the menu to show the check mark, as a person would.
    page.locator(".lm-MenuBar-itemLabel", has_text="Settings").click()
    item = page.locator(".lm-Menu-item", has_text="Save Widget State Automatically")
    expect(item).to_have_class(re.compile("lm-mod-toggled"))
    page.keyboard.press("Escape")


# ---- the report --------------------------------------------------------------------------------


def median(values: list[float]) -> float:
    return statistics.median(values)


def latency_table(widget: list[Run], baseline: list[Run]) -> list[str]:
    """Medians from the server's completion to each step, and baseline / widget per column."""
    lines = [
        "| approach | runs | → .mp4 on disk (s) | → `<video>` has it (s) "
        "| → first frame playing (s) | first frame, min – max (s) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    steps = (Run.to_disk.fget, Run.to_page.fget, Run.total.fget)
    for label, runs in (
        ("SoraWidget", widget),
        ("openai `create_and_poll` + `download_content` + `Video(embed=True)`", baseline),
    ):
        disk, page, total = (median([step(r) for r in runs]) for step in steps)
        totals = [r.total for r in runs]
        lines.append(
            f"| {label} | {len(runs)} | {disk:.2f} | {page:.2f} | **{total:.2f}** "
            f"| {min(totals):.2f} – {max(totals):.2f} |"
        )
    ratios = [
        median([step(r) for r in baseline]) / median([step(r) for r in widget]) for step in steps
    ]
    lines.append(
        f"| **baseline / widget** | | {ratios[0]:.2f}x | {ratios[1]:.2f}x "
        f"| **{ratios[2]:.2f}x** | |"
    )
    return lines


def memory_table(rows: list[Memory], count: int) -> list[str]:
    lines = [
        f"| kernel after {count} videos | RSS after setup (MiB) | RSS after (MiB) "
        "| growth (MiB) | peak RSS (MiB) |",
        "|---|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row.label} | {row.before / MIB:.1f} | {row.after / MIB:.1f} "
            f"| **{(row.after - row.before) / MIB:+.1f}** | {row.peak / MIB:.1f} |"
        )
    return lines


def saved_table(report: SaveReport) -> list[str]:
    lines = ["| saved notebook (Ctrl+S) | .ipynb size (KB) | grows by (KB) |", "|---|---:|---:|"]
    previous: int | None = None
    for row in report.rows:
        growth = "—" if previous is None else _growth(row.size - previous)
        lines.append(f"| {row.label} | {row.size / 1024:.1f} | {growth} |")
        previous = row.size
    lines.append(f"| (the .mp4 itself, for scale) | {report.video_bytes / 1024:.1f} | |")
    return lines


def _growth(change: int) -> str:
    return f"{change / 1024:+.1f}" if abs(change) >= 512 else f"{change:+d} bytes"


def state_lines(report: SaveReport) -> list[str]:
    parts = sorted(report.state_parts.items(), key=lambda item: -item[1])
    return [f"- {label}: {size / 1024:.1f} KB" for label, size in parts if size >= 100]


def method(args: argparse.Namespace, widget: list[Run], baseline: list[Run]) -> list[str]:
    checks = [(r.polled - r.completed) * 1000 for r in widget + baseline]
    return [
        f"- **Setup.** One JupyterLab on loopback, headless Debian Chromium driven by "
        f"Playwright (the browser tests' helpers), {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}. The simulator runs as a real server (`sora-widget "
        f"simulator --port 0`), at x{args.speed:g} for the latency runs and "
        f"x{args.fast_speed:g} for the rest; the kernel reaches it over HTTP with an explicit "
        f"base URL and a dummy key, for the widget (`SoraClient`) and the SDK (`OpenAI`) "
        f"alike. Take *i* has the same prompt, hence the same video bytes, in both.",
        f"- **Latency.** `{LARGE['model']}`, `{LARGE['size']}`, {LARGE['seconds']} s, "
        f"N={len(widget)} each, widget and baseline alternating, each in its own notebook. "
        f"The completion instant is the simulator's own (its status is a function of its "
        f"clock: `max(created_at + planned duration, rendered_at)` from its record); a "
        f"{POLL_HZ} Hz poll of `GET /videos/{{id}}` from the benchmark saw `completed` a median "
        f"{median(checks):.0f} ms later (max {max(checks):.0f} ms), which bears it out. The "
        f"page checks every 4 ms when a `<video>` gets the new source and when it first has "
        f"`readyState >= 2` and `currentTime > 0`, stamped with `Date.now()` (one machine, "
        f'one clock). ".mp4 on disk" is the mtime of the file the kernel wrote (the '
        f"widget's library copy, or `write_to_file`). The baseline's `Video` gets "
        f'`html_attributes="{VIDEO_ATTRIBUTES}"` like the widget\'s player, so neither waits '
        f"for a click; every video is paused after its run.",
        "- **Polling, read with care.** The SDK's `poll()` keeps the first "
        "`openai-poll-after-ms` hint for the whole job. The simulator's hint is a quarter of "
        "the time left, so the SDK polls in four equal steps that land just after the planned "
        "completion: its detection is near-perfect here, and would lag by up to one interval "
        "(a quarter of the job) whenever the job ends off that schedule. The widget re-reads "
        "the hint on every poll.",
        "- **Widget jobs start from a cell** (`w.generate()`), not the Generate button: in "
        "this JupyterLab (default `commsOverSubshells`), widget messages after the first are "
        "handled on a kernel subshell thread with its own event loop, and a second Generate "
        "fails with `... is bound to a different event loop`.",
        f"- **Memory.** VmRSS of the kernel process (found via the sessions API and its "
        f"connection file in `/proc/<pid>/cmdline`), after the setup cell, and 2 s after the "
        f"last of {args.videos} `{SMALL['model']}` `{SMALL['size']}` {SMALL['seconds']} s "
        f"videos. The setup rows differ because the widget imports more (anywidget, httpx, "
        f"Pillow).",
        "- **Saved size.** Ctrl+S in JupyterLab after each step, one notebook, the same video "
        "in the widget and in the `Video(embed=True)` cell; then the jupyterlab_widgets "
        'setting "Save Widget State Automatically" (off by default) is switched on from the '
        "Settings menu and the notebook saved again.",
    ]


def report(
    args: argparse.Namespace,
    latency: tuple[list[Run], list[Run]],
    memory: list[Memory],
    saved: SaveReport,
) -> str:
    widget, baseline = latency
    lines = [
        "# SoraWidget beside `openai` + `IPython.display.Video`, in JupyterLab",
        "",
        f"`python benchmarks/bench_widget.py` — {time.strftime('%Y-%m-%d')}. Medians of one "
        "run on a shared, noisy machine: read the ratios, not the decimals.",
        "",
        "## Completion on the server → first frame playing in the browser",
        "",
        *latency_table(widget, baseline),
        "",
        "## Kernel memory",
        "",
        *memory_table(memory, args.videos),
        "",
        "## Saved notebook size",
        "",
        *saved_table(saved),
        "",
        'Saved widget state with "Save Widget State Automatically" on:',
        "",
        *state_lines(saved),
        "",
        "## Method",
        "",
        *method(args, widget, baseline),
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="latency runs per approach")
    parser.add_argument("--speed", type=float, default=20, help="simulator speed for latency")
    parser.add_argument("--fast-speed", type=float, default=100, help="speed for the rest")
    parser.add_argument("--videos", type=int, default=20, help="videos for the memory test")
    args = parser.parse_args()
    executable = chromium_path()
    with tempfile.TemporaryDirectory(prefix="bench-widget-") as tmp:
        root = Path(tmp)
        with (
            simulator(root / "sim-latency", args.speed) as slow,
            simulator(root / "sim-fast", args.fast_speed) as fast,
        ):
            say(f"simulators at {slow.url} (x{args.speed:g}) and {fast.url} (x{args.fast_speed:g})")
            work = root / "lab"
            work.mkdir()
            server = _start_jupyter("lab", work, work / ".simulator")
            say(f"JupyterLab at {server.url}")
            try:
                with sync_playwright() as playwright:
                    browser = playwright.chromium.launch(
                        executable_path=executable, args=CHROMIUM_FLAGS
                    )
                    latency = bench_latency(browser, server, slow, args.runs)
                    memory = [
                        memory_widget(browser, server, fast, args.videos),
                        memory_baseline(browser, server, fast, args.videos, loop=False),
                        memory_baseline(browser, server, fast, args.videos, loop=True),
                    ]
                    saved = bench_saved_size(browser, server, fast)
                    browser.close()
            finally:
                _stop(server, work / ".simulator")
    text = report(args, latency, memory, saved)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text)
    print(text)
    say(f"written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
