"""review items: who works on an item now (a claim that expires) and who it is assigned to

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05

An agent opening an item claims it (``claimed_by``, ``claimed_at``: others see who and since
when; a claim older than ``CRISIS_CLAIM_MINUTES`` has expired); a lead assigns items to an
agent (``assigned_to``, ``assigned_by``, ``assigned_at``). Rows from before this revision are
neither claimed nor assigned.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("review_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_by", sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("assigned_to", sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column("assigned_by", sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=True))
        # the load per person and the "my items" / "unassigned" views over a long queue
        batch_op.create_index("ix_review_items_assigned_to", ["state", "assigned_to"])
        batch_op.create_index("ix_review_items_claimed_at", ["state", "claimed_at"])
        # the SLA bar: per priority the oldest pending reply and how many are overdue
        batch_op.create_index(
            "ix_review_items_sla", ["state", "kind", "urgency_rank", "arrived_at"]
        )


def downgrade() -> None:
    with op.batch_alter_table("review_items", schema=None) as batch_op:
        batch_op.drop_index("ix_review_items_sla")
        batch_op.drop_index("ix_review_items_claimed_at")
        batch_op.drop_index("ix_review_items_assigned_to")
        batch_op.drop_column("assigned_at")
        batch_op.drop_column("assigned_by")
        batch_op.drop_column("assigned_to")
        batch_op.drop_column("claimed_at")
        batch_op.drop_column("claimed_by")
