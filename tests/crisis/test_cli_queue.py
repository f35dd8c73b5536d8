"""The review queue from the command line, end to end on a SQLite file."""

from datetime import timedelta

from typer.testing import CliRunner

from crisis import incidents
from crisis.classify import to_row
from crisis.cli import app
from crisis.clock import SystemClock
from crisis.db import make_engine, session_scope, upgrade
from crisis.domain import Service, Urgency
from crisis.ingest import store_comments
from crisis.registry import reply_setup
from crisis.respond import suggest_replies
from crisis.settings import Settings
from tests.factories import complaint, make_comment

runner = CliRunner()


def a_crisis(url):
    """An open DSL incident, five German and one English complaint, one lawyer."""
    engine = make_engine(url)
    upgrade(engine)
    now = SystemClock().now()
    comments = [
        make_comment(author=f"Kundin {n}", created_at=now - timedelta(minutes=50 - n))
        for n in range(5)
    ]
    comments.append(make_comment(author="Sam", lang="en", text="No internet since 8"))
    comments.append(make_comment(author="Dr. Hahn", text="Internet weg, mein Anwalt <b>klagt</b>"))
    labels = [complaint(Service.INTERNET)] * 6 + [
        complaint(Service.INTERNET, urgent=(Urgency.LEGAL,))
    ]
    with session_scope(engine) as session:
        incidents.open_incident(
            session, service=Service.INTERNET, now=now, opened_by="operator", actor="lena",
            reason="NOC", regions=["Hamburg"],
        )  # fmt: skip
        ids = store_comments(session, comments, now=now)
        for cid, lab in zip(ids, labels, strict=True):
            session.add(to_row(cid, lab, now=now))
        suggest_replies(
            session, reply_setup(Settings()), dict(zip(ids, labels, strict=True)), now=now
        )
    engine.dispose()


def test_a_team_works_through_the_queue_from_the_command_line(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'q.db'}"
    a_crisis(url)

    def crisis(*args, ok=True):
        result = runner.invoke(app, [*args, "--database-url", url])
        if ok:
            assert result.exit_code == 0, (result.output, result.exception)
        return result

    listed = crisis("queue", "list").output
    first_row = next(line for line in listed.splitlines() if "│ 7 " in line or "│ 1 " in line)
    assert "URGENT" in first_row and "legal" in first_row  # the lawyer comes first
    assert "49m" in listed  # the SLA clock of the oldest
    clusters = crisis("queue", "list", "--clusters").output
    assert "outage_incident" in clusters and "│ 5 " in clusters and "1,2,3,4,5" in clusters

    shown = crisis("queue", "show", "7").output
    assert "Dr. Hahn" in shown and "<b>klagt</b>" in shown  # shown as text, not markup
    assert "a person answers this: legal" in shown and "draft (a starting point only)" in shown
    assert "incident #1: internet outage in Hamburg (investigating)" in shown
    assert "[de/outage_incident#" in shown

    refused = crisis("queue", "bulk-approve", "--incident", "1", "--spot-checked", "1,2",
                     "--by", "lena", ok=False)  # fmt: skip
    assert refused.exit_code != 0 and "check at least 3 items" in str(refused.exception)
    crisis("queue", "edit", "5", "--text", "Hallo, wir sind dran – Hamburg ist betroffen.",
           "--by", "max")  # fmt: skip
    done = crisis("queue", "bulk-approve", "--incident", "1", "--spot-checked", "1, 2,3",
                  "--by", "lena").output  # fmt: skip
    assert "approved 4 de/outage_incident reply items of incident #1" in done
    monkeypatch.setenv("CRISIS_USER", "max")
    crisis("queue", "approve", "5")
    crisis("queue", "reject", "6", "--reason", "answered by phone")

    updated = crisis("incidents", "update", "1", "--status", "identified", "--reason", "found",
                     "--by", "lena").output  # fmt: skip
    assert "1 suggestions re-written, 5 edited or approved replies marked" in updated

    sent = crisis("queue", "send", "--all", "--publisher", "recording").output
    assert "sent 5: #1, #2, #3, #4, #5" in sent
    assert "│ 5 " in crisis("queue", "list", "--state", "sent").output
    history = crisis("queue", "show", "5").output
    assert "max: review_item.edited" in history and "max: review_item.approved" in history
    assert "max: review_item.sent" in history
    assert "lena: review_item.approved" in crisis("queue", "show", "2").output


def test_a_decision_without_a_name_is_refused(tmp_path, monkeypatch):
    monkeypatch.delenv("CRISIS_USER", raising=False)
    url = f"sqlite:///{tmp_path / 'q.db'}"
    a_crisis(url)
    result = runner.invoke(app, ["queue", "approve", "1", "--database-url", url])
    assert result.exit_code != 0 and "--by" in result.output
