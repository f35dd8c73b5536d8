"""Who works on what, in the web app: opening an item claims it and the others see it, a lead
assigns a cluster, "my items" and "unassigned" follow, the load per person is counted."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from crisis import accounts
from crisis.db import session_scope
from crisis.replies import queue
from tests.crisis.web.test_queue_data import a_crisis, items_by_author
from tests.crisis.web.webtools import (
    NOW,
    PASSWORD,
    browser_sign_in,
    csrf_of,
    needs_browser,
    sign_in,
)

GERMAN = [f"Kundin {n}" for n in range(5)]


def add_agent(engine, name: str = "max") -> None:
    with session_scope(engine) as session:
        accounts.add_user(session, name=name, password=PASSWORD, role="agent", lang="en",
                          actor="lena", now=NOW)  # fmt: skip


def shown_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<article class="qitem[^"]*" id="item-(\d+)"', html)]


def test_a_second_agent_opening_the_same_item_sees_who_has_it(app, web_engine, clock):
    a_crisis(web_engine)
    add_agent(web_engine)
    item = items_by_author(web_engine)["Kundin 0"]
    with TestClient(app) as tom, TestClient(app) as max_:
        sign_in(tom, "tom")
        sign_in(max_, "max")
        mine = tom.get(f"/queue/{item}").text
        assert "You are working on this item" in mine
        clock.advance(timedelta(minutes=3))
        theirs = max_.get(f"/queue/{item}").text
        assert 'id="claimed-by-other"' in theirs
        assert "tom is working on this item (for 3m, claimed until" in theirs
        listed = max_.get("/queue").text
        assert 'data-claimed-by="tom"' in listed and "tom on it (3m)" in listed
        # "approve selected" leaves tom's item alone: it cannot be picked
        assert 'disabled title="tom has this item: not approved with others"' in listed
        assert item not in shown_ids(max_.get("/queue?who=unassigned").text)
        assert shown_ids(tom.get("/queue?who=mine").text) == [item]

        clock.advance(timedelta(minutes=15))  # tom's claim expired: max takes it over
        assert "You are working on this item" in max_.get(f"/queue/{item}").text
        assert "max is working on this item" in tom.get(f"/queue/{item}").text


def test_a_lead_assigns_a_cluster_and_the_views_and_load_follow(app, web_engine):
    a_crisis(web_engine)
    ids = items_by_author(web_engine)
    german = sorted(ids[a] for a in GERMAN)
    with TestClient(app) as lena, TestClient(app) as tom:
        sign_in(lena, "lena")
        sign_in(tom, "tom")
        clusters = lena.get("/queue/clusters").text
        assert 'action="/queue/assign-cluster"' in clusters
        assert 'action="/queue/assign-cluster"' not in tom.get("/queue/clusters").text
        done = lena.post("/queue/assign-cluster", data={
            "csrf_token": csrf_of(clusters), "incident_id": "1", "lang": "de", "kind": "reply",
            "situation": "outage_incident", "to": "tom",
        })  # fmt: skip
        assert done.status_code == 200, done.text[:300]
        assert "5 Eintrag/Einträge an tom zugewiesen." in done.text
        assert sorted(shown_ids(tom.get("/queue?who=mine").text)) == german
        unassigned = shown_ids(lena.get("/queue?who=unassigned").text)
        assert set(unassigned) == {ids["Sam"], ids["Dr. Hahn"]}
        load = lena.get("/queue").text
        assert "tom 5 (5 zugewiesen, 0 gerade offen)" in load
        refused = tom.post("/queue/assign-cluster", data={
            "csrf_token": csrf_of(load), "incident_id": "1", "to": "tom",
        })  # fmt: skip
        assert refused.status_code == 403
    with session_scope(web_engine) as session:
        assert {queue.get_item(session, i).assigned_to for i in german} == {"tom"}


@needs_browser
def test_two_agents_and_a_lead_in_the_browser(page: Any, browser: Any, web_engine) -> None:
    a_crisis(web_engine)
    add_agent(web_engine)
    item = items_by_author(web_engine)["Kundin 0"]
    browser_sign_in(page, "lena")
    page.goto("/queue/clusters")
    page.locator("form.assign-cluster").first.locator("select[name=to]").select_option("tom")
    page.locator("form.assign-cluster").first.locator("button[type=submit]").click()
    assert page.get_by_text("an tom zugewiesen").is_visible()

    tom_context = browser.new_context(base_url=page.base, locale="en-GB")
    max_context = browser.new_context(base_url=page.base, locale="en-GB")
    try:
        tom, max_ = tom_context.new_page(), max_context.new_page()
        browser_sign_in(tom, "tom")
        tom.goto("/queue?who=mine")
        assert tom.locator("article.qitem").count() == 5
        tom.goto(f"/queue/{item}")
        assert tom.locator("#claim").inner_text().startswith("You are working on this item")
        browser_sign_in(max_, "max")
        max_.goto(f"/queue/{item}")
        assert "tom is working on this item" in max_.locator("#claimed-by-other").inner_text()
        assert "Assigned to tom by lena" in max_.locator("#assigned-to").inner_text()
    finally:
        tom_context.close()
        max_context.close()
    page.goto("/queue")
    assert "tom 5 (5 zugewiesen, 1 gerade offen)" not in page.locator("#team-load").inner_text()
    assert "tom 5 (5 zugewiesen, 0 gerade offen)" in page.locator("#team-load").inner_text()
