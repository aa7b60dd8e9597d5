"""What the widget's traits carry, computed from the job, the errors and the form.

Kept apart from `SoraWidget` (the lonboard way): these are plain functions from domain objects
to JSON-ready dicts, so they are tested without a widget, a kernel or a browser.
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, TypedDict
from urllib.parse import urlsplit

from PIL import Image, UnidentifiedImageError

from sora_widget.core.catalog import (
    FAMILIES,
    ParamPayload,
    family_of,
    images_of,
    offered_models,
    parameters_of,
)
from sora_widget.core.errors import (
    APIConnectionError,
    APIError,
    AuthenticationError,
    BadRequestError,
    CompletedWithoutVideo,
    ConflictError,
    InsufficientCredits,
    InvalidRequestError,
    JobTimeout,
    ModerationBlocked,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    UnsupportedFeature,
    VideoFailed,
)
from sora_widget.core.pictures import sprite_grid
from sora_widget.core.pricing import estimate_cost
from sora_widget.core.server_catalog import ServerModel
from sora_widget.core.shared import ErrorKind, ShownStatus
from sora_widget.core.types import MAX_PROMPT_CHARS, parse_size
from sora_widget.core.validation import (
    RAW_FIELD,
    parse_raw_parameters,
    validate_duration,
    validate_model,
    validate_parameter,
    validate_prompt,
    validate_size,
)
from sora_widget.engine.jobs import JobStatus, VideoJob
from sora_widget.engine.openrouter import check_size, duration_of

#: The Advanced section's image slots beyond the first frame (the `reference` trait), by key.
LAST_FRAME = "last_frame"
REFERENCE_SLOTS = ("reference_1", "reference_2", "reference_3")

#: The statuses the front end shows; SUBMITTING looks like Queued, SAVING like In progress.
_SHOWN_STATUS = {
    JobStatus.SUBMITTING: ShownStatus.QUEUED,
    JobStatus.QUEUED: ShownStatus.QUEUED,
    JobStatus.IN_PROGRESS: ShownStatus.IN_PROGRESS,
    JobStatus.SAVING: ShownStatus.IN_PROGRESS,
    JobStatus.COMPLETED: ShownStatus.COMPLETED,
    JobStatus.FAILED: ShownStatus.FAILED,
    JobStatus.CANCELLED: ShownStatus.CANCELLED,
}


# ---- what the traits carry (the front end reads these keys: js/) ------------------------------


class JobPayload(TypedDict):
    """The `job` trait: the panel's status, progress bar and clock."""

    id: str | None
    status: ShownStatus
    progress: int
    #: Epoch milliseconds, so the browser ticks the elapsed clock on its own.
    started_at: int | None
    finished_at: int | None
    eta_seconds: float | None
    resumed: bool
    indeterminate: bool
    typical_seconds: int | None


class ErrorPayload(TypedDict):
    """The `error` trait: a kind (the panel's title), the words, the form field it is about,
    and when a rate-limited request is retried (epoch milliseconds)."""

    kind: str
    message: str
    field: str | None
    retry_at: int | None


class OptionsPayload(TypedDict):
    """The `options` trait: the form's menus, per model."""

    models: list[str]
    sizes: dict[str, list[str]]
    size_menu: dict[str, list[str]]
    all_sizes: list[str]
    seconds: dict[str, list[str]]
    size_labels: dict[str, dict[str, str]]
    all_seconds: list[str]
    max_prompt_chars: int


class BackendBadge(TypedDict):
    """The `backend` trait: who answers, and its address."""

    label: str
    title: str


class HistoryItem(TypedDict):
    """One video of the `history` trait's strip."""

    id: str
    prompt: str
    status: str
    thumbnail: bool
    remixed_from: str | None


class ExtendPayload(TypedDict):
    """The `extending` trait: the Extend button."""

    route: str
    label: str
    title: str
    reason: str


class AdvancedImages(TypedDict):
    """The image slots the Advanced section shows: a first frame, and the others by key."""

    first: bool
    slots: list[str]


class AdvancedPayload(TypedDict):
    """The `advanced` trait: the model's extra parameters and image slots."""

    parameters: list[ParamPayload]
    images: AdvancedImages


class ReferenceInfo(TypedDict, total=False):
    """The `reference_info` trait (and each of `image_info`'s): an uploaded image's size and
    whether it fits the video's; empty when there is no image."""

    width: int
    height: int
    matches: bool
    readable: bool
    message: str


class SpriteLayout(TypedDict, total=False):
    """The `sprite` trait: the spritesheet's grid; empty when it is unknown (no hover
    preview)."""

    columns: int
    rows: int
    tile_width: float
    tile_height: float
    seconds: float


class VideoFacts(TypedDict):
    """What a saved file's header says: frames per second and the sound's codec."""

    fps: float | None
    audio: str | None


IDLE_JOB: JobPayload = {
    "id": None,
    "status": ShownStatus.IDLE,
    "progress": 0,
    "started_at": None,
    "finished_at": None,
    "eta_seconds": None,
    "resumed": False,
    "indeterminate": False,
    "typical_seconds": None,
}
NO_ERROR: ErrorPayload = {"kind": "", "message": "", "field": None, "retry_at": None}


def options(
    models: list[str] | None = None, catalog: Mapping[str, ServerModel] | None = None
) -> OptionsPayload:
    """The choices the form offers for each model, from the server's `catalog` where it
    describes the model (OpenRouter), else from the built-in catalog.

    Per model: `sizes` it allows, `size_menu` the sizes its menu shows (a strict family's menu
    also shows its siblings' sizes, disabled, so a person sees what Pro adds), `seconds`, and
    `size_labels` where the server names its sizes ("1280x720 · 720p 16:9").
    A model nobody describes gets every size and duration, checked for shape only.
    """
    models = models or offered_models()
    catalog = catalog or {}
    sizes: dict[str, list[str]] = {}
    menus: dict[str, list[str]] = {}
    seconds: dict[str, list[str]] = {}
    labels: dict[str, dict[str, str]] = {}
    strict_sizes = _union(family.sizes for family in FAMILIES if family.strict)
    for model in models:
        known = catalog.get(model)
        if known is not None:
            sizes[model] = menus[model] = list(known.sizes)
            seconds[model] = seconds_of(model, catalog)
            labels[model] = {size: known.size_label(size) for size in known.sizes}
            continue
        family = family_of(model)
        if family is None:
            continue
        sizes[model] = list(family.sizes)
        menus[model] = strict_sizes if family.strict else list(family.sizes)
        seconds[model] = seconds_of(model, catalog)
    return {
        "models": models,
        "sizes": sizes,
        "size_menu": menus,
        "all_sizes": _union(family.sizes for family in FAMILIES),
        "seconds": seconds,
        "size_labels": labels,
        "all_seconds": every_seconds(),
        "max_prompt_chars": MAX_PROMPT_CHARS,
    }


def seconds_of(model: str, catalog: Mapping[str, ServerModel]) -> list[str]:
    """The durations `model` allows, as the Duration menus offer them: the server's catalog
    where it describes the model, else the built-in one; every known duration (checked for
    shape only) for a model nobody describes."""
    known = catalog.get(model)
    if known is not None:
        return list(known.seconds)
    family = family_of(model)
    if family is not None:
        return list(family.seconds)
    return every_seconds()


def every_seconds() -> list[str]:
    """Every duration the built-in catalog knows, shortest first."""
    return sorted(_union(f.seconds for f in FAMILIES), key=float)


def _union(groups: Iterable[tuple[str, ...]]) -> list[str]:
    """The values of every group, each once, in first-seen order."""
    return list(dict.fromkeys(value for group in groups for value in group))


def backend_badge(base_url: str, is_simulator: bool, kind: str | None = None) -> BackendBadge:
    """'Simulator', or the server's host and kind ("LiteLLM"): the user always knows who is
    being paid."""
    label = "Simulator" if is_simulator else (urlsplit(base_url).hostname or base_url)
    if kind and not is_simulator:
        label = f"{label} · {kind}"
    return {"label": label, "title": f"{kind} at {base_url}" if kind else base_url}


def dollars(costs: Iterable[float | None]) -> str:
    """ "$1.20" for the costs; "" when none is known. Some unknown: "$1.20 + 1 unpriced", so a
    partial sum never reads as the total."""
    listed = list(costs)
    known = [cost for cost in listed if cost is not None]
    if not known:
        return ""
    unpriced = len(listed) - len(known)
    return f"${sum(known):.2f}" + (f" + {unpriced} unpriced" if unpriced else "")


def cost_label(
    model: str,
    size: str,
    seconds: str,
    charged: float | None = None,
    *,
    known: ServerModel | None = None,
    audio: bool | None = None,
    first_frame: bool = False,
    remaining: float | None = None,
) -> str:
    """ "≈ $0.40", and "charged $0.40" beside it when the server said what a saved video of
    these settings cost (LiteLLM's cost header, OpenRouter's `usage.cost`). From the server's
    own prices where it publishes them (`known`), "price charged after" where their unit
    cannot be counted beforehand; and what the key has left (`remaining`), with a warning
    when the estimate is more than that."""
    if known is not None:
        estimate = known.estimate(size, seconds, audio=audio, first_frame=first_frame)
        cost, note = estimate.usd, estimate.note
    else:
        cost, note = estimate_cost(model, size, seconds), ""
    parts = [f"≈ ${cost:.2f}"] if cost is not None else ([f"price {note}"] if note else [])
    if charged is not None:
        parts.append(f"charged ${charged:.2f}")
    if remaining is not None:
        short = cost is not None and cost > remaining
        parts.append(
            f"more than the ${remaining:.2f} left on this key"
            if short
            else f"${remaining:.2f} left on this key"
        )
    return " · ".join(parts)


def job_payload(job: VideoJob, *, resumed: bool = False, now: float | None = None) -> JobPayload:
    """Times as epoch milliseconds, so the browser ticks the elapsed clock on its own.

    `resumed`: the job was started before a kernel restart and picked up again.
    """
    now = time.time() if now is None else now
    started = now - job.elapsed
    if resumed and job.video is not None:  # it began before the restart, on the server's clock
        started = min(started, job.video.created_at)
    return {
        "id": job.video_id,
        "status": _SHOWN_STATUS[job.status],
        "progress": job.progress,
        "started_at": int(started * 1000),
        "finished_at": int(now * 1000) if job.done else None,
        "eta_seconds": None if job.eta is None else round(job.eta, 1),
        "resumed": resumed,
        # The server's progress is unusable (absent, a fraction, in stages, still): the panel
        # shows an indeterminate bar and the elapsed time against the model's usual time.
        "indeterminate": job.indeterminate,
        "typical_seconds": round(job.typical_seconds),
    }


def history_item(
    video_id: str,
    prompt: str | None,
    status: str,
    *,
    thumbnail: bool = False,
    remixed_from: str | None = None,
) -> HistoryItem:
    """One video in the history strip: a finished one, or a running job. Only small JSON: the
    whole list goes to the views on every change, so a thumbnail (`thumbnail`: whether there
    is one) is fetched by the views once, by key (see `media`)."""
    return {
        "id": video_id,
        "prompt": prompt or "",
        "status": status,
        "thumbnail": thumbnail,
        "remixed_from": remixed_from,
    }


def error_payload(error: BaseException | None) -> ErrorPayload:
    """Plain words and what to do next; never a traceback, never the key."""
    if error is None:
        return NO_ERROR.copy()
    field = None
    if isinstance(error, ModerationBlocked):
        kind = ErrorKind.MODERATION
        message = (
            f"{error.message} Change the prompt or the reference image: content must suit "
            "under-18 audiences, with no real people, copyrighted characters or music."
        )
    elif isinstance(error, InvalidRequestError):
        kind, field, message = ErrorKind.INVALID, error.param, error.message
    elif isinstance(error, RateLimitError):
        return {
            **rate_limit_payload(error.retry_after or 10.0),
            "message": f"Rate limit reached: {error.message} Wait a moment, then Retry.",
        }
    elif isinstance(error, AuthenticationError):
        kind = ErrorKind.AUTH
        message = (
            "The server refused the API key. Check OPENAI_API_KEY, or unset it to use the "
            "local simulator."
        )
    elif isinstance(error, APIConnectionError):
        kind = ErrorKind.CONNECTION
        message = f"Cannot reach the server: {error}. Check that it is running and reachable."
    elif isinstance(error, CompletedWithoutVideo):
        kind, message = ErrorKind.NO_VIDEO, error.message
    elif isinstance(error, JobTimeout):
        kind, video_id = ErrorKind.TIMEOUT, error.video_id
        named = f' or SoraWidget.from_id("{video_id}")' if video_id and len(video_id) <= 64 else ""
        message = (
            "The panel stopped waiting: the video took longer than its timeout. It may still "
            f"finish on the server: run the cell again{named} to pick it up; it is not paid "
            "twice."
        )
    elif isinstance(error, VideoFailed):
        kind, message = ErrorKind.FAILED, f"The video failed: {error.message} Try again with Retry."
    elif isinstance(error, UnsupportedFeature):
        kind, message = ErrorKind.UNSUPPORTED, error.message
    elif isinstance(error, APIError):
        kind, field, message = _api_error_words(error)
    else:
        kind, message = ErrorKind.FAILED, f"Something went wrong: {type(error).__name__}: {error}"
    return {"kind": kind, "message": message, "field": field, "retry_at": None}


#: The server's refusals, each with its own kind (the panel's title: `shared.ERROR_TITLES`) and
#: what to do; `{said}` is the server's message, `{status}` the HTTP status.
_API_ERROR_ADVICE: tuple[tuple[type[APIError], ErrorKind, str], ...] = (
    (
        InsufficientCredits,
        ErrorKind.CREDITS,
        "Not enough credits on this key: {said} Nothing was made or charged: add credits, or "
        "choose a shorter or smaller video.",
    ),
    (
        ServerError,
        ErrorKind.SERVER,
        "The server failed ({status}): {said} Not your request: try again later.",
    ),
    (
        NotFoundError,
        ErrorKind.NOT_FOUND,
        "Not found: {said} The video was deleted or has expired (or belongs to another "
        "project): generate it again.",
    ),
    (
        PermissionDeniedError,
        ErrorKind.PERMISSION,
        "Permission denied: {said} The API key cannot use this model or endpoint: choose "
        "another model, or ask the key's owner for access.",
    ),
    (
        ConflictError,
        ErrorKind.CONFLICT,
        "{said} The video is not ready for this: wait until it has completed, then try again.",
    ),
    (
        APIError,
        ErrorKind.REFUSED,
        "The server refused the request ({status}): {said} Check that OPENAI_BASE_URL points "
        "at the Videos API.",
    ),
)


def _api_error_words(error: APIError) -> tuple[ErrorKind, str | None, str]:
    """(kind, field, message) for an error the server answered with."""
    if isinstance(error, BadRequestError):
        return ErrorKind.INVALID, error.param, error.message
    said = error.message.rstrip(".") + "."
    reasons = error.metadata.get("reasons")
    if isinstance(error, PermissionDeniedError) and isinstance(reasons, list) and reasons:
        why = "; ".join(str(reason) for reason in reasons[:5])
        refused = f"Refused by moderation ({why}): {said} Change the prompt."
        return ErrorKind.MODERATION, None, refused
    if isinstance(error, ServerError) and error.status_code == 502:
        failed = f"The provider behind the server failed (502): {said} Try again."
        return ErrorKind.SERVER, None, failed
    kind, advice = next((k, a) for c, k, a in _API_ERROR_ADVICE if isinstance(error, c))
    return kind, error.param, advice.format(said=said, status=error.status_code)


#: The Extend button's name and tooltip for each route (see `extending`).
_EXTEND_WORDS = {
    "extension": ("Extend", "Continue this video with the prompt above, by the Duration chosen."),
    "continuation": (
        "Continue",
        "Continue from the last frame: a new video of the Duration chosen, whose first image "
        "is this video's last frame.",
    ),
}


def extend_payload(saved: bool, route: str, missing: str = "") -> ExtendPayload:
    """The Extend button: its name, what it will do, and why it is disabled ("" if it is not).
    `missing` is why the server lacks the extensions route, when it is known to."""
    label, title = _EXTEND_WORDS[route]
    reason = "" if saved else "Generate a video first: only a saved video can be extended."
    return {
        "route": route,
        "label": label,
        "title": f"{missing} {title}".strip() if missing else title,
        "reason": reason,
    }


def rate_limit_payload(wait: float) -> ErrorPayload:
    """The server asked us to slow down: say so, with the moment the retry happens."""
    return {
        "kind": ErrorKind.RATE_LIMIT,
        "message": f"Rate limit reached: the server asked to wait {wait:.0f} s. "
        "The request is retried automatically.",
        "field": None,
        "retry_at": int((time.time() + wait) * 1000),
    }


def form_problems(
    prompt: str, model: str, size: str, seconds: str, known: ServerModel | None = None
) -> dict[str, str]:
    """Every field that would be refused, with the reason: Generate stays disabled until none.
    A model the server describes (`known`) is checked against its own lists."""
    problems: dict[str, str] = {}
    for field, check in (
        ("prompt", lambda: validate_prompt(prompt)),
        ("model", lambda: validate_model(model)),
        ("size", lambda: check_size(size, known) if known else validate_size(size, model)),
        (
            "seconds",
            lambda: duration_of(seconds, known) if known else validate_duration(seconds, model),
        ),
    ):
        try:
            check()
        except InvalidRequestError as error:
            problems[field] = error.message
    return problems


def advanced_payload(model: str, known: ServerModel | None = None) -> AdvancedPayload:
    """What the Advanced section shows for `model`: its parameters and its image slots (the
    server's own, where it describes the model)."""
    slots = (known.images if known else images_of(model)).payload()
    params = known.parameters if known else parameters_of(model)
    return {
        "parameters": [param.payload() for param in params],
        "images": {
            "first": slots["first"],
            "slots": ([LAST_FRAME] if slots["last"] else [])
            + list(REFERENCE_SLOTS[: slots["references"]]),
        },
    }


def parameter_problems(
    model: str, values: dict[str, Any], raw: str, known: ServerModel | None = None
) -> dict[str, str]:
    """Each Advanced field that would be refused, by name, and the raw JSON field's problem."""
    problems: dict[str, str] = {}
    for param in known.parameters if known else parameters_of(model):
        try:
            validate_parameter(param, values.get(param.name))
        except InvalidRequestError as error:
            problems[param.name] = error.message
    try:
        parse_raw_parameters(raw)
    except InvalidRequestError as error:
        problems[RAW_FIELD] = error.message
    return problems


def reference_info(data: bytes, size: str, label: str = "The reference image") -> ReferenceInfo:
    """What the kernel sees in the uploaded image, and whether it fits the chosen size."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return {
            "width": 0,
            "height": 0,
            "matches": False,
            "readable": False,
            "message": f"{label} could not be read: use a JPEG, PNG or WebP file.",
        }
    matches = f"{width}x{height}" == size
    message = (
        ""
        if matches
        else f"{label} is {width}x{height} but the video is {size}: choose Crop or "
        "Pad to fit it, or pick a matching size."
    )
    return {
        "width": width,
        "height": height,
        "matches": matches,
        "readable": True,
        "message": message,
    }


def sprite_layout(
    sheet: bytes, video_size: str, seconds: str, grid: dict[str, int] | None = None
) -> SpriteLayout:
    """The spritesheet's grid, for mapping a hover position to a tile.

    The API does not publish the grid: it is measured from the image (`pictures.sprite_grid`)
    when the library saves the video, and passed here as `grid` (`LibraryEntry.sprite`); a
    video saved before that is measured now. A sheet or size the server got wrong gives {} (no
    hover preview), so the video still plays.
    """
    try:
        with Image.open(io.BytesIO(sheet)) as image:
            sheet_width, sheet_height = image.size
            if grid is None:
                video_width, video_height = parse_size(video_size)
                columns, rows = sprite_grid(image, video_width, video_height)
            else:
                columns, rows = int(grid["columns"]), int(grid["rows"])
        if columns < 1 or rows < 1:
            return {}
        duration = float(seconds)
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        KeyError,
        TypeError,
        ZeroDivisionError,
        Image.DecompressionBombError,
    ):
        return {}
    return {
        "columns": columns,
        "rows": rows,
        "tile_width": round(sheet_width / columns, 2),
        "tile_height": round(sheet_height / rows, 2),
        "seconds": duration,
    }


def video_facts(path: Path) -> VideoFacts:
    """What the saved file holds, read from its header (not guessed per backend): `fps`, the
    front end's frame step and sync tolerance, and `audio`, the sound's codec ("aac"), "" for
    a silent video, so a view can say when it cannot decode the sound. None where unreadable."""
    import av  # the video stack loads when a video is first read, not with the package

    try:
        with av.open(str(path)) as container:
            rate = container.streams.video[0].average_rate
            sound = container.streams.audio
            audio = sound[0].codec_context.name if sound else ""
    except (av.FFmpegError, IndexError, OSError):
        return {"fps": None, "audio": None}
    return {"fps": float(rate) if rate else None, "audio": audio}
