"""The reply templates page: every wording, rendered by the real responder with real facts."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest

from crisis import incidents
from crisis.db import session_scope
from crisis.domain import Service
from crisis.platform_text import x_length
from tests.crisis.web.webtools import sign_in

PREVIEW = re.compile(
    r'<p class="wording-name"><code>([^<]+)</code>[^<]*</p>\s*<p class="reply-preview">(.*?)</p>',
    re.S,
)


@pytest.fixture
def lena(client):
    return sign_in(client, "lena")


def _previews(page: str) -> dict[str, str]:
    return {name: html.unescape(text) for name, text in PREVIEW.findall(page)}


def test_every_language_and_situation_is_listed_with_each_wording(client, lena):
    previews = _previews(client.get("/templates").text)
    for lang in ("de", "en"):
        for situation in ("outage_incident", "outage_no_incident", "complaint",
                          "resolved_follow_up", "question", "praise"):  # fmt: skip
            names = sorted(n for n in previews if n.startswith(f"{lang}/{situation}#"))
            assert names, f"{lang}/{situation}"
            assert names == [f"{lang}/{situation}#{i}" for i in range(1, len(names) + 1)]
    assert len([n for n in previews if n.startswith("de/outage_incident#")]) == 4


def test_sample_facts_fill_the_wordings_in_each_language(client, lena, settings):
    previews = _previews(client.get("/templates").text)
    german = previews["de/outage_incident#1"]
    assert german.startswith("Hallo Sabine K., das tut uns wirklich leid")
    assert "Mobilfunk in Berlin, Hamburg, München und Köln" in german
    assert "Samstag, 13.05., 17:00 Uhr" in german  # 12:00 UTC + 3 h, in Berlin
    assert settings.status_url in german
    english = previews["en/outage_incident#1"]
    assert "Sabine K." in english and "{{" not in english
    assert "Mobilfunk" not in english  # the English service name, not the German one


def test_without_negative_sentiment_the_apology_is_left_out(client, lena):
    calm = _previews(client.get("/templates", params={"negative": "false"}).text)
    assert not any("das tut uns wirklich leid" in text for text in calm.values())
    assert calm["de/complaint#1"].startswith("Hallo Sabine K., danke")


def test_x_previews_are_shortened_to_fit(client, lena):
    facebook = _previews(client.get("/templates").text)
    x = _previews(client.get("/templates", params={"platform": "x"}).text)
    assert x and all(x_length(text) <= 280 for text in x.values())
    assert any(x_length(text) > 280 for text in facebook.values())  # so shortening was needed


def test_a_chosen_incidents_facts_are_used_and_escaped(client, lena, web_engine, clock):
    with session_scope(web_engine) as session:
        incident = incidents.open_incident(
            session, service=Service.INTERNET, now=clock.now(), opened_by="operator",
            actor="lena", reason="test", regions=["Dresden"], status="identified",
            public_status="Ein <b>Glasfaser</b>kabel wurde beschädigt",
            eta=clock.now() + timedelta(hours=5),
        )  # fmt: skip
        incident_id = incident.id
    page = client.get("/templates", params={"incident": incident_id}).text
    assert "<b>Glasfaser</b>" not in page  # what the team typed is text, never markup
    previews = _previews(page)
    german = previews["de/outage_incident#2"]
    assert "Internet (DSL) in Dresden" in german
    assert "Ein <b>Glasfaser</b>kabel wurde beschädigt." in german
    assert "19:00 Uhr" in german  # 12:00 UTC + 5 h in Berlin
    assert "behoben" in previews["de/resolved_follow_up#1"]
    assert f'<option value="{incident_id}" selected>' in page


def test_an_unknown_incident_is_a_clear_404(client, lena):
    response = client.get("/templates", params={"incident": 999})
    assert response.status_code == 404
    assert "999" in response.text


def test_the_page_shows_each_wordings_source(client, lena):
    page = client.get("/templates").text
    assert html.escape("{{ greeting }} {{ apology }} wir arbeiten mit Hochdruck") in page
