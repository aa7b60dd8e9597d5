"""A storyboard at work: its shots generated with the job machinery, kept in the library as
JSON, and stitched into one film.

`Board` is the storyboard without a panel (`ui.storyboard.Storyboard` shows it). Independent
shots run at once; a shot that continues another waits for that shot's saved video; a shot
that fails stops only the shots that start from it. Only new or changed shots are generated
(`shots.fingerprint`); moving, inserting or removing re-stitches saved videos. The JSON lives
at `<library>/storyboards/<title>.json`, the film beside it, so `Board.load` finds both after a
restart and takes up the shots that were in flight.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import json
import logging
import re
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any

from filelock import FileLock

from sora_widget.core.atomic import atomic_file
from sora_widget.core.catalog import ImageSlots, images_of
from sora_widget.core.errors import InvalidRequestError
from sora_widget.engine.api import VideosAPI
from sora_widget.engine.extending import extend, extension_route, frame_to_continue
from sora_widget.engine.inflight import runs_elsewhere
from sora_widget.engine.jobs import JobStatus, VideoJob, is_followed, submit
from sora_widget.engine.library import Library
from sora_widget.engine.resume import attach_pending
from sora_widget.engine.shots import (
    CANCELLED,
    COMPLETED,
    DRAFT,
    FAILED,
    IN_FLIGHT,
    IN_PROGRESS,
    QUEUED,
    WAITING,
    Continuity,
    Shot,
    Step,
    check_continuity,
    decode_image,
    encode_image,
    fingerprint,
    image_bytes,
    is_stale,
    parse_shot,
    plan,
    shot_from_record,
    shot_record,
    styled,
)
from sora_widget.engine.stitch import Film, stitch
from sora_widget.engine.tasks import spawn
from sora_widget.engine.video_file import probe

logger = logging.getLogger(__name__)

#: The `origin` of a storyboard's jobs in the library's pending records.
ORIGIN = "storyboard"
FOLDER = "storyboards"
#: How the error of a shot stopped by the shot it starts from begins.
NOT_GENERATED = "Not generated"
#: The error of a shot whose create was sent, or may have been, when it was stopped.
CANCELLED_WORDS = "Cancelled."
#: The error of a shot whose create was under way when its kernel stopped.
CREATE_UNFOLLOWED = (
    "Its kernel stopped while its create was under way: the server may have made a video "
    "that is not followed here. Generate film makes the shot again."
)
_UNSAFE = re.compile(r"[^\w.-]+")
#: How long a save waits for another kernel's save of the same storyboard.
LOCK_TIMEOUT_SECONDS = 10.0
_JOB_STATUS = {
    JobStatus.SUBMITTING: QUEUED,
    JobStatus.QUEUED: QUEUED,
    JobStatus.IN_PROGRESS: IN_PROGRESS,
    JobStatus.SAVING: IN_PROGRESS,
}


def file_stem(title: str) -> str:
    """The title as a file name: what is not a letter, digit, dot or dash becomes "_"."""
    stem = _UNSAFE.sub("_", title.strip()).strip("._")
    if not stem:
        raise InvalidRequestError(
            "title", f"A storyboard needs a title to be saved, not {title!r}."
        )
    return stem


def storyboard_path(library: Library, title: str) -> Path:
    return library.root / FOLDER / f"{file_stem(title)}.json"


class Board:
    """Shots, settings, their jobs and the film; `on_change` tells a panel what moved.

    Listeners get `True` for a change worth showing at once (a status, a move), `False` for
    progress."""

    def __init__(
        self,
        shots: Sequence[object],
        *,
        title: str,
        style: str,
        continuity: Continuity,
        model: str,
        size: str,
        seconds: str,
        transition_ms: int,
        reference: Path | bytes | None,
        client: VideosAPI,
        library: Library,
    ) -> None:
        self.title = title
        self.path = storyboard_path(library, title)
        self.film_path = self.path.with_suffix(".mp4")
        self.style = style
        self.continuity = check_continuity(continuity)
        self.model, self.size, self.seconds = model, size, str(seconds)
        self.transition_ms = transition_ms
        self.reference = reference
        self.client = client
        self.library = library
        self._keys = (f"s{n}" for n in itertools.count())
        self.shots: list[Shot] = [self.parse(spec) for spec in shots]
        self.film: Film | None = None
        #: The video ids the film was stitched from, in order: the film is current while
        #: they are the shots' own.
        self.film_of: list[str] = []
        #: A storyboard-level failure (stitching), in plain words; "" if none.
        self.error = ""
        #: The revision of the JSON this board last read or wrote; None for a new storyboard,
        #: whose first save replaces whatever had its title.
        self.revision: int | None = None
        #: Why this board no longer saves (another kernel saved the storyboard since), or "".
        self.conflict = ""
        #: "" | "generating" | "stitching".
        self.phase = ""
        self.jobs: dict[str, VideoJob] = {}
        self._run: asyncio.Task[Any] | None = None
        self._stitching: asyncio.Task[Any] | None = None
        self._again = False
        #: Cancel was asked during this generation: it creates nothing more.
        self._stopping = False
        #: The shots of the generation under way, by key: each task waits, starts, follows.
        self._making: dict[str, asyncio.Task[bool]] = {}
        self._listeners: list[Callable[[bool], object]] = []

    @classmethod
    def load(cls, title: str, *, client: VideosAPI, library: Library) -> Board:
        """The storyboard saved as `title` in `library`; its shots in flight are taken up."""
        path = storyboard_path(library, title)
        try:
            saved = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise InvalidRequestError(
                "title", f"No storyboard {title!r} in {library} (looked for {path})."
            ) from None
        board = cls(
            [],
            title=saved["title"],
            style=saved["style"],
            continuity=saved["continuity"],
            model=saved["model"],
            size=saved["size"],
            seconds=saved["seconds"],
            transition_ms=saved.get("transition_ms", 0),
            reference=decode_image(saved.get("reference")),
            client=client,
            library=library,
        )
        board.revision = int(saved.get("revision", 0))
        board.shots = [shot_from_record(record) for record in saved["shots"]]
        used = [int(shot.key[1:]) for shot in board.shots if shot.key[1:].isdigit()]
        board._keys = (f"s{n}" for n in itertools.count(max(used, default=-1) + 1))
        film = saved.get("film")
        if isinstance(film, dict):
            board.film = _film_from(film["film"])
            board.film_of = list(film["of"])
        board._take_up()
        return board

    # ---- what is known ----------------------------------------------------------------------

    def parse(self, spec: object) -> Shot:
        """A shot from what a person wrote, checked as its create will be (nothing is paid for
        a shot the server would refuse)."""
        shot = parse_shot(spec, seconds=self.seconds, model=self.model, size=self.size)
        self.client.checked_parameters(
            shot.prompt, shot.model, shot.size, shot.seconds, shot.parameters or None
        )
        if not shot.key:
            shot.key = next(self._keys)
        return shot

    def on_change(self, listener: Callable[[bool], object]) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    @property
    def busy(self) -> bool:
        return any(task is not None and not task.done() for task in (self._run, self._stitching))

    def images(self, model: str) -> ImageSlots:
        """The images `model` takes here: the server's own description where it gives one."""
        known = self.client.server_catalog.get(model)
        return known.images if known is not None else images_of(model)

    def steps(self) -> list[Step]:
        return plan(
            self.shots,
            self.continuity,
            takes_first_frame=lambda model: self.images(model).first is not None,
            extends=lambda shot: (
                extension_route(self.client, shot.seconds, shot.model) == "extension"
            ),
        )

    def made_of(self, shot: Shot) -> str:
        return fingerprint(shot, self.style, image_bytes(self.reference))

    def changed(self, shot: Shot) -> bool:
        """Edited since its video was made: the next generation makes it again."""
        return shot.has_video and shot.made_with != self.made_of(shot)

    def stale(self, index: int) -> bool:
        return is_stale(self.shots, index)

    def needs_video(self, shot: Shot) -> bool:
        if self.followed_elsewhere(shot):
            return False  # its job is paid for and will be saved: never created twice
        return not shot.has_video or shot.redo or self.changed(shot)

    def followed_elsewhere(self, shot: Shot) -> bool:
        """Its job in flight is followed by another job in this process (the same storyboard
        opened twice) or by another running kernel (its pending record names that process):
        following it here too would save it twice."""
        video_id = (shot.pending or {}).get("id")
        if not isinstance(video_id, str) or shot.key in self.jobs:
            return False
        if is_followed(self.client.base_url, video_id):
            return True
        record = self._pending_record(video_id)
        return record is not None and runs_elsewhere(record.get("owner"))

    def _pending_record(self, video_id: str) -> dict[str, Any] | None:
        return next((r for r in self.library.pending() if r.get("id") == video_id), None)

    @property
    def film_current(self) -> bool:
        return self.film is not None and self.film_of == self._film_ids()

    # ---- changing the storyboard --------------------------------------------------------------

    def index_of(self, which: int | str) -> int:
        """A shot's index from its index (negative counts from the end) or its key."""
        if isinstance(which, int) and not isinstance(which, bool):
            if -len(self.shots) <= which < len(self.shots):
                return which % len(self.shots)
            raise IndexError(
                f"No shot {which}: this storyboard has {len(self.shots)} "
                f"(0 to {len(self.shots) - 1})."
            )
        for index, shot in enumerate(self.shots):
            if shot.key == which:
                return index
        raise KeyError(f"No shot with key {which!r} in this storyboard.")

    def move(self, source: int | str, to: int) -> None:
        """Put a shot at index `to`; saved videos are re-stitched, nothing is generated."""
        index = self.index_of(source)
        if isinstance(to, bool) or not isinstance(to, int) or not 0 <= to < len(self.shots):
            raise IndexError(
                f"Cannot move a shot to {to!r}: positions are 0 to {len(self.shots) - 1}."
            )
        self.shots.insert(to, self.shots.pop(index))
        self._changed()

    def insert(self, at: int, spec: object) -> Shot:
        """A new shot at index `at` (len: at the end); it is made at the next generation."""
        if isinstance(at, bool) or not isinstance(at, int) or not 0 <= at <= len(self.shots):
            raise IndexError(f"Cannot insert at {at!r}: positions are 0 to {len(self.shots)}.")
        shot = self.parse(spec)
        self.shots.insert(at, shot)
        self._changed()
        return shot

    def remove(self, which: int | str) -> Shot:
        """Take a shot out (its job, if any, is stopped; its saved video stays in the library)."""
        shot = self.shots.pop(self.index_of(which))
        job = self.jobs.pop(shot.key, None)
        if job is not None:
            job.cancel()
        self._changed()
        return shot

    def edit(
        self, which: int | str, *, prompt: str | None = None, seconds: str | None = None
    ) -> Shot:
        """Change a shot's prompt or length; it is made again at the next generation."""
        shot = self.shots[self.index_of(which)]
        checked = parse_shot(
            {"prompt": shot.prompt if prompt is None else prompt},
            seconds=shot.seconds if seconds is None else seconds,
            model=shot.model,
            size=shot.size,
        )
        self.client.checked_parameters(checked.prompt, shot.model, shot.size, checked.seconds, None)
        edited = (checked.prompt, checked.seconds) != (shot.prompt, shot.seconds)
        shot.prompt, shot.seconds = checked.prompt, checked.seconds
        if edited and shot.status in (FAILED, CANCELLED):
            # What went wrong was about the shot as it was: it is now one to make again.
            shot.status, shot.error = COMPLETED if shot.has_video else DRAFT, ""
        self._changed()
        return shot

    def regenerate(self, which: int | str) -> asyncio.Task[Any]:
        """Make one shot again (and every new or changed one): the shots that started from it
        become stale, offered for regeneration, not remade silently."""
        self.shots[self.index_of(which)].redo = True
        self._changed()
        return self.generate()

    def regenerate_stale(self) -> asyncio.Task[Any]:
        for index, shot in enumerate(self.shots):
            if self.stale(index):
                shot.redo = True
        self._changed()
        return self.generate()

    def _changed(self) -> None:
        self.save()
        self._notify(True)
        self.refresh_film()

    # ---- generating ---------------------------------------------------------------------------

    def generate(self) -> asyncio.Task[Any]:
        """Generate every new or changed shot, then stitch the film; returns at once (the
        running task). While a generation runs, the shots asked for now follow it (even
        after a Cancel: the last click wins)."""
        self._stopping = False
        if self._run is not None and not self._run.done():
            self._again = True
            return self._run
        self._run = self._watched(self._generate())
        return self._run

    def cancel(self) -> None:
        """Stop every job, the shots waiting for theirs, the generation that has not yet
        started its shots (or was asked to go again), and the stitching (videos already saved
        stay)."""
        self._stopping, self._again = True, False
        for job in list(self.jobs.values()):
            job.cancel()  # its shot ends cancelled when the job does
        for key, task in list(self._making.items()):
            if key not in self.jobs:
                task.cancel()  # waiting for the shot it starts from: back to a draft
        if self._stitching is not None:
            self._stitching.cancel()

    async def wait(self) -> Path:
        """Until the generation and the film are done: the film's path. Raises RuntimeError
        naming the shots without a video when there is no film to give."""
        while self.busy:
            await asyncio.wait({task for task in (self._run, self._stitching) if task is not None})
        if self.film_current and self.film is not None:
            return self.film.path
        missing = [
            f"shot {index + 1} ({shot.status}{': ' + shot.error if shot.error else ''})"
            for index, shot in enumerate(self.shots)
            if not shot.has_video
        ]
        if missing:
            raise RuntimeError("No film yet: " + "; ".join(missing) + ".")
        raise RuntimeError(f"No film: {self.error or 'stitching did not finish.'}")

    def _watched(self, work: Coroutine[Any, Any, None]) -> asyncio.Task[Any]:
        """`work` as a task whose end is told to the listeners (`busy` changed)."""
        task = spawn(work)
        task.add_done_callback(lambda _: self._notify(True))
        return task

    async def _generate(self) -> None:
        self.phase = "generating"
        try:
            await self.client.shape()  # the server's catalog says which images a model takes
            while not self._stopping:
                self._again = False
                targets = [shot for shot in self.shots if self.needs_video(shot)]
                steps = dict(zip((shot.key for shot in self.shots), self.steps(), strict=True))
                order = {shot.key: index for index, shot in enumerate(self.shots)}
                made: dict[str, asyncio.Task[bool]] = {}
                for shot in targets:
                    if shot.status in IN_FLIGHT and isinstance((shot.pending or {}).get("id"), str):
                        # Left to a kernel that has ended since: taken up, not paid again.
                        made[shot.key] = spawn(self._follow(shot, self._attached(shot)))
                        continue
                    step = steps[shot.key]
                    previous = self.shots[step.after] if step.after is not None else None
                    made[shot.key] = spawn(self._make(shot, step, previous, made, order))
                self._making = made
                self._notify(True)
                if made:
                    await asyncio.wait(made.values())
                if not self._again or self._stopping:
                    break
        finally:
            self.phase = ""
            self.save()
            self._notify(True)
        self.refresh_film()

    async def _make(
        self,
        shot: Shot,
        step: Step,
        previous: Shot | None,
        made: dict[str, asyncio.Task[bool]],
        order: dict[str, int],
    ) -> bool:
        """One shot, once the shot it starts from has its video; whether it has its own."""
        try:
            return await self._make_shot(shot, step, previous, made, order)
        except asyncio.CancelledError:
            if shot.key in self.jobs or shot.pending is not None:
                # Its create was sent, or may have been: paid for, perhaps; never a draft.
                shot.status, shot.error = CANCELLED, CANCELLED_WORDS
            else:
                shot.status = DRAFT  # stopped before its job was created: nothing was sent
            self._record()
            raise

    async def _make_shot(
        self,
        shot: Shot,
        step: Step,
        previous: Shot | None,
        made: dict[str, asyncio.Task[bool]],
        order: dict[str, int],
    ) -> bool:
        shot.note, shot.error, shot.progress = step.note, "", 0.0
        if previous is not None:
            waited = made.get(previous.key)
            if waited is not None:
                shot.status = WAITING
                self._notify(True)
                await asyncio.wait({waited})
            if not previous.has_video or previous.redo or self.changed(previous):
                shot.status = FAILED
                shot.error = f"{NOT_GENERATED}: it starts from shot {order[previous.key] + 1}, " + (
                    "which was not generated either."
                    if previous.error.startswith(NOT_GENERATED)
                    else f"which has no video: {previous.error or previous.status}"
                )
                self._record()
                return False
        pending = {
            "made_with": self.made_of(shot),
            "from": previous.video_id if previous is not None else None,
            "continuity": step.continuity,
        }
        try:
            job = await self._start(shot, step, previous)
        except Exception as error:
            shot.status, shot.error = FAILED, _words(error)
            self._record()
            return False
        shot.pending = pending
        return await self._follow(shot, job)

    async def _start(self, shot: Shot, step: Step, previous: Shot | None) -> VideoJob:
        """The shot's job: an extension of `previous`, a create from its last frame, or a
        create on its own (with the shot's own image as its first frame). The style reference
        goes as a reference image where the model takes references."""
        prompt = styled(shot.prompt, self.style)
        if step.continuity == "extend" and previous is not None and previous.video_id:
            return extend(
                self.client,
                previous.video_id,
                prompt,
                seconds=shot.seconds,
                library=self.library,
                origin=ORIGIN,
            )
        first = image_bytes(shot.image)
        if step.continuity == "last_frame" and previous is not None and previous.video_file:
            first = await frame_to_continue(
                previous.video_file, "shots", "The previous shot's video"
            )
        reference = image_bytes(self.reference)
        takes_references = self.images(shot.model).references is not None
        return submit(
            self.client,
            prompt,
            model=shot.model,
            size=shot.size,
            seconds=shot.seconds,
            input_reference=first,
            fit="crop" if first is not None else None,
            reference_images=[reference] if reference is not None and takes_references else (),
            parameters=shot.parameters or None,
            library=self.library,
            origin=ORIGIN,
        )

    async def _follow(self, shot: Shot, job: VideoJob) -> bool:
        """Until the shot's job ends; whether the shot has its new video."""
        self.jobs[shot.key] = job
        shot.status = QUEUED
        unsubscribe = job.on_update(lambda job: self._job_updated(shot, job))
        self._record()
        try:
            await job.settled()
        finally:
            unsubscribe()
            if self.jobs.get(shot.key) is job:
                del self.jobs[shot.key]
        pending = shot.pending or {}
        shot.pending = None
        if job.status is JobStatus.COMPLETED and job.path is not None:
            shot.video_id, shot.video_file = job.video_id, job.path
            shot.made_with = pending.get("made_with")
            shot.started_from = pending.get("from")
            shot.includes_previous = "extends" in job.lineage
            if shot.includes_previous:
                shot.continuity = "extend"
            elif "continues" in job.lineage:  # no extensions route here after all
                shot.continuity = "last_frame"
            else:
                shot.continuity = pending.get("continuity", "none")
            shot.redo, shot.status, shot.error, shot.progress = False, COMPLETED, "", 100.0
            self._record()
            return True
        shot.status = CANCELLED if job.status is JobStatus.CANCELLED else FAILED
        shot.error = _words(job.error) if job.error is not None else CANCELLED_WORDS
        self._record()
        return False

    def _job_updated(self, shot: Shot, job: VideoJob) -> None:
        shown = _JOB_STATUS.get(job.status)
        important = False
        if job.video_id is not None and shot.pending is not None and "id" not in shot.pending:
            shot.pending["id"] = job.video_id  # kept at once: a restart takes it up from here
            self.save()
            important = True
        if shown is not None and shown != shot.status:
            shot.status, important = shown, True
        shot.progress, shot.eta = float(job.progress), job.eta
        self._notify(important)

    def _take_up(self) -> None:
        """Follow again the shots whose jobs a stopped process left running. A shot that was
        waiting goes back to a draft (nothing was sent for it); one whose create was under way
        (no video id yet) is cancelled: its video may exist on the server, unfollowed. A job
        another live process follows is left to it: its shot stays in flight
        (`followed_elsewhere`), and a later generation takes it up once that process ends."""
        takers: list[asyncio.Task[Any]] = []
        for shot in self.shots:
            if shot.status not in (*IN_FLIGHT, WAITING):
                continue
            if shot.status == WAITING:
                shot.status, shot.pending = DRAFT, None
            elif not isinstance((shot.pending or {}).get("id"), str):
                shot.status, shot.error, shot.pending = CANCELLED, CREATE_UNFOLLOWED, None
            elif not self.followed_elsewhere(shot):
                takers.append(spawn(self._follow(shot, self._attached(shot))))
        if takers:
            self._run = self._watched(self._taken_up(takers))

    def _attached(self, shot: Shot) -> VideoJob:
        """A job following the shot's job in flight (as its pending record says, where the
        library still has it), this board's at once: not `followed_elsewhere`."""
        video_id = str((shot.pending or {})["id"])
        record = self._pending_record(video_id)
        if record is not None:
            job = attach_pending(self.client, self.library, record)
        else:
            job = VideoJob.attach(self.client, video_id, library=self.library, origin=ORIGIN)
        self.jobs[shot.key] = job
        return job

    async def _taken_up(self, takers: list[asyncio.Task[Any]]) -> None:
        self.phase = "generating"
        try:
            await asyncio.wait(takers)
        finally:
            self.phase = ""
            self.save()
            self._notify(True)
        self.refresh_film()

    # ---- the film -------------------------------------------------------------------------------

    def _pieces(self) -> list[tuple[Shot, list[float]]]:
        """The files the film is stitched from, each with the start of its shots inside it: a
        shot made by the extensions route holds the shot it extends, so it replaces it. A stale
        one holds a shot that is no longer the one before it: its own part only is shown
        (`_kept`), never the other shot again."""
        pieces: list[tuple[Shot, list[float]]] = []
        for index, shot in enumerate(self.shots):
            if shot.includes_previous and pieces and not self.stale(index):
                _, offsets = pieces.pop()
                held = sum(float(s.seconds) for s in self.shots[index - len(offsets) : index])
                pieces.append((shot, [*offsets, held]))
            else:
                pieces.append((shot, [0.0]))
        return pieces

    def _film_ids(self) -> list[str]:
        return [shot.video_id or "" for shot, _ in self._pieces()]

    def starts(self) -> list[float]:
        """Each shot's start in the film, in seconds (empty while the film is not current)."""
        if self.film is None or not self.film_current:
            return []
        return [
            self.film.starts[n] + offset
            for n, (_, offsets) in enumerate(self._pieces())
            for offset in offsets
        ]

    def refresh_film(self) -> None:
        """Stitch again, in a worker thread, once every shot has a video and the film is not
        of them (a generation under way stitches when it ends: it calls this last)."""
        if (
            self._run is not None
            and not self._run.done()
            and self._run is not asyncio.current_task()
        ):
            return
        if self._stitching is not None and not self._stitching.done():
            return  # it looks again when it ends
        if not self.shots or self.film_current or not all(s.has_video for s in self.shots):
            return
        self._stitching = self._watched(self._stitch())

    async def _stitch(self) -> None:
        self.phase, self.error = "stitching", ""
        self._notify(True)
        try:
            while not self.film_current and self.shots and all(s.has_video for s in self.shots):
                pieces = self._pieces()
                ids = [shot.video_id or "" for shot, _ in pieces]
                files = [shot.video_file for shot, _ in pieces if shot.video_file is not None]
                held = [self._held(shot, offsets) for shot, offsets in pieces]
                titles = [" / ".join(s.prompt for s in shots) for shots in held]
                self.film_path.parent.mkdir(parents=True, exist_ok=True)
                self.film = await asyncio.to_thread(
                    _stitched,
                    files,
                    [_kept(shots) for shots in held],
                    self.film_path,
                    titles=titles,
                    transition_ms=self.transition_ms,
                )
                self.film_of = ids
        except Exception as error:
            logger.exception("Stitching the storyboard %r failed", self.title)
            self.error = f"The film could not be stitched: {_words(error)}"
        finally:
            self.phase = ""
            self.save()
            self._notify(True)

    def _held(self, shot: Shot, offsets: list[float]) -> list[Shot]:
        end = self.shots.index(shot) + 1
        return self.shots[end - len(offsets) : end]

    # ---- saving ---------------------------------------------------------------------------------

    def record(self) -> dict[str, Any]:
        film = None
        if self.film is not None:
            fields = dataclasses.asdict(self.film)
            fields["path"] = str(self.film.path)
            film = {"film": fields, "of": self.film_of}
        return {
            "version": 1,
            "title": self.title,
            "style": self.style,
            "continuity": self.continuity,
            "model": self.model,
            "size": self.size,
            "seconds": self.seconds,
            "transition_ms": self.transition_ms,
            "reference": encode_image(self.reference),
            "shots": [shot_record(shot) for shot in self.shots],
            "film": film,
        }

    def save(self) -> None:
        """Write the storyboard's JSON whole (atomically), under a lock beside it, unless another
        kernel (or another board of this one) has saved it since this board read or wrote it:
        then this board stops saving and says so in `conflict`, rather than overwrite that
        work (its videos stay in the library). A folder that cannot be written is logged, and
        the storyboard goes on in memory."""
        if self.conflict:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with FileLock(f"{self.path}.lock", timeout=LOCK_TIMEOUT_SECONDS):
                on_disk = _saved_revision(self.path)
                if self.revision is not None and on_disk != self.revision:
                    self._refuse_save()
                    return
                record = {**self.record(), "revision": on_disk + 1}
                with atomic_file(self.path, "w", encoding="utf-8") as file:
                    json.dump(record, file, ensure_ascii=False, indent=1)
                self.revision = on_disk + 1
        except OSError:
            logger.exception("The storyboard %r could not be saved to %s", self.title, self.path)

    def _refuse_save(self) -> None:
        self.conflict = (
            f"The storyboard {self.title!r} was saved by another kernel (or another Storyboard "
            "of the same title) since it was opened here: changes made here are no longer "
            f"saved, so as not to overwrite that work. Reopen it with "
            f"Storyboard.open({self.title!r}) to go on from what is saved."
        )
        logger.warning("%s (%s)", self.conflict, self.path)
        self._notify(True)

    def _record(self) -> None:
        self.save()
        self._notify(True)

    def _notify(self, important: bool) -> None:
        for listener in list(self._listeners):
            try:
                listener(important)
            except Exception:
                logger.exception("A storyboard listener failed")


def _saved_revision(path: Path) -> int:
    """The revision of the storyboard's JSON at `path`: 0 when there is none (or none that
    can be read: it is then written afresh)."""
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return 0
    revision = saved.get("revision", 0) if isinstance(saved, dict) else 0
    return revision if isinstance(revision, int) else 0


def _kept(held: list[Shot]) -> float | None:
    """The seconds of a piece's file that are its shots: None for the whole file, the last
    seconds of its shots when the first was made by an extension (the file begins with the
    video that shot extended, which is not in this piece)."""
    if not held[0].includes_previous:
        return None
    return sum(float(shot.seconds) for shot in held)


def _stitched(
    files: list[Path], kept: list[float | None], out: Path, *, titles: list[str], transition_ms: int
) -> Film:
    """`stitch`, each file cut to its last `kept` seconds where given (run in a worker thread:
    the files are probed for their length)."""
    skips = [
        0.0 if seconds is None else max(0.0, float(probe(path).duration) - seconds)
        for path, seconds in zip(files, kept, strict=True)
    ]
    return stitch(
        files, out, titles=titles, transition_ms=transition_ms, skips=skips if any(skips) else ()
    )


def _words(error: BaseException) -> str:
    return str(getattr(error, "message", None) or error)


def _film_from(fields: dict[str, Any]) -> Film:
    fields = dict(fields)
    fields["path"] = Path(fields["path"])
    fields["starts"] = tuple(fields["starts"])
    return Film(**fields)
