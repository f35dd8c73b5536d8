"""Postiz (open-source scheduler) through its public API: the one tool with a true draft toggle.

``GET /public/v1/posts?startDate&endDate`` lists a range; ``PUT /public/v1/posts/{id}/status``
with ``draft`` stops the post's publishing workflow and keeps its date, ``schedule`` restarts it
(docs.postiz.com, "Change Post Status"). The API key goes bare in the ``Authorization`` header.
The public API has no call to change a post's date, so a held post can only go back at its own
time (or stay a draft); the cloud allows 30 requests an hour, so sync it every few minutes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from crisis.domain import ExternalPost
from crisis.errors import ConnectorError, RemoteNotFound
from crisis.schedulers.http import JsonApi, iso, parse_time
from crisis.settings import Settings

SCHEDULED = frozenset({"scheduled", "schedule", "queue"})
LOOK_AROUND = timedelta(days=7)  # the public API reads ranges only, not one post


class PostizScheduler:
    source = "postiz"

    def __init__(self, api: JsonApi) -> None:
        self.api = api

    def scheduled(self, start: datetime, end: datetime) -> list[ExternalPost]:
        return [p for p, status in self._range(start, end) if status in SCHEDULED]

    def hold(self, post: ExternalPost, *, snapshot: Callable[[ExternalPost], None]) -> None:
        snapshot(self._current(post))
        self._set_status(post.external_id, "draft")

    def release(self, post: ExternalPost, *, publish_at: datetime) -> str:
        if publish_at != post.publish_at:
            raise ConnectorError(
                "Postiz's public API cannot change a post's date: resume it at its own time, "
                "or to draft and give it a new date in Postiz"
            )
        self._set_status(post.external_id, "schedule")
        return post.external_id

    def _current(self, post: ExternalPost) -> ExternalPost:
        for found, _status in self._range(
            post.publish_at - LOOK_AROUND, post.publish_at + LOOK_AROUND
        ):
            if found.external_id == post.external_id:
                return found
        raise RemoteNotFound(f"Postiz: post {post.external_id} is no longer there")

    def _range(self, start: datetime, end: datetime) -> list[tuple[ExternalPost, str]]:
        answer = self.api.call(
            "GET", "/public/v1/posts", params={"startDate": iso(start), "endDate": iso(end)}
        )
        found = []
        for item in answer.get("posts") or []:
            post = parse_post(item)
            if start <= post.publish_at < end:
                found.append((post, str(item.get("status") or item.get("state") or "").lower()))
        return found

    def _set_status(self, post_id: str, status: str) -> None:
        self.api.call("PUT", f"/public/v1/posts/{post_id}/status", json={"status": status})


def parse_post(item: dict[str, Any]) -> ExternalPost:
    integration = item.get("integration") or {}
    listed = item.get("media") or item.get("image") or []
    if isinstance(listed, str):  # Postiz stores a post's images as a JSON string
        try:
            listed = json.loads(listed)
        except ValueError:
            listed = []
    media = tuple(
        str(m.get("path") or m.get("url") or m.get("id")) for m in listed if isinstance(m, dict)
    )
    tags = []
    for tag in item.get("tags") or []:
        if isinstance(tag, dict):  # {"tag": {"name": ...}} or {"name": ...}
            tag = (tag.get("tag") or tag).get("name")
        if tag:
            tags.append(str(tag))
    return ExternalPost(
        source="postiz",
        external_id=str(item["id"]),
        channel=str(integration.get("identifier") or "postiz"),
        text=str(item.get("content") or ""),
        publish_at=parse_time(item.get("publishDate"), "Postiz publishDate"),
        media=media,
        labels=tuple(tags),
        extra={"group": item.get("group"), "integration": integration.get("id")},
    )


def make_scheduler(settings: Settings) -> PostizScheduler:
    settings.require("postiz_url", "postiz_api_key", purpose="holding posts in Postiz")
    api = JsonApi(
        name="Postiz",
        base_url=str(settings.postiz_url),
        headers={"Authorization": settings.secret("postiz_api_key")},
        timeout=settings.connector_timeout_seconds,
        token_hint="CRISIS_POSTIZ_API_KEY",
    )
    return PostizScheduler(api)
