"""incidents: when the public status and the facts last changed; review items: when edited

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21

A follow-up to customers after an incident is resolved may quote only a public status that was
set at or after the resolution: the text from during the outage ("we expect a fix by 6 pm") is
stale by then. Rows from before this revision have no time, so their text is never quoted.
``facts_at`` (status, public text, ETA or regions last changed) and ``review_items.edited_at``
tell which approved or edited replies were written before the facts changed.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("public_status_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("facts_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("review_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("review_items", schema=None) as batch_op:
        batch_op.drop_column("edited_at")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_column("facts_at")
        batch_op.drop_column("public_status_at")
