"""Times the commands print are Berlin time, labelled, whatever offset they were given in."""

from datetime import UTC, datetime, timedelta, timezone

from sqlmodel import select
from typer.testing import CliRunner

from crisis import incidents
from crisis.cli.main import app
from crisis.db import session_scope
from crisis.domain import Service
from crisis.replies.incident_changes import describe
from crisis.tables import AuditEntry
from tests.factories import T0

runner = CliRunner()


def test_an_eta_given_with_an_offset_is_kept_in_utc_and_described_in_team_time(engine):
    plus_five = timezone(timedelta(hours=5))
    with session_scope(engine) as session:
        incident = incidents.open_incident(
            session, service=Service.INTERNET, now=T0, opened_by="lena", actor="lena",
            reason="NOC", eta=datetime(2017, 5, 13, 12, 0, tzinfo=plus_five),
        )  # fmt: skip
        assert incident.eta == datetime(2017, 5, 13, 7, 0, tzinfo=UTC)
        assert incident.eta.utcoffset() == timedelta(0)
        incidents.update_incident(
            session, incident.id, now=T0, actor="lena", reason="later",
            eta=datetime(2017, 5, 13, 14, 0, tzinfo=plus_five),
        )  # fmt: skip
        # the reason people read: team time, labelled (not 14:00 as given); details stay UTC
        assert "ETA 2017-05-13 11:00 Berlin" in describe(incident)
        changed = session.exec(
            select(AuditEntry).where(AuditEntry.action == "incident.update")
        ).one()
    assert changed.details["eta"] == ["2017-05-13T07:00:00+00:00", "2017-05-13T09:00:00+00:00"]


def test_incident_commands_print_the_eta_in_berlin_time_whatever_offset_it_came_in(tmp_path):
    url = f"sqlite:///{tmp_path / 'c.db'}"

    def crisis(*args):
        result = runner.invoke(app, [*args, "--database-url", url])
        assert result.exit_code == 0, (result.output, result.exception)
        return " ".join(result.output.split())

    crisis("incidents", "open", "--service", "internet", "--eta",
                    "2026-11-22T09:00+01:00", "--reason", "NOC", "--by", "lena")  # fmt: skip
    assert "ETA 2026-11-22 09:00 Berlin" in crisis("incidents", "show", "1")
    updated = crisis("incidents", "update", "1", "--eta", "2026-11-22T09:00+05:00",
                     "--reason", "later", "--by", "lena")  # fmt: skip
    assert "ETA 2026-11-22 05:00 Berlin" in updated  # 04:00 UTC; Berlin is UTC+1 in November
    summer = crisis("incidents", "update", "1", "--eta", "2026-07-01T09:00Z", "--reason", "x",
                    "--by", "lena")  # fmt: skip
    assert "ETA 2026-07-01 11:00 Berlin" in summer  # UTC+2 in summer
    assert "Z" not in crisis("incidents", "list").replace("Zeit", "")
