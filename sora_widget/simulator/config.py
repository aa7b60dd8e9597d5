"""How a simulator behaves: where it keeps its data, how fast it runs, which faults it injects.

Settings come from arguments (Python API, CLI flags) or `SORA_SIM_*` environment variables, so a
teacher can start a classroom server that fails in exactly the ways they want to show.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .class_keys import TEACHER, read_class_keys
from .flaw_choice import FLAWS, FlawChoice
from .profiles import DEFAULT_PROFILE, profile_named


def machine_cores() -> int:
    """The cores this process may run on: the most render workers that can run at once."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def default_data_dir() -> Path:
    """Per-user data folder, so a kernel restart or a second notebook sees the same jobs."""
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "sora-widget" / "simulator"


@dataclass(frozen=True)
class FaultConfig:
    """Seeded fault injection: the same seed and requests give the same failures."""

    seed: int = 0
    #: Prompts containing any of these words fail with `moderation_blocked`.
    blocked_words: tuple[str, ...] = ()
    #: Prompts containing any of these words complete without a video, as on Veo when a
    #: safety filter removes the output: the job says completed, its content is missing.
    no_video_words: tuple[str, ...] = ()
    #: Share of generations that end `failed` with `video_generation_failed`.
    failure_rate: float = 0.0
    #: Requests per key within the window before 429 with `Retry-After`; 0 means unlimited.
    rate_limit_per_minute: int = 0
    #: The rate limit's window: a minute, as on the real service; shorter for a quick demo.
    rate_limit_window_seconds: float = 60.0
    #: Share of requests answered 500 / 503 before any work is done.
    server_error_rate: float = 0.0
    unavailable_rate: float = 0.0
    #: Share of responses cut off after the work was done (the client sees a dropped connection).
    drop_rate: float = 0.0
    #: Share of content downloads whose body stops halfway.
    truncate_rate: float = 0.0
    #: OpenRouter profile: prompts containing any of these words end `cancelled` ("Job was
    #: cancelled") or `expired` ("Job exceeded maximum time to live"), OpenRouter's two other
    #: terminal states, which its public API gives no way to cause.
    cancel_words: tuple[str, ...] = ()
    expire_words: tuple[str, ...] = ()

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> FaultConfig:
        env = os.environ if environ is None else environ
        return cls(
            seed=int(env.get("SORA_SIM_SEED", "0")),
            blocked_words=_words(env.get("SORA_SIM_BLOCKED_WORDS", "")),
            no_video_words=_words(env.get("SORA_SIM_NO_VIDEO_WORDS", "")),
            failure_rate=float(env.get("SORA_SIM_FAILURE_RATE", "0")),
            rate_limit_per_minute=int(env.get("SORA_SIM_RATE_LIMIT", "0")),
            rate_limit_window_seconds=float(env.get("SORA_SIM_RATE_WINDOW", "60")),
            server_error_rate=float(env.get("SORA_SIM_SERVER_ERROR_RATE", "0")),
            unavailable_rate=float(env.get("SORA_SIM_UNAVAILABLE_RATE", "0")),
            drop_rate=float(env.get("SORA_SIM_DROP_RATE", "0")),
            truncate_rate=float(env.get("SORA_SIM_TRUNCATE_RATE", "0")),
            cancel_words=_words(env.get("SORA_SIM_CANCEL_WORDS", "")),
            expire_words=_words(env.get("SORA_SIM_EXPIRE_WORDS", "")),
        )


def _words(listed: str) -> tuple[str, ...]:
    """A comma-separated list of words from the environment."""
    return tuple(word.strip() for word in listed.split(",") if word.strip())


@dataclass(frozen=True)
class SimulatorConfig:
    data_dir: Path = field(default_factory=default_data_dir)
    #: Time compression: 1.0 is the realistic-but-compressed default, 20 makes tests quick.
    speed: float = 1.0
    #: When set, only this key is accepted; otherwise any non-empty key is.
    api_key: str | None = None
    #: How long download links stay valid after completion, in (unscaled) seconds.
    link_ttl_seconds: int = 3600
    faults: FaultConfig = field(default_factory=FaultConfig)
    #: Host names answered besides loopback ones (see `limits.LOOPBACK_HOSTS`), say the name
    #: of a classroom server; every other `Host` is refused, against DNS rebinding.
    allowed_hosts: tuple[str, ...] = ()
    #: Which server to play (see `profiles`): "openai", "vllm-omni", "sglang", "gateway" or
    #: "openrouter".
    profile: str = DEFAULT_PROFILE
    #: OpenRouter profile: each key's balance in USD; a job that would overspend it is a 402.
    #: None: no limit (`/key` reports `limit: null`).
    credits: float | None = None
    #: Render processes: a class shares them, taking turns by key (see `fair_queue`).
    workers: int = field(default_factory=machine_cores)
    #: Videos one key may have queued or in progress; its next create is a 429. 0: no cap.
    per_key_jobs: int = 0
    #: This key sees, lists and deletes every owner's videos (each names its owner), as a
    #: teacher's does on a class's simulator; any other key only its own (see `owners`).
    teacher_key: str | None = None
    #: A class's key file (see `class_keys`): only its keys are accepted, each owner is shown
    #: by its name, and its `teacher` row is the teacher's key.
    keys_file: Path | None = None
    #: Renders without the families' deliberate flaws (see `flaw_choice`), for a clean demo.
    no_flaws: bool = False
    #: Renders with only this flaw, in every video: a class looks for one thing at a time.
    flaw: str | None = None
    #: Each key of `keys_file` with its name (empty without one), read once at start.
    class_keys: dict[str, str] = field(init=False, repr=False, compare=False)

    @property
    def flaws(self) -> FlawChoice:
        """What every render is told about flaws."""
        return FlawChoice(enabled=not self.no_flaws, only=self.flaw)

    @property
    def teacher(self) -> str | None:
        """The key that sees every owner: `teacher_key`, else the key file's teacher row."""
        if self.teacher_key:
            return self.teacher_key
        return next((k for k, name in self.class_keys.items() if name == TEACHER), None)

    def __post_init__(self) -> None:
        if self.speed <= 0:
            raise ValueError(f"speed must be a positive number, got {self.speed}")
        cores = machine_cores()
        if not 1 <= self.workers <= cores:
            raise ValueError(
                f"--workers (SORA_SIM_WORKERS) must be from 1 to {cores}, this machine's cores; "
                f"got {self.workers}"
            )
        if self.per_key_jobs < 0:
            raise ValueError(
                "--per-key-jobs (SORA_SIM_PER_KEY_JOBS) must be 0 (no cap) or more, "
                f"got {self.per_key_jobs}"
            )
        if self.credits is not None and not self.credits >= 0:
            raise ValueError(f"credits must be a number of USD, 0 or more, got {self.credits}")
        profile_named(self.profile)
        if self.flaw is not None and self.flaw not in FLAWS:
            raise ValueError(
                f"--flaw (SORA_SIM_FLAW) must be one of {', '.join(FLAWS)}; got {self.flaw!r}"
            )
        if self.flaw is not None and self.no_flaws:
            raise ValueError("--flaw (SORA_SIM_FLAW) asks for a flaw that --no-flaws turns off")
        # A bad key file is refused at start, not at a student's first request.
        keys = read_class_keys(self.keys_file) if self.keys_file else {}
        object.__setattr__(self, "class_keys", keys)
        for host in self.allowed_hosts:
            # The patterns Starlette's TrustedHostMiddleware accepts: a name, or "*.domain".
            if not host or "*" in host[1:] or (host.startswith("*") and not host.startswith("*.")):
                raise ValueError(f"allowed host must be a name or '*.domain', got {host!r}")

    def __repr__(self) -> str:
        # The keys are never shown, not even in a repr in a traceback.
        key = "set" if self.api_key else None
        teacher = "set" if self.teacher_key else None
        return (
            f"SimulatorConfig(data_dir={str(self.data_dir)!r}, speed={self.speed}, "
            f"api_key={key}, link_ttl_seconds={self.link_ttl_seconds}, faults={self.faults}, "
            f"allowed_hosts={self.allowed_hosts}, profile={self.profile!r}, "
            f"credits={self.credits}, workers={self.workers}, per_key_jobs={self.per_key_jobs}, "
            f"teacher_key={teacher}, keys_file={self.keys_file}, no_flaws={self.no_flaws}, "
            f"flaw={self.flaw})"
        )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SimulatorConfig:
        env = os.environ if environ is None else environ
        data_dir = env.get("SORA_SIM_DATA_DIR")
        hosts = env.get("SORA_SIM_ALLOWED_HOSTS", "")
        credits = env.get("SORA_SIM_CREDITS")
        workers = env.get("SORA_SIM_WORKERS")
        keys_file = env.get("SORA_SIM_KEYS")
        return cls(
            data_dir=Path(data_dir) if data_dir else default_data_dir(),
            speed=float(env.get("SORA_SIM_SPEED", "1")),
            api_key=env.get("SORA_SIM_API_KEY") or None,
            link_ttl_seconds=int(env.get("SORA_SIM_LINK_TTL", "3600")),
            faults=FaultConfig.from_env(env),
            allowed_hosts=tuple(h.strip() for h in hosts.split(",") if h.strip()),
            profile=env.get("SORA_SIM_PROFILE") or DEFAULT_PROFILE,
            credits=float(credits) if credits else None,
            workers=int(workers) if workers else machine_cores(),
            per_key_jobs=int(env.get("SORA_SIM_PER_KEY_JOBS", "0")),
            teacher_key=env.get("SORA_SIM_TEACHER_KEY") or None,
            keys_file=Path(keys_file) if keys_file else None,
            no_flaws=env.get("SORA_SIM_NO_FLAWS", "") not in ("", "0"),
            flaw=env.get("SORA_SIM_FLAW") or None,
        )
