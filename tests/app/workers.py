"""Running real worker processes against a real database, for crash and concurrency tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from qdispatch import App, Settings

FAKE = "qdispatch_core.testing.backend:from_environment"
SECRET_KEY = "bXkta2V5LW15LWtleS1teS1rZXktbXkta2V5LW15LWs="  # a fixed Fernet key for tests


def worker_env(tmp_path: Path, database_url: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "QDISPATCH_HOME": str(tmp_path / "home"),
            "QDISPATCH_DATABASE_URL": database_url,
            "QDISPATCH_SECRET_KEY": SECRET_KEY,
            "QDISPATCH_EXTRA_BACKENDS": FAKE,
            "QDISPATCH_LEASE_SECONDS": "2",
            "QDISPATCH_FAKE_RECORD_DIR": str(tmp_path / "events"),
            "QDISPATCH_FAKE_STATE_DIR": str(tmp_path / "remote"),
            "QDISPATCH_DEFAULT_CREDITS": "100",
        }
    )
    env.update(extra)
    return env


def app_for(env: dict[str, str]) -> App:
    return App(Settings.from_env(env))


class WorkerProcess:
    def __init__(self, env: dict[str, str], log: Path, threads: int = 2) -> None:
        self.log_path = log
        self._log = open(log, "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "qdispatch.worker_main", "--threads", str(threads)],
            env=env,
            stdout=self._log,
            stderr=self._log,
        )

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)
        self._log.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self._log.close()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def wait_until(condition: Callable[[], bool], timeout: float = 60, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what or condition}")
