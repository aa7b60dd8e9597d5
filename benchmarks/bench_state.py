"""What the kernel keeps, what the comm carries and what a saved notebook holds, after 50 videos.

    python benchmarks/bench_state.py          # under a minute; writes results/state.md
    python benchmarks/bench_state.py --json   # the figures only, for comparing two checkouts

No browser: the widgets run in this process with a comm that counts what it would send (JSON
plus binary buffers, as ipywidgets hands them to the kernel), and a stand-in view that asks for
the player's media after each video, as `js/player.js` and `js/history.js` do (old checkouts,
whose media are traits, need no asking). One video is made on the simulator; the library then
holds 49 copies of it under other ids, so 50 videos cost one render.

- SoraWidget: each of 50 videos joins the history strip and plays, as a finished job does.
- Compare: one comparison whose cells are the 50 saved videos.
- Baseline: what a notebook gets from `IPython.display.Video(path, embed=True)` per video
  (the output's HTML, kept by the kernel's output history and written into the .ipynb).
- History traffic: a strip of 20 videos, then 20 status changes of a job running beside them.

Memory is Python's own allocations still alive after a garbage collection (tracemalloc), and
the process's RSS growth; the saved size is the widget state ipywidgets' embed and JupyterLab's
"Save Widget State Automatically" write (`Widget.get_manager_state`, buffers in base64).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import gc
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

import ipywidgets
import psutil
from IPython.display import Video

sys.path.insert(0, os.environ.get("SORA_WIDGET_CHECKOUT", str(Path(__file__).resolve().parents[1])))

from sora_widget.engine.client import SoraClient  # noqa: E402
from sora_widget.engine.library import Library  # noqa: E402
from sora_widget.engine.storage import LibraryEntry  # noqa: E402
from sora_widget.simulator.server import command  # noqa: E402
from sora_widget.ui.compare import Compare  # noqa: E402
from sora_widget.ui.compare_state import Variant  # noqa: E402
from sora_widget.ui.widget import SoraWidget  # noqa: E402
from sora_widget.ui.widget_state import history_item  # noqa: E402

VIDEOS = 50
STRIP, CHANGES = 20, 20
KEY = "sk-bench-local"
RESULTS = Path(__file__).resolve().parent / "results" / "state.md"


def counting(widget: ipywidgets.Widget) -> list[int]:
    """Bytes of each message `widget` sends its views from now on."""
    sizes: list[int] = []

    def send(msg: dict, buffers: list | None = None) -> None:
        binary = sum(memoryview(b).nbytes for b in buffers or [])
        sizes.append(len(json.dumps(msg)) + binary)

    widget._send = send
    return sizes


async def view_asks(widget: ipywidgets.Widget, keys: list[str]) -> None:
    """What a view does when it lacks media (nothing, on checkouts that send them as traits)."""
    if hasattr(widget, "send_media"):
        await widget.send_media(keys, widget.library)


def saved_kb(widget: ipywidgets.Widget) -> float:
    state = ipywidgets.Widget.get_manager_state(drop_defaults=True, widgets=[widget])
    return len(json.dumps(state)) / 1024


def copies(library: Library, entry: LibraryEntry, count: int) -> list[LibraryEntry]:
    made = []
    for n in range(count):
        folder = library.folder(f"{entry.id}_copy{n}")
        shutil.copytree(entry.folder, folder)
        copy = dataclasses.replace(entry, id=folder.name, folder=folder)
        (folder / "metadata.json").write_text(json.dumps(copy.to_metadata()))
        made.append(copy)
    return made


class Memory:
    """Python allocations alive (tracemalloc, after gc) and RSS, from `start()` to `stop()`."""

    def start(self) -> None:
        gc.collect()
        self.rss = psutil.Process().memory_info().rss
        tracemalloc.start()
        self.base = tracemalloc.get_traced_memory()[0]

    def stop(self) -> dict[str, float]:
        gc.collect()
        current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return {
            "kept_mib": (current - self.base) / 2**20,
            "peak_mib": (peak - self.base) / 2**20,
            "rss_growth_mib": (psutil.Process().memory_info().rss - self.rss) / 2**20,
        }


async def widget_case(client: SoraClient, library: Library, entries: list[LibraryEntry]) -> dict:
    memory = Memory()
    memory.start()
    widget = SoraWidget(client=client, library=library, resume=False)
    sent = counting(widget)
    for entry in entries:  # what a finished job does, then what its views ask for
        widget._remember(entry)
        widget._show(entry)
        await asyncio.sleep(0)
        keys = [f"{kind}:{entry.id}" for kind in ("video", "thumbnail", "spritesheet")]
        await view_asks(widget, keys)
    await asyncio.sleep(0.2)  # the sprite grid, read in a thread
    result = memory.stop()
    result |= {"saved_kb": saved_kb(widget), "comm_mib": sum(sent) / 2**20}
    widget.close()
    return result


async def compare_case(client: SoraClient, library: Library, entries: list[LibraryEntry]) -> dict:
    memory = Memory()
    memory.start()
    compare = Compare(entries[0].id, client=client, library=library)
    sent = counting(compare)
    for entry in entries[1:]:
        compare._add(Variant(next(compare._keys), "existing", video_id=entry.id))
    await compare.wait()
    await view_asks(compare, [cell["media"] for cell in compare.cells])
    result = memory.stop()
    result |= {"saved_kb": saved_kb(compare), "comm_mib": sum(sent) / 2**20}
    compare.close()
    return result


def baseline_case(entries: list[LibraryEntry]) -> dict:
    memory = Memory()
    memory.start()
    outputs = [Video(str(entry.video_path), embed=True)._repr_html_() for entry in entries]
    result = memory.stop()
    size = sum(len(html) for html in outputs) / 1024
    return result | {"saved_kb": size, "comm_mib": size / 1024}


async def history_case(client: SoraClient, library: Library, entries: list[LibraryEntry]) -> dict:
    widget = SoraWidget(client=client, library=library, resume=False)
    sent = counting(widget)
    for entry in entries[:STRIP]:
        widget._remember(entry)
        await view_asks(widget, [f"thumbnail:{entry.id}"])
    strip = sum(sent)
    sent.clear()
    for n in range(CHANGES):
        widget._put_in_history(
            history_item("video_running", "a job", ("queued", "in_progress")[n % 2])
        )
    changes = sum(sent)
    widget.close()
    return {"strip_kb": strip / 1024, "changes_kb": changes / 1024, "messages": len(sent)}


async def make_one(base_url: str, library: Library) -> LibraryEntry:
    async with SoraClient(KEY, base_url=base_url) as client:
        widget = SoraWidget("a red fox trotting through fresh snow", client=client, library=library)
        widget.generate()
        video = await widget.wait()
        widget.close()
    entry = library.get(video.id)
    assert entry is not None
    return entry


async def run(base_url: str, work: Path) -> dict[str, Any]:
    library = Library(work / "library")
    first = await make_one(base_url, library)
    entries = [first, *copies(library, first, VIDEOS - 1)]
    async with SoraClient(KEY, base_url=base_url) as client:
        return {
            "video_kb": first.video_path.stat().st_size / 1024,
            "thumbnail_kb": first.thumbnail_path.stat().st_size / 1024,
            "widget": await widget_case(client, library, entries),
            "compare": await compare_case(client, library, entries),
            "baseline": baseline_case(entries),
            "history": await history_case(client, library, entries),
        }


def report(figures: dict[str, Any], before: dict[str, Any] | None) -> str:
    def row(name: str, values: dict) -> str:
        return (
            f"| {name} | {values['kept_mib']:.1f} | {values['peak_mib']:.1f} | "
            f"{values['rss_growth_mib']:+.1f} | {values['saved_kb']:,.0f} | "
            f"{values['comm_mib']:.1f} |"
        )

    lines = [
        "# What the kernel keeps and a notebook saves, after 50 videos",
        "",
        f"`python benchmarks/bench_state.py`, {time.strftime('%Y-%m-%d')}; {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}. One {figures['video_kb']:,.0f} KB video (720x1280, "
        f"4 s, thumbnail {figures['thumbnail_kb']:.0f} KB) saved 50 times under other ids.",
        "",
        "| after 50 videos | Python memory kept (MiB) | peak (MiB) | RSS growth (MiB) | "
        "saved widget state / outputs (KB) | sent to the browser (MiB) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    if before is not None:
        lines.append(row("SoraWidget, before (media as traits)", before["widget"]))
    lines.append(row("**SoraWidget**", figures["widget"]))
    if before is not None:
        lines.append(row("Compare of 50 cells, before", before["compare"]))
    lines.append(row("**Compare** of 50 cells", figures["compare"]))
    lines.append(row("baseline: `Video(embed=True)` per video", figures["baseline"]))
    history = figures["history"]
    lines += [
        "",
        f"History strip of {STRIP} videos, then {CHANGES} status changes of a job beside them "
        "(bytes over the comm):",
        "",
        "| | strip of 20 (KB) | 20 status changes (KB) |",
        "|---|---:|---:|",
    ]
    if before is not None:
        old = before["history"]
        lines.append(f"| before | {old['strip_kb']:,.0f} | {old['changes_kb']:,.0f} |")
    lines.append(f"| **now** | {history['strip_kb']:,.0f} | {history['changes_kb']:,.1f} |")
    lines += ["", "Method: see the docstring of `benchmarks/bench_state.py`.", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON only")
    parser.add_argument("--before", type=Path, help="figures (--json) of an earlier checkout")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-state-") as temp:
        work = Path(temp)
        process = subprocess.Popen(
            command(work / "simulator", "--speed", "50"), stdout=subprocess.PIPE, text=True
        )
        try:
            line = process.stdout.readline() if process.stdout else ""
            figures = asyncio.run(run(line.split()[-1], work))
        finally:
            process.terminate()
            process.wait(timeout=15)
    if options.json:
        print(json.dumps(figures))
        return
    before = json.loads(options.before.read_text()) if options.before else None
    text = report(figures, before)
    print(text)
    RESULTS.write_text(text)


if __name__ == "__main__":
    main()
