"""Plain value types that flow between the pipeline's steps.

They carry no database or library state, so classifiers and responders can depend on them
without depending on storage. Database rows live in ``crisis.tables``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Service(StrEnum):
    MOBILE = "mobile"
    INTERNET = "internet"  # DSL, cable, fibre, router
    PHONE = "phone"  # landline, VoIP
    TV = "tv"
    EMAIL = "email"
    CUSTOMER_SERVICE = "customer_service"  # hotline, shop, portal, app, partner systems
    BILLING = "billing"
    OTHER = "other"


class Sentiment(StrEnum):
    NEGATIVE = "negative"
    NEUTRAL = "neutral"
    POSITIVE = "positive"


class Urgency(StrEnum):
    """Signals that a human must see a comment first."""

    CHURN = "churn"
    LEGAL = "legal"
    BUSINESS = "business"
    VULNERABLE = "vulnerable"
    SAFETY = "safety"


@dataclass(frozen=True, slots=True)
class CommentIn:
    """A customer comment as a source delivers it, before it is stored."""

    platform: str
    external_id: str
    author: str
    text: str
    created_at: datetime  # timezone-aware
    lang: str | None = None
    in_reply_to: str | None = None
    location: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Problem:
    """A record a source could not read; ``where`` says which one (``file.jsonl:12``).
    ``kept``: it was stored all the same, repaired as ``reason`` says (a NUL removed...)."""

    where: str
    reason: str
    kept: bool = False


@dataclass(frozen=True, slots=True)
class Page:
    """One batch from a source.

    ``cursor`` is where to resume after this page (store it once the items are committed);
    ``more`` says whether the source has further items right now.
    """

    items: list[CommentIn]
    cursor: str | None
    more: bool = False
    problems: list[Problem] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Labels:
    """What a classifier says about one comment. ``model`` is the registry key that said it."""

    model: str
    is_complaint: bool
    complaint_score: float
    service: Service | None
    sentiment: Sentiment
    urgent: tuple[Urgency, ...] = ()
    third_party: str | None = None  # e.g. "whatsapp": the customer blames us for someone else
    lang: str | None = None  # detected language ("de", "en"), None when unsure


@dataclass(frozen=True, slots=True)
class IncidentFacts:
    """What a reply may say about an incident: the facts the team has published."""

    id: int
    service: Service
    regions: tuple[str, ...]
    status: str
    public_status: str | None
    eta: datetime | None
    status_url: str | None
    # When the reply is written: an ETA that day or the next is "heute Abend", "morgen früh".
    as_of: datetime | None = None


@dataclass(frozen=True, slots=True)
class CommentView:
    """The parts of a stored comment a responder may look at."""

    id: int
    platform: str
    author: str
    text: str
    lang: str | None


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A proposed reply for the review queue."""

    lang: str
    text: str
    template: str  # which template and wording produced it, e.g. "de/outage_incident#2"


@dataclass(frozen=True, slots=True)
class OutgoingPost:
    """A post or reply to publish. ``idempotency_key`` makes a retry safe."""

    channel: str
    text: str
    idempotency_key: str
    in_reply_to: str | None = None


@dataclass(frozen=True, slots=True)
class ExternalPost:
    """A post scheduled in another tool (Facebook's own scheduler, Postiz, Buffer, Hootsuite).

    Everything needed to put it back exactly as it was: its text, time, media references
    (``media``: URLs or the tool's media ids), its labels (tags, labels, campaign, hashtags:
    what the category rules match) and the tool's own fields for re-creating it (``extra``).
    """

    source: str  # "facebook", "postiz", "buffer", "hootsuite"
    external_id: str
    channel: str  # where it goes out: "facebook", "x", "linkedin", ...
    text: str
    publish_at: datetime  # timezone-aware
    media: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "external_id": self.external_id,
            "channel": self.channel,
            "text": self.text,
            "publish_at": self.publish_at.isoformat(),
            "media": list(self.media),
            "labels": list(self.labels),
            "extra": self.extra,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ExternalPost:
        return cls(
            source=str(data["source"]),
            external_id=str(data["external_id"]),
            channel=str(data["channel"]),
            text=str(data["text"]),
            publish_at=datetime.fromisoformat(str(data["publish_at"])),
            media=tuple(str(m) for m in data.get("media") or ()),
            labels=tuple(str(label) for label in data.get("labels") or ()),
            extra=dict(data.get("extra") or {}),
        )

    def same_content(self, other: ExternalPost) -> bool:
        """Whether ``other`` would go out the same: text, time, media and channel."""
        return (self.text, self.publish_at, self.media, self.channel) == (
            other.text,
            other.publish_at,
            other.media,
            other.channel,
        )


@dataclass(frozen=True, slots=True)
class ReplyContext:
    """What the reply policy needs to know beyond the comment and its labels.

    ``own_accounts`` and ``bot_accounts`` are casefolded names; ``addressed_to_us``: the comment
    mentions us, replies to us or sits on our page; ``already_answered``: this author already
    has a reply for the incident the comment belongs to; ``has_incident``: an incident is open
    for the comment's service (or the only one is, when it names none); ``languages``: those we
    have templates for; ``default_lang``: our page's language, for a comment whose platform tag
    and text do not tell.
    """

    own_accounts: frozenset[str]
    bot_accounts: frozenset[str]
    addressed_to_us: bool
    already_answered: bool
    has_incident: bool
    languages: frozenset[str]
    default_lang: str | None = None


class Verdict(StrEnum):
    SUGGEST = "suggest"  # a templated reply, for the team to approve
    FLAG = "flag"  # a person must answer; any template text is only a starting point
    SKIP = "skip"  # no review item at all


@dataclass(frozen=True, slots=True)
class Decision:
    """The reply policy's answer for one comment; ``reasons`` say why (flag or skip)."""

    verdict: Verdict
    situation: str | None = None
    lang: str | None = None
    reasons: tuple[str, ...] = ()


def account_key(name: str) -> str:
    """An account name as we compare it: no surrounding space, no leading "@", case folded."""
    return name.strip().lstrip("@").casefold()
