"""A comment's language: the platform's tag first, then the text, then the page's language.

The classifier's language guess fails on the short comments that make up an outage ("Bei mir
auch", "Köln?"), and a comment with no language went nowhere. The text tells most of them:
scripts and letters only some languages use (Arabic, Cyrillic, Turkish, Polish), and words
every German or English comment is made of. What still stays unclear is in the language of the
page it was written on (``default``).
"""

from __future__ import annotations

import re

from crisis.domain import CommentView, Labels

NAMES = {
    "de": "German",
    "en": "English",
    "tr": "Turkish",
    "ar": "Arabic",
    "pl": "Polish",
    "ru": "Russian",
    "uk": "Ukrainian",
    "fr": "French",
    "it": "Italian",
    "es": "Spanish",
    "nl": "Dutch",
}
_UNDETERMINED = frozenset({"und", "zxx", "qme", "qht", "qam", "qst"})  # X: cannot tell, media
_ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_UKRAINIAN = re.compile(r"[іїєґІЇЄҐ]")
# No IGNORECASE on letters: it would let the dotless ı match every i.
_TURKISH = re.compile(r"[ğışİĞŞ]|\b([Bb]ir|ve|yok|[Çç]alışmıyor|[Nn]eden|hiç|değil|[Bb]u)\b")
_POLISH = re.compile(r"[ąćęłńśźżĄĆĘŁŃŚŹŻ]|\b(jest|działa|dlaczego|się|nie działa)\b", re.I)
_GERMAN = re.compile(
    r"\b(ich|mir|mich|bei|auch|nicht|nix|nichts|geht|und|ist|das|der|die|ein|eine|kein|keine"
    r"|hier|schon|noch|wieder|seit|wann|wie|warum|euer|eure|ihr|wir|uns|danke|bitte|immer"
    r"|jetzt|mal|heute|gar|los|netz|störung|hallo)\b|[äöüß]",
    re.I,
)
_ENGLISH = re.compile(
    r"\b(i|my|me|the|is|are|not|no|down|still|again|when|why|what|here|too|thanks|thank|you"
    r"|your|any|working|since|please|hello|this|it|of|and)\b",
    re.I,
)


def language(code: str | None) -> str | None:
    """The base language of a tag (``"de-AT"`` -> ``"de"``); ``None`` when unknown."""
    base = (code or "").strip().lower().replace("_", "-").split("-")[0]
    return None if not base or base in _UNDETERMINED else base


def from_text(text: str) -> str | None:
    """The language the text shows, or ``None`` when it shows none clearly."""
    if _ARABIC.search(text):
        return "ar"
    if _CYRILLIC.search(text):
        return "uk" if _UKRAINIAN.search(text) else "ru"
    if _TURKISH.search(text):
        return "tr"
    if _POLISH.search(text) and not re.search(r"[äöüß]", text, re.I):
        return "pl"
    german, english = len(_GERMAN.findall(text)), len(_ENGLISH.findall(text))
    if german > english:
        return "de"
    if english > german:
        return "en"
    return None


def comment_language(
    comment: CommentView, labels: Labels, default: str | None = None
) -> str | None:
    """The platform's tag, then the text (letters, then the classifier's guess, then words),
    then ``default``: the language of our page."""
    tagged = language(comment.lang)
    if tagged:
        return tagged
    shown = from_text(comment.text)
    if shown not in (None, "de", "en"):
        return shown  # a script or letters only that language uses
    return language(labels.lang) or shown or language(default)


def describe(lang: str | None) -> str:
    """``"tr (Turkish)"``, for a person reading why a comment came to them."""
    if not lang:
        return "unknown"
    name = NAMES.get(lang)
    return f"{lang} ({name})" if name else lang
