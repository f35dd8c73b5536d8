"""One language: a refusal reads in the user's language, German or English, with no sentence
of the other (domain errors, the reasons a person must answer, the history's actions)."""

from __future__ import annotations

import re

import pytest

from crisis import accounts
from crisis.db import session_scope
from crisis.replies import queue
from tests.crisis.web.test_posts_page import BACK, open_incident, resume, schedule
from tests.crisis.web.test_queue_data import a_crisis, items_by_author
from tests.crisis.web.webtools import NOW, PASSWORD, sign_in

# (German, English) users of each role: lena and tom come with the fixtures.
LEADS = {"de": "lena", "en": "lee"}
AGENTS = {"de": "jana", "en": "tom"}


@pytest.fixture(autouse=True)
def more_users(web_engine):
    with session_scope(web_engine) as session:
        accounts.add_user(session, name="lee", password=PASSWORD, role="lead", lang="en",
                          actor="lena", now=NOW)  # fmt: skip
        accounts.add_user(session, name="jana", password=PASSWORD, role="agent", lang="de",
                          actor="lena", now=NOW)  # fmt: skip


def flash_error(html: str) -> str:
    found = re.search(r'class="flash flash-error"[^>]*>(.*?)</div>', html, re.S)
    assert found, "no error shown"
    return found.group(1).strip()


@pytest.mark.parametrize("lang", ["de", "en"])
def test_resuming_while_an_incident_is_open_is_refused_in_the_users_language(
    client, web_engine, lang
):
    schedule(web_engine, "muttertag")
    incident_id = open_incident(web_engine)
    csrf = sign_in(client, LEADS[lang])
    said = flash_error(resume(client, csrf, key="muttertag", mode="keep", reason="ok").text)
    if lang == "de":
        assert said.startswith("Die zurückgehaltenen Posts bleiben zurückgehalten: Störung #")
        assert f"#{incident_id} ist noch offen" in said and "still open" not in said
    else:
        assert said.startswith(f"The held posts stay held: incident #{incident_id} is still open")
        assert "Störung" not in said


@pytest.mark.parametrize("lang", ["de", "en"])
def test_an_agent_asking_for_a_leads_action_is_told_in_their_language(client, web_engine, lang):
    csrf = sign_in(client, AGENTS[lang])
    refused = client.post("/posts/freeze", data={"csrf_token": csrf, "reason": "x"},
                          headers=BACK)  # fmt: skip
    assert refused.status_code == 403
    if lang == "de":
        assert "jana ist Agent: Das darf nur eine Teamleitung." in refused.text
        assert "needs a lead" not in refused.text
    else:
        assert "tom is an agent: this needs a lead." in refused.text
        assert "Teamleitung" not in refused.text


@pytest.mark.parametrize("lang", ["de", "en"])
def test_a_decision_on_an_item_already_decided_says_who_in_the_users_language(
    client, web_engine, lang
):
    a_crisis(web_engine)
    item = items_by_author(web_engine)["Kundin 0"]
    with session_scope(web_engine) as session:
        queue.reject(session, item, actor="lena", now=NOW, reason="doppelt")
    csrf = sign_in(client, AGENTS[lang])
    page = client.post(
        f"/queue/{item}/reject", data={"csrf_token": csrf, "reason": "x"},
        headers={"referer": "http://testserver/queue"}, follow_redirects=True,
    )  # fmt: skip
    said = flash_error(page.text)
    if lang == "de":
        assert said == (
            f"Eintrag #{item} wurde schon abgelehnt, von lena am 2017-05-13 14:00 Berlin; "
            "eine abgelehnte Antwort wird nie gesendet."
        )
    else:
        assert said == (
            f"Item #{item} was already rejected by lena at 2017-05-13 14:00 Berlin; "
            "a rejected reply is never sent."
        )


@pytest.mark.parametrize("lang", ["de", "en"])
def test_the_reason_a_person_must_answer_reads_in_the_users_language(client, web_engine, lang):
    from tests.crisis.web.test_queue_data import complain
    from tests.factories import complaint, make_comment

    complain(web_engine, [make_comment(author="Ayşe", lang="tr", text="İnternet yok")],
             [complaint()])  # fmt: skip
    sign_in(client, AGENTS[lang])
    html = client.get("/queue").text
    if lang == "de":
        assert "keine Antwortvorlage in dieser Sprache (tr): von Hand antworten" in html
    else:
        assert "no reply template in this language (tr): answer by hand" in html
    assert "no template for language" not in html


@pytest.mark.parametrize("lang", ["de", "en"])
def test_a_form_missing_what_it_needs_says_so_in_the_users_language(client, web_engine, lang):
    schedule(web_engine, "muttertag")
    csrf = sign_in(client, LEADS[lang])
    said = flash_error(resume(client, csrf, mode="keep", reason="ok").text)  # nothing ticked
    if lang == "de":
        assert said.startswith("Haken Sie die zurückgehaltenen Posts an")
    else:
        assert said == "Tick the held posts to resume, or resume all held posts."


@pytest.mark.parametrize("lang", ["de", "en"])
def test_a_lead_adding_a_user_with_a_short_password_is_told_in_their_language(client, lang):
    csrf = sign_in(client, LEADS[lang])
    form = {"csrf_token": csrf, "name": "neu", "role": "agent", "lang": "de",
            "password": "kurz", "password_again": "kurz"}  # fmt: skip
    page = client.post("/users/add", data=form, headers={"referer": "http://testserver/users"})
    assert page.status_code == 422
    if lang == "de":
        assert "Das Passwort braucht mindestens 10 Zeichen." in page.text
        assert "password needs" not in page.text
    else:
        assert "The password needs at least 10 characters." in page.text
