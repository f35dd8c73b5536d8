"""incidents: when a suspicion was confirmed, and when the detector noticed it

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05

The detector opens a suspicion early and confirms it (or dismisses it) later: ``confirmed_at``
says when it became an incident. ``noticed_at`` is the wall-clock time the detector noticed it;
``opened_at`` is the spike's own time, earlier when the complaints came late (an import of an
old export). Rows from before this revision have neither: they were opened when noticed, and
an incident past ``suspected`` counts as confirmed when it opened.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("noticed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_column("noticed_at")
        batch_op.drop_column("confirmed_at")
