"""Arena votes on disk: one JSON line per vote, one file per voter, merged for a leaderboard.

Each voter appends to `<library>/arena/<voter>.jsonl`, so a class voting into a shared folder
never writes to one file from two machines. An append is one `write` to a file opened with
O_APPEND, under a lock beside it, so two notebooks of one voter cannot interleave lines, and a
line torn by a crash is closed before the next vote rather than swallowing it.

Reading merges any number of files and globs. A line that is not a vote is skipped and
reported (`VoteFiles.skipped`), the rest still count; a vote found twice (same voter, pair and
time: a file copied into the class folder, a folder merged twice) counts once.
"""

from __future__ import annotations

import csv
import glob
import json
import logging
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from filelock import FileLock

from sora_widget.core.atomic import atomic_file
from sora_widget.core.vote import Vote

logger = logging.getLogger(__name__)

#: The votes' folder inside a library.
ARENA_FOLDER = "arena"
#: How long an append waits for another process of the same voter.
LOCK_TIMEOUT_SECONDS = 10.0
CSV_COLUMNS = (
    "time",
    "voter",
    "prompt",
    "left_model",
    "left_video_id",
    "right_model",
    "right_video_id",
    "choice",
    "winner",
    "tags",
)


def vote_file(library_root: Path, voter: str) -> Path:
    """The file a voter's votes go to. The name keeps letters, digits, `.`, `_` and `-` (the
    voter's exact name is in every line); "anonymous" for a name with none of them."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", voter).strip("._") or "anonymous"
    return library_root / ARENA_FOLDER / f"{name}.jsonl"


def append_vote(path: Path, vote: Vote) -> None:
    """Add one vote to the end of `path` (created with its folder if need be)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    line = (json.dumps(vote.to_json(), ensure_ascii=False) + "\n").encode()
    with FileLock(f"{path}.lock", timeout=LOCK_TIMEOUT_SECONDS):
        descriptor = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o666)
        try:
            size = os.fstat(descriptor).st_size
            if size and os.pread(descriptor, 1, size - 1) != b"\n":
                line = b"\n" + line  # the last line was torn: end it, keep this vote whole
            if os.write(descriptor, line) != len(line):
                raise OSError(f"the vote could not be written whole to {path} (disk full?)")
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


@dataclass(frozen=True)
class SkippedLine:
    """A line of a vote file that is not a vote, and why."""

    path: Path
    line: int
    reason: str


@dataclass
class VoteFiles:
    """Votes merged from files: each counted once, oldest first."""

    votes: list[Vote] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    skipped: list[SkippedLine] = field(default_factory=list)
    #: Records dropped because the same vote had been read already.
    duplicates: int = 0


def read_votes(*paths_or_globs: str | os.PathLike[str]) -> VoteFiles:
    """The votes in these files; a string with `*`, `?` or `[` is a glob (`**` included).
    FileNotFoundError for a path or glob that names no file, so a mistyped class folder is not
    taken for an empty one."""
    merged = VoteFiles()
    for path in _expand(paths_or_globs):
        merged.files.append(path)
        _read_file(path, merged)
    seen: set[tuple[str, ...]] = set()
    unique: list[Vote] = []
    for vote in merged.votes:
        if vote.key in seen:
            merged.duplicates += 1
        else:
            seen.add(vote.key)
            unique.append(vote)
    merged.votes = sorted(unique, key=lambda vote: (vote.moment, vote.voter))
    if merged.skipped:
        logger.warning(
            "%d line(s) of vote files are not votes and were skipped, the first: %s line %d (%s)",
            len(merged.skipped),
            merged.skipped[0].path,
            merged.skipped[0].line,
            merged.skipped[0].reason,
        )
    return merged


def write_votes_csv(path: str | os.PathLike[str], votes: Sequence[Vote]) -> None:
    """The votes as a spreadsheet: one row each, the winner's model named ("" for a tie or
    both bad), the tags joined by "; "."""
    with atomic_file(Path(path), "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(CSV_COLUMNS)
        for vote in votes:
            winner = {"left": vote.left.model, "right": vote.right.model}.get(vote.choice, "")
            writer.writerow(
                (
                    vote.time,
                    vote.voter,
                    vote.prompt,
                    vote.left.model,
                    vote.left.video_id,
                    vote.right.model,
                    vote.right.video_id,
                    vote.choice,
                    winner,
                    "; ".join(vote.tags),
                )
            )


def _expand(paths_or_globs: Sequence[str | os.PathLike[str]]) -> list[Path]:
    """Each file once, in the order given (a glob's matches sorted)."""
    found: dict[Path, None] = {}
    for given in paths_or_globs:
        text = os.path.expanduser(os.fspath(given))
        if any(character in text for character in "*?["):
            matches = sorted(Path(match) for match in glob.glob(text, recursive=True))
            matches = [match for match in matches if match.is_file()]
        else:
            matches = [Path(text)] if Path(text).is_file() else []
        if not matches:
            raise FileNotFoundError(f"no vote file matches {text!r}")
        found.update(dict.fromkeys(match.resolve() for match in matches))
    return list(found)


def _read_file(path: Path, merged: VoteFiles) -> None:
    for number, raw in enumerate(path.read_bytes().split(b"\n"), start=1):
        if not raw.strip():
            continue
        try:
            merged.votes.append(Vote.from_json(json.loads(raw.decode("utf-8"))))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            merged.skipped.append(SkippedLine(path, number, f"not JSON: {error}"))
        except ValueError as error:
            merged.skipped.append(SkippedLine(path, number, str(error)))
