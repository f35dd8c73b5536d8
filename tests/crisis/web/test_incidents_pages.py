"""The incident board as the social team uses it: agents look, leads change; an ETA change
re-writes the pending replies the page shows; a refused change says why and changes nothing."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from crisis import audit, holds, posts
from crisis.db import session_scope
from crisis.replies import queue
from crisis.tables import Incident, ReviewItem, ScheduledPost
from tests.crisis.web.test_incidents_world import outage
from tests.crisis.web.webtools import NOW, sign_in

ETA = NOW + timedelta(hours=6)  # 20:00 Berlin (CEST)


def texts(engine, incident_id):
    with session_scope(engine) as session:
        rows = session.exec(
            select(ReviewItem.text)
            .where(ReviewItem.incident_id == incident_id, ReviewItem.state == "pending")
            .order_by(col(ReviewItem.id))
        )
        return list(rows)


def incident_row(engine, incident_id):
    with session_scope(engine) as session:
        incident = session.get(Incident, incident_id)
        session.expunge(incident)
        return incident


def update(client, csrf, incident_id, **fields):
    data = {"csrf_token": csrf, "status": "", "public_status": "", "eta": "", "eta_in": "",
            "regions": "", "reason": ""}  # fmt: skip
    data.update(fields)
    return client.post(
        f"/incidents/{incident_id}/update",
        data=data,
        headers={"referer": f"http://testserver/incidents/{incident_id}"},
    )


def test_agent_sees_the_open_incident_with_its_counts_but_no_forms(
    client, web_engine, clock, settings
):
    world = outage(web_engine, clock, settings, eta=ETA)
    sign_in(client, "tom")

    board = client.get("/incidents")
    assert board.status_code == 200
    card = board.text.split(f'id="incident-{world.incident_id}"')[1].split("</article>")[0]
    assert "Internet" in card and "Hamburg" in card and "suspected" in card
    assert "13.05.2017 20:00 (Berlin)" in card  # the ETA, Berlin time
    assert "by the detector" in card
    assert f"Pending replies: {len(world.reply_ids)}" in card
    assert f'href="/queue?incident={world.incident_id}"' in card
    assert 'action="/incidents"' not in board.text  # no "open by hand" form

    detail = client.get(f"/incidents/{world.incident_id}")
    assert detail.status_code == 200
    assert "update-form" not in detail.text and "resolve-form" not in detail.text
    assert "Hallo kunde0" in detail.text
    assert "20 Uhr" not in detail.text.split('id="pending-replies"')[1]  # suspected: no ETA yet


def test_agent_cannot_update_an_incident_by_posting_the_form(client, web_engine, clock, settings):
    world = outage(web_engine, clock, settings, eta=ETA)
    csrf = sign_in(client, "tom")
    before = texts(web_engine, world.incident_id)

    response = update(client, csrf, world.incident_id, eta_in="+1h", reason="I want to")

    assert response.status_code == 403
    assert "tom is an agent" in response.text
    assert incident_row(web_engine, world.incident_id).eta == ETA
    assert texts(web_engine, world.incident_id) == before


def test_lead_sets_the_eta_and_the_pending_replies_say_the_new_time(
    client, web_engine, clock, settings
):
    world = outage(web_engine, clock, settings, eta=ETA)
    csrf = sign_in(client, "lena")
    update(client, csrf, world.incident_id, status="investigating", reason="bestätigt")
    assert all("gegen 20 Uhr" in text for text in texts(web_engine, world.incident_id))

    # the browser's datetime-local value: Berlin time, no offset
    response = update(client, csrf, world.incident_id, eta="2017-05-13T21:30",
                      reason="Technik braucht länger")  # fmt: skip

    assert response.status_code == 200 and response.url.path == f"/incidents/{world.incident_id}"
    n = len(world.reply_ids)
    assert f"Störung #{world.incident_id} aktualisiert: Prognose (ETA)." in response.text
    assert f"Warteschlange: {n} Vorschläge neu geschrieben." in response.text
    assert incident_row(web_engine, world.incident_id).eta == NOW.replace(hour=19, minute=30)
    now_texts = texts(web_engine, world.incident_id)
    assert len(now_texts) == n
    assert all("gegen 21:30 Uhr" in text and "20 Uhr" not in text for text in now_texts)
    replies = response.text.split('id="pending-replies"')[1].split("</ol>")[0]
    assert replies.count("21:30 Uhr") == n and "20 Uhr" not in replies
    assert "13.05.2017 21:30 (Berlin)" in response.text.split('id="fact-eta"')[1][:80]


def test_an_eta_from_now_like_the_cli_takes_it(client, web_engine, clock, settings):
    world = outage(web_engine, clock, settings)
    csrf = sign_in(client, "lena")

    update(client, csrf, world.incident_id, eta_in="+2h", status="investigating",
           reason="Techniker unterwegs")  # fmt: skip

    assert incident_row(web_engine, world.incident_id).eta == clock.now() + timedelta(hours=2)
    berlin = (clock.now() + timedelta(hours=2)).astimezone(ZoneInfo("Europe/Berlin"))
    rounded = berlin + timedelta(minutes=15)  # said to the half hour
    said = f"{rounded.hour}:30" if rounded.minute >= 30 else f"{rounded.hour}"
    assert all(f"gegen {said} Uhr" in text for text in texts(web_engine, world.incident_id))


def test_the_change_is_audited_with_the_leads_name_and_reason(client, web_engine, clock, settings):
    world = outage(web_engine, clock, settings, eta=ETA)
    csrf = sign_in(client, "lena")

    page = update(client, csrf, world.incident_id, status="identified",
                  public_status="Glasfaser in Altona beschädigt",
                  reason="Bagger hat Kabel getroffen")  # fmt: skip

    with session_scope(web_engine) as session:
        entry = audit.history(session, entity="incident", entity_id=world.incident_id)[-1]
    assert (entry.actor, entry.action, entry.reason) == (
        "lena", "incident.update", "Bagger hat Kabel getroffen"
    )  # fmt: skip
    assert entry.details["status"] == ["suspected", "identified"]
    history = page.text.split('id="history"')[1]
    row = history.split("Bagger hat Kabel getroffen")[0].rsplit("<tr>", 1)[1]
    assert "lena" in row and "13.05.2017 14:16" in row  # 12:16 UTC, in Berlin
    assert "<td>Störung aktualisiert<br>" in row and "incident.update" not in history
    assert "vermutet → Ursache gefunden" in row  # her language


def test_a_move_the_lifecycle_does_not_allow_is_refused_and_nothing_changes(
    client, web_engine, clock, settings
):
    world = outage(web_engine, clock, settings, eta=ETA)
    csrf = sign_in(client, "lena")
    update(client, csrf, world.incident_id, status="monitoring", reason="Fix ausgerollt")
    before = texts(web_engine, world.incident_id)
    form = client.get(f"/incidents/{world.incident_id}").text.split('id="update-form"')[1]
    offered = re.findall(r'<option value="(\w+)"', form.split("</select>")[0])
    assert offered == ["identified"]  # from monitoring: back to identified, or resolve

    response = update(client, csrf, world.incident_id, status="investigating",
                      eta="2017-05-13T23:00", public_status="Wir suchen weiter",
                      reason="doch nicht behoben")  # fmt: skip

    assert response.status_code == 409
    refusal = "Wechsel von „wird beobachtet“ zu „wird untersucht“ ist nicht möglich."
    assert f"Störung #{world.incident_id}: {refusal}" in response.text  # the user's language
    form = response.text.split('id="update-form"')[1].split("</form>")[0]
    assert 'value="doch nicht behoben"' in form and "Wir suchen weiter" in form  # kept
    incident = incident_row(web_engine, world.incident_id)
    assert (incident.status, incident.eta, incident.public_status) == ("monitoring", ETA, None)
    assert texts(web_engine, world.incident_id) == before


def test_a_change_without_a_reason_or_with_a_past_eta_is_refused(
    client, web_engine, clock, settings
):
    world = outage(web_engine, clock, settings, eta=ETA)
    csrf = sign_in(client, "lena")

    no_reason = update(client, csrf, world.incident_id, eta_in="+3h", reason="  ")
    past = update(client, csrf, world.incident_id, eta="2017-05-13T13:00", reason="vertippt")
    garbage = update(client, csrf, world.incident_id, eta_in="bald", reason="bald")

    assert no_reason.status_code == 422 and "bitte begründen" in no_reason.text
    assert past.status_code == 422
    assert "13.05.2017 13:00 (Berlin) liegt nicht in der Zukunft" in past.text
    assert garbage.status_code == 422 and "&#39;bald&#39; ist nicht lesbar" in garbage.text
    assert incident_row(web_engine, world.incident_id).eta == ETA
    with session_scope(web_engine) as session:
        trail = audit.history(session, entity="incident", entity_id=world.incident_id)
    assert [e.actor for e in trail] == ["detector", "lena"]  # the open, the first ETA


def test_resolving_queues_follow_ups_and_says_held_posts_stay_held(
    client, web_engine, clock, settings
):
    with session_scope(web_engine) as session:
        posts.schedule_post(session, key="pfingsten-promo", channel="facebook",
                            category="marketing", text="Pfingst-Angebot!",
                            publish_at=NOW + timedelta(days=1), now=NOW, actor="lena")  # fmt: skip
    world = outage(web_engine, clock, settings, eta=ETA)
    csrf = sign_in(client, "lena")
    detail = client.get(f"/incidents/{world.incident_id}").text
    assert "pfingsten-promo" in detail
    assert "Zurückgehaltene Posts (1) bleiben zurückgehalten" in detail

    response = client.post(
        f"/incidents/{world.incident_id}/resolve",
        data={
            "csrf_token": csrf,
            "public_status": "Alles wieder online",
            "reason": "Kabel geflickt",
        },
    )

    assert f"Störung #{world.incident_id} behoben." in response.text
    assert f"{len(world.reply_ids)} Nachrichten nach Behebung angelegt" in response.text
    assert "1 Posts bleiben zurückgehalten, bis sie freigegeben werden." in response.text
    assert "update-form" not in response.text
    with session_scope(web_engine) as session:
        post = session.exec(select(ScheduledPost)).one()
        assert post.state == "held"
        assert holds.current_blocker(session) is None
    board = client.get("/incidents").text
    resolved = board.split('class="resolved"')[1]
    assert f"#{world.incident_id}" in resolved and "Alles wieder online" in resolved

    again = update(client, csrf, world.incident_id, eta_in="+1h", reason="nachtragen")
    assert again.status_code == 409 and "Wechsel von „behoben“ zu" in again.text


def test_lead_opens_an_incident_by_hand_and_marketing_is_held(client, web_engine, clock):
    csrf = sign_in(client, "lena")

    response = client.post(
        "/incidents",
        data={
            "csrf_token": csrf,
            "service": "mobile",
            "regions": "Bremen, Kiel",
            "status": "identified",
            "public_status": "Funkmast in Bremen gestört",
            "eta": "",
            "eta_in": "+4h",
            "reason": "Meldung vom NOC",
        },  # fmt: skip
    )

    assert response.status_code == 200
    assert "Störung #1 eröffnet: Mobilfunk (Bremen, Kiel)." in response.text
    assert 'id="freeze-banner"' in response.text
    incident = incident_row(web_engine, 1)
    assert (incident.service, incident.regions, incident.status, incident.opened_by) == (
        "mobile", ["Bremen", "Kiel"], "identified", "operator"
    )  # fmt: skip
    assert incident.eta == NOW + timedelta(hours=4)
    assert "von lena" in client.get("/incidents").text
    assert "Von Hand eröffnet:" in response.text and "Meldung vom NOC" in response.text


def test_opening_needs_a_known_service_and_keeps_what_was_typed(client, web_engine):
    csrf = sign_in(client, "lena")

    response = client.post(
        "/incidents",
        data={
            "csrf_token": csrf,
            "service": "",
            "regions": "Kiel",
            "status": "investigating",
            "public_status": "Wir prüfen",
            "eta": "",
            "eta_in": "",
            "reason": "NOC",
        },  # fmt: skip
    )

    assert response.status_code == 422 and "unbekannter Dienst" in response.text
    assert 'value="Kiel"' in response.text and "Wir prüfen" in response.text
    with session_scope(web_engine) as session:
        assert session.exec(select(Incident)).all() == []


def test_script_in_a_comment_or_the_public_status_is_shown_as_text(
    client, web_engine, clock, settings
):
    attack = '<script>alert("x")</script>'
    world = outage(web_engine, clock, settings,
                   texts=[f"Internet in Hamburg tot {attack}"] * 8)  # fmt: skip
    csrf = sign_in(client, "lena")

    page = update(client, csrf, world.incident_id, public_status=f"Störung {attack}",
                  reason=f"Grund {attack}")  # fmt: skip

    assert page.status_code == 200
    assert "<script>alert" not in page.text
    escaped = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"
    examples = page.text.split('class="examples"')[1]
    assert escaped in examples.split("</ul>")[0]
    assert escaped in page.text.split('id="fact-public-status"')[1][:200]
    assert "<script>alert" not in client.get("/incidents").text


def test_agent_reads_the_board_in_english_lead_in_german(client, web_engine, clock, settings):
    world = outage(web_engine, clock, settings)
    sign_in(client, "tom")
    english = client.get(f"/incidents/{world.incident_id}").text
    assert "Why this incident was opened" in english
    assert re.search(
        r"\d+ customers complained in the 30 minutes before it was detected; "
        r"usually there are 1\.0",
        english,
    )
    assert "Top terms" in english and "blinkt" in english

    client.post("/logout", data={"csrf_token": sign_in(client, "tom")})
    sign_in(client, "lena")
    german = client.get(f"/incidents/{world.incident_id}").text
    assert "Warum diese Störung eröffnet wurde" in german and "Häufigste Wörter" in german
    assert "üblich sind zu dieser Stunde der Woche 1,0. Die Schwelle lag bei 5,0." in german


def test_a_recurring_outage_links_to_the_earlier_incident(client, web_engine, clock, settings):
    world = outage(web_engine, clock, settings, eta=ETA)
    csrf = sign_in(client, "lena")
    client.post(
        f"/incidents/{world.incident_id}/resolve",
        data={"csrf_token": csrf, "public_status": "", "reason": "behoben"},
    )
    clock.advance(timedelta(hours=2))

    again = client.post(
        "/incidents",
        data={
            "csrf_token": csrf,
            "service": "internet",
            "regions": "Hamburg",
            "status": "investigating",
            "public_status": "",
            "eta": "",
            "eta_in": "",
            "reason": "schon wieder Hamburg",
        },  # fmt: skip
    )

    earlier = again.text.split('id="earlier-heading"')[1].split("</table>")[0]
    assert f'href="/incidents/{world.incident_id}"' in earlier
    assert "13.05.2017 14:14" in earlier and "13.05.2017 14:16" in earlier  # opened, resolved
    assert "Vorherige Störung dieses Dienstes" in again.text


def test_an_approved_reply_goes_back_to_pending_and_an_edited_one_is_marked(
    client, web_engine, clock, settings
):
    world = outage(web_engine, clock, settings, eta=ETA)
    approved_id, edited_id = world.reply_ids[:2]
    clock.advance(timedelta(minutes=5))
    with session_scope(web_engine) as session:
        queue.approve(session, approved_id, actor="tom", now=clock.now())
        queue.edit(session, edited_id, text="Hallo, wir melden uns gegen 20 Uhr.", actor="tom",
                   now=clock.now())  # fmt: skip
    clock.advance(timedelta(minutes=5))
    csrf = sign_in(client, "lena")

    page = update(client, csrf, world.incident_id, eta="2017-05-13T22:00",
                  status="investigating", reason="später")  # fmt: skip

    n = len(world.reply_ids)
    assert (
        f"Warteschlange: {n - 1} Vorschläge neu geschrieben, 1 freigegebene oder fehlgeschlagene "
        "Antwort zurück in die Prüfung (vor der Änderung geschrieben), 1 bearbeitete Antwort "
        "als „Fakten geändert“ markiert."
    ) in page.text
    with session_scope(web_engine) as session:
        approved = session.get(ReviewItem, approved_id)
        edited = session.get(ReviewItem, edited_id)
        assert approved.state == "pending" and "gegen 22 Uhr" in approved.text
        assert edited.text == "Hallo, wir melden uns gegen 20 Uhr." and edited.facts_changed
    reply = page.text.split(f'data-item="{edited_id}"')[1].split("</li>")[0]
    assert "Fakten seit der Bearbeitung geändert" in reply
