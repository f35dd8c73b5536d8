"""Tell German from English in a short comment, and admit when it is neither.

Replies are templated per language, so a wrong guess produces a reply the customer cannot read;
``None`` sends the comment to a person instead. The rule counts function words ("und", "nicht",
"the", "my"), which even a three-word complaint has, plus umlauts and endings such as "-ung" and
"-keit" for German and "-ing" words for English. Letters that neither language uses (Turkish ş,
Polish ł, ...) or a mostly non-Latin script mean: not sure.
"""

from __future__ import annotations

import re

from classifiers.terms import fold, load_lexicon

_WORD = re.compile(r"[^\W\d_]+")
_APOSTROPHE = re.compile(r"['’`´]")
_GERMAN_LETTERS = re.compile(r"[äöüß]")
_ING = re.compile(r"\b[a-z]{2,}ing\b")
_GERMAN_SUFFIX = re.compile(r"\b\w{3,}(?:ung|ungen|keit|heit|lich|isch|schaft)\b")
# Letters of other Latin-script languages that German and English (nearly) never use.
_FOREIGN_LETTERS = re.compile(r"[ğşıçąęłńśźżćőűñøåãõ]")
_LATIN_LETTER = re.compile(r"[a-z\u00c0-\u024f]")
_OTHER_LETTER = re.compile(r"[^\W\d_a-z\u00c0-\u024f]")
# How much more evidence the winner needs: mixed comments ("Internet down seit gestern") are
# common, so a plain majority would flip-flop.
_MARGIN = 2.0


def _markers(language: str) -> frozenset[str]:
    return frozenset(load_lexicon("language")[language])


_GERMAN = _markers("de")
_ENGLISH = _markers("en")


def detect_language(cleaned: str, folded: str | None = None) -> str | None:
    """``"de"``, ``"en"`` or ``None`` for lowercase ``cleaned`` text (see ``terms.clean``).

    ``folded`` is ``fold(cleaned)`` where the caller has it already.
    """
    latin = len(_LATIN_LETTER.findall(cleaned))
    if latin == 0 or len(_OTHER_LETTER.findall(cleaned)) > latin:
        return None
    if _FOREIGN_LETTERS.search(cleaned):
        return None
    words = _WORD.findall(_APOSTROPHE.sub("", fold(cleaned) if folded is None else folded))
    german = float(sum(map(_GERMAN.__contains__, words)))
    english = float(sum(map(_ENGLISH.__contains__, words)))
    if _GERMAN_LETTERS.search(cleaned):
        # Half a word: Turkish and Hungarian use ü and ö too.
        german += 0.5
    german += min(1.0, 0.5 * len(_GERMAN_SUFFIX.findall(cleaned)))
    english += min(1.0, 0.5 * len(_ING.findall(cleaned)))
    if german >= 1 and german >= _MARGIN * english:
        return "de"
    if english >= 1 and english >= _MARGIN * german:
        return "en"
    return None
