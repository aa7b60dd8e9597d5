"""`Compare`: variants of one video side by side, made concurrently, played in step.

Every variant is a `VideoJob` on the client's shared `Poller`, so four remixes cost one poll
per tick, not four. The kernel only makes videos and publishes state; playing them in step
(one master clock, drift correction, the A/B wipe) happens in the browser, in `js/sync.js`,
which the saved HTML page reuses.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import traitlets

from sora_widget.core.errors import InvalidRequestError
from sora_widget.core.keywords import refuse_unknown_options, strict_keywords
from sora_widget.core.shared import ShownStatus
from sora_widget.core.types import DEFAULT_MODEL, DEFAULT_SECONDS, DEFAULT_SIZE
from sora_widget.core.validation import validate_prompt
from sora_widget.engine.backend import connect
from sora_widget.engine.client import SoraClient
from sora_widget.engine.jobs import JobStatus, VideoJob, submit, submit_remix
from sora_widget.engine.library import Library
from sora_widget.engine.resume import attach_pending, resumable
from sora_widget.engine.storage import LibraryEntry
from sora_widget.engine.tasks import off_loop
from sora_widget.ui.compare_state import (
    CellPayload,
    Variant,
    cell_payload,
    is_video_id,
    labels,
    page_state,
)
from sora_widget.ui.export import compare_page, data_url
from sora_widget.ui.kernel_loop import on_creating_loop
from sora_widget.ui.media import MediaWidget, media_key
from sora_widget.ui.panel import Volume, follow_features, front_end, page_assets
from sora_widget.ui.throttle import Throttle
from sora_widget.ui.trait_types import payload
from sora_widget.ui.widget import SoraWidget
from sora_widget.ui.widget_state import (
    NO_ERROR,
    BackendBadge,
    ErrorPayload,
    VideoFacts,
    backend_badge,
    error_payload,
    video_facts,
)

__all__ = ["Compare", "Variant"]

#: `rate` accepts any speed in this range (the transport bar offers 0.25x to 2x).
MIN_RATE, MAX_RATE = 0.25, 4.0


class Compare(MediaWidget):
    """Variants of a video side by side: made at once, watched in step, one of them picked.

    - `Compare(source, remixes=[...])`: `source` is a `SoraWidget` (its video), a video id, or
      a prompt (generated first); each remix starts as soon as the source is completed.
    - `Compare(prompt, models=["sora-2", "sora-2-pro"])`: one prompt on several models.
    - `Compare(prompts=[...], models=[...])`: a grid, one row per prompt, one column per model.
    - `Compare(videos={"Alice": "video_...", ...})`: videos that exist, each under its label (a
      list of ids is labelled Video 1, Video 2, ...); one not in the library is downloaded
      through `client`, one still rendering is followed until it completes.

    Nothing blocks: the jobs run on the kernel's loop. `await cmp.wait()` is optional (in a
    plain script, `asyncio.run(cmp.wait())`). `cmp.picked` is the favourite's video id.
    """

    _esm = front_end("compare.js")
    _css = front_end("compare.css")

    # What the kernel tells the view.
    cells: traitlets.List[CellPayload] = traitlets.List().tag(sync=True)
    #: Columns of a prompts x models grid (one per model); 0 lets the view choose.
    columns = traitlets.Int(0).tag(sync=True)
    backend = payload(BackendBadge)
    #: What the server can do (see `SoraWidget.features`).
    features = traitlets.Dict().tag(sync=True)
    error = payload(ErrorPayload, NO_ERROR)

    # Shared by every view, set from either side.
    picked = traitlets.Unicode(None, allow_none=True).tag(sync=True)
    playing = traitlets.Bool(False).tag(sync=True)
    rate = traitlets.Float(1.0).tag(sync=True)
    loop = traitlets.Bool(True).tag(sync=True)
    wipe = traitlets.Bool(False).tag(sync=True)
    #: Where the A/B divider is, 0 (all B) to 1 (all A).
    wipe_position = traitlets.Float(0.5).tag(sync=True)
    #: The key of the enlarged cell, or "".
    enlarged = traitlets.Unicode("").tag(sync=True)
    #: The key of the one cell whose sound is on, or "" (all start muted): one is heard at a
    #: time, because several soundtracks at once are noise, not a comparison.
    heard = traitlets.Unicode("").tag(sync=True)
    #: Loudness of the heard cell, 0 (silent) to 1 (full).
    volume = Volume(1.0).tag(sync=True)

    def __init__(
        self,
        source: SoraWidget | str | None = None,
        *,
        remixes: Sequence[str] = (),
        prompts: Sequence[str] = (),
        models: Sequence[str] = (),
        pieces: Sequence[str] = (),
        videos: Mapping[str, str] | Sequence[str] | None = None,
        model: str = DEFAULT_MODEL,
        size: str = DEFAULT_SIZE,
        seconds: str | int = DEFAULT_SECONDS,
        client: SoraClient | None = None,
        library: Library | None = None,
        **kwargs: Any,
    ) -> None:
        refuse_unknown_options(type(self), kwargs, self.class_trait_names())
        super().__init__(**kwargs)
        if isinstance(source, SoraWidget):  # its video lives on its backend, in its library
            client = client or source.client
            library = library or source.library
        self.client = client or connect()
        self.library = library or Library()
        self.backend = backend_badge(self.client.display_url, self.client.is_simulator)
        self._unfollow_features = follow_features(self, self.client)
        #: The cells, in the order shown.
        self.variants: list[Variant] = []
        #: The cell marked as the source: the baseline of prompt diffs, the default to remix.
        self.source: Variant | None = None
        self._keys = (f"c{n}" for n in itertools.count())
        self._shown: dict[str, str] = {}  # key -> status last pushed: changes go out at once
        self._probes: set[asyncio.Task[Any]] = set()  # frame rates being read
        self._throttle = Throttle(self._push)
        #: How to stop listening to each job started here (see `close`).
        self._unsubscribers: list[Callable[[], None]] = []
        self.on_msg(on_creating_loop(self._handle_message))

        seconds = str(seconds)
        if videos is not None:
            planned = self._plan_videos(source, videos, remixes, prompts, models, pieces)
        elif pieces:
            planned = self._plan_pieces(source, pieces, remixes, prompts, models)
        else:
            planned = self._plan(source, remixes, prompts, models, model, size, seconds)
        for variant in planned:  # every field is checked before the first job is paid for
            self._check(variant)
        if prompts:
            self.columns = len(models) if models else 1
        self.variants += planned
        for variant in planned:
            if variant.job is None and variant.entry is None:  # a source may start its remixes
                self._start(variant)
        self._push()

    @classmethod
    def chain(
        cls,
        video: SoraWidget | str,
        *,
        client: SoraClient | None = None,
        library: Library | None = None,
        **kwargs: Any,
    ) -> Compare:
        """The pieces of an extension chain in order, labelled Part 1, Part 2, ...: `video` is
        its last piece (a video id, or a `SoraWidget` showing it); see `Library.chain`."""
        if isinstance(video, SoraWidget):
            client, library = client or video.client, library or video.library
            video = video.selected
        library = library or Library()
        pieces = [entry.id for entry in library.chain(video)] if video else []
        if not pieces:
            raise InvalidRequestError(
                "video", f"No saved video {video!r} in {library}: a chain starts from a saved one."
            )
        return cls(client=client, library=library, pieces=pieces, **kwargs)

    def __repr__(self) -> str:
        statuses = ", ".join(v.status for v in self.variants)
        return f"Compare({len(self.variants)} variants: {statuses})"

    def close(self) -> None:
        """Remove the comparison. Its jobs run on and save their videos (a paid video is never
        lost), but no longer report here, so nothing keeps the closed comparison alive; remixes
        waiting for a source that has not completed are not started."""
        if not hasattr(self, "_throttle"):  # refused in __init__: nothing was started
            return super().close()
        while self._unsubscribers:
            self._unsubscribers.pop()()
        self._unfollow_features()
        self._throttle.cancel()
        super().close()

    # ---- the Python API ---------------------------------------------------------------------

    @strict_keywords
    def add(
        self,
        prompt: str | None = None,
        model: str | None = None,
        *,
        size: str | None = None,
        seconds: str | int | None = None,
    ) -> Variant:
        """Generate one more variant alongside the others; unset fields follow the source."""
        base = self.source or Variant("", "generate")  # no source: the API's defaults
        variant = Variant(
            next(self._keys),
            "generate",
            prompt=base.prompt if prompt is None else prompt,
            model=model or base.model,
            size=size or base.size,
            seconds=base.seconds if seconds is None else str(seconds),
        )
        return self._add(variant)

    def add_remix(self, prompt: str, of: int | str | None = None) -> Variant:
        """Remix the source (or the variant `of`, by index or video id) with a new prompt.

        It starts when that video is completed, at once if it already is.
        """
        origin = self._find(of) if of is not None else self.source
        if origin is None:
            raise InvalidRequestError(
                "of", "There is no video to remix yet: give Compare a source, or add() one first."
            )
        return self._add(Variant(next(self._keys), "remix", prompt=prompt, remix_of=origin))

    def cancel(self, which: int | str) -> None:
        """Stop one variant (by index, video id or cell key); the others carry on."""
        variant = self._find(which)
        if variant.job is not None:
            variant.job.cancel()
        elif not variant.ended:
            variant.cancelled = True
        self._throttle.now()

    def retry(self, which: int | str) -> Variant:
        """Start a failed or cancelled variant again, in the same cell."""
        variant = self._find(which)
        if variant.status not in (ShownStatus.FAILED, ShownStatus.CANCELLED):
            raise InvalidRequestError(
                "variant",
                f"{self._name(variant)} is {variant.status}: only a failed or cancelled variant "
                "can be retried.",
            )
        origin = variant.remix_of
        if variant.blocked and origin is not None:  # it starts when its source completes
            return self.retry(origin.key)
        variant.job = None
        self._start(variant)
        self._throttle.now()
        return variant

    def hear(self, which: int | str | None) -> None:
        """Sound on for one variant (by index, video id or cell key), off for the others; None
        mutes them all. Every view follows; a browser may still wait for a click to play it."""
        self.heard = "" if which is None else self._find(which).key

    async def wait(self) -> list[LibraryEntry | None]:
        """Until every variant has ended; their library entries, None where one failed."""
        while True:
            running = [v.job for v in self.variants if v.job is not None and not v.job.done]
            if not running and not self._probes:
                return [v.entry for v in self.variants]
            await asyncio.gather(*(job.settled() for job in running), *self._probes)

    def to_html(self, title: str | None = None) -> str:
        """A self-contained page (videos embedded) that plays the comparison in step."""
        media = {
            v.media: data_url(v.entry.video_path, "video/mp4")
            for v in self.variants
            if v.media and v.entry is not None
        }
        if not media:
            raise RuntimeError("No finished video to export yet: wait until one is completed.")
        state = page_state(self.get_state(_PAGE_TRAITS), media)
        # Without a source (`videos=`), the page is named after what its cells are labelled.
        subject = (
            self.source.prompt if self.source else ", ".join(cell["label"] for cell in self.cells)
        )
        return compare_page(
            state,
            title=title or f"Comparison: {subject}"[:200],
            **page_assets("compare_page"),
        )

    def save_html(self, path: str | Path, title: str | None = None) -> Path:
        """Write `to_html()` to `path`: a page to share with people without Jupyter."""
        target = Path(path)
        target.write_text(self.to_html(title), encoding="utf-8")
        return target

    # ---- planning and starting ----------------------------------------------------------------

    def _plan(
        self,
        source: SoraWidget | str | None,
        remixes: Sequence[str],
        prompts: Sequence[str],
        models: Sequence[str],
        model: str,
        size: str,
        seconds: str,
    ) -> list[Variant]:
        if isinstance(prompts, str) or isinstance(remixes, str) or isinstance(models, str):
            raise InvalidRequestError(
                "prompts", "prompts, remixes and models take lists: prompts=['...'], not a string."
            )
        if source is not None and prompts:
            raise InvalidRequestError(
                "prompts", "Pass a source or prompts=[...], not both: a grid has no single source."
            )
        if models and remixes:
            raise InvalidRequestError(
                "models", "A remix keeps its source's model: compare models or remixes, not both."
            )

        def generation(prompt: str, on: str) -> Variant:
            return Variant(next(self._keys), "generate", prompt, on, size, seconds)

        if isinstance(source, SoraWidget):
            source = source.selected or source.job.get("id")
            if not source:
                raise InvalidRequestError(
                    "source", "The SoraWidget has no video yet: generate one, then compare it."
                )
        if source is not None and not isinstance(source, str):
            raise InvalidRequestError(
                "source",
                "source must be a SoraWidget, a video id or a prompt, "
                f"not {type(source).__name__}.",
            )
        if source is not None and is_video_id(source):
            if models:
                raise InvalidRequestError(
                    "models", "models= generates a prompt on each model: pass the prompt as source."
                )
            planned = [Variant(next(self._keys), "existing", video_id=source)]
        elif source is not None:
            planned = [generation(source, on) for on in models or [model]]
        elif models and not prompts:
            raise InvalidRequestError("prompts", "Which prompt? Compare(prompt, models=[...]).")
        else:
            planned = [generation(prompt, on) for prompt in prompts for on in models or [model]]
        self.source = planned[0] if planned else None
        planned += [
            Variant(next(self._keys), "remix", prompt=prompt, remix_of=self.source)
            for prompt in remixes
        ]
        if remixes and self.source is None:
            raise InvalidRequestError("source", "Remixes need a source to remix.")
        return planned

    def _plan_pieces(
        self, source: object, pieces: Sequence[str], *others: Sequence[str]
    ) -> list[Variant]:
        """Saved videos shown in the order given (an extension chain); nothing is generated."""
        if source is not None or any(others) or isinstance(pieces, str):
            raise InvalidRequestError(
                "pieces", "pieces=[...] takes a list of saved video ids, and nothing else."
            )
        planned = [Variant(next(self._keys), "part", video_id=piece) for piece in pieces]
        self.source = planned[0]
        return planned

    def _plan_videos(self, source: object, videos: object, *others: Sequence[str]) -> list[Variant]:
        """Videos that exist, under the caller's labels (a class's, by student): nothing is
        generated, and none of them is the source, since no one is the others' baseline."""
        if source is not None or any(others):
            raise InvalidRequestError(
                "videos",
                "videos= shows videos that exist, on their own: not with a source, remixes=, "
                "prompts=, models= or pieces=.",
            )
        if isinstance(videos, Mapping):
            labelled = list(videos.items())
        elif isinstance(videos, Sequence) and not isinstance(videos, str):
            labelled = [(f"Video {number}", video) for number, video in enumerate(videos, 1)]
        else:
            raise InvalidRequestError(
                "videos",
                "videos= takes a mapping of label to video id, {'Alice': 'video_...'}, or a "
                f"list of video ids, not {type(videos).__name__}.",
            )
        if not labelled:
            raise InvalidRequestError("videos", "videos= is empty: give at least one video id.")
        for label, video in labelled:
            if not (isinstance(label, str) and label and isinstance(video, str) and video):
                raise InvalidRequestError(
                    "videos",
                    "Each label and video id is a non-empty string, {'Alice': 'video_...'}, "
                    f"not {label!r}: {video!r}.",
                )
        return [
            Variant(next(self._keys), "existing", video_id=video, label=label)
            for label, video in labelled
        ]

    def _check(self, variant: Variant) -> None:
        if variant.kind == "generate":
            self.client.checked_parameters(
                variant.prompt, variant.model, variant.size, variant.seconds, None
            )
        elif variant.kind == "remix":
            validate_prompt(variant.prompt)

    def _add(self, variant: Variant) -> Variant:
        self._check(variant)
        self.variants.append(variant)
        if self.source is None:
            self.source = variant
        self._start(variant)
        self._throttle.now()
        return variant

    def _start(self, variant: Variant) -> None:
        """Give the variant a job, unless it is a remix whose source is not completed yet.

        A job this comparison left running when its kernel died is taken up again, not paid
        for twice: re-running the cell after a restart finds it by its fields.
        """
        variant.cancelled = False
        if variant.kind == "remix":
            origin = variant.remix_of
            if origin is None or origin.entry is None or origin.video_id is None:
                return  # `_completed(origin)` starts it
            job = self._resume(variant, remixed_from=origin.video_id) or submit_remix(
                self.client, origin.video_id, variant.prompt, library=self.library, origin="compare"
            )
        elif variant.kind in ("existing", "part"):
            assert variant.video_id is not None
            entry = self.library.get(variant.video_id)
            if entry is not None:
                variant.take_entry(entry)
                self._completed(variant)
                return
            job = VideoJob.attach(
                self.client, variant.video_id, library=self.library, origin="compare"
            )
        elif (saved := self._saved_source(variant)) is not None:
            variant.take_entry(saved)
            self._completed(variant)
            return
        else:
            job = self._resume(variant, remixed_from=None) or submit(
                self.client,
                variant.prompt,
                model=variant.model,
                size=variant.size,
                seconds=variant.seconds,
                library=self.library,
                origin="compare",
            )
        variant.job = job
        self._unsubscribers.append(job.on_update(lambda job: self._job_updated(variant, job)))

    def _resume(self, variant: Variant, remixed_from: str | None) -> VideoJob | None:
        """A job for `variant` that a comparison started before a kernel restart, if any."""
        wanted = {"prompt": variant.prompt, "remixed_from_video_id": remixed_from}
        if remixed_from is None:
            wanted |= {"model": variant.model, "size": variant.size, "seconds": variant.seconds}
        for record in resumable(self.client, self.library, origin="compare"):
            if all(record.get(name) == value for name, value in wanted.items()):
                return attach_pending(self.client, self.library, record)
        return None

    def _saved_source(self, variant: Variant) -> LibraryEntry | None:
        """This cell's video, saved before a kernel restart that left remixes of it running:
        re-running the cell takes it up with them, rather than paying for a new source."""
        remixes = {v.prompt for v in self.variants if v.remix_of is variant and v.job is None}
        if not remixes:
            return None
        for record in resumable(self.client, self.library, origin="compare"):
            source_id = record.get("remixed_from_video_id")
            if record.get("prompt") not in remixes or not isinstance(source_id, str):
                continue
            entry = self.library.get(source_id) if is_video_id(source_id) else None
            if entry is not None and _same_generation(entry, variant):
                return entry
        return None

    def _job_updated(self, variant: Variant, job: VideoJob) -> None:
        if job is not variant.job:
            return  # a job replaced by a retry, still reporting
        variant.absorb()
        if job.status is JobStatus.COMPLETED and variant.entry is not None:
            self._completed(variant)
        if job.done or variant.status != self._shown.get(variant.key):
            self._throttle.now()
        else:
            self._throttle.soon()

    def _completed(self, variant: Variant) -> None:
        """Name the cell's video (the views ask for its bytes: see `media`), read its frame
        rate and sound in a worker thread, and start its remixes."""
        if not variant.media and variant.entry is not None:
            variant.media = media_key("video", variant.entry.id)
            path = variant.entry.video_path

            def take(facts: VideoFacts) -> None:
                variant.fps, variant.audio = facts["fps"], facts["audio"]
                self._throttle.now()

            probe = off_loop(lambda: video_facts(path), take)
            if probe is not None:
                self._probes.add(probe)
                probe.add_done_callback(self._probes.discard)
        for other in self.variants:
            if other.remix_of is variant and other.job is None and not other.cancelled:
                self._start(other)

    # ---- state for the view -----------------------------------------------------------------

    def _push(self) -> None:
        names = labels(self.variants, self.source)
        cells = [cell_payload(v, source=self.source, names=names) for v in self.variants]
        self._shown = {cell["key"]: cell["job"]["status"] for cell in cells}
        with self.hold_sync():
            self.cells = cells

    def _find(self, which: int | str) -> Variant:
        if isinstance(which, int):
            if -len(self.variants) <= which < len(self.variants):
                return self.variants[which]
            raise IndexError(
                f"No variant {which}: this comparison has {len(self.variants)} "
                f"(0 to {len(self.variants) - 1})."
            )
        for variant in self.variants:
            if which in (variant.key, variant.video_id):
                return variant
        raise KeyError(f"No variant with video id {which!r} in this comparison.")

    def _name(self, variant: Variant) -> str:
        return labels(self.variants, self.source)[variant.key]

    @traitlets.validate("picked")
    def _valid_pick(self, proposal: dict[str, Any]) -> str | None:
        value = proposal["value"]
        if value is None or any(v.video_id == value and v.entry for v in self.variants):
            return value
        raise traitlets.TraitError(
            f"picked must be the video id of a completed variant (or None), not {value!r}."
        )

    @traitlets.validate("heard")
    def _valid_heard(self, proposal: dict[str, Any]) -> str:
        value = proposal["value"]
        keys = [variant.key for variant in self.variants]
        if value == "" or value in keys:
            return value
        raise traitlets.TraitError(
            f"heard must be the key of a cell ({', '.join(map(repr, keys))}) or '' for "
            f"silence, not {value!r}."
        )

    @traitlets.validate("rate")
    def _valid_rate(self, proposal: dict[str, Any]) -> float:
        value = proposal["value"]
        if not MIN_RATE <= value <= MAX_RATE:
            raise traitlets.TraitError(f"rate must be from {MIN_RATE} to {MAX_RATE}, not {value}.")
        return value

    # ---- actions from the browser -----------------------------------------------------------

    def _handle_message(self, widget: Any, content: Any, buffers: list[bytes]) -> None:
        if isinstance(content, dict) and content.get("action") == "media":
            self.send_media(content.get("keys"), self.library)
            return
        if not isinstance(content, dict) or not isinstance(content.get("key"), str):
            return
        self.error = NO_ERROR.copy()
        try:
            if content.get("action") == "cancel":
                self.cancel(content["key"])
            elif content.get("action") == "retry":
                self.retry(content["key"])
        except Exception as error:  # shown in the panel, in plain words: never a traceback
            self.error = error_payload(error)


#: The traits a saved page starts from (the rest is kernel business).
_PAGE_TRAITS = [
    "cells",
    "columns",
    "backend",
    "picked",
    "rate",
    "loop",
    "wipe",
    "wipe_position",
    "heard",
    "volume",
]


def _same_generation(entry: LibraryEntry, variant: Variant) -> bool:
    made = (entry.prompt, entry.model, entry.size, entry.seconds)
    return made == (variant.prompt, variant.model, variant.size, variant.seconds)
