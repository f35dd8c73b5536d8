"""Every packaged wording, rendered with every fact: one form of address, each fact once,
times as people say them, a reader's note, and nothing confirmed while only suspected."""

import re
from datetime import UTC, datetime

import pytest

from crisis.domain import CommentView, IncidentFacts, Labels, Sentiment, Service
from crisis.errors import TemplateError
from responders.templates import TemplateResponder

PUBLIC = "Ein Sendemast ist ausgefallen, Techniker sind vor Ort."
URL = "https://status.nordtel.de/7"
ETA = datetime(2026, 5, 13, 19, 47, tzinfo=UTC)  # 21:47 in Berlin
NEGATIVE = Labels("t", True, 0.9, Service.INTERNET, Sentiment.NEGATIVE)
DU_WORDS = re.compile(r"\b(du|dein\w*|dir|dich)\b", re.IGNORECASE)
SIE_WORDS = re.compile(r"\b(Sie|Ihnen|Ihr\w*)\b")  # capitalised: the polite form


def render_all(responder, lang, status, *, public_status=PUBLIC, eta=ETA):
    """Every wording of every situation, with every fact filled: template -> text."""
    incident = IncidentFacts(
        7, Service.INTERNET, ("Hamburg", "München"), status, public_status, eta, URL
    )
    catalog = responder.catalogs[lang]
    out = {}
    for situation in catalog.situations:
        for comment_id in range(200):
            comment = CommentView(comment_id, "facebook", "Sabine K.", "x", lang)
            got = responder.respond(comment, NEGATIVE, incident, situation)
            if got is not None:
                out.setdefault(got.template, got.text)
    return out


STATUSES = ("suspected", "investigating", "identified", "monitoring", "resolved")


@pytest.mark.parametrize("status", STATUSES)
def test_the_address_setting_changes_every_german_wording(status):
    du = render_all(TemplateResponder(address_form="du"), "de", status)
    sie = render_all(TemplateResponder(address_form="Sie"), "de", status)

    assert du.keys() == sie.keys()
    for template, text in du.items():
        assert text != sie[template], template
        assert not SIE_WORDS.search(text), (template, text)
        assert SIE_WORDS.search(sie[template]), (template, sie[template])
        assert not DU_WORDS.search(sie[template]), (template, sie[template])


def test_every_german_situation_and_wording_is_covered_by_the_switch():
    covered = set()
    for status in STATUSES:
        covered |= set(render_all(TemplateResponder(), "de", status))
    catalog = TemplateResponder().catalogs["de"]
    assert covered == {w.name for ws in catalog.situations.values() for w in ws}


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("public_status", [PUBLIC, None])
def test_no_wording_says_a_fact_twice(lang, status, public_status):
    responder = TemplateResponder(status_lang=lang)
    facts = ["Hamburg", "München" if lang == "de" else "Munich", URL, PUBLIC]
    facts += ["22 Uhr", "behoben", "bekannt"] if lang == "de" else ["10 pm", "resolved"]
    for form in ("du", "Sie"):
        if form == "Sie":
            responder = TemplateResponder(status_lang=lang, address_form="Sie")
        for template, text in render_all(
            responder, lang, status, public_status=public_status
        ).items():
            for fact in facts:
                assert text.count(fact) <= 1, (template, fact, text)
            if public_status:  # the lead's text says when, or not: never also our ETA
                assert "22 Uhr" not in text and "10 pm" not in text, (template, text)


@pytest.mark.parametrize(
    ("minute", "said"),
    [(47, "gegen 22 Uhr"), (10, "gegen 21 Uhr"), (20, "gegen 21:30 Uhr"), (0, "gegen 21 Uhr")],
)
def test_an_eta_is_said_as_people_say_it(minute, said):
    eta = datetime(2026, 5, 13, 19, minute, tzinfo=UTC)
    texts = render_all(TemplateResponder(), "de", "investigating", public_status=None, eta=eta)

    incident_texts = [t for name, t in texts.items() if name.startswith("de/outage_incident#")]
    assert incident_texts and all(f"Mittwoch {said}" in t for t in incident_texts)
    assert not any(re.search(r"\d\d:\d\d Uhr", t) and ":30" not in t for t in incident_texts)


@pytest.mark.parametrize("lang", ["de", "en"])
def test_an_outage_is_named_as_people_name_it(lang):
    texts = render_all(TemplateResponder(), lang, "investigating", public_status=None)

    for template, text in texts.items():
        assert "Internet (DSL)" not in text and "internet (DSL)" not in text, template
    outage = "DSL-Störung" if lang == "de" else "DSL outage"
    assert all(outage in t for n, t in texts.items() if "/outage_incident#" in n)


@pytest.mark.parametrize("lang", ["de", "en"])
def test_while_only_suspected_no_reply_claims_a_known_outage(lang):
    texts = render_all(TemplateResponder(), lang, "suspected")
    claim = re.compile(
        r"bekannt|wir kennen|es gibt gerade|sind dran|behoben|repariert|Reparatur"
        r"|we know about|(?<!whether )there is a|on our radar|we're on it|fixed|resolved",
        re.IGNORECASE,
    )
    suspected = {n: t for n, t in texts.items() if "/outage_suspected#" in n}
    assert suspected
    for template, text in suspected.items():
        assert not claim.search(text), (template, text)


@pytest.mark.parametrize("lang", ["de", "en"])
def test_every_packaged_wording_has_a_readers_note(lang):
    catalog = TemplateResponder().catalogs[lang]

    for situation, wordings in catalog.situations.items():
        notes = catalog.reviews.get(situation, ())
        assert len(notes) == len(wordings), f"{lang}/{situation}"
        assert all(note.strip() for note in notes)


def test_an_unknown_form_of_address_is_refused():
    with pytest.raises(TemplateError, match="du or Sie"):
        TemplateResponder(address_form="ihr")


@pytest.mark.parametrize(
    ("written", "said"),
    [
        (datetime(2026, 5, 13, 10, 0, tzinfo=UTC), "heute Abend gegen 22 Uhr"),
        (datetime(2026, 5, 12, 10, 0, tzinfo=UTC), "morgen Abend gegen 22 Uhr"),
        (datetime(2026, 5, 10, 10, 0, tzinfo=UTC), "Mittwoch gegen 22 Uhr"),
    ],
)
def test_an_eta_today_or_tomorrow_is_said_so(written, said):
    incident = IncidentFacts(
        7, Service.INTERNET, ("Hamburg",), "identified", None, ETA, URL, as_of=written
    )
    comment = CommentView(1, "facebook", "Sabine K.", "x", "de")

    text = TemplateResponder().respond(comment, NEGATIVE, incident, "outage_incident").text

    assert f"bis {said}" in text.replace("Bis", "bis")


def test_a_leads_text_in_another_form_of_address_is_quoted_and_said_once():
    lead = "Die App ist wieder erreichbar. Bitte ändert euer Passwort. Danke für eure Geduld!"
    incident = IncidentFacts(7, Service.CUSTOMER_SERVICE, (), "resolved", lead, None, URL)
    texts = {
        got.template: got.text
        for n in range(60)
        if (
            got := TemplateResponder().respond(
                CommentView(n, "facebook", "Maren", "x", "de"), NEGATIVE, incident,
                "resolved_follow_up",
            )
        )
    }  # fmt: skip

    assert len(texts) == 3
    for text in texts.values():
        assert f"„{lead}“" in text  # a quote may say "ihr"; our own words stay "du"
        assert "Danke für deine Geduld" not in text  # the lead already thanked: once
