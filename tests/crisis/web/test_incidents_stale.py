"""Forms sent from a page that has grown old: another lead changed the incident meanwhile, or
the same button was pressed twice. What the page showed and the lead left alone is not sent
back as a change, and a double submit does not open a second incident."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from sqlmodel import col, select

from crisis import incidents
from crisis.db import session_scope
from crisis.registry import reply_setup
from crisis.replies.incident_changes import after_incident_change
from crisis.tables import Incident, ReviewItem
from tests.crisis.web.test_incidents_world import outage
from tests.crisis.web.webtools import NOW, sign_in

ETA = NOW + timedelta(hours=6)  # 20:00 Berlin
LATER = NOW + timedelta(hours=9)  # 23:00 Berlin


def shown_form(page_html: str, form_id: str) -> dict[str, str]:
    """The fields of a form as the browser sends them untouched (textarea line breaks as CRLF)."""
    form = page_html.split(f'id="{form_id}"')[1].split("</form>")[0]
    fields = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name:
            fields[name.group(1)] = html.unescape(value.group(1)) if value else ""
    for name, text in re.findall(r'<textarea name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        fields[name] = html.unescape(text).replace("\n", "\r\n")
    fields["status"] = ""  # the select's first option: keep the status
    return fields


def another_lead_changes(engine, settings, incident_id, clock):
    with session_scope(engine) as session:
        incident = incidents.update_incident(
            session, incident_id, now=clock.now(), actor="mia", reason="Technik: 23 Uhr",
            eta=LATER, public_status="Neue Lage:\nLösung bis 23 Uhr.",
        )  # fmt: skip
        after_incident_change(session, reply_setup(settings), incident, now=clock.now())


def pending_texts(engine, incident_id):
    with session_scope(engine) as session:
        return list(
            session.exec(
                select(ReviewItem.text).where(
                    ReviewItem.incident_id == incident_id, ReviewItem.state == "pending"
                )
            )
        )


def test_a_status_change_from_an_old_page_keeps_the_eta_and_text_another_lead_set(
    client, web_engine, clock, settings
):
    world = outage(web_engine, clock, settings, eta=ETA)
    with session_scope(web_engine) as session:
        incidents.update_incident(
            session,
            world.incident_id,
            now=clock.now(),
            actor="lena",
            reason="Text",
            public_status="Wir prüfen:\nbis 20 Uhr.",
        )
    csrf = sign_in(client, "lena")
    old_page = client.get(f"/incidents/{world.incident_id}").text
    form = shown_form(old_page, "update-form")
    assert form["eta"] == "2017-05-13T20:00" and form["csrf_token"] == csrf

    clock.advance(timedelta(minutes=5))
    another_lead_changes(web_engine, settings, world.incident_id, clock)
    # still suspected: the replies confirm nothing, so they quote neither text nor ETA yet
    assert all("23" not in text for text in pending_texts(web_engine, world.incident_id))

    form.update(status="investigating", reason="Wir untersuchen")
    response = client.post(f"/incidents/{world.incident_id}/update", data=form)

    assert response.status_code == 200
    assert "aktualisiert: Status." in response.text
    with session_scope(web_engine) as session:
        incident = session.get(Incident, world.incident_id)
        assert incident is not None
        assert incident.status == "investigating"
        assert incident.eta == LATER
        assert incident.public_status == "Neue Lage:\nLösung bis 23 Uhr."
    texts = pending_texts(web_engine, world.incident_id)
    # the public text says when, so the ETA is not said again (each fact once)
    assert texts and all("Lösung bis 23 Uhr." in text and "20 Uhr" not in text for text in texts)


def test_the_shown_public_status_sent_back_with_crlf_line_breaks_is_no_change(
    client, web_engine, clock, settings
):
    world = outage(web_engine, clock, settings, eta=ETA)
    with session_scope(web_engine) as session:
        incidents.update_incident(
            session,
            world.incident_id,
            now=clock.now(),
            actor="lena",
            reason="Text",
            public_status="Zeile eins\nZeile zwei",
        )
    csrf = sign_in(client, "lena")
    form = shown_form(client.get(f"/incidents/{world.incident_id}").text, "update-form")
    assert form["csrf_token"] == csrf

    form["reason"] = "nur speichern"
    response = client.post(f"/incidents/{world.incident_id}/update", data=form)

    assert "nichts zu ändern" in response.text
    with session_scope(web_engine) as session:
        incident = session.get(Incident, world.incident_id)
        assert incident is not None and incident.public_status == "Zeile eins\nZeile zwei"


def test_a_lead_still_changes_a_prefilled_eta_and_text(client, web_engine, clock, settings):
    world = outage(web_engine, clock, settings, eta=ETA)
    csrf = sign_in(client, "lena")
    form = shown_form(client.get(f"/incidents/{world.incident_id}").text, "update-form")
    assert form["csrf_token"] == csrf

    form.update(eta="2017-05-13T22:15", public_status="Bis 22:15 Uhr.", reason="neu")
    client.post(f"/incidents/{world.incident_id}/update", data=form)

    with session_scope(web_engine) as session:
        incident = session.exec(select(Incident).order_by(col(Incident.id))).first()
        assert incident is not None and incident.public_status == "Bis 22:15 Uhr."
        assert incident.eta == NOW.replace(hour=20, minute=15)


def open_form(csrf: str, **fields: str) -> dict[str, str]:
    data = {"csrf_token": csrf, "service": "mobile", "regions": "Kiel", "status": "investigating",
            "public_status": "", "eta": "", "eta_in": "", "reason": "NOC: Funk"}  # fmt: skip
    data.update(fields)
    return data


def open_ids(engine):
    with session_scope(engine) as session:
        return [i.id for i in session.exec(select(Incident).order_by(col(Incident.id)))]


def test_opening_the_same_service_twice_is_refused_and_keeps_the_form(client, web_engine):
    csrf = sign_in(client, "lena")
    first = client.post("/incidents", data=open_form(csrf))
    assert first.status_code == 200 and "Störung #1 eröffnet" in first.text

    twice = client.post("/incidents", data=open_form(csrf, regions="Lübeck"))  # a double click

    assert twice.status_code == 422
    assert "Störung #1 ist schon offen (Mobilfunk (Kiel))" in twice.text
    assert 'value="Lübeck"' in twice.text
    assert open_ids(web_engine) == [1]


def test_a_lead_may_open_a_separate_incident_of_an_open_service(client, web_engine):
    csrf = sign_in(client, "lena")
    client.post("/incidents", data=open_form(csrf))

    second = client.post("/incidents", data=open_form(csrf, regions="Passau", separate="1"))

    assert second.status_code == 200 and "Störung #2 eröffnet" in second.text
    assert open_ids(web_engine) == [1, 2]


def test_the_api_refuses_a_second_open_incident_of_a_service_unless_separate(client, web_engine):
    csrf = sign_in(client, "lena")
    headers = {"X-CSRF-Token": csrf}
    body = {"service": "tv", "reason": "NOC"}
    assert client.post("/api/incidents", json=body, headers=headers).status_code == 201

    again = client.post("/api/incidents", json=body, headers=headers)
    assert again.status_code == 422 and "incident #1 is open already (TV)" in again.text
    assert open_ids(web_engine) == [1]

    separate = client.post("/api/incidents", json={**body, "separate": True}, headers=headers)
    assert separate.status_code == 201 and open_ids(web_engine) == [1, 2]
