"""Hootsuite REST API (``https://platform.hootsuite.com/v1``): snapshot, delete, re-create.

Hootsuite's pause is a person's switch per organisation, and its API has no update for a
scheduled message, so a post is held by reading it (``GET /messages/{id}``), keeping the copy,
and deleting it (``DELETE /messages/{id}``); release schedules it again (``POST /messages``
with ``text``, ``socialProfileIds``, ``scheduledSendTime``, ``tags``, ``mediaUrls``), which
gives it a new id. ``GET /messages?state=SCHEDULED&startTime&endTime`` lists a range (at most
four weeks). An OAuth 2.0 member token goes in a Bearer header; the member must be allowed to
create and delete messages on the social profiles.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from crisis.domain import ExternalPost
from crisis.errors import ConnectorError, RemoteNotFound
from crisis.schedulers.http import JsonApi, iso, parse_time
from crisis.settings import Settings

BASE_URL = "https://platform.hootsuite.com/v1"


class HootsuiteScheduler:
    source = "hootsuite"

    def __init__(self, api: JsonApi, *, social_profile_ids: list[str]) -> None:
        self.api = api
        self.social_profile_ids = social_profile_ids

    def scheduled(self, start: datetime, end: datetime) -> list[ExternalPost]:
        params: dict[str, Any] = {
            "state": "SCHEDULED",
            "startTime": iso(start),
            "endTime": iso(end),
            "limit": 100,
        }
        if self.social_profile_ids:
            params["socialProfileIds"] = self.social_profile_ids
        answer = self.api.call("GET", "/messages", params=params)
        return [parse_message(item) for item in _items(answer)]

    def hold(self, post: ExternalPost, *, snapshot: Callable[[ExternalPost], None]) -> None:
        found = _items(self.api.call("GET", f"/messages/{post.external_id}"))
        if not found or str(found[0].get("state", "SCHEDULED")) != "SCHEDULED":
            raise RemoteNotFound(f"Hootsuite: message {post.external_id} is not scheduled")
        snapshot(parse_message(found[0]))
        self.api.call("DELETE", f"/messages/{post.external_id}")

    def release(self, post: ExternalPost, *, publish_at: datetime) -> str:
        body: dict[str, Any] = {
            "text": post.text,
            "socialProfileIds": [post.extra["social_profile_id"]],
            "scheduledSendTime": iso(publish_at),
            "emailNotification": False,
        }
        if post.labels:
            body["tags"] = list(post.labels)
        if post.media:
            body["mediaUrls"] = [{"url": url} for url in post.media]
        created = _items(self.api.call("POST", "/messages", json=body))
        if not created:
            raise ConnectorError("Hootsuite did not say which message it created")
        return str(created[0]["id"])


def _items(answer: Any) -> list[dict[str, Any]]:
    data = answer.get("data") if isinstance(answer, dict) else None
    if isinstance(data, dict):
        return [data]
    return [item for item in data or [] if isinstance(item, dict)]


def parse_message(item: dict[str, Any]) -> ExternalPost:
    profile = item.get("socialProfile") or {}
    return ExternalPost(
        source="hootsuite",
        external_id=str(item["id"]),
        channel=str(profile.get("type") or "hootsuite").lower(),
        text=str(item.get("text") or ""),
        publish_at=parse_time(item.get("scheduledSendTime"), "Hootsuite scheduledSendTime"),
        media=tuple(str(m["url"]) for m in item.get("mediaUrls") or [] if m.get("url")),
        labels=tuple(str(tag) for tag in item.get("tags") or []),
        extra={"social_profile_id": str(profile.get("id"))},
    )


def make_scheduler(settings: Settings) -> HootsuiteScheduler:
    settings.require("hootsuite_access_token", purpose="holding posts in Hootsuite")
    api = JsonApi(
        name="Hootsuite",
        base_url=BASE_URL,
        headers={"Authorization": f"Bearer {settings.secret('hootsuite_access_token')}"},
        timeout=settings.connector_timeout_seconds,
        token_hint="CRISIS_HOOTSUITE_ACCESS_TOKEN",
    )
    return HootsuiteScheduler(api, social_profile_ids=list(settings.hootsuite_social_profile_ids))
