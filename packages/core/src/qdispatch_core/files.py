"""qdispatch's files are private to their owner: the database holds every user's circuits,
results and (sealed) credentials, its -wal/-shm files hold recent pages of it in clear, and the
worker's log and the secret key are no one else's business either.

Here, not in an adapter, because the SQL adapter (the database) and the app (data and config
directories, the worker's log, the key) both need it; it is plain standard library.

SQLite creates the -wal and -shm files with the mode of the database file, so creating the
database 0600 (whatever the umask) makes all three private; files made by an older version are
tightened to 0600 when opened. A directory the database is created in is made 0700; an existing
directory is left alone (`--db /tmp/x.db` must not change /tmp).
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700
SIDE_FILES = ("-wal", "-shm", "-journal")


def private_dir(path: Path, *, tighten_existing: bool = False) -> None:
    """Create `path` (and missing parents) 0700, regardless of the umask. An existing one is
    tightened only when asked: qdispatch's own data and config directories, never a directory
    someone merely pointed `--db` into."""
    if path.is_dir():
        if tighten_existing:
            tighten(path)
        return
    missing = []
    for parent in (path, *path.parents):
        if parent.exists():
            break
        missing.append(parent)
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    for created in missing:
        with contextlib.suppress(OSError):  # another process made it first, as its own
            os.chmod(created, DIR_MODE)


def private_file(path: Path) -> None:
    """Create `path` empty and 0600 unless it exists; make an existing one 0600."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        tighten(path)
    else:
        os.close(fd)
        os.chmod(path, FILE_MODE)  # the umask may have removed bits, never added: be exact


def append_private(path: Path) -> int:
    """A file descriptor appending to `path`, created 0600 (an existing file made so)."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE)
    tighten(path)
    return fd


def tighten(path: Path) -> None:
    """Remove group and other permissions from an existing file or directory we own."""
    with contextlib.suppress(FileNotFoundError, PermissionError):
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            os.chmod(path, mode & ~0o077 & 0o777)


def private_sqlite(database: Path) -> None:
    """Before the first connection: the database file 0600 in a directory made 0700; its side
    files, where they exist, 0600."""
    private_dir(database.parent)
    private_file(database)
    for suffix in SIDE_FILES:
        tighten(database.with_name(database.name + suffix))
