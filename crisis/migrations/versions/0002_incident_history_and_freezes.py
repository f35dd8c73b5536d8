"""incident history links, manual marketing freezes

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "marketing_freezes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_by", sa.String(length=128), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_by", sa.String(length=128), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marketing_freezes")),
    )
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("previous_incident_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_incidents_previous_incident_id_incidents"),
            "incidents",
            ["previous_incident_id"],
            ["id"],
        )
    with op.batch_alter_table("scheduled_posts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("held_by_freeze_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_scheduled_posts_held_by_freeze_id_marketing_freezes"),
            "marketing_freezes",
            ["held_by_freeze_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("scheduled_posts", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_scheduled_posts_held_by_freeze_id_marketing_freezes"),
            type_="foreignkey",
        )
        batch_op.drop_column("held_by_freeze_id")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_incidents_previous_incident_id_incidents"), type_="foreignkey"
        )
        batch_op.drop_column("previous_incident_id")
    op.drop_table("marketing_freezes")
