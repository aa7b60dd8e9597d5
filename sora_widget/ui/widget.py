"""`SoraWidget`: a generation panel in the notebook, driven by a job in the kernel.

The browser only shows traits and sends actions (`{"action": "generate"}` and so on); all
work happens here, on the kernel's event loop, so no cell ever has to block. What the traits
carry is computed in `widget_state`; this module wires jobs, the library and the front end.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import traitlets

from sora_widget.core.catalog import ModelFamily, family_of
from sora_widget.core.errors import InvalidRequestError
from sora_widget.core.keywords import refuse_unknown_options, strict_keywords
from sora_widget.core.reference_image import Fit
from sora_widget.core.server_catalog import ServerModel
from sora_widget.core.shared import ErrorKind, ShownStatus
from sora_widget.core.types import DEFAULT_MODEL, DEFAULT_SECONDS, DEFAULT_SIZE, Video, VideoStatus
from sora_widget.engine.api import Credits
from sora_widget.engine.backend import connect
from sora_widget.engine.client import SoraClient
from sora_widget.engine.extending import Route, extend, extension_route
from sora_widget.engine.jobs import JobStatus, VideoJob, submit, submit_remix
from sora_widget.engine.library import Library
from sora_widget.engine.resume import resume
from sora_widget.engine.retry import RetryNotice
from sora_widget.engine.storage import LibraryEntry
from sora_widget.engine.tasks import off_loop, spawn
from sora_widget.ui.export import player_page
from sora_widget.ui.kernel_loop import on_creating_loop
from sora_widget.ui.media import MediaWidget
from sora_widget.ui.panel import Volume, follow_features, front_end, page_assets
from sora_widget.ui.throttle import Throttle
from sora_widget.ui.trait_types import payload
from sora_widget.ui.uploads import Uploads
from sora_widget.ui.widget_state import (
    IDLE_JOB,
    LAST_FRAME,
    NO_ERROR,
    REFERENCE_SLOTS,
    AdvancedPayload,
    BackendBadge,
    ErrorPayload,
    ExtendPayload,
    HistoryItem,
    JobPayload,
    OptionsPayload,
    ReferenceInfo,
    SpriteLayout,
    advanced_payload,
    backend_badge,
    cost_label,
    error_payload,
    extend_payload,
    form_problems,
    history_item,
    job_payload,
    options,
    parameter_problems,
    rate_limit_payload,
    reference_info,
    sprite_layout,
    video_facts,
)


def _bytes_from_json(value: Any, widget: Any) -> bytes:
    """Binary from the browser arrives as a memoryview; the trait holds bytes."""
    return b"" if value is None else bytes(value)


def _images_from_json(value: Any, widget: Any) -> dict[str, bytes]:
    """The Advanced section's images, {slot: bytes}; an emptied slot is left out."""
    return {slot: bytes(data) for slot, data in (value or {}).items() if data}


#: What each image slot is called in messages.
_SLOT_LABELS = {LAST_FRAME: "The last frame"} | {
    slot: f"Reference image {n}" for n, slot in enumerate(REFERENCE_SLOTS, start=1)
}


class SoraWidget(MediaWidget):
    """Type a prompt, generate, watch the job and play the video inline."""

    _esm = front_end("widget.js")
    _css = front_end("widget.css")

    # The form (two-way).
    prompt = traitlets.Unicode("").tag(sync=True)
    model = traitlets.Unicode(DEFAULT_MODEL).tag(sync=True)
    size = traitlets.Unicode(DEFAULT_SIZE).tag(sync=True)
    seconds = traitlets.Unicode(DEFAULT_SECONDS).tag(sync=True)
    reference = traitlets.Bytes(b"").tag(sync=True, from_json=_bytes_from_json)
    reference_name = traitlets.Unicode("").tag(sync=True)
    fit = traitlets.Unicode("").tag(sync=True)
    #: The Advanced section: the model's extra parameters as typed ({name: value}), the raw
    #: JSON object sent as given (its keys win over the named ones), and the images beyond the
    #: first frame ({"last_frame" | "reference_1".."reference_3": bytes}).
    parameters = traitlets.Dict().tag(sync=True)
    raw_parameters = traitlets.Unicode("").tag(sync=True)
    images = traitlets.Dict().tag(sync=True, from_json=_images_from_json)
    remix_prompt = traitlets.Unicode("").tag(sync=True)

    # What the kernel tells the view.
    options = payload(OptionsPayload, options())
    cost = traitlets.Unicode("").tag(sync=True)
    problems = traitlets.Dict().tag(sync=True)
    reference_info = payload(ReferenceInfo)
    #: The chosen model's parameters and image slots (see `widget_state.advanced`); each
    #: image's `reference_info`, by slot.
    advanced = payload(AdvancedPayload)
    image_info = traitlets.Dict().tag(sync=True)
    backend = payload(BackendBadge)
    #: What the server can do, as learned so far: {feature: {"supported", "reason"}} (see
    #: `ServerSupport.payload`); the panel disables what it cannot do and says why.
    features = traitlets.Dict().tag(sync=True)
    #: The Extend button: {"route", "label", "reason"} (see `widget_state.extend_payload`).
    extending = payload(ExtendPayload)
    job = payload(JobPayload, IDLE_JOB)
    error = payload(ErrorPayload, NO_ERROR)
    # The player's video, poster and spritesheet are those of `selected`, sent on request
    # (see `media`): the state names them, so saving it does not save the video.
    sprite = payload(SpriteLayout)
    video_path = traitlets.Unicode("").tag(sync=True)
    history: traitlets.List[HistoryItem] = traitlets.List().tag(sync=True)
    selected = traitlets.Unicode("").tag(sync=True)
    #: The saved video's audio codec ("aac"), "" when it has no sound, None until read: a view
    #: that cannot decode that codec says so beside its sound control.
    audio = traitlets.Unicode(None, allow_none=True).tag(sync=True)

    # The sound, shared by every view (set from either side). It starts muted: browsers only
    # autoplay muted video, and a view turns sound on when a person clicks Unmute.
    muted = traitlets.Bool(True).tag(sync=True)
    #: Loudness while unmuted, 0 (silent) to 1 (full).
    volume = Volume(1.0).tag(sync=True)

    def __init__(
        self,
        prompt: str = "",
        *,
        model: str = DEFAULT_MODEL,
        size: str | None = None,
        seconds: str | int | None = None,
        input_reference: bytes | None = None,
        client: SoraClient | None = None,
        library: Library | None = None,
        resume: bool = True,
        **kwargs: Any,
    ) -> None:
        """Without `size` and `seconds`: 720x1280 and 4 s, or the model's own defaults where
        the catalog says it takes other values. Given, they are kept even where the catalog
        does not list them, since the server is the judge.
        `resume=True` picks up the jobs a widget was running when its kernel died (see
        `Library.resume`), so re-running the cell after a restart shows them finish.
        Any other keyword must be one of the widget's traits (a typo is refused: it would
        otherwise fall back to a default and bill the wrong model)."""
        refuse_unknown_options(type(self), kwargs, self.class_trait_names())
        super().__init__(prompt=prompt, model=model, **kwargs)  # fits size and duration to it
        with self.hold_trait_notifications():
            if size is not None:
                self.size = size
            if seconds is not None:
                self.seconds = str(seconds)
        self.client = client or connect()
        self.library = library or Library()
        self.backend = backend_badge(self.client.display_url, self.client.is_simulator)
        self._unfollow_features = follow_features(self, self.client)
        self._job: VideoJob | None = None  # the job in the panel
        self._jobs: list[VideoJob] = []  # every job started or resumed here, until it ends
        self._resumed: set[VideoJob] = set()
        #: How to stop listening to each job followed here (see `close`).
        self._subscriptions: dict[VideoJob, list[Callable[[], None]]] = {}
        self._throttle = Throttle(self._push)
        self._on_complete: list[Callable[[SoraWidget], object]] = []
        self._layout: asyncio.Task[Any] | None = None  # reading the spritesheet's size
        self._menu: asyncio.Task[Any] | None = None  # asking the server for its models
        self._credit_task: asyncio.Task[Any] | None = None  # asking what the key has left
        self._charged: LibraryEntry | None = None  # the saved video whose charge is shown
        # Images from the browser, in pieces: the first frame, and the Advanced section's slots.
        self._uploads = Uploads(("reference", LAST_FRAME, *REFERENCE_SLOTS))
        if input_reference is not None:
            self.reference = input_reference
        #: What the key has left, where the server says (see `VideosAPI.credits`).
        self._credits: Credits | None = None
        self.advanced = advanced_payload(self.model)
        self._refresh_form()
        self._refresh_extending()
        self.on_msg(on_creating_loop(self._handle_message))
        if resume:
            self._resume()
        with contextlib.suppress(RuntimeError):  # no loop (a plain script): the catalog's menu
            self._menu = spawn(self._offer_server_models())

    def __repr__(self) -> str:
        return f"SoraWidget(prompt={self.prompt[:40]!r}, status={self.job.get('status')!r})"

    def close(self) -> None:
        """Remove the panel. Its jobs run on and save their videos (a paid video is never lost),
        but no longer report here: nothing keeps the closed widget, or its video bytes, alive."""
        if not hasattr(self, "_subscriptions"):  # refused in __init__: nothing was started
            return super().close()
        for job in list(self._subscriptions):
            self._unsubscribe(job)
        self._unfollow_features()
        self._throttle.cancel()
        for task in (self._menu, self._credit_task):
            if task is not None:
                task.cancel()
        super().close()

    # ---- the Python API ---------------------------------------------------------------------

    def generate(self) -> VideoJob:
        """Start a job for the current form and return at once; the panel follows it."""
        problems = self._problems()
        if problems:
            field, message = next(iter(problems.items()))
            raise InvalidRequestError(field, message)
        reference = self.reference or None
        images = self.images
        job = submit(
            self.client,
            self.prompt,
            model=self.model,
            size=self.size,
            seconds=self.seconds,
            input_reference=reference,
            # The view sends "crop", "pad" or ""; `prepare_reference` refuses anything else.
            fit=cast(Fit | None, self.fit or None) if reference or images else None,
            last_frame=images.get(LAST_FRAME),
            reference_images=[images[slot] for slot in REFERENCE_SLOTS if slot in images],
            parameters=self.parameters,
            extra=self.raw_parameters,
            library=self.library,
            origin="widget",
        )
        self._follow(job)
        return job

    def remix(self, prompt: str | None = None) -> VideoJob:
        """Remix the video in the player; the result joins the history, linked to its source."""
        job = submit_remix(
            self.client,
            self._saved_on_screen("remix"),
            prompt if prompt is not None else self.remix_prompt,
            library=self.library,
            origin="widget",
        )
        self._follow(job)
        return job

    @strict_keywords
    def extend(
        self, prompt: str | None = None, *, seconds: str | int | None = None, route: Route = "auto"
    ) -> VideoJob:
        """Continue the video in the player: by the server's extensions route where it has one,
        else as a new piece whose first image is this one's last frame. `seconds` defaults to
        the form's duration; `job.lineage` says which route was used ({"extends": id} or
        {"continues": id}), and the library keeps the chain (`Library.chain`)."""
        job = extend(
            self.client,
            self._saved_on_screen("extend"),
            prompt if prompt is not None else self.remix_prompt,
            seconds=self.seconds if seconds is None else seconds,
            library=self.library,
            route=route,
            origin="widget",
        )
        self._follow(job)
        return job

    def _saved_on_screen(self, action: str) -> str:
        """The id of the video in the player, whatever the panel's job is doing (running,
        failed), once it is saved: what remix and extend start from."""
        if not self.selected or self.library.get(self.selected) is None:
            raise InvalidRequestError(
                "video_id", f"There is no completed video to {action} yet: generate one first."
            )
        return self.selected

    def use_settings(self, video_id: str | None = None) -> None:
        """Fill the form from a saved video (the one in the player by default): its prompt,
        model, size, duration and the Advanced parameters it was made with."""
        entry = self.library.get(video_id or self.selected)
        if entry is None:
            raise InvalidRequestError(
                "video_id", "There is no saved video to take the settings from: pick one first."
            )
        settings = entry.settings or {}
        with self.hold_sync():
            self.prompt = entry.prompt or ""
            self.model, self.size, self.seconds = entry.model, entry.size, entry.seconds
            self.parameters = dict(settings.get("parameters") or {})
            extra = settings.get("extra")
            self.raw_parameters = json.dumps(extra, indent=1) if extra else ""

    def cancel(self) -> None:
        """Stop following the running job (the server may still finish it)."""
        if self._job is not None:
            self._job.cancel()

    async def wait(self) -> Video:
        """The finished video of the current job, once the player has it; raises the job's
        error if it failed."""
        if self._job is None:
            raise RuntimeError("Nothing to wait for: call generate() first.")
        video = await self._job
        if self._layout is not None:
            await self._layout
        return video

    @property
    def result(self) -> Video | None:
        """The finished video, once there is one."""
        if self._job is None or self._job.status is not JobStatus.COMPLETED:
            return None
        return self._job.video

    @property
    def video_file(self) -> Path | None:
        return Path(self.video_path) if self.video_path else None

    def on_complete(self, callback: Callable[[SoraWidget], object]) -> None:
        """Call `callback(widget)` whenever a video finishes and is on disk."""
        self._on_complete.append(callback)

    @classmethod
    def from_id(
        cls,
        video_id: str,
        *,
        client: SoraClient | None = None,
        library: Library | None = None,
        **kwargs: Any,
    ) -> SoraWidget:
        """Re-attach to a video: from the library if it is saved, else follow it on the server."""
        widget = cls(client=client, library=library, resume=False, **kwargs)
        entry = widget.library.get(video_id)
        if entry is not None:
            widget._remember(entry)
            widget._show(entry)
            widget.job = {
                **IDLE_JOB,
                "id": entry.id,
                "status": ShownStatus.COMPLETED,
                "progress": 100,
            }
        else:
            job = VideoJob.attach(widget.client, video_id, library=widget.library, origin="widget")
            widget._follow(job)
        return widget

    def to_html(self) -> str:
        """A self-contained page (video embedded) that plays without Jupyter."""
        entry = self.library.get(self.selected) if self.selected else None
        if entry is None:
            raise RuntimeError("No finished video to export yet.")
        return player_page(
            [entry],
            title=entry.prompt or entry.id,
            **page_assets("player_page"),
        )

    def save_html(self, path: str | Path) -> Path:
        target = Path(path)
        target.write_text(self.to_html(), encoding="utf-8")
        return target

    # ---- following a job --------------------------------------------------------------------

    def _follow(self, job: VideoJob) -> None:
        """Show `job` in the panel. A job it replaces runs on in the history strip."""
        previous, self._job = self._job, job
        self._jobs = [*(other for other in self._running() if other is not job), job]
        with self.hold_sync():
            self.error = NO_ERROR.copy()
            self.job = job_payload(job, resumed=job in self._resumed)
            if previous is not None and not previous.done:
                self._list_running(previous)
        self._subscribe(job)

    def _subscribe(self, job: VideoJob) -> None:
        """Listen to `job` once, however often it is selected in the history strip."""
        for ended in [other for other in self._subscriptions if other.done and other is not job]:
            self._unsubscribe(ended)  # it has nothing more to say
        if job not in self._subscriptions:
            self._subscriptions[job] = [
                job.on_update(self._job_updated),
                job.on_retry(self._retrying),  # its own retries: not another widget's jobs'
            ]

    def _unsubscribe(self, job: VideoJob) -> None:
        for unsubscribe in self._subscriptions.pop(job):
            unsubscribe()

    def _resume(self) -> None:
        """Follow this backend's widget jobs that no running kernel follows: the newest in the
        panel, the others in the history strip, each saved and shown when it completes."""
        jobs = resume(self.client, self.library, origin="widget")
        self._resumed.update(jobs)
        for job in jobs:
            self._follow(job)

    def _retrying(self, notice: RetryNotice) -> None:
        """A rate limit holding up the panel's job is waited out automatically: show the
        countdown meanwhile."""
        job = self._job
        if notice.status_code == 429 and job is not None and job in notice.jobs and not job.done:
            self.error = rate_limit_payload(notice.delay)

    def _job_updated(self, job: VideoJob) -> None:
        if job is not self._job:  # an earlier job, running on in the history strip
            if job.status is JobStatus.COMPLETED and job.entry is not None:
                self._remember(job.entry)
            elif job.done:
                self._forget(job.video_id)
            else:
                self._list_running(job)
            return
        if self._job in self._resumed and job.video is not None and not self.prompt:
            self._take_form(job.video)
        if self.error.get("kind") == ErrorKind.RATE_LIMIT and not job.done:
            self.error = NO_ERROR.copy()  # the retry went through
        if job.done or job.status.value != self.job.get("status"):
            self._throttle.now()
        else:
            self._throttle.soon()

    def _push(self) -> None:
        job = self._job
        if job is None:
            return
        with self.hold_sync():
            self.job = job_payload(job, resumed=job in self._resumed)
            if job.status is JobStatus.FAILED:
                self.error = error_payload(job.error)
            if job.status in (JobStatus.FAILED, JobStatus.CANCELLED):
                self._forget(job.video_id)  # it may have been listed while out of the panel
            if job.status is JobStatus.COMPLETED and job.entry is not None:
                self._remember(job.entry)
                self._show(job.entry)
        if job.status is JobStatus.COMPLETED:
            self._ask_credits()  # the job was charged: what is left changed
            for callback in self._on_complete:
                callback(self)

    def _show(self, entry: LibraryEntry) -> None:
        """Put a saved video in the player. The views ask for its bytes (see `media`); the
        spritesheet's grid and the file's sound are read in a worker thread and follow."""
        with self.hold_sync():
            if self.selected != entry.id:
                self.sprite = {}
                self.audio = None
            self.video_path = str(entry.video_path)
            self.selected = entry.id
            self._charged = entry
            self.cost = self._cost_label()
            self.remix_prompt = entry.prompt or ""

        def layout() -> tuple[SpriteLayout, str | None]:
            audio = video_facts(entry.video_path)["audio"]
            if not entry.spritesheet_path.exists():
                return {}, audio
            sheet = entry.spritesheet_path.read_bytes()
            return sprite_layout(sheet, entry.size, entry.seconds, entry.sprite), audio

        def take(facts: tuple[SpriteLayout, str | None]) -> None:
            if self.selected == entry.id:  # not replaced by another video meanwhile
                with self.hold_sync():
                    self.sprite, self.audio = facts

        self._layout = off_loop(layout, take)

    def _remember(self, entry: LibraryEntry) -> None:
        """Add a saved video to the history strip (in place of its running item, if any)."""
        self._put_in_history(
            history_item(
                entry.id,
                entry.prompt,
                VideoStatus.COMPLETED.value,
                thumbnail=entry.thumbnail_path.exists(),
                remixed_from=entry.remixed_from_video_id,
            )
        )

    def _list_running(self, job: VideoJob) -> None:
        """A job out of the panel but not finished: a history item showing its status."""
        if job.video_id is not None:
            prompt = job.video.prompt if job.video is not None else None
            self._put_in_history(history_item(job.video_id, prompt, job_payload(job)["status"]))

    def _put_in_history(self, item: HistoryItem) -> None:
        items = list(self.history)
        index = next((n for n, old in enumerate(items) if old["id"] == item["id"]), None)
        if index is None:
            items.append(item)
        elif items[index] == item:
            return
        else:
            items[index] = item
        self.history = items

    def _forget(self, video_id: str | None) -> None:
        """A job that ended without a video (failed or cancelled) leaves the strip."""
        if any(item["id"] == video_id for item in self.history):
            self.history = [item for item in self.history if item["id"] != video_id]

    def _take_form(self, video: Video) -> None:
        """After a restart the form is empty: show what the resumed job is making (and what
        Retry would make again)."""
        with self.hold_sync():
            self.prompt = video.prompt or ""
            self.model, self.size, self.seconds = video.model, video.size, video.seconds

    # ---- the form ---------------------------------------------------------------------------

    @traitlets.observe("selected", "features", "seconds")
    def _extending_changed(self, change: dict[str, Any]) -> None:
        if hasattr(self, "client"):  # the form is set before __init__ ends
            self._refresh_extending()

    def _refresh_extending(self) -> None:
        saved = bool(self.selected) and self.library.get(self.selected) is not None
        self.extending = extend_payload(
            saved,
            extension_route(self.client, self.seconds, self.model),
            self.client.support.reason("extensions"),
        )

    @traitlets.observe(
        "prompt",
        "model",
        "size",
        "seconds",
        "reference",
        "fit",
        "parameters",
        "raw_parameters",
        "images",
    )
    def _form_changed(self, change: dict[str, Any]) -> None:
        if change["name"] == "model":
            self._fit_to_model()
        self._refresh_form()

    def _fit_to_model(self) -> None:
        """A family whose limits are the server's to check (not Sora's) gets its own default
        size and duration when the current ones are not among its usual values; Sora's keep the
        choice and show it refused, so a person sees why."""
        known = self._known()
        offered = advanced_payload(self.model, known)
        names = {param["name"] for param in offered["parameters"]}
        with self.hold_sync():
            self.advanced = offered
            # The Advanced section is rebuilt: what the new model does not take goes.
            self.parameters = {k: v for k, v in self.parameters.items() if k in names}
            slots = offered["images"]["slots"]
            self.images = {k: v for k, v in self.images.items() if k in slots}
        # The server's own lists where it describes the model, else the catalog family's.
        limits: ServerModel | ModelFamily | None = known
        if limits is None:
            limits = family_of(self.model)
            if limits is None or limits.strict:
                return
        with self.hold_sync():
            if self.size not in limits.sizes:
                self.size = limits.default_size
            if self.seconds not in limits.seconds:
                self.seconds = limits.default_seconds

    async def _offer_server_models(self) -> None:
        """The Model menu from the server's own list (fetched once per client, in the
        background so no cell waits); the default model gives way to one the server has."""
        models = await self.client.server_models()
        if models is None:
            return
        with self.hold_sync():
            self.options = options(models.names, models.catalog)
            if self.model == DEFAULT_MODEL and self.model not in models.names and self._job is None:
                self.model = models.names[0]
            elif self.model in models.catalog:
                self._fit_to_model()  # the server's own lists for the model already chosen
            self.backend = backend_badge(
                self.client.display_url, self.client.is_simulator, models.kind
            )
            self._refresh_form()
        self._ask_credits()

    def _ask_credits(self) -> None:
        """Refresh what the key has left (in the background; only shown, never relied on)."""

        async def ask() -> None:
            credits = await self.client.credits()
            if credits is not None:
                self._credits = credits
                self.cost = self._cost_label()

        with contextlib.suppress(RuntimeError):  # no loop (a plain script): nothing shown
            self._credit_task = spawn(ask())

    def _known(self) -> ServerModel | None:
        """The server's own description of the chosen model (OpenRouter's catalog), if any."""
        client = getattr(self, "client", None)  # the form is set before __init__ ends
        return client.server_catalog.get(self.model) if client is not None else None

    def _refresh_form(self) -> None:
        with self.hold_sync():
            self.cost = self._cost_label()
            self.reference_info = (
                reference_info(self.reference, self.size) if self.reference else {}
            )
            self.image_info = {
                slot: reference_info(data, self.size, _SLOT_LABELS[slot])
                for slot, data in self.images.items()
                if slot in _SLOT_LABELS
            }
            self.problems = self._problems()
            refused = self.error.get("kind") == ErrorKind.INVALID and self.error.get("field")
            if refused and refused not in self.problems:
                self.error = NO_ERROR.copy()  # the field the last Generate was refused for is fixed

    def _cost_label(self) -> str:
        """The estimate for the form; beside it what the server charged for the saved video
        on screen, while the form still asks for that video's model, size and duration."""
        shown = getattr(self, "_charged", None)  # the form is set before __init__ ends
        charged = None
        if shown is not None and (shown.model, shown.size, shown.seconds) == (
            self.model,
            self.size,
            self.seconds,
        ):
            charged = shown.charged_cost
        credits = getattr(self, "_credits", None)
        return cost_label(
            self.model,
            self.size,
            self.seconds,
            charged,
            known=self._known(),
            audio=_bool_or_none(self.parameters.get("generate_audio")),
            first_frame=bool(self.reference),
            remaining=credits.remaining if credits is not None else None,
        )

    def _problems(self) -> dict[str, str]:
        known = self._known()
        problems = form_problems(self.prompt, self.model, self.size, self.seconds, known)
        info = self.reference_info
        fitted = info.get("readable") and self.fit in ("crop", "pad")
        if info and not info.get("matches") and not fitted:
            problems["reference"] = info["message"]
        fits = self.fit in ("crop", "pad")
        for slot, image in self.image_info.items():
            if not image.get("matches") and not (image.get("readable") and fits):
                problems[slot] = image["message"]
        problems.update(parameter_problems(self.model, self.parameters, self.raw_parameters, known))
        return problems

    # ---- actions from the browser -----------------------------------------------------------

    def _handle_message(self, widget: Any, content: Any, buffers: list[bytes]) -> None:
        if not isinstance(content, dict):
            return
        action = content.get("action")
        try:
            if action in ("generate", "retry"):
                self.generate()
            elif action == "cancel":
                self.cancel()
            elif action == "remix":
                self.remix()
            elif action == "extend":
                self.extend()
            elif action == "upload":
                self._take_upload(content)
            elif action == "use_settings":
                self.use_settings(str(content.get("id", "")) or None)
            elif action == "select":
                self._select(str(content.get("id", "")))
            elif action == "media":
                self.send_media(content.get("keys"), self.library)
        except Exception as error:  # shown in the panel, in plain words: never a traceback
            self.error = error_payload(error)

    def _take_upload(self, content: dict[str, Any]) -> None:
        """A piece of an image from the browser (see `uploads`); the trait is set when whole."""
        done = self._uploads.take(content)
        if done is None:
            return
        slot, data, name = done
        if slot == "reference":
            with self.hold_sync():
                self.reference, self.reference_name = data, name
        else:
            self.images = {**self.images, slot: data}

    def _running(self) -> list[VideoJob]:
        return [job for job in self._jobs if not job.done]

    def _select(self, video_id: str) -> None:
        """A click in the history strip: a saved video plays, a running job takes the panel."""
        running = [job for job in self._running() if job.video_id == video_id]
        if running:
            self._follow(running[0])
            self._throttle.now()
        elif (entry := self.library.get(video_id)) is not None:
            self._show(entry)


def _bool_or_none(value: object) -> bool | None:
    return value if isinstance(value, bool) else None
