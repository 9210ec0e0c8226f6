"""The initial schema: users, API keys, experiments, circuits, jobs, job secrets, the ledger.

Revision ID: 0001
Revises:
Create Date: 2026-01-01

Written out in full rather than from qdispatch_sql.schema, so this revision stays what it was
when the schema moves on. Ledger entries are append-only, enforced by triggers.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTIVE = ("Submitted", "Initializing", "Validating", "Queued", "Running")
APPEND_ONLY = "ledger entries are append-only"


def _when() -> sa.Column:
    return sa.Column("created_at", sa.DateTime(timezone=True), nullable=False)


def _create_identity_tables() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.String(), primary_key=True),
        sa.Column("name", sa.String(), nullable=False),
        _when(),
        sa.UniqueConstraint("name", name="uq_users_name"),
    )
    op.create_table(
        "api_keys",
        sa.Column("key_hash", sa.String(), primary_key=True),
        sa.Column("user_id", sa.String(), sa.ForeignKey("users.id"), nullable=False),
        _when(),
    )
    op.create_index("ix_api_keys_user_id", "api_keys", ["user_id"])


def _create_experiment_tables() -> None:
    op.create_table(
        "experiments",
        sa.Column("id", sa.String(), primary_key=True),
        sa.Column("owner_id", sa.String(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        _when(),
        sa.UniqueConstraint("owner_id", "name", name="uq_experiments_owner_name"),
    )
    op.create_index("ix_experiments_owner_created", "experiments", ["owner_id", "created_at"])
    op.create_table(
        "circuits",
        sa.Column("id", sa.String(), primary_key=True),
        sa.Column("owner_id", sa.String(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("experiment_id", sa.String(), sa.ForeignKey("experiments.id"), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("qasm", sa.Text(), nullable=False),
        sa.Column("qasm_version", sa.SmallInteger(), nullable=False),
        sa.Column("content_hash", sa.String(), nullable=False),
        sa.Column("analytics", sa.Text(), nullable=False),
        _when(),
        sa.UniqueConstraint("experiment_id", "content_hash", name="uq_circuits_experiment_hash"),
    )
    op.create_index("ix_circuits_experiment_created", "circuits", ["experiment_id", "created_at"])


def _create_jobs() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.String(), primary_key=True),
        sa.Column("owner_id", sa.String(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("experiment_id", sa.String(), sa.ForeignKey("experiments.id"), nullable=False),
        sa.Column("device_id", sa.String(), nullable=False),
        sa.Column("provider", sa.String(), nullable=False),
        sa.Column("run_type", sa.String(), nullable=False),
        sa.Column("shots", sa.Integer(), nullable=False),
        sa.Column("circuit_ids", sa.Text(), nullable=False),
        sa.Column("parameters", sa.Text()),
        sa.Column("observables", sa.Text()),
        sa.Column("options", sa.Text(), nullable=False),
        sa.Column("use_mitigation", sa.Boolean(), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        _when(),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("provider_job_ids", sa.Text(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True)),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("estimated_cost", sa.Text()),
        sa.Column("cost", sa.Text()),
        sa.Column("results", sa.LargeBinary()),
        sa.Column("uncertainties", sa.LargeBinary()),
        sa.Column("raw_results", sa.LargeBinary()),
        sa.Column("mitigation", sa.Text()),
        sa.Column("plan", sa.Text()),
        sa.Column("error", sa.Text()),
        sa.Column("logs", sa.Text(), nullable=False),
        sa.Column("progress_done", sa.Integer(), nullable=False),
        sa.Column("progress_total", sa.Integer(), nullable=False),
        sa.Column("lease_owner", sa.String()),
        sa.Column("lease_expires_at", sa.DateTime(timezone=True)),
        sa.Column("cancel_requested", sa.Boolean(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
    )
    op.create_index("ix_jobs_owner_created", "jobs", ["owner_id", "created_at"])
    op.create_index("ix_jobs_experiment_created", "jobs", ["experiment_id", "created_at"])
    op.create_index("ix_jobs_status", "jobs", ["status"])
    active = sa.column("status").in_(ACTIVE)
    op.create_index(
        "ix_jobs_claimable",
        "jobs",
        ["created_at", "id", "lease_expires_at"],
        postgresql_where=active,
        sqlite_where=active,
    )
    op.create_table(
        "job_secrets",
        sa.Column(
            "job_id", sa.String(), sa.ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
    )


def _create_ledger() -> None:
    op.create_table(
        "ledger_entries",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("user_id", sa.String(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("amount_micros", sa.BigInteger(), nullable=False),
        sa.Column("job_id", sa.String()),
        sa.Column("note", sa.Text(), nullable=False),
        _when(),
    )
    op.create_index("ix_ledger_entries_user", "ledger_entries", ["user_id", "id"])
    op.create_index("ix_ledger_entries_job", "ledger_entries", ["job_id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION qdispatch_ledger_append_only() RETURNS trigger "
            f"LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END $$"
        )
        op.execute(
            "CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE "
            "ON ledger_entries FOR EACH ROW EXECUTE FUNCTION qdispatch_ledger_append_only()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER ledger_entries_no_{event.lower()} BEFORE {event} "
                f"ON ledger_entries BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
            )


def upgrade() -> None:
    _create_identity_tables()
    _create_experiment_tables()
    _create_jobs()
    _create_ledger()


def downgrade() -> None:
    # Dropping a table drops its indexes and triggers; the PostgreSQL function goes by hand.
    for table in (
        "ledger_entries",
        "job_secrets",
        "jobs",
        "circuits",
        "experiments",
        "api_keys",
        "users",
    ):
        op.drop_table(table)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION qdispatch_ledger_append_only()")
