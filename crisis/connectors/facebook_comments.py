"""Reading a Facebook Page's comments in rounds, resumable after a crash at any point.

A round lists the page's recent posts (visitor posts on the page are comments too) and queues
those updated since we last looked; then each ``fetch`` reads one page of one post's comments,
all of them, replies included (``filter=stream``), newest first, until it reaches comments it
has seen. The cursor (JSON) holds, per post, the newest time already stored (``marks``), the
posts still to read (``queue``) and the paging position inside the post being read (``scan``).
A post's mark only moves once its last page is stored, in the same transaction, so a crash
repeats a page at most, and storing is idempotent.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from crisis.domain import CommentIn, Page, Problem
from crisis.errors import AuthFailed, ConfigError, ConnectorError, RemoteNotFound

PLATFORM = "facebook"
COMMENT_FIELDS = "id,message,from,created_time,parent{id},permalink_url,comment_count,like_count"
POST_FIELDS = "id,message,from,created_time,updated_time,permalink_url"
# Comments this much older than a post's mark are read again: Graph's lists can lag behind.
OVERLAP = timedelta(minutes=5)


class GraphReader(Protocol):
    def get(self, node: str, edge: str | None = None, **args: Any) -> dict[str, Any]:
        """A Graph node or edge page; raises our ``ConnectorError``s."""
        ...


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(UTC)  # "2024-10-15T08:14:05+0000"


def parse_comments(
    data: list[dict[str, Any]], *, post_id: str, page_id: str
) -> tuple[list[CommentIn], list[Problem]]:
    """Comments from one Graph page; the page's own comments are left out."""
    items: list[CommentIn] = []
    problems: list[Problem] = []
    for raw in data:
        author = raw.get("from") or {}  # absent when the commenter's privacy hides it
        if author.get("id") == page_id:
            continue
        try:
            parent = (raw.get("parent") or {}).get("id")
            items.append(
                CommentIn(
                    platform=PLATFORM,
                    external_id=str(raw["id"]),
                    author=str(author.get("name") or "(unknown)"),
                    text=str(raw.get("message") or ""),
                    created_at=parse_time(raw["created_time"]),
                    in_reply_to=str(parent or post_id),
                    raw={**raw, "post_id": post_id},
                )
            )
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(Problem(f"facebook comment {raw.get('id')}", f"unreadable: {exc!r}"))
    return items, problems


class FacebookSource:
    """Comments on the page's recent posts, and visitor posts, in rounds (see module doc)."""

    def __init__(self, graph: GraphReader, *, page_id: str, posts_per_round: int = 25) -> None:
        self.graph = graph
        self.page_id = page_id
        self.posts_per_round = posts_per_round
        self.name = f"facebook:page:{page_id}"

    def fetch(self, cursor: str | None) -> Page:
        state = _load(cursor)
        if not state["queue"] and state["scan"] is None:
            return self._list_posts(state)
        return self._read_comments(state)

    def _list_posts(self, state: dict[str, Any]) -> Page:
        answer = self.graph.get(
            self.page_id, "feed", fields=POST_FIELDS, limit=self.posts_per_round
        )
        posts = answer.get("data") or []
        marks: dict[str, str] = state["marks"]
        queue = [
            [post["id"], post.get("updated_time") or post["created_time"]]
            for post in posts
            if post["id"] not in marks
            or parse_time(post.get("updated_time") or post["created_time"])
            > parse_time(marks[post["id"]])
        ]
        listed = {post["id"] for post in posts}
        kept = {post: mark for post, mark in marks.items() if post in listed}
        visitors = [
            p for p in posts if p.get("message") and (p.get("from") or {}).get("id") != self.page_id
        ]
        items, problems = parse_comments(visitors, post_id="", page_id=self.page_id)
        items = [_as_post(item) for item in items]
        following = {"marks": kept, "queue": queue, "scan": None}
        return Page(items, json.dumps(following), more=bool(queue), problems=problems)

    def _read_comments(self, state: dict[str, Any]) -> Page:
        scan = state["scan"]
        if scan is None:
            post_id, listed_at = state["queue"].pop(0)
            scan = {"post": post_id, "after": None, "newest": listed_at}
        post_id = scan["post"]
        args: dict[str, Any] = {"filter": "stream", "order": "reverse_chronological"}
        if scan["after"]:
            args["after"] = scan["after"]
        try:
            answer = self.graph.get(post_id, "comments", fields=COMMENT_FIELDS, limit=100, **args)
        except RemoteNotFound:  # the post was deleted since the listing: nothing to read
            answer = {"data": []}
        except ConnectorError as exc:
            if not scan["after"] or exc.retryable or isinstance(exc, AuthFailed):
                raise
            # A paging cursor Graph no longer takes: read this post again from its newest
            # comment; what was already stored is stored once.
            state["scan"] = {**scan, "after": None}
            return self._read_comments(state)
        data = answer.get("data") or []
        mark = state["marks"].get(post_id)
        floor = parse_time(mark) - OVERLAP if mark else None
        fresh = [c for c in data if floor is None or parse_time(c["created_time"]) >= floor]
        items, problems = parse_comments(fresh, post_id=post_id, page_id=self.page_id)
        newest = max([scan["newest"], *(c["created_time"] for c in data[:1])], key=parse_time)
        next_after = (answer.get("paging") or {}).get("cursors", {}).get("after")
        if (answer.get("paging") or {}).get("next") and next_after and len(fresh) == len(data):
            state["scan"] = {"post": post_id, "after": next_after, "newest": newest}
        else:  # reached the end, or comments already stored: this post is done
            state["scan"] = None
            state["marks"][post_id] = newest
        more = bool(state["queue"]) or state["scan"] is not None
        return Page(items, json.dumps(state), more=more, problems=problems)


def _as_post(item: CommentIn) -> CommentIn:
    """A visitor post on our page: a top-level comment that answers nothing."""
    return CommentIn(
        platform=item.platform,
        external_id=item.external_id,
        author=item.author,
        text=item.text,
        created_at=item.created_at,
        raw={**item.raw, "post_id": item.external_id, "visitor_post": True},
    )


def _load(cursor: str | None) -> dict[str, Any]:
    if not cursor:
        return {"marks": {}, "queue": [], "scan": None}
    try:
        state = json.loads(cursor)
        if not isinstance(state, dict) or set(state) != {"marks", "queue", "scan"}:
            raise ValueError
        return state
    except ValueError:
        raise ConfigError(f"not a Facebook cursor: {cursor[:80]!r}") from None
