"""Word lists as data: clean a comment, and compile lists of terms into fast regular expressions.

The lexicons in ``classifiers/lexicons/*.toml`` are written the way people type, not as regular
expressions, so a social media manager can extend them. A term is lowercase and matches

- as whole words: ``"netz"`` matches "Netz!" but not "Festnetz" or "netzwerk";
- with a ``*`` at either end, inside a longer word on that side, for German compounds:
  ``"*ausfall"`` matches "DSL-Ausfall" and "Stromausfall", ``"glasfaser*"`` "Glasfaserleitung";
- across any separator or none between its words: ``"kein internet"`` matches "kein-Internet",
  "KEIN INTERNET!!!" and the hashtag "#KeinInternet";
- with umlauts written either way (ö = oe, ß = ss) and letters stretched ("neeein", "sooo").

A term starting with ``re:`` is a raw regular expression over the cleaned, folded text (lowercase,
umlauts as ae/oe/ue/ss), for the few patterns that a plain phrase cannot say.
"""

from __future__ import annotations

import html
import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from importlib import resources
from typing import Any, NamedTuple, TypeAlias

# Comments are short; a pasted wall of text is judged on its start, which keeps a 100k-character
# text as fast as a tweet.
MAX_SCAN_CHARS = 5_000

_TAG = re.compile(r"<[^<>]{0,300}>")
_URL = re.compile(r"\b(?:https?://|www\.)\S+")
# A mention names an account ("@NordtelHilfe"); its words are not the customer's words.
_MENTION = re.compile(r"@\w+")
# "neeeeeein", "!!!!!!!!": three of a kind still match every stretched term, and a bounded run
# keeps the matching linear.
_LONG_RUN = re.compile(r"(.)\1{3,}")
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_SEPARATOR = r"[\W_]*"
_BOUNDARY = r"\b"
_RAW = "re:"


def clean(text: str) -> str:
    """Lowercase text without markup, links and @mentions, cut to ``MAX_SCAN_CHARS``."""
    text = text[:MAX_SCAN_CHARS]
    if "<" in text:
        text = _TAG.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    if "/" in text or "www" in text:
        text = _URL.sub(" ", text)
    if "@" in text:
        text = _MENTION.sub(" ", text)
    return _LONG_RUN.sub(r"\1\1\1", text.lower())


def fold(text: str) -> str:
    """Spell umlauts the way a keyboard without them does, so "Störung" equals "Stoerung"."""
    return text.lower().translate(_UMLAUTS)


class Hit(NamedTuple):
    label: str
    start: int
    end: int


def _atoms(term: str) -> list[str]:
    """A plain term as a sequence of regular-expression pieces (see the module docstring)."""
    folded = fold(term.strip())
    prefix, suffix = folded.startswith("*"), folded.endswith("*")
    words = [w for w in re.split(r"[\W_]+", folded.strip("*")) if w]
    if not words:
        raise ValueError(f"empty term {term!r}")
    # An open end needs no piece: the match may simply start or stop inside a word.
    atoms = [] if prefix else [_BOUNDARY]
    for index, word in enumerate(words):
        if index:
            atoms.append(_SEPARATOR)
        atoms.extend(_stretchable(word))
    if not suffix:
        atoms.append(_BOUNDARY)
    return atoms


def _stretchable(word: str) -> list[str]:
    """Each run of one letter matches that run or a stretched one: "nein" also "neeein".

    A single letter matches one or three and more of it, never exactly two: stretching is for
    emphasis, and a doubled letter makes another word ("hate" is not "hatte"). Every piece starts
    with a plain character, which lets the regex engine skip a failing alternative after one
    comparison.
    """
    pieces = []
    for run in re.finditer(r"(.)\1*", word):
        char, count = re.escape(run.group(1)), len(run.group(0))
        if not run.group(1).isalpha():
            pieces.append(char * count)
        elif count == 1:
            pieces.append(f"{char}(?:{char}{char}+)?")
        else:
            pieces.append(f"{char * count}{char}*")
    return pieces


_Trie: TypeAlias = dict[str, "_Trie | str"]
_END = ""  # key of a trie node's label: a term ends there


def _insert(trie: _Trie, atoms: list[str], label: str) -> None:
    node = trie
    for atom in atoms:
        child = node.setdefault(atom, {})
        assert isinstance(child, dict)
        node = child
    node.setdefault(_END, label)  # the same term in two lists: the first list keeps it


def _depth(node: _Trie | str) -> int:
    if isinstance(node, str):
        return 0
    return 1 + max(_depth(child) for child in node.values())


def _render(node: _Trie, labels: list[str]) -> str:
    """The trie as one regular expression; each term's end is an empty group naming its label.

    Longer branches come first, so "kabel tv" wins over "kabel" where both match.
    """
    branches = []
    for atom, child in sorted(node.items(), key=lambda item: -_depth(item[1])):
        if isinstance(child, str):
            labels.append(child)
            branches.append("()")
        else:
            branches.append(atom + _render(child, labels))
    return branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"


class Tagger:
    """Finds the terms of several labelled lists in one pass over a text.

    All plain terms go into one trie-shaped regular expression, so the cost per character does not
    grow with the number of terms that share a beginning. Where two terms match at the same place,
    a raw ``re:`` term wins, then the longer plain term; between equal terms, the list named first.
    """

    def __init__(self, lists: Mapping[str, Iterable[str]]) -> None:
        trie: _Trie = {}
        raw: list[tuple[str, str]] = []
        for label, terms in lists.items():
            for term in terms:
                if term.startswith(_RAW):
                    raw.append((term[len(_RAW) :], label))
                else:
                    _insert(trie, _atoms(term), label)
        for pattern, _ in raw:
            if re.compile(pattern).groups:
                raise ValueError(f"raw term {pattern!r} must use (?:...), not capturing groups")
        # Terms that start at a word boundary share one boundary test per position: most of the
        # cost of a pass is paid per position, not per term. Raw terms come first: they are the
        # special cases ("Super Service..." is irony before "super" is praise).
        self._labels: list[str] = []
        at_boundary, elsewhere = [], []
        for pattern, label in raw:
            if pattern.startswith(_BOUNDARY):
                at_boundary.append(f"(?:{pattern[len(_BOUNDARY) :]})()")
                self._labels.append(label)
        bounded = trie.pop(_BOUNDARY, None)
        if isinstance(bounded, dict):
            at_boundary.append(_render(bounded, self._labels))
        for pattern, label in raw:
            if not pattern.startswith(_BOUNDARY):
                elsewhere.append(f"(?:{pattern})()")
                self._labels.append(label)
        if trie:
            elsewhere.append(_render(trie, self._labels))
        branches = [rf"\b(?:{'|'.join(at_boundary)})"] if at_boundary else []
        branches.extend(elsewhere)
        # A pattern that can never match keeps an empty tagger valid.
        self._regex = re.compile("|".join(branches) or r"(?!x)x")

    def find(self, text: str) -> Iterator[Hit]:
        """Every match in ``text`` (cleaned and folded), left to right, without overlaps."""
        for match in self._regex.finditer(text):
            if match.lastindex is not None:
                yield Hit(self._labels[match.lastindex - 1], match.start(), match.end())

    def labels_in(self, text: str) -> set[str]:
        return {hit.label for hit in self.find(text)}


@cache
def load_lexicon(name: str) -> dict[str, Any]:
    """``classifiers/lexicons/<name>.toml`` as a dict (cached: the files do not change)."""
    source = resources.files("classifiers") / "lexicons" / f"{name}.toml"
    with source.open("rb") as handle:
        return tomllib.load(handle)


def term_lists(table: Mapping[str, Any]) -> dict[str, list[str]]:
    """Flatten ``{label: {"de": [...], "en": [...]}}`` (or ``{label: [...]}``) to term lists."""
    lists: dict[str, list[str]] = {}
    for label, value in table.items():
        if isinstance(value, Mapping):
            lists[label] = [term for terms in value.values() for term in terms]
        else:
            lists[label] = list(value)
    return lists
