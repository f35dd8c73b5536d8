"""Alembic environment: runs on the engine that ``crisis.db`` hands over."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import crisis.tables  # noqa: F401

config = context.config
engine = config.attributes["engine"]

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
