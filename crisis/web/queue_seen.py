"""Decide only what the user saw: a queue page (or an API client) says which state and reply
text it showed, and a decision on an item that someone else changed since is refused
(``InvalidTransition``, 409) before anything changes, saying who changed it.

Two agents work the same queue from the top during an outage: without this, a stale page's
"reject" overturns a colleague's approval, "approve" approves a colleague's new wording
unread, and "save text" takes back a reply a colleague approved.
"""

from __future__ import annotations

from sqlmodel import Session

from crisis.clock import local_time
from crisis.errors import InvalidTransition
from crisis.replies import queue
from crisis.tables import ReviewItem


def same_text(a: str, b: str) -> bool:
    """Equal up to line endings (a browser posts a textarea's lines with CRLF)."""
    return unix_lines(a) == unix_lines(b)


def unix_lines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def locked(session: Session, item_id: int) -> ReviewItem:
    """The item as committed now, its row locked until this request's transaction ends (a
    colleague's simultaneous decision waits, then sees this one's outcome)."""
    return queue.lock_item(session, item_id)


def check_seen(
    session: Session, item_id: int, *, state: str | None, text: str | None = None
) -> None:
    """Refuse when the item is no longer in ``state`` or no longer reads ``text`` (each
    checked only when given: an older client that sends neither is not refused)."""
    if not state and text is None:
        return
    item = locked(session, item_id)
    name = f"review item #{item_id}"
    if state and item.state != state:
        by = ""
        if item.decided_by and item.state != "pending":
            by = f" (by {item.decided_by} at {local_time(item.decided_at)})"
        raise InvalidTransition(
            f"review item {item_id}",
            item.state,
            state,
            f"{name} changed since your page was loaded: it is {item.state} now{by}. "
            "Nothing was changed; read it again.",
        )
    if text is not None and not same_text(item.text, text):
        by = ""
        if item.edited_by:
            by = f" (by {item.edited_by} at {local_time(item.edited_at)})"
        raise InvalidTransition(
            f"review item {item_id}",
            item.state,
            item.state,
            f"{name}: the reply was changed since your page was loaded{by}. "
            "Nothing was changed; read the new text before you decide.",
        )


def already_done(
    session: Session, item_id: int, *, state: str, actor: str, text: str | None = None
) -> bool:
    """The same person's same decision again (a double click, a resubmitted form): it was done,
    so it is answered as done instead of as a colleague's change."""
    item = locked(session, item_id)
    if item.state != state or item.decided_by != actor:
        return False
    return text is None or same_text(item.text, text)
