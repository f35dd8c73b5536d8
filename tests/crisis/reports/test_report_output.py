"""The report as a person gets it: the HTML page, the CSV and JSON numbers, the command."""

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from crisis.cli.main import app
from crisis.errors import BadRecord
from crisis.reports.data import build_report
from crisis.reports.export import to_csv, to_json
from crisis.reports.html import SECTIONS, render_html
from crisis.reports.period import Period
from tests.crisis.reports import report_scenario as scenario
from tests.crisis.reports.report_scenario import END, MODEL, NOW, OWN, START

ROOT = Path(__file__).resolve().parents[3]


def _report(session, period=None):
    scenario.build(session)
    return build_report(
        session, period or Period(start=START, end=END), now=NOW, classifier=MODEL, own_authors=OWN
    )


def test_the_page_has_every_section_and_escapes_what_customers_wrote(session):
    html = render_html(_report(session))
    for anchor, title in SECTIONS:
        assert f'id="{anchor}"' in html and title in html
    assert "<script" not in html and "&lt;script&gt;alert(" in html  # the incident's example
    assert "<b>Flat</b>" not in html and "&lt;b&gt;Flat&lt;/b&gt;" in html  # the post's text
    assert html.count("<svg") >= 3
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in html  # nothing to fetch: it reads offline
    assert "labels from</th><td><b>keywords.test</b>" in html
    assert "Europe/Berlin" in html


def test_the_page_shows_answers_follow_ups_and_the_incident_window(session):
    html = render_html(_report(session))
    assert "<b>67 %</b><span>complaints answered</span>" in html  # 6 of 9
    assert "<b>57 %</b><span>customers answered</span>" in html  # 4 of 7
    assert "<b>1 h 08 min</b><span>median first response</span>" in html
    assert (
        "<td>while #1 was open</td>"
        '<td class="when">Sat 13.05. 10:30 Berlin – Sat 13.05. 12:30 Berlin</td>' in html
    )
    assert '<th class="n">rejected by a person</th>' in html
    assert '<th class="n">withdrawn (superseded or duplicate)</th>' in html
    assert "<td>follow-ups for #1</td>" in html


def test_the_page_says_which_window_a_clipped_incident_row_covers(session):
    html = render_html(_report(session, Period(start=START.replace(hour=9, minute=30), end=END)))
    assert "Sat 13.05. 11:30 Berlin – Sat 13.05. 12:30 Berlin (part of it)" in html


def test_the_page_reads_sensibly_when_nothing_was_answered_or_stored(session):
    scenario.build(session)
    empty = Period(start=END.replace(year=2016), end=END.replace(year=2016, hour=14))
    html = render_html(build_report(session, empty, now=NOW, classifier=MODEL, own_authors=OWN))
    assert "No comments were stored in this period" in html
    assert "No complaint of this period has been answered yet." in html
    assert "<b>0 %</b><span>complaints answered</span>" in html
    assert "<b>—</b><span>median first response</span>" in html


def test_csv_is_one_long_table_with_the_same_numbers_as_the_json(session):
    report = _report(session)
    rows = list(csv.DictReader(io.StringIO(to_csv(report))))
    assert list(rows[0]) == ["section", "key", "metric", "value"]
    values = {(r["section"], r["key"], r["metric"]): r["value"] for r in rows}
    assert values[("response", "period", "median_seconds")] == "4080.0"  # 68 min
    assert values[("response", "period", "p90_seconds")] == "7200.0"
    assert values[("response", "period", "customers_median_seconds")] == "4230.0"  # 70.5 min
    assert values[("response", "incident 1", "window_start")] == "2017-05-13T08:30:00+00:00"
    assert values[("replies", "suggested", "withdrawn")] == "2"
    assert values[("follow_ups", "incident 1", "sent")] == "1"
    assert values[("services", "internet", "complaints")] == "7"
    assert values[("almost_published", "post-mothers-day", "held_before_due_seconds")] == "4500.0"
    document = json.loads(to_json(report))
    assert document["response"]["period"]["median_seconds"] == 4080.0
    assert document["response"]["period"]["answered_share"] == round(6 / 9, 4)
    assert document["response"]["period"]["customers_answered"] == 4
    assert document["services"]["internet"]["complaints"] == 7
    assert document["summary"]["model"] == MODEL
    assert document["held_posts"]["post-mothers-day"]["released_by"] == "lena"


def _url(engine):
    return engine.url.render_as_string(hide_password=False)


def test_the_command_writes_the_page_and_the_numbers(session, engine, tmp_path):
    scenario.build(session)
    session.commit()
    runner = CliRunner()
    page = tmp_path / "report.html"
    period = ["--since", "2017-05-13T10:00", "--until", "2017-05-13T14:00"]  # Berlin time
    result = runner.invoke(
        app, ["report", *period, "--out", str(page), "--database-url", _url(engine)]
    )
    assert result.exit_code == 0, result.output
    assert "13 comments, 1 incidents" in result.output
    assert "What almost published" in page.read_text(encoding="utf-8")
    result = runner.invoke(
        app, ["report", *period, "--format", "json", "--out", "-", "--database-url", _url(engine)]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["response"]["period"]["answered"] == 6
    result = runner.invoke(
        app,
        [
            "report",
            "--incident",
            "1",
            "--format",
            "csv",
            "--out",
            "-",
            "--database-url",
            _url(engine),
        ],
    )
    assert result.exit_code == 0 and "summary,,incident_id,1" in result.stdout


def test_the_command_names_an_unknown_incident_in_one_line(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "crisis.cli",
            "report",
            "--incident",
            "4",
            "--out",
            str(tmp_path / "r.html"),
            "--database-url",
            f"sqlite:///{tmp_path / 'c.db'}",
        ],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 2
    assert "no incident with id 4 (incidents: none stored)" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert not (tmp_path / "r.html").exists()


def test_the_command_on_an_empty_database_writes_a_report_that_says_so(tmp_path):
    page = tmp_path / "empty.html"
    result = CliRunner().invoke(
        app, ["report", "--out", str(page), "--database-url", f"sqlite:///{tmp_path / 'e.db'}"]
    )
    assert result.exit_code == 0, result.output
    html = page.read_text(encoding="utf-8")
    assert "the database holds no comments yet" in html
    assert "No incident was open in this period." in html


def test_the_command_with_only_since_beyond_the_data_writes_an_empty_report(
    session, engine, tmp_path
):
    scenario.build(session)
    session.commit()
    page = tmp_path / "later.html"
    result = CliRunner().invoke(
        app,
        ["report", "--since", "2030-01-01", "--out", str(page), "--database-url", _url(engine)],
    )
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())  # the console wraps long lines
    assert "0 comments, 0 incidents, the period (no comments in it)" in said
    html = page.read_text(encoding="utf-8")
    assert "No comments were stored in this period" in html
    assert "Tue 01.01.2030 00:00 Berlin to Tue 08.01.2030 00:00 Berlin" in html  # Berlin midnight
    result = CliRunner().invoke(
        app,
        [
            "report",
            "--until",
            "2016-01-01",
            "--out",
            "-",
            "--format",
            "json",
            "--database-url",
            _url(engine),
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["summary"]["comments"] == 0


def test_the_command_refuses_an_explicit_period_that_ends_before_it_starts(engine):
    result = CliRunner().invoke(
        app,
        [
            "report",
            "--since",
            "2017-05-14",
            "--until",
            "2017-05-12",
            "--out",
            "-",
            "--database-url",
            _url(engine),
        ],
    )
    assert isinstance(result.exception, BadRecord)  # the CLI's main prints it in one line
    assert "must end after it starts (2017-05-14 00:00 Berlin to 2017-05-13 00:00 Berlin)" in str(
        result.exception
    )


def test_the_command_reports_an_incident_still_open(session, engine, monkeypatch):
    from crisis import incidents
    from crisis.clock import VirtualClock
    from crisis.domain import Service

    scenario.build(session)
    incidents.open_incident(
        session,
        service=Service.MOBILE,
        now=START.replace(hour=11),
        opened_by="operator",
        actor="lena",
        reason="Funkmast Hamburg",
        regions=["Hamburg"],
    )
    session.commit()
    monkeypatch.setattr("crisis.cli.report.clock", VirtualClock(NOW))  # open for 2 h so far
    result = CliRunner().invoke(
        app, ["report", "--incident", "2", "--out", "-", "--database-url", _url(engine)]
    )
    assert result.exit_code == 0, result.output
    page = result.stdout
    assert "Incident #2 (still open: investigating) with the time before and after it" in page
    assert "<th>resolved</th><td>still open</td>" in page
    # 6 h of context before 11:00, then up to now (13:00) and never past it, in Berlin time
    assert "Sat 13.05.2017 07:00 Berlin to Sat 13.05.2017 15:00 Berlin" in page
    assert "Sat 13.05. 13:00 Berlin – Sat 13.05. 15:00 Berlin" in page  # 11:00 to now (UTC)


def test_the_command_takes_times_relative_to_now(session, engine, monkeypatch):
    from crisis.clock import VirtualClock

    scenario.build(session)
    session.commit()
    # now 13:00 UTC: -5h is 08:00 (START), -1h is 12:00 (END), the scenario's own period
    monkeypatch.setattr("crisis.cli.report.clock", VirtualClock(NOW))
    result = CliRunner().invoke(
        app,
        [
            "report",
            *("--since", "-5h", "--until", "-60m", "--format", "json", "--out", "-"),
            *("--database-url", _url(engine)),
        ],
    )
    assert result.exit_code == 0, result.output
    numbers = json.loads(result.stdout)
    assert numbers["response"]["period"]["answered"] == 6
    assert numbers["summary"]["comments"] == 13
    assert numbers["summary"]["period_start"].startswith("2017-05-13T08:00")
    # "+1d" as a start lies beyond the data and the clock: an empty week from tomorrow
    result = CliRunner().invoke(
        app, ["report", "--since", "+1d", "--out", "-", "--database-url", _url(engine)]
    )
    assert result.exit_code == 0, result.output
    assert "No comments were stored in this period" in result.stdout
    result = CliRunner().invoke(
        app, ["report", "--since", "-7x", "--out", "-", "--database-url", _url(engine)]
    )
    assert isinstance(result.exception, BadRecord)  # the CLI prints it as one line
    assert "or a time relative to now (e.g. -7d" in str(result.exception)
