"""The incident board: open incidents as cards, recently resolved ones, and each incident's
page (its card in words, pending replies as they read now, held posts, history). Leads open,
update and resolve incidents with plain forms; each change re-writes the queue as the CLI does
and says what it did.

A refused change (a move the lifecycle does not allow, an ETA in the past, no reason) rolls
back and shows the page again with the message and what the lead typed, so nothing is lost.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from crisis import incidents
from crisis.accounts import SignedIn
from crisis.domain import Service
from crisis.errors import BadRecord, InvalidTransition
from crisis.states import OPEN_INCIDENT_STATES
from crisis.web import incident_actions as actions
from crisis.web import incident_input as read
from crisis.web import incident_views as views
from crisis.web.context import Ctx, Db, RowId, web_context
from crisis.web.errors import status_for
from crisis.web.i18n import said, translator
from crisis.web.render import lang_of, page, redirect
from crisis.web.security import FormLead, User

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]
OptionalText = Annotated[str | None, Form()]
Refused = (BadRecord, InvalidTransition)  # said on the form; everything else: the app's handler


@router.get("/incidents", response_class=HTMLResponse)
def board_page(request: Request, session: Db, user: User) -> HTMLResponse:
    return _board(request, session, user)


@router.get("/incidents/{incident_id}", response_class=HTMLResponse)
def incident_page(request: Request, session: Db, user: User, incident_id: RowId) -> HTMLResponse:
    return _detail(request, session, user, incident_id)


@router.post("/incidents", response_model=None)
def open_incident(
    request: Request,
    session: Db,
    ctx: Ctx,
    user: FormLead,
    service: Text = "",
    regions: Text = "",
    status: Text = "investigating",
    public_status: Text = "",
    eta: Text = "",
    eta_in: Text = "",
    reason: Text = "",
    separate: Text = "",
) -> Response:
    t = translator(lang_of(request, user))
    typed = {"service": service, "regions": regions, "status": status,
             "public_status": public_status, "eta": eta, "eta_in": eta_in,
             "reason": reason, "separate": separate}  # fmt: skip
    now = ctx.clock.now()
    try:
        outcome = actions.open_by_hand(
            session,
            ctx.settings,
            actor=user.name,
            now=now,
            service=read.service_of(service, t),
            reason=read.reason_of(reason, t),
            regions=read.regions_of(regions, t),
            status=status,
            public_status=read.public_status_of(public_status, t),
            eta=read.eta_of(eta_in.strip() or eta, now=now, t=t),
            separate=separate == "1",
            t=t,
        )
    except Refused as exc:
        session.rollback()
        return _board(
            request,
            session,
            user,
            typed=typed,
            error=said(exc, lang_of(request, user)),
            code=_code(exc),
        )
    return redirect(f"/incidents/{outcome.incident.id}", message=actions.message(outcome, t))


@router.post("/incidents/{incident_id}/update", response_model=None)
def update_incident(
    request: Request,
    session: Db,
    ctx: Ctx,
    user: FormLead,
    incident_id: RowId,
    status: Text = "",
    public_status: Text = "",
    eta: Text = "",
    eta_in: Text = "",
    regions: Text = "",
    reason: Text = "",
    eta_shown: OptionalText = None,
    public_status_shown: OptionalText = None,
    keep_approved: Text = "",
) -> Response:
    t = translator(lang_of(request, user))
    typed = {"status": status, "public_status": public_status, "eta": eta, "eta_in": eta_in,
             "regions": regions, "reason": reason, "eta_shown": eta_shown or "",
             "public_status_shown": public_status_shown or ""}  # fmt: skip
    # What the form showed and the lead left as it was is no change: sent again, it would
    # undo what another lead set since the page was loaded (and re-write every reply).
    if read.untouched(eta, eta_shown):
        eta = ""
    if read.untouched(public_status, public_status_shown):
        public_status = ""
    now = ctx.clock.now()
    try:
        current = incidents.get_incident(session, incident_id)
        outcome = actions.update(
            session,
            ctx.settings,
            incident_id,
            actor=user.name,
            now=now,
            reason=read.reason_of(reason, t),
            status=read.status_of(status),
            public_status=read.public_status_of(public_status, t),
            eta=read.eta_of(eta_in.strip() or eta, now=now, t=t, current=current.eta),
            regions=read.regions_of(regions, t),
            keep_approved=bool(keep_approved),
        )
    except Refused as exc:
        session.rollback()
        return _detail(request, session, user, incident_id, form="update", typed=typed,
                       error=said(exc, lang_of(request, user)), code=_code(exc))  # fmt: skip
    return redirect(f"/incidents/{incident_id}", message=actions.message(outcome, t))


@router.post("/incidents/{incident_id}/resolve", response_model=None)
def resolve_incident(
    request: Request,
    session: Db,
    ctx: Ctx,
    user: FormLead,
    incident_id: RowId,
    public_status: Text = "",
    reason: Text = "",
) -> Response:
    t = translator(lang_of(request, user))
    typed = {"public_status": public_status, "reason": reason}
    try:
        outcome = actions.resolve(
            session,
            ctx.settings,
            incident_id,
            actor=user.name,
            now=ctx.clock.now(),
            reason=read.reason_of(reason, t),
            public_status=read.public_status_of(public_status, t),
        )
    except Refused as exc:
        session.rollback()
        return _detail(request, session, user, incident_id, form="resolve", typed=typed,
                       error=said(exc, lang_of(request, user)), code=_code(exc))  # fmt: skip
    return redirect(f"/incidents/{incident_id}", message=actions.message(outcome, t))


def _board(
    request: Request,
    session: Session,
    user: SignedIn,
    *,
    typed: dict[str, str] | None = None,
    error: str | None = None,
    code: int = 200,
) -> HTMLResponse:
    open_rows, resolved_rows = views.board(session)
    now = web_context(request).clock.now()
    form = {"service": "", "regions": "", "status": "investigating", "public_status": "",
            "eta": "", "eta_in": "", "reason": "", "separate": ""}  # fmt: skip
    form.update(typed or {})
    context: dict[str, Any] = {
        "open_rows": open_rows,
        "duration": views.duration,
        "eta_passed": lambda incident: views.eta_passed(incident, now),
        "resolved_rows": resolved_rows,
        "services": [s.value for s in Service],
        "open_states": [s for s in OPEN_INCIDENT_STATES if s != "suspected"],
        "form": form,
        "form_error": error,
    }
    return page(request, session, user, "incidents.html.j2", context, status_code=code)


def _detail(
    request: Request,
    session: Session,
    user: SignedIn,
    incident_id: RowId,
    *,
    form: str | None = None,
    typed: dict[str, str] | None = None,
    error: str | None = None,
    code: int = 200,
) -> HTMLResponse:
    shown = views.detail(session, incident_id)
    now = web_context(request).clock.now()
    incident = shown.row.incident
    shown_eta, shown_text = read.local_input(incident.eta), incident.public_status or ""
    update = {"status": "", "public_status": shown_text, "eta": shown_eta, "eta_in": "",
              "regions": "", "reason": "", "eta_shown": shown_eta,
              "public_status_shown": shown_text}  # fmt: skip
    resolve = {"public_status": "", "reason": ""}
    if form == "update":
        update.update(typed or {})
    elif form == "resolve":
        resolve.update(typed or {})
    context: dict[str, Any] = {
        "d": shown,
        "incident": incident,
        "update": update,
        "resolve": resolve,
        "failed_form": form,
        "eta_passed": lambda incident: views.eta_passed(incident, now),
        "held_all": actions.held_count(session),
        "form_error": error,
        "change_lines": views.change_lines,
        "num": lambda value: views.number(value, lang_of(request, user)),
        "labelled": {*actions.FIELDS, "service", "previous_incident_id"},
    }
    return page(request, session, user, "incident.html.j2", context, status_code=code)


def _code(exc: Exception) -> int:
    return status_for(exc)
