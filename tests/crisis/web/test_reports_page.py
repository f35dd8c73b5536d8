"""The reports page: choose an incident or a Berlin period, open the report on its own URL
(inline styles allowed, no script), download its numbers as CSV or JSON."""

from __future__ import annotations

import csv
import io
import json

import pytest

from crisis.db import session_scope
from tests.crisis.reports import report_scenario as scenario
from tests.crisis.web.webtools import sign_in


@pytest.fixture
def stored(web_engine):
    """The report tests' crisis morning: incident #1 (08:30-10:30 UTC), held posts, and a
    customer's comment with a <script> in it."""
    with session_scope(web_engine) as session:
        scenario.build(session)


def test_the_form_lists_the_incidents_and_any_signed_in_user_may_use_it(client, stored):
    sign_in(client, "tom")
    html = client.get("/reports").text
    assert '<option value="1"' in html and 'href="/reports/view?incident=1"' in html


def test_the_report_on_an_incident_is_served_with_a_csp_that_allows_no_script(client, stored):
    sign_in(client, "tom")
    chosen = client.get("/reports", params={"incident": "1"}).text
    assert "Report on incident #1:" in chosen
    # 2 h open, 6 h before it; after it only up to now (14:00), never into the future
    assert "13.05.2017 04:30 to 13.05.2017 14:00 (Berlin)" in chosen
    answer = client.get("/reports/view", params={"incident": "1"})
    assert answer.status_code == 200 and answer.text.startswith("<!DOCTYPE html>")
    policy = answer.headers["content-security-policy"]
    assert "style-src 'unsafe-inline'" in policy and "script-src 'none'" in policy
    assert "<script" not in answer.text and "&lt;script&gt;alert(" in answer.text
    assert "post-deal" in answer.text  # the post the incident held


def test_the_report_on_a_berlin_period_renders(client, stored):
    sign_in(client, "lena")
    chosen = client.get("/reports", params={"since": "2017-05-13", "until": "2017-05-13"}).text
    assert "13.05.2017 00:00 bis 14.05.2017 00:00 (Berlin)" in chosen
    assert 'href="/reports/view?since=2017-05-13&amp;until=2017-05-13"' in chosen
    answer = client.get("/reports/view", params={"since": "2017-05-13T10:00", "until": "-1h"})
    assert answer.status_code == 200
    assert "13.05.2017 10:00" in answer.text  # the Berlin start it was given
    everything = client.get("/reports/view")  # no choice: everything stored
    assert (
        everything.status_code == 200 and "with the time before and after it" not in everything.text
    )
    csv_name = client.get(
        "/reports/download.csv", params={"since": "2017-05-13", "until": "2017-05-13"}
    )
    assert (
        'filename="crisis-report-20170513-0000-20170514-0000.csv"'
        in csv_name.headers["content-disposition"]
    )


def test_the_csv_and_json_downloads_carry_the_reports_numbers(client, stored):
    sign_in(client, "tom")
    answer = client.get("/reports/download.csv", params={"incident": "1"})
    assert answer.headers["content-type"].startswith("text/csv")
    assert 'filename="crisis-report-incident-1.csv"' in answer.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(answer.text)))
    assert rows[0] == ["section", "key", "metric", "value"]
    assert ["summary", "", "incident_id", "1"] in rows
    assert ["incidents", "1", "service", "internet"] in rows
    document = json.loads(client.get("/reports/download.json", params={"incident": "1"}).text)
    assert document["summary"]["incident_id"] == 1


def test_a_wrong_choice_is_said_beside_the_form_with_what_was_typed(client, stored):
    sign_in(client, "lena")
    answer = client.get("/reports", params={"incident": "99"})
    assert answer.status_code == 422 and "no incident with id 99 (incidents: 1)" in answer.text
    answer = client.get("/reports", params={"since": "gestern<b>", "until": ""})
    assert answer.status_code == 422 and "is not an ISO date or time" in answer.text
    assert 'value="gestern&lt;b&gt;"' in answer.text
    answer = client.get("/reports", params={"incident": "1", "since": "-7d"})
    assert "either an incident or --since/--until" in answer.text
    assert client.get("/reports/view", params={"incident": "99"}).status_code == 404


def test_reports_need_a_signed_in_user(client, stored):
    answer = client.get("/reports/view", params={"incident": "1"}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
    assert client.get("/reports/download.csv", follow_redirects=False).status_code == 303
