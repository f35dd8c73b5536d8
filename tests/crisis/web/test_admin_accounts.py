"""The account functions behind the users pages, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from crisis import accounts
from crisis.db import session_scope
from crisis.tables import WebSession
from tests.crisis.web.webtools import NOW, PASSWORD

HOURS = timedelta(hours=12)


@pytest.fixture
def team(engine):
    with session_scope(engine) as session:
        accounts.add_user(session, name="lena", password=PASSWORD, role="lead", actor="setup",
                          now=NOW)  # fmt: skip
        accounts.add_user(session, name="tom", password=PASSWORD, role="agent", actor="lena",
                          now=NOW)  # fmt: skip
    return engine


def test_tokens_are_listed_newest_first_without_revoked_or_disabled_ones(team):
    with session_scope(team) as session:
        accounts.create_api_token(session, "tom", label="old", actor="lena", now=NOW)
        accounts.create_api_token(session, "lena", label="new", actor="lena",
                                  now=NOW + timedelta(minutes=5))  # fmt: skip
        gone = accounts.create_api_token(session, "lena", label="gone", actor="lena", now=NOW)
        accounts.revoke_api_token(session, accounts.token_hash(gone), actor="lena", now=NOW)
        assert [(t.label, who) for t, who in accounts.list_api_tokens(session)] == [
            ("new", "lena"),
            ("old", "tom"),
        ]
        with pytest.raises(accounts.AccountError, match="revoked already"):
            accounts.revoke_api_token(session, accounts.token_hash(gone), actor="lena", now=NOW)
        accounts.disable_user(session, "tom", actor="lena", now=NOW, reason="left")
        assert [t.label for t, _ in accounts.list_api_tokens(session)] == ["new"]


def test_changing_ones_own_password_keeps_only_the_asking_session(team):
    with session_scope(team) as session:
        tom = accounts.get_user(session, "tom")
        here = accounts.start_session(session, tom, now=NOW, lifetime=HOURS)
        accounts.start_session(session, tom, now=NOW, lifetime=HOURS)
        lena = accounts.start_session(session, accounts.get_user(session, "lena"), now=NOW,
                                      lifetime=HOURS)  # fmt: skip
        with pytest.raises(accounts.WrongPassword):
            accounts.change_own_password(session, "tom", current="nope", password="x" * 12,
                                         keep=here, now=NOW)  # fmt: skip
        accounts.change_own_password(session, "tom", current=PASSWORD, password="x" * 12,
                                     keep=here, now=NOW)  # fmt: skip
        left = {row.token_hash for row in session.exec(select(WebSession)).all()}
        assert left == {accounts.token_hash(here), accounts.token_hash(lena)}
        assert accounts.authenticate(session, "tom", "x" * 12, now=NOW) is not None


def test_names_are_unique_ignoring_case_and_sign_in_ignores_case(team):
    with session_scope(team) as session:
        with pytest.raises(accounts.AccountError, match="exists already"):
            accounts.add_user(session, name="Tom", password=PASSWORD, role="agent",
                              actor="lena", now=NOW)  # fmt: skip
        user = accounts.authenticate(session, "TOM", PASSWORD, now=NOW)
        assert user is not None and user.name == "tom"


def test_enabling_lets_a_person_in_again_but_not_their_tokens(team):
    with session_scope(team) as session:
        token = accounts.create_api_token(session, "tom", label="t", actor="lena", now=NOW)
        accounts.disable_user(session, "tom", actor="lena", now=NOW, reason="leave")
        assert accounts.authenticate(session, "tom", PASSWORD, now=NOW) is None
        accounts.enable_user(session, "tom", actor="lena", now=NOW, reason="back")
        assert accounts.authenticate(session, "tom", PASSWORD, now=NOW) is not None
        assert accounts.token_user(session, token) is None
