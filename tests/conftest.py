"""Real databases for the tests: a SQLite file per test, and PostgreSQL when a server answers.

PostgreSQL tests use a database of their own, created for this run and dropped after it, on the
server at CRISIS_TEST_POSTGRES_URL (default: the local server, trust auth). They are skipped,
with the reason, only when no server answers.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, SQLModel

from crisis.db import make_engine, session_scope, upgrade

POSTGRES_URL = os.environ.get(
    "CRISIS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    admin_url = make_url(POSTGRES_URL)
    try:
        admin = sqlalchemy.create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except sqlalchemy.exc.OperationalError as exc:
        pytest.skip(f"no PostgreSQL server answers at {admin_url.host}:{admin_url.port}: {exc}")
    name = f"crisis_test_{os.getpid()}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_engine(postgres_url: str) -> Iterator[Engine]:
    engine = make_engine(postgres_url)
    upgrade(engine)
    yield engine
    engine.dispose()


def _truncate(engine: Engine) -> None:
    tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated, empty database: SQLite, then PostgreSQL."""
    if request.param == "sqlite":
        sqlite_engine = make_engine(f"sqlite:///{tmp_path / 'crisis.db'}")
        upgrade(sqlite_engine)
        yield sqlite_engine
        sqlite_engine.dispose()
    else:
        pg: Engine = request.getfixturevalue("postgres_engine")
        _truncate(pg)
        yield pg


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with session_scope(engine) as s:
        yield s
