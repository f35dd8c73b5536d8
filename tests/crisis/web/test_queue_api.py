"""The queue's JSON API: an integration with an API token, the browser's script with the session
cookie and its CSRF header, errors as JSON with a status."""

from __future__ import annotations

from fastapi.testclient import TestClient

from crisis import accounts, audit
from crisis.db import session_scope
from crisis.replies import bulk
from tests.crisis.web.test_queue_data import a_crisis, items_by_author
from tests.crisis.web.webtools import NOW, sign_in


def token_for(engine, name: str) -> dict[str, str]:
    with session_scope(engine) as session:
        secret = accounts.create_api_token(session, name, label="zendesk", actor="lena", now=NOW)
    return {"Authorization": f"Bearer {secret}"}


def actors(engine, item_id: int) -> list[tuple[str, str]]:
    with session_scope(engine) as session:
        return [(e.action, e.actor) for e in audit.history(session, entity="review_item",
                                                           entity_id=item_id)]  # fmt: skip


def test_an_integration_lists_and_decides_with_an_api_token(app, web_engine):
    a_crisis(web_engine)
    by_author = items_by_author(web_engine)
    auth = token_for(web_engine, "tom")
    with TestClient(app) as api:
        listed = api.get("/api/queue", headers=auth).json()
        assert [i["id"] for i in listed["items"]][0] == by_author["Dr. Hahn"]
        assert (listed["total"], listed["more"], listed["limit"]) == (7, False, 50)
        first = listed["items"][0]
        assert first["needs_human"] and first["reasons"] == ["legal"]
        assert first["comment"]["author"] == "Dr. Hahn" and first["labels"][0]["urgent"] == [
            "legal"
        ]
        assert first["incident"]["status"] == "investigating"
        kundin, sam = by_author["Kundin 0"], by_author["Sam"]
        approved = api.post(f"/api/queue/{kundin}/approve", json={}, headers=auth)
        assert approved.status_code == 200 and approved.json()["state"] == "approved"
        edited = api.post(f"/api/queue/{sam}/edit", json={"text": "Hi Sam, on it."}, headers=auth)
        assert (edited.json()["state"], edited.json()["edited_by"]) == ("pending", "tom")
        rejected = api.post(f"/api/queue/{by_author['Kundin 1']}/reject",
                            json={"reason": "duplicate"}, headers=auth)  # fmt: skip
        assert rejected.json()["state"] == "rejected"
        shown = api.get(f"/api/queue/{sam}", headers=auth).json()
    assert [(h["action"], h["actor"]) for h in shown["history"]] == [("review_item.edited", "tom")]
    assert actors(web_engine, kundin) == [("review_item.approved", "tom")]


def test_the_browser_script_writes_with_the_cookie_and_its_csrf_header_only(client, web_engine):
    a_crisis(web_engine)
    kundin = items_by_author(web_engine)["Kundin 0"]
    csrf = sign_in(client, "lena")
    refused = client.post(f"/api/queue/{kundin}/approve", json={})
    assert refused.status_code == 403 and refused.json()["kind"] == "Forbidden"
    wrong = client.post(f"/api/queue/{kundin}/approve", json={}, headers={"X-CSRF-Token": "x"})
    assert wrong.status_code == 403
    assert actors(web_engine, kundin) == []
    ok = client.post(f"/api/queue/{kundin}/approve", json={}, headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 200 and actors(web_engine, kundin) == [
        ("review_item.approved", "lena")
    ]


def test_filters_paging_and_errors_come_back_as_json_with_a_status(app, web_engine):
    a_crisis(web_engine)
    by_author = items_by_author(web_engine)
    auth = token_for(web_engine, "tom")
    with TestClient(app) as api:
        assert api.get("/api/queue").status_code == 401
        english = api.get("/api/queue?lang=en&platform=x&incident=1", headers=auth).json()
        assert [i["id"] for i in english["items"]] == [by_author["Sam"]]
        assert english["items"][0]["limit"] == 280
        urgent = api.get("/api/queue?urgent=true", headers=auth).json()
        assert [i["id"] for i in urgent["items"]] == [by_author["Dr. Hahn"]]
        page = api.get("/api/queue?limit=2&offset=2", headers=auth).json()
        everything = api.get("/api/queue", headers=auth).json()["items"]
        assert [i["id"] for i in page["items"]] == [i["id"] for i in everything[2:4]]
        assert page["more"]
        missing = api.get("/api/queue/999", headers=auth)
        assert missing.status_code == 404 and missing.json() == {
            "error": "no review item with id 999", "kind": "NotFound"}  # fmt: skip
        unknown = api.get("/api/queue?state=done", headers=auth)
        assert unknown.status_code == 422 and "known: approved, failed" in unknown.json()["error"]
        no_lang = api.get("/api/queue?lang=fr", headers=auth)
        assert no_lang.status_code == 404 and "languages in the queue: de, en" in no_lang.text
        sam = by_author["Sam"]
        too_long = api.post(f"/api/queue/{sam}/approve", json={"text": "x" * 281}, headers=auth)
        assert too_long.status_code == 422 and "the limit is 280" in too_long.json()["error"]
        api.post(f"/api/queue/{sam}/reject", json={}, headers=auth)
        twice = api.post(f"/api/queue/{sam}/reject", json={}, headers=auth)
        assert twice.status_code == 409 and "already rejected (by tom" in twice.json()["error"]
        bad = api.post(f"/api/queue/{sam}/edit", json={}, headers=auth)
        assert bad.status_code == 422 and bad.json()["kind"] == "BadRecord"
        unsent = api.post(f"/api/queue/{by_author['Kundin 0']}/send", headers=auth)
        assert unsent.status_code == 409 and "approve it first" in unsent.json()["error"]


def test_clusters_and_bulk_approve_through_the_api_report_what_was_approved(app, web_engine):
    a_crisis(web_engine)
    auth = token_for(web_engine, "lena")
    with TestClient(app) as api:
        [cluster] = api.get("/api/queue/clusters?lang=de", headers=auth).json()
        body = {"incident_id": cluster["incident_id"], "up_to": cluster["up_to"], "lang": "de"}
        short = api.post("/api/queue/bulk-approve", headers=auth,
                         json={**body, "spot_checked": cluster["sample_ids"][:2]})  # fmt: skip
        assert short.status_code == 422 and "check at least 3" in short.json()["error"]
        done = api.post("/api/queue/bulk-approve", headers=auth,
                        json={**body, "spot_checked": cluster["sample_ids"][:3]})  # fmt: skip
    result = done.json()
    assert done.status_code == 200 and len(result["approved"]) == cluster["size"]
    assert result["refused"] == [] and result["cluster"]["situation"] == cluster["situation"]
    with session_scope(web_engine) as session:
        assert bulk.clusters(session, lang="de") == []


def test_the_openapi_document_describes_the_queue_endpoints(client):
    spec = client.get("/api/openapi.json").json()
    paths = {p for p in spec["paths"] if p.startswith("/api/queue")}
    assert {"/api/queue", "/api/queue/{item_id}", "/api/queue/{item_id}/approve",
            "/api/queue/{item_id}/edit", "/api/queue/{item_id}/reject",
            "/api/queue/{item_id}/send", "/api/queue/clusters", "/api/queue/bulk-approve",
            "/api/queue/send"} <= paths  # fmt: skip
    approve = spec["paths"]["/api/queue/{item_id}/approve"]["post"]
    assert approve["tags"] == ["queue"]
    assert "ItemOut" in str(approve["responses"]["200"])
    assert "force" in spec["components"]["schemas"]["ApproveIn"]["properties"]
