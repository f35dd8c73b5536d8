"""The reply templates page (leads): every language's wordings, each shown as the responder
would write it for an incident's facts (a chosen incident, or sample facts).

The previews come from the configured responder itself (``reply_setup``), so what a lead reads
here is what the queue will suggest: same template engine, same shortening for X, same
rotation names (``de/outage_incident#2``). Wordings are edited in the team's TOML files; this
page shows their source next to the result.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from datetime import timedelta
from importlib import resources
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from crisis import incidents
from crisis.domain import CommentView, IncidentFacts, Labels, Sentiment, Service
from crisis.protocols import Responder
from crisis.registry import reply_setup
from crisis.web.context import Ctx, Db
from crisis.web.render import page
from crisis.web.security import Lead

router = APIRouter()
SITUATIONS = (
    "outage_incident",
    "outage_no_incident",
    "complaint",
    "resolved_follow_up",
    "question",
    "praise",
)
PLATFORMS = ("facebook", "x")
SAMPLE_AUTHOR = "Sabine K."
SAMPLE_STATUS = "Ein Sendemast in Berlin-Mitte ist ausgefallen, das Technik-Team ist vor Ort."
TRIES = 64  # comment ids tried per situation: the rotation reaches every wording well before


@dataclass(frozen=True, slots=True)
class Preview:
    name: str  # "de/outage_incident#2"
    text: str
    source: str | None  # the wording as written in the team's file, when it can be read


@router.get("/templates", response_class=HTMLResponse, include_in_schema=False)
def templates_page(
    request: Request,
    ctx: Ctx,
    session: Db,
    user: Lead,
    incident: int | None = None,
    platform: str = "facebook",
    negative: bool = True,
) -> HTMLResponse:
    platform = platform if platform in PLATFORMS else "facebook"
    chosen = incidents.get_incident(session, incident) if incident is not None else None
    if chosen is not None:
        facts = incidents.facts(chosen, status_url=ctx.settings.status_url)
    else:
        facts = IncidentFacts(
            id=0, service=Service.MOBILE, regions=("Berlin", "Hamburg", "München", "Köln"),
            status="identified", public_status=SAMPLE_STATUS,
            eta=ctx.clock.now() + timedelta(hours=3),
            status_url=ctx.settings.status_url or "https://status.example/",
        )  # fmt: skip
    responder = reply_setup(ctx.settings).responder
    languages = sorted(responder.languages)
    previews = {
        lang: {
            situation: found
            for situation in SITUATIONS
            if (found := _previews(responder, lang, situation, facts, platform, negative))
        }
        for lang in languages
    }
    return page(
        request, session, user, "templates.html.j2",
        {"previews": previews, "facts": facts, "incident": chosen, "platform": platform,
         "platforms": PLATFORMS, "negative": negative, "author": SAMPLE_AUTHOR,
         "incidents": incidents.list_incidents(session)[-50:][::-1],
         "responder": ctx.settings.responder},
    )  # fmt: skip


def _previews(
    responder: Responder,
    lang: str,
    situation: str,
    facts: IncidentFacts,
    platform: str,
    negative: bool,
) -> list[Preview]:
    """Each wording of ``situation`` as the responder writes it: comment ids are tried until
    the rotation has picked every wording."""
    if situation == "resolved_follow_up" and facts.status != "resolved":
        facts = replace(facts, status="resolved")
    sources = _sources(lang).get(situation, [])
    labels = Labels(
        model="preview", is_complaint=situation not in ("question", "praise"), complaint_score=1.0,
        service=facts.service,
        sentiment=Sentiment.NEGATIVE if negative else Sentiment.NEUTRAL, lang=lang,
    )  # fmt: skip
    found: dict[str, str] = {}
    for comment_id in range(1, TRIES + 1):
        comment = CommentView(comment_id, platform, SAMPLE_AUTHOR, "", lang)
        suggestion = responder.respond(comment, labels, facts, situation=situation)
        if suggestion is None:
            return []
        found.setdefault(suggestion.template, suggestion.text)
        if sources and len(found) == len(sources):
            break
    return [
        Preview(name, text, _source_of(name, sources))
        for name, text in sorted(found.items(), key=lambda item: _number(item[0]))
    ]


def _number(name: str) -> int:
    number = name.rpartition("#")[2]
    return int(number) if number.isdigit() else 0


def _source_of(name: str, sources: list[str]) -> str | None:
    number = _number(name)
    return sources[number - 1] if 0 < number <= len(sources) else None


def _sources(lang: str) -> dict[str, list[str]]:
    """The wordings as the team wrote them in the packaged ``responders/templates/<lang>.toml``
    (read as data; empty when the file is not there)."""
    try:
        text = (resources.files("responders") / "templates" / f"{lang}.toml").read_text("utf-8")
        data: dict[str, Any] = tomllib.loads(text)
    except (OSError, ModuleNotFoundError, tomllib.TOMLDecodeError):
        return {}
    return {
        key: [str(w) for w in table.get("wordings", [])]
        for key, table in data.items()
        if isinstance(table, dict) and isinstance(table.get("wordings"), list)
    }
