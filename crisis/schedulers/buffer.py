"""Buffer (API v1, ``https://api.bufferapp.com/1``): snapshot, destroy, re-create.

Buffer pauses only a whole channel (a person's switch), so one post is held by reading it
(``GET /updates/{id}.json``), keeping the copy, and destroying it
(``POST /updates/{id}/destroy.json``); release creates it again
(``POST /updates/create.json`` with ``profile_ids[]``, ``text``, ``scheduled_at`` and its
``media``), which gives it a new id. The pending queue of each configured profile is read with
``GET /profiles/{id}/updates/pending.json``. The access token goes in a Bearer header.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from crisis.domain import ExternalPost
from crisis.errors import ConnectorError
from crisis.schedulers.http import JsonApi, iso, parse_time
from crisis.settings import Settings

BASE_URL = "https://api.bufferapp.com/1"


class BufferScheduler:
    source = "buffer"

    def __init__(self, api: JsonApi, *, profile_ids: list[str]) -> None:
        self.api = api
        self.profile_ids = profile_ids

    def scheduled(self, start: datetime, end: datetime) -> list[ExternalPost]:
        found = []
        for profile in self.profile_ids:
            answer = self.api.call(
                "GET", f"/profiles/{profile}/updates/pending.json", params={"count": 100}
            )
            for item in answer.get("updates") or []:
                post = parse_update(item)
                if start <= post.publish_at < end:
                    found.append(post)
        return found

    def hold(self, post: ExternalPost, *, snapshot: Callable[[ExternalPost], None]) -> None:
        snapshot(parse_update(self.api.call("GET", f"/updates/{post.external_id}.json")))
        self.api.call("POST", f"/updates/{post.external_id}/destroy.json")

    def release(self, post: ExternalPost, *, publish_at: datetime) -> str:
        data: dict[str, Any] = {
            "profile_ids[]": [post.extra["profile_id"]],
            "text": post.text,
            "scheduled_at": iso(publish_at),
        }
        for name, value in (post.extra.get("media") or {}).items():
            data[f"media[{name}]"] = value
        answer = self.api.call("POST", "/updates/create.json", data=data)
        updates = answer.get("updates") or []
        if not answer.get("success", True) or not updates:
            raise ConnectorError(f"Buffer did not create the post ({answer.get('message')})")
        return str(updates[0]["id"])


def parse_update(item: dict[str, Any]) -> ExternalPost:
    media = item.get("media") or {}
    refs = tuple(str(media[k]) for k in ("photo", "picture", "link") if media.get(k))
    return ExternalPost(
        source="buffer",
        external_id=str(item["id"]),
        channel=str(item.get("profile_service") or "buffer"),
        text=str(item.get("text") or ""),
        publish_at=parse_time(item.get("due_at") or item.get("scheduled_at"), "Buffer due_at"),
        media=refs,
        extra={"profile_id": str(item.get("profile_id")), "media": media},
    )


def make_scheduler(settings: Settings) -> BufferScheduler:
    settings.require("buffer_access_token", "buffer_profile_ids", purpose="holding posts in Buffer")
    api = JsonApi(
        name="Buffer",
        base_url=BASE_URL,
        headers={"Authorization": f"Bearer {settings.secret('buffer_access_token')}"},
        timeout=settings.connector_timeout_seconds,
        token_hint="CRISIS_BUFFER_ACCESS_TOKEN",
    )
    return BufferScheduler(api, profile_ids=list(settings.buffer_profile_ids))
