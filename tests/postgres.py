"""A real, throwaway PostgreSQL server for tests.

The machine image has the PostgreSQL binaries (`initdb`, `pg_ctl`) but runs no server. The
session fixture creates a cluster in a temp directory, starts it on a free loopback port and
removes it afterwards. PostgreSQL refuses to run as root, so as root the cluster belongs to the
`postgres` user and every server command runs as that user.

Without the binaries the PostgreSQL tests skip, unless QDISPATCH_REQUIRE_POSTGRES=1 (CI), where
a skip would hide untested code: then they fail.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest

REQUIRE_ENV = "QDISPATCH_REQUIRE_POSTGRES"
SERVER_USER = "postgres"
# Durability is worthless for a throwaway cluster; these make commits and CREATE DATABASE cheap.
FAST_SETTINGS = (
    "-F -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
    " -c shared_buffers=64MB"
)


def find_bin_dir() -> Path | None:
    """The directory holding initdb and pg_ctl: on PATH, else the newest Debian install."""
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        return Path(os.path.realpath(on_path)).parent
    candidates = glob.glob("/usr/lib/postgresql/*/bin/initdb")
    candidates.sort(key=lambda p: int(Path(p).parent.parent.name), reverse=True)
    return Path(candidates[0]).parent if candidates else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class PostgresServer:
    bin_dir: Path
    root: Path
    port: int
    run_as: pwd.struct_passwd | None  # None: run as the current (non-root) user

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def user(self) -> str:
        return self.run_as.pw_name if self.run_as else pwd.getpwuid(os.getuid()).pw_name

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{database}"

    def run(self, *args: str) -> subprocess.CompletedProcess:
        """Run a server binary as the cluster's owner, failing with its output if it fails."""
        owner = {}
        if self.run_as is not None:
            owner = {"user": self.run_as.pw_uid, "group": self.run_as.pw_gid, "extra_groups": []}
        done = subprocess.run(
            [str(self.bin_dir / args[0]), *args[1:]],
            capture_output=True,
            text=True,
            cwd=self.root,
            env={**os.environ, "LC_ALL": "C", "HOME": str(self.root)},
            **owner,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{args[0]} failed:\n{done.stdout}\n{done.stderr}{self.log_tail()}")
        return done

    def log_tail(self) -> str:
        log = self.root / "server.log"
        return "\n" + log.read_text()[-3000:] if log.exists() else ""

    def start(self) -> None:
        self.run(
            "initdb",
            "-D",
            str(self.data_dir),
            "-U",
            self.user,
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        )
        options = f"-h 127.0.0.1 -p {self.port} -k {self.root} {FAST_SETTINGS}"
        self.run(
            "pg_ctl",
            "-D",
            str(self.data_dir),
            "-l",
            str(self.root / "server.log"),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
        )

    def stop(self) -> None:
        if (self.data_dir / "postmaster.pid").exists():
            self.run("pg_ctl", "-D", str(self.data_dir), "-m", "immediate", "-w", "stop")

    def admin(self, sql: str) -> None:
        """Run one statement outside a transaction (CREATE/DROP DATABASE need that)."""
        import psycopg

        dsn = f"host=127.0.0.1 port={self.port} user={self.user} dbname=postgres"
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(sql)

    def create_database(self, template: str = "template0") -> tuple[str, str]:
        """A new empty database (or a copy of `template`): its name and SQLAlchemy URL."""
        name = f"t_{uuid.uuid4().hex[:16]}"
        self.admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return name, self.url(name)

    def drop_database(self, name: str) -> None:
        self.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"PostgreSQL is required ({REQUIRE_ENV}=1) but {reason}")
    pytest.skip(f"PostgreSQL tests need the server binaries: {reason}")


def _server_owner() -> pwd.struct_passwd | None:
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(SERVER_USER)
    except KeyError:
        _unavailable(f"running as root and there is no {SERVER_USER!r} user to run the server")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    bin_dir = find_bin_dir()
    if bin_dir is None:
        _unavailable("initdb/pg_ctl are neither on PATH nor under /usr/lib/postgresql/*/bin")
    owner = _server_owner()
    root = Path(tempfile.mkdtemp(prefix="qdispatch-pg-"))
    if owner is not None:
        os.chown(root, owner.pw_uid, owner.pw_gid)
    server = PostgresServer(bin_dir, root, free_port(), owner)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A fresh, empty database for one test, dropped afterwards."""
    name, url = postgres_server.create_database()
    yield url
    postgres_server.drop_database(name)
