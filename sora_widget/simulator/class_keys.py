"""A class's key file: one `name,key` row per student (and one named `teacher`), so a teacher
hands each student a key of their own and reads who made what by name.

The file is the teacher's: it is read where they keep it (never copied into the data folder),
and no key from it is ever logged or shown.
"""

from __future__ import annotations

import csv
import os
import secrets
from pathlib import Path

#: The row whose key sees every owner's videos (see `SimulatorConfig.teacher_key`).
TEACHER = "teacher"
#: What a row holds, in this order.
COLUMNS = "name,key"


class ClassKeysError(ValueError):
    """A key file the simulator refuses to start with."""


def read_class_keys(path: Path) -> dict[str, str]:
    """Each key of the file with its name; refuses a row without both, or a repeated key or
    name, naming the file, the line and what a row may be."""
    keys: dict[str, str] = {}
    names: set[str] = set()
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise ClassKeysError(f"cannot read the key file {path}: {error.strerror}") from None
    for line, row in enumerate(csv.reader(text.splitlines()), start=1):
        if not row or not "".join(row).strip():
            continue
        where = f"key file {path}, line {line}"
        if len(row) != 2:
            raise ClassKeysError(f"{where}: expected two columns, {COLUMNS}; got {len(row)}")
        name, key = row[0].strip(), row[1].strip()
        if not name or not key:
            missing = "name" if not name else "key"
            raise ClassKeysError(f"{where}: the {missing} is empty (each row is {COLUMNS})")
        once = f"each row is {COLUMNS}, every key and every name used once"
        if key in keys:
            raise ClassKeysError(f"{where}: this key is already {keys[key]!r}'s; {once}")
        if name in names:
            raise ClassKeysError(f"{where}: the name {name!r} is already used; {once}")
        keys[key] = name
        names.add(name)
    if not keys:
        raise ClassKeysError(f"key file {path} has no rows; each row is {COLUMNS}")
    return keys


def make_class_keys(path: Path, students: int) -> None:
    """Writes `students` random keys (student01, student02, ...) and a teacher's, readable by
    its user only; never over an existing file, which may be a class's keys in use."""
    if students < 1:
        raise ClassKeysError(f"--make-keys must be 1 or more students, got {students}")
    width = max(2, len(str(students)))
    names = [f"student{n:0{width}d}" for n in range(1, students + 1)] + [TEACHER]
    rows = "".join(f"{name},{secrets.token_urlsafe(24)}\n" for name in names)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise ClassKeysError(
            f"the key file {path} already exists; not overwriting it (its keys may be in "
            "use). Remove it, or start with --keys alone to use it."
        ) from None
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(rows)
