"""The lexicon baseline on real-sounding comments: what a social media manager would expect."""

from __future__ import annotations

import time

import pytest

from classifiers.lexicon import LexiconClassifier
from classifiers.terms import Tagger
from crisis.domain import Labels, Sentiment, Service, Urgency
from crisis.protocols import Classifier

CLASSIFIER = LexiconClassifier()


def label(text: str) -> Labels:
    [labels] = CLASSIFIER.classify([text])
    return labels


def test_lexicon_classifier_satisfies_the_classifier_protocol() -> None:
    classifier: Classifier = LexiconClassifier()
    assert classifier.name == "lexicon.v1"


@pytest.mark.parametrize(
    ("text", "service"),
    [
        ("Kein Internet seit gestern Abend, DSL-Lampe blinkt nur rot", Service.INTERNET),
        ("Router synchronisiert nicht, Internet komplett tot. Danke für nichts.", Service.INTERNET),
        ("Glasfaser seit Montag gestört, Techniker kommt erst in zwei Wochen?!", Service.INTERNET),
        ("Kein Netz auf dem Handy in ganz Hamburg-Altona", Service.MOBILE),
        ("LTE extrem langsam, mobile Daten laden gar nichts mehr", Service.MOBILE),
        ("Festnetz tot, kein Freizeichen seit heute früh", Service.PHONE),
        ("Telefonie über den Router geht nicht, VoIP-Anrufe brechen sofort ab", Service.PHONE),
        ("Fernsehen geht seit gestern nicht, Receiver zeigt nur Fehler", Service.TV),
        ("Mein E-Mail-Postfach lädt seit heute Morgen nicht mehr", Service.EMAIL),
        (
            "Kundencenter-Login geht seit Tagen nicht, ich komme nicht an meine Rechnungen",
            Service.CUSTOMER_SERVICE,
        ),
        (
            "Hotline: 45 Minuten Warteschleife und dann aufgelegt. Frechheit!",
            Service.CUSTOMER_SERVICE,
        ),
        ("Mir wurden 50 Euro zu viel abgebucht, die Rechnung ist falsch!", Service.BILLING),
    ],
)
def test_german_outage_complaint_is_caught_with_its_service(text: str, service: Service) -> None:
    labels = label(text)
    assert labels.is_complaint
    assert labels.complaint_score >= 0.5
    assert labels.service is service
    assert labels.sentiment is Sentiment.NEGATIVE
    assert labels.lang == "de"


@pytest.mark.parametrize(
    ("text", "service"),
    [
        ("Internet down again in Munich, third time this week. Unacceptable.", Service.INTERNET),
        ("Broadband keeps dropping every 10 minutes, fibre connection useless", Service.INTERNET),
        ("My phone shows no service at all, 5G network seems completely down", Service.MOBILE),
        ("Landline has been dead for days, no dial tone, nobody cares", Service.PHONE),
        ("Can't send or receive emails since yesterday, your mail server is down", Service.EMAIL),
        (
            "Your customer portal keeps logging me out, I can't change my tariff",
            Service.CUSTOMER_SERVICE,
        ),
        ("I was charged twice this month, where is my refund?", Service.BILLING),
    ],
)
def test_english_outage_complaint_is_caught_with_its_service(text: str, service: Service) -> None:
    labels = label(text)
    assert labels.is_complaint
    assert labels.service is service
    assert labels.sentiment is Sentiment.NEGATIVE
    assert labels.lang == "en"


def test_unreachable_hotline_yields_to_the_outage_it_reports() -> None:
    assert label("Hotline nicht erreichbar, seit 3 Tagen keine Mails").service is Service.EMAIL
    assert label("Seit 3 Tagen keine Mails, Hotline nicht erreichbar").service is Service.EMAIL


@pytest.mark.parametrize(
    "text",
    [
        "Wann kommt Glasfaser in meine Straße?",
        "Welche Tarife habt ihr für Studenten?",
        "How do I set up the new router for my parents?",
        "What are the roaming charges in Switzerland?",
        "Danke an den Techniker heute, super freundlich und schnell!",
        "Thanks for fixing my issue so quickly, really impressed",
        "Great coverage on my trip through Bavaria, not a single drop",
        "Keine Probleme mit dem Netz, alles super",
        "Internet geht wieder, danke für die schnelle Hilfe!",
        "Jetzt neu: Das Young Angebot mit doppeltem Datenvolumen!",
        "Gewinnspiel: Kommentiere und gewinne ein neues Smartphone!",
        "Hallo Anna, schreib uns gerne eine DM mit deiner Kundennummer, wir schauen uns das an.",
        "Hi Mark, sorry to hear that. Please send us a DM so we can look into it.",
        "Haha, das Werbevideo ist echt lustig",
    ],
)
def test_questions_praise_marketing_and_brand_replies_are_not_complaints(text: str) -> None:
    labels = label(text)
    assert not labels.is_complaint
    assert labels.complaint_score < 0.5
    assert labels.service is None


def test_brand_reply_about_a_third_party_outage_is_neither_complaint_nor_urgent() -> None:
    labels = label(
        "@helga Hallo, aktuell gibt es eine Störung bei WhatsApp selbst, unser Netz läuft normal. "
        "Zur Kündigung schreib uns gerne eine DM. ^MK"
    )
    assert not labels.is_complaint
    assert labels.third_party is None
    assert labels.urgent == ()


@pytest.mark.parametrize(
    ("text", "app"),
    [
        ("WhatsApp geht nicht, ist euer Netz kaputt?", "whatsapp"),
        ("Ist euer Netz down? WhatsApp lädt seit 20 Minuten", "whatsapp"),
        ("WhatsApp is down for me, is it your network?", "whatsapp"),
        ("Instagram lädt nicht mehr, habt ihr eine Störung?", "instagram"),
        ("Is Netflix down or is it your broadband?", "netflix"),
        ("Gmail funktioniert nicht, liegt das an euch?", "gmail"),
    ],
)
def test_third_party_outage_blamed_on_us_is_flagged_not_a_complaint(text: str, app: str) -> None:
    labels = label(text)
    assert labels.third_party == app
    assert not labels.is_complaint
    assert labels.service is None


def test_third_party_app_plus_our_own_fault_is_a_complaint() -> None:
    labels = label("WhatsApp und alles andere geht auch nicht, kein Internet")
    assert labels.is_complaint
    assert labels.third_party is None
    assert labels.service is Service.INTERNET


def test_mail_client_reporting_our_mail_server_is_our_fault() -> None:
    labels = label("Outlook meldet dauernd: Verbindung zum IMAP-Server fehlgeschlagen")
    assert labels.is_complaint
    assert labels.service is Service.EMAIL
    assert labels.third_party is None


def test_app_named_without_trouble_is_no_third_party_case() -> None:
    assert label("Netflix in 4K über eure Glasfaser, ein Traum 😍").third_party is None


@pytest.mark.parametrize(
    "text",
    [
        "Danke für nix",
        "Danke für nichts, Nordtel",
        "Super Service... 👏",
        "Läuft bei euch.",
        "Toll gemacht, Nordtel",
        "great job guys... not",
        "Thanks for nothing",
        "Webmail zeigt nur noch Fehler 503 an. Super Service...",
    ],
)
def test_sarcasm_reads_negative(text: str) -> None:
    assert label(text).sentiment is Sentiment.NEGATIVE


@pytest.mark.parametrize(
    ("text", "sentiment"),
    [
        ("Nicht schlecht, der neue Router!", Sentiment.POSITIVE),
        ("not bad at all", Sentiment.POSITIVE),
        ("Der neue Tarif ist nicht gut", Sentiment.NEGATIVE),
        ("I am not happy with the new tariff", Sentiment.NEGATIVE),
        ("Neuer Tarif 👍😍", Sentiment.POSITIVE),
        ("Neuer Tarif ❤️", Sentiment.POSITIVE),
        ("Neuer Tarif 😡🤬👎", Sentiment.NEGATIVE),
        ("Bestes Netz, bin seit 10 Jahren zufrieden", Sentiment.POSITIVE),
        ("Welche Tarife habt ihr für Studenten?", Sentiment.NEUTRAL),
    ],
)
def test_sentiment_handles_negation_and_emoji(text: str, sentiment: Sentiment) -> None:
    assert label(text).sentiment is sentiment


@pytest.mark.parametrize(
    ("text", "urgency"),
    [
        ("Kein Internet seit drei Tagen, ich kündige!", Urgency.CHURN),
        ("Ich mache von meinem Sonderkündigungsrecht Gebrauch", Urgency.CHURN),
        ("Wenn das bis Freitag nicht geht, bin ich weg.", Urgency.CHURN),
        ("Nächsten Monat wechsle zu einem anderen Anbieter", Urgency.CHURN),
        ("I'm switching provider, this is the last straw", Urgency.CHURN),
        ("Please cancel my contract", Urgency.CHURN),
        ("Mein Anwalt fordert Schadensersatz", Urgency.LEGAL),
        ("Beschwerde bei der Bundesnetzagentur ist raus", Urgency.LEGAL),
        ("Ich gehe zur Verbraucherzentrale", Urgency.LEGAL),
        ("My lawyer will be in touch", Urgency.LEGAL),
        ("Unsere Praxis ist telefonisch nicht erreichbar", Urgency.BUSINESS),
        ("Kunden erreichen uns nicht, wir verlieren Geld!", Urgency.BUSINESS),
        ("Our business has had no internet since Monday", Urgency.BUSINESS),
        ("Meine Oma hat Hausnotruf und das Festnetz ist tot", Urgency.VULNERABLE),
        ("Kein Netz, nicht mal der Notruf geht", Urgency.VULNERABLE),
        ("No landline and my father needs it for emergency calls", Urgency.VULNERABLE),
        ("Bei uns liegt ein Kabel auf der Straße", Urgency.SAFETY),
        ("Der Mast an der Ecke brennt, Feuer!", Urgency.SAFETY),
        ("There is a fire at the cabinet outside my house", Urgency.SAFETY),
    ],
)
def test_urgent_signal_is_flagged(text: str, urgency: Urgency) -> None:
    assert urgency in label(text).urgent


def test_ordinary_complaint_has_no_urgent_signal() -> None:
    assert label("Kein Internet seit gestern Abend").urgent == ()


def test_urgent_signals_come_in_enum_order_without_repeats() -> None:
    urgent = label(
        "Anwalt ist eingeschaltet, ich kündige, Kündigung folgt. Meine Oma hat Hausnotruf!"
    )
    assert urgent.urgent == (Urgency.CHURN, Urgency.LEGAL, Urgency.VULNERABLE)


def test_klagen_as_i_cannot_complain_is_no_legal_threat() -> None:
    assert Urgency.LEGAL not in label("Ich kann nicht klagen, läuft alles").urgent


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Kein Internet!", "de"),
        ("KEIN INTERNET!!!", "de"),
        ("Läuft bei euch.", "de"),
        ("Internet down since this morning", "en"),
        ("Thanks!", "en"),
        ("Internet yok, ne zaman düzelecek?", None),
        ("İnternet çalışmıyor", None),
        ("Nie działa internet od wczoraj", None),
        ("😡😡😡", None),
        ("???", None),
        ("Интернет не работает", None),
    ],
)
def test_language_is_detected_or_left_open(text: str, lang: str | None) -> None:
    assert label(text).lang == lang


@pytest.mark.parametrize(
    "text",
    [
        "neeeein, schon wieder kein Netz",
        "KEIN NETZ!!!",
        "#KeinNetz #Störung",
        "Stoerung im Mobilfunknetz, kein Empfang",
        "@Nordtel_Hilfe @nordtel kein Empfang mehr 😡",
        "<p>Kein <b>Netz</b> seit gestern</p>",
        "Kein Netz &amp; kein Empfang",
    ],
)
def test_typos_caps_hashtags_mentions_html_and_transliterations_still_match(text: str) -> None:
    labels = label(text)
    assert labels.is_complaint
    assert labels.service is Service.MOBILE


def test_a_link_to_the_outage_page_is_no_complaint() -> None:
    assert not label("Infos gibt es hier: https://nordtel.de/hilfe/stoerung-internet").is_complaint


@pytest.mark.parametrize(
    "text",
    ["", "   \n\t", "👍", "🤷‍♀️🤷‍♀️", "インターネット", "مرحبا", "<br/>", "&nbsp;", "\x00\x01"],
)
def test_empty_and_contentless_inputs_get_neutral_labels(text: str) -> None:
    labels = label(text)
    assert not labels.is_complaint
    assert labels.service is None
    assert labels.third_party is None
    assert labels.urgent == ()
    assert labels.lang is None
    assert 0.0 <= labels.complaint_score <= 1.0


def test_a_huge_text_is_classified_quickly_from_its_start() -> None:
    rant = "Kein Internet seit gestern, ich kündige! " + "bla " * 25_000
    started = time.perf_counter()
    labels = CLASSIFIER.classify([rant, "a" * 100_000, "<" * 100_000, "ü" * 100_000])
    assert time.perf_counter() - started < 2.0
    assert labels[0].is_complaint
    assert labels[0].urgent == (Urgency.CHURN,)
    assert not labels[1].is_complaint


def test_batch_keeps_length_and_order_and_names_the_model() -> None:
    texts = [
        "Welche Tarife habt ihr?",
        "Kein Internet seit gestern!",
        "",
        "Festnetz tot.",
        "Welche Tarife habt ihr?",
    ]
    labels = CLASSIFIER.classify(texts)
    assert len(labels) == len(texts)
    assert [lab.is_complaint for lab in labels] == [False, True, False, True, False]
    assert labels[0] == labels[4]
    assert {lab.model for lab in labels} == {"lexicon.v1"}
    assert CLASSIFIER.classify([]) == []


def test_score_agrees_with_the_decision() -> None:
    texts = ["Kein Internet seit gestern!", "Danke, alles super!", "WhatsApp geht nicht?"]
    for labels in CLASSIFIER.classify(texts):
        assert 0.0 <= labels.complaint_score <= 1.0
        assert labels.is_complaint == (labels.complaint_score >= 0.5)


def test_tagger_prefers_the_longer_term_and_knows_compounds() -> None:
    tagger = Tagger({"tv": ["kabel tv"], "internet": ["kabel", "*dsl"], "mobile": ["netz*"]})
    found = [(hit.label, hit.start) for hit in tagger.find("kabel tv, kabel, vdsl und netzausfall")]
    assert found == [("tv", 0), ("internet", 10), ("internet", 18), ("mobile", 26)]


def test_tagger_refuses_raw_terms_with_capturing_groups() -> None:
    with pytest.raises(ValueError, match="capturing"):
        Tagger({"x": ["re:(a|b)"]})
