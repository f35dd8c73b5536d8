"""A Facebook Page's own scheduled posts (Graph API), held by snapshot and delete.

Graph has no "back to draft": a scheduled post can only be re-timed (``POST /{post-id}`` with
``scheduled_publish_time``, within Meta's window of 10 minutes to 6 months) or deleted. Moving
it to the end of the window is fragile (the window moves, someone may publish it by hand), so
holding reads the post again, hands the full copy (text, link, photo URLs, time) to the
snapshot and only then deletes it; releasing re-creates it (``POST /{page-id}/feed`` with
``published=false``, photos uploaded unpublished first and attached). The re-created post has a
new id. Needs a Page token with ``pages_manage_posts`` and ``pages_read_engagement``.

Photo URLs from Facebook's CDN are signed and expire after some days: a held photo post should
be released (or taken over by hand) within that time.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from crisis.connectors.facebook import Graph
from crisis.domain import ExternalPost
from crisis.schedulers.http import parse_time
from crisis.settings import Settings

FIELDS = (
    "id,message,scheduled_publish_time,created_time,"
    "attachments{type,url,unshimmed_url,media,subattachments}"
)
MAX_PAGES = 20
_HASHTAG = re.compile(r"#(\w+)")


class FacebookScheduler:
    source = "facebook"

    def __init__(self, graph: Graph, *, page_id: str) -> None:
        self.graph = graph
        self.page_id = page_id

    def scheduled(self, start: datetime, end: datetime) -> list[ExternalPost]:
        found: list[ExternalPost] = []
        after: str | None = None
        for _ in range(MAX_PAGES):
            args: dict[str, Any] = {"fields": FIELDS, "limit": 100}
            if after:
                args["after"] = after
            answer = self.graph.get(self.page_id, "scheduled_posts", **args)
            for item in answer.get("data") or []:
                post = parse_post(item)
                if start <= post.publish_at < end:
                    found.append(post)
            paging = answer.get("paging") or {}
            after = (paging.get("cursors") or {}).get("after")
            if not paging.get("next") or not after:
                break
        return found

    def hold(self, post: ExternalPost, *, snapshot: Callable[[ExternalPost], None]) -> None:
        snapshot(parse_post(self.graph.get(post.external_id, fields=FIELDS)))
        self.graph.delete(post.external_id)

    def release(self, post: ExternalPost, *, publish_at: datetime) -> str:
        data: dict[str, Any] = {
            "message": post.text,
            "published": "false",
            "scheduled_publish_time": str(int(publish_at.timestamp())),
        }
        if post.extra.get("link"):
            data["link"] = post.extra["link"]
        photos = [
            self.graph.post(self.page_id, "photos", url=url, published="false", temporary="true")
            for url in post.media
        ]
        if photos:
            data["attached_media"] = json.dumps([{"media_fbid": p["id"]} for p in photos])
        return str(self.graph.post(self.page_id, "feed", **data)["id"])


def parse_post(item: dict[str, Any]) -> ExternalPost:
    """A scheduled post from Graph: photo URLs as media, a shared link in ``extra``."""
    media: list[str] = []
    link = None
    for attachment in (item.get("attachments") or {}).get("data") or []:
        parts = (attachment.get("subattachments") or {}).get("data") or [attachment]
        for part in parts:
            kind = str(part.get("type") or "")
            src = ((part.get("media") or {}).get("image") or {}).get("src")
            if kind.startswith("photo") and src:
                media.append(str(src))
            elif kind == "share":
                link = part.get("unshimmed_url") or part.get("url")
    text = str(item.get("message") or "")
    return ExternalPost(
        source="facebook",
        external_id=str(item["id"]),
        channel="facebook",
        text=text,
        publish_at=parse_time(item.get("scheduled_publish_time"), "Facebook scheduled time"),
        media=tuple(media),
        labels=tuple(tag.lower() for tag in _HASHTAG.findall(text)),
        extra={"link": link} if link else {},
    )


def make_scheduler(settings: Settings) -> FacebookScheduler:
    settings.require(
        "facebook_page_id", "facebook_page_token", purpose="holding Facebook's scheduled posts"
    )
    return FacebookScheduler(Graph(settings), page_id=str(settings.facebook_page_id))
