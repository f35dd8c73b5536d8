"""One tree of errors, so callers catch ours and never a library's.

    CrisisError
    ├── ConfigError              a setting is missing or unusable
    │   └── NotConfigured        a platform to publish on has no credentials (names them)
    ├── UnknownName              a registry lookup failed (says which names exist)
    ├── InvalidTransition        a state change that the lifecycle does not allow
    │   ├── InvalidReply         a reply text that is empty or too long for its platform
    │   └── AnsweredByFollowUp   a reply whose resolved incident's follow-up answers instead
    ├── NotFound                 no row with that id
    ├── BadRecord                one input record is malformed (says where and why)
    ├── SpotCheckMissing         a bulk approval without enough of the cluster read
    ├── TemplateError            a reply template is missing or cannot be rendered
    ├── AccountError             a user cannot be created or changed as asked (says why)
    │   └── WrongPassword        the current password given to change it is wrong
    ├── NotSignedIn              no valid session or token (web: sign-in page; API: 401)
    ├── Forbidden                signed in, but the role (or the CSRF token) does not allow it
    ├── Inconsistent             our own invariant broke (a bug, not the user's input)
    └── ConnectorError           talking to a platform failed (never carries a token)
        ├── RateLimited(reset_at)  the platform said "later"; reset_at when it said when
        ├── AuthFailed             token missing, expired or lacking a permission
        ├── RemoteNotFound         the post, comment or account does not exist (any more)
        ├── ServerError            5xx, a non-JSON answer, a timeout: worth retrying
        └── InFlight(retry_at)     another attempt is publishing it: not a failure, wait

Library errors are translated at the boundary with ``raise ... from exc``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime


class CrisisError(Exception):
    """Base of every error this project raises on purpose."""


class ConfigError(CrisisError):
    pass


class NotConfigured(ConfigError):
    """Publishing on ``channel`` needs settings that are missing; nothing was attempted."""

    def __init__(self, channel: str, reason: str) -> None:
        self.channel, self.reason = channel, reason
        super().__init__(f"{channel} is not configured: {reason}")


class UnknownName(CrisisError, KeyError):
    def __init__(self, kind: str, name: str, known: Iterable[str]) -> None:
        self.kind, self.name, self.known = kind, name, sorted(known)
        super().__init__(f"unknown {kind} {name!r}; known: {', '.join(self.known) or '(none)'}")

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0])


class InvalidTransition(CrisisError):
    """``message``, when given, says it in the user's words instead of the states'."""

    def __init__(self, entity: str, current: str, wanted: str, message: str = "") -> None:
        # plain values: a lifecycle StrEnum would print as <PostState.HELD: 'held'>
        self.entity, self.current, self.wanted = entity, str(current), str(wanted)
        super().__init__(message or f"{entity}: cannot go from {self.current!r} to {self.wanted!r}")


class InvalidReply(InvalidTransition):
    def __init__(self, item_id: object, reason: str) -> None:
        self.entity, self.current, self.wanted = f"review item {item_id}", "", "approved"
        CrisisError.__init__(self, f"review item {item_id}: {reason}")


class AnsweredByFollowUp(InvalidTransition):
    """A reply of a resolved incident whose customer a follow-up answers; ``--force`` only."""

    def __init__(self, item_id: object, incident_id: object, follow_up_id: object) -> None:
        self.entity, self.current, self.wanted = f"review item {item_id}", "", "approved"
        self.follow_up_id = follow_up_id
        CrisisError.__init__(
            self,
            f"review item #{item_id}: incident #{incident_id} is resolved; follow-up "
            f"#{follow_up_id} answers this customer — edit and approve that, or reject this "
            "reply (--force approves it anyway)",
        )


class NotFound(CrisisError):
    pass


class BadRecord(CrisisError):
    """A malformed input record; ``where`` is e.g. ``"export.jsonl:12"``."""

    def __init__(self, where: str, reason: str) -> None:
        self.where, self.reason = where, reason
        super().__init__(f"{where}: {reason}")


class SpotCheckMissing(CrisisError):
    pass


class TemplateError(CrisisError):
    pass


class AccountError(CrisisError):
    """A user cannot be created or changed as asked (says why)."""


class WrongPassword(AccountError):
    """The current password given to change it is not the current password."""


class NotSignedIn(CrisisError):
    """No valid session or token: pages send the browser to the sign-in page, the API 401."""


class Forbidden(CrisisError):
    """Signed in, but the role does not allow this (or the CSRF token is wrong): 403."""


class Inconsistent(CrisisError):
    """Our own invariant broke (a row without an id after a flush, a classifier that answered
    for the wrong number of texts): a bug to report, never the user's input."""


class ConnectorError(CrisisError):
    """``retryable``: the same call may succeed later (rate limits, server trouble)."""

    retryable = False


class RateLimited(ConnectorError):
    retryable = True

    def __init__(self, message: str, reset_at: datetime | None = None) -> None:
        self.reset_at = reset_at
        super().__init__(message)


class AuthFailed(ConnectorError):
    pass


class RemoteNotFound(ConnectorError):
    pass


class ServerError(ConnectorError):
    retryable = True


class InFlight(ConnectorError):
    """Another attempt is publishing the same post; look again at ``retry_at``."""

    retryable = True

    def __init__(self, message: str, retry_at: datetime | None = None) -> None:
        self.retry_at = retry_at
        super().__init__(message)
