"""The people who sign in to the web app: users and roles, passwords, API tokens.

Passwords are hashed with argon2id (``argon2-cffi``'s current parameters; an old hash is
re-hashed at the next sign-in). Browser sessions and the check of a session or token live in
``crisis.sessions`` (its names are importable from here too). Every change to a user is audited
with who made it.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, col, func, select

from crisis import audit, sessions
from crisis.errors import AccountError as AccountError  # re-exported: callers catch it here
from crisis.errors import BadRecord, NotFound, UnknownName
from crisis.errors import WrongPassword as WrongPassword
from crisis.sessions import SignedIn as SignedIn
from crisis.sessions import end_session as end_session
from crisis.sessions import session_user as session_user
from crisis.sessions import start_session as start_session
from crisis.sessions import token_hash as token_hash
from crisis.sessions import token_user as token_user
from crisis.tables import ApiToken, User

ROLES = ("agent", "lead")
LANGS = ("de", "en")
MIN_PASSWORD = 10
MAX_PASSWORD = 1024  # argon2 takes any length; a megabyte "password" is an attack, not a user
_hasher = PasswordHasher()  # argon2id with the library's current (RFC 9106) parameters
# Verified against when the name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def use_password_hasher(hasher: PasswordHasher) -> PasswordHasher:
    """Hash with other argon2 parameters from now on; returns the one used before. For tests,
    which sign in hundreds of times: the parameters are stored in each hash, so a hash made
    with cheap ones is upgraded at the next sign-in under the defaults."""
    global _hasher, _DUMMY_HASH
    previous, _hasher = _hasher, hasher
    _DUMMY_HASH = hasher.hash(secrets.token_urlsafe(16))
    return previous


def add_user(
    session: Session,
    *,
    name: str,
    password: str,
    role: str,
    lang: str = "de",
    actor: str,
    now: datetime,
) -> User:
    name = check_name(name)
    check_role(role)
    check_lang(lang)
    check_password(password)
    if _find_loosely(session, name):
        raise AccountError(f"a user named {name!r} exists already (names ignore case)").said_as(
            "user_exists", name=name
        )
    user = User(
        name=name, password_hash=_hasher.hash(password), role=role, lang=lang, created_at=now
    )
    session.add(user)
    session.flush()
    audit.record(
        session, at=now, actor=actor, action="user.added", entity="user", entity_id=name,
        details={"role": role, "lang": lang},
    )  # fmt: skip
    return user


def set_password(session: Session, name: str, *, password: str, actor: str, now: datetime) -> User:
    user = get_user(session, name)
    check_password(password)
    user.password_hash = _hasher.hash(password)
    session.add(user)
    sessions.end_sessions(session, user_id=user.id)
    audit.record(
        session, at=now, actor=actor, action="user.password_set", entity="user", entity_id=name
    )
    return user


def change_own_password(
    session: Session, name: str, *, current: str, password: str, keep: str | None, now: datetime
) -> User:
    """A person's new password, given the current one; their other sessions end (``keep``:
    the session token of the browser that asked, which stays signed in)."""
    user = get_user(session, name)
    if not _verify(user.password_hash, current[:MAX_PASSWORD]):
        raise WrongPassword("the current password is wrong").said_as("wrong_password")
    check_password(password)
    user.password_hash = _hasher.hash(password)
    session.add(user)
    sessions.end_sessions(session, user_id=user.id, keep=keep)
    audit.record(
        session, at=now, actor=name, action="user.password_changed", entity="user", entity_id=name
    )
    return user


def set_role(session: Session, name: str, *, role: str, actor: str, now: datetime) -> User:
    user = get_user(session, name)
    check_role(role)
    if user.role == "lead" and role != "lead":
        _keep_one_lead(session, user)
    details = {"role": [user.role, role]}
    user.role = role
    session.add(user)
    audit.record(
        session, at=now, actor=actor, action="user.role_set", entity="user", entity_id=name,
        details=details,
    )  # fmt: skip
    return user


def set_lang(session: Session, user_id: int, lang: str) -> None:
    """The interface language a person chose (not audited: it changes nothing for others)."""
    check_lang(lang)
    user = session.get(User, user_id)
    if user is not None:
        user.lang = lang
        session.add(user)


def disable_user(session: Session, name: str, *, actor: str, now: datetime, reason: str) -> User:
    """Sign a person out everywhere and keep them out; their name stays in the audit log."""
    user = get_user(session, name)
    if user.disabled_at is not None:
        raise AccountError(f"{name!r} is disabled already").said_as(
            "user_disabled_already", name=name
        )
    if user.role == "lead":
        _keep_one_lead(session, user)
    user.disabled_at = now
    session.add(user)
    sessions.end_sessions(session, user_id=user.id)
    for token in session.exec(select(ApiToken).where(ApiToken.user_id == user.id)).all():
        token.revoked_at = token.revoked_at or now
        session.add(token)
    audit.record(
        session, at=now, actor=actor, action="user.disabled", entity="user", entity_id=name,
        reason=reason,
    )  # fmt: skip
    return user


def enable_user(session: Session, name: str, *, actor: str, now: datetime, reason: str) -> User:
    """Let a disabled person sign in again (with their old password; API tokens stay revoked)."""
    user = get_user(session, name)
    if user.disabled_at is None:
        raise AccountError(f"{name!r} is not disabled").said_as("user_not_disabled", name=name)
    user.disabled_at = None
    session.add(user)
    audit.record(
        session, at=now, actor=actor, action="user.enabled", entity="user", entity_id=name,
        reason=reason,
    )  # fmt: skip
    return user


def authenticate(session: Session, name: str, password: str, *, now: datetime) -> User | None:
    """The user if the name and password match an active account; ``None`` otherwise (the
    caller says only "wrong name or password", never which). Failures are audited."""
    user = find_user(session, name.strip())
    if user is None:  # "Lena" typed on a phone that capitalises the first letter
        loose = _find_loosely(session, name.strip())
        user = loose[0] if len(loose) == 1 else None
    stored = user.password_hash if user is not None else _DUMMY_HASH
    ok = _verify(stored, password[:MAX_PASSWORD]) and user is not None
    if not ok or user is None or user.disabled_at is not None:
        audit.record(
            session, at=now, actor=name.strip()[:128] or "?", action="user.sign_in_failed",
            entity="user", entity_id=name.strip()[:128] or "?",
        )  # fmt: skip
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
        session.add(user)
    return user


def create_api_token(session: Session, name: str, *, label: str, actor: str, now: datetime) -> str:
    """A new API token acting as user ``name``; returns the secret (shown once, never stored)."""
    user = get_user(session, name)
    if user.disabled_at is not None:
        raise AccountError(f"{name!r} is disabled").said_as("user_disabled", name=name)
    if not label.strip():
        raise BadRecord("label", "say what the token is for (e.g. the integration's name)").said_as(
            "token_label"
        )
    token = "crisis_" + secrets.token_urlsafe(32)
    assert user.id is not None
    session.add(
        ApiToken(token_hash=token_hash(token), user_id=user.id, label=label.strip()[:128],
                 created_at=now)
    )  # fmt: skip
    audit.record(
        session, at=now, actor=actor, action="user.api_token_created", entity="user",
        entity_id=name, details={"label": label.strip()[:128]},
    )  # fmt: skip
    return token


def list_api_tokens(session: Session) -> list[tuple[ApiToken, str]]:
    """Every API token that still works, with its user's name, newest first."""
    rows = session.exec(
        select(ApiToken, User.name)
        .join(User, col(User.id) == col(ApiToken.user_id))
        .where(col(ApiToken.revoked_at).is_(None), col(User.disabled_at).is_(None))
        .order_by(col(ApiToken.created_at).desc(), col(ApiToken.label))
    ).all()
    return [(token, name) for token, name in rows]


def revoke_api_token(session: Session, hashed: str, *, actor: str, now: datetime) -> ApiToken:
    """Stop an API token (named by its hash, which signs nobody in) from working."""
    token = session.get(ApiToken, hashed)
    if token is None:
        raise NotFound("no such API token")
    user = session.get(User, token.user_id)
    if token.revoked_at is not None:
        raise AccountError(f"the token {token.label!r} is revoked already").said_as(
            "token_revoked", label=token.label
        )
    token.revoked_at = now
    session.add(token)
    audit.record(
        session, at=now, actor=actor, action="user.api_token_revoked", entity="user",
        entity_id=user.name if user else "?", details={"label": token.label},
    )  # fmt: skip
    return token


def find_user(session: Session, name: str) -> User | None:
    return session.exec(select(User).where(User.name == name)).first()


def _find_loosely(session: Session, name: str) -> list[User]:
    """Users whose name matches ``name`` ignoring case (ASCII case on SQLite)."""
    return list(session.exec(select(User).where(func.lower(User.name) == name.lower())).all())


def get_user(session: Session, name: str) -> User:
    user = find_user(session, name)
    if user is None:
        raise NotFound(f"no user named {name!r}")
    return user


def list_users(session: Session) -> list[User]:
    return list(session.exec(select(User).order_by(col(User.name))).all())


def has_users(session: Session) -> bool:
    return session.exec(select(User.id).limit(1)).first() is not None


def check_name(name: str) -> str:
    cleaned = name.strip()
    if not cleaned:
        raise BadRecord("name", "a user needs a name (it appears in the audit log)").said_as(
            "user_name_missing"
        )
    if len(cleaned) > 128 or any(not ch.isprintable() for ch in cleaned):
        raise BadRecord("name", "use at most 128 printable characters")
    return cleaned


def check_role(role: str) -> None:
    if role not in ROLES:
        raise UnknownName("role", role, ROLES)


def check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise UnknownName("interface language", lang, LANGS)


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password needs at least {MIN_PASSWORD} characters").said_as(
            "password_short", n=MIN_PASSWORD
        )
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"the password may have at most {MAX_PASSWORD} characters").said_as(
            "password_long", n=MAX_PASSWORD
        )


def _verify(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def _keep_one_lead(session: Session, user: User) -> None:
    leads = session.exec(
        select(User.id).where(
            User.role == "lead", col(User.disabled_at).is_(None), User.id != user.id
        )
    ).all()
    if not leads:
        raise AccountError(f"{user.name!r} is the last lead: make someone else lead first").said_as(
            "last_lead", name=user.name
        )
