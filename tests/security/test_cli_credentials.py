"""Issue 22, L6: provider credentials reach a job without the command line, and a mistyped
`--option` never echoes what it holds.

Through the installed `qdispatch` in a subprocess, with the core's fake backend plugged in
(`dummy_qpu` needs the credential `fake_token`; it records a fingerprint of the credentials it
is handed, never the credentials)."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from qdispatch_core.testing.backend import credential_fingerprint, recorded_events
from tests.adapters.cli.test_e2e import BELL, QDISPATCH, Terminal

pytestmark = pytest.mark.skipif(QDISPATCH is None, reason="the qdispatch command is not installed")

SECRET = "tok-SECRET-7f3a9c1e5b"


@pytest.fixture
def shell(tmp_path):
    terminal = Terminal(tmp_path / "home", autostart=False)
    terminal.env.update(
        QDISPATCH_EXTRA_BACKENDS="qdispatch_core.testing.backend:from_environment",
        QDISPATCH_FAKE_RECORD_DIR=str(tmp_path / "record"),
        QDISPATCH_DEFAULT_CREDITS="10",
    )
    for name in ("FAKE_TOKEN", "QDISPATCH_CREDENTIALS_FILE"):
        terminal.env.pop(name, None)
    terminal.record = tmp_path / "record"
    return terminal


def stored_bytes(home: Path) -> bytes:
    """Everything the database holds on disk (the file, its WAL and shared memory)."""
    data = b""
    for path in sorted((home / "data").glob("qdispatch.db*")):
        data += path.read_bytes()
    return data


def table_dump(home: Path) -> str:
    with sqlite3.connect(home / "data" / "qdispatch.db") as db:
        return "\n".join(db.iterdump())


def private_file(tmp_path: Path, text: str, mode: int = 0o600) -> Path:
    path = tmp_path / "credentials"
    path.write_text(text)
    path.chmod(mode)
    return path


def assert_never_shown(*texts: str) -> None:
    for text in texts:
        assert SECRET not in text and SECRET[4:] not in text


def test_a_mistyped_option_is_refused_without_echoing_it(shell):
    done = shell("run", str(BELL), "-d", "dummy_qpu", "--option", f"fake_token:{SECRET}", expect=2)
    assert "the 1st --option has ':' where '=' belongs" in done.stderr
    assert_never_shown(done.stdout, done.stderr)
    done = shell("run", str(BELL), "-d", "dummy_qpu", "--option", "shots=3", "--option", SECRET,
                 expect=2)  # fmt: skip
    assert "the 2nd --option is malformed" in done.stderr
    assert_never_shown(done.stdout, done.stderr)


def test_a_credentials_file_others_can_read_is_refused(shell, tmp_path):
    path = private_file(tmp_path, f"fake_token={SECRET}\n", mode=0o644)
    done = shell("run", str(BELL), "-d", "dummy_qpu", "--credentials-file", str(path), expect=2)
    assert "mode 0644" in done.stderr and f"chmod 600 {path}" in done.stderr
    assert_never_shown(done.stdout, done.stderr)
    assert shell.json("jobs", "list") == []  # nothing stored
    path.chmod(0o640)  # group-readable is still readable by others
    assert (
        "mode 0640"
        in shell(
            "run", str(BELL), "-d", "dummy_simulator", "--credentials-file", str(path), expect=2
        ).stderr
    )  # checked even for a device that needs no credentials


@pytest.mark.parametrize(
    "text",
    [
        f"# my tokens\nexport FAKE_TOKEN='{SECRET}'\n\nibm_quantum_token=other\n",
        json.dumps({"fake_token": SECRET, "IONQ_API_KEY": "other"}),
    ],
    ids=["key-value-lines", "json"],
)
def test_a_private_credentials_file_reaches_the_job_and_nothing_else(shell, tmp_path, text):
    path = private_file(tmp_path, text)
    done = shell("run", str(BELL), "-d", "dummy_qpu", "--credentials-file", str(path),
                 "--shots", "20", "--wait", "--json")  # fmt: skip
    job = json.loads(done.stdout)
    assert job["status"] == "Done" and job["options"] == {}
    ((event, job_id, _, fingerprint), *_) = recorded_events(shell.record)
    assert (event, job_id) == ("submit", job["id"])
    assert fingerprint == credential_fingerprint({"fake_token": SECRET})  # only this device's
    assert_never_shown(done.stdout, done.stderr, shell("jobs", "show", job["id"], "--logs").stdout)
    assert SECRET.encode() not in stored_bytes(shell.home)
    assert SECRET not in table_dump(shell.home)


def test_credentials_from_the_environment(shell):
    shell.env["FAKE_TOKEN"] = SECRET
    done = shell("run", str(BELL), "-d", "dummy_qpu", "--shots", "20", "--wait", "--json")
    job = json.loads(done.stdout)
    ((_, _, _, fingerprint), *_) = recorded_events(shell.record)
    assert fingerprint == credential_fingerprint({"fake_token": SECRET})
    assert_never_shown(done.stdout, done.stderr)
    assert SECRET.encode() not in stored_bytes(shell.home)
    # An explicit --option wins over the environment (and over a file).
    shell("run", str(BELL), "-d", "dummy_qpu", "--shots", "20", "--wait", "--option",
          "fake_token=from-option")  # fmt: skip
    *_, (_, second, _, fingerprint) = recorded_events(shell.record)
    assert second != job["id"]
    assert fingerprint == credential_fingerprint({"fake_token": "from-option"})


def test_without_credentials_the_refusal_names_the_cli_ways(shell):
    done = shell("run", str(BELL), "-d", "dummy_qpu", expect=1)
    assert (
        "needs credentials fake_token in --credentials-file FILE or in environment" in done.stderr
    )
    assert "--dry-run needs none" in done.stderr


def test_a_malformed_credentials_file_never_quotes_its_lines(shell, tmp_path):
    path = private_file(tmp_path, f"fake_token=ok\n{SECRET}\n")
    done = shell("run", str(BELL), "-d", "dummy_qpu", "--credentials-file", str(path), expect=2)
    assert "line 2 of" in done.stderr and "is not KEY=VALUE" in done.stderr
    assert_never_shown(done.stdout, done.stderr)
    path.write_text(f"some_key={SECRET}\n")
    done = shell("run", str(BELL), "-d", "dummy_qpu", "--credentials-file", str(path), expect=2)
    assert "'some_key', which is no credential" in done.stderr
    assert_never_shown(done.stdout, done.stderr)


def test_the_credentials_file_can_come_from_the_environment(shell, tmp_path):
    shell.env["QDISPATCH_CREDENTIALS_FILE"] = str(private_file(tmp_path, f"fake_token={SECRET}"))
    done = shell("run", str(BELL), "-d", "dummy_qpu", "--shots", "10", "--wait", "--json")
    assert json.loads(done.stdout)["status"] == "Done"
    assert os.stat(shell.env["QDISPATCH_CREDENTIALS_FILE"]).st_mode & 0o777 == 0o600
