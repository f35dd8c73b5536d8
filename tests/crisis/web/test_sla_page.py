"""``/sla`` and the queue's SLA bar on a morning counted by hand (tests/crisis/replies/test_sla)."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from crisis.clock import VirtualClock
from crisis.settings import Settings
from crisis.web.app import create_app
from tests.crisis.replies.test_sla import NOW, a_morning
from tests.crisis.web.webtools import sign_in


@pytest.fixture
def app(web_engine) -> FastAPI:
    settings = Settings(sla_urgent_minutes=30, sla_incident_minutes=60, sla_other_minutes=240)
    return create_app(settings, engine=web_engine, clock=VirtualClock(NOW))


def cells(html: str, name: str) -> list[str]:
    row = re.search(rf'<tr data-name="{re.escape(name)}">(.*?)</tr>', html, re.S)
    assert row, f"no row for {name}"
    return [
        re.sub(r"<[^>]+>", "", c).strip()
        for c in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
    ]


def test_the_sla_page_shows_each_agent_and_incident_against_the_targets(app, web_engine):
    ids = a_morning(web_engine)
    with TestClient(app) as client:
        sign_in(client, "tom")  # English
        html = client.get("/sla").text
        assert cells(html, "lena") == ["lena", "1", "1 (100 %)", "20m", "20m", "0"]
        assert cells(html, "tom") == ["tom", "2", "1 (50 %)", "37m", "45m", "1"]
        assert cells(html, "#1") == ["#1", "1", "1 (100 %)", "30m", "30m", "1"]
        waiting = re.search(r'<tr data-priority="incident">(.*?)</tr>', html, re.S)
        assert waiting and f'href="/queue/{ids["d"]}"' in waiting.group(1)
        assert "overdue 30m" in waiting.group(1)
        queue = client.get("/queue").text
        bar = re.search(r'<p class="sla-bar" id="sla-bar">(.*?)</p>', queue, re.S)
        assert (
            bar
            and 'Incident replies (target 1h00m): 1 waiting, <b class="breaches">1 overdue</b>'
            in bar.group(1)
        )
        assert 'Other (target 4h00m): 1 waiting, <b class="breaches">0 overdue</b>' in bar.group(1)
        assert 'data-left="-1800">overdue 30m</span>' in queue
