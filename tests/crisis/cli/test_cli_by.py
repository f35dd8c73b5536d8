"""``--by`` on every command that takes it: $CRISIS_USER stands in for it, a blank name never."""

from __future__ import annotations

from sqlmodel import select
from typer.main import get_command
from typer.testing import CliRunner

from crisis.cli.main import app
from crisis.db import make_engine, session_scope
from crisis.errors import CrisisError
from crisis.tables import AuditEntry
from tests.crisis.cli.test_cli_queue import a_crisis

runner = CliRunner()
PASSWORD = "correct horse battery\n"


def commands_with_by(command=None, path=()):
    """Walk the Typer app: every command (at any depth) that has a ``--by`` option."""
    command = command or get_command(app)
    if hasattr(command, "commands"):
        for name, sub in command.commands.items():
            yield from commands_with_by(sub, (*path, name))
    elif any("--by" in getattr(p, "opts", ()) for p in command.params):
        yield path


# One run each, in this order, on the same database, none of them naming --by. A command that
# takes --by and is missing here fails the test below: a new command must be added.
RUNS: list[tuple[tuple[str, ...], list[str], str | None]] = [
    (("users", "add"), ["lena", "--role", "lead", "--password-stdin"], PASSWORD),
    (("users", "add"), ["tom", "--role", "agent", "--password-stdin"], PASSWORD),
    (("users", "password"), ["tom", "--password-stdin"], PASSWORD),
    (("users", "role"), ["tom", "lead"], None),
    (("users", "disable"), ["tom", "--reason", "left"], None),
    (("users", "enable"), ["tom", "--reason", "back"], None),
    (("users", "token"), ["tom", "--label", "ci"], None),
    (("posts", "rule"), ["postiz", "service", "--label", "info"], None),
    (("posts", "schedule"), ["promo", "--text", "Sommerdeal!", "--at", "+2h"], None),
    (("incidents", "open"), ["--service", "tv", "--reason", "NOC"], None),
    (("incidents", "update"), ["2", "--status", "identified", "--reason", "found"], None),
    (("incidents", "resolve"), ["2", "--reason", "fixed"], None),
    (("freeze",), ["--reason", "Shitstorm"], None),
    (("unfreeze",), ["--reason", "ok"], None),
    (("queue", "approve"), ["1"], None),
    (("queue", "edit"), ["2", "--text", "Wir sind dran."], None),
    (("queue", "reject"), ["3", "--reason", "no"], None),
    (("queue", "send"), ["--all", "--dry-run"], None),
    (("incidents", "resolve"), ["1", "--reason", "fixed"], None),
    (("posts", "resume"), ["promo", "--at", "+3h", "--reason", "ok"], None),
    # These two reach the domain, which refuses on the facts (no post stuck, no cluster).
    (("posts", "settle"), ["promo", "--outcome", "failed", "--reason", "x"], None),
    (
        ("queue", "bulk-approve"),
        ["--incident", "1", "--spot-checked", "4,5,6", "--up-to", "9"],
        None,
    ),  # fmt: skip
]
REFUSED_ON_FACTS = {("posts", "settle"), ("queue", "bulk-approve")}


def test_every_command_with_by_is_covered_here():
    assert sorted(commands_with_by()) == sorted({path for path, _, _ in RUNS})


def test_crisis_user_names_the_actor_of_every_command_with_by(tmp_path):
    url = f"sqlite:///{tmp_path / 'c.db'}"
    a_crisis(url)  # incident 1, review items 1..7
    for path, args, stdin in RUNS:
        result = runner.invoke(
            app, [*path, *args, "--database-url", url], input=stdin, env={"CRISIS_USER": "nora"}
        )
        assert "Missing option" not in result.output, (path, result.output)
        if path in REFUSED_ON_FACTS:
            assert isinstance(result.exception, CrisisError), (path, result.output)
        else:
            assert result.exit_code == 0, (path, result.output, result.exception)
    engine = make_engine(url)
    with session_scope(engine) as session:
        actions = {e.action for e in session.exec(select(AuditEntry)) if e.actor == "nora"}
    engine.dispose()
    for action in (
        "user.added", "incident.open", "incident.update", "incident.resolve",
        "marketing.freeze", "marketing.unfreeze", "post.scheduled", "review_item.approved",
        "review_item.edited", "review_item.rejected",
    ):  # fmt: skip
        assert action in actions, (action, sorted(actions))


def test_a_blank_crisis_user_is_refused_by_every_command_with_by(tmp_path):
    url = f"sqlite:///{tmp_path / 'c.db'}"
    a_crisis(url)
    for path, args, stdin in RUNS:
        result = runner.invoke(
            app,
            [*path, *args, "--database-url", url],
            input=stdin,
            env={"CRISIS_USER": "   ", "COLUMNS": "200"},
        )
        assert result.exit_code == 2, (path, result.output)
        assert "blank name is no name" in result.output, (path, result.output)
