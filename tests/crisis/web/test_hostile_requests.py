"""Requests no page sends but anyone can: numbers beyond the id range, a ``back`` link that a
browser reads as another site, a crafted message cookie. Each is a 404/422 or ignored; none is
a 500."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from crisis.clock import VirtualClock
from crisis.settings import Settings
from crisis.web.app import create_app
from crisis.web.render import FLASH_COOKIE
from tests.crisis.web.test_queue_api import token_for
from tests.crisis.web.test_queue_data import a_crisis
from tests.crisis.web.webtools import NOW, add_users, sign_in

HUGE = ["2147483648", "9223372036854775808", "1" + "0" * 40]


@pytest.fixture
def api(engine):
    add_users(engine)
    a_crisis(engine)
    app = create_app(Settings(), engine=engine, clock=VirtualClock(NOW))
    with TestClient(app, raise_server_exceptions=False) as client:
        client.headers.update(token_for(engine, "lena"))
        yield client


@pytest.mark.parametrize("number", HUGE)
def test_ids_and_numbers_beyond_the_range_are_404_or_422_not_500(api, number):
    answers = {
        path: api.request(method, path, json={} if method == "POST" else None).status_code
        for method, path in [
            ("GET", f"/api/queue/{number}"),
            ("POST", f"/api/queue/{number}/approve"),
            ("POST", f"/api/queue/{number}/reject"),
            ("GET", f"/api/incidents/{number}"),
            ("GET", f"/api/queue?offset={number}"),
            ("GET", f"/api/queue?incident={number}"),
            ("GET", f"/api/queue/clusters?incident={number}"),
        ]
    }
    assert all(code in (404, 422) for code in answers.values()), answers


@pytest.mark.parametrize("number", HUGE)
def test_pages_with_numbers_beyond_the_range_say_so_instead_of_500(engine, number):
    add_users(engine)
    a_crisis(engine)
    app = create_app(Settings(), engine=engine, clock=VirtualClock(NOW))
    with TestClient(app, raise_server_exceptions=False) as browser:
        sign_in(browser, "lena")
        for path in [
            f"/queue/{number}",
            f"/incidents/{number}",
            f"/queue?incident={number}",
            f"/queue?offset={number}",
        ]:
            assert browser.get(path).status_code in (404, 422), path


@pytest.mark.parametrize(
    "back", ["/\t/evil.example", "/\n/evil.example", "/\r\n/evil.example", "/ /evil.example"]
)
def test_a_back_link_a_browser_reads_as_another_site_goes_home_instead(client, web_engine, back):
    a_crisis(web_engine)
    csrf = sign_in(client, "lena")
    answer = client.post(
        "/lang", data={"lang": "en", "back": back, "csrf_token": csrf}, follow_redirects=False
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    item = client.get("/queue/1", params={"back": back})
    assert item.status_code == 200
    assert "evil.example" not in item.text and 'href="/queue"' in item.text


def test_a_crafted_message_cookie_is_ignored_on_every_page(client):
    client.cookies.set(FLASH_COOKIE, quote("[" * 1200))
    assert client.get("/login").status_code == 200
    sign_in(client, "lena")
    client.cookies.set(FLASH_COOKIE, quote("[" * 1200))
    assert client.get("/queue").status_code == 200
