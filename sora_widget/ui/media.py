"""Videos, thumbnails and spritesheets sent to the views on request, never kept in the state.

A Bytes trait is part of a widget's state: the kernel holds it for as long as the widget
lives, every view gets it again with each change of a trait holding several (the history
strip's thumbnails), and JupyterLab's "Save Widget State Automatically" writes it into the
notebook (2.4 MB per video). Custom messages with binary buffers would avoid all three, but
marimo does not carry buffers in custom messages.

So the bytes go through a mailbox that works wherever anywidget does (JupyterLab, Notebook 7,
marimo): a view asks for the media it lacks with a JSON message `{"action": "media", "keys":
[...]}`; the kernel reads each file in a worker thread, sets `media_key` and `media` in one
update, and empties `media` in the next. The views of a model keep what arrived as blob URLs
(`js/media.js`), so each file crosses the comm once per page; a page reloaded while the
kernel runs has nothing yet, and asks again. The state itself only ever names the media.

A key is "<kind>:<video id>", kind one of `KINDS`; a storyboard's film is "film:<its title>",
and its standalone page (the film embedded, the shot list) "page:<its title>": built by the
`Storyboard` when the panel asks for it (never before: it holds the whole film), not read here.
An arena's videos are "blind:<token>": a random token per side per pair, mapped to the file only
in the kernel (`blind`), and sent without the prompt, model and server the saved MP4 carries in
its metadata, so nothing the browser gets tells the models apart before the vote.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from sora_widget.core.errors import InvalidRequestError
from sora_widget.engine.library import Library
from sora_widget.engine.storage import LibraryEntry
from sora_widget.engine.storyboard import storyboard_path
from sora_widget.engine.tasks import spawn
from sora_widget.engine.video_file import untagged_copy

KINDS = ("video", "thumbnail", "spritesheet", "film", "blind")
#: Keys served per request, at most: a strip of thumbnails asks for many at once.
MAX_KEYS = 500


def media_key(kind: str, video_id: str) -> str:
    return f"{kind}:{video_id}"


def media_path(key: object, library: Library) -> Path | None:
    """The saved file a key names, or None for a key that is malformed or names nothing."""
    if not isinstance(key, str):
        return None
    kind, _, video_id = key.partition(":")
    if kind == "film":
        return film_path(library, video_id)
    if kind == "blind":
        return None  # only the widget that made the token knows its file (`_read`)
    entry = library.get(video_id) if kind in KINDS else None  # ids are opaque: any string
    return _paths(entry)[kind] if entry is not None else None


def film_path(library: Library, title: str) -> Path | None:
    """The stitched film of the storyboard `title` (a title names a file only through
    `storyboard_path`, which keeps it inside the library's storyboards folder)."""
    try:
        return storyboard_path(library, title).with_suffix(".mp4")
    except InvalidRequestError:
        return None


def _paths(entry: LibraryEntry) -> dict[str, Path]:
    return {
        "video": entry.video_path,
        "thumbnail": entry.thumbnail_path,
        "spritesheet": entry.spritesheet_path,
    }


def _read(key: object, library: Library, blind: Mapping[str, Path]) -> bytes:
    if isinstance(key, str) and key.startswith("blind:"):
        path = blind.get(key.partition(":")[2])
        try:
            return untagged_copy(path) if path is not None else b""
        except ValueError:
            return b""
    path = media_path(key, library)
    try:
        return path.read_bytes() if path is not None else b""
    except OSError:
        return b""


class MediaWidget(anywidget.AnyWidget):
    """A widget whose media travel through the mailbox above (SoraWidget, Compare)."""

    #: The key of the media in `media`; it stays set, harmlessly, once `media` is emptied.
    media_key = traitlets.Unicode("").tag(sync=True)
    media = traitlets.Bytes(b"").tag(sync=True)

    def send_media(self, keys: Any, library: Library) -> asyncio.Task[Any] | None:
        """Answer a view's request; files that are not (or no longer) saved are skipped."""
        if not isinstance(keys, list):
            return None
        wanted = [key for key in keys[:MAX_KEYS] if isinstance(key, str)]
        return spawn(self._deliver(wanted, library, dict(self.blind_files())))

    def blind_files(self) -> Mapping[str, Path]:
        """The files of this widget's "blind:<token>" keys, by token (an arena's pair)."""
        return {}

    async def built_media(self, key: str) -> bytes | None:
        """The media `key` as this widget builds it on request rather than reads it from a
        saved file (a storyboard's page); None for a key it does not build."""
        return None

    async def _deliver(self, keys: list[str], library: Library, blind: Mapping[str, Path]) -> None:
        for key in dict.fromkeys(keys):
            data = await self.built_media(key)
            if data is None:
                data = await asyncio.to_thread(_read, key, library, blind)
            if not data:
                continue
            with self.hold_sync():
                self.media_key = key
                self.media = data
            self.media = b""  # a second message: the bytes leave the state as soon as sent
