"""Bradley-Terry ratings from arena votes (`core.ratings`): a known order is recovered from
simulated votes, intervals narrow with more votes, ties and one-sided records stay sane."""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sora_widget.core.ratings import ELO_MEAN, fit_ratings, leaderboard, win_matrix
from sora_widget.core.vote import Vote

from .helpers import arena_vote

#: Four models' true ratings: neighbours 200 points apart (the stronger wins 3 votes in 4).
TRUE_RATINGS = {"sora-2": 1300.0, "veo-3.1": 1100.0, "wan2.6": 900.0, "kling": 700.0}


def simulated_votes(count: int, seed: int, tie_rate: float = 0.1) -> list[Vote]:
    """Votes drawn from the Bradley-Terry model of `TRUE_RATINGS`: random pairs and sides,
    `tie_rate` of them ties, the others won with the model's probability."""
    rng = random.Random(seed)
    votes = []
    for second in range(count):
        left, right = rng.sample(sorted(TRUE_RATINGS), 2)
        left_wins = 1 / (1 + 10 ** ((TRUE_RATINGS[right] - TRUE_RATINGS[left]) / 400))
        if rng.random() < tie_rate:
            choice = "tie"
        else:
            choice = "left" if rng.random() < left_wins else "right"
        votes.append(arena_vote(left, right, choice, second=second))
    return votes


def kendall_tau(first: Sequence[float], second: Sequence[float]) -> float:
    """Kendall's tau-a: (concordant - discordant pairs) / all pairs."""
    signs = [
        (first[i] - first[j]) * (second[i] - second[j])
        for i, j in itertools.combinations(range(len(first)), 2)
    ]
    return (sum(s > 0 for s in signs) - sum(s < 0 for s in signs)) / len(signs)


def test_kendall_tau_counts_agreeing_pairs() -> None:
    assert kendall_tau([1, 2, 3, 4], [10, 20, 30, 40]) == 1.0
    assert kendall_tau([1, 2, 3, 4], [40, 30, 20, 10]) == -1.0
    assert kendall_tau([1, 2, 3, 4], [20, 10, 30, 40]) == pytest.approx(4 / 6)


@pytest.mark.parametrize("seed", range(10))
def test_200_votes_recover_the_true_order(seed: int) -> None:
    ratings = fit_ratings(simulated_votes(200, seed))
    models = list(TRUE_RATINGS)
    assert kendall_tau([ratings[m] for m in models], [TRUE_RATINGS[m] for m in models]) >= 0.8


def test_intervals_narrow_as_votes_grow() -> None:
    def mean_width(count: int) -> float:
        widths = []
        for row in leaderboard(simulated_votes(count, seed=3), resamples=300):
            assert row["low"] is not None and row["high"] is not None
            widths.append(row["high"] - row["low"])
        return sum(widths) / len(widths)

    few, many = mean_width(50), mean_width(400)
    assert 0 < many < few
    # Width goes as one over the square root of the votes: 8 times the votes, about a third.
    assert many < few / 2


def test_each_interval_holds_its_rating() -> None:
    for row in leaderboard(simulated_votes(100, seed=5), resamples=300):
        assert row["low"] is not None and row["high"] is not None
        assert row["low"] <= row["rating"] <= row["high"]


def test_two_models_rate_as_their_wins_and_the_prior_say() -> None:
    # 3 wins to 1 plus one virtual drawn game (half a win each): odds 3.5 to 1.5.
    votes = [arena_vote("a", "b", "left", second=s) for s in range(3)]
    votes.append(arena_vote("b", "a", "left", second=3))
    ratings = fit_ratings(votes)
    assert ratings["a"] - ratings["b"] == pytest.approx(400 * math.log10(3.5 / 1.5))
    assert (ratings["a"] + ratings["b"]) / 2 == pytest.approx(ELO_MEAN)


def test_all_ties_give_equal_ratings() -> None:
    choices = itertools.cycle(["tie", "both_bad"])
    votes = [
        arena_vote(left, right, next(choices), second=second)
        for second, (left, right) in enumerate(itertools.permutations("abc", 2))
    ]
    board = leaderboard(votes, resamples=100)
    assert [row["rating"] for row in board] == pytest.approx([ELO_MEAN] * 3)
    assert all(
        row["ties"] == row["votes"] == 4 and row["wins"] == row["losses"] == 0 for row in board
    )


def test_both_bad_rates_as_a_tie_and_is_counted_apart() -> None:
    def board(choice: str) -> list[dict[str, object]]:
        votes = [arena_vote("a", "b", "left"), arena_vote("a", "b", choice, second=1)]
        return [dict(row) for row in leaderboard(votes, resamples=50)]

    as_tie, as_both_bad = board("tie"), board("both_bad")
    for tie_row, bad_row in zip(as_tie, as_both_bad, strict=True):
        assert bad_row["rating"] == tie_row["rating"]
        assert (bad_row["ties"], bad_row["both_bad"], tie_row["both_bad"]) == (1, 1, 0)


def test_a_model_with_only_losses_stays_finite_and_last() -> None:
    votes = [
        vote
        for vote in simulated_votes(100, seed=1)
        if "kling" not in (vote.left.model, vote.right.model)
    ]
    votes += [
        arena_vote(winner, "kling", "left", second=1000 + second)
        for second, winner in enumerate(["sora-2", "veo-3.1", "wan2.6"] * 20)
    ]
    last = leaderboard(votes, resamples=200)[-1]
    assert last["model"] == "kling" and last["wins"] == last["ties"] == 0
    assert last["losses"] == last["votes"] == 60
    assert last["low"] is not None and last["high"] is not None
    assert all(math.isfinite(x) for x in (last["rating"], last["low"], last["high"]))


def test_leaderboard_counts_and_order() -> None:
    votes = [
        arena_vote("a", "b", "left"),
        arena_vote("b", "a", "right", second=1),
        arena_vote("c", "a", "left", second=2),
        arena_vote("b", "c", "both_bad", second=3),
    ]
    board = leaderboard(votes, ["a", "b", "c", "unseen"], resamples=50)
    by_model = {row["model"]: row for row in board}
    assert [row["rating"] for row in board] == sorted(
        (row["rating"] for row in board), reverse=True
    )
    assert {k: by_model["a"][k] for k in ("wins", "losses", "ties", "both_bad", "votes")} == {
        "wins": 2,
        "losses": 1,
        "ties": 0,
        "both_bad": 0,
        "votes": 3,
    }
    assert (by_model["b"]["losses"], by_model["b"]["ties"], by_model["b"]["both_bad"]) == (2, 1, 1)
    assert by_model["unseen"]["votes"] == 0
    assert by_model["unseen"]["low"] is None and by_model["unseen"]["high"] is None
    assert by_model["a"]["low"] is not None


def test_no_votes_no_models_no_rows() -> None:
    assert leaderboard([]) == []
    assert [(row["model"], row["rating"], row["low"]) for row in leaderboard([], ["a"])] == [
        ("a", ELO_MEAN, None)
    ]


def test_no_resamples_means_no_intervals() -> None:
    board = leaderboard([arena_vote("a", "b")], resamples=0)
    assert all(row["low"] is None and row["high"] is None for row in board)


def test_win_matrix_counts_ties_as_halves() -> None:
    votes = [arena_vote("a", "b"), arena_vote("b", "a", "tie", second=1)]
    assert win_matrix(votes, ["c"]) == {
        "c": {"c": 0.0, "a": 0.0, "b": 0.0},
        "a": {"c": 0.0, "a": 0.0, "b": 1.5},
        "b": {"c": 0.0, "a": 0.5, "b": 0.0},
    }


def test_the_seed_decides_the_intervals() -> None:
    votes = simulated_votes(80, seed=2)
    assert leaderboard(votes, seed=7, resamples=200) == leaderboard(votes, seed=7, resamples=200)
    assert leaderboard(votes, seed=7, resamples=200) != leaderboard(votes, seed=8, resamples=200)


def test_the_prior_must_be_positive() -> None:
    with pytest.raises(ValueError, match="prior"):
        fit_ratings([arena_vote("a", "b")], prior=0)


MIRROR = {"left": "right", "right": "left", "tie": "tie", "both_bad": "both_bad"}


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(list(itertools.permutations("abcd", 2))),
            st.sampled_from(["left", "right", "tie", "both_bad"]),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_sides_do_not_matter_and_the_mean_is_1000(
    records: list[tuple[tuple[str, str], str]],
) -> None:
    votes = [arena_vote(a, b, choice, second=s) for s, ((a, b), choice) in enumerate(records)]
    mirrored = [
        arena_vote(b, a, MIRROR[choice], second=s) for s, ((a, b), choice) in enumerate(records)
    ]
    ratings, mirrored_ratings = fit_ratings(votes), fit_ratings(mirrored)
    assert mirrored_ratings == pytest.approx(ratings)
    assert sum(ratings.values()) / len(ratings) == pytest.approx(ELO_MEAN)
    assert all(math.isfinite(rating) for rating in ratings.values())
