from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel, select

from crisis.db import downgrade, session_scope, upgrade
from crisis.tables import AuditEntry


def test_migrations_create_exactly_the_tables_the_code_expects(engine):
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []


def test_migrations_downgrade_to_nothing_and_upgrade_again(engine):
    downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(engine)
    assert "comments" in inspect(engine).get_table_names()


def test_times_come_back_aware_and_equal_whatever_offset_they_were_stored_with(engine):
    berlin = timezone(timedelta(hours=2))
    stored = datetime(2017, 5, 13, 9, 30, tzinfo=berlin)
    with session_scope(engine) as session:
        session.add(AuditEntry(at=stored, actor="t", action="a", entity="e", entity_id="1"))
    with session_scope(engine) as session:
        back = session.exec(select(AuditEntry)).one().at
    assert back == stored
    assert back.tzinfo is not None and back.utcoffset() == timedelta(0)
    assert back == datetime(2017, 5, 13, 7, 30, tzinfo=UTC)


def test_a_time_without_offset_is_refused_not_guessed(engine):
    with pytest.raises(Exception, match="naive datetime"):
        with session_scope(engine) as session:
            session.add(
                AuditEntry(
                    at=datetime(2017, 5, 13, 9, 30),
                    actor="t",
                    action="a",
                    entity="e",
                    entity_id="1",
                )
            )
