"""Comment sentiment from word lists, with negation, irony and emoji.

Counting polar words gets plain comments right and irony wrong, and irony is how customers write
during an outage ("Danke für nix", "Super Service... 👏", "Läuft bei euch."). So: irony phrases
are negative whatever else the comment says; a word one or two words after a negator flips
("nicht schlecht", "not bad"); and a comment that reports a problem is negative unless its praise
clearly outweighs it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from classifiers.terms import Tagger, load_lexicon
from crisis.domain import Sentiment

_LEXICON = load_lexicon("sentiment")
_LABELS = ("sarcasm", "irony", "negative", "positive")


def _words(languages: tuple[str, ...]) -> Tagger:
    """The sentiment terms of ``languages`` plus those both languages use."""
    return Tagger(
        {
            label: [term for lang in (*languages, "all") for term in _LEXICON[label].get(lang, [])]
            for label in _LABELS
        }
    )


# Words of one language that are other words in the other ("Bad", "hat") stay in their language.
_WORDS: dict[str | None, Tagger] = {
    "de": _words(("de",)),
    "en": _words(("en",)),
    None: _words(("de", "en")),
}


def _alternation(items: list[str]) -> str:
    return "|".join(re.escape(item) for item in sorted(items, key=len, reverse=True))


_POSITIVE_EMOJI = re.compile(_alternation(_LEXICON["emoji"]["positive"]))
_NEGATIVE_EMOJI = re.compile(_alternation(_LEXICON["emoji"]["negative"]))
# A negator, then at most two words of the same clause, then the end of the window: "not a single
# drop", but not "geht nicht, Router kaputt".
_GAP = r"[^\w.,;:!?]+"
_NEGATORS = "|".join(_LEXICON["negators"]["all"])
_NOT = r"(?:do|does|did|is|are|was|were|has|have|had|ca|wo|could|would|should|ai)n['’]?t"
_NEGATED = re.compile(rf"\b(?:{_NEGATORS}|{_NOT}){_GAP}(?:\w+{_GAP}){{0,2}}$")
_NEGATION_WINDOW = 40


def is_negated(text: str, start: int) -> bool:
    """Whether the word at ``start`` in cleaned, folded ``text`` follows a negator."""
    return _NEGATED.search(text, max(0, start - _NEGATION_WINDOW), start) is not None


@dataclass(frozen=True, slots=True)
class Polarity:
    positive: int
    negative: int
    sarcastic: bool


def polarity(text: str, lang: str | None = None) -> Polarity:
    """Polar words and emoji in cleaned, folded ``text`` in ``lang`` (None: unknown), negation and
    irony applied."""
    # Emoji count once per polarity: "😡😡😡" is one feeling, not three arguments.
    positive = 1 if _POSITIVE_EMOJI.search(text) else 0
    negative = 1 if _NEGATIVE_EMOJI.search(text) else 0
    sarcastic = False
    for hit in _WORDS.get(lang, _WORDS[None]).find(text):
        if hit.label in ("sarcasm", "irony"):
            sarcastic = True
        elif (hit.label == "positive") != is_negated(text, hit.start):
            positive += 1
        else:
            negative += 1
    return Polarity(positive, negative, sarcastic)


def sentiment(found: Polarity, *, problem: bool) -> Sentiment:
    """The comment's sentiment; ``problem``: it reports something broken."""
    if found.sarcastic:
        return Sentiment.NEGATIVE
    positive, negative = found.positive, found.negative
    if problem:
        # Praise in a problem report is mostly irony or politeness ("Danke, aber seit gestern
        # kein Internet"); only clearly more praise than complaint keeps it positive.
        negative += 2
    if positive > negative:
        return Sentiment.POSITIVE
    if negative > positive:
        return Sentiment.NEGATIVE
    return Sentiment.NEUTRAL
