"""posts scheduled in other tools (Facebook, Postiz, Buffer, Hootsuite) and category rules

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05

Scheduled posts get where they come from (``source``, ``external_id``), the snapshot written
before a hold changes anything at the source, what the source has now (``source_state``), the
last failure to hold or release there, and a hold count. ``scheduler_rules`` maps a source's
labels to categories.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("scheduled_posts") as batch:
        batch.add_column(sa.Column("source", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("external_id", sa.String(length=128), nullable=True))
        batch.add_column(sa.Column("snapshot", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("source_state", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("hold_error", sa.Text(), nullable=True))
        batch.add_column(sa.Column("holds", sa.Integer(), nullable=False, server_default="0"))
    op.create_index(
        "ix_scheduled_posts_source_external_id",
        "scheduled_posts",
        ["source", "external_id"],
        unique=True,
    )
    op.create_table(
        "scheduler_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("label", sa.String(length=128), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("updated_by", sa.String(length=128), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduler_rules")),
        sa.UniqueConstraint("source", "label", name="uq_scheduler_rules_source_label"),
    )


def downgrade() -> None:
    op.drop_table("scheduler_rules")
    op.drop_index("ix_scheduled_posts_source_external_id", table_name="scheduled_posts")
    with op.batch_alter_table("scheduled_posts") as batch:
        for column in ("holds", "hold_error", "source_state", "snapshot", "external_id", "source"):
            batch.drop_column(column)
