"""How long a model's videos take on one server, learned from the jobs followed to their end.

A server that sends neither progress nor a poll hint (OpenRouter) gives a client nothing to
predict a video's end from, so a fixed loop notices a finished video half its interval late
on average. Each job seen to its end shows a window its generation time lies in (from the
last poll that found it unfinished to the one that found it done); windows of the same model,
size and duration are intersected, so the next such video can be looked for when it is due.
Pure bookkeeping: the job (`jobs`) records, the poller aims (`poller`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: A window for another duration of the same model is scaled by the durations' ratio and
#: widened by this fraction either way (generation time is not exactly proportional).
SCALED_SLACK = 0.15


@dataclass
class Pace:
    """Windows of generation time (seconds from submission to done), by (model, size,
    seconds). A window that contradicts the one kept (the server got slower or faster)
    replaces it."""

    windows: dict[tuple[str, str, str], tuple[float, float]] = field(default_factory=dict)

    def learn(self, model: str, size: str, seconds: str, low: float, high: float) -> None:
        key = (model, size, seconds)
        kept = self.windows.get(key)
        if kept is not None and max(kept[0], low) <= min(kept[1], high):
            low, high = max(kept[0], low), min(kept[1], high)
        self.windows[key] = (max(0.0, low), max(low, high))

    def expect(self, model: str, size: str, seconds: str) -> tuple[float, float] | None:
        """The window a new video of these settings should be done in, or None."""
        exact = self.windows.get((model, size, seconds))
        if exact is not None:
            return exact
        wanted = _seconds(seconds)
        others = [
            (key, window)
            for key, window in self.windows.items()
            if key[0] == model and key[1] == size and _seconds(key[2])
        ]
        if not wanted or not others:
            return None
        (_, _, near), (low, high) = min(others, key=lambda o: abs(_seconds(o[0][2]) - wanted))
        ratio = wanted / _seconds(near)
        return low * ratio * (1 - SCALED_SLACK), high * ratio * (1 + SCALED_SLACK)


def _seconds(seconds: str) -> float:
    try:
        value = float(seconds)
    except ValueError:
        return 0.0
    return value if value > 0 else 0.0
