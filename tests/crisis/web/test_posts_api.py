"""The posts API: list, blocker, resume, freeze and unfreeze, on SQLite and PostgreSQL (the
resume path's queries and locks run on both), with the lead's name in the audit log."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from crisis import audit, incidents, posts
from crisis.db import session_scope
from crisis.domain import Service
from crisis.web.app import create_app
from tests.crisis.web.webtools import NOW, add_users, sign_in

DUE = NOW + timedelta(hours=1)
SIX_PM = datetime(2017, 5, 13, 16, 0, tzinfo=UTC)  # 18:00 in Berlin


@pytest.fixture
def api(engine: Engine, clock, settings) -> Iterator[tuple[TestClient, Engine]]:
    """The app over the parametrized database (SQLite, then PostgreSQL), with lena and tom."""
    add_users(engine)
    with TestClient(create_app(settings, engine=engine, clock=clock)) as client:
        yield client, engine


def held_by_incident(engine, *keys):
    with session_scope(engine) as session:
        for key in keys:
            posts.schedule_post(
                session,
                key=key,
                channel="facebook",
                category="marketing",
                text=f"{key} text",
                publish_at=DUE,
                now=NOW,
                actor="lena",
            )
        incident = incidents.open_incident(
            session,
            service=Service.INTERNET,
            now=NOW,
            opened_by="operator",
            actor="lena",
            reason="DSL down",
        )
        return incident.id


def post_state(engine, key):
    with session_scope(engine) as session:
        post = posts.get_post(session, key)
        return post.state, post.publish_at.astimezone(UTC)


def last_entry(engine, key):
    with session_scope(engine) as session:
        entry = audit.history(session, entity="post", entity_id=key)[-1]
        return entry.action, entry.actor, entry.reason


def test_resume_is_refused_while_the_incident_is_open_then_works_after_it_is_resolved(api):
    client, engine = api
    incident_id = held_by_incident(engine, "muttertag", "pfingsten")
    headers = {"X-CSRF-Token": sign_in(client, "lena")}
    body = {"keys": ["muttertag"], "at": "2017-05-13T18:00", "reason": "weiter"}

    refused = client.post("/api/posts/resume", json=body, headers=headers)
    assert refused.status_code == 409
    assert refused.json() == {
        "error": f"held posts: cannot go from 'held' to 'scheduled (incident {incident_id} is "
        "still open)'",
        "kind": "InvalidTransition",
        "state": "held",  # what they are now
        "message": f"Die zurückgehaltenen Posts bleiben zurückgehalten: Störung #{incident_id} "
        "ist noch offen. Setzen Sie sie fort, sobald sie behoben ist (oder schicken Sie sie "
        "zurück in den Entwurf).",  # for people, in the user's language (lena: German)
    }
    assert post_state(engine, "muttertag") == ("held", DUE)
    assert last_entry(engine, "muttertag")[0] == "post.held"

    with session_scope(engine) as session:
        incidents.resolve_incident(session, incident_id, now=NOW, actor="lena", reason="fixed")
    done = client.post("/api/posts/resume", json=body, headers=headers)
    assert done.status_code == 200, done.text
    [resumed] = done.json()["resumed"]
    assert (resumed["key"], resumed["state"]) == ("muttertag", "scheduled")
    assert post_state(engine, "muttertag") == ("scheduled", SIX_PM)
    assert last_entry(engine, "muttertag") == ("post.scheduled", "lena", "weiter")

    to_draft = {"keys": ["pfingsten"], "to_draft": True, "reason": "Text prüfen"}
    assert client.post("/api/posts/resume", json=to_draft, headers=headers).status_code == 200
    assert post_state(engine, "pfingsten")[0] == "draft"
    assert last_entry(engine, "pfingsten") == ("post.draft", "lena", "Text prüfen")


def test_the_api_lists_held_posts_with_their_incident_and_says_what_blocks(api):
    client, engine = api
    incident_id = held_by_incident(engine, "muttertag")
    sign_in(client, "tom")
    [held] = client.get("/api/posts", params={"state": "held"}).json()
    assert held["key"] == "muttertag" and held["held_by_incident_id"] == incident_id
    assert held["held_since"].startswith("2017-05-13T12:00") and held["overdue"] is False
    assert held["held_reason"] == f"incident {incident_id} is still open"
    assert client.get("/api/posts", params={"state": "scheduled"}).json() == []
    assert client.get("/api/posts", params={"state": "nonsense"}).status_code == 404
    blocker = client.get("/api/posts/blocker").json()
    assert blocker["blocked"] is True and blocker["incident_id"] == incident_id
    assert blocker["open_incident_ids"] == [incident_id] and blocker["held"] == 1


def test_agents_get_403_on_resume_freeze_and_unfreeze(client, web_engine):
    held_by_incident(web_engine, "muttertag")
    headers = {"X-CSRF-Token": sign_in(client, "tom")}
    for path, body in (
        ("/api/posts/resume", {"all_held": True, "to_draft": True, "reason": "x"}),
        ("/api/marketing/freeze", {"reason": "x"}),
        ("/api/marketing/unfreeze", {"reason": "x"}),
    ):
        answer = client.post(path, json=body, headers=headers)
        assert answer.status_code == 403, path
        assert answer.json()["kind"] == "Forbidden"
    assert post_state(web_engine, "muttertag")[0] == "held"


def test_api_writes_need_the_csrf_header_with_a_cookie(client, web_engine):
    held_by_incident(web_engine, "muttertag")
    sign_in(client, "lena")
    answer = client.post(
        "/api/posts/resume", json={"all_held": True, "to_draft": True, "reason": "x"}
    )
    assert answer.status_code == 403
    assert post_state(web_engine, "muttertag")[0] == "held"


def test_freeze_and_unfreeze_through_the_api(client, web_engine):
    with session_scope(web_engine) as session:
        posts.schedule_post(
            session,
            key="spot",
            channel="x",
            category="marketing",
            text="t",
            publish_at=DUE,
            now=NOW,
            actor="lena",
        )
    headers = {"X-CSRF-Token": sign_in(client, "lena")}
    frozen = client.post("/api/marketing/freeze", json={"reason": "Shitstorm"}, headers=headers)
    assert frozen.status_code == 200
    assert frozen.json()["started_by"] == "lena" and frozen.json()["held"] == 1
    again = client.post("/api/marketing/freeze", json={"reason": "noch mal"}, headers=headers)
    assert again.status_code == 409
    assert client.get("/api/posts/blocker").json()["freeze_reason"] == "Shitstorm"
    blank = client.post("/api/marketing/unfreeze", json={"reason": " "}, headers=headers)
    assert blank.status_code == 422
    ended = client.post("/api/marketing/unfreeze", json={"reason": "vorbei"}, headers=headers)
    assert ended.json()["ended_by"] == "lena" and ended.json()["held"] == 1
    assert client.get("/api/posts/blocker").json()["blocked"] is False
    assert post_state(web_engine, "spot")[0] == "held"  # stays held until resumed


def test_a_freeze_reason_too_long_for_the_banner_is_refused_and_nothing_freezes(client, web_engine):
    headers = {"X-CSRF-Token": sign_in(client, "lena")}

    pasted = client.post("/api/marketing/freeze", json={"reason": "x" * 5000}, headers=headers)

    assert pasted.status_code == 422 and "at most 1000 characters" in pasted.json()["error"]
    assert client.get("/api/posts/blocker").json()["blocked"] is False
    form = client.post(
        "/posts/freeze", data={"csrf_token": headers["X-CSRF-Token"], "reason": "y" * 5000}
    )
    assert "at most 1000 characters" in form.text and "y" * 1001 not in form.text
    assert client.get("/api/posts/blocker").json()["blocked"] is False


def test_a_resume_names_posts_or_all_not_both_and_refuses_a_past_time(client, web_engine, clock):
    incident_id = held_by_incident(web_engine, "muttertag")
    with session_scope(web_engine) as session:
        incidents.resolve_incident(session, incident_id, now=NOW, actor="lena", reason="fixed")
    headers = {"X-CSRF-Token": sign_in(client, "lena")}
    both = {"keys": ["muttertag"], "all_held": True, "reason": "x"}
    assert client.post("/api/posts/resume", json=both, headers=headers).status_code == 422
    past = {"keys": ["muttertag"], "at": "2017-05-13T10:00+02:00", "reason": "x"}
    answer = client.post("/api/posts/resume", json=past, headers=headers)
    assert answer.status_code == 422 and "already passed" in answer.json()["error"]
    unknown = {"keys": ["nope"], "at": "+1h", "reason": "x"}
    assert client.post("/api/posts/resume", json=unknown, headers=headers).status_code == 404
    assert post_state(web_engine, "muttertag")[0] == "held"


def test_openapi_documents_the_posts_endpoints(client):
    spec = client.get("/api/openapi.json").json()
    for path, method in (
        ("/api/posts", "get"),
        ("/api/posts/blocker", "get"),
        ("/api/posts/resume", "post"),
        ("/api/marketing/freeze", "post"),
        ("/api/marketing/unfreeze", "post"),
    ):
        assert spec["paths"][path][method]["tags"] == ["posts"], path
    assert "ResumeIn" in spec["components"]["schemas"]
