"""review queue: follow-ups, sortable priority columns, edits and send retries

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21

A comment may now have a reply and a follow-up (unique on comment_id + kind). The queue page
sorts on stored columns (urgency_rank, reach_rank, arrived_at) under one index, so it stays fast
with 100,000 pending items. Existing rows are filled in from their comments.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("review_items", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=16), nullable=False, server_default="reply")
        )
        batch_op.add_column(sa.Column("situation", sa.String(length=32), nullable=True))
        batch_op.add_column(
            sa.Column("platform", sa.String(length=32), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("service", sa.String(length=32), nullable=True))
        batch_op.add_column(
            sa.Column("urgency_rank", sa.Integer(), nullable=False, server_default="2")
        )
        batch_op.add_column(
            sa.Column("reach_rank", sa.Integer(), nullable=False, server_default="3")
        )
        batch_op.add_column(sa.Column("arrived_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("edited_by", sa.String(length=128), nullable=True))
        batch_op.add_column(
            sa.Column("facts_changed", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("last_error", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.drop_constraint("uq_review_items_comment_id", type_="unique")
        batch_op.create_unique_constraint("uq_review_items_comment_id_kind", ["comment_id", "kind"])
    op.execute(
        "UPDATE review_items SET "
        "arrived_at = (SELECT comments.created_at FROM comments "
        "WHERE comments.id = review_items.comment_id), "
        "platform = (SELECT comments.platform FROM comments "
        "WHERE comments.id = review_items.comment_id), "
        "urgency_rank = CASE WHEN needs_human THEN 0 "
        "WHEN incident_id IS NOT NULL THEN 1 ELSE 2 END"
    )
    with op.batch_alter_table("review_items", schema=None) as batch_op:
        batch_op.alter_column(
            "arrived_at", existing_type=sa.DateTime(timezone=True), nullable=False
        )
        batch_op.create_index(
            "ix_review_items_queue",
            ["state", "urgency_rank", "reach_rank", "arrived_at", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_review_items_incident_id", ["incident_id", "state"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("review_items", schema=None) as batch_op:
        batch_op.drop_index("ix_review_items_incident_id")
        batch_op.drop_index("ix_review_items_queue")
        batch_op.drop_constraint("uq_review_items_comment_id_kind", type_="unique")
    op.execute("DELETE FROM review_items WHERE kind <> 'reply'")
    with op.batch_alter_table("review_items", schema=None) as batch_op:
        batch_op.create_unique_constraint("uq_review_items_comment_id", ["comment_id"])
        for column in (
            "next_attempt_at",
            "last_error",
            "attempts",
            "facts_changed",
            "edited_by",
            "arrived_at",
            "reach_rank",
            "urgency_rank",
            "service",
            "platform",
            "situation",
            "kind",
        ):
            batch_op.drop_column(column)
