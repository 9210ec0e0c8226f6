"""The CLI against an App built on the core's fakes: every command, in process, in milliseconds."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from qdispatch import App
from qdispatch_cli import output, session
from qdispatch_cli.main import app as cli_app
from qdispatch_core.testing import FakeBackend
from tests.app.conftest import fake_app
from tests.samples import BELL_QASM2


@dataclass
class Cli:
    """Invokes `qdispatch …` in process; every invocation sees the same fake App."""

    app: App
    tmp_path: Path
    dbs: list[str | None] = field(default_factory=list)
    runner: CliRunner = field(default_factory=CliRunner)

    def __call__(self, *args: str, input: str | None = None) -> Result:
        return self.runner.invoke(cli_app, list(args), input=input)

    def json(self, *args: str) -> object:
        result = self(*args, "--json")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    def qasm(self, text: str = BELL_QASM2, name: str = "bell.qasm") -> str:
        path = self.tmp_path / name
        path.write_text(text)
        return str(path)

    def submit(self, *args: str) -> str:
        """`run … --json` without waiting; the job id."""
        document = self.json("run", *args)
        return document["job_id"]  # type: ignore[index]

    def finish(self, job_id: str) -> dict:
        """Let a worker run the job to its end (as the background worker would)."""
        self.app.worker()
        result = self("jobs", "wait", job_id, "--json")
        assert result.exit_code in (0, 3), result.output
        return json.loads(result.stdout)


def make_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, app: App) -> Cli:
    """A Cli on `app`; commands leave it open (the test's fixture closes it), so a worker the
    test starts keeps running between commands, like a background worker."""
    cli = Cli(app, tmp_path)
    monkeypatch.setattr(app, "close", lambda: None)

    def factory(db: str | None) -> App:
        cli.dbs.append(db)
        return app

    monkeypatch.setattr(session, "app_factory", factory)
    return cli


@pytest.fixture(autouse=True)
def quiet_environment(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """No background processes from unit tests, wide tables, fresh consoles per test."""
    monkeypatch.setenv("QDISPATCH_AUTOSTART_WORKER", "0")
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("QDISPATCH_API_KEY", raising=False)
    monkeypatch.delenv("QDISPATCH_DEBUG", raising=False)
    output.out.cache_clear()
    output.err.cache_clear()
    yield
    output.out.cache_clear()
    output.err.cache_clear()


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    app = fake_app(tmp_path, default_credits="10")
    yield make_cli(tmp_path, monkeypatch, app)
    App.close(app)


@pytest.fixture
def slow_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Executables take 50 ms each on dummy_simulator: time to see progress, cancel, interrupt."""
    # Shards of four executables, so progress moves shard by shard while a sweep runs.
    app = fake_app(tmp_path, FakeBackend(delay=0.05), default_credits="10", shard_seconds=0.2)
    yield make_cli(tmp_path, monkeypatch, app)
    App.close(app)
