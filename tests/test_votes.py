"""Arena votes as data: a vote checked as it is made (`core.vote`), one JSON line per vote
appended to a voter's file, many voters' files merged with duplicates counted once and broken
lines skipped, and a CSV of them (`engine.votes`)."""

from __future__ import annotations

import csv
import json
import shutil
import threading
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from sora_widget.core.vote import TAGS, Side, Vote
from sora_widget.engine.votes import append_vote, read_votes, vote_file, write_votes_csv

from .helpers import arena_vote


def test_a_vote_is_one_json_line_with_every_field(tmp_path: Path) -> None:
    path = vote_file(tmp_path, "me")
    vote = Vote.cast(
        "me",
        "pluie sur un toit de tôle",
        Side("sora-2", "video_1"),
        Side("wan2.6", "video_2"),
        "right",
        ["sound", "motion", "sound"],
        when=datetime(2026, 3, 1, 13, 5, tzinfo=timezone(timedelta(hours=2))),
    )
    append_vote(path, vote)
    assert path == tmp_path / "arena" / "me.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == [
        {
            "time": "2026-03-01T11:05:00.000+00:00",
            "voter": "me",
            "prompt": "pluie sur un toit de tôle",
            "left": {"model": "sora-2", "video_id": "video_1"},
            "right": {"model": "wan2.6", "video_id": "video_2"},
            "choice": "right",
            "tags": ["motion", "sound"],
        }
    ]
    assert read_votes(path).votes == [vote]


def test_cast_stamps_the_time_now_in_utc() -> None:
    before = datetime.now(UTC)
    vote = Vote.cast("me", "p", Side("a", "1"), Side("b", "2"), "tie")
    assert before - timedelta(seconds=1) <= vote.moment <= datetime.now(UTC)
    assert vote.moment.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"choice": "draw"}, "choice"),
        ({"tags": ("motion", "colour")}, "unknown tags"),
        ({"right": Side("a", "3")}, "two different models"),
        ({"time": "2026-01-01T10:00:00"}, "time zone"),
        ({"time": "yesterday"}, "ISO 8601"),
    ],
)
def test_a_vote_that_cannot_be_is_refused(change: dict[str, object], message: str) -> None:
    fields: dict[str, object] = {
        "time": "2026-01-01T10:00:00+00:00",
        "voter": "me",
        "prompt": "p",
        "left": Side("a", "1"),
        "right": Side("b", "2"),
        "choice": "left",
        "tags": (),
    }
    with pytest.raises(ValueError, match=message):
        Vote(**{**fields, **change})  # type: ignore[arg-type]


def test_the_tags_are_the_five_reasons() -> None:
    assert TAGS == ("prompt adherence", "motion", "physics", "look", "sound")
    vote = arena_vote("a", "b", tags=TAGS[::-1])
    assert vote.tags == TAGS


def test_a_voter_name_becomes_a_safe_file_name(tmp_path: Path) -> None:
    assert vote_file(tmp_path, "Ana María/../x").name == "Ana_Mar_a_.._x.jsonl"
    assert vote_file(tmp_path, "../..").name == "anonymous.jsonl"
    assert vote_file(tmp_path, "student-7.b").parent == tmp_path / "arena"


def test_voters_files_merge_and_a_copied_file_counts_once(tmp_path: Path) -> None:
    class_folder = tmp_path / "class"
    ana = [arena_vote("a", "b", voter="ana", second=s) for s in (0, 2)]
    ben = [arena_vote("b", "c", "tie", voter="ben", second=s) for s in (1, 3)]
    for vote in ana + ben:
        append_vote(vote_file(class_folder, vote.voter), vote)
    # Ana's file was also copied by hand next to the class folder, and one of her votes
    # repeated inside it.
    copy = tmp_path / "ana-copy.jsonl"
    shutil.copy(vote_file(class_folder, "ana"), copy)
    append_vote(copy, ana[0])
    merged = read_votes(str(class_folder / "arena" / "*.jsonl"), copy)
    assert merged.votes == [ana[0], ben[0], ana[1], ben[1]]
    assert merged.duplicates == 3
    assert len(merged.files) == 3 and merged.skipped == []


def test_the_same_file_named_twice_is_read_once(tmp_path: Path) -> None:
    path = vote_file(tmp_path, "me")
    append_vote(path, arena_vote("a", "b"))
    merged = read_votes(path, str(path.parent / "*.jsonl"))
    assert (len(merged.votes), merged.duplicates, merged.files) == (1, 0, [path.resolve()])


def test_votes_at_other_times_or_by_other_voters_all_count(tmp_path: Path) -> None:
    path = tmp_path / "votes.jsonl"
    for vote in (
        arena_vote("a", "b"),
        arena_vote("a", "b", second=1),
        arena_vote("a", "b", voter="ben"),
        arena_vote("a", "b", prompt="another prompt"),
    ):
        append_vote(path, vote)
    merged = read_votes(path)
    assert (len(merged.votes), merged.duplicates) == (4, 0)


def test_broken_lines_are_skipped_and_reported(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "votes.jsonl"
    good = [arena_vote("a", "b", second=s) for s in range(3)]
    unknown_choice = {**good[0].to_json(), "choice": "maybe"}
    no_prompt = {k: v for k, v in good[0].to_json().items() if k != "prompt"}
    lines = [
        json.dumps(good[0].to_json()).encode(),
        b"{not json",
        json.dumps(unknown_choice).encode(),
        b"",
        json.dumps(good[1].to_json()).encode(),
        json.dumps(no_prompt).encode(),
        b"\xff\xfe broken bytes",
        b"[1, 2]",
        json.dumps(good[2].to_json()).encode(),
    ]
    path.write_bytes(b"\n".join(lines) + b"\n")
    merged = read_votes(path)
    assert merged.votes == good
    assert [(skip.line, skip.path) for skip in merged.skipped] == [
        (2, path.resolve()),
        (3, path.resolve()),
        (6, path.resolve()),
        (7, path.resolve()),
        (8, path.resolve()),
    ]
    assert "maybe" in merged.skipped[1].reason and "prompt" in merged.skipped[2].reason
    assert "5 line(s)" in caplog.text


def test_a_torn_last_line_does_not_swallow_the_next_vote(tmp_path: Path) -> None:
    path = tmp_path / "votes.jsonl"
    first, second = arena_vote("a", "b"), arena_vote("b", "a", second=1)
    append_vote(path, first)
    with path.open("ab") as file:
        file.write(json.dumps(first.to_json()).encode()[:30])  # a crash mid-write
    append_vote(path, second)
    merged = read_votes(path)
    assert merged.votes == [first, second]
    assert [skip.line for skip in merged.skipped] == [2]


def test_concurrent_appends_keep_every_line_whole(tmp_path: Path) -> None:
    path = vote_file(tmp_path, "me")
    long_prompt = "a very long prompt " * 500  # lines far longer than a pipe's atomic write

    def vote_many(writer: int) -> None:
        for second in range(25):
            append_vote(
                path, arena_vote("a", "b", second=1000 * writer + second, prompt=long_prompt)
            )

    threads = [threading.Thread(target=vote_many, args=(writer,)) for writer in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    merged = read_votes(path)
    assert (len(merged.votes), merged.skipped, merged.duplicates) == (100, [], 0)


def test_a_name_that_matches_no_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="missing.jsonl"):
        read_votes(tmp_path / "missing.jsonl")
    with pytest.raises(FileNotFoundError, match=r"class/\*\.jsonl"):
        read_votes(str(tmp_path / "class" / "*.jsonl"))


def test_the_csv_has_a_row_per_vote(tmp_path: Path) -> None:
    votes = [
        arena_vote("a", "b", "right", tags=("look", "physics")),
        arena_vote("b", "c", "both_bad", second=1),
    ]
    path = tmp_path / "votes.csv"
    write_votes_csv(path, votes)
    with path.open(newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    assert [
        (r["left_model"], r["right_model"], r["choice"], r["winner"], r["tags"]) for r in rows
    ] == [
        ("a", "b", "right", "b", "physics; look"),
        ("b", "c", "both_bad", "", ""),
    ]
    assert rows[0]["time"] == votes[0].time and rows[0]["left_video_id"] == "video_a"
