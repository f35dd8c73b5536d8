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


def test_upgrading_a_queue_from_0003_keeps_its_items_and_fills_the_new_columns(engine):
    import sqlalchemy as sa

    from crisis.dbtypes import UTCDateTime
    from crisis.tables import ReviewItem

    downgrade(engine, "0003")
    arrived = datetime(2017, 5, 13, 8, 5, tzinfo=UTC)
    comments = sa.table(
        "comments",
        *(sa.column(n) for n in ("id", "platform", "external_id", "author", "text", "raw")),
        sa.column("created_at", UTCDateTime()),
        sa.column("ingested_at", UTCDateTime()),
    )
    items = sa.table(
        "review_items",
        *(sa.column(n) for n in ("id", "comment_id", "lang", "text", "needs_human", "priority")),
        sa.column("reasons", sa.JSON()),
        sa.column("state"),
        sa.column("created_at", UTCDateTime()),
    )
    with engine.begin() as conn:
        conn.execute(
            comments.insert().values(
                id=1, platform="x", external_id="86", author="anna", text="Anwalt!", raw="{}",
                created_at=arrived, ingested_at=arrived,
            )
        )  # fmt: skip
        conn.execute(
            items.insert().values(
                id=1, comment_id=1, lang="de", text="", needs_human=True, priority=100,
                reasons=["legal"], state="pending", created_at=arrived,
            )
        )  # fmt: skip
    upgrade(engine)
    with session_scope(engine) as session:
        item = session.get(ReviewItem, 1)
    assert item is not None
    assert (item.kind, item.platform, item.arrived_at, item.urgency_rank, item.reach_rank) == (
        "reply", "x", arrived, 0, 3
    )  # fmt: skip
    assert (item.attempts, item.facts_changed, item.reasons) == (0, False, ["legal"])
