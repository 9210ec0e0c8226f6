"""M3: qdispatch's files are its owner's alone: the data directory 0700; the SQLite database,
its -wal and -shm files, the worker's log and the secret key 0600 — whatever the umask, and
also when an older version left them readable."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.adapters.mcp.servers import qdispatch_command
from tests.security.conftest import create_users, home_env, running_server

pytestmark = pytest.mark.slow
BELL = 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\ncreg c[2];\nh q[0];\nmeasure q -> c;\n'


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def seal_a_credential(home: Path, umask: int | None = None) -> None:
    """What makes the secret key: the first credential sealed (the key is made lazily)."""
    code = "from qdispatch import App\nApp().services.cipher.seal(b'token')\n"
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=home_env(home),
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=None if umask is None else (lambda: os.umask(umask)),
    )
    assert done.returncode == 0, done.stderr[-2000:]


def test_a_fresh_home_is_private_even_under_umask_0(tmp_path):
    home = tmp_path / "home"
    keys = create_users(home, ("alice",), umask=0)
    seal_a_credential(home, umask=0)
    with running_server(home, keys, umask=0):
        data, config = home / "data", home / "config"
        assert mode(data) == 0o700 and mode(config) == 0o700
        files = sorted(p.name for p in data.glob("qdispatch.db*"))
        assert {"qdispatch.db", "qdispatch.db-wal", "qdispatch.db-shm"} <= set(files), files
        for name in files:
            assert mode(data / name) == 0o600, name
        assert mode(config / "secret.key") == 0o600


def test_files_an_older_version_left_readable_are_tightened(tmp_path):
    home = tmp_path / "home"
    keys = create_users(home, ("alice",))
    seal_a_credential(home)
    os.chmod(home / "config", 0o755)
    data = home / "data"
    os.chmod(data, 0o755)
    for path in data.glob("qdispatch.db*"):
        os.chmod(path, 0o644)
    os.chmod(home / "config" / "secret.key", 0o644)
    with running_server(home, keys):
        assert mode(data) == 0o700
        for path in data.glob("qdispatch.db*"):
            assert mode(path) == 0o600, path.name
        assert mode(home / "config" / "secret.key") == 0o600
        assert mode(home / "config") == 0o700


def test_the_background_workers_log_is_private(tmp_path):
    home = tmp_path / "home"
    qasm = tmp_path / "bell.qasm"
    qasm.write_text(BELL)
    env = home_env(home, QDISPATCH_AUTOSTART_WORKER="1")
    done = subprocess.run(
        [qdispatch_command(), "run", str(qasm), "--device", "aer_simulator", "--shots", "10"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=lambda: os.umask(0),
    )
    assert done.returncode == 0, done.stderr
    log = home / "data" / "worker.log"
    try:
        deadline = time.monotonic() + 60
        while not log.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert mode(log) == 0o600 and mode(home / "data") == 0o700
    finally:
        for pid in _processes_of(home):
            os.kill(pid, signal.SIGTERM)  # the detached worker this test started


def _processes_of(home: Path) -> list[int]:
    """The processes started with this test's QDISPATCH_HOME (the detached worker)."""
    marker = f"QDISPATCH_HOME={home}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if marker in (entry / "environ").read_bytes().split(b"\0"):
                found.append(int(entry.name))
        except OSError:
            continue
    return found
