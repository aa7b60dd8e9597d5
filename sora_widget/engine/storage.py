"""Every finished video on disk, with what it cost and where it came from: the folders and
their metadata, and the questions asked of them.

The layout is one folder per video, named after its id (see `folder_name`):

    <root>/
        <folder name>/
            video.mp4, thumbnail.webp, spritesheet.jpg
            metadata.json           written last: its presence means the video is complete
        .pending/<folder name>.json jobs still running (see `inflight`)

Every file appears whole or not at all: media are streamed to a temporary file, fsynced,
length-checked and renamed by `SoraClient.download_content`; JSON is written the same way here.
The metadata records the backend's address but never the API key.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sora_widget.core.atomic import atomic_file
from sora_widget.core.errors import CompletedWithoutVideo
from sora_widget.core.types import ContentVariant, Video
from sora_widget.core.urls import public_url

logger = logging.getLogger(__name__)

FILE_NAMES = {
    ContentVariant.VIDEO: "video.mp4",
    ContentVariant.THUMBNAIL: "thumbnail.webp",
    ContentVariant.SPRITESHEET: "spritesheet.jpg",
}
METADATA_FILE = "metadata.json"
#: How a piece of a chain names the piece before it: made by the server's extensions route
#: (`extends`), or as a new video whose first image is that one's last frame (`continues`).
LINEAGE = ("extends", "continues")
#: Ids up to this long made only of these characters are their own folder name.
MAX_PLAIN_ID = 128
_PLAIN_ID = re.compile(r"[A-Za-z0-9_-]+")
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
#: A derived name: this much of the id, for people browsing the folder, then the hash.
READABLE_PREFIX = 40
HASH_CHARS = 24


def folder_name(video_id: object) -> str:
    """The folder a video is saved in: its id when that is a plain name, else a readable
    prefix of it and a hash of the whole id.

    Ids are the server's and opaque: LiteLLM's are 266 characters of base64 (with `=`), others
    are UUIDs, and a hostile server may send `../../x`. A video the server made is paid for, so
    no id is refused: an id that is not a plain name of at most 128 letters, digits, '_' and
    '-' gets a name with a '.' in it, which no plain id has, so the two kinds never meet.
    `metadata.json` keeps the exact id.
    """
    if not isinstance(video_id, str) or not video_id:
        raise ValueError(f"A video id must be a non-empty string, got {video_id!r:.80}.")
    if len(video_id) <= MAX_PLAIN_ID and _PLAIN_ID.fullmatch(video_id):
        return video_id
    readable = _UNSAFE.sub("_", video_id)[:READABLE_PREFIX]
    digest = hashlib.sha256(video_id.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{readable}.{digest[:HASH_CHARS]}"


def is_id_for(video_id: object, name: str | None = None) -> bool:
    """Whether `video_id` is an id (and, given `name`, the one that folder name is made from):
    an edited or misplaced metadata file must not pass for another video."""
    try:
        return name is None or folder_name(video_id) == name
    except ValueError:
        return False


@dataclass(frozen=True)
class LibraryEntry:
    """One saved video: the server's description of it and where its files are."""

    id: str
    prompt: str | None
    model: str
    size: str
    seconds: str
    status: str
    created_at: int
    completed_at: int | None
    expires_at: int | None
    remixed_from_video_id: str | None
    #: Where it was generated (the simulator or a real API), without credentials.
    base_url: str
    #: Estimated USD, or None when the model and size have no published price.
    cost: float | None
    saved_at: float
    folder: Path = field(compare=False)
    #: USD the server said it charged (LiteLLM's `x-litellm-response-cost` on the create), or
    #: None when it did not say (and in metadata saved before this was recorded).
    charged_cost: float | None = None
    #: The spritesheet's grid, measured from the image: {"columns": c, "rows": r}, or None.
    sprite: dict[str, int] | None = None
    #: Where each picture came from: "server", "server <format>" (converted to the format its
    #: file name says), or "video" (made from the saved MP4: the server had none).
    pictures: dict[str, str] | None = None
    #: The video this one extends (the server's `/videos/extensions`), or None.
    extends: str | None = None
    #: The video whose last frame is this one's first image ("continue from the last frame").
    continues: str | None = None
    #: Why the MP4 does not carry its prompt, model and server as container metadata (None:
    #: it does). The file is kept as the server sent it: a local step never loses a video.
    file_metadata_problem: str | None = None

    @property
    def previous_piece(self) -> str | None:
        """The piece of a chain before this one (see `Library.chain`), or None."""
        return self.extends or self.continues

    #: What the create sent beyond prompt, model, size and seconds: {"parameters": the
    #: model's named extras, "extra": the raw JSON object}; None when nothing more was sent.
    settings: dict[str, Any] | None = None
    #: The create's body in the server's own fields where they differ from the contract's
    #: (OpenRouter's `duration`, `resolution`, `aspect_ratio`, `provider`; images by count).
    request: dict[str, Any] | None = None
    #: The server's id for billing (OpenRouter's `generation_id`), and whether the charge went
    #: to the user's own provider key (`usage.is_byok`).
    generation_id: str | None = None
    is_byok: bool | None = None
    #: Further outputs of the same job (`video_1.mp4`, ...), when the server made several.
    outputs: list[str] | None = None

    @property
    def video_path(self) -> Path:
        return self.folder / FILE_NAMES[ContentVariant.VIDEO]

    @property
    def thumbnail_path(self) -> Path:
        return self.folder / FILE_NAMES[ContentVariant.THUMBNAIL]

    @property
    def spritesheet_path(self) -> Path:
        return self.folder / FILE_NAMES[ContentVariant.SPRITESHEET]

    def to_metadata(self) -> dict[str, Any]:
        data = asdict(self)
        del data["folder"]  # the folder is wherever the library is; it may move
        # For people and other tools reading the folder; paths here always use FILE_NAMES,
        # so an edited metadata file cannot point outside the folder.
        data["files"] = {str(variant): name for variant, name in FILE_NAMES.items()}
        return data

    @classmethod
    def from_metadata(cls, folder: Path, data: dict[str, Any]) -> LibraryEntry:
        fields = {name: value for name, value in data.items() if name != "files"}
        return cls(folder=folder, **fields)


class SavedVideos:
    """The saved videos under `root`: their folders, their metadata, and what they add up to.

    `Library` is this plus saving new videos and remembering the jobs that will add more.
    """

    def __init__(self, root: Path) -> None:
        self.root = root

    def folder(self, video_id: str) -> Path:
        return self.root / folder_name(video_id)

    # ---- writing ----------------------------------------------------------------------------

    def write(self, entry: LibraryEntry) -> None:
        """Record a saved video: last, once its files are in its folder (see the layout)."""
        write_json(entry.folder / METADATA_FILE, entry.to_metadata())

    def record_failure(
        self, video: Video, base_url: str, why: str, lineage: dict[str, str], saved_at: float
    ) -> None:
        """Keep a job that completed without a video in its folder's metadata, with what the
        server said, so nothing about it is lost; `get` and `entries` skip it (there is no
        file), `failures` lists it, and a later save of the same video replaces it."""
        folder = self.folder(video.id)
        record = {
            **video.to_dict(),
            **{name: lineage[name] for name in LINEAGE if lineage.get(name)},
            "base_url": public_url(base_url),
            "failure": {"code": CompletedWithoutVideo.CODE, "message": why},
            "saved_at": saved_at,
        }
        folder.mkdir(parents=True, exist_ok=True)
        write_json(folder / METADATA_FILE, record)

    # ---- reading ----------------------------------------------------------------------------

    def failures(self) -> list[dict[str, Any]]:
        """Jobs that completed without a video (see `CompletedWithoutVideo`), newest first:
        the server's description of each, its `base_url` and the `failure` that was seen."""
        found = []
        for path in self.root.glob(f"*/{METADATA_FILE}"):
            data = read_json(path)
            if data and data.get("failure") and is_id_for(data.get("id"), path.parent.name):
                found.append(data)
        return sorted(found, key=lambda data: data.get("saved_at") or 0, reverse=True)

    def get(self, video_id: str) -> LibraryEntry | None:
        """The saved video with this id, or None (for any string: ids are opaque)."""
        if not isinstance(video_id, str) or not video_id:
            return None
        return self._entry_in(self.folder(video_id), video_id)

    def entries(self) -> list[LibraryEntry]:
        """Every saved video, newest first."""
        found = []
        for path in self.root.glob(f"*/{METADATA_FILE}"):
            entry = self._entry_in(path.parent)
            if entry is not None:
                found.append(entry)
        return sorted(found, key=lambda entry: (entry.created_at, entry.saved_at), reverse=True)

    def _entry_in(self, folder: Path, video_id: str | None = None) -> LibraryEntry | None:
        """The entry whose metadata is in `folder`, if it names the video that folder is for."""
        data = read_json(folder / METADATA_FILE)
        if data is None or data.get("failure"):  # no data, or a job that left no video
            return None
        recorded = data.get("id")
        if not is_id_for(recorded, folder.name) or (video_id is not None and recorded != video_id):
            logger.warning("Skipping %s: its metadata is for another video", folder)
            return None
        try:
            return LibraryEntry.from_metadata(folder, data)
        except TypeError:
            logger.warning("Skipping %s: not a metadata file of this library", folder)
            return None

    def find(self, prompt_contains: str) -> list[LibraryEntry]:
        """Saved videos whose prompt contains this text (ignoring case), newest first."""
        needle = prompt_contains.casefold()
        return [entry for entry in self.entries() if needle in (entry.prompt or "").casefold()]

    def lineage(self, video_id: str) -> list[str]:
        """`video_id`, the video it was remixed from, and so on back to the original.

        The chain stops at the first video that is not in the library.
        """
        chain = [video_id]
        entry = self.get(video_id)
        while entry is not None and entry.remixed_from_video_id is not None:
            source = entry.remixed_from_video_id
            if source in chain:
                break  # a loop in the metadata: do not follow it forever
            chain.append(source)
            entry = self.get(source) if is_id_for(source) else None
        return chain

    def chain(self, video_id: str) -> list[LibraryEntry]:
        """The pieces of an extension chain in order, first to `video_id` (give the last
        piece): each extends or continues the one before. It starts at the first piece that is
        not in the library, or at the original; [] when `video_id` itself is not saved."""
        pieces: list[LibraryEntry] = []
        entry = self.get(video_id)
        while entry is not None and all(entry.id != piece.id for piece in pieces):
            pieces.append(entry)
            before = entry.previous_piece
            entry = self.get(before) if before is not None and is_id_for(before) else None
        return pieces[::-1]

    def remixes_of(self, video_id: str) -> list[LibraryEntry]:
        """The saved videos remixed directly from `video_id`, oldest first."""
        return [e for e in reversed(self.entries()) if e.remixed_from_video_id == video_id]

    def total_cost(self) -> float:
        """USD for every saved video: what the server said it charged (`charged_cost`, from
        LiteLLM's cost header) where it said so, else the estimate from the catalog's prices;
        videos with neither count nothing."""
        costs = (
            entry.charged_cost if entry.charged_cost is not None else entry.cost
            for entry in self.entries()
        )
        return round(sum(cost for cost in costs if cost is not None), 2)


# ---- files ------------------------------------------------------------------------------------


def request_of(requests: object, video_id: str) -> dict[str, Any] | None:
    """What the client recorded its create sent for this video (`VideosAPI.requests`), if any:
    kept with the saved video and with the pending job alike."""
    found = requests.get(video_id) if isinstance(requests, dict) else None
    return found if isinstance(found, dict) else None


def write_json(path: Path, data: dict[str, Any]) -> None:
    with atomic_file(path, "w", encoding="utf-8") as file:
        json.dump(data, file, indent=2)


def read_json(path: Path) -> dict[str, Any] | None:
    """The JSON object in `path`, or None when it is missing or unreadable (logged)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        logger.warning("Skipping %s: %s", path, error)
        return None
    return data if isinstance(data, dict) else None
