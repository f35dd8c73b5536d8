"""A post another tool could not hold is on every page, with why, until a sync round holds it."""

from __future__ import annotations

from datetime import UTC, datetime

import responses

from crisis import incidents
from crisis.clock import VirtualClock
from crisis.db import session_scope
from crisis.domain import Service
from crisis.schedulers import postiz
from crisis.schedulers.configured import make_sync
from tests.crisis.connectors.recorded import make_settings, payload
from tests.crisis.schedulers.fakes import POSTIZ, FakePostiz
from tests.crisis.web.webtools import sign_in

DUE_SOON = datetime(2026, 12, 6, 8, 55, tzinfo=UTC)  # Postiz's Winter-Deal is due at 09:20


def test_a_post_postiz_refused_to_hold_shows_on_the_banner_within_one_round(client, web_engine):
    settings = make_settings(postiz_url=POSTIZ, postiz_api_key="test-postiz-key-0123")
    clock = VirtualClock(DUE_SOON)
    with session_scope(web_engine) as session:
        incidents.open_incident(session, service=Service.INTERNET, now=DUE_SOON,
                                opened_by="operator", actor="lena", reason="DSL")  # fmt: skip
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        fake = FakePostiz(rsps)
        fake.failures["PUT"] = [(401, payload("postiz_error_unauthorized.json"))]
        sync = make_sync(settings, engine=web_engine, clock=clock,
                         schedulers=[postiz.make_scheduler(settings)])  # fmt: skip
        sync.round()
        sign_in(client, "tom")
        page = client.get("/posts").text
        banner = page.split('id="not-held-banner"')[1].split("</div>")[0]
        assert "1 posts could not be held in their scheduling tool" in banner
        assert "postiz:cm4winter0001" in banner and "Invalid API key" in banner
        row = page.split('data-key="postiz:cm4winter0001"')[1].split("</tr>")[0]
        assert "postiz: hold under way there" in row and "Invalid API key" in row

        sync.round()  # the key works again
    page = client.get("/posts").text
    assert 'id="not-held-banner"' not in page
    assert "postiz: held there" in page.split('data-key="postiz:cm4winter0001"')[1]
