"""The tables, as SQLAlchemy Core: what the stores query. Migrations create them.

The domain never sees these; `qdispatch_sql.rows` converts rows to domain objects and back.
Money is an integer count of micro-dollars (exact sums on both databases; SQLite has no exact
decimal type). Sealed credentials live in their own table, never beside the job.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    bindparam,
)
from sqlalchemy.sql.elements import ColumnElement

from qdispatch_core.domain import JobStatus
from qdispatch_sql.column_types import CompactValue, JsonText, UtcDateTime

metadata = MetaData()

# Statuses a worker may still act on. Written into SQL as literals (not bound parameters) so
# both databases can match the claimable query against the partial index below.
ACTIVE_STATUSES = tuple(s.value for s in JobStatus if not s.is_final)

users = Table(
    "users",
    metadata,
    Column("id", String, primary_key=True),
    Column("name", String, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("name", name="uq_users_name"),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("key_hash", String, primary_key=True),  # SHA-256 of the key; the key is never kept
    Column("user_id", String, ForeignKey("users.id"), nullable=False, index=True),
    Column("created_at", UtcDateTime, nullable=False),
)

experiments = Table(
    "experiments",
    metadata,
    Column("id", String, primary_key=True),
    Column("owner_id", String, ForeignKey("users.id"), nullable=False),
    Column("name", String, nullable=False),
    Column("description", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("owner_id", "name", name="uq_experiments_owner_name"),
    Index("ix_experiments_owner_created", "owner_id", "created_at"),
)

circuits = Table(
    "circuits",
    metadata,
    Column("id", String, primary_key=True),
    Column("owner_id", String, ForeignKey("users.id"), nullable=False),
    Column("experiment_id", String, ForeignKey("experiments.id"), nullable=False),
    Column("name", String, nullable=False),
    Column("description", Text, nullable=False),
    Column("qasm", Text, nullable=False),
    Column("qasm_version", SmallInteger, nullable=False),
    Column("content_hash", String, nullable=False),
    Column("analytics", JsonText, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("experiment_id", "content_hash", name="uq_circuits_experiment_hash"),
    Index("ix_circuits_experiment_created", "experiment_id", "created_at"),
)

jobs = Table(
    "jobs",
    metadata,
    Column("id", String, primary_key=True),
    Column("owner_id", String, ForeignKey("users.id"), nullable=False),
    Column("experiment_id", String, ForeignKey("experiments.id"), nullable=False),
    Column("device_id", String, nullable=False),
    Column("provider", String, nullable=False),
    Column("run_type", String, nullable=False),
    Column("shots", Integer, nullable=False),
    Column("circuit_ids", JsonText, nullable=False),  # in run order
    Column("parameters", JsonText),
    Column("observables", JsonText),
    Column("options", JsonText, nullable=False),  # runtime options only: never credentials
    Column("use_mitigation", Boolean, nullable=False),
    Column("dry_run", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("name", String, nullable=False),
    Column("description", Text, nullable=False),
    Column("status", String, nullable=False),
    Column("provider_job_ids", JsonText, nullable=False),
    Column("started_at", UtcDateTime),
    Column("finished_at", UtcDateTime),
    Column("estimated_cost", JsonText),
    Column("cost", JsonText),
    Column("results", CompactValue),
    Column("uncertainties", CompactValue),
    Column("raw_results", CompactValue),
    Column("mitigation", JsonText),
    Column("plan", JsonText),
    Column("error", Text),
    Column("logs", JsonText, nullable=False),
    Column("progress_done", Integer, nullable=False),
    Column("progress_total", Integer, nullable=False),
    Column("lease_owner", String),
    Column("lease_expires_at", UtcDateTime),
    Column("cancel_requested", Boolean, nullable=False),
    Column("attempts", Integer, nullable=False),
    # Issue 23: per-executable provider outputs, and earlier versions of the results.
    Column("outputs", CompactValue),
    Column("result_history", CompactValue),
    Column("result_versions", Integer, nullable=False, server_default="0"),
)


def is_active(status: ColumnElement) -> ColumnElement[bool]:
    """`status IN (<non-final statuses>)` with the statuses as literals."""
    return status.in_(bindparam("active_statuses", ACTIVE_STATUSES, literal_execute=True))


Index("ix_jobs_owner_created", jobs.c.owner_id, jobs.c.created_at)
Index("ix_jobs_experiment_created", jobs.c.experiment_id, jobs.c.created_at)
Index("ix_jobs_status", jobs.c.status)
# Only jobs a worker may still take, in claiming order, with their lease expiry: the index
# stays small however many finished jobs accumulate, and answers `claimable` on its own.
Index(
    "ix_jobs_claimable",
    jobs.c.created_at,
    jobs.c.id,
    jobs.c.lease_expires_at,
    postgresql_where=jobs.c.status.in_(ACTIVE_STATUSES),
    sqlite_where=jobs.c.status.in_(ACTIVE_STATUSES),
)

# A local job's shards (qdispatch_core.domain.shards): its layout, each shard's status and
# lease (claimed per shard, compare-and-set) and, once done, its outputs in the compact form.
# Deleted when the job becomes final: the job's results hold everything they had.
job_shards = Table(
    "job_shards",
    metadata,
    Column("job_id", String, ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True),
    Column("shard_index", Integer, primary_key=True),
    Column("first_executable", Integer, nullable=False),
    Column("executables", Integer, nullable=False),
    Column("status", String, nullable=False),
    Column("outputs", CompactValue),
    Column("notes", JsonText, nullable=False),
    Column("lease_owner", String),
    Column("lease_expires_at", UtcDateTime),
    Column("attempts", Integer, nullable=False),
    Column("started_at", UtcDateTime),
    Column("finished_at", UtcDateTime),
)

job_secrets = Table(
    "job_secrets",
    metadata,
    Column("job_id", String, ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True),
    Column("sealed", LargeBinary, nullable=False),  # encrypted by the core's cipher
)

ledger_entries = Table(
    "ledger_entries",
    metadata,
    # Insertion order is the ledger's order; SQLite autoincrements only INTEGER keys.
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("user_id", String, ForeignKey("users.id"), nullable=False),
    Column("kind", String, nullable=False),
    Column("amount_micros", BigInteger, nullable=False),  # signed micro-USD
    # No foreign key: the ledger is the record of money and outlives anything it mentions.
    Column("job_id", String),
    Column("note", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_ledger_entries_user", "user_id", "id"),
    Index("ix_ledger_entries_job", "job_id"),
)
