"""From an incident's page the lead reaches its report in one click."""

from __future__ import annotations

import re

from crisis import incidents
from crisis.db import session_scope
from crisis.domain import Service
from tests.crisis.web.webtools import NOW, sign_in


def test_the_incident_page_links_to_the_report_on_that_incident(client, web_engine):
    with session_scope(web_engine) as session:
        opened = incidents.open_incident(
            session, service=Service.INTERNET, now=NOW, opened_by="operator", actor="lena",
            reason="DSL",
        )  # fmt: skip
        incident_id = opened.id
    sign_in(client, "tom")

    page = client.get(f"/incidents/{incident_id}").text
    link = re.search(r'<a href="([^"]+)" id="report-link">([^<]+)</a>', page)

    assert link and link.group(2) == "Report on this incident"
    chosen = client.get(link.group(1))
    assert chosen.status_code == 200 and f"Report on incident #{incident_id}:" in chosen.text
    report_url = re.search(r'id="open-report" href="([^"]+)"', chosen.text)
    assert report_url
    report = client.get(report_url.group(1).replace("&amp;", "&"))
    assert report.status_code == 200 and f"Incident #{incident_id}" in report.text
