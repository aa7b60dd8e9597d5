"""A storyboard's shots without a server: spec parsing and its refusals, continuity planning,
fingerprints, staleness and the JSON a shot is kept as."""

from __future__ import annotations

from pathlib import Path

import pytest

from sora_widget.core.errors import InvalidRequestError
from sora_widget.engine.shots import (
    NO_FIRST_FRAME,
    OTHER_SETTINGS,
    OWN_IMAGE,
    Shot,
    check_continuity,
    fingerprint,
    is_stale,
    parse_shot,
    plan,
    shot_from_record,
    shot_record,
    styled,
)

DEFAULTS = {"seconds": "4", "model": "sora-2", "size": "1280x720"}


def shots(*prompts: str, **fields: str) -> list[Shot]:
    return [parse_shot(p, **{**DEFAULTS, **fields}) for p in prompts]


def test_a_shot_is_a_prompt_or_a_dict_whose_fields_override_the_storyboards():
    plain = parse_shot("a lighthouse at dawn", **DEFAULTS)
    assert (plain.prompt, plain.seconds, plain.model, plain.size) == (
        "a lighthouse at dawn",
        "4",
        "sora-2",
        "1280x720",
    )
    own = parse_shot(
        {"prompt": "the beam at night", "seconds": 8, "image": "first.png", "parameters": {"a": 1}},
        **DEFAULTS,
    )
    assert (own.seconds, own.model, own.image, own.parameters) == (
        "8",
        "sora-2",
        Path("first.png"),
        {"a": 1},
    )
    assert own.status == "draft" and own.video_id is None and own.video_file is None


@pytest.mark.parametrize(
    ("spec", "error", "words"),
    [
        (
            {"prompt": "a gull", "secnds": "4"},
            TypeError,
            "unknown argument 'secnds'; did you mean 'seconds'",
        ),
        ({"seconds": "4"}, InvalidRequestError, "needs a 'prompt'"),
        ({"prompt": ""}, InvalidRequestError, "prompt"),
        ({"prompt": "a gull", "image": 3}, InvalidRequestError, "path or the image's bytes"),
        ({"prompt": "a gull", "parameters": [1]}, InvalidRequestError, "parameters are a dict"),
        (42, InvalidRequestError, "not int"),
    ],
)
def test_a_bad_shot_is_refused_saying_what_is_wrong(spec, error, words):
    with pytest.raises(error, match=words):
        parse_shot(spec, **DEFAULTS)


def test_continuity_is_one_of_three():
    assert check_continuity("extend") == "extend"
    with pytest.raises(InvalidRequestError, match="'none', 'last_frame', 'extend'"):
        check_continuity("chain")


def everything(model: str) -> bool:
    return True


def nothing(shot: Shot) -> bool:
    return False


def test_none_makes_every_shot_on_its_own():
    steps = plan(shots("a", "b", "c"), "none", takes_first_frame=everything, extends=nothing)
    assert [(s.continuity, s.after) for s in steps] == [("none", None)] * 3


def test_last_frame_chains_each_shot_to_the_one_before():
    steps = plan(shots("a", "b", "c"), "last_frame", takes_first_frame=everything, extends=nothing)
    assert [(s.continuity, s.after) for s in steps] == [
        ("none", None),
        ("last_frame", 0),
        ("last_frame", 1),
    ]


def test_a_model_without_a_first_frame_runs_on_its_own_and_says_so():
    board = shots("a", "b")
    board[1].model = "text-only"
    steps = plan(board, "last_frame", takes_first_frame=lambda m: m != "text-only", extends=nothing)
    assert (steps[1].continuity, steps[1].after, steps[1].note) == ("none", None, NO_FIRST_FRAME)


def test_a_shot_with_its_own_image_starts_from_it():
    board = shots("a", "b")
    board[1].image = b"png"
    steps = plan(board, "last_frame", takes_first_frame=everything, extends=nothing)
    assert (steps[1].continuity, steps[1].note) == ("none", OWN_IMAGE)


def test_extend_uses_the_servers_extension_where_it_has_one_else_the_last_frame():
    board = shots("a", "b", "c", "d")
    for n, shot in enumerate(board):
        shot.key = f"s{n}"
    board[3].size = "720x1280"  # an extension keeps its source's size: this one cannot
    steps = plan(
        board, "extend", takes_first_frame=everything, extends=lambda s: s.key in {"s1", "s3"}
    )
    assert [(s.continuity, s.after) for s in steps] == [
        ("none", None),
        ("extend", 0),
        ("last_frame", 1),
        ("last_frame", 2),
    ]
    assert steps[3].note == OTHER_SETTINGS and steps[2].note == ""


def test_the_style_goes_with_every_prompt():
    assert styled("he lights the lamp.", "35mm film") == "he lights the lamp. Style: 35mm film"
    assert styled("he lights the lamp", "  ") == "he lights the lamp"


def test_a_fingerprint_changes_with_what_the_video_is_made_from_and_only_that():
    shot = shots("a keeper climbs the stairs")[0]
    before = fingerprint(shot, "35mm")
    shot.status, shot.video_id, shot.note = "completed", "video_1", "a note"
    assert fingerprint(shot, "35mm") == before  # its state is not what it is made from
    assert fingerprint(shot, "watercolour") != before
    assert fingerprint(shot, "35mm", reference=b"character") != before
    for field, value in [("prompt", "he falls"), ("seconds", "8"), ("image", b"x")]:
        changed = shots("a keeper climbs the stairs")[0]
        setattr(changed, field, value)
        assert fingerprint(changed, "35mm") != before, field


def made(shot: Shot, video_id: str, started_from: str | None = None) -> Shot:
    shot.video_id, shot.video_file, shot.started_from = video_id, Path(video_id), started_from
    return shot


def test_a_shot_is_stale_once_it_no_longer_follows_the_shot_it_started_from():
    a, b, c = shots("a", "b", "c")
    made(a, "v_a"), made(b, "v_b", started_from="v_a"), made(c, "v_c", started_from="v_b")
    assert [is_stale([a, b, c], n) for n in range(3)] == [False, False, False]
    assert [is_stale([b, a, c], n) for n in range(3)] == [True, False, True]
    a.redo = True  # to be made again: what started from it is stale already
    assert is_stale([a, b, c], 1) and not is_stale([a, b, c], 2)
    a.redo = False
    a.video_id = "v_a2"  # made again
    assert is_stale([a, b, c], 1)


def test_a_shot_is_kept_as_json_and_read_back_whole():
    shot = made(shots("a gull")[0], "video_9", started_from="video_8")
    shot.image, shot.made_with, shot.pending = b"\x89PNG", "abc", {"id": "video_10"}
    back = shot_from_record(shot_record(shot))
    assert shot_record(back) == shot_record(shot)
    assert back.image == b"\x89PNG" and back.video_file == Path("video_9")
    shot.image = Path("first.png")
    assert shot_from_record(shot_record(shot)).image == Path("first.png")
