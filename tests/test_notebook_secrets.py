"""With a key set, every notebook is run, saved and exported, and the key appears nowhere.

The notebooks in notebooks/ (plus one made here that walks the error paths inside a kernel)
are executed with nbclient in kernels whose environment holds OPENAI_API_KEY=<a distinctive
key> and OPENAI_BASE_URL=<a real simulator that accepts only that key>. The executed notebooks
are saved with their widget state and exported to HTML, and then everything is searched for
the key: the .ipynb files, the HTML, every output and traceback, the kernels' own stdout and
stderr, the log records of httpx and sora_widget in the kernels, every file the kernels left
behind, the library folder, and the simulator's output and data folder.

The key is searched as itself and as base64 at every byte alignment, because widget buffers,
images and embedded videos are stored base64-encoded. A planted key is found (so the search
works), and the run must have produced outputs, widget state, library entries and
authenticated requests on that server (so an empty run, or one that quietly used the local
simulator with its own key, cannot pass).
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import nbformat
import pytest
from nbclient import NotebookClient
from nbconvert import HTMLExporter

from sora_widget.simulator import SimulatorConfig
from sora_widget.simulator.process import stop

from .helpers import start_server, stop_server, unused_port

pytestmark = pytest.mark.notebook

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))
#: Random, so it cannot be in any file from before this run; prefixed, so a leak is legible.
KEY = f"sk-proj-NOTEBOOK-SECRET-{secrets.token_hex(16)}-do-not-leak"
#: The speed the notebooks' nbval run uses (notebooks/conftest.py).
SPEED = "25"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
#: Notebooks whose cells display widgets, so their saved state must hold some.
WITH_WIDGETS = {
    "01_quickstart",
    "03_remix_comparison",
    "06_arena",
    "07_teaching_a_class",
    "90_error_paths",
}
CELL_TIMEOUT = 180

#: Run by every kernel at start-up (IPython's startup folder): the log records of the client,
#: httpx and httpcore at DEBUG go to a file, so the logs can be searched too.
KERNEL_STARTUP = """
import logging, os

_handler = logging.FileHandler(os.environ["SORA_TEST_KERNEL_LOG"], encoding="utf-8")
_handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s %(args)r"))
_handler.setLevel(logging.DEBUG)
logging.getLogger().addHandler(_handler)
for _name in ("httpx", "httpcore", "sora_widget", "anywidget", "asyncio"):
    logging.getLogger(_name).setLevel(logging.DEBUG)
del _handler, _name
"""


def needles(key: str) -> dict[str, bytes]:
    """The key, and its base64 at each of the three byte alignments (standard and URL-safe).

    Only the characters that depend on the key's bytes alone are kept: the first and last
    four characters of each encoding also carry neighbouring bytes.
    """
    raw = key.encode()
    found = {"key": raw}
    for offset in range(3):
        padded = b"\0" * offset + raw
        for name, encode in (("base64", base64.b64encode), ("base64url", base64.urlsafe_b64encode)):
            encoded = encode(padded)
            found[f"{name}@{offset}"] = encoded[4:-4]
    return found


NEEDLES = needles(KEY)


def hits(data: bytes | str) -> list[str]:
    blob = data.encode("utf-8", "surrogateescape") if isinstance(data, str) else data
    return [name for name, needle in NEEDLES.items() if needle in blob]


def search_tree(root: Path) -> dict[str, list[str]]:
    """Every file under `root`, read whole as bytes; {relative path: needles found}."""
    found = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink() and (names := hits(path.read_bytes())):
            found[path.relative_to(root).as_posix()] = names
    return found


def output_texts(nb: nbformat.NotebookNode) -> Iterator[tuple[str, str]]:
    """(where, text) for every output: streams, error tracebacks, every mime type's data."""
    for index, cell in enumerate(nb.cells):
        for number, output in enumerate(cell.get("outputs", [])):
            where = f"cell {index} output {number} ({output.output_type})"
            if output.output_type == "stream":
                yield where, output.text
            elif output.output_type == "error":
                yield where, "\n".join([output.ename, output.evalue, *output.traceback])
            else:
                for mime, value in output.get("data", {}).items():
                    text = value if isinstance(value, str) else json.dumps(value)
                    yield f"{where} {mime}", text


def widget_models(nb: nbformat.NotebookNode) -> dict:
    return nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})


def error_paths_notebook(refused_url: str) -> nbformat.NotebookNode:
    """Every error a user can meet in a notebook, against the key-requiring server.

    Cells tagged `raises-exception` end in an uncaught exception, so its traceback (as the
    kernel renders it, locals too under `%xmode Verbose`) lands in the notebook.
    """
    cells = [
        # (source, expected uncaught exception or None)
        (
            "import asyncio\n"
            "from sora_widget import SoraClient, SoraWidget, connect\n\n"
            "client = connect()\n"
            "print(repr(client), client.is_simulator)\n"
            "print(vars(client))\n"
            "client",
            None,
        ),
        ('await client.retrieve("video_0000000000000000nope")', "NotFoundError"),
        (
            "queued = await client.create(\n"
            '    "a fox that is still queued", model="sora-2-pro", size="1792x1024", seconds="12"\n'
            ")\n"
            'await client.remix(queued.id, "the same fox at night")',
            "BadRequestError",
        ),
        ('await client.download_content(queued.id, path="too-early.mp4")', "BadRequestError"),
        ('await client.create("")', "InvalidRequestError"),
        ('await client.create("a fox", size="1x1")', "InvalidRequestError"),
        (
            'job = client.submit("a forbidden fox in fresh snow", size="1280x720", seconds=4)\njob',
            None,
        ),
        ("await job", "ModerationBlocked"),
        (
            'wrong = SoraClient(api_key="sk-wrong-but-harmless", max_retries=0)\n'
            "await wrong.list_page()",
            "AuthenticationError",
        ),
        (
            f'refused = SoraClient(base_url="{refused_url}", max_retries=1)\n'
            "await refused.list_page()",
            "APIConnectionError",
        ),
        (
            'blocked = SoraWidget("a forbidden dragon over a castle", size="1280x720", seconds=4)\n'
            "blocked.generate()\n"
            "await asyncio.gather(blocked.wait(), return_exceptions=True)\n"
            "print(repr(blocked), blocked.error)\n"
            "blocked",
            None,
        ),
        ("await blocked.wait()", "ModerationBlocked"),
        ('blocked.save_html("blocked.html")', "RuntimeError"),
        (
            'ok = SoraWidget("a calm lake at dawn, slow pan", size="1280x720", seconds=4)\n'
            "ok.generate()\n"
            "await ok.wait()\n"
            'print(ok.save_html("calm-lake.html"), ok.video_file.stat().st_size > 0)\n'
            "ok",
            None,
        ),
        ('ok.remix("")', "InvalidRequestError"),
        ("%xmode Verbose", None),
        ('await client.retrieve("video_0000000000000000nope")', "NotFoundError"),
        ("await wrong.list_page()", "AuthenticationError"),
        ("await refused.list_page()", "APIConnectionError"),
        ('await client.download_content("video_0000000000000000nope")', "NotFoundError"),
        ("%xmode Context", None),
        ("for c in (client, wrong, refused):\n    await c.aclose()\nprint('done')", None),
    ]
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    for source, raises in cells:
        cell = nbformat.v4.new_code_cell(source)
        if raises:
            cell.metadata["tags"] = ["raises-exception"]
            cell.metadata["expected"] = raises
        nb.cells.append(cell)
    return nb


@dataclass
class Run:
    base_url: str
    out: Path  # saved notebooks and HTML exports
    kernel_files: Path  # the kernels' working and temporary folders
    logs: Path  # the kernels' stdout/stderr and log records
    library: Path
    sim_data: Path
    local_sim_data: Path  # where connect() would have started its own simulator
    notebooks: dict[str, nbformat.NotebookNode] = field(default_factory=dict)
    html: dict[str, str] = field(default_factory=dict)
    server_output: str = ""
    refusals: dict[str, int] = field(default_factory=dict)
    listed_ids: set[str] = field(default_factory=set)


def kernel_env(run: Run, name: str, ipython_dir: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("OPENAI_", "SORA_WIDGET_", "SORA_SIM_", "PYTEST_"))
    }
    tmp = run.kernel_files / "tmp" / name
    tmp.mkdir(parents=True)
    env.update(
        OPENAI_API_KEY=KEY,
        OPENAI_BASE_URL=run.base_url,
        SORA_WIDGET_LIBRARY=str(run.library),
        # Should the backend choice ever ignore the key, connect() would start its own
        # simulator here, and the test would see it.
        SORA_SIM_DATA_DIR=str(run.local_sim_data),
        SORA_SIM_SPEED=SPEED,
        IPYTHONDIR=str(ipython_dir),
        SORA_TEST_KERNEL_LOG=str(run.logs / f"{name}.records.log"),
        TMPDIR=str(tmp),
        PYTHONUNBUFFERED="1",
    )
    return env


def execute(run: Run, name: str, nb: nbformat.NotebookNode, ipython_dir: Path) -> None:
    cwd = run.kernel_files / "cwd" / name
    cwd.mkdir(parents=True)
    client = NotebookClient(
        nb,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        allow_errors=True,  # errors are searched too, then asserted on separately
        store_widget_state=True,
        resources={"metadata": {"path": str(cwd)}},
    )
    with open(run.logs / f"{name}.kernel.log", "wb") as kernel_output:
        client.execute(
            env=kernel_env(run, name, ipython_dir), stdout=kernel_output, stderr=kernel_output
        )
    saved = run.out / f"{name}.ipynb"
    nbformat.write(nb, saved)
    run.notebooks[name] = nbformat.read(saved, as_version=4)  # what a reader would open
    body, _ = HTMLExporter().from_notebook_node(run.notebooks[name])
    (run.out / f"{name}.html").write_text(body, encoding="utf-8")
    run.html[name] = body


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    root = tmp_path_factory.mktemp("notebook-secrets")
    server = start_server(
        root / "simulator",
        "--speed",
        SPEED,
        "--api-key",
        KEY,
        "--blocked-words",
        "forbidden",
        "--log-level",
        "debug",
    )
    result = Run(
        base_url=server.base_url,
        out=root / "out",
        kernel_files=root / "kernels",
        logs=root / "logs",
        library=root / "videos",
        sim_data=server.data_dir,
        local_sim_data=root / "local-simulator",
    )
    for folder in (result.out, result.kernel_files, result.logs):
        folder.mkdir()
    ipython_dir = root / "ipython"
    startup = ipython_dir / "profile_default" / "startup"
    startup.mkdir(parents=True)
    (startup / "00-log-records.py").write_text(KERNEL_STARTUP)
    try:
        for path in NOTEBOOKS:
            execute(result, path.stem, nbformat.read(path, as_version=4), ipython_dir)
        refused_url = f"http://127.0.0.1:{unused_port()}/v1"
        execute(result, "90_error_paths", error_paths_notebook(refused_url), ipython_dir)
        # The server really wants the key: without it, or with another, nothing is served.
        url = f"{server.base_url}/videos"
        result.refusals = {
            "none": httpx.get(url).status_code,
            "wrong": httpx.get(url, headers={"Authorization": "Bearer sk-other"}).status_code,
        }
        listed = httpx.get(url, params={"limit": 100}, headers={"Authorization": f"Bearer {KEY}"})
        listed.raise_for_status()
        result.listed_ids = {video["id"] for video in listed.json()["data"]}
    finally:
        result.server_output = stop_server(server)
        stop(SimulatorConfig(data_dir=result.local_sim_data))  # only if one was started
    (result.logs / "simulator.log").write_text(result.server_output, encoding="utf-8")
    yield result


# ---- the run happened, against the server that wants the key ------------------------------


def test_the_notebooks_ran_against_the_key_requiring_server(run: Run):
    assert run.refusals == {"none": 401, "wrong": 401}
    records = list((run.sim_data / "videos").glob("*.json"))
    # 1 (01) + 5 (02) + 7 (03) + 9 (04) made through connect() or SoraWidget, + 4 (errors)
    assert len(records) >= 26, f"only {len(records)} videos on the key-requiring server"
    metadata = [json.loads(p.read_text()) for p in run.library.glob("*/metadata.json")]
    # 1 (01) + 1 (02) + 7 (03) + 9 (04) + 1 (errors) saved in the library
    assert len(metadata) >= 19, f"only {len(metadata)} videos in the library"
    assert {entry["base_url"] for entry in metadata} == {run.base_url}
    assert {entry["id"] for entry in metadata} <= run.listed_ids | {r.stem for r in records}
    assert not run.local_sim_data.exists(), "connect() started the local simulator"
    first = "".join(text for _, text in output_texts(run.notebooks["01_quickstart"]))
    assert "using the local simulator" not in first
    kernel_records = "".join(p.read_text() for p in run.logs.glob("*.records.log"))
    assert f"HTTP Request: POST {run.base_url}/videos" in kernel_records


def test_every_notebook_ran_to_the_end_with_outputs_and_widget_state(run: Run):
    assert set(run.notebooks) == {path.stem for path in NOTEBOOKS} | {"90_error_paths"}
    assert len(NOTEBOOKS) >= 4
    for name, nb in run.notebooks.items():
        code = [cell for cell in nb.cells if cell.cell_type == "code"]
        assert all(cell.execution_count for cell in code), f"{name}: a cell did not run"
        with_output = [cell for cell in code if cell.outputs]
        assert len(with_output) >= len(code) // 2, f"{name}: too few outputs"
        assert sum(len(text) for _, text in output_texts(nb)) > 100, f"{name}: outputs empty"
        for index, cell in enumerate(code):
            errors = [o for o in cell.outputs if o.output_type == "error"]
            expected = cell.metadata.get("expected")
            if expected is None:
                assert not errors, f"{name} cell {index}: {[(e.ename, e.evalue) for e in errors]}"
            else:
                assert [e.ename for e in errors] == [expected], f"{name} cell {index}"
        if name in WITH_WIDGETS:
            models = widget_models(nb)
            assert any("_esm" in model["state"] for model in models.values()), name
            assert WIDGET_STATE in run.html[name], f"{name}: no widget state in the HTML"
    # A finished video is named by the saved state (its library file), not carried in it.
    states = widget_models(run.notebooks["01_quickstart"]).values()
    assert any(model["state"].get("video_path", "").endswith(".mp4") for model in states)
    buffers = [buffer for model in states for buffer in model.get("buffers", [])]
    assert sum(len(buffer["data"]) for buffer in buffers) < 10_000


# ---- the key appears nowhere ---------------------------------------------------------------


def test_the_key_appears_nowhere(run: Run):
    found: dict[str, list[str]] = {}
    for name, nb in run.notebooks.items():
        for where, text in output_texts(nb):
            if names := hits(text):
                found[f"{name}: {where}"] = names
        if names := hits(json.dumps(nb.metadata)):
            found[f"{name}: metadata (widget state)"] = names
    for label, root in (
        ("saved notebooks and HTML", run.out),
        ("kernel stdout/stderr and log records", run.logs),
        ("files the kernels left", run.kernel_files),
        ("library", run.library),
        ("simulator data", run.sim_data),
    ):
        found.update({f"{label}: {path}": names for path, names in search_tree(root).items()})
    if names := hits(run.server_output):
        found["simulator output"] = names
    assert not found, f"the key leaked into: {found}"
    # The places searched were not empty.
    assert len(list(run.out.glob("*.ipynb"))) == len(run.notebooks)
    assert len(list(run.out.glob("*.html"))) == len(run.notebooks)
    assert (run.kernel_files / "cwd" / "90_error_paths" / "calm-lake.html").stat().st_size
    assert all(p.stat().st_size for p in run.logs.glob("*.records.log"))
    # Under %xmode Verbose, tracebacks show every frame's local variables, and they were searched.
    verbose = [
        re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(output.traceback))
        for cell in run.notebooks["90_error_paths"].cells
        for output in cell.outputs
        if output.output_type == "error"
    ]
    assert sum("self = SoraClient(base_url=" in text for text in verbose) >= 3


def test_the_search_finds_a_planted_key(run: Run, tmp_path: Path):
    """The search above can fail: a key planted anywhere it looks, in any encoding, is found."""
    scratch = tmp_path / "scratch"
    shutil.copytree(run.out, scratch)
    assert search_tree(scratch) == {}
    nb = nbformat.read(scratch / "01_quickstart.ipynb", as_version=4)
    stream = next(o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "stream")
    stream.text += f"Authorization: Bearer {KEY}\n"
    assert hits(stream.text) == ["key"]
    nbformat.write(nb, scratch / "01_quickstart.ipynb")
    # Base64 at every alignment, as inside a widget buffer or an embedded image.
    for offset in range(3):
        blob = base64.b64encode(secrets.token_bytes(offset + 7) + KEY.encode() + b"tail").decode()
        (scratch / f"buffer-{offset}.json").write_text(json.dumps({"data": blob}))
        assert hits(blob), offset
    (scratch / "library" / "video_x").mkdir(parents=True)
    (scratch / "library" / "video_x" / "video.mp4").write_bytes(b"\0ftyp" + KEY.encode() + b"\0")
    found = search_tree(scratch)
    assert set(found) == {
        "01_quickstart.ipynb",
        "buffer-0.json",
        "buffer-1.json",
        "buffer-2.json",
        "library/video_x/video.mp4",
    }
    assert found["01_quickstart.ipynb"] == ["key"]
