"""Private files: created 0600 (directories 0700) whatever the umask; lax ones tightened."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from qdispatch_core.files import append_private, private_dir, private_file, private_sqlite


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask_zero():
    old = os.umask(0)
    yield
    os.umask(old)


def test_a_new_database_and_its_directories_are_private_under_umask_0(tmp_path, umask_zero):
    db = tmp_path / "a" / "b" / "qdispatch.db"
    private_sqlite(db)
    assert mode(db) == 0o600
    assert mode(db.parent) == 0o700 and mode(db.parent.parent) == 0o700


def test_an_existing_directory_is_left_alone_unless_it_is_ours(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    os.chmod(shared, 0o755)
    private_sqlite(shared / "x.db")
    assert mode(shared) == 0o755  # `--db /tmp/x.db` must not change /tmp
    private_dir(shared, tighten_existing=True)
    assert mode(shared) == 0o700


def test_existing_database_files_are_tightened(tmp_path):
    db = tmp_path / "q.db"
    for suffix in ("", "-wal", "-shm"):
        path = Path(f"{db}{suffix}")
        path.write_bytes(b"x")
        os.chmod(path, 0o644)
    private_sqlite(db)
    assert [mode(Path(f"{db}{s}")) for s in ("", "-wal", "-shm")] == [0o600] * 3
    assert db.read_bytes() == b"x"  # never truncated


def test_sqlite_makes_its_wal_and_shm_files_with_the_databases_mode(tmp_path, umask_zero):
    import sqlite3

    db = tmp_path / "q.db"
    private_file(db)
    connection = sqlite3.connect(db)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("CREATE TABLE t (x)")
    connection.commit()
    assert mode(Path(f"{db}-wal")) == 0o600 and mode(Path(f"{db}-shm")) == 0o600
    connection.close()


def test_a_log_appended_to_is_private_and_kept(tmp_path, umask_zero):
    log = tmp_path / "worker.log"
    log.write_text("old\n")
    os.chmod(log, 0o666)
    with os.fdopen(append_private(log), "a") as f:
        f.write("new\n")
    assert mode(log) == 0o600 and log.read_text() == "old\nnew\n"
