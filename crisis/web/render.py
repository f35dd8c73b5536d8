"""Server-rendered pages: one Jinja environment (autoescaped: comment text, author names and
everything else people typed is untrusted), the layout every page shares (navigation, the
marketing-frozen banner, messages), and short-lived messages across a redirect."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import quote, unquote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from sqlmodel import Session

from crisis import holds
from crisis.accounts import SignedIn
from crisis.clock import local_time, team_zone, zone_label
from crisis.replies import sla
from crisis.tables import Incident
from crisis.web.i18n import action_namer, pick_lang, translator

FLASH_COOKIE = "crisis_flash"
env = Environment(
    loader=PackageLoader("crisis.web", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def berlin(value: datetime | None, fmt: str = "%d.%m.%Y %H:%M") -> str:
    return "-" if value is None else value.astimezone(team_zone()).strftime(fmt)


def labelled(value: datetime | None, fmt: str = "%d.%m.%Y %H:%M") -> str:
    """A time outside a table column labelled with the zone: ``13.05.2017 18:00 Berlin``."""
    return local_time(value, fmt=fmt)


env.filters["berlin"] = berlin  # in a column whose header names the zone
env.filters["local"] = labelled
env.filters["span"] = sla.short


def lang_of(request: Request, user: SignedIn | None) -> str:
    return pick_lang(user.lang if user else None, request.headers.get("accept-language"))


def page(
    request: Request,
    session: Session | None,
    user: SignedIn | None,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> HTMLResponse:
    """Render ``template`` inside the shared layout. ``session`` (when given) supplies the
    banner that says marketing is frozen, and why."""
    lang = lang_of(request, user)
    values: dict[str, Any] = {
        "request": request,
        "user": user,
        "lang": lang,
        "t": translator(lang),
        "tz": zone_label(),  # the label of every time shown: the team's time zone
        "action_name": action_namer(lang),
        "csrf": user.csrf_token if user and user.csrf_token else "",
        "freeze": frozen_banner(session) if session is not None and user else None,
        "not_held": not_held_banner(session) if session is not None and user else [],
        "messages": read_flash(request),
        "path": request.url.path,
        # where the language button comes back to: the same page with its filters
        "here": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
    }
    values.update(context or {})
    response = HTMLResponse(env.get_template(template).render(values), status_code=status_code)
    if values["messages"]:
        response.delete_cookie(FLASH_COOKIE, path="/")
    return response


def frozen_banner(session: Session) -> dict[str, Any] | None:
    """What holds marketing now (an open incident or a manual freeze), for the banner on every
    page, with the number of held posts; ``None`` when marketing may go out."""
    blocker = holds.current_blocker(session)
    if blocker is None:
        return None
    held = len(session.exec(holds.held_posts_query()).all())
    incident = session.get(Incident, blocker.incident_id) if blocker.incident_id else None
    return {
        "incident_id": blocker.incident_id,
        "incident_title": incident.title if incident else None,
        "incident_service": incident.service if incident else None,
        "incident_regions": list(incident.regions) if incident else [],
        "freeze_reason": blocker.freeze_reason,
        "held": held,
    }


def not_held_banner(session: Session) -> list[dict[str, Any]]:
    """Posts of another tool that could not be held (or put back) there, with the reason:
    on every page from the sync round that failed until one succeeds."""
    return [
        {"key": p.key, "source": p.source, "due": p.publish_at, "why": p.hold_error}
        for p in holds.not_held_at_source(session)
    ]


def redirect(url: str, *, message: str | None = None, error: str | None = None) -> RedirectResponse:
    """303 to ``url`` (a path on this site), with a message for the next page."""
    response = RedirectResponse(safe_path(url), status_code=303)
    if message or error:
        flash(response, message=message, error=error)
    return response


def flash(response: Any, *, message: str | None = None, error: str | None = None) -> None:
    # A cookie holds about 4 KB: shorten the texts until it fits, never cut the JSON (a cut
    # JSON is no message at all).
    limit = 2000
    while True:
        payload = json.dumps({"message": _shortened(message, limit),
                              "error": _shortened(error, limit)})  # fmt: skip
        value = quote(payload)
        if len(value) <= 3800 or limit <= 50:
            break
        limit //= 2
    response.set_cookie(FLASH_COOKIE, value, max_age=60, path="/", httponly=True, samesite="strict")


def _shortened(text: str | None, limit: int) -> str | None:
    if text is None or len(text) <= limit:
        return text
    return text[: limit - 1] + "…"


def read_flash(request: Request) -> list[dict[str, str]]:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw or len(raw) > 4096:  # no cookie of ours is bigger: not ours
        return []
    try:
        data = json.loads(unquote(raw))
    except (ValueError, RecursionError):  # a crafted cookie ("[" * 1200) is no message
        return []
    out = []
    if isinstance(data, dict):
        for kind in ("error", "message"):
            if isinstance(data.get(kind), str) and data[kind]:
                out.append({"kind": kind, "text": data[kind]})
    return out


def safe_path(url: str | None, default: str = "/") -> str:
    """Only a path on this site: never ``//evil.example`` or ``https://...`` (open redirect).
    Browsers drop tabs and line breaks from a URL (``/\t/evil.example`` is ``//evil.example``
    to them) and read ``\\`` as ``/``: a path with any control character, space or backslash is
    refused whole."""
    if not url or not url.startswith("/") or url.startswith("//"):
        return default
    if any(char <= " " or char in "\\\x7f" for char in url):
        return default
    return url
