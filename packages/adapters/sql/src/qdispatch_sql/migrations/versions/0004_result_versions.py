"""Results that can be derived again (issue 23): each job keeps what its provider returned
per executable and the earlier versions of its results.

Revision ID: 0004
Revises: 0002
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0002"  # the lead re-chains it after 0003 at merge
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("outputs", sa.LargeBinary()))
        batch.add_column(sa.Column("result_history", sa.LargeBinary()))
        batch.add_column(
            sa.Column("result_versions", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("result_versions")
        batch.drop_column("result_history")
        batch.drop_column("outputs")
