"""Situations, decided in one place: what customers write during an outage, as they write it."""

import pytest

from crisis.domain import CommentView, Labels, Sentiment, Service
from responders.situations import situation_for

NEUTRAL = Labels("outage.v2", False, 0.2, None, Sentiment.NEUTRAL)
POSITIVE = Labels("outage.v2", False, 0.2, None, Sentiment.POSITIVE)


def situation(text, labels=NEUTRAL, *, has_incident=True):
    return situation_for(
        CommentView(1, "x", "kunde", text, None), labels, has_incident=has_incident
    )


@pytest.mark.parametrize(
    "text",
    [
        "@nordtel Köln-Poll auch",
        "Bei mir auch, Köln-Braunsfeld",
        "hier auch",
        "Köln-Kalk",
        "Bei uns in Bickendorf auch",
        "same here",
        "+1",
    ],
)
def test_me_too_during_an_incident_is_its_complaint_not_praise(text):
    assert situation(text, POSITIVE) == "outage_incident"


@pytest.mark.parametrize("text", ["???", "Und jetzt?", "@nordtel", "Hallo? Immer noch nichts."])
def test_a_nudge_without_content_is_the_incidents(text):
    assert situation(f"{text}?" if text == "@nordtel" else text) == "outage_incident"


@pytest.mark.parametrize(
    "text",
    [
        "Wann geht das mobile Internet in Köln wieder?",
        "Ist die Störung in Köln bekannt?",
        "Wie lange noch?",
        "Gibt es schon eine Prognose?",
    ],
)
def test_questions_about_the_outage_get_its_facts(text):
    assert situation(text) == "outage_incident"


@pytest.mark.parametrize(
    "text",
    [
        "Wie lange ist mein Guthaben gültig?",
        "Gibt es das Pixel 8 auch in Grün?",
        "Wann startet der Shop in der Schildergasse wieder?",
    ],
)
def test_other_questions_during_an_outage_keep_the_question_template(text):
    assert situation(text) == "question"


def test_a_third_party_app_during_our_outage_is_ours():
    whatsapp = Labels("outage.v2", True, 0.7, None, Sentiment.NEGATIVE, third_party="whatsapp")
    text = "WhatsApp geht nicht, Nachrichten bleiben bei einem Haken. Köln."
    assert situation(text, whatsapp) == "outage_incident"


@pytest.mark.parametrize(
    "text",
    [
        "euer Netz hat Feierabend gemacht 😂",
        "haha Köln offline 😂😂",
        "Glückwunsch, ganz Köln offline 👏",
    ],
)
def test_laughter_at_our_expense_is_never_praise(text):
    assert situation(text, POSITIVE) == "outage_incident"
    assert situation(text, POSITIVE, has_incident=False) != "praise"


def test_real_praise_gets_praise_even_during_an_outage():
    assert situation("Großes Lob an die Hotline, sehr freundlich! 👍", POSITIVE) == "praise"


def test_without_an_incident_me_too_is_not_answered_as_praise():
    assert situation("Bei mir auch 😂", POSITIVE, has_incident=False) is None


def test_a_complaint_about_another_service_is_not_pulled_into_the_outage():
    billing = Labels("outage.v2", True, 0.9, Service.BILLING, Sentiment.NEGATIVE)
    assert situation("Falsche Rechnung!", billing, has_incident=False) == "complaint"
