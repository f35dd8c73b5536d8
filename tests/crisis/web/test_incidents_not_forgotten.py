"""What a lead must not lose sight of after hours of an outage: posts an earlier incident held
(counted when the last incident is resolved), an ETA that has passed while pending replies still
promise it, and which incident holds marketing, named in the reader's language."""

from __future__ import annotations

from datetime import timedelta

from crisis import incidents, posts
from crisis.db import session_scope
from crisis.domain import Service
from tests.crisis.web.webtools import NOW, sign_in


def test_resolving_the_last_incident_counts_posts_an_earlier_one_held(client, web_engine):
    with session_scope(web_engine) as session:
        earlier = incidents.open_incident(
            session, service=Service.CUSTOMER_SERVICE, now=NOW, opened_by="operator",
            actor="lena", reason="Hack",
        )  # fmt: skip
        posts.schedule_post(session, key="muttertag", channel="facebook", category="marketing",
                            text="Muttertag!", publish_at=NOW + timedelta(days=1), now=NOW,
                            actor="lena")  # fmt: skip
        assert earlier.id is not None
        incidents.resolve_incident(session, earlier.id, now=NOW, actor="lena",
                                   reason="Kundencenter wieder da")  # fmt: skip
        now_open = incidents.open_incident(
            session, service=Service.INTERNET, now=NOW, opened_by="operator", actor="lena",
            reason="DSL", regions=["Hamburg"],
        )  # fmt: skip
        incident_id = now_open.id
    csrf = sign_in(client, "lena")
    detail = client.get(f"/incidents/{incident_id}").text
    assert "Zurückgehaltene Posts (1) bleiben zurückgehalten" in detail

    response = client.post(
        f"/incidents/{incident_id}/resolve",
        data={"csrf_token": csrf, "public_status": "", "reason": "Kabel geflickt"},
    )

    assert f"Störung #{incident_id} behoben." in response.text
    assert "1 Posts bleiben zurückgehalten, bis sie freigegeben werden." in response.text


def test_the_banner_and_the_held_posts_name_the_incident_in_the_readers_language(
    client, web_engine
):
    with session_scope(web_engine) as session:
        earlier = incidents.open_incident(
            session, service=Service.CUSTOMER_SERVICE, now=NOW, opened_by="operator",
            actor="lena", reason="Hack",
        )  # fmt: skip
        posts.schedule_post(session, key="muttertag", channel="facebook", category="marketing",
                            text="Muttertag!", publish_at=NOW + timedelta(days=1), now=NOW,
                            actor="lena")  # fmt: skip
        assert earlier.id is not None
        incidents.resolve_incident(session, earlier.id, now=NOW, actor="lena", reason="ok")
        incidents.open_incident(session, service=Service.MOBILE, now=NOW, opened_by="operator",
                                actor="lena", reason="Funk", regions=["Kiel"])  # fmt: skip

    sign_in(client, "lena")  # reads German
    page = client.get("/posts").text
    banner = page.split('id="freeze-banner"')[1].split("</div>")[0]
    assert "#2 Mobilfunk (Kiel)" in banner and "outage" not in banner
    held = page.split('data-key="muttertag"')[1].split("</tr>")[0]
    assert "#1 Kundenservice" in held and "behoben" in held and "resolved" not in held

    sign_in(client, "tom")  # reads English
    page = client.get("/posts").text
    banner = page.split('id="freeze-banner"')[1].split("</div>")[0]
    assert "#2 Mobile (Kiel)" in banner
    held = page.split('data-key="muttertag"')[1].split("</tr>")[0]
    assert "#1 Customer service" in held and "resolved" in held


def test_a_passed_eta_is_flagged_on_the_board_and_the_incident_page(client, web_engine, clock):
    with session_scope(web_engine) as session:
        opened = incidents.open_incident(
            session, service=Service.INTERNET, now=NOW, opened_by="operator", actor="lena",
            reason="DSL", eta=NOW + timedelta(hours=2),
        )  # fmt: skip
        incident_id = opened.id
    sign_in(client, "lena")
    assert "eta-passed" not in client.get("/incidents").text

    clock.advance(timedelta(hours=2, minutes=1))

    board = client.get("/incidents").text.split(f'id="incident-{incident_id}"')[1]
    assert "verstrichen: offene Antworten nennen noch diese Zeit" in board.split("</article>")[0]
    page = client.get(f"/incidents/{incident_id}").text
    assert "eta-passed" in page.split('id="fact-eta"')[1].split("</dd>")[0]
