"""Every registered source, classifier and responder keeps the contract of its Protocol."""

import re
from dataclasses import replace
from datetime import UTC, datetime

import pytest
import responses

from crisis.domain import CommentView, IncidentFacts, Labels, Page, Service, Suggestion
from crisis.registry import CLASSIFIERS, RESPONDERS, SOURCES, make_source
from crisis.settings import Settings
from tests.crisis.connectors.recorded import make_settings
from tests.factories import make_labels

ODD_TEXTS = [
    "",
    "   ",
    "Kein Internet in Hamburg seit heute früh!!! 😡",
    "<script>alert('x')</script> Internet tot",
    "İnternet yok, Hamburg'da hiçbir şey çalışmıyor",
    "интернет не работает",
    "🙈🙈🙈",
    "Internet kaputt. " * 10_000,
]


@pytest.mark.parametrize("name", list(CLASSIFIERS))
def test_classifier_returns_one_label_per_text_in_order_and_names_itself(name):
    classifier = CLASSIFIERS.create(name, Settings())
    assert classifier.name == name
    labels = classifier.classify(ODD_TEXTS)
    assert len(labels) == len(ODD_TEXTS)
    assert all(isinstance(label, Labels) and label.model == name for label in labels)
    assert all(0.0 <= label.complaint_score <= 1.0 for label in labels)
    assert classifier.classify([]) == []
    # Batching changes no label; int8 activations are scaled per batch, so scores may move a hair.
    alone = classifier.classify(ODD_TEXTS[2:3])[0]
    assert replace(alone, complaint_score=0.0) == replace(labels[2], complaint_score=0.0)
    assert alone.complaint_score == pytest.approx(labels[2].complaint_score, abs=0.02)


@pytest.mark.parametrize("name", list(RESPONDERS))
def test_responder_suggests_a_reply_in_the_comment_language_for_an_incident(name):
    responder = RESPONDERS.create(name, Settings())
    incident = IncidentFacts(
        id=1,
        service=Service.INTERNET,
        regions=("Hamburg",),
        status="identified",
        public_status=None,
        eta=datetime(2017, 5, 13, 16, 0, tzinfo=UTC),
        status_url=None,
    )
    for lang in ("de", "en"):
        comment = CommentView(1, "facebook", "Sabine K.", "Kein Internet", lang)
        suggestion = responder.respond(comment, make_labels(), incident)
        assert isinstance(suggestion, Suggestion)
        assert suggestion.lang == lang and suggestion.text.strip()


def test_an_unknown_name_says_which_names_exist():
    with pytest.raises(
        KeyError, match="unknown classifier 'bert.v9'; known: lexicon.v1, outage.v1, outage.v2"
    ):
        CLASSIFIERS.create("bert.v9", Settings())


@pytest.mark.parametrize("name", list(SOURCES))
def test_source_answers_a_quiet_platform_with_an_empty_page_and_a_cursor_it_accepts(name):
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.add(
            responses.GET,
            re.compile(r"https://api\.twitter\.com/2/users/\d+/mentions"),
            json={"meta": {"result_count": 0}},
        )
        rsps.add(
            responses.GET,
            re.compile(r"https://graph\.facebook\.com/v21\.0/\d+/feed"),
            json={"data": []},
        )
        source_name, source = make_source(name, make_settings())
        first = source.fetch(None)
        again = source.fetch(first.cursor)
    assert source_name.startswith(f"{name}:")
    for page in (first, again):
        assert isinstance(page, Page) and page.items == [] and not page.more
        assert page.cursor is not None


def _every_scheduler(rsps):
    """Each adapter, built from settings, served its recorded listing; and the fake."""
    from crisis.schedulers.configured import make_schedulers
    from crisis.testing import SchedulerFake
    from tests.crisis.connectors.recorded import payload
    from tests.crisis.schedulers.fakes import POSTIZ, FakeFacebook, FakePostiz

    FakeFacebook(rsps)
    FakePostiz(rsps)
    rsps.add(responses.GET, re.compile(r"https://api\.bufferapp\.com/1/profiles/.*"),
             json=payload("buffer_pending.json"))  # fmt: skip
    rsps.add(responses.GET, "https://platform.hootsuite.com/v1/messages",
             json=payload("hootsuite_messages.json"))  # fmt: skip
    settings = make_settings(
        facebook_native_scheduling=True,
        postiz_url=POSTIZ,
        postiz_api_key="test-postiz-key",
        buffer_access_token="buffer-test-token",
        buffer_profile_ids=["4eb854340acb04e870000010"],
        hootsuite_access_token="hs-test-token",
    )
    return [*make_schedulers(settings), SchedulerFake()]


def test_every_scheduler_lists_its_own_posts_in_the_window_with_aware_times():
    start = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)
    end = datetime(2026, 12, 13, 8, 0, tzinfo=UTC)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        schedulers = _every_scheduler(rsps)
        assert [s.source for s in schedulers] == [
            "facebook", "postiz", "buffer", "hootsuite", "fake",
        ]  # fmt: skip
        for scheduler in schedulers:
            found = scheduler.scheduled(start, end)
            assert all(p.source == scheduler.source for p in found), scheduler.source
            assert all(p.publish_at.tzinfo is not None for p in found), scheduler.source
            assert all(start <= p.publish_at < end for p in found), scheduler.source
            assert len({p.external_id for p in found}) == len(found), scheduler.source
            assert scheduler.source == "fake" or found, scheduler.source
