"""Ratings from blind pairwise votes: Bradley-Terry with ties, on an Elo-like scale, with
bootstrap 95% intervals.

Why not `choix` (the well-kept Bradley-Terry library): it has no model of ties (its data are
(winner, loser) pairs, so a tie would have to be faked by duplicating comparisons), and it
imports SciPy unconditionally, tens of megabytes for what is here a thirty-line iteration over
a handful of models. So the fit is Hunter's MM algorithm (2004), written out below.

- A tie counts as half a win each way (as Chatbot Arena does); "both_bad" is a tie too: it
  says both lost to the prompt, not that one beat the other. The leaderboard still counts the
  "both_bad" votes apart, so a model often judged bad shows it.
- A weak prior keeps every rating finite: each model is given `prior` virtual drawn games,
  spread evenly over the other models. Without it a model with no wins would sink to minus
  infinity and one with no losses rise to plus infinity; it also links models that never met.
- Ratings are `1000 + 400 * log10(strength)`, shifted so that their mean is 1000: a 400-point
  gap means the stronger model wins about 10 votes to 1, as in chess.
- Intervals resample the votes with replacement (`resamples` times, from a seeded NumPy
  generator, so the same votes always give the same leaderboard), refit, and take the 2.5 and
  97.5 percentiles of each model's rating.

NumPy is imported when ratings are computed, not with the package.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypedDict

from sora_widget.core.vote import Vote

#: The mean rating, and the points per factor of 10 in strength.
ELO_MEAN = 1000.0
ELO_SCALE = 400.0
#: Virtual drawn games each model is given: enough to keep a model with no wins finite, too few
#: to matter once a model has a dozen real votes.
PRIOR_GAMES = 1.0
#: Bootstrap resamples for the intervals.
RESAMPLES = 1000
#: The fit stops when no strength moves by more than this factor (in natural log) in a step.
TOLERANCE = 1e-9
MAX_STEPS = 10_000


class LeaderboardRow(TypedDict):
    """One model on the leaderboard. `low` and `high` bound the 95% interval; they are None
    when there is none: the model took part in no vote, or no resampling was asked for."""

    model: str
    rating: float
    low: float | None
    high: float | None
    wins: int
    losses: int
    #: Votes counted as a tie, "both_bad" ones included (so wins + losses + ties == votes).
    ties: int
    both_bad: int
    votes: int


def vote_score(vote: Vote) -> float:
    """The left model's share of the vote: 1 if it won, 0 if it lost, 1/2 for a tie."""
    return {"left": 1.0, "right": 0.0}.get(vote.choice, 0.5)


def models_of(votes: Iterable[Vote], models: Iterable[str] = ()) -> list[str]:
    """`models` in their order, then every other model the votes name, sorted."""
    listed = list(dict.fromkeys(models))
    seen = {side.model for vote in votes for side in (vote.left, vote.right)}
    return listed + sorted(seen.difference(listed))


def win_matrix(votes: Sequence[Vote], models: Iterable[str] = ()) -> dict[str, dict[str, float]]:
    """`matrix[a][b]`: the votes `a` won against `b`, ties as one half each; the data the
    ratings are fitted to. Every model of `models_of` has a row and a column."""
    names = models_of(votes, models)
    matrix = {row: dict.fromkeys(names, 0.0) for row in names}
    for vote in votes:
        score = vote_score(vote)
        matrix[vote.left.model][vote.right.model] += score
        matrix[vote.right.model][vote.left.model] += 1.0 - score
    return matrix


def fit_ratings(
    votes: Sequence[Vote], models: Iterable[str] = (), *, prior: float = PRIOR_GAMES
) -> dict[str, float]:
    """Each model's rating (their mean is 1000), without intervals."""
    import numpy as np

    names = models_of(votes, models)
    if not names:
        return {}
    matrix = win_matrix(votes, names)
    scores = np.array([[[matrix[a][b] for b in names] for a in names]], dtype=float)
    return dict(zip(names, _ratings(_strengths(scores, prior))[0].tolist(), strict=True))


def leaderboard(
    votes: Sequence[Vote],
    models: Iterable[str] = (),
    *,
    resamples: int = RESAMPLES,
    seed: int = 0,
    prior: float = PRIOR_GAMES,
) -> list[LeaderboardRow]:
    """Every model of `models_of(votes, models)`, best rating first (then by name)."""
    ratings = fit_ratings(votes, models, prior=prior)
    names = list(ratings)
    bounds = _intervals(votes, names, resamples, seed, prior)
    rows: list[LeaderboardRow] = []
    for index, name in enumerate(names):
        mine = [vote for vote in votes if _takes_part(vote, name)]
        shares = [_share(vote, name) for vote in mine]
        low, high = (None, None)
        if bounds is not None and mine:
            low, high = float(bounds[0][index]), float(bounds[1][index])
        rows.append(
            LeaderboardRow(
                model=name,
                rating=ratings[name],
                low=low,
                high=high,
                wins=shares.count(1.0),
                losses=shares.count(0.0),
                ties=shares.count(0.5),
                both_bad=sum(1 for vote in mine if vote.choice == "both_bad"),
                votes=len(mine),
            )
        )
    return sorted(rows, key=lambda row: (-row["rating"], row["model"]))


def _takes_part(vote: Vote, model: str) -> bool:
    return model in (vote.left.model, vote.right.model)


def _share(vote: Vote, model: str) -> float:
    """`model`'s share of a vote it took part in: 1 won, 0 lost, 1/2 drawn."""
    score = vote_score(vote)
    return score if vote.left.model == model else 1.0 - score


def _intervals(
    votes: Sequence[Vote], names: list[str], resamples: int, seed: int, prior: float
) -> Any:
    """The 2.5 and 97.5 percentiles of each model's rating over `resamples` resamplings of the
    votes, as a (2, models) array; None without votes or resamples."""
    if resamples <= 0 or not votes:
        return None
    import numpy as np

    index = {name: position for position, name in enumerate(names)}
    size = len(names)
    # Each vote's contribution to the flattened score matrix, so a resample's scores are its
    # vote counts times this.
    contributions = np.zeros((len(votes), size * size))
    for row, vote in enumerate(votes):
        left, right = index[vote.left.model], index[vote.right.model]
        score = vote_score(vote)
        contributions[row, left * size + right] = score
        contributions[row, right * size + left] = 1.0 - score
    rng = np.random.default_rng(seed)
    counts = rng.multinomial(len(votes), np.full(len(votes), 1.0 / len(votes)), size=resamples)
    scores = (counts @ contributions).reshape(resamples, size, size)
    return np.percentile(_ratings(_strengths(scores, prior)), [2.5, 97.5], axis=0)


def _strengths(scores: Any, prior: float) -> Any:
    """Bradley-Terry strengths fitted to a stack of score matrices (batch, models, models) by
    Hunter's MM iteration, every matrix at once, each row's geometric mean held at 1."""
    import numpy as np

    if prior <= 0:
        raise ValueError(f"prior must be positive (it keeps ratings finite), not {prior}")
    size = scores.shape[1]
    if size < 2:
        return np.ones(scores.shape[:2])
    scores = scores + prior / (2 * (size - 1)) * (1 - np.eye(size))
    won = scores.sum(axis=2)
    games = scores + scores.transpose(0, 2, 1)
    strengths = np.ones(scores.shape[:2])
    for _ in range(MAX_STEPS):
        updated = won / (games / (strengths[:, :, None] + strengths[:, None, :])).sum(axis=2)
        updated /= np.exp(np.log(updated).mean(axis=1, keepdims=True))
        step = np.abs(np.log(updated / strengths)).max()
        strengths = updated
        if step < TOLERANCE:
            break
    return strengths


def _ratings(strengths: Any) -> Any:
    """Strengths on the Elo-like scale, each row's mean at `ELO_MEAN`."""
    import numpy as np

    points = ELO_SCALE * np.log10(strengths)
    return ELO_MEAN + points - points.mean(axis=-1, keepdims=True)
