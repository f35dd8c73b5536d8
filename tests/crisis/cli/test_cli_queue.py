"""The review queue from the command line, end to end on a SQLite file."""

from datetime import timedelta

from typer.testing import CliRunner

from crisis import incidents
from crisis.classify import to_row
from crisis.cli.main import app
from crisis.clock import SystemClock
from crisis.db import make_engine, session_scope, upgrade
from crisis.domain import Service, Urgency
from crisis.ingest import store_comments
from crisis.publishing import OnceOnlyPublisher
from crisis.registry import reply_setup
from crisis.replies import queue
from crisis.replies.respond import suggest_replies
from crisis.settings import Settings
from crisis.testing import PlatformFake
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
    # written while the incident is open: a comment from long before it would not join it
    comments.append(
        make_comment(author="Sam", lang="en", text="No internet since 8", created_at=now)
    )
    comments.append(
        make_comment(
            author="Dr. Hahn", text="Internet weg, mein Anwalt <b>klagt</b>", created_at=now
        )
    )
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
    platform = PlatformFake()

    def platforms(settings, *, engine, clock):
        return OnceOnlyPublisher(platform, engine=engine, clock=clock)

    monkeypatch.setattr("crisis.registry.make_publisher", platforms)

    def crisis(*args, ok=True):
        result = runner.invoke(app, [*args, "--database-url", url])
        if ok:
            assert result.exit_code == 0, (result.output, result.exception)
        return result

    listed = crisis("queue", "list").output
    first_row = next(line for line in listed.splitlines() if "│ 7 " in line or "│ 1 " in line)
    assert "URGENT" in first_row and "legal" in first_row  # the lawyer comes first
    assert "49m" in listed  # the SLA clock of the oldest

    shown = crisis("queue", "show", "7").output
    assert "Dr. Hahn" in shown and "<b>klagt</b>" in shown  # shown as text, not markup
    assert "a person answers this: legal" in shown and "draft (a starting point only)" in shown
    assert "incident #1: internet outage in Hamburg (investigating)" in shown
    assert "[de/outage_incident#" in shown

    crisis("queue", "edit", "5", "--text", "Hallo, wir sind dran – Hamburg ist betroffen.",
           "--by", "max")  # fmt: skip
    updated = crisis("incidents", "update", "1", "--status", "identified", "--reason", "found",
                     "--by", "lena").output  # fmt: skip
    assert "1 edited reply marked 'facts changed'" in updated

    clusters = crisis("queue", "list", "--clusters").output
    assert "outage_incident" in clusters and "│ 4 " in clusters and "1,2,3,4" in clusters
    assert "--up-to 4" in clusters
    refused = crisis("queue", "bulk-approve", "--incident", "1", "--spot-checked", "1,2",
                     "--up-to", "4", "--by", "lena", ok=False)  # fmt: skip
    assert refused.exit_code != 0 and "check at least 3 items" in str(refused.exception)
    done = crisis("queue", "bulk-approve", "--incident", "1", "--spot-checked", "1, 2,3",
                  "--up-to", "4", "--by", "lena").output  # fmt: skip
    assert "approved 4 de/outage_incident reply items of incident #1" in done
    monkeypatch.setenv("CRISIS_USER", "max")
    crisis("queue", "approve", "5")
    crisis("queue", "reject", "6", "--reason", "answered by phone")

    dry = crisis("queue", "send", "--all", "--dry-run").output
    assert "dry run: 5 replies would go out; nothing was sent or changed" in dry
    assert "Hamburg ist betroffen" in dry and platform.posted == []
    assert "│ 5 " in crisis("queue", "list", "--state", "approved").output

    sent = crisis("queue", "send", "--all").output
    assert "sent 5: #1, #2, #3, #4, #5" in sent and len(platform.posted) == 5
    assert "│ 5 " in crisis("queue", "list", "--state", "sent").output
    assert "sent 0" in crisis("queue", "send", "--all").output  # nothing twice
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
    for blank in ("", "   "):
        for args in (
            ["queue", "approve", "1"],
            ["queue", "reject", "2"],
            ["queue", "send", "--all", "--dry-run"],
            ["freeze", "--reason", "x"],
        ):
            result = runner.invoke(
                app, [*args, "--by", blank, "--database-url", url], env={"COLUMNS": "200"}
            )
            assert result.exit_code == 2, (args, result.output)
            assert "blank name is no name" in result.output
    with session_scope(make_engine(url)) as session:
        assert [i.state for i in queue.list_items(session, state=None)][:2] == ["pending"] * 2


def test_listing_a_state_kind_or_incident_that_does_not_exist_says_so(tmp_path):
    url = f"sqlite:///{tmp_path / 'q.db'}"
    a_crisis(url)
    for args, said in (
        (["--state", "bogus"], "unknown review item state 'bogus'; known: approved, failed"),
        (["--kind", "bogus"], "unknown review item kind 'bogus'; known: follow_up, reply"),
        (["--incident", "99"], "no incident with id 99"),
    ):
        result = runner.invoke(app, ["queue", "list", *args, "--database-url", url])
        assert result.exit_code != 0 and said in str(result.exception)


def test_the_recording_publisher_is_refused_for_real_replies(tmp_path):
    url = f"sqlite:///{tmp_path / 'q.db'}"
    a_crisis(url)
    result = runner.invoke(
        app, ["queue", "send", "--all", "--publisher", "recording", "--by", "lena",
              "--database-url", url],
    )  # fmt: skip
    assert result.exit_code != 0 and "use --dry-run" in str(result.exception)
