"""Who a request acts as: browser sessions (a random secret in a cookie) and API tokens.

The database keeps only the SHA-256 of each secret, so a copy of it signs nobody in. A session
ends when it expires, when its user signs out or in again, changes or is given a new password,
or is disabled. ``crisis.accounts`` creates the users and re-exports these names.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, delete

from crisis import audit
from crisis.tables import ApiToken, User, WebSession


@dataclass(frozen=True, slots=True)
class SignedIn:
    """Who a request acts as: the user's name (for the audit log), role and language."""

    user_id: int
    name: str
    role: str
    lang: str
    csrf_token: str | None = None  # None for API tokens: no cookie, nothing to forge

    @property
    def is_lead(self) -> bool:
        return self.role == "lead"


def start_session(session: Session, user: User, *, now: datetime, lifetime: timedelta) -> str:
    """A new browser session for ``user``; returns the secret for the cookie."""
    token = secrets.token_urlsafe(32)
    assert user.id is not None
    session.add(
        WebSession(
            token_hash=token_hash(token),
            user_id=user.id,
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    session.execute(delete(WebSession).where(col(WebSession.expires_at) < now))
    audit.record(
        session, at=now, actor=user.name, action="user.signed_in", entity="user",
        entity_id=user.name,
    )  # fmt: skip
    return token


def session_user(session: Session, token: str, *, now: datetime) -> SignedIn | None:
    """Who holds this cookie, if its session is still valid and the user still active."""
    row = session.get(WebSession, token_hash(token))
    if row is None or row.expires_at <= now:
        return None
    user = session.get(User, row.user_id)
    if user is None or user.disabled_at is not None or user.id is None:
        return None
    return SignedIn(user.id, user.name, user.role, user.lang, row.csrf_token)


def end_session(session: Session, token: str, *, now: datetime) -> None:
    row = session.get(WebSession, token_hash(token))
    if row is None:
        return
    user = session.get(User, row.user_id)
    session.delete(row)
    if user is not None:
        audit.record(
            session, at=now, actor=user.name, action="user.signed_out", entity="user",
            entity_id=user.name,
        )  # fmt: skip


def token_user(session: Session, token: str) -> SignedIn | None:
    row = session.get(ApiToken, token_hash(token))
    if row is None or row.revoked_at is not None:
        return None
    user = session.get(User, row.user_id)
    if user is None or user.disabled_at is not None or user.id is None:
        return None
    return SignedIn(user.id, user.name, user.role, user.lang)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def end_sessions(session: Session, *, user_id: int | None, keep: str | None = None) -> None:
    """End every browser session of a user (but ``keep``, the secret of the one that asked)."""
    ended = delete(WebSession).where(col(WebSession.user_id) == user_id)
    if keep:
        ended = ended.where(col(WebSession.token_hash) != token_hash(keep))
    session.execute(ended)
