"""The report as a person gets it: the HTML page, the CSV and JSON numbers, the command."""

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from crisis.cli import app
from crisis.report_data import build_report
from crisis.report_export import to_csv, to_json
from crisis.report_html import SECTIONS, render_html
from crisis.report_period import Period
from tests.crisis import report_scenario as scenario
from tests.crisis.report_scenario import END, MODEL, NOW, OWN, START

ROOT = Path(__file__).resolve().parents[2]


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
    assert values[("response", "period", "median_seconds")] == "3600.0"
    assert values[("response", "period", "p90_seconds")] == "7200.0"
    assert values[("services", "internet", "complaints")] == "4"
    assert values[("almost_published", "post-mothers-day", "held_before_due_seconds")] == "4500.0"
    document = json.loads(to_json(report))
    assert document["response"]["period"]["median_seconds"] == 3600.0
    assert document["response"]["period"]["answered_share"] == round(4 / 6, 4)
    assert document["services"]["internet"]["complaints"] == 4
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
    assert "10 comments, 1 incidents" in result.output
    assert "What almost published" in page.read_text(encoding="utf-8")
    result = runner.invoke(
        app, ["report", *period, "--format", "json", "--out", "-", "--database-url", _url(engine)]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["response"]["period"]["answered"] == 4
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
