"""``crisis users ...``: the first lead on a fresh install, then the team."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from crisis import accounts
from crisis.cli.main import app
from crisis.db import make_engine, session_scope
from crisis.tables import AuditEntry

PASSWORD = "correct horse battery"
runner = CliRunner()


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'crisis.db'}"


def _users(url: str) -> dict[str, tuple[str, str, bool]]:
    engine = make_engine(url)
    try:
        with session_scope(engine) as session:
            return {
                u.name: (u.role, u.lang, u.disabled_at is not None)
                for u in accounts.list_users(session)
            }
    finally:
        engine.dispose()


def _invoke(url: str, *args: str, stdin: str | None = None, env: dict[str, str] | None = None):
    return runner.invoke(
        app,
        ["users", *args, "--database-url", url],
        input=stdin,
        env={"CRISIS_USER": "", **(env or {})},
    )


def test_the_first_user_is_a_lead_asked_for_the_password_twice(url):
    result = _invoke(url, "add", "lena", "--role", "lead", stdin=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "password: " in result.output
    assert "Repeat for confirmation: " in result.output
    assert "added lena (lead, de)" in result.output
    assert _users(url) == {"lena": ("lead", "de", False)}
    engine = make_engine(url)
    with session_scope(engine) as session:
        entry = session.exec(select(AuditEntry)).one()
        assert (entry.actor, entry.action, entry.entity_id) == ("lena", "user.added", "lena")
        assert accounts.authenticate(session, "lena", PASSWORD, now=entry.at) is not None
    engine.dispose()


def test_two_different_passwords_add_nobody(url):
    result = _invoke(url, "add", "lena", "--role", "lead", stdin=f"{PASSWORD}\nsomething else\n")
    assert result.exit_code != 0
    assert "do not match" in result.output
    assert _users(url) == {}


def test_the_first_user_must_be_a_lead(url):
    result = _invoke(url, "add", "tom", "--role", "agent", "--password-stdin", stdin=PASSWORD)
    assert result.exit_code != 0
    assert "the first user must be a lead" in str(result.exception)
    assert _users(url) == {}


def test_duplicates_and_short_passwords_are_refused(url):
    assert _invoke(url, "add", "lena", "--role", "lead", "--password-stdin",
                   stdin=PASSWORD + "\n").exit_code == 0  # fmt: skip
    duplicate = _invoke(url, "add", "lena", "--role", "agent", "--by", "lena",
                        "--password-stdin", stdin=PASSWORD + "\n")  # fmt: skip
    assert "a user named 'lena' exists already" in str(duplicate.exception)
    short = _invoke(url, "add", "tom", "--role", "agent", "--by", "lena", "--password-stdin",
                    stdin="short\n")  # fmt: skip
    assert "at least 10 characters" in str(short.exception)
    assert _users(url) == {"lena": ("lead", "de", False)}


def test_later_users_need_someone_to_answer_for_them(url):
    _invoke(url, "add", "lena", "--role", "lead", "--password-stdin", stdin=PASSWORD)
    nobody = _invoke(url, "add", "tom", "--role", "agent", "--password-stdin", stdin=PASSWORD)
    assert "--by" in str(nobody.exception)
    by_env = _invoke(url, "add", "tom", "--role", "agent", "--lang", "en", "--password-stdin",
                     stdin=PASSWORD, env={"CRISIS_USER": "lena"})  # fmt: skip
    assert by_env.exit_code == 0, by_env.output
    assert _users(url)["tom"] == ("agent", "en", False)


def test_role_password_disable_token_and_list(url):
    _invoke(url, "add", "lena", "--role", "lead", "--password-stdin", stdin=PASSWORD)
    _invoke(
        url, "add", "tom", "--role", "agent", "--by", "lena", "--password-stdin", stdin=PASSWORD
    )
    last = _invoke(url, "role", "lena", "agent", "--by", "lena")
    assert "'lena' is the last lead" in str(last.exception)
    assert _invoke(url, "role", "tom", "lead", "--by", "lena").exit_code == 0
    changed = _invoke(url, "password", "tom", "--by", "lena", "--password-stdin",
                      stdin="another passphrase\n")  # fmt: skip
    assert "sessions ended" in changed.output
    token = _invoke(url, "token", "tom", "--label", "tickets", "--by", "lena")
    secret = token.output.strip().splitlines()[-1]
    assert secret.startswith("crisis_")
    assert _invoke(url, "disable", "tom", "--reason", "left", "--by", "lena").exit_code == 0
    again = _invoke(url, "disable", "tom", "--reason", "left", "--by", "lena")
    assert "'tom' is disabled already" in str(again.exception)
    listing = _invoke(url, "list")
    assert "lena" in listing.output and "tom" in listing.output
    assert _users(url) == {"lena": ("lead", "de", False), "tom": ("lead", "de", True)}
    engine = make_engine(url)
    with session_scope(engine) as session:
        assert accounts.token_user(session, secret) is None  # revoked with the account
        assert accounts.authenticate(session, "tom", "another passphrase", now=_now()) is None
    engine.dispose()


def _now():
    from datetime import UTC, datetime

    return datetime.now(UTC)


def test_the_installed_command_reads_the_password_from_stdin(url, tmp_path):
    """As a script would run it: a real process, errors as a message and exit status 2."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[3]), "CRISIS_USER": "",
           "CRISIS_DATABASE_URL": url}  # fmt: skip
    command = [sys.executable, "-m", "crisis.cli", "users", "add"]
    first = subprocess.run([*command, "tom", "--role", "agent", "--password-stdin"],
                           input=PASSWORD, capture_output=True, text=True, env=env, cwd=tmp_path,
                           timeout=120)  # fmt: skip
    assert first.returncode == 2
    assert "the first user must be a lead" in first.stdout
    ok = subprocess.run([*command, "lena", "--role", "lead", "--password-stdin"],
                        input=PASSWORD + "\n", capture_output=True, text=True, env=env,
                        cwd=tmp_path, timeout=120)  # fmt: skip
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "added lena (lead, de)" in ok.stdout
    assert _users(url) == {"lena": ("lead", "de", False)}


def test_a_disabled_user_is_enabled_again(url):
    _invoke(url, "add", "lena", "--role", "lead", "--password-stdin", stdin=PASSWORD)
    _invoke(
        url, "add", "tom", "--role", "agent", "--by", "lena", "--password-stdin", stdin=PASSWORD
    )
    _invoke(url, "disable", "tom", "--reason", "on leave", "--by", "lena")
    enabled = _invoke(url, "enable", "tom", "--reason", "back", "--by", "lena")
    assert enabled.exit_code == 0, enabled.output
    assert "tom may sign in again" in enabled.output
    assert _users(url)["tom"] == ("agent", "de", False)
