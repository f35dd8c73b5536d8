"""Facebook's scheduler and Postiz as small stateful servers behind ``responses``.

They answer with the recorded payloads (``tests/crisis/connectors/payloads``) and change as the
real tools would: a deleted Facebook post is gone, a created one gets a new id, a Postiz post
toggled to draft is no longer listed as scheduled. Every request is kept for the assertions.
"""

from __future__ import annotations

import copy
import json
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import responses

from tests.crisis.connectors.recorded import PAGE_ID, payload

GRAPH = "https://graph.facebook.com/v21.0"
POSTIZ = "https://postiz.example/api"
JSON = {"content-type": "application/json; charset=UTF-8"}


def _answer(status: int, body: Any) -> tuple[int, dict[str, str], str]:
    return status, JSON, json.dumps(body)


class FakeFacebook:
    """A Page's scheduled posts: list, read one, delete, upload a photo, create a post."""

    def __init__(self, rsps: responses.RequestsMock, *, posts: list[dict[str, Any]] | None = None):
        recorded = payload("fb_scheduled_posts_page1.json")["data"]
        recorded += payload("fb_scheduled_posts_page2.json")["data"]
        self.posts = {p["id"]: copy.deepcopy(p) for p in (posts if posts is not None else recorded)}
        self.failures: dict[tuple[str, str], list[tuple[int, Any]]] = {}  # (method, node)
        self.calls: list[tuple[str, str, dict[str, str]]] = []
        self.created: list[dict[str, Any]] = []
        self.photos: dict[str, str] = {}
        self.crash_after_delete = False
        self.crash_after_create = False
        for method in (responses.GET, responses.POST, responses.DELETE):
            rsps.add_callback(method, re.compile(f"{GRAPH}/.*"), callback=self.reply)

    def reply(self, request: Any) -> tuple[int, dict[str, str], str]:
        url = urlsplit(request.url)
        args = dict(parse_qsl(url.query))
        if request.body:
            body = request.body if isinstance(request.body, str) else request.body.decode()
            args.update(parse_qsl(body))
        node, _, edge = url.path.removeprefix("/v21.0/").partition("/")
        self.calls.append((request.method, url.path.removeprefix("/v21.0/"), args))
        queued = self.failures.get((request.method, edge or node))
        if queued:
            return _answer(*queued.pop(0))
        if request.method == "GET" and edge == "scheduled_posts":
            return _answer(200, {"data": list(self.posts.values())})
        if request.method == "GET":
            if node not in self.posts:
                return _answer(400, payload("fb_error_not_found.json"))
            return _answer(200, self.posts[node])
        if request.method == "DELETE":
            if node not in self.posts:
                return _answer(400, payload("fb_error_not_found.json"))
            del self.posts[node]
            if self.crash_after_delete:
                raise Crash("the process died after Facebook deleted the post")
            return _answer(200, {"success": True})
        if edge == "photos":
            photo_id = f"90000000000{len(self.photos) + 100}"
            self.photos[photo_id] = args["url"]
            return _answer(200, {"id": photo_id})
        if edge == "feed":
            post_id = f"{PAGE_ID}_{900 + len(self.created)}"
            item: dict[str, Any] = {
                "id": post_id,
                "message": args["message"],
                "scheduled_publish_time": int(args["scheduled_publish_time"]),
            }
            photos = [
                self.photos[m["media_fbid"]] for m in json.loads(args.get("attached_media", "[]"))
            ]
            if photos:
                item["attachments"] = {
                    "data": [{"type": "photo", "media": {"image": {"src": src}}} for src in photos]
                }
            self.created.append({**item, "published": args.get("published")})
            self.posts[post_id] = item
            if self.crash_after_create:
                raise Crash("the process died after Facebook created the post")
            return _answer(200, {"id": post_id})
        return _answer(400, {"error": {"message": "unexpected call", "code": 1}})

    def methods(self) -> list[tuple[str, str]]:
        return [(method, path) for method, path, _ in self.calls]


class FakePostiz:
    """Postiz's public API: list a range, toggle a post between draft and schedule."""

    def __init__(self, rsps: responses.RequestsMock):
        self.posts = {p["id"]: copy.deepcopy(p) for p in payload("postiz_posts.json")["posts"]}
        self.failures: dict[str, list[tuple[int, Any]]] = {}  # "GET" / "PUT"
        self.calls: list[tuple[str, str, Any]] = []
        self.auth: list[str | None] = []
        self.retry_after: str | None = None  # the Retry-After header of failures
        rsps.add_callback(responses.GET, f"{POSTIZ}/public/v1/posts", callback=self.list)
        rsps.add_callback(
            responses.PUT, re.compile(f"{POSTIZ}/public/v1/posts/.*/status"), callback=self.status
        )

    def list(self, request: Any) -> tuple[int, dict[str, str], str]:
        args = dict(parse_qsl(urlsplit(request.url).query))
        self.calls.append(("GET", "posts", args))
        self.auth.append(request.headers.get("Authorization"))
        if self.failures.get("GET"):
            return _answer(*self.failures["GET"].pop(0))
        start, end = (_time(args["startDate"]), _time(args["endDate"]))
        listed = [p for p in self.posts.values() if start <= _time(p["publishDate"]) <= end]
        return _answer(200, {"posts": listed})

    def status(self, request: Any) -> tuple[int, dict[str, str], str]:
        post_id = urlsplit(request.url).path.split("/")[-2]
        wanted = json.loads(request.body)["status"]
        self.calls.append(("PUT", post_id, wanted))
        self.auth.append(request.headers.get("Authorization"))
        if self.failures.get("PUT"):
            status, body, headers = *self.failures["PUT"].pop(0), dict(JSON)
            if self.retry_after:
                headers["Retry-After"] = self.retry_after
            return status, headers, json.dumps(body)
        self.posts[post_id]["status"] = "draft" if wanted == "draft" else "scheduled"
        return _answer(200, {"id": post_id, "state": "DRAFT" if wanted == "draft" else "QUEUE"})

    def puts(self) -> list[tuple[str, str]]:
        return [(post_id, wanted) for method, post_id, wanted in self.calls if method == "PUT"]


class Crash(BaseException):
    """Stands for the process dying: nothing of ours may catch it."""


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
