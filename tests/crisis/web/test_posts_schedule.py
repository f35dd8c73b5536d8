"""Scheduling and editing posts on the web (leads): a marketing post is held at once while
marketing is blocked, an edit never releases a held post, and bad input is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from crisis import incidents, posts
from crisis.db import session_scope
from crisis.domain import Service
from tests.crisis.web.webtools import NOW, sign_in

BACK = {"referer": "http://testserver/posts"}
SIX_PM = datetime(2017, 5, 13, 16, 0, tzinfo=UTC)  # 18:00 in Berlin


def form(csrf, **fields):
    values = {
        "csrf_token": csrf,
        "key": "pfingsten",
        "channel": "facebook",
        "category": "marketing",
        "text": "Pfingsten: 2 Monate gratis",
        "at": "2017-05-13T18:00",
    }
    values.update(fields)
    return values


def stored(engine, key):
    with session_scope(engine) as session:
        post = posts.get_post(session, key)
        return post.state, post.publish_at.astimezone(UTC), post.text


def test_a_lead_schedules_a_post_on_a_berlin_time(client, web_engine):
    csrf = sign_in(client, "lena")
    page = client.post("/posts/schedule", data=form(csrf), headers=BACK, follow_redirects=True)
    assert "Post pfingsten geplant für 13.05.2017 18:00 (Berlin)." in page.text
    assert stored(web_engine, "pfingsten") == ("scheduled", SIX_PM, "Pfingsten: 2 Monate gratis")
    assert "pfingsten" in page.text[page.text.index('id="scheduled"') :]


def test_a_marketing_post_scheduled_during_an_incident_is_held_at_once(client, web_engine):
    with session_scope(web_engine) as session:
        incidents.open_incident(
            session,
            service=Service.TV,
            now=NOW,
            opened_by="operator",
            actor="lena",
            reason="TV weg",
        )
    csrf = sign_in(client, "lena")
    page = client.post("/posts/schedule", data=form(csrf), headers=BACK, follow_redirects=True)
    assert "gespeichert und zurückgehalten" in page.text
    assert stored(web_engine, "pfingsten")[0] == "held"


def test_editing_a_held_post_changes_its_text_but_keeps_it_held(client, web_engine):
    csrf = sign_in(client, "lena")
    client.post("/posts/schedule", data=form(csrf), headers=BACK)
    with session_scope(web_engine) as session:
        incidents.open_incident(
            session,
            service=Service.TV,
            now=NOW,
            opened_by="operator",
            actor="lena",
            reason="TV weg",
        )
    edit = client.get("/posts", params={"edit": "pfingsten"}).text
    assert 'name="key" required maxlength="128"\n      value="pfingsten" readonly' in edit
    assert "Pfingsten: 2 Monate gratis</textarea>" in edit
    changed = form(csrf, text="Pfingsten: 3 Monate gratis", at="", after="+1d", editing="1")
    client.post("/posts/schedule", data=changed, headers=BACK)
    assert stored(web_engine, "pfingsten") == (
        "held",
        NOW + timedelta(days=1),
        "Pfingsten: 3 Monate gratis",
    )


def test_a_taken_id_a_long_x_post_and_a_past_time_are_refused(client, web_engine):
    csrf = sign_in(client, "lena")
    client.post("/posts/schedule", data=form(csrf), headers=BACK)
    page = client.post(
        "/posts/schedule", data=form(csrf, text="anders"), headers=BACK, follow_redirects=True
    )
    assert "&#39;pfingsten&#39; is taken" in page.text
    long_post = form(csrf, key="lang", channel="x", text="x" * 281)
    page = client.post("/posts/schedule", data=long_post, headers=BACK, follow_redirects=True)
    assert "too long for x" in page.text and "shorten it by 1" in page.text
    past = form(csrf, key="alt", at="2017-05-13T13:59")
    page = client.post("/posts/schedule", data=past, headers=BACK, follow_redirects=True)
    assert "has already passed" in page.text
    assert stored(web_engine, "pfingsten")[2] == "Pfingsten: 2 Monate gratis"
    with session_scope(web_engine) as session:
        assert [p.key for p in posts.list_posts(session)] == ["pfingsten"]


def test_agents_cannot_schedule_and_see_no_schedule_form(client, web_engine):
    csrf = sign_in(client, "tom")
    assert 'action="/posts/schedule"' not in client.get("/posts").text
    refused = client.post("/posts/schedule", data=form(csrf), headers=BACK)
    assert refused.status_code == 403
    api = client.post(
        "/api/posts",
        json={"key": "a", "channel": "x", "category": "service", "text": "t", "at": "+1h"},
        headers={"X-CSRF-Token": csrf},
    )
    assert api.status_code == 403
    with session_scope(web_engine) as session:
        assert posts.list_posts(session) == []


def test_the_api_schedules_and_replaces_a_post(client, web_engine):
    headers = {"X-CSRF-Token": sign_in(client, "lena")}
    body = {
        "key": "info",
        "channel": "x",
        "category": "service",
        "text": "Wartung",
        "at": "2017-05-13T18:00+02:00",
    }
    made = client.post("/api/posts", json=body, headers=headers)
    assert made.status_code == 200 and made.json()["state"] == "scheduled"
    assert client.post("/api/posts", json=body, headers=headers).status_code == 422
    replaced = client.post(
        "/api/posts", json={**body, "text": "Wartung 2", "replace": True}, headers=headers
    )
    assert replaced.json()["text"] == "Wartung 2"
    assert stored(web_engine, "info") == ("scheduled", SIX_PM, "Wartung 2")
