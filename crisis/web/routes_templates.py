"""The reply templates page (leads): every language's wordings, each shown as the responder
would write it for an incident's facts (a chosen incident, or sample facts), and edited.

The previews come from the configured responder itself (``reply_setup``), so what a lead reads
here is what the queue will suggest: same template engine, same shortening for X, same
rotation names (``de/outage_incident#2``). With ``CRISIS_TEMPLATES_DIR`` set, a lead edits a
wording here: it is saved only if every wording of its situation still renders with sample
facts (``registry.save_reply_wording``), and the edit is audited with the old and new text.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from crisis import audit, incidents
from crisis.accounts import SignedIn
from crisis.domain import CommentView, IncidentFacts, Labels, Sentiment, Service
from crisis.errors import TemplateError
from crisis.protocols import Responder
from crisis.registry import (
    reply_setup,
    reply_wordings,
    reset_reply_situation,
    save_reply_wording,
)
from crisis.web.context import Ctx, Db, WebContext
from crisis.web.i18n import translator
from crisis.web.render import lang_of, page, redirect
from crisis.web.security import FormLead, Lead

router = APIRouter()
Text = Annotated[str, Form()]
SITUATIONS = (
    "outage_suspected",
    "outage_incident",
    "outage_monitoring",
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
    number: int  # 2
    source: str | None  # the wording as written in the team's file, when it can be read


@dataclass(frozen=True, slots=True)
class Draft:
    """A wording a lead typed that was refused: shown again with the reason, never lost."""

    lang: str
    situation: str
    number: int
    text: str
    error: str


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
    return _page(request, ctx, session, user, incident=incident, platform=platform,
                 negative=negative)  # fmt: skip


@router.post("/templates/wording", include_in_schema=False)
def save_wording(
    request: Request,
    ctx: Ctx,
    session: Db,
    user: FormLead,
    lang: Text,
    situation: Text,
    number: Annotated[int, Form()],
    text: Text = "",
) -> Response:
    name = f"{lang}/{situation}#{number}"
    try:
        before = save_reply_wording(
            ctx.settings, lang=lang, situation=situation, number=number, text=text
        )
    except TemplateError as exc:  # nothing was saved: show the text again beside the reason
        draft = Draft(lang, situation, number, text, str(exc))
        return _page(request, ctx, session, user, draft=draft, status_code=422)
    audit.record(
        session, at=ctx.clock.now(), actor=user.name, action="template.wording_set",
        entity="template", entity_id=name, details={"before": before, "after": text.strip()},
    )  # fmt: skip
    t = translator(lang_of(request, user))
    return redirect(f"/templates#{lang}-{situation}", message=t("admin.wording_saved", name=name))


@router.post("/templates/reset", include_in_schema=False)
def reset_situation(
    request: Request, ctx: Ctx, session: Db, user: FormLead, lang: Text, situation: Text
) -> Response:
    dropped = reset_reply_situation(ctx.settings, lang=lang, situation=situation)
    audit.record(
        session, at=ctx.clock.now(), actor=user.name, action="template.situation_reset",
        entity="template", entity_id=f"{lang}/{situation}", details={"dropped": dropped},
    )  # fmt: skip
    t = translator(lang_of(request, user))
    message = t("admin.situation_reset", name=f"{lang}/{situation}")
    return redirect(f"/templates#{lang}-{situation}", message=message)


def _page(
    request: Request,
    ctx: WebContext,
    session: Session,
    user: SignedIn,
    *,
    incident: int | None = None,
    platform: str = "facebook",
    negative: bool = True,
    draft: Draft | None = None,
    status_code: int = 200,
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
    sources, edited = reply_wordings(ctx.settings)
    responder = reply_setup(ctx.settings).responder
    previews = {
        lang: {
            situation: found
            for situation in SITUATIONS
            if (
                found := _previews(
                    responder,
                    lang,
                    situation,
                    facts,
                    platform,
                    negative,
                    sources.get(lang, {}).get(situation, []),
                )
            )  # fmt: skip
        }
        for lang in sorted(responder.languages)
    }
    return page(
        request, session, user, "templates.html.j2",
        {"previews": previews, "facts": facts, "incident": chosen, "platform": platform,
         "platforms": PLATFORMS, "negative": negative, "author": SAMPLE_AUTHOR,
         "incidents": incidents.list_incidents(session)[-50:][::-1],
         "responder": ctx.settings.responder, "edited": edited, "draft": draft,
         "editable": ctx.settings.templates_dir is not None},
        status_code=status_code,
    )  # fmt: skip


def _previews(
    responder: Responder,
    lang: str,
    situation: str,
    facts: IncidentFacts,
    platform: str,
    negative: bool,
    sources: list[str],
) -> list[Preview]:
    """Each wording of ``situation`` as the responder writes it: comment ids are tried until
    the rotation has picked every wording."""
    if situation == "resolved_follow_up" and facts.status != "resolved":
        # as crisis.incidents.facts says it once resolved: the outage-time text and ETA are stale
        facts = replace(facts, status="resolved", public_status=None, eta=None)
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
        Preview(name, text, _number(name), _source_of(name, sources))
        for name, text in sorted(found.items(), key=lambda item: _number(item[0]))
    ]


def _number(name: str) -> int:
    number = name.rpartition("#")[2]
    return int(number) if number.isdigit() else 0


def _source_of(name: str, sources: list[str]) -> str | None:
    number = _number(name)
    return sources[number - 1] if 0 < number <= len(sources) else None
