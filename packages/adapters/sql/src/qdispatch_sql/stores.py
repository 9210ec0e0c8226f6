"""Users, experiments, circuits and sealed secrets on one connection of a unit of work.

Reads by id are scoped to the owner in the WHERE clause itself, so another user's id reads as
not found, exactly like a missing one.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Insert, Table, bindparam, delete, insert, select
from sqlalchemy.exc import IntegrityError

from qdispatch_core.domain import Circuit, Experiment, User
from qdispatch_core.errors import Conflict, NotFound
from qdispatch_core.ports import CircuitStore, ExperimentStore, SecretStore, UserStore
from qdispatch_core.rules.text import quote
from qdispatch_sql.errors import is_unique_violation
from qdispatch_sql.rows import (
    circuit_from_row,
    circuit_to_row,
    experiment_from_row,
    experiment_to_row,
    user_from_row,
    user_to_row,
)
from qdispatch_sql.schema import api_keys, circuits, experiments, job_secrets, users

# The reads and deletes every job's submission and worker take, built once with their values
# bound: building a statement and its cache key cost more than running it (issue 15).
_USER = select(users).where(users.c.id == bindparam("user"))
_EXPERIMENT = select(experiments).where(
    experiments.c.id == bindparam("experiment"), experiments.c.owner_id == bindparam("owner")
)
_CIRCUITS = select(circuits).where(
    circuits.c.id.in_(bindparam("ids", expanding=True)), circuits.c.owner_id == bindparam("owner")
)
_CIRCUIT_BY_HASH = select(circuits).where(
    circuits.c.experiment_id == bindparam("experiment"),
    circuits.c.content_hash == bindparam("hash"),
    circuits.c.owner_id == bindparam("owner"),
)
_SECRET = select(job_secrets.c.sealed).where(job_secrets.c.job_id == bindparam("job"))
_DELETE_SECRET = delete(job_secrets).where(job_secrets.c.job_id == bindparam("job"))
_SECRETS = select(job_secrets.c.job_id, job_secrets.c.sealed).where(
    job_secrets.c.job_id.in_(bindparam("jobs", expanding=True))
)


@functools.cache
def _insert_into(table: Table) -> Insert:
    # One statement per table: SQLAlchemy computes a new statement's cache key each time,
    # a built one's once; and one row goes as one row, not as a list of one (issue 15).
    return insert(table)


def insert_unique(
    conn: Connection, table: Table, row: Mapping[str, Any], conflict: Conflict
) -> None:
    """Insert a row; a duplicate key (e.g. a concurrent writer won) raises `conflict`.

    Callers check for duplicates first, so on PostgreSQL the transaction normally stays usable;
    only a lost race ends it there, and the caller sees the same Conflict either way.
    """
    try:
        conn.execute(_insert_into(table), dict(row))
    except IntegrityError as error:
        if is_unique_violation(error):
            raise conflict from None
        raise


class SqlUsers(UserStore):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, user: User) -> None:
        conflict = Conflict(f"a user named {user.name!r} exists", field="name")
        if self.by_name(user.name) is not None:
            raise conflict
        insert_unique(self.conn, users, user_to_row(user), conflict)

    def get(self, user_id: str) -> User:
        row = self.conn.execute(_USER, {"user": user_id}).first()
        if row is None:
            raise NotFound(f"user: no user {quote(user_id)}", field="user")
        return user_from_row(row)

    def by_name(self, name: str) -> User | None:
        row = self.conn.execute(select(users).where(users.c.name == name)).first()
        return None if row is None else user_from_row(row)

    def list(self) -> list[User]:
        rows = self.conn.execute(select(users).order_by(users.c.created_at, users.c.id))
        return [user_from_row(r) for r in rows]

    def add_api_key(self, user_id: str, key_hash: str, created_at: datetime) -> None:
        self.get(user_id)
        row = {"key_hash": key_hash, "user_id": user_id, "created_at": created_at}
        insert_unique(self.conn, api_keys, row, Conflict("this API key exists", field="api_key"))

    def by_api_key_hash(self, key_hash: str) -> User | None:
        query = select(users).join(api_keys).where(api_keys.c.key_hash == key_hash)
        row = self.conn.execute(query).first()
        return None if row is None else user_from_row(row)


class SqlExperiments(ExperimentStore):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, experiment: Experiment) -> None:
        conflict = Conflict(f"experiment {experiment.name!r} exists", field="name")
        if self.by_name(experiment.owner_id, experiment.name) is not None:
            raise conflict
        insert_unique(self.conn, experiments, experiment_to_row(experiment), conflict)

    def get(self, owner_id: str, experiment_id: str) -> Experiment:
        row = self.conn.execute(
            _EXPERIMENT, {"experiment": experiment_id, "owner": owner_id}
        ).first()
        if row is None:
            raise NotFound(
                f"experiment_id: no experiment {quote(experiment_id)}", field="experiment_id"
            )
        return experiment_from_row(row)

    def by_name(self, owner_id: str, name: str) -> Experiment | None:
        query = select(experiments).where(
            experiments.c.owner_id == owner_id, experiments.c.name == name
        )
        row = self.conn.execute(query).first()
        return None if row is None else experiment_from_row(row)

    def list(self, owner_id: str) -> list[Experiment]:
        query = (
            select(experiments)
            .where(experiments.c.owner_id == owner_id)
            .order_by(experiments.c.created_at.desc(), experiments.c.id.desc())
        )
        return [experiment_from_row(r) for r in self.conn.execute(query)]


def _circuit_not_found(circuit_id: str) -> NotFound:
    return NotFound(f"circuit_id: no circuit {quote(circuit_id)}", field="circuit_id")


class SqlCircuits(CircuitStore):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, circuit: Circuit) -> None:
        conflict = Conflict("the experiment already holds this circuit", field="circuits_qasm")
        if self.by_hash(circuit.owner_id, circuit.experiment_id, circuit.content_hash):
            raise conflict
        insert_unique(self.conn, circuits, circuit_to_row(circuit), conflict)

    def get(self, owner_id: str, circuit_id: str) -> Circuit:
        return self.get_many(owner_id, [circuit_id])[0]

    def get_many(self, owner_id: str, circuit_ids: Sequence[str]) -> list[Circuit]:
        wanted = sorted(set(circuit_ids))
        rows = self.conn.execute(_CIRCUITS, {"ids": wanted, "owner": owner_id})
        found = {r.id: circuit_from_row(r) for r in rows}
        missing = next((i for i in circuit_ids if i not in found), None)
        if missing is not None:
            raise _circuit_not_found(missing)
        return [found[i] for i in circuit_ids]

    def by_hash(self, owner_id: str, experiment_id: str, content_hash: str) -> Circuit | None:
        values = {"experiment": experiment_id, "hash": content_hash, "owner": owner_id}
        row = self.conn.execute(_CIRCUIT_BY_HASH, values).first()
        return None if row is None else circuit_from_row(row)

    def list(self, owner_id: str, experiment_id: str | None, limit: int) -> list[Circuit]:
        query = select(circuits).where(circuits.c.owner_id == owner_id)
        if experiment_id is not None:
            query = query.where(circuits.c.experiment_id == experiment_id)
        query = query.order_by(circuits.c.created_at.desc(), circuits.c.id.desc()).limit(limit)
        return [circuit_from_row(r) for r in self.conn.execute(query)]


class SqlSecrets(SecretStore):
    """Sealed bytes only: the core encrypts before anything reaches this table."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def put(self, job_id: str, sealed: bytes) -> None:
        self.delete(job_id)
        self.conn.execute(insert(job_secrets), [{"job_id": job_id, "sealed": sealed}])

    def get(self, job_id: str) -> bytes | None:
        sealed = self.conn.execute(_SECRET, {"job": job_id}).scalar()
        return None if sealed is None else bytes(sealed)

    def get_many(self, job_ids: Sequence[str]) -> dict[str, bytes]:
        if not job_ids:
            return {}
        rows = self.conn.execute(_SECRETS, {"jobs": list(job_ids)})
        return {row.job_id: bytes(row.sealed) for row in rows}

    def delete(self, job_id: str) -> None:
        self.conn.execute(_DELETE_SECRET, {"job": job_id})
