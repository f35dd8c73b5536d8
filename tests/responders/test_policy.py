"""The reply policy's rules, one by one, on plain values."""

from dataclasses import replace

import pytest

from crisis.domain import (
    CommentView,
    Labels,
    ReplyContext,
    Sentiment,
    Service,
    Urgency,
    Verdict,
)
from responders.policy import decide

COMMENT = CommentView(1, "x", "sabine_k", "@nordtel Kein Internet seit 8 Uhr!", "de")
COMPLAINT = Labels("outage.v1", True, 0.9, Service.INTERNET, Sentiment.NEGATIVE, lang="de")
CONTEXT = ReplyContext(
    own_accounts=frozenset({"nordtel", "nordtel_hilft"}),
    bot_accounts=frozenset({"otherbrand_bot"}),
    addressed_to_us=True,
    already_answered=False,
    has_incident=True,
    languages=frozenset({"de", "en"}),
)


def decision(comment=COMMENT, labels=COMPLAINT, **context):
    return decide(comment, labels, replace(CONTEXT, **context))


def test_an_outage_complaint_during_an_incident_gets_the_incident_template():
    got = decision()
    assert (got.verdict, got.situation, got.lang) == (Verdict.SUGGEST, "outage_incident", "de")


@pytest.mark.parametrize(
    ("service", "situation"),
    [(Service.INTERNET, "outage_no_incident"), (Service.BILLING, "complaint"), (None, "complaint")],
)
def test_without_an_incident_an_outage_service_asks_for_a_dm_and_others_get_the_generic_one(
    service, situation
):
    got = decision(labels=replace(COMPLAINT, service=service), has_incident=False)
    assert (got.verdict, got.situation) == (Verdict.SUGGEST, situation)


@pytest.mark.parametrize("author", ["nordtel_hilft", "@Nordtel", " NORDTEL "])
def test_our_own_posts_are_never_answered(author):
    got = decision(comment=replace(COMMENT, author=author))
    assert (got.verdict, got.reasons) == (Verdict.SKIP, ("our own account",))


def test_other_brands_bots_are_never_answered():
    got = decision(comment=replace(COMMENT, author="OtherBrand_Bot"))
    assert got.verdict == Verdict.SKIP and "bot" in got.reasons[0]


def test_a_comment_not_addressed_to_us_is_not_answered():
    got = decision(addressed_to_us=False)
    assert (got.verdict, got.reasons) == (Verdict.SKIP, ("not addressed to us",))


def test_one_reply_per_customer_per_incident():
    got = decision(already_answered=True)
    assert got.verdict == Verdict.SKIP
    assert got.reasons == ("customer already has a reply for this incident",)


@pytest.mark.parametrize("urgency", list(Urgency))
def test_an_escalation_reaches_a_person_even_when_the_customer_already_has_a_reply(urgency):
    got = decision(labels=replace(COMPLAINT, urgent=(urgency,)), already_answered=True)
    assert (got.verdict, got.reasons) == (Verdict.FLAG, (urgency.value,))


@pytest.mark.parametrize("urgency", list(Urgency))
def test_urgent_comments_go_to_a_person_with_the_reason_not_to_a_template(urgency):
    got = decision(labels=replace(COMPLAINT, urgent=(urgency,)))
    assert got.verdict == Verdict.FLAG
    assert got.reasons == (urgency.value,)
    assert got.situation == "outage_incident"  # what a draft, if any, starts from


def test_an_urgent_comment_in_a_language_without_templates_names_both_reasons():
    got = decision(
        comment=replace(COMMENT, lang="tr"), labels=replace(COMPLAINT, urgent=(Urgency.CHURN,))
    )
    assert got.reasons == ("churn", "no template for language tr (Turkish)")


@pytest.mark.parametrize(
    ("comment_lang", "labels_lang"), [("tr", None), ("pl", "de"), ("und", "ar")]
)
def test_a_language_without_templates_goes_to_a_person_untranslated(comment_lang, labels_lang):
    got = decision(
        comment=replace(COMMENT, lang=comment_lang), labels=replace(COMPLAINT, lang=labels_lang)
    )
    assert got.verdict == Verdict.FLAG
    assert got.reasons[0].startswith("no template for language")


def test_the_language_comes_from_the_comment_then_the_classifier():
    got = decision(comment=replace(COMMENT, lang="en-GB"), labels=replace(COMPLAINT, lang="de"))
    assert got.lang == "en"
    got = decision(comment=replace(COMMENT, lang=None), labels=replace(COMPLAINT, lang="en"))
    assert got.lang == "en"


def test_questions_and_praise_get_their_own_templates_and_chatter_gets_nothing():
    question = decision(
        comment=replace(COMMENT, text="@nordtel Gilt der Aktionspreis auch für Bestandskunden?"),
        labels=replace(COMPLAINT, is_complaint=False, sentiment=Sentiment.NEUTRAL),
    )
    praise = decision(
        comment=replace(COMMENT, text="@nordtel Endlich stabiles Internet 👍"),
        labels=replace(COMPLAINT, is_complaint=False, sentiment=Sentiment.POSITIVE),
    )
    chatter = decision(
        comment=replace(COMMENT, text="@nordtel Muttertag ist Sonntag"),
        labels=replace(COMPLAINT, is_complaint=False, sentiment=Sentiment.NEUTRAL),
    )
    assert (question.verdict, question.situation) == (Verdict.SUGGEST, "question")
    assert (praise.verdict, praise.situation) == (Verdict.SUGGEST, "praise")
    assert (chatter.verdict, chatter.reasons) == (Verdict.SKIP, ("no reply needed",))


def test_skipping_rules_come_before_urgency():
    """Our own account's post about a lawyer is still ours: nobody answers it."""
    got = decision(
        comment=replace(COMMENT, author="nordtel"),
        labels=replace(COMPLAINT, urgent=(Urgency.LEGAL,)),
    )
    assert got.verdict == Verdict.SKIP


@pytest.mark.parametrize(
    "text",
    [
        "@nordtel Und die Festnetztelefonie? Geht die dann auch bis 18 Uhr wieder?",
        "@nordtel Habt ihr eine Störung in München?",
        "@nordtel Is the internet in Hamburg back up yet? Any idea when it's fixed?",
    ],
)
def test_a_question_about_the_open_outage_gets_the_incidents_facts(text):
    got = decision(
        comment=replace(COMMENT, text=text),
        labels=replace(COMPLAINT, is_complaint=False, sentiment=Sentiment.NEGATIVE),
        has_incident=True,
    )
    assert (got.verdict, got.situation) == (Verdict.SUGGEST, "outage_incident")


def test_other_questions_during_an_outage_keep_the_question_template():
    price = replace(COMMENT, text="@nordtel Wie viel kostet Internet 100 bei euch?")
    labels = replace(COMPLAINT, is_complaint=False, sentiment=Sentiment.NEUTRAL)
    assert decision(comment=price, labels=labels, has_incident=True).situation == "question"
    outage_words = replace(COMMENT, text="@nordtel Geht das Internet wieder?")
    assert decision(comment=outage_words, labels=labels, has_incident=False).situation == (
        "question"
    )


@pytest.mark.parametrize(
    ("text", "lang", "name"),
    [
        ("@nordtel İnternet yok, neden?", "tr", "Turkish"),
        ("@nordtel الإنترنت لا يعمل منذ الصباح", "ar", "Arabic"),
        ("@nordtel Internet nie działa od rana", "pl", "Polish"),
        ("@nordtel Интернет не работает", "ru", "Russian"),
        ("@nordtel Інтернет не працює з ранку", "uk", "Ukrainian"),
    ],
)
def test_a_comment_in_a_language_without_templates_is_flagged_by_name_never_dropped(
    text, lang, name
):
    neutral = replace(COMPLAINT, is_complaint=False, service=None, sentiment=Sentiment.NEUTRAL)
    got = decision(
        comment=replace(COMMENT, text=text, lang=None), labels=replace(neutral, lang=None)
    )
    assert (got.verdict, got.lang) == (Verdict.FLAG, lang)
    assert got.reasons == (f"no template for language {lang} ({name})",)


@pytest.mark.parametrize("text", ["Bei mir auch", "Hier auch nix", "Köln?", "Und jetzt?"])
def test_short_german_comments_without_a_platform_tag_are_german(text):
    got = decision(comment=replace(COMMENT, text=f"@nordtel {text}", lang=None))
    assert got.lang == "de"


def test_a_comment_that_shows_no_language_is_in_the_pages_language():
    got = decision(comment=replace(COMMENT, text="@nordtel 😡😡", lang=None), default_lang="de")
    assert got.lang == "de"
