"""Templated replies: the team's own wordings per language, filled in with an incident's facts.

During an outage most complaints need the same answer, and the social media team wants to own
its exact words without waiting for a code change: the wordings live in one TOML file per
language (``templates/de.toml``, read by ``responders.catalog``), and adding a language is adding
a file. This module decides whether a comment gets a templated reply at all, which wording, and
what to leave out so the reply fits the platform; a person approves every suggestion.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from crisis.domain import CommentView, IncidentFacts, Labels, Sentiment, Service, Suggestion
from crisis.errors import TemplateError
from crisis.platform_text import LENGTH_LIMITS, x_length
from crisis.states import OPEN_INCIDENT_STATES
from responders.catalog import STAGE_SITUATIONS, Catalog, Wording, format_eta, load_catalogs
from responders.languages import comment_language
from responders.policy import FOLLOW_UP, OUTAGE_SERVICES, language, situation_for

PACKAGED = resources.files("responders") / "templates"
MAX_NAME_LENGTH = 40
SHORT_REGION_COUNT = 3  # regions named before "and other regions" when a reply must be short
# Every open state: suggestions are reviewed by a person before they go out, so a suspected
# incident may already be named; a resolved one gets follow-ups, not outage replies.
ACTIVE_INCIDENT_STATUSES = frozenset(OPEN_INCIDENT_STATES)
ADDRESS_FORMS = ("du", "Sie")
__all__ = ["OUTAGE_SERVICES", "TemplateResponder", "clean_name", "language", "x_length"]
_TAG = re.compile(r"<[^>]*>")
_LINKISH_NAME = re.compile(r"https?:|www\.|\.(com|de|net|org)\b", re.IGNORECASE)
_ZWJ = "\u200d"  # holds emoji sequences such as 👩‍💻 together, unlike other format characters


@dataclass(frozen=True, slots=True)
class _Facts:
    """What a reply may say; optional facts are dropped one by one to fit a short platform."""

    name: str
    service: Service
    regions: tuple[str, ...] = ()
    more_regions: bool = False
    public_status: str = ""
    eta: datetime | None = None
    status_url: str = ""
    apologise: bool = False
    status: str = ""  # the incident's state, named by the catalog's [statuses]
    as_of: datetime | None = None  # when the reply is written, for "heute" and "morgen"


class TemplateResponder:
    """Suggests a reply from the team's wordings, or ``None`` where a person should write it."""

    name = "templates.v1"

    def __init__(
        self,
        templates_dir: Traversable | None = None,
        *,
        overrides_dir: Path | None = None,
        brand: str = "Nordtel",
        status_url: str | None = None,
        status_lang: str = "de",
        address_form: str = "du",
        page_lang: str | None = "de",
    ) -> None:
        if address_form not in ADDRESS_FORMS:
            raise TemplateError(f"address form must be du or Sie, got {address_form!r}")
        if templates_dir is None:
            templates_dir = PACKAGED
        self._sources = (templates_dir, overrides_dir)
        self._stamp = _stamp(overrides_dir)
        self._catalogs = load_catalogs(templates_dir, overrides_dir)
        self.brand = brand
        self.status_url = status_url
        # The team writes an incident's public status text in one language; replies in other
        # languages leave it out rather than quote it untranslated.
        self.status_lang = status_lang
        # German wordings say both forms, {{ du("dein", "Ihr") }}: the brand picks one.
        self.address_form = address_form
        self.page_lang = page_lang

    @property
    def catalogs(self) -> dict[str, Catalog]:
        """The wordings, re-read when the team's edits change (a lead saves a wording in the
        web app while ``crisis poll --follow`` keeps running: its next suggestions use it)."""
        stamp = _stamp(self._sources[1])
        if stamp != self._stamp:
            self._stamp = stamp
            try:
                self._catalogs = load_catalogs(*self._sources)
            except TemplateError as exc:  # a broken hand edit: keep the wordings that worked
                logging.getLogger(__name__).error("template edits not loaded: %s", exc)
        return self._catalogs

    @property
    def languages(self) -> frozenset[str]:
        return frozenset(self.catalogs)

    def respond(
        self,
        comment: CommentView,
        labels: Labels,
        incident: IncidentFacts | None,
        situation: str | None = None,
    ) -> Suggestion | None:
        """A reply for ``situation`` (``None``: picked from the labels, and only for a complaint
        that is not urgent), or ``None`` where no template fits."""
        active = incident is not None and incident.status in ACTIVE_INCIDENT_STATUSES
        if situation is None:
            if labels.urgent or not labels.is_complaint:
                return None  # urgent: a person answers; questions and praise: asked explicitly
            situation = situation_for(comment, labels, has_incident=active)
        lang = comment_language(comment, labels, self.page_lang)
        catalog = self.catalogs.get(lang or "")
        if catalog is None or situation is None or situation not in catalog.situations:
            return None  # better a person's reply later than one in the wrong language now
        facts = self._facts(comment, labels, incident, situation)
        if catalog.lang != self.status_lang and facts.public_status:
            facts = replace(facts, public_status="")
        if situation == "outage_incident" and incident is not None:
            situation = STAGE_SITUATIONS.get(incident.status, situation)
        wordings = catalog.situations[situation]
        start = rotation(comment.id, len(wordings))
        order = [wordings[(start + step) % len(wordings)] for step in range(len(wordings))]
        limit = LENGTH_LIMITS.get(comment.platform.lower())
        if limit is None:
            return Suggestion(catalog.lang, self._render(catalog, order[0], facts), order[0].name)
        # Keep the rotation before keeping optional facts: X's rules forbid near-identical
        # replies in bulk, and the status link carries what a short reply leaves out.
        variants = list(_shortened(facts))
        for wording in order:
            for variant in variants:
                text = self._render(catalog, wording, variant)
                if x_length(text) <= limit:
                    return Suggestion(catalog.lang, text, wording.name)
        text = cut_at_word(self._render(catalog, order[0], variants[-1]), limit)
        return Suggestion(catalog.lang, text, order[0].name)

    def _facts(
        self,
        comment: CommentView,
        labels: Labels,
        incident: IncidentFacts | None,
        situation: str,
    ) -> _Facts:
        name = clean_name(comment.author)
        apologise = labels.sentiment == Sentiment.NEGATIVE and situation != FOLLOW_UP
        if incident is not None and situation in ("outage_incident", FOLLOW_UP):
            return _Facts(
                name=name,
                service=incident.service,
                regions=tuple(r for r in (" ".join(r.split()) for r in incident.regions) if r),
                public_status=_sentence(incident.public_status),
                eta=incident.eta if situation != FOLLOW_UP else None,
                status_url=incident.status_url or self.status_url or "",
                apologise=apologise,
                status=incident.status,
                as_of=incident.as_of,
            )
        service = labels.service or Service.OTHER
        return _Facts(name, service, status_url=self.status_url or "", apologise=apologise)

    def _render(self, catalog: Catalog, wording: Wording, facts: _Facts) -> str:
        du = self.du
        greeting = catalog.greeting.render(name=facts.name, brand=self.brand, du=du)
        apology = catalog.apology.render(name=facts.name, brand=self.brand, du=du)
        return said_once(
            wording.render(
                du=du,
                outage=catalog.outages[facts.service],
                greeting=greeting,
                apology=apology if facts.apologise else "",
                name=facts.name,
                brand=self.brand,
                service=catalog.services[facts.service],
                regions=_join_regions(catalog, facts),
                public_status=self._quoted(catalog, facts.public_status),
                # Each fact once: the lead's public text says when (or that nobody knows yet).
                eta=(
                    format_eta(catalog, facts.eta, facts.as_of)
                    if facts.eta and not facts.public_status
                    else ""
                ),
                status_url=facts.status_url,
                status=catalog.statuses[facts.status] if facts.status else "",
            )
        )

    def _quoted(self, catalog: Catalog, text: str) -> str:
        """The lead's public text, in quotes where it addresses readers otherwise than we do
        ("Bitte ändert euer Passwort" in a du reply): a quote may say "ihr", our reply may not
        switch between forms."""
        if catalog.lang != "de" or not text:
            return text
        other = _NOT_SIE if self.address_form == "Sie" else _NOT_DU
        return f"„{text}“" if other.search(text) else text

    def du(self, du_form: str, sie_form: str) -> str:
        """The brand's form of address: ``{{ du("Schreib uns", "Schreiben Sie uns") }}``."""
        return sie_form if self.address_form == "Sie" else du_form


# Forms of address other than the brand's, in a German text: ihr/euch and Sie for a du brand
# ("Sie" only mid-sentence: at the start it may be "she"), du and ihr for a Sie brand.
_NOT_DU = re.compile(
    r"\b(ihr|euch|euer|eure[nmrs]?|Ihnen|Ihre?[nmrs]?)\b|(?<![.!?:]\s)(?<!^)\bSie\b"
)
_NOT_SIE = re.compile(r"\b(du|dich|dir|dein\w*|ihr|euch|euer|eure[nmrs]?)\b")
_SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][“\"»]))(\s+)")
# Words that differ between the lead's text and ours without changing what is said.
_ADDRESS = re.compile(r"\b(deine?[nmrs]?|eure?[nmrs]?|ihre?[nmrs]?|your)\b", re.IGNORECASE)


def said_once(text: str) -> str:
    """``text`` without a sentence it already said: the lead's public text often thanks for
    patience too ("Danke für eure Geduld!" then our "Danke für deine Geduld!")."""
    parts = _SENTENCE_END.split(text)
    seen: set[str] = set()
    out: list[str] = []
    for index in range(0, len(parts), 2):
        sentence = parts[index]
        key = " ".join(_ADDRESS.sub(" ", sentence).casefold().strip(' .!?„“"').split())
        if key and key in seen:
            continue
        seen.add(key)
        out.extend([parts[index - 1], sentence] if out else [sentence])
    return "".join(out)


def _shortened(facts: _Facts) -> Iterator[_Facts]:
    """``facts``, then with ever fewer optional parts, least useful first."""
    yield facts
    if len(facts.regions) > SHORT_REGION_COUNT:
        facts = replace(facts, regions=facts.regions[:SHORT_REGION_COUNT], more_regions=True)
        yield facts
    if facts.public_status:
        facts = replace(facts, public_status="")
        yield facts
    if facts.status:
        facts = replace(facts, status="")
        yield facts
    if len(facts.regions) > 1:
        facts = replace(facts, regions=facts.regions[:1], more_regions=True)
        yield facts
    if facts.name:
        facts = replace(facts, name="")
        yield facts
    if facts.regions:
        yield replace(facts, regions=(), more_regions=False)


def _join_regions(catalog: Catalog, facts: _Facts) -> str:
    local = [catalog.region_names.get(region, region) for region in facts.regions]
    names = [*local, *([catalog.more_regions] if facts.more_regions else [])]
    if len(names) < 2:
        return "".join(names)
    return f"{', '.join(names[:-1])} {catalog.and_word} {names[-1]}"


def _sentence(text: str | None) -> str:
    text = " ".join((text or "").split())
    return text if not text or text[-1] in ".!?…" else f"{text}."


def rotation(comment_id: int, count: int) -> int:
    """A wording index that is the same in every process, unlike ``hash()`` of a str."""
    digest = hashlib.blake2b(str(comment_id).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % count


def clean_name(author: str) -> str:
    """The author's name fit for a greeting, or ``""`` where greeting by name would be odd."""
    text = _TAG.sub(" ", unicodedata.normalize("NFC", author))
    # No control or format characters: a bidi override could flip the rest of our reply.
    text = "".join(ch for ch in text if ch == _ZWJ or unicodedata.category(ch)[0] != "C")
    text = " ".join(text.replace("@", "").replace("<", " ").replace(">", " ").split())
    while len(text) > MAX_NAME_LENGTH:
        if " " not in text:
            return ""  # one long word: no place to cut it that reads as a name
        text = text.rsplit(" ", 1)[0]
    if _LINKISH_NAME.search(text) or not any(ch.isalpha() for ch in text):
        return ""  # a spam link or only emoji: greeting it would look odd or promote it
    return text


def _stamp(overrides: Path | None) -> tuple[tuple[str, int, int, int], ...]:
    """What tells an edited overrides folder from the one loaded: names, inodes, sizes, times."""
    if overrides is None:
        return ()
    try:
        with os.scandir(overrides) as entries:
            found = [(e.name, e.stat()) for e in entries if e.name.endswith(".toml")]
    except OSError:
        return ()
    return tuple(sorted((name, st.st_ino, st.st_size, st.st_mtime_ns) for name, st in found))


def cut_at_word(text: str, limit: int) -> str:
    """``text`` cut at a space, with an ellipsis, to weigh at most ``limit`` on X."""
    if x_length(text) <= limit:
        return text
    words = text.split(" ")
    while words and x_length(" ".join(words) + "…") > limit:
        words.pop()
    return " ".join(words).rstrip(" ,;:–-") + "…"
