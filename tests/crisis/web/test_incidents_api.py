"""The incidents JSON API: everyone signed in reads, leads change (API token or cookie with the
CSRF header), and a change answers with what the review queue did about it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import col, select

from crisis import accounts, audit
from crisis.db import session_scope
from crisis.tables import Incident, ReviewItem
from crisis.web.app import create_app
from tests.crisis.web.test_incidents_world import outage
from tests.crisis.web.webtools import NOW, add_users, sign_in

ETA = NOW + timedelta(hours=6)  # 20:00 Berlin


def token_for(engine, name):
    with session_scope(engine) as session:
        return accounts.create_api_token(session, name, label="status page", actor="lena", now=NOW)


def bearer(engine, name):
    return {"Authorization": f"Bearer {token_for(engine, name)}"}


def pending_texts(engine, incident_id):
    with session_scope(engine) as session:
        query = select(ReviewItem.text).where(
            ReviewItem.incident_id == incident_id, ReviewItem.state == "pending"
        )
        return list(session.exec(query.order_by(col(ReviewItem.id))))


def test_agent_lists_and_reads_incidents_with_card_counts_and_replies(
    client, web_engine, clock, settings
):
    world = outage(web_engine, clock, settings, eta=ETA)
    headers = bearer(web_engine, "tom")

    listed = client.get("/api/incidents", headers=headers)
    one = client.get(f"/api/incidents/{world.incident_id}", headers=headers)

    assert listed.status_code == 200
    [row] = listed.json()
    assert (row["id"], row["service"], row["status"], row["regions"]) == (
        world.incident_id, "internet", "suspected", ["Hamburg"]
    )  # fmt: skip
    assert row["counts"] == {"pending_replies": len(world.reply_ids), "urgent": 0, "held_posts": 0}
    assert row["allowed_statuses"] == ["investigating", "identified", "monitoring"]
    assert row["eta"].startswith("2017-05-13T18:00")
    body = one.json()
    assert body["card"]["authors"] >= 5 and body["card"]["threshold"] == 5.0
    assert any(line.startswith("top terms: internet") for line in body["card_lines"])
    assert [r["id"] for r in body["pending_replies"]] == world.reply_ids
    # only suspected: the replies look into it and name no ETA yet
    assert all("Uhr" not in r["text"] for r in body["pending_replies"])
    assert [h["actor"] for h in body["history"]] == ["detector", "lena"]
    assert client.get("/api/incidents?state=resolved", headers=headers).json() == []


def test_agent_cannot_change_an_incident(client, web_engine, clock, settings):
    world = outage(web_engine, clock, settings, eta=ETA)
    headers = bearer(web_engine, "tom")

    patched = client.patch(f"/api/incidents/{world.incident_id}", headers=headers,
                           json={"eta": "+1h", "reason": "mal sehen"})  # fmt: skip
    resolved = client.post(f"/api/incidents/{world.incident_id}/resolve", headers=headers,
                           json={"reason": "fertig"})  # fmt: skip
    opened = client.post("/api/incidents", headers=headers,
                         json={"service": "tv", "reason": "test"})  # fmt: skip

    for response in (patched, resolved, opened):
        assert response.status_code == 403
        assert response.json() == {
            "error": "tom is an agent: this needs a lead",
            "kind": "Forbidden",
            "message": "tom is an agent: this needs a lead.",  # for people: tom reads English
        }
    with session_scope(web_engine) as session:
        assert [(i.id, i.status, i.eta) for i in session.exec(select(Incident))] == [
            (world.incident_id, "suspected", ETA)
        ]


def test_lead_with_a_token_moves_the_eta_and_gets_the_queue_changes(
    client, web_engine, clock, settings
):
    world = outage(web_engine, clock, settings, eta=ETA)

    response = client.patch(
        f"/api/incidents/{world.incident_id}",
        headers=bearer(web_engine, "lena"),
        json={"eta": "2017-05-13T23:15+02:00", "status": "identified", "reason": "NOC: 23 Uhr"},
    )

    assert response.status_code == 200, response.text
    body = response.json()
    n = len(world.reply_ids)
    assert body["changed"] == ["status", "eta"]
    assert body["queue_changes"] == {"rerendered": n}
    assert body["message"] == (
        f"Incident #{world.incident_id} updated: Status, ETA. "
        f"Review queue: {n} suggestions re-written."
    )
    assert body["incident"]["eta"].startswith("2017-05-13T21:15")
    texts = pending_texts(web_engine, world.incident_id)
    assert all("gegen 23:30 Uhr" in text for text in texts)  # 23:15, said to the half hour
    with session_scope(web_engine) as session:
        entry = audit.history(session, entity="incident", entity_id=world.incident_id)[-1]
    assert (entry.actor, entry.reason) == ("lena", "NOC: 23 Uhr")


def test_lead_with_the_session_cookie_needs_the_csrf_header(client, web_engine, clock, settings):
    world = outage(web_engine, clock, settings, eta=ETA)
    csrf = sign_in(client, "lena")
    url = f"/api/incidents/{world.incident_id}"

    without = client.patch(url, json={"eta": "+3h", "reason": "später"})
    wrong = client.patch(url, json={"eta": "+3h", "reason": "später"},
                         headers={"X-CSRF-Token": "forged"})  # fmt: skip
    assert (without.status_code, wrong.status_code) == (403, 403)
    assert pending_texts(web_engine, world.incident_id)[0].count("Uhr") == 0  # suspected

    right = client.patch(url, json={"eta": "+3h", "reason": "später"},
                         headers={"X-CSRF-Token": csrf})  # fmt: skip
    assert right.status_code == 200
    assert right.json()["incident"]["eta"].startswith("2017-05-13T15:16")  # now 12:16 UTC + 3h


def test_refused_changes_say_why_and_change_nothing(client, web_engine, clock, settings):
    world = outage(web_engine, clock, settings, eta=ETA)
    headers = bearer(web_engine, "lena")
    url = f"/api/incidents/{world.incident_id}"
    before = pending_texts(web_engine, world.incident_id)

    no_reason = client.patch(url, headers=headers, json={"eta": "+1h", "reason": " "})
    past = client.patch(url, headers=headers, json={"eta": "2017-05-13T10:00Z", "reason": "x"})
    jump = client.patch(url, headers=headers, json={"status": "resolved", "reason": "x"})
    missing = client.patch(url, headers=headers, json={"eta": "+1h"})

    assert no_reason.status_code == 422 and "say why" in no_reason.json()["error"]
    assert past.status_code == 422
    assert past.json()["error"] == (
        "ETA: 13.05.2017 12:00 (Berlin) is not in the future (now 13.05.2017 14:16)"
    )
    assert jump.status_code == 409 and "use resolve" in jump.json()["error"]
    assert missing.status_code == 422 and "reason" in missing.json()["error"]
    assert pending_texts(web_engine, world.incident_id) == before
    assert client.get(url, headers=headers).json()["eta"].startswith("2017-05-13T18:00")


def test_a_typo_in_a_field_name_is_refused_not_ignored(client, web_engine, clock, settings):
    world = outage(web_engine, clock, settings, eta=ETA)
    headers = bearer(web_engine, "lena")
    url = f"/api/incidents/{world.incident_id}"

    before = client.get(url, headers=headers).json()["status"]
    typo = client.patch(url, headers=headers, json={"stauts": "identified", "reason": "NOC"})

    assert typo.status_code == 422 and "stauts" in typo.json()["error"]
    assert client.get(url, headers=headers).json()["status"] == before != "identified"


def test_lead_opens_and_resolves_through_the_api(client, web_engine, clock, settings):
    world = outage(web_engine, clock, settings, eta=ETA)
    headers = bearer(web_engine, "lena")

    opened = client.post("/api/incidents", headers=headers, json={
        "service": "tv", "regions": ["Kiel"], "status": "identified", "eta": "+2h",
        "public_status": "Sender fehlen", "reason": "Kopfstelle Kiel"})  # fmt: skip
    resolved = client.post(f"/api/incidents/{world.incident_id}/resolve", headers=headers,
                           json={"reason": "Kabel geflickt"})  # fmt: skip

    assert opened.status_code == 201, opened.text
    assert opened.json()["incident"]["opened_by_name"] == "lena"
    assert opened.json()["changed"] == ["opened"]
    assert resolved.status_code == 200
    body = resolved.json()
    assert body["incident"]["status"] == "resolved"
    assert body["queue_changes"]["follow_ups"] == len(world.reply_ids)
    assert body["message"].startswith(f"Incident #{world.incident_id} resolved. Review queue: ")
    again = client.post(f"/api/incidents/{world.incident_id}/resolve", headers=headers,
                        json={"reason": "nochmal"})  # fmt: skip
    assert again.status_code == 409


@pytest.mark.usefixtures("settings")
def test_an_eta_update_rewrites_replies_on_each_database(engine, clock, settings):
    """The same update path on SQLite and PostgreSQL (grouped counts, JSON columns, times)."""
    add_users(engine)
    world = outage(engine, clock, settings, eta=ETA)
    app = create_app(settings, engine=engine, clock=clock)
    with TestClient(app) as client:
        response = client.patch(f"/api/incidents/{world.incident_id}",
                                headers=bearer(engine, "lena"),
                                json={"eta": "2017-05-13T22:45", "status": "investigating",
                                      "reason": "NOC"})  # fmt: skip
        listed = client.get("/api/incidents", headers=bearer(engine, "tom")).json()

    assert response.status_code == 200, response.text
    assert response.json()["queue_changes"] == {"rerendered": len(world.reply_ids)}
    assert all("gegen 23 Uhr" in text for text in pending_texts(engine, world.incident_id))
    assert listed[0]["counts"]["pending_replies"] == len(world.reply_ids)
    assert listed[0]["opened_by_name"] == "detector"
