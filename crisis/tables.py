"""The database tables (SQLModel). "Model" in this repo means an ML model; these are tables.

State fields hold the names of the lifecycles in ``crisis.states``; they change only through
the functions of the module that owns them (``incidents``, ``posts``, ``queue``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, ForeignKey, Index, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from crisis.dbtypes import json_column, utc_column

# Named constraints, so migrations can address them the same way on SQLite and PostgreSQL.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Comment(SQLModel, table=True):
    __tablename__ = "comments"
    __table_args__ = (
        UniqueConstraint("platform", "external_id", name="uq_comments_platform_external_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=32)
    external_id: str = Field(max_length=128)
    author: str = Field(max_length=256)
    text: str = Field(sa_column=Column(Text(), nullable=False))
    lang: str | None = Field(default=None, max_length=16)
    created_at: datetime = Field(sa_column=utc_column(index=True))
    in_reply_to: str | None = Field(default=None, max_length=128)
    location: str | None = Field(default=None, max_length=256)
    raw: dict[str, Any] = Field(default_factory=dict, sa_column=json_column())
    ingested_at: datetime = Field(sa_column=utc_column())


class Classification(SQLModel, table=True):
    """What one model said about one comment; a comment can carry labels of several models."""

    __tablename__ = "classifications"
    __table_args__ = (UniqueConstraint("comment_id", "model", name="uq_classifications_comment"),)

    id: int | None = Field(default=None, primary_key=True)
    comment_id: int = Field(
        sa_column=Column(Integer, ForeignKey("comments.id", ondelete="CASCADE"), nullable=False)
    )
    model: str = Field(max_length=64)
    is_complaint: bool
    complaint_score: float
    service: str | None = Field(default=None, max_length=32)
    sentiment: str = Field(max_length=16)
    urgent: list[str] = Field(default_factory=list, sa_column=json_column())
    third_party: str | None = Field(default=None, max_length=64)
    lang: str | None = Field(default=None, max_length=16)
    created_at: datetime = Field(sa_column=utc_column())


class Incident(SQLModel, table=True):
    __tablename__ = "incidents"

    id: int | None = Field(default=None, primary_key=True)
    service: str = Field(max_length=32, index=True)
    regions: list[str] = Field(default_factory=list, sa_column=json_column())
    status: str = Field(max_length=16, index=True)
    title: str = Field(max_length=256)
    public_status: str | None = Field(default=None, sa_column=Column(Text(), nullable=True))
    # When public_status was last set: a follow-up quotes it only if set at/after resolution.
    public_status_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    # When status, public text, ETA or regions last changed (replies written before are stale).
    facts_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    eta: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    opened_at: datetime = Field(sa_column=utc_column())
    opened_by: str = Field(max_length=16)  # "detector" | "operator"
    resolved_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    # The incident card: why it opened (counts against the usual rate), top terms, examples.
    explanation: dict[str, Any] = Field(default_factory=dict, sa_column=json_column())
    # The last earlier incident of the same service: recurring outages link to their history.
    previous_incident_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("incidents.id"), nullable=True)
    )


class MarketingFreeze(SQLModel, table=True):
    """A manual stop of all marketing ("crisis freeze"): counts like an open incident."""

    __tablename__ = "marketing_freezes"

    id: int | None = Field(default=None, primary_key=True)
    reason: str = Field(sa_column=Column(Text(), nullable=False))
    started_at: datetime = Field(sa_column=utc_column())
    started_by: str = Field(max_length=128)
    ended_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    ended_by: str | None = Field(default=None, max_length=128)


class ScheduledPost(SQLModel, table=True):
    """A post we publish ourselves when due (the schedule lives here so it can be held), or
    one another tool publishes, mirrored here to hold it there (``source``)."""

    __tablename__ = "scheduled_posts"
    __table_args__ = (
        Index("ix_scheduled_posts_source_external_id", "source", "external_id", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=128, unique=True)  # the team's or the import's id for it
    channel: str = Field(max_length=32)
    category: str = Field(max_length=32)  # "marketing" | "service" | ...
    text: str = Field(sa_column=Column(Text(), nullable=False))
    publish_at: datetime = Field(sa_column=utc_column(index=True))
    state: str = Field(max_length=16, index=True)
    held_by_incident_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("incidents.id"), nullable=True)
    )
    held_by_freeze_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("marketing_freezes.id"), nullable=True)
    )
    published_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    published_id: str | None = Field(default=None, max_length=128)
    created_at: datetime = Field(sa_column=utc_column())
    # A post scheduled in another tool (``crisis.schedulers``): ``source`` names the tool (None:
    # our own schedule), ``external_id`` its id there now (re-creating gives a new one),
    # ``snapshot`` everything needed to put it back (written before anything changes there).
    # ``source_state`` says what the tool has: "scheduled", "holding" (snapshot written, hold
    # under way), "held", "draft" (released to draft: stays off the tool), "retime" (resumed
    # here at a new time before its tool held it), "published" (went out there) or "gone".
    # ``hold_error`` is why the last hold or release at the source failed (the banner shows
    # it until one succeeds); ``holds`` counts holds, so each release is its own intent.
    source: str | None = Field(default=None, max_length=32)
    external_id: str | None = Field(default=None, max_length=128)
    snapshot: dict[str, Any] | None = Field(default=None, sa_column=json_column(nullable=True))
    source_state: str | None = Field(default=None, max_length=16)
    hold_error: str | None = Field(default=None, sa_column=Column(Text(), nullable=True))
    holds: int = Field(default=0)


class SchedulerRule(SQLModel, table=True):
    """Which category an imported post gets: the first rule of its source whose ``label`` is
    among the post's labels (tags, labels, campaign, hashtags), else the source's rule without
    a label, else ``CRISIS_SCHEDULER_DEFAULT_CATEGORY``. Leads edit them."""

    __tablename__ = "scheduler_rules"
    __table_args__ = (UniqueConstraint("source", "label", name="uq_scheduler_rules_source_label"),)

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=32)
    label: str = Field(default="", max_length=128)  # "": the source's default
    category: str = Field(max_length=32)
    updated_by: str = Field(max_length=128)
    updated_at: datetime = Field(sa_column=utc_column())


class ReviewItem(SQLModel, table=True):
    """A suggested reply waiting for the team.

    ``kind`` is "reply" (to a comment) or "follow_up" (to a customer who complained about an
    incident, once it is resolved); a comment has at most one of each. ``needs_human`` items may
    carry a draft text, but only a person approves them, one by one. The queue page sorts by
    ``urgency_rank`` (0 urgent, 1 about an incident, 2 other), ``reach_rank`` (0 the author has
    the widest audience, 3 small or unknown) and ``arrived_at`` (the SLA clock), all ascending.
    """

    __tablename__ = "review_items"
    __table_args__ = (
        UniqueConstraint("comment_id", "kind", name="uq_review_items_comment_id_kind"),
        Index("ix_review_items_queue", "state", "urgency_rank", "reach_rank", "arrived_at", "id"),
        Index("ix_review_items_incident_id", "incident_id", "state"),
        Index("ix_review_items_assigned_to", "state", "assigned_to"),
        Index("ix_review_items_claimed_at", "state", "claimed_at"),
        Index("ix_review_items_sla", "state", "kind", "urgency_rank", "arrived_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    comment_id: int = Field(sa_column=Column(Integer, ForeignKey("comments.id"), nullable=False))
    incident_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("incidents.id"), nullable=True)
    )
    lang: str | None = Field(default=None, max_length=16)
    text: str = Field(default="", sa_column=Column(Text(), nullable=False))
    template: str | None = Field(default=None, max_length=128)
    needs_human: bool = False
    reasons: list[str] = Field(default_factory=list, sa_column=json_column())
    priority: int = 0
    state: str = Field(max_length=16, index=True)
    created_at: datetime = Field(sa_column=utc_column())
    decided_by: str | None = Field(default=None, max_length=128)
    decided_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    kind: str = Field(default="reply", max_length=16)
    situation: str | None = Field(default=None, max_length=32)
    platform: str = Field(default="", max_length=32)
    service: str | None = Field(default=None, max_length=32)
    urgency_rank: int = 2
    reach_rank: int = 3
    arrived_at: datetime = Field(sa_column=utc_column())
    edited_by: str | None = Field(default=None, max_length=128)
    edited_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    facts_changed: bool = False  # an edited text whose incident facts changed since
    attempts: int = 0
    last_error: str | None = Field(default=None, sa_column=Column(Text(), nullable=True))
    next_attempt_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    # Who works on it now (opening it claims it; expires after CRISIS_CLAIM_MINUTES) and who a
    # lead assigned it to (crisis.replies.claims).
    claimed_by: str | None = Field(default=None, max_length=128)
    claimed_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    assigned_to: str | None = Field(default=None, max_length=128)
    assigned_by: str | None = Field(default=None, max_length=128)
    assigned_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class SentReply(SQLModel, table=True):
    __tablename__ = "sent_replies"

    id: int | None = Field(default=None, primary_key=True)
    review_item_id: int = Field(
        sa_column=Column(Integer, ForeignKey("review_items.id"), nullable=False, unique=True)
    )
    idempotency_key: str = Field(max_length=128, unique=True)
    platform: str = Field(max_length=32)
    external_id: str = Field(max_length=128)
    sent_at: datetime = Field(sa_column=utc_column())


class ConnectorCursor(SQLModel, table=True):
    """Where a source stopped; written in the same transaction as the comments it covers."""

    __tablename__ = "connector_cursors"

    source: str = Field(primary_key=True, max_length=256)
    cursor: str = Field(sa_column=Column(Text(), nullable=False))
    updated_at: datetime = Field(sa_column=utc_column())


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_column=utc_column(index=True))
    actor: str = Field(max_length=128)  # a user name, or "detector", "replay", ...
    action: str = Field(max_length=64)
    entity: str = Field(max_length=32)
    entity_id: str = Field(max_length=128)
    reason: str | None = Field(default=None, sa_column=Column(Text(), nullable=True))
    details: dict[str, Any] = Field(default_factory=dict, sa_column=json_column())


class PublishIntent(SQLModel, table=True):
    """One outgoing reply or post, recorded before the platform is called (see ``publishing``).

    ``in_flight`` with no ``external_id`` after a crash means: the platform may have it; look
    before posting again.
    """

    __tablename__ = "publish_intents"

    idempotency_key: str = Field(primary_key=True, max_length=128)
    channel: str = Field(max_length=32)
    in_reply_to: str | None = Field(default=None, max_length=128)
    state: str = Field(max_length=16)  # "in_flight" | "sent" | "failed"
    external_id: str | None = Field(default=None, max_length=128)
    attempts: int = 0
    error: str | None = Field(default=None, sa_column=Column(Text(), nullable=True))
    created_at: datetime = Field(sa_column=utc_column())
    updated_at: datetime = Field(sa_column=utc_column())


class User(SQLModel, table=True):
    """A person of the social team who signs in to the web app.

    ``role`` is "agent" (works the review queue) or "lead" (also incidents, marketing freezes
    and releases, templates and users). Only an argon2 hash of the password is stored.
    """

    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=128, unique=True)  # the name every audit entry carries
    password_hash: str = Field(max_length=256)
    role: str = Field(max_length=16)
    lang: str = Field(default="de", max_length=8)  # the interface language
    created_at: datetime = Field(sa_column=utc_column())
    disabled_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class WebSession(SQLModel, table=True):
    """A signed-in browser. The cookie carries a random token; only its SHA-256 is stored, so
    a copy of the database signs nobody in. ``csrf_token`` guards this session's forms."""

    __tablename__ = "web_sessions"

    token_hash: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(sa_column=Column(Integer, ForeignKey("users.id"), nullable=False))
    csrf_token: str = Field(max_length=64)
    created_at: datetime = Field(sa_column=utc_column())
    expires_at: datetime = Field(sa_column=utc_column(index=True))


class ApiToken(SQLModel, table=True):
    """A token for an integration calling ``/api`` as one user (``crisis users token``); only
    its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    token_hash: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(sa_column=Column(Integer, ForeignKey("users.id"), nullable=False))
    label: str = Field(max_length=128)
    created_at: datetime = Field(sa_column=utc_column())
    revoked_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class AlertEvent(SQLModel, table=True):
    """Something the team must hear of (an incident opened, changed or closed, marketing frozen,
    a post held), written in the same transaction as the change: the outbox of ``crisis.alerts``.

    ``details`` is what the message says, as it was at that moment (a retry sends the same
    words). ``routed_at``: when its deliveries were made (one per channel that takes this kind);
    set without deliveries when alerts are off for it (a replay without ``--alerts``).
    """

    __tablename__ = "alert_events"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32)  # suspected, confirmed, updated, resolved, dismissed, ...
    incident_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("incidents.id"), nullable=True)
    )
    freeze_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("marketing_freezes.id"), nullable=True)
    )
    at: datetime = Field(sa_column=utc_column())
    actor: str = Field(max_length=128)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=json_column())
    routed_at: datetime | None = Field(
        default=None, sa_column=utc_column(nullable=True, index=True)
    )


class AlertDelivery(SQLModel, table=True):
    """One alert to one channel: ``pending`` until sent, ``failed`` after the last attempt.

    Each channel gets its alerts in order: a pending one not yet due holds the later ones back,
    so PagerDuty never sees a resolve before its trigger.
    """

    __tablename__ = "alert_deliveries"
    __table_args__ = (
        UniqueConstraint("event_id", "channel", name="uq_alert_deliveries_event_id"),
        Index("ix_alert_deliveries_due", "state", "channel", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(sa_column=Column(Integer, ForeignKey("alert_events.id"), nullable=False))
    channel: str = Field(max_length=16)  # slack, teams, email, pagerduty
    state: str = Field(default="pending", max_length=16)  # pending, sent, failed
    attempts: int = 0
    next_attempt_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    last_error: str | None = Field(default=None, sa_column=Column(Text(), nullable=True))
    sent_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class LoopRound(SQLModel, table=True):
    """The service's loops and periodic tasks: when each last finished a round and how it went,
    written by whichever process ran it (``/readyz`` reads them, for one process or many)."""

    __tablename__ = "loop_rounds"

    name: str = Field(primary_key=True, max_length=128)
    interval_seconds: float
    last_ok_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    last_error_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    last_error: str | None = Field(default=None, sa_column=Column(Text(), nullable=True))
    failures: int = 0  # in a row; 0 after a good round
