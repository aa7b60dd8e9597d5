"""`Storyboard`: a multi-shot film from a list of prompts, with continuity between shots and
one stitched MP4.

The work is the engine's `Board` (jobs, the library's JSON, stitching); this widget shows it
and takes the panel's edits. Nothing blocks: `generate()` returns at once, `await sb.wait()`
gives the film's path. The style text goes with every shot as "<prompt>. Style: <style>".
"""

from __future__ import annotations

import asyncio
import functools
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import traitlets

from sora_widget.core.errors import InvalidRequestError
from sora_widget.core.keywords import strict_keywords
from sora_widget.core.types import DEFAULT_MODEL, DEFAULT_SECONDS, DEFAULT_SIZE
from sora_widget.engine.backend import connect
from sora_widget.engine.client import SoraClient
from sora_widget.engine.library import Library
from sora_widget.engine.shots import Continuity, Shot, check_continuity
from sora_widget.engine.storyboard import Board
from sora_widget.ui.export import film_page
from sora_widget.ui.kernel_loop import on_creating_loop
from sora_widget.ui.media import MediaWidget, media_key
from sora_widget.ui.panel import front_end
from sora_widget.ui.storyboard_state import (
    FilmPayload,
    ShotPayload,
    StoryError,
    costs,
    film_payload,
    shots_payload,
)
from sora_widget.ui.throttle import Throttle
from sora_widget.ui.trait_types import optional_payload, payload
from sora_widget.ui.widget_state import BackendBadge, backend_badge

__all__ = ["Storyboard"]

#: The title of a storyboard-level error about the film (stitching).
FILM_ERROR = "The film"
#: The title of the error of a storyboard another kernel has saved since (see `Board.save`).
NOT_SAVED = "Not saved"
#: The title of the error of a page the panel's Save HTML asked for and could not get.
PAGE_ERROR = "Save HTML"

#: The messages the panel sends (besides "media", see `media`), and the fields each needs.
ACTIONS: dict[str, tuple[str, ...]] = {
    "edit": ("key",),
    "move": ("key", "to"),
    "insert": ("at", "prompt"),
    "remove": ("key",),
    "regenerate": ("key",),
    "regenerate_stale": (),
    "generate": (),
    "cancel": (),
}


class _OpenSaved:
    """`Storyboard.open(title, *, client=None, library=None)` on the class: the storyboard
    saved in the library as `title`, its videos and film as they were and the shots that were
    in flight taken up. On a widget, ipywidgets' own `open()` (which opens its comm)."""

    def __get__(self, widget: Storyboard | None, owner: type[Storyboard]) -> Callable[..., Any]:
        if widget is None:
            return owner._open_saved
        return functools.partial(MediaWidget.open, widget)


def _shots_json(shots: list[Shot], widget: Storyboard) -> list[ShotPayload]:
    """The `shots` trait travels as cards (`ShotPayload`); in Python it is the `Shot`s."""
    board = getattr(widget, "board", None)  # none yet while the comm opens in __init__
    return shots_payload(board) if board is not None else []


class Storyboard(MediaWidget):
    """A storyboard: shots (prompts, or dicts with `prompt`, `seconds`, `model`, `size`,
    `image`, `parameters`), generated with continuity between them and stitched into one film.

    `continuity`: "none" (each on its own, all at once), "last_frame" (each starts from the
    previous shot's last frame) or "extend" (the server's extension where it has one, else
    "last_frame"). `style` goes with every shot's prompt; `reference` (an image) goes with every
    shot as a reference image where the model takes them. Only new or changed shots are
    generated; moving, inserting and removing re-stitch saved videos. The storyboard is kept in
    the library: `Storyboard.open(title)` brings it back after a restart.
    """

    _esm = front_end("storyboard.js", missing_ok=True)
    _css = front_end("storyboard.css", missing_ok=True)

    #: The storyboard's name in the library (its files): fixed once made.
    title = traitlets.Unicode("", read_only=True).tag(sync=True)
    #: Set from Python too: the next generation remakes every shot in the new style.
    style = traitlets.Unicode("").tag(sync=True)
    continuity = traitlets.Unicode("last_frame").tag(sync=True)
    #: What a shot gets unless it says otherwise: fixed once the shots are made of them.
    model = traitlets.Unicode(DEFAULT_MODEL, read_only=True).tag(sync=True)
    size = traitlets.Unicode(DEFAULT_SIZE, read_only=True).tag(sync=True)
    seconds = traitlets.Unicode(DEFAULT_SECONDS, read_only=True).tag(sync=True)
    backend = payload(BackendBadge)
    #: The shots, in film order; the views get them as `ShotPayload` cards.
    shots: traitlets.List[Shot] = traitlets.List().tag(sync=True, to_json=_shots_json)
    film = optional_payload(FilmPayload)
    cost = traitlets.Unicode("").tag(sync=True)
    total_cost = traitlets.Unicode("").tag(sync=True)
    busy = traitlets.Bool(False).tag(sync=True)
    phase = traitlets.Unicode("").tag(sync=True)
    error = optional_payload(StoryError)

    @strict_keywords
    def __init__(
        self,
        shots: Sequence[str | dict[str, Any]],
        *,
        model: str = DEFAULT_MODEL,
        size: str = DEFAULT_SIZE,
        seconds: str | int = DEFAULT_SECONDS,
        style: str = "",
        continuity: Continuity = "last_frame",
        title: str = "storyboard",
        transition_ms: int = 0,
        reference: str | Path | bytes | None = None,
        client: SoraClient | None = None,
        library: Library | None = None,
    ) -> None:
        if isinstance(shots, str | dict):
            raise InvalidRequestError("shots", "shots takes a list of shots: [...], not one.")
        client = client or connect()
        board = Board(
            shots,
            title=title,
            style=style,
            continuity=continuity,
            model=model,
            size=size,
            seconds=str(seconds),
            transition_ms=transition_ms,
            reference=Path(reference) if isinstance(reference, str) else reference,
            client=client,
            library=library or Library(),
        )
        super().__init__()
        self._show(board)
        board.save()

    @classmethod
    def _open_saved(
        cls, title: str, *, client: SoraClient | None = None, library: Library | None = None
    ) -> Storyboard:
        """The storyboard saved as `title` in the library (after a kernel restart, say): its
        videos and film as they were, and the shots that were in flight taken up."""
        board = Board.load(title, client=client or connect(), library=library or Library())
        widget = cls.__new__(cls)
        MediaWidget.__init__(widget)
        widget._show(board)
        return widget

    #: `Storyboard.open(title)`; on a widget, `open()` stays ipywidgets' (it opens the comm).
    open = _OpenSaved()

    def _show(self, board: Board) -> None:
        self.board = board
        self.client, self.library = board.client, board.library
        self.set_trait("shots", board.shots)  # the same list: the Python API reads it live
        with self.hold_sync():
            for name in ("title", "style", "continuity", "model", "size", "seconds"):
                self.set_trait(name, getattr(board, name))
            self.backend = backend_badge(self.client.display_url, self.client.is_simulator)
        self._throttle = Throttle(self._push)
        self._unsubscribe = board.on_change(self._board_changed)
        self.on_msg(on_creating_loop(self._handle_message))
        self._push()

    def __repr__(self) -> str:
        if not hasattr(self, "board"):  # refused in __init__, or not yet shown
            return "Storyboard()"
        return f"Storyboard({self.board.title!r}: {len(self.board.shots)} shots)"

    def close(self) -> None:
        """Remove the panel; the jobs run on and save their videos (a paid video is not lost)."""
        if hasattr(self, "_throttle"):
            self._unsubscribe()
            self._throttle.cancel()
        super().close()

    # ---- the Python API -------------------------------------------------------------------------

    @property
    def film_file(self) -> Path | None:
        """The stitched film, while it is of the shots as they are now."""
        film = self.board.film
        return film.path if film is not None and self.board.film_current else None

    def generate(self) -> None:
        """Generate every new or changed shot, then stitch the film; returns at once."""
        self.board.generate()
        self._throttle.now()

    async def wait(self) -> Path:
        """The film's path, once the shots and the film are done."""
        return await self.board.wait()

    def move(self, source: int, to: int) -> None:
        self.board.move(source, to)

    def insert(self, at: int, shot: str | dict[str, Any]) -> Shot:
        return self.board.insert(at, shot)

    def remove(self, which: int) -> Shot:
        return self.board.remove(which)

    def regenerate(self, which: int) -> None:
        """Make shot `which` again (and every new or changed one); the shots that started from
        it become stale: `regenerate_stale()` makes them again."""
        self.board.regenerate(which)

    def regenerate_stale(self) -> None:
        self.board.regenerate_stale()

    def cancel(self) -> None:
        self.board.cancel()

    def save_mp4(self, path: str | Path) -> Path:
        """A copy of the film at `path`."""
        source = self._film()
        target = Path(path)
        shutil.copyfile(source, target)
        return target

    def save_html(self, path: str | Path) -> Path:
        """A page that plays the film on its own (embedded), with the list of shots."""
        target = Path(path)
        target.write_text(self._page_maker()(), encoding="utf-8")
        return target

    def _page_maker(self) -> Callable[[], str]:
        """The page of the film as it is now, to build later (in a worker thread, for the
        panel): the shots are taken now, on the loop that changes them."""
        source = self._film()
        shots = [
            (shot.prompt, start)
            for shot, start in zip(self.board.shots, self.board.starts(), strict=True)
        ]
        return functools.partial(film_page, source, shots, title=self.board.title)

    def _film(self) -> Path:
        if self.film_file is None:
            raise RuntimeError("No film yet: generate() it, and await wait().")
        return self.film_file

    @traitlets.validate("continuity")
    def _valid_continuity(self, proposal: dict[str, Any]) -> str:
        return check_continuity(proposal["value"])

    @traitlets.observe("style", "continuity")
    def _setting_changed(self, change: dict[str, Any]) -> None:
        if hasattr(self, "board") and getattr(self.board, change["name"]) != change["new"]:
            setattr(self.board, change["name"], change["new"])
            self.board.save()
            self._throttle.now()

    # ---- state for the view ---------------------------------------------------------------------

    def _board_changed(self, important: bool) -> None:
        if important:
            self._throttle.now()
        else:
            self._throttle.soon()

    def _push(self) -> None:
        board = self.board
        cost, total = costs(board)
        with self.hold_sync():
            self.busy, self.phase = board.busy, board.phase
            self.cost, self.total_cost = cost, total
            self.film = film_payload(board)
            if board.conflict:
                self.error = {"title": NOT_SAVED, "message": board.conflict}
            elif board.error:
                self.error = {"title": FILM_ERROR, "message": board.error}
            elif self.error is not None and self.error["title"] == FILM_ERROR:
                self.error = None  # stitched since
        self.send_state("shots")

    # ---- messages from the panel ----------------------------------------------------------------

    def _handle_message(self, widget: Any, content: Any, buffers: list[bytes]) -> None:
        if isinstance(content, dict) and content.get("action") == "media":
            self.send_media(content.get("keys"), self.library)
            return
        self.error = None
        try:
            self._act(content)
        except Exception as error:  # shown in the panel, in plain words: never a traceback
            self.error = {"title": "Not done", "message": _words(error)}

    async def built_media(self, key: str) -> bytes | None:
        """The panel's Save HTML asks for "page:<title>": the page `save_html` writes. What
        keeps it from being built is shown in the panel (and nothing is sent)."""
        if key != media_key("page", self.board.title):
            return None
        try:
            page = await asyncio.to_thread(self._page_maker())
        except (RuntimeError, OSError) as error:
            self.error = {"title": PAGE_ERROR, "message": f"The page could not be made: {error}"}
            return b""
        if self.error is not None and self.error["title"] == PAGE_ERROR:
            self.error = None
        return page.encode("utf-8")

    def _act(self, content: Any) -> None:
        if not isinstance(content, dict) or content.get("action") not in ACTIONS:
            action = content.get("action") if isinstance(content, dict) else content
            raise InvalidRequestError(
                "action", f"Unknown action {action!r}: the panel sends {', '.join(ACTIONS)}."
            )
        action = content["action"]
        missing = [name for name in ACTIONS[action] if name not in content]
        if missing:
            raise InvalidRequestError(missing[0], f"{action}: {missing[0]!r} is missing.")
        board = self.board
        if action == "edit":
            edits = {name: content[name] for name in ("prompt", "seconds") if name in content}
            if not edits:
                raise InvalidRequestError("edit", "edit: give a 'prompt' or 'seconds'.")
            board.edit(_key(content), **edits)
        elif action == "move":
            board.move(_key(content), content["to"])
        elif action == "insert":
            self.insert(content["at"], {"prompt": content["prompt"]})
        elif action == "remove":
            board.remove(_key(content))
        elif action == "regenerate":
            board.regenerate(_key(content))
        elif action == "regenerate_stale":
            board.regenerate_stale()
        elif action == "generate":
            self.generate()
        else:
            board.cancel()


def _key(content: dict[str, Any]) -> str:
    key = content["key"]
    if not isinstance(key, str):
        raise InvalidRequestError("key", f"A shot's key is a string like 's0', not {key!r}.")
    return key


def _words(error: BaseException) -> str:
    if isinstance(error, KeyError | IndexError) and error.args:
        return str(error.args[0])
    return str(getattr(error, "message", None) or error)
