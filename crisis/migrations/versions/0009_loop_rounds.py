"""loop rounds: when each service loop last finished a round

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05

``crisis run``'s loops and the Celery scheduler's periodic tasks record their last good round
and their last error here, so ``/readyz`` can say how far behind each one is, whichever process
or machine ran it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "loop_rounds",
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("interval_seconds", sa.Float(), nullable=False),
        sa.Column("last_ok_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_loop_rounds")),
    )


def downgrade() -> None:
    op.drop_table("loop_rounds")
