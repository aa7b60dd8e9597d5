"""`Arena`: blind side-by-side votes between models on your own prompts, and the ratings drawn
from them.

Every prompt is made on every model (a video already in the library for the same prompt, model,
size and duration is reused, so a second arena on the same grid pays nothing). Then one pair at
a time, same prompt, sides at random, chosen where the ratings are least certain
(`core.pairing`). Each vote is a JSON line in the library (`engine.votes`); the ratings are
Bradley-Terry with ties and bootstrap intervals (`core.ratings`).

Blind: until a vote is cast, no trait names a model, a video id, a price or a file. The two
videos travel as "blind:<token>" media (`ui.media`), and the names are set (`reveal`,
`board`) only once no pair awaits a vote.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import random
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import traitlets

from sora_widget.core.errors import InvalidRequestError, SoraError
from sora_widget.core.keywords import strict_keywords
from sora_widget.core.pairing import Matchup, next_matchup
from sora_widget.core.ratings import LeaderboardRow, leaderboard, win_matrix
from sora_widget.core.vote import CHOICES, TAGS, Side, Vote
from sora_widget.engine.backend import connect
from sora_widget.engine.client import SoraClient
from sora_widget.engine.jobs import JobStatus, VideoJob, submit
from sora_widget.engine.library import Library
from sora_widget.engine.saving import generation_estimate
from sora_widget.engine.storage import LibraryEntry
from sora_widget.engine.tasks import off_loop, spawn
from sora_widget.engine.votes import append_vote, read_votes, vote_file, write_votes_csv
from sora_widget.ui.arena_state import (
    ArenaError,
    EstimatePayload,
    PairPayload,
    ProgressPayload,
    RevealPayload,
    estimate_payload,
    side_payload,
)
from sora_widget.ui.kernel_loop import on_creating_loop
from sora_widget.ui.media import MediaWidget
from sora_widget.ui.panel import front_end
from sora_widget.ui.trait_types import optional_payload, payload
from sora_widget.ui.widget_state import BackendBadge, backend_badge, video_facts

__all__ = ["Arena", "Generation", "Pair"]

logger = logging.getLogger(__name__)

#: Who started the jobs, for the library's pending records.
ORIGIN = "arena"

#: The messages the panel sends (besides "media"), and the fields each needs.
ACTIONS: dict[str, tuple[str, ...]] = {
    "generate": (),
    "vote": ("token", "choice"),
    "next": (),
}


@dataclass
class Generation:
    """One video of the grid: a prompt on a model, reused from the library or generated."""

    prompt: str
    model: str
    entry: LibraryEntry | None = None
    job: VideoJob | None = None
    reused: bool = False
    #: The file's (frames per second, sound codec), once read.
    facts: tuple[float | None, str | None] | None = None

    @property
    def failed(self) -> bool:
        return self.job is not None and self.job.done and self.entry is None

    @property
    def error(self) -> str:
        """Why it failed, in the server's words ("" unless it failed)."""
        if not self.failed or self.job is None:
            return ""
        error = self.job.error
        return str(getattr(error, "message", None) or error or self.job.status)


@dataclass(frozen=True)
class Pair:
    """The pair awaiting a vote: Python sees the models and video ids, the page does not."""

    prompt: str
    left: Side
    right: Side


class Arena(MediaWidget):
    """Blind votes between `models` on `prompts`, one pair at a time; see the module.

    `arena.generate()` starts the videos (returns at once), `await arena.wait()` waits for
    them, `arena.current` is the pair awaiting a vote, `arena.vote("left")` records a vote and
    shows the next pair, `arena.leaderboard()` ranks the models, `Arena.results(...)` ranks
    them from many voters' files, `arena.save_csv(path)` writes the votes as a spreadsheet.
    """

    _esm = front_end("arena.js", missing_ok=True)
    _css = front_end("arena.css", missing_ok=True)

    #: "estimate", "generating", "voting", "revealed" or "done".
    phase = traitlets.Unicode("estimate").tag(sync=True)
    estimate = payload(EstimatePayload)
    progress = payload(ProgressPayload)
    pair = optional_payload(PairPayload)
    reveal = optional_payload(RevealPayload)
    #: The leaderboard the panel draws: [] while a pair awaits a vote (it names the models).
    board: traitlets.List[LeaderboardRow] = traitlets.List().tag(sync=True)
    votes_cast = traitlets.Int(0).tag(sync=True)
    tags = traitlets.List(list(TAGS)).tag(sync=True)
    error = optional_payload(ArenaError)
    backend = payload(BackendBadge)

    @strict_keywords
    def __init__(
        self,
        prompts: Sequence[str],
        models: Sequence[str],
        *,
        seconds: str | int = "4",
        size: str = "1280x720",
        voter: str = "me",
        client: SoraClient | None = None,
        library: Library | None = None,
    ) -> None:
        if isinstance(prompts, str) or isinstance(models, str):
            raise InvalidRequestError(
                "prompts", "prompts and models take lists: prompts=['...'], not a string."
            )
        self.prompts = list(dict.fromkeys(prompts))
        self.models = list(dict.fromkeys(models))
        if not self.prompts or len(self.models) < 2:
            raise InvalidRequestError(
                "models", "An arena needs at least one prompt and two different models."
            )
        if not isinstance(voter, str) or not voter.strip():
            raise InvalidRequestError("voter", "voter is a name, such as voter='ada'.")
        self.client = client or connect()
        self.library = library or Library()
        self.size, self.seconds, self.voter = size, str(seconds), voter
        for prompt in self.prompts:  # every field is checked before anything is sent
            for model in self.models:
                self.client.checked_parameters(prompt, model, size, self.seconds, None)
        super().__init__()
        self.votes_file = vote_file(self.library.root, voter)
        self._votes = self._earlier_votes()
        self._rows = leaderboard(self._votes, self.models)
        self._rng = random.Random()
        self._voted: set[tuple[str, frozenset[str]]] = set()  # in this arena
        self._last: Matchup | None = None
        self._current: Pair | None = None
        self._token = ""
        #: The current pair's media tokens and their files: the only way to its videos.
        self._blind: dict[str, Path] = {}
        self._probes: set[asyncio.Task[Any]] = set()
        #: How to stop listening to each job started here (see `close`).
        self._unsubscribers: list[Callable[[], None]] = []
        saved = self._saved_videos()
        self.generations = [
            Generation(prompt, model, saved.get((prompt, model)), reused=(prompt, model) in saved)
            for prompt in self.prompts
            for model in self.models
        ]
        with self.hold_sync():
            self.backend = backend_badge(self.client.display_url, self.client.is_simulator)
            self._show_estimate()
            self._show_progress()
            self._show_board()
        self.on_msg(on_creating_loop(self._handle_message))
        with contextlib.suppress(RuntimeError):  # no loop (a plain script): the catalog's prices
            spawn(self._price_from_server())

    def __repr__(self) -> str:
        if not hasattr(self, "generations"):  # refused in __init__
            return "Arena()"
        return (
            f"Arena({len(self.prompts)} prompts x {len(self.models)} models, {self.phase}, "
            f"{self.votes_cast} votes by {self.voter!r})"
        )

    def close(self) -> None:
        """Remove the panel. The jobs run on and save their videos (a paid video is never
        lost), but no longer report here, so nothing keeps the closed arena alive."""
        for unsubscribe in getattr(self, "_unsubscribers", ()):
            unsubscribe()
        super().close()

    # ---- the Python API -----------------------------------------------------------------------

    @property
    def current(self) -> Pair | None:
        """The pair awaiting a vote (None before the videos are made, and once all are voted)."""
        return self._current if self.phase == "voting" else None

    @property
    def failures(self) -> list[Generation]:
        """The videos that could not be made: the arena goes on without them."""
        return [g for g in self.generations if g.failed]

    def generate(self) -> None:
        """Make the videos not in the library yet; returns at once (`await wait()`)."""
        if self.phase != "estimate":
            raise InvalidRequestError("action", f"The arena is {self.phase}: generated already.")
        self.phase = "generating"
        for generation in self.generations:
            if generation.entry is not None:
                self._probe(generation)
            else:
                generation.job = submit(
                    self.client,
                    generation.prompt,
                    model=generation.model,
                    size=self.size,
                    seconds=self.seconds,
                    library=self.library,
                    origin=ORIGIN,
                )
                listener = functools.partial(self._job_updated, generation)
                self._unsubscribers.append(generation.job.on_update(listener))
        self._settle()

    async def wait(self) -> None:
        """Until every video is made or failed (see `failures`), and read."""
        while True:
            running = [g.job for g in self.generations if g.job is not None and not g.job.done]
            if not running and not self._probes:
                break
            await asyncio.gather(*(job.settled() for job in running), *self._probes)
        self._settle()

    def vote(self, choice: str, tags: Iterable[str] = ()) -> None:
        """Record a vote on the current pair ("left", "right", "tie" or "both_bad", with
        reasons from `TAGS`), then show the next pair."""
        self._record(choice, tags)
        self.next_pair()

    def next_pair(self) -> None:
        """After a vote shown with its names (in the panel), the next pair, or "done"."""
        if self.phase != "revealed":
            raise InvalidRequestError(
                "action", f"The arena is {self.phase}: no vote to move on from."
            )
        self._show_next()

    def leaderboard(self) -> list[LeaderboardRow]:
        """Every model of the arena, best first: rating, 95% interval, wins, losses, ties
        ("both_bad" included, also counted apart) and votes, from this voter's votes."""
        return [row.copy() for row in self._rows]

    def win_matrix(self) -> dict[str, dict[str, float]]:
        """`matrix[a][b]`: the votes `a` won against `b` (a tie is half each), from this voter's
        votes: what the ratings are fitted to, to read beside them."""
        return win_matrix(self._votes, self.models)

    @staticmethod
    def results(*paths_or_globs: str | os.PathLike[str]) -> list[LeaderboardRow]:
        """One leaderboard from many voters' files (globs too: "class/*.jsonl"); a vote found
        in two files counts once."""
        return leaderboard(read_votes(*paths_or_globs).votes)

    def save_csv(self, path: str | os.PathLike[str]) -> Path:
        """This voter's votes among these models, one row each (see `write_votes_csv`)."""
        write_votes_csv(path, self._votes)
        return Path(path)

    # ---- the videos ---------------------------------------------------------------------------

    def _saved_videos(self) -> dict[tuple[str, str], LibraryEntry]:
        """The newest saved video of each (prompt, model) of the grid at this size and length:
        made from the prompt alone, not a remix or a piece of a chain."""
        wanted = {(prompt, model) for prompt in self.prompts for model in self.models}
        saved: dict[tuple[str, str], LibraryEntry] = {}
        for entry in self.library.entries():  # newest first
            key = (entry.prompt or "", entry.model)
            made_alone = not (entry.remixed_from_video_id or entry.extends or entry.continues)
            same_shape = (entry.size, entry.seconds) == (self.size, self.seconds)
            if key in wanted and key not in saved and made_alone and same_shape:
                saved[key] = entry
        return saved

    def _show_estimate(self) -> None:
        to_make = [g for g in self.generations if not g.reused]
        self.estimate = estimate_payload(
            [generation_estimate(self.client, g.model, self.size, self.seconds) for g in to_make],
            reused=len(self.generations) - len(to_make),
        )

    async def _price_from_server(self) -> None:
        """The estimate from the server's own prices where it publishes them (OpenRouter's
        catalog), asked in the background (once per client) so no cell waits for it."""
        try:
            await self.client.shape()
        except SoraError as error:
            logger.info("Arena: the server's catalog could not be read (%s)", error)
            return
        if self.client.server_catalog:
            self._show_estimate()

    def _job_updated(self, generation: Generation, job: VideoJob) -> None:
        if job.status is JobStatus.COMPLETED and job.entry is not None and generation.entry is None:
            generation.entry = job.entry
            self._probe(generation)
        if job.done:
            self._settle()

    def _probe(self, generation: Generation) -> None:
        """Read the file's frame rate and sound in a worker thread (the players' frame step)."""
        assert generation.entry is not None
        path = generation.entry.video_path

        def take(facts: Any) -> None:
            generation.facts = (facts["fps"], facts["audio"])
            if self._current is not None:
                self._show_pair()

        probe = off_loop(lambda: video_facts(path), take)
        if probe is not None:
            self._probes.add(probe)
            probe.add_done_callback(self._probes.discard)

    def _settle(self) -> None:
        """Show the progress; once every video has ended, the first pair."""
        self._show_progress()
        if self.phase != "generating":
            return
        if any(g.job is not None and not g.job.done for g in self.generations):
            return
        failed = self.failures
        if failed:
            for generation in failed:
                logger.warning(
                    "Arena: %s on %r failed: %s",
                    generation.model,
                    generation.prompt,
                    generation.error,
                )
            self.error = {  # no names: a pair may be on screen below it
                "title": "Some videos failed",
                "message": f"{len(failed)} of {len(self.generations)} videos could not be made; "
                "the arena goes on with the others (arena.failures says which, and why).",
            }
        self._show_next()

    # ---- the votes ----------------------------------------------------------------------------

    def _earlier_votes(self) -> list[Vote]:
        """This voter's votes between models of this arena, from earlier sessions."""
        if not self.votes_file.exists():
            return []
        models = set(self.models)
        return [
            vote
            for vote in read_votes(self.votes_file).votes
            if {vote.left.model, vote.right.model} <= models
        ]

    def _record(self, choice: object, tags: object) -> None:
        pair = self.current
        if pair is None:
            then = " (arena.next_pair() shows the next one)" if self.phase == "revealed" else ""
            raise InvalidRequestError(
                "choice", f"No pair awaits a vote: the arena is {self.phase}{then}."
            )
        if choice not in CHOICES:
            raise InvalidRequestError(
                "choice", f"choice is one of {', '.join(CHOICES)}, not {choice!r}."
            )
        if isinstance(tags, str) or not isinstance(tags, Iterable):
            raise InvalidRequestError(
                "tags", f"tags takes a list, such as ['motion'], not {tags!r}."
            )
        tags = list(tags)
        unknown = [tag for tag in tags if tag not in TAGS]
        if unknown:
            raise InvalidRequestError(
                "tags", f"Unknown tag {unknown[0]!r}: the tags are {', '.join(TAGS)}."
            )
        vote = Vote.cast(self.voter, pair.prompt, pair.left, pair.right, str(choice), tags)
        append_vote(self.votes_file, vote)
        self._votes.append(vote)
        self._voted.add(_pair_key(pair.prompt, pair.left.model, pair.right.model))
        self._rows = leaderboard(self._votes, self.models)
        with self.hold_sync():
            self.votes_cast += 1
            self.phase = "revealed"
            self.reveal = {
                "left": pair.left.model,
                "right": pair.right.model,
                "choice": vote.choice,
                "tags": list(vote.tags),
            }
            self._show_board()

    def _show_next(self) -> None:
        """The next pair chosen where the ratings are least certain, or "done"."""
        made = {(g.prompt, g.model): g for g in self.generations if g.entry is not None}
        candidates = [
            Matchup(prompt, first, second)
            for prompt in self.prompts
            for index, first in enumerate(self.models)
            for second in self.models[index + 1 :]
            if (prompt, first) in made
            and (prompt, second) in made
            and _pair_key(prompt, first, second) not in self._voted
        ]
        chosen = None
        if candidates:
            chosen = next_matchup(
                self.prompts,
                self.models,
                self._votes,
                self._rows,
                self._rng,
                self._last,
                candidates,
            )
        self._last = chosen
        if chosen is None:
            self._current, self._token, self._blind = None, "", {}
            with self.hold_sync():
                self.phase, self.pair, self.reveal = "done", None, None
                self._show_board()
            return
        left, right = made[chosen.prompt, chosen.left], made[chosen.prompt, chosen.right]
        assert left.entry is not None and right.entry is not None
        self._current = Pair(
            chosen.prompt, Side(left.model, left.entry.id), Side(right.model, right.entry.id)
        )
        self._token = secrets.token_urlsafe(12)
        self._blind = {
            secrets.token_urlsafe(12): left.entry.video_path,
            secrets.token_urlsafe(12): right.entry.video_path,
        }
        with self.hold_sync():
            self.phase, self.reveal = "voting", None
            self._show_pair()
            self._show_board()

    def blind_files(self) -> Mapping[str, Path]:
        return self._blind

    # ---- state for the view -------------------------------------------------------------------

    def _show_pair(self) -> None:
        pair = self._current
        if pair is None:
            return
        made = {(g.prompt, g.model): g for g in self.generations}
        left_token, right_token = self._blind  # in the order they were made: left, right
        self.pair = {
            "token": self._token,
            "prompt": pair.prompt,
            "left": side_payload(f"blind:{left_token}", made[pair.prompt, pair.left.model].facts),
            "right": side_payload(
                f"blind:{right_token}", made[pair.prompt, pair.right.model].facts
            ),
        }

    def _show_board(self) -> None:
        """The leaderboard for the panel: none while a pair awaits a vote (it names models)."""
        shown = [] if self.phase == "voting" or not self._votes else self.leaderboard()
        self.board = shown

    def _show_progress(self) -> None:
        jobs = [g.job for g in self.generations if g.job is not None]
        planned = sum(1 for g in self.generations if not g.reused)
        self.progress = {
            "done": sum(1 for job in jobs if job.done),
            "total": planned,
            "failed": len(self.failures),
        }

    # ---- messages from the panel --------------------------------------------------------------

    def _handle_message(self, widget: Any, content: Any, buffers: list[bytes]) -> None:
        if isinstance(content, dict) and content.get("action") == "media":
            self.send_media(content.get("keys"), self.library)
            return
        try:
            self._act(content)
        except InvalidRequestError as error:  # nothing changed: said in the panel, field named
            self.error = {"title": "Not done", "message": f"{error.param}: {error.message}"}
        else:
            self.error = None

    def _act(self, content: Any) -> None:
        action = content.get("action") if isinstance(content, dict) else None
        if action not in ACTIONS:
            raise InvalidRequestError(
                "action",
                f"Unknown action {action!r}: the panel sends {', '.join(ACTIONS)} or media.",
            )
        missing = [name for name in ACTIONS[action] if name not in content]
        if missing:
            raise InvalidRequestError(missing[0], f"{action}: {missing[0]!r} is missing.")
        if action == "generate":
            self.generate()
        elif action == "next":
            self.next_pair()
        else:
            if self.current is None or content["token"] != self._token:
                raise InvalidRequestError(
                    "token", "This vote is for a pair no longer on screen: it was not recorded."
                )
            self._record(content["choice"], content.get("tags", []))


def _pair_key(prompt: str, first: str, second: str) -> tuple[str, frozenset[str]]:
    """A matchup whichever side each model is on."""
    return (prompt, frozenset((first, second)))
