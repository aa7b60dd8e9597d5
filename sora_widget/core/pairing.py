"""Which pair an arena shows next: plain data in, one matchup out, no I/O.

Every prompt is made by every model, so a matchup is one prompt and two models. The next one
goes where the ratings are least certain: the model pair whose 95% intervals overlap most per
vote already spent on it (`uncertainty`). A model with no interval yet (no votes) is as
uncertain as can be, so new models are met first. Among equal pairs, the one with fewer votes
between its models comes first, then the prompt on which those two met least, then chance.
The matchup just shown (same prompt, same two models, either side) is never shown again at
once, and the sides are drawn at random, both from the caller's seeded `random.Random`.
"""

from __future__ import annotations

import itertools
import math
import random
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sora_widget.core.ratings import LeaderboardRow
from sora_widget.core.vote import Vote


@dataclass(frozen=True)
class Matchup:
    """One pair to vote on: a prompt, and the models whose videos go left and right."""

    prompt: str
    left: str
    right: str

    def same_pair(self, other: Matchup) -> bool:
        """Same prompt and the same two models, whichever side each is on."""
        return self.prompt == other.prompt and {self.left, self.right} == {
            other.left,
            other.right,
        }


#: A model's 95% interval, (None, None) while it has none.
Interval = tuple[float | None, float | None]


def uncertainty(interval: Interval, other: Interval, votes_between: int) -> float:
    """How open the order of two models still is: the overlap of their intervals (in rating
    points; 0 when they are apart), divided by one more than the votes between them, so a
    close pair does not take every vote. Infinite when either has no interval."""
    (low, high), (other_low, other_high) = interval, other
    if low is None or high is None or other_low is None or other_high is None:
        return math.inf
    return max(0.0, min(high, other_high) - max(low, other_low)) / (votes_between + 1)


def next_matchup(
    prompts: Sequence[str],
    models: Sequence[str],
    votes: Sequence[Vote],
    board: Sequence[LeaderboardRow],
    rng: random.Random,
    last: Matchup | None = None,
    candidates: Iterable[Matchup] | None = None,
) -> Matchup | None:
    """The next matchup, given the votes so far and the leaderboard drawn from them; None when
    no matchup but `last` is left. `candidates`: the matchups that may be shown (an arena's
    where both videos were made and no vote was cast yet), by default every prompt on every
    pair of models."""
    models = list(dict.fromkeys(models))
    if not prompts or len(models) < 2:
        raise ValueError("an arena needs at least one prompt and two models")
    intervals: Mapping[str, Interval] = {row["model"]: (row["low"], row["high"]) for row in board}
    between = Counter(frozenset((vote.left.model, vote.right.model)) for vote in votes)
    on_prompt = Counter(
        (vote.prompt, frozenset((vote.left.model, vote.right.model))) for vote in votes
    )
    if candidates is None:
        pairs = itertools.product(prompts, itertools.combinations(models, 2))
        candidates = [Matchup(prompt, first, second) for prompt, (first, second) in pairs]
    best: tuple[tuple[float, int, int, float], Matchup] | None = None
    for candidate in candidates:
        if last is not None and candidate.same_pair(last):
            continue
        prompt, first, second = candidate.prompt, candidate.left, candidate.right
        pair = frozenset((first, second))
        rank = (
            -uncertainty(
                intervals.get(first, (None, None)),
                intervals.get(second, (None, None)),
                between[pair],
            ),
            between[pair],
            on_prompt[prompt, pair],
            rng.random(),
        )
        if best is None or rank < best[0]:
            best = (rank, candidate)
    if best is None:
        return None
    chosen = best[1]
    if rng.random() < 0.5:
        return Matchup(chosen.prompt, chosen.right, chosen.left)
    return chosen
