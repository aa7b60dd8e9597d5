"""Who made each video and character: a key is an owner, and a caller sees only its own.

A record names its owner by a salted hash of the key that created it, never the key itself;
the salt is random per data folder and kept in it, so the same key is the same owner after a
restart while a hash taken from one folder says nothing about a key in another. A record
written before owners existed has none and stays visible to every key, so an old data folder
keeps working.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

from starlette.requests import Request

from .gate import presented_key

SALT_FILE = "owner-salt.key"
#: The caller who sees every owner's videos (owners are hex digests, so it names nobody).
EVERYONE = "*"
#: The characters of an owner's hash the teacher sees as its name.
OWNER_NAME_CHARS = 8


class Owned(Protocol):
    """What has an owner: a video or a character (see `store`); None when it was made
    before owners existed."""

    @property
    def owner(self) -> str | None: ...


def folder_secret(path: Path) -> bytes:
    """A random secret kept at `path` (made once, readable by its user only), so it outlives
    the server; two servers starting at once agree on the first one written."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
    return bytes.fromhex(path.read_text().strip())


class Owners:
    """Names the owner of a key, and says whether an owner may see a record; the teacher's
    key (see `SimulatorConfig.teacher_key`) sees every owner's."""

    def __init__(
        self,
        data_dir: Path,
        teacher_key: str | None = None,
        names: Mapping[str, str] | None = None,
    ) -> None:
        """`names`: a class's keys with their names (see `class_keys`), shown to the teacher."""
        self._salt = folder_secret(Path(data_dir) / SALT_FILE)
        self._teacher = self.of_key(teacher_key) if teacher_key else None
        self._names = {self.of_key(key): name for key, name in (names or {}).items()}

    def of_key(self, key: str) -> str:
        return hmac.new(self._salt, key.encode(), hashlib.sha256).hexdigest()

    def of_request(self, request: Request) -> str | None:
        """The caller's owner; None for a request without a key (the gate lets none through
        to an owned route), which sees only records without an owner."""
        key = presented_key(request.scope)
        return self.of_key(key) if key is not None else None

    def sees(self, owner: str | None, record: Owned) -> bool:
        return owner in (EVERYONE, record.owner) or record.owner is None or self.is_teacher(owner)

    def is_teacher(self, owner: str | None) -> bool:
        return owner is not None and owner == self._teacher

    def name_of(self, owner: str | None) -> str | None:
        """An owner as the teacher reads it: its name in the class's key file, else its
        hash's first characters; None for a video made before owners."""
        if owner is None:
            return None
        return self._names.get(owner, owner[:OWNER_NAME_CHARS])

    def shown_to(self, owner: str | None, record: Owned) -> dict[str, str | None]:
        """What the teacher sees of whose a video or character is: `{"owner": name}` (see
        `name_of`); nothing for anyone else."""
        if not self.is_teacher(owner):
            return {}
        return {"owner": self.name_of(record.owner)}
