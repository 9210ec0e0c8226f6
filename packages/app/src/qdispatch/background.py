"""A worker in the background for a terminal user who submits and walks away.

`qdispatch run` without `--wait` returns at once; something must still run the job. Unless a
worker already holds the lock file, the CLI starts a detached `python -m qdispatch.worker_main` that
exits after a spell of idleness. Teams running their own workers on PostgreSQL turn this off
with QDISPATCH_AUTOSTART_WORKER=0.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import subprocess
import sys
from pathlib import Path

from qdispatch.settings import Settings
from qdispatch_core.files import append_private, private_dir

IDLE_EXIT_SECONDS = 60


def lock_path(settings: Settings) -> Path:
    # One lock per database: a worker for the default file must not stand in for `--db other`.
    digest = hashlib.sha256(settings.database_url.encode()).hexdigest()[:12]
    return settings.data_dir / f"worker-{digest}.lock"


def hold_worker_lock(settings: Settings) -> int | None:
    """Take the background-worker lock for this process's life; None when someone holds it."""
    path = lock_path(settings)
    private_dir(path.parent, tighten_existing=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def worker_running(settings: Settings) -> bool:
    fd = hold_worker_lock(settings)
    if fd is None:
        return True
    os.close(fd)  # closing releases the lock
    return False


def ensure_background_worker(settings: Settings, env: dict[str, str] | None = None) -> bool:
    """Start a detached worker unless one runs; True when one was started."""
    env = dict(os.environ if env is None else env)
    if env.get("QDISPATCH_AUTOSTART_WORKER", "1") == "0" or worker_running(settings):
        return False
    private_dir(settings.data_dir, tighten_existing=True)
    env["QDISPATCH_DATABASE_URL"] = settings.database_url
    # 0600: a worker's log may name jobs, devices and errors of every user of this database.
    log = os.fdopen(append_private(settings.data_dir / "worker.log"), "ab")
    subprocess.Popen(
        [
            sys.executable,
            "-m",
            "qdispatch.worker_main",
            "--background",
            "--idle-exit",
            str(IDLE_EXIT_SECONDS),
        ],
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=log,
        env=env,
        start_new_session=True,
        close_fds=True,
    )
    log.close()
    return True
