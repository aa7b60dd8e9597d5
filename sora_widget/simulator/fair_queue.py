"""Renders waiting for a worker, taken round-robin by owner (the key that asked).

A burst from one key should delay that key's own jobs, not everyone else's. Each item gets a
round: its owner's previous round plus one, but never earlier than the round being served, so
a key that has just arrived waits at most for the jobs already in the current round. Pure
bookkeeping, no event loop: the simulator pushes and pops, its render slots do the waiting.
"""

from __future__ import annotations

import heapq
import itertools
from collections import Counter
from typing import Generic, TypeVar

T = TypeVar("T")


class FairQueue(Generic[T]):
    """Round-robin across owners; first-in, first-out within one owner."""

    def __init__(self) -> None:
        self._heap: list[tuple[int, int, str, T]] = []
        self._arrivals = itertools.count()
        self._serving = 0  # the round of the item popped last
        #: Each owner's latest round (one number per key ever seen: a class's worth).
        self._last_round: dict[str, int] = {}
        self._waiting: Counter[str] = Counter()

    def push(self, owner: str, item: T) -> None:
        after = self._last_round.get(owner)
        turn = self._serving if after is None else max(after + 1, self._serving)
        self._last_round[owner] = turn
        self._waiting[owner] += 1
        heapq.heappush(self._heap, (turn, next(self._arrivals), owner, item))

    def pop(self) -> T:
        """The next item in turn; IndexError when nothing waits."""
        turn, _, owner, item = heapq.heappop(self._heap)
        self._serving = turn
        self._waiting[owner] -= 1
        if not self._waiting[owner]:
            del self._waiting[owner]
        return item

    def waiting(self, owner: str) -> int:
        return self._waiting[owner]

    def __len__(self) -> int:
        return len(self._heap)
