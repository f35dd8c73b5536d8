"""The rule-based baseline classifier ("lexicon.v1"): word lists, a few rules, no model.

It is the yardstick a trained classifier has to beat and the fallback when none is installed, so
it must be explainable: every decision traces back to a term in ``classifiers/lexicons/*.toml``
and a weight below. German and English.

Complaint: a customer reports that something of ours is broken. Problem cues ("kein Internet",
"geht nicht", "down since") add to a score, as do a named service, a duration ("seit 3 Tagen") and
negative words; questions without a problem cue, praise, a resolved problem and marketing copy
subtract. Two kinds of comments are never complaints: our own team's replies, and a third-party
outage blamed on us ("WhatsApp geht nicht, ist euer Netz kaputt?" -> ``third_party="whatsapp"``),
unless the customer also reports our own fault ("... alles andere geht auch nicht, kein Internet").

Service: see ``pick_service``. Sentiment: see ``classifiers.sentiment``. Language: see
``classifiers.language``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from classifiers.language import detect_language
from classifiers.sentiment import Polarity, is_negated, polarity, sentiment
from classifiers.terms import Hit, Tagger, clean, fold, load_lexicon, term_lists
from crisis.domain import Labels, Service, Urgency

NAME = "lexicon.v1"

# Weights of the complaint score (a logit); set by hand on the examples in the tests, not fitted.
_BIAS = -1.2
_PER_PROBLEM = 1.5  # up to three problem cues count
_SERVICE_NAMED = 0.5  # ... when a problem cue is present too
_DURATION = 0.5  # "seit 3 Tagen", "again": when a problem or negative word is present too
_PER_NEGATIVE = 0.7  # up to two negative words or emoji
_THREAT = 1.0  # churn or legal threat
_QUESTION = -1.5  # a question without any problem cue
_PER_POSITIVE = -0.8  # up to two positive words or emoji
_RESOLVED = -1.5  # "geht wieder", "fixed"
_MARKETING = -2.5
# Scores for comments that are never complaints about us: they still say how close they came.
_BRAND_REPLY_CAP = 0.05
_THIRD_PARTY_CAP = 0.2

# How close (in characters) a service word must be to a problem cue to be what the problem is
# about: roughly the same clause.
_NEAR = 40
# Outages beat channels: a customer who says the hotline is unreachable and the mails are gone
# has an email outage and then could not report it. Among equals, the more specific service wins
# (VoIP runs over the router: "Telefonie über den Router geht nicht" is a phone problem).
_CHANNELS = frozenset({Service.CUSTOMER_SERVICE, Service.BILLING, Service.OTHER})
_SPECIFICITY = {
    Service.EMAIL: 7,
    Service.TV: 6,
    Service.PHONE: 5,
    Service.MOBILE: 4,
    Service.INTERNET: 3,
    Service.BILLING: 2,
    Service.CUSTOMER_SERVICE: 1,
    Service.OTHER: 0,
}

_SENTENCE_END = re.compile(r"[.!?\n]")

_COMPLAINT = load_lexicon("complaint")
_PROBLEMS = Tagger({"problem": term_lists(_COMPLAINT)["problem"]})
_CONTEXT = Tagger(
    {
        label: term_lists(_COMPLAINT)[label]
        for label in ("brand_reply", "greeting", "marketing", "resolved", "question", "duration")
    }
)
_OWN_FAULT = Tagger({"own_fault": term_lists(_COMPLAINT)["own_fault"]})
_SERVICES = Tagger(term_lists(load_lexicon("services")))
_THIRD_PARTIES = Tagger(term_lists(load_lexicon("third_party")))
_URGENCY = Tagger(term_lists(load_lexicon("urgency")))


@dataclass(frozen=True, slots=True)
class _Cues:
    """What the word lists found in one comment."""

    problems: list[Hit]
    context: set[str]
    services: list[Hit]
    polarity: Polarity


class LexiconClassifier:
    """Rule-based ``Classifier`` for German and English comments (registry key ``lexicon.v1``)."""

    name = NAME

    def classify(self, texts: Sequence[str]) -> list[Labels]:
        return [self._classify_one(text) for text in texts]

    def _classify_one(self, text: str) -> Labels:
        cleaned = clean(text)
        folded = fold(cleaned)
        lang = detect_language(cleaned, folded)
        cues = _Cues(
            problems=[h for h in _PROBLEMS.find(folded) if not is_negated(folded, h.start)],
            context={h.label for h in _CONTEXT.find(folded) if not _false_resolution(folded, h)},
            services=list(_SERVICES.find(folded)),
            polarity=polarity(folded, lang),
        )
        urgent = tuple(u for u in Urgency if u.value in _URGENCY.labels_in(folded))
        score = _complaint_score(cues, urgent)
        third_party = _third_party(folded, cues)
        brand_reply = "brand_reply" in cues.context and (
            "greeting" in cues.context or not cues.problems
        )
        if brand_reply:
            score, urgent = min(score, _BRAND_REPLY_CAP), ()
        elif third_party is not None:
            score = min(score, _THIRD_PARTY_CAP)
        score = round(score, 4)
        is_complaint = score >= 0.5
        return Labels(
            model=NAME,
            is_complaint=is_complaint,
            complaint_score=score,
            service=pick_service(cues.services, cues.problems, folded) if is_complaint else None,
            sentiment=sentiment(cues.polarity, problem=bool(cues.problems)),
            urgent=urgent,
            third_party=None if brand_reply else third_party,
            lang=lang,
        )


def _false_resolution(text: str, hit: Hit) -> bool:
    """A resolution cue that is not one: "nicht geholfen", "still not fixed", "Wann ist das
    behoben?" """
    if hit.label != "resolved":
        return False
    sentence_end = _SENTENCE_END.search(text, hit.end)
    asked = sentence_end is not None and sentence_end.group() == "?"
    return asked or is_negated(text, hit.start)


def _complaint_score(cues: _Cues, urgent: tuple[Urgency, ...]) -> float:
    found = cues.polarity
    negative = found.negative + (2 if found.sarcastic else 0)  # irony aimed at us is a complaint
    positive = 0 if found.sarcastic else found.positive
    problems = len(cues.problems)
    logit = _BIAS + _PER_PROBLEM * min(problems, 3) + _PER_NEGATIVE * min(negative, 2)
    logit += _PER_POSITIVE * min(positive, 2)
    if problems and cues.services:
        logit += _SERVICE_NAMED
    if "duration" in cues.context and (problems or negative):
        logit += _DURATION
    if Urgency.CHURN in urgent or Urgency.LEGAL in urgent:
        logit += _THREAT
    if "question" in cues.context and not problems:
        logit += _QUESTION
    if "resolved" in cues.context:
        logit += _RESOLVED
    if "marketing" in cues.context:
        logit += _MARKETING
    return 1.0 / (1.0 + math.exp(-logit))


def _third_party(text: str, cues: _Cues) -> str | None:
    """The app whose outage is blamed on us, or ``None`` (also when our service is down too)."""
    apps = [hit.label for hit in _THIRD_PARTIES.find(text)]
    if not apps:
        return None
    trouble = cues.problems or cues.polarity.negative
    if not trouble or _OWN_FAULT.labels_in(text):
        return None
    return apps[0]


def pick_service(services: Sequence[Hit], problems: Sequence[Hit], text: str) -> Service | None:
    """The service a complaint is about, from its service words and problem cues in ``text``.

    In order: a service named near a problem cue (same sentence, a few words apart) beats one
    named elsewhere; an outage (internet, mobile, phone, tv, email) beats a channel (hotline,
    portal, billing, other); more mentions beat fewer; then the more specific service. ``None``
    when no service is named.
    """
    ranks: dict[Service, tuple[bool, bool, int, int]] = {}
    for hit in services:
        service = Service(hit.label)
        near = any(_near(hit, problem, text) for problem in problems)
        was_near, _, count, _ = ranks.get(service, (False, False, 0, 0))
        ranks[service] = (
            was_near or near,
            service not in _CHANNELS,
            count + 1,
            _SPECIFICITY[service],
        )
    if not ranks:
        return None
    return max(ranks, key=lambda service: ranks[service])


def _near(service: Hit, problem: Hit, text: str) -> bool:
    """Whether a service word and a problem cue are in one sentence, a few words apart."""
    gap = max(0, problem.start - service.end, service.start - problem.end)
    between = text[min(service.end, problem.end) : max(service.start, problem.start)]
    return gap <= _NEAR and _SENTENCE_END.search(between) is None
