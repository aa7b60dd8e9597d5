"""`sora-widget`: the command line. Argument parsing only; the work happens in the library.

Progress goes to stderr and the saved file's path to stdout, so scripts can capture the path.
Every expected failure is one line on stderr and an exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import shutil
import sys
import textwrap
import time
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any

from sora_widget.cli.progress import follow
from sora_widget.core.catalog import FAMILIES, family_of
from sora_widget.core.errors import (
    APIConnectionError,
    AuthenticationError,
    BadRequestError,
    InvalidRequestError,
    ModerationBlocked,
    SoraError,
)
from sora_widget.core.keywords import strict_keywords
from sora_widget.core.types import DEFAULT_MODEL, DEFAULT_SECONDS, DEFAULT_SIZE, VideoStatus
from sora_widget.engine.backend import connect
from sora_widget.engine.client import SoraClient
from sora_widget.engine.jobs import VideoJob, submit, submit_remix
from sora_widget.engine.library import Library
from sora_widget.engine.resume import resume
from sora_widget.simulator.class_keys import make_class_keys
from sora_widget.simulator.config import FaultConfig, SimulatorConfig
from sora_widget.simulator.flaw_choice import FLAWS
from sora_widget.simulator.folder import FolderInUse
from sora_widget.simulator.process import stop
from sora_widget.simulator.profiles import PROFILES
from sora_widget.simulator.server import serve

#: Exit codes, so scripts can tell a typo from an outage.
EXIT_FAILED = 1  # the server refused, or the video failed
EXIT_BAD_INPUT = 2  # the same code argparse uses for a bad command line
EXIT_UNREACHABLE = 3  # no answer from the server (or the simulator did not start)
EXIT_INTERRUPTED = 130  # Ctrl+C, as shells report it

DESCRIPTION = """\
Generate, list, remix and download Sora videos: on the API set by OPENAI_API_KEY (and
OPENAI_BASE_URL), or on the local simulator when no key is set.

    sora-widget generate "a red fox in fresh snow" --seconds 8 --out fox.mp4
    sora-widget list
    sora-widget remix VIDEO_ID "the same fox at night in the rain"
    sora-widget download VIDEO_ID --variant thumbnail --out fox.webp
    sora-widget resume
    sora-widget simulator --port 8000

Progress goes to stderr and the saved file's path to stdout:
path=$(sora-widget generate ...) works in scripts."""
EPILOG = (
    "Exit codes: 0 done, 1 failed (refused by the server, or the video failed), "
    "2 bad input, 3 server unreachable, 130 interrupted."
)
PROMPT_EXCERPT = 40


def _add_simulator_parser(commands: argparse._SubParsersAction) -> None:
    sim = commands.add_parser(
        "simulator",
        help="run the local Videos API simulator",
        description="Serve a local simulator of the Sora Videos API (loopback by default). "
        "Every flag also has a SORA_SIM_* environment variable.",
    )
    sim.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    sim.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 = any free)")
    sim.add_argument(
        "--data-dir",
        type=Path,
        help="where jobs and media are kept; one simulator per folder",
    )
    sim.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="HOST",
        help="also answer requests addressed to HOST, say this machine's name on a classroom "
        "network (repeatable; loopback names and the bound address always are)",
    )
    sim.add_argument(
        "--fd",
        type=int,
        help="serve on this inherited, listening socket instead of --host and --port "
        "(how connect() starts a simulator)",
    )
    sim.add_argument(
        "--stop",
        action="store_true",
        help="stop the simulator running on this data folder (one started by a notebook)",
    )
    sim.add_argument(
        "--profile",
        choices=tuple(PROFILES),
        help="which server to play: openai (default), vllm-omni, sglang, gateway (New API) or "
        "openrouter (OpenRouter's /api/v1 video API)",
    )
    sim.add_argument(
        "--credits",
        type=float,
        metavar="USD",
        help="openrouter profile: each key's balance in USD (a job beyond it is a 402)",
    )
    sim.add_argument("--speed", type=float, help="time compression factor (default 1)")
    sim.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="render on N processes, which keys take turns on (default: every core)",
    )
    sim.add_argument(
        "--per-key-jobs",
        type=int,
        metavar="N",
        help="videos one key may have queued or in progress; its next create is a 429 "
        "(default 0: no cap)",
    )
    sim.add_argument("--api-key", help="accept only this key (default: any non-empty key)")
    sim.add_argument(
        "--teacher-key",
        help="this key sees, lists and deletes every key's videos, each naming its owner "
        "(any other key sees only its own); prefer env SORA_SIM_TEACHER_KEY, as a command "
        "line is visible to every user of the machine",
    )
    sim.add_argument(
        "--keys",
        type=Path,
        metavar="CSV",
        help="a class's key file, one `name,key` row each: only its keys are accepted, the "
        "teacher sees each video's owner by name, and a row named `teacher` is the teacher's "
        "key (env SORA_SIM_KEYS)",
    )
    sim.add_argument(
        "--make-keys",
        type=int,
        metavar="N",
        help="with --keys CSV: write N random student keys and a teacher's to that new file "
        "(readable by you only; an existing file is never overwritten), print its path, then "
        "start the simulator with them",
    )
    sim.add_argument("--link-ttl", type=int, help="seconds download links stay valid")
    sim.add_argument("--seed", type=int, help="seed for injected faults")
    sim.add_argument("--blocked-words", help="comma-separated words that trigger moderation")
    sim.add_argument(
        "--no-video-words",
        help="comma-separated words whose jobs complete without a video (a safety filter)",
    )
    sim.add_argument(
        "--cancel-words",
        help="openrouter profile: comma-separated words whose jobs end cancelled",
    )
    sim.add_argument(
        "--expire-words",
        help="openrouter profile: comma-separated words whose jobs end expired",
    )
    sim.add_argument("--failure-rate", type=float, help="share of generations that fail")
    sim.add_argument(
        "--no-flaws",
        action="store_true",
        default=None,
        help="render without the model families' deliberate flaws (env SORA_SIM_NO_FLAWS=1)",
    )
    sim.add_argument(
        "--flaw",
        choices=tuple(FLAWS),
        help="render every video with only this flaw (env SORA_SIM_FLAW)",
    )
    sim.add_argument("--rate-limit", type=int, help="requests per minute per key (0 = none)")
    sim.add_argument(
        "--rate-window", type=float, help="the rate limit's window in seconds (default 60)"
    )
    sim.add_argument("--server-error-rate", type=float, help="share of requests answered 500")
    sim.add_argument("--unavailable-rate", type=float, help="share of requests answered 503")
    sim.add_argument("--drop-rate", type=float, help="share of responses cut off")
    sim.add_argument("--truncate-rate", type=float, help="share of downloads cut in half")
    sim.add_argument("--log-level", default="warning", help="uvicorn log level")


def _add_video_parsers(commands: argparse._SubParsersAction) -> None:
    # Model, size and seconds are checked by the library, which knows which sizes each model
    # allows and says so in the same words as the widget and the API.
    library = argparse.ArgumentParser(add_help=False)
    library.add_argument(
        "--library",
        type=Path,
        metavar="DIR",
        help="folder where finished videos are kept (default $SORA_WIDGET_LIBRARY, else "
        "./sora_videos)",
    )
    out = argparse.ArgumentParser(add_help=False)
    out.add_argument("--out", type=Path, metavar="FILE", help="also copy the file here")

    generate = commands.add_parser(
        "generate",
        parents=[library, out],
        help="generate a video and save it",
        description="Generate a video, show its progress, save it in the library and print "
        "its path.",
        epilog=f"{catalog_help()}\n\n{textwrap.fill(EPILOG)}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    generate.add_argument("prompt", help="what the video shows")
    generate.add_argument(
        "--model",
        default=DEFAULT_MODEL,
        help=f"{DEFAULT_MODEL} (default), a model of the catalog below, or any other name the "
        "server knows (sent as typed)",
    )
    generate.add_argument(
        "--size",
        metavar="WxH",
        help=f"width x height (default: the model's, {DEFAULT_SIZE} for {DEFAULT_MODEL}; each "
        "model's sizes are below)",
    )
    generate.add_argument(
        "--seconds",
        help=f"length of the clip (default: the model's, {DEFAULT_SECONDS} for {DEFAULT_MODEL}; "
        "each model's durations are below)",
    )
    generate.add_argument(
        "--input-reference", type=Path, metavar="IMAGE", help="first frame (PNG, JPEG or WebP)"
    )
    generate.add_argument(
        "--fit",
        choices=("crop", "pad"),
        help="adapt a reference image of another size: crop to fill, or pad with black bars",
    )

    remix = commands.add_parser(
        "remix",
        parents=[library, out],
        help="remix a completed video with a new prompt",
        description="Make a new video from a completed one and a new prompt, then save it.",
        epilog=EPILOG,
    )
    remix.add_argument("video_id", help="the completed video to start from")
    remix.add_argument("prompt", help="what to change")

    listing = commands.add_parser("list", help="list recent videos on the server", epilog=EPILOG)
    listing.add_argument(
        "--limit", type=int, default=20, help="how many, newest first (0 to 100, default 20)"
    )

    download = commands.add_parser(
        "download",
        parents=[library, out],
        help="save a completed video into the library",
        description="Save a completed video (all its files) into the library and print the "
        "path of the chosen one.",
        epilog=EPILOG,
    )
    download.add_argument("video_id", help="the video to save")
    commands.add_parser(
        "resume",
        parents=[library],
        help="save the videos still being made when a command or kernel was stopped",
        description="Follow every unfinished job recorded in the library (by this command, a "
        "script or a notebook whose kernel has ended) until its video is saved, and print each "
        "saved path. Jobs a running kernel still follows are left to it.",
        epilog=EPILOG,
    )
    download.add_argument(
        "--variant",
        choices=("video", "thumbnail", "spritesheet"),
        default="video",
        help="which file to print or copy (default video)",
    )


def catalog_help() -> str:
    """The models, sizes and durations of every family in the catalog, for `generate --help`:
    the catalog is the one place they are written, so the help cannot fall behind it."""
    lines = [
        "Models the catalog knows, with their sizes and durations in seconds (* the default);",
        "a server judges its own limits, except where they are checked before sending:",
    ]
    for family in FAMILIES:
        checked = " (checked before sending)" if family.strict else ""
        lines += [
            f"  {family.label}: {', '.join(family.models)}{checked}",
            f"    sizes {_marked(family.sizes, family.default_size)}; "
            f"seconds {_marked(family.seconds, family.default_seconds)}",
        ]
    return "\n".join(lines)


def _marked(values: tuple[str, ...], default: str) -> str:
    return ", ".join(f"{value}*" if value == default else value for value in values)


def model_defaults(model: str) -> tuple[str, str]:
    """The size and seconds a model gets when the command line names none: its family's, or
    the contract's defaults for a model the catalog does not know."""
    family = family_of(model)
    if family is None:
        return DEFAULT_SIZE, DEFAULT_SECONDS
    return family.default_size, family.default_seconds


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sora-widget",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    _add_video_parsers(commands)
    _add_simulator_parser(commands)
    return parser


def simulator_config(args: argparse.Namespace) -> SimulatorConfig:
    """Flags override the environment, which overrides the defaults."""
    config = SimulatorConfig.from_env()
    fault_flags = {
        "seed": args.seed,
        "failure_rate": args.failure_rate,
        "rate_limit_per_minute": args.rate_limit,
        "rate_limit_window_seconds": args.rate_window,
        "server_error_rate": args.server_error_rate,
        "unavailable_rate": args.unavailable_rate,
        "drop_rate": args.drop_rate,
        "truncate_rate": args.truncate_rate,
    }
    for name in ("blocked_words", "no_video_words", "cancel_words", "expire_words"):
        if getattr(args, name) is not None:
            words = getattr(args, name).split(",")
            fault_flags[name] = tuple(word.strip() for word in words if word.strip())
    faults: FaultConfig = dataclasses.replace(
        config.faults, **{k: v for k, v in fault_flags.items() if v is not None}
    )
    flags = {
        "data_dir": args.data_dir,
        "speed": args.speed,
        "api_key": args.api_key,
        "teacher_key": args.teacher_key,
        "link_ttl_seconds": args.link_ttl,
        "profile": args.profile,
        "credits": args.credits,
        "workers": args.workers,
        "per_key_jobs": args.per_key_jobs,
        "keys_file": args.keys,
        "no_flaws": args.no_flaws,
        "flaw": args.flaw,
        "allowed_hosts": (*config.allowed_hosts, *args.allow_host) if args.allow_host else None,
    }
    return dataclasses.replace(
        config, faults=faults, **{k: v for k, v in flags.items() if v is not None}
    )


def _serve_simulator(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    if args.make_keys is not None:
        if args.keys is None:
            parser.error("--make-keys N needs --keys CSV: the file to write the keys to")
        try:
            make_class_keys(args.keys, args.make_keys)
        except ValueError as error:
            parser.error(str(error))
        print(f"wrote {args.make_keys} student keys and a teacher's to {args.keys.resolve()}")
    try:
        config = simulator_config(args)
    except ValueError as error:
        parser.error(str(error))
    if args.stop:
        stopped = stop(config)
        print("stopped" if stopped else f"no simulator is running on {config.data_dir}")
        return 0
    try:
        serve(config, host=args.host, port=args.port, log_level=args.log_level, fd=args.fd)
    except FolderInUse as busy:
        print(
            f"sora-widget simulator: {busy}. Use that one, stop it with `sora-widget simulator "
            "--stop`, or serve another folder with --data-dir.",
            file=sys.stderr,
        )
        return 1
    except OSError as error:
        print(
            f"sora-widget simulator: cannot listen on {args.host}:{args.port}: {error}",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        return 0
    return 0


# ---- the video commands -----------------------------------------------------------------------


async def _generate(args: argparse.Namespace, client: SoraClient) -> None:
    size, seconds = model_defaults(args.model)
    job = submit(
        client,
        args.prompt,
        model=args.model,
        size=args.size or size,
        seconds=args.seconds or seconds,
        input_reference=args.input_reference,
        fit=args.fit,
        library=Library(args.library),
        origin="cli",
    )
    await _follow_and_deliver(job, args.out)


async def _remix(args: argparse.Namespace, client: SoraClient) -> None:
    job = submit_remix(
        client, args.video_id, args.prompt, library=Library(args.library), origin="cli"
    )
    await _follow_and_deliver(job, args.out)


async def _resume(args: argparse.Namespace, client: SoraClient) -> None:
    library = Library(args.library)
    jobs = resume(client, library)
    if not jobs:
        print(
            f"Nothing to resume in {library.root}: no unfinished job is left (a job a running "
            "kernel follows is left to it).",
            file=sys.stderr,
        )
        return
    print(f"Following {len(jobs)} unfinished job(s) until saved…", file=sys.stderr)
    failed = 0
    for finished in asyncio.as_completed([job.settled() for job in jobs]):
        job = await finished
        if job.entry is not None:
            print(job.entry.video_path)
        else:
            failed += 1
            _error(f"{job.video_id}: {job.error}")
    if failed:
        raise SoraError(f"{failed} of {len(jobs)} resumed jobs did not complete.")


async def _follow_and_deliver(job: VideoJob, out: Path | None) -> None:
    await follow(job, sys.stderr)
    await job  # raises the job's error, if it failed
    assert job.entry is not None  # a job with a library completes only once saved
    print(_deliver(job.entry.video_path, out))


async def _list(args: argparse.Namespace, client: SoraClient) -> None:
    page = await client.list_page(limit=args.limit, order="desc")
    if not page.data:
        print('No videos yet: make one with `sora-widget generate "a prompt"`.')
        return
    rows = [("ID", "STATUS", "PROGRESS", "MODEL", "SIZE", "SECONDS", "CREATED", "PROMPT")]
    for video in page.data:
        created = time.strftime("%Y-%m-%d %H:%M", time.localtime(video.created_at))
        rows.append(
            (
                _printable(video.id),
                _printable(str(video.status)),
                f"{video.progress}%",
                _printable(video.model),
                _printable(video.size),
                _printable(video.seconds),
                created,
                _excerpt(video.prompt or ""),
            )
        )
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    for row in rows:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )


async def _download(args: argparse.Namespace, client: SoraClient) -> None:
    video = await client.retrieve(args.video_id)
    if video.status != VideoStatus.COMPLETED:
        reason = f" ({video.error.code}: {video.error.message})" if video.error else ""
        raise SoraError(
            f"Video {video.id} is {video.status} ({video.progress}%){reason}: only completed "
            "videos can be downloaded."
        )
    entry = await Library(args.library).save(video, client)
    paths = {
        "video": entry.video_path,
        "thumbnail": entry.thumbnail_path,
        "spritesheet": entry.spritesheet_path,
    }
    print(_deliver(paths[args.variant], args.out))


COMMANDS: dict[str, Callable[[argparse.Namespace, SoraClient], Coroutine[Any, Any, None]]] = {
    "generate": _generate,
    "remix": _remix,
    "list": _list,
    "download": _download,
    "resume": _resume,
}


def _deliver(saved: Path, out: Path | None) -> Path:
    """The library keeps its copy; `--out` gets another (into it, if it is a folder)."""
    if out is None:
        return saved
    target = out / saved.name if out.is_dir() else out
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(saved, target)
    return target


def _printable(text: str) -> str:
    """Server text without control characters: an escape sequence must not reach the terminal."""
    return "".join(char if char.isprintable() else " " for char in text)


def _excerpt(prompt: str) -> str:
    text = " ".join(_printable(prompt).split())
    return text if len(text) <= PROMPT_EXCERPT else text[: PROMPT_EXCERPT - 1] + "…"


def _run_video_command(args: argparse.Namespace) -> int:
    """Run one command; every expected failure becomes one line on stderr and an exit code."""

    async def run() -> None:
        # connect() reports the backend it chose on stdout, which is kept for the result.
        try:
            with contextlib.redirect_stdout(sys.stderr):
                client = connect()
        except RuntimeError as error:  # the local simulator did not start
            raise APIConnectionError(str(error)) from None
        async with client:
            await COMMANDS[args.command](args, client)

    try:
        asyncio.run(run())
    except KeyboardInterrupt:
        _error(
            "interrupted. A video already created keeps running on the server: "
            "`sora-widget resume` saves it once it is done."
        )
        return EXIT_INTERRUPTED
    except (InvalidRequestError, BadRequestError) as error:
        _error(str(error))
        return EXIT_BAD_INPUT
    except APIConnectionError as error:
        _error(str(error))
        return EXIT_UNREACHABLE
    except ModerationBlocked as error:
        _error(f"{error} Change the prompt or the reference image.")
        return EXIT_FAILED
    except AuthenticationError as error:
        _error(f"{error} Check OPENAI_API_KEY, or unset it to use the local simulator.")
        return EXIT_FAILED
    except SoraError as error:
        _error(str(error))
        return EXIT_FAILED
    except OSError as error:  # --out could not be written
        _error(f"could not write {error.filename}: {error.strerror}.")
        return EXIT_FAILED
    return 0


def _error(message: str) -> None:
    print(f"sora-widget: error: {' '.join(_printable(message).split())}", file=sys.stderr)


@strict_keywords
def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "simulator":
        return _serve_simulator(parser, args)
    return _run_video_command(args)
