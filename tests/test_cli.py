"""`sora-widget` commands run in-process against a detached simulator, as a user would run them.

`connect()` starts the simulator as a detached process and finds it again through
`<data dir>/server.json`; the module fixture stops it at the end by the pid recorded there.
"""

from __future__ import annotations

import asyncio
import io
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from sora_widget.cli.commands import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_UNREACHABLE, _excerpt, main
from sora_widget.cli.progress import ProgressDisplay, format_duration, progress_line
from sora_widget.core.catalog import FAMILIES, family_named
from sora_widget.engine import backend
from sora_widget.engine.backend import connect
from sora_widget.engine.client import SoraClient
from sora_widget.engine.jobs import JobStatus, JobUpdate
from sora_widget.engine.library import Library
from sora_widget.simulator import SimulatorConfig
from sora_widget.simulator.process import read_state, stop

from .helpers import MP4_MAGIC, png_bytes, set_pending_owner, unused_port

SECRET = "sk-cli-SECRET-never-printed-91c2"


def stop_detached_simulator(data_dir: Path) -> None:
    """Stop the simulator `connect()` started, and reap it: it is a child of this process."""
    config = SimulatorConfig(data_dir=data_dir)
    state = read_state(config)
    if state is None or not stop(config):
        return
    pid = int(state["pid"])
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            if os.waitpid(pid, os.WNOHANG) != (0, 0):
                return
        except ChildProcessError:  # already reaped
            return
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)


@pytest.fixture(scope="module")
def simulator_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    data_dir = tmp_path_factory.mktemp("cli-simulator")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SORA_WIDGET_BACKEND", "simulator")
        env.setenv("SORA_SIM_DATA_DIR", str(data_dir))
        env.setenv("SORA_SIM_SPEED", "50")
        env.setenv("SORA_SIM_BLOCKED_WORDS", "forbidden")
        env.delenv("OPENAI_API_KEY", raising=False)
        env.delenv("SORA_WIDGET_LIBRARY", raising=False)
        try:
            yield data_dir
        finally:
            stop_detached_simulator(data_dir)


@pytest.fixture(scope="module")
def generated(simulator_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """One video made with `generate`, shared by the tests that need a completed video."""
    folder = tmp_path_factory.mktemp("generated")
    out = folder / "fox.mp4"
    library = folder / "library"
    stdout, stderr = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("sys.stdout", stdout)
        patch.setattr("sys.stderr", stderr)
        code = main(
            ["generate", "a red fox in fresh snow", "--library", str(library), "--out", str(out)]
        )
    [entry] = Library(library).entries()
    return {
        "code": code,
        "stdout": stdout.getvalue(),
        "stderr": stderr.getvalue(),
        "out": out,
        "library": library,
        "entry": entry,
    }


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# ---- generate, list, remix, download ---------------------------------------------------------


def test_generate_saves_the_video_copies_it_and_prints_only_the_path(generated):
    assert generated["code"] == 0
    out = generated["out"]
    assert generated["stdout"] == f"{out}\n"  # stdout is just the path, for scripts
    assert out.read_bytes()[4:8] == MP4_MAGIC
    entry = generated["entry"]
    assert entry.video_path.read_bytes() == out.read_bytes()
    assert entry.thumbnail_path.stat().st_size > 0 and entry.spritesheet_path.stat().st_size > 0
    assert entry.prompt == "a red fox in fresh snow" and entry.size == "720x1280"
    # Not a terminal: plain lines, never a carriage return, ending with the final state.
    stderr = generated["stderr"]
    assert "\r" not in stderr and f"Video {entry.id}\n" in stderr
    assert stderr.rstrip().splitlines()[-1].startswith("Completed")
    assert "elapsed" in stderr


def test_list_shows_the_video_as_a_table(generated, capsys):
    code, out, err = run(capsys, "list", "--limit", "5")
    assert code == 0, err
    header, *rows = out.splitlines()
    assert header.split() == [
        "ID",
        "STATUS",
        "PROGRESS",
        "MODEL",
        "SIZE",
        "SECONDS",
        "CREATED",
        "PROMPT",
    ]
    row = next(row for row in rows if row.startswith(generated["entry"].id))
    assert row.split()[1:6] == ["completed", "100%", "sora-2", "720x1280", "4"]
    assert row.endswith("a red fox in fresh snow")


def test_remix_makes_a_new_video_from_a_completed_one(generated, capsys):
    source = generated["entry"]
    code, out, err = run(
        capsys, "remix", source.id, "the same fox at night", "--library", str(generated["library"])
    )
    assert code == 0, err
    path = Path(out.strip())
    remix = Library(generated["library"]).get(path.parent.name)
    assert remix is not None and path == remix.video_path
    assert remix.remixed_from_video_id == source.id and remix.prompt == "the same fox at night"


def test_download_saves_every_file_and_prints_the_variant_asked_for(generated, capsys, tmp_path):
    video_id = generated["entry"].id
    code, out, err = run(
        capsys,
        "download",
        video_id,
        "--variant",
        "thumbnail",
        "--library",
        str(tmp_path / "fresh"),
        "--out",
        str(tmp_path),  # a folder: the file keeps its name inside it
    )
    assert code == 0, err
    assert Path(out.strip()) == tmp_path / "thumbnail.webp"
    saved = Library(tmp_path / "fresh").get(video_id)
    assert saved is not None and saved.video_path.read_bytes()[4:8] == MP4_MAGIC
    assert (tmp_path / "thumbnail.webp").read_bytes() == generated[
        "entry"
    ].thumbnail_path.read_bytes()


async def test_resume_saves_what_a_stopped_command_left_running(
    generated, simulator_dir, capsys, tmp_path
):
    base_url = read_state(SimulatorConfig(data_dir=simulator_dir))["base_url"]
    library = Library(tmp_path / "library")
    async with SoraClient(backend.SIMULATOR_KEY, base_url=base_url) as client:  # resume's key
        videos = [await client.create(prompt) for prompt in ("a fox", "a forbidden fox")]
    for video in videos:  # as a command stopped by Ctrl+C leaves them
        library.record_pending(video, base_url, origin="cli")
        set_pending_owner(library.root, video.id, pid=-1)
    capsys.readouterr()

    code = await asyncio.to_thread(main, ["resume", "--library", str(library.root)])
    out, err = capsys.readouterr()
    assert code == EXIT_FAILED  # one of the two was blocked by moderation
    [saved] = out.splitlines()
    assert saved == str(library.get(videos[0].id).video_path)
    assert Path(saved).read_bytes()[4:8] == MP4_MAGIC
    assert videos[1].id in err and "moderation" in err and "1 of 2" in err
    assert library.pending() == []

    code = await asyncio.to_thread(main, ["resume", "--library", str(library.root)])
    assert code == 0 and "Nothing to resume" in capsys.readouterr().err


async def test_the_simulator_is_announced_once_per_process_not_per_widget(generated, capsys):
    backend._ANNOUNCED.clear()  # as in a fresh kernel
    async with connect() as first, connect() as second:
        assert first.base_url == second.base_url
    announced = f"using the local simulator at {first.base_url} (no API key needed)."
    assert capsys.readouterr().out == f"sora_widget: {announced}\n"


# ---- errors: one line, a field name, an exit code ----------------------------------------------


@pytest.mark.parametrize(
    ("flags", "field", "allowed"),
    [
        (["--size", "999x999"], "'size'", "'720x1280', '1280x720'"),
        (["--seconds", "5"], "'seconds'", "'4', '8', '12'"),
        (["--model", " "], "'model'", "'sora-2'"),
        (["--size", "1792x1024"], "'size'", "'720x1280', '1280x720'"),  # a sora-2-pro size
    ],
)
def test_bad_input_names_the_field_and_the_allowed_values(
    simulator_dir, capsys, tmp_path, flags, field, allowed
):
    code, out, err = run(capsys, "generate", "a fox", "--library", str(tmp_path), *flags)
    assert code == EXIT_BAD_INPUT and out == ""
    [line] = [line for line in err.splitlines() if line.startswith("sora-widget: error:")]
    assert field in line and allowed in line
    assert not (tmp_path / ".pending").exists()  # refused before anything was sent


def test_a_reference_image_of_another_size_is_refused_or_fitted(simulator_dir, capsys, tmp_path):
    image = tmp_path / "wide.png"
    image.write_bytes(png_bytes(640, 360))
    library = str(tmp_path / "library")
    code, _, err = run(
        capsys, "generate", "a fox", "--input-reference", str(image), "--library", library
    )
    assert code == EXIT_BAD_INPUT and "'input_reference'" in err and "crop" in err
    code, out, err = run(
        capsys,
        "generate",
        "a fox",
        "--input-reference",
        str(image),
        "--fit",
        "crop",
        "--library",
        library,
    )
    assert code == 0, err
    assert Path(out.strip()).read_bytes()[4:8] == MP4_MAGIC


def test_generate_help_lists_every_catalog_model_with_its_sizes_and_durations(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["generate", "--help"])
    assert exit_info.value.code == 0
    lines = capsys.readouterr().out.splitlines()
    for family in FAMILIES:
        [at] = [n for n, line in enumerate(lines) if line.startswith(f"  {family.label}: ")]
        named = lines[at].split(": ", 1)[1].removesuffix(" (checked before sending)")
        assert named.split(", ") == list(family.models)
        sizes, seconds = lines[at + 1].strip().removeprefix("sizes ").split("; seconds ")
        assert sizes.replace("*", "").split(", ") == list(family.sizes)
        assert seconds.replace("*", "").split(", ") == list(family.seconds)
        assert f"{family.default_size}*" in sizes and f"{family.default_seconds}*" in seconds


def test_generate_without_size_or_seconds_takes_the_models_own(simulator_dir, capsys, tmp_path):
    runway = family_named("runway-gen4-turbo")
    model = runway.models[0]
    code, out, err = run(capsys, "generate", "a fox", "--model", model, "--library", str(tmp_path))
    assert code == 0, err
    entry = Library(tmp_path).get(Path(out.strip()).parent.name)
    assert (entry.model, entry.size, entry.seconds) == (
        model,
        runway.default_size,
        runway.default_seconds,
    )


def test_an_unknown_choice_is_refused_by_the_parser(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["download", "video_123", "--variant", "gif"])
    assert exit_info.value.code == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert "--variant" in err and "'thumbnail'" in err


def test_an_unknown_id_is_one_line_and_exit_code_1(simulator_dir, capsys, tmp_path):
    code, out, err = run(capsys, "download", "video_nope", "--library", str(tmp_path))
    assert code == EXIT_FAILED and out == ""
    assert err.splitlines()[-1].startswith("sora-widget: error: 404: Video with id 'video_nope'")
    assert "Traceback" not in err


def test_a_moderation_block_says_what_to_change(simulator_dir, capsys, tmp_path):
    code, out, err = run(capsys, "generate", "a forbidden fox", "--library", str(tmp_path))
    assert code == EXIT_FAILED and out == ""
    last = err.splitlines()[-1]
    assert "moderation" in last and "Change the prompt" in last
    assert Library(tmp_path).entries() == [] and Library(tmp_path).pending() == []


def test_no_key_for_the_api_is_bad_input(monkeypatch, capsys):
    monkeypatch.setenv("SORA_WIDGET_BACKEND", "api")
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    code, _, err = run(capsys, "list")
    assert code == EXIT_BAD_INPUT and "OPENAI_API_KEY" in err


def test_an_unreachable_server_is_exit_code_3_and_the_key_is_never_printed(monkeypatch, capsys):
    port = unused_port()
    monkeypatch.setenv("SORA_WIDGET_BACKEND", "api")
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{port}/v1")
    code, out, err = run(capsys, "list")  # retried a few times first: about 3 s
    assert code == EXIT_UNREACHABLE
    [line] = err.splitlines()
    assert f"127.0.0.1:{port}" in line and "OPENAI_BASE_URL" in line
    assert SECRET not in out + err


def test_server_text_cannot_drive_the_terminal():
    assert _excerpt("a fox\x1b[2J\x1b]0;pwned\x07 in snow") == "a fox [2J ]0;pwned in snow"
    assert len(_excerpt("fox " * 50)) == 40


# ---- the progress display ----------------------------------------------------------------------


def update(status: JobStatus, progress: int = 0, eta: float | None = None) -> JobUpdate:
    return JobUpdate(status, progress, 7.2, eta, "video_1", None, None)


def test_progress_line_shows_status_bar_percent_elapsed_and_eta():
    line = progress_line(update(JobStatus.IN_PROGRESS, 42, eta=10.4))
    assert line == "In progress  [########------------]   42%  0:07 elapsed  ~0:10 left"
    assert "left" not in progress_line(update(JobStatus.QUEUED))
    assert format_duration(59.6) == "1:00" and format_duration(3725) == "1:02:05"


def test_progress_on_a_terminal_redraws_one_line():
    stream = io.StringIO()
    display = ProgressDisplay(stream, interactive=True)
    for progress in (10, 11, 12):
        display.show(update(JobStatus.IN_PROGRESS, progress))
    display.close()
    text = stream.getvalue()
    assert text.startswith("Video video_1\n")
    assert text.count("\r") == 3 and text.count("\n") == 2 and text.endswith("\n")


def test_progress_in_a_log_writes_a_line_per_status_or_tens_of_percent():
    stream = io.StringIO()
    display = ProgressDisplay(stream, interactive=False)
    for status, progress in [
        (JobStatus.QUEUED, 0),
        (JobStatus.QUEUED, 0),
        (JobStatus.IN_PROGRESS, 3),
        (JobStatus.IN_PROGRESS, 7),
        (JobStatus.IN_PROGRESS, 15),
        (JobStatus.COMPLETED, 100),
    ]:
        display.show(update(status, progress))
    display.close()
    lines = stream.getvalue().splitlines()
    assert [line.split("  ")[0].strip() for line in lines] == [
        "Video video_1",
        "Queued",
        "In progress",
        "In progress",
        "Completed",
    ]
