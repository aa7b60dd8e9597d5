"""What a class has made, owner by owner, for the teacher (`GET /simulator/class`): its jobs
by status, the seconds of video rendered and what they would have cost on the real service.

The prices are the simulator's own, OpenAI's published per-second prices, not the client's
pricing catalog: the simulator is an independent implementation, and a teacher reading the
figures should see the server's idea of the bill, not the widget's.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from sora_widget.core.types import parse_size

from .store import VideoRecord

#: USD per second of video, as OpenAI published them: (model, above 720p) -> price.
PRICE_PER_SECOND = {
    ("sora-2", False): 0.10,
    ("sora-2-pro", False): 0.30,
    ("sora-2-pro", True): 0.50,
}
#: The shorter side of a 720p video; a larger one is priced as "above 720p".
HD_SIDE = 720
COMPLETED = "completed"


def price_per_second(model: str, size: str) -> float | None:
    """None for a model the table does not price (another profile's, a snapshot name)."""
    above_720p = min(parse_size(size)) > HD_SIDE
    return PRICE_PER_SECOND.get((model, above_720p), PRICE_PER_SECOND.get((model, False)))


def class_report(
    records: Iterable[VideoRecord],
    status_of: Callable[[VideoRecord], str],
    name_of: Callable[[str | None], str | None],
) -> dict[str, Any]:
    """Per owner (`name_of` its hash): jobs, jobs by status, seconds rendered (completed
    videos), their estimated cost, and the seconds of models the price table lacks."""
    owners: dict[str | None, dict[str, Any]] = {}
    statuses: dict[str | None, Counter[str]] = {}
    for record in records:
        name = name_of(record.owner)
        figures = owners.setdefault(
            name,
            {
                "owner": name,
                "jobs": 0,
                "seconds_rendered": 0,
                "estimated_cost_usd": 0.0,
                "unpriced_seconds": 0,
            },
        )
        status = status_of(record)
        figures["jobs"] += 1
        statuses.setdefault(name, Counter())[status] += 1
        if status != COMPLETED:
            continue
        seconds = int(record.seconds)
        figures["seconds_rendered"] += seconds
        price = price_per_second(record.model, record.size)
        if price is None:
            figures["unpriced_seconds"] += seconds
        else:
            figures["estimated_cost_usd"] += seconds * price
    for name, figures in owners.items():
        figures["by_status"] = dict(sorted(statuses[name].items()))
        figures["estimated_cost_usd"] = round(figures["estimated_cost_usd"], 2)
    return {
        "object": "simulator.class",
        "prices_usd_per_second": [
            {"model": model, "above_720p": above, "usd": usd}
            for (model, above), usd in PRICE_PER_SECOND.items()
        ],
        "owners": sorted(owners.values(), key=lambda figures: str(figures["owner"])),
    }
