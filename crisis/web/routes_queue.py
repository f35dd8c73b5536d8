"""The review queue pages: the list (queue order, filters, paging), one item with its history,
and the decisions as plain forms (approve, edit, reject, send), each audited with the signed-in
user's name. ``static/queue.js`` adds the keyboard fast path on top, through ``/api/queue``.

A refused reply text (empty, too long for the platform) is not thrown away: the item's page
comes back with what the user typed and the reason.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from crisis.errors import InvalidTransition, NotFound
from crisis.replies import claims, queue, sla
from crisis.web import queue_bulk, routes_claims
from crisis.web.context import Ctx, Db, Offset, RowId
from crisis.web.errors import status_for
from crisis.web.i18n import said, translator
from crisis.web.queue_data import PAGE_SIZE, filter_choices, load_detail, load_page, read_filter
from crisis.web.queue_seen import already_done, check_seen, same_text, unix_lines
from crisis.web.queue_send import send_one
from crisis.web.render import lang_of, page, redirect, safe_path
from crisis.web.routes_claims import assignees, claim_ttl
from crisis.web.security import FormUser, User

router = APIRouter(include_in_schema=False)
router.include_router(queue_bulk.router)  # /queue/clusters, /queue/send before /queue/{id}
router.include_router(routes_claims.router)
Text = Annotated[str, Form()]


@router.get("/queue", response_class=HTMLResponse)
def queue_page(
    request: Request,
    session: Db,
    ctx: Ctx,
    user: User,
    state: str = "pending",
    incident: str = "",
    service: str = "",
    platform: str = "",
    lang: str = "",
    kind: str = "",
    urgent: str = "",
    who: str = "",
    offset: Offset = 0,
) -> HTMLResponse:
    now, ttl = ctx.clock.now(), claim_ttl(ctx)
    targets = sla.Targets.from_settings(ctx.settings)
    where = read_filter(state=state, incident=incident, service=service, platform=platform,
                        lang=lang, kind=kind, urgent=urgent, who=who, user=user.name,
                        claims_from=now - ttl)  # fmt: skip
    problem, status = None, 200
    try:
        found = load_page(session, where=where, now=now, limit=PAGE_SIZE, offset=offset,
                          claim_ttl=ttl, targets=targets)  # fmt: skip
    except NotFound as exc:  # a filter value with no items: keep the filter form usable
        found, problem, status = None, str(exc), 404
    query = request.url.query
    context = {
        "found": found,
        "where": where,
        "urgent": urgent,
        "problem": problem,
        "choices": filter_choices(session, where),
        "here": request.url.path + (f"?{query}" if query else ""),
        "query": _without_offset(request),
        "who": who,
        "load": claims.load(session, now=now, ttl=ttl),
        "waiting": sla.queue_status(session, targets, now=now),
    }
    return page(request, session, user, "queue.html.j2", context, status_code=status)


@router.get("/queue/{item_id}", response_class=HTMLResponse)
def item_page(
    request: Request, session: Db, ctx: Ctx, user: User, item_id: RowId, back: str = "/queue"
) -> HTMLResponse:
    """One item; opening a pending one claims it for the user unless someone else has it."""
    claims.claim(session, item_id, user=user.name, now=ctx.clock.now(), ttl=claim_ttl(ctx))
    return _item_page(request, session, ctx, user, item_id, back=back)


@router.post("/queue/{item_id}/approve")
def approve(
    request: Request,
    session: Db,
    ctx: Ctx,
    user: FormUser,
    item_id: RowId,
    text: Text = "",
    original: Annotated[str | None, Form()] = None,
    seen_state: Text = "",
    force: Annotated[bool, Form()] = False,
    next: Text = "/queue",
) -> Response:
    """Approve; a changed text is approved as the user's own wording (edit and approve).
    ``original`` and ``seen_state`` are what the page showed: an item changed since is refused."""
    text = unix_lines(text)
    changed = original is None or not same_text(text, original)
    wording = (text or None) if original is None else (text if changed else None)
    done = _t(request, user)("queue.done_approved", id=item_id)
    if already_done(session, item_id, state="approved", actor=user.name, text=wording or original):
        return redirect(next, message=done)
    try:
        check_seen(session, item_id, state=seen_state, text=original)
        queue.approve(session, item_id, actor=user.name, now=ctx.clock.now(), text=wording,
                      force=force)  # fmt: skip
    except InvalidTransition as exc:  # refused before anything changed: the typed text stays
        draft = text if changed else None
        return _item_page(request, session, ctx, user, item_id, back=next, draft=draft, error=exc)
    return redirect(next, message=done)


@router.post("/queue/{item_id}/edit")
def edit(
    request: Request,
    session: Db,
    ctx: Ctx,
    user: FormUser,
    item_id: RowId,
    text: Text = "",
    original: Annotated[str | None, Form()] = None,
    seen_state: Text = "",
    next: Text = "/queue",
) -> Response:
    text = unix_lines(text)
    try:
        check_seen(session, item_id, state=seen_state, text=original)
        queue.edit(session, item_id, text=text, actor=user.name, now=ctx.clock.now())
    except InvalidTransition as exc:  # refused before anything changed: the typed text stays
        return _item_page(request, session, ctx, user, item_id, back=next, draft=text, error=exc)
    return redirect(next, message=_t(request, user)("queue.done_edited", id=item_id))


@router.post("/queue/{item_id}/reject")
def reject(
    request: Request,
    session: Db,
    ctx: Ctx,
    user: FormUser,
    item_id: RowId,
    reason: Text = "",
    seen_state: Text = "",
    next: Text = "/queue",
) -> Response:
    done = _t(request, user)("queue.done_rejected", id=item_id)
    if already_done(session, item_id, state="rejected", actor=user.name):
        return redirect(next, message=done)
    check_seen(session, item_id, state=seen_state)
    queue.reject(session, item_id, actor=user.name, now=ctx.clock.now(),
                 reason=reason.strip() or None)  # fmt: skip
    return redirect(next, message=done)


@router.post("/queue/{item_id}/send")
def send(
    request: Request,
    session: Db,
    ctx: Ctx,
    user: FormUser,
    item_id: RowId,
    text: Annotated[str | None, Form()] = None,
    original: Annotated[str | None, Form()] = None,
    next: Text = "/queue",
) -> Response:
    """Send now (no request transaction is held across the platform call). A reply box the
    user changed is not sent as if it were approved: they save (or undo) it first."""
    t = _t(request, user)
    if text is not None and original is not None and not same_text(text, original):
        refused = InvalidTransition(f"review item {item_id}", "approved", "sent",
                                    t("queue.send_unsaved", id=item_id))  # fmt: skip
        return _item_page(request, session, ctx, user, item_id, back=next,
                          draft=unix_lines(text), error=refused)  # fmt: skip
    outcome = send_one(ctx.engine, ctx.settings, item_id, actor=user.name, clock=ctx.clock)
    if outcome.state == "sent":
        return redirect(next, message=t("queue.done_sent", id=item_id))
    why = t(f"queue.send_{outcome.state}", id=item_id)
    return redirect(next, error=f"{why} {outcome.error or ''}".strip())


def _item_page(
    request: Request,
    session: Db,
    ctx: Ctx,
    user: User,
    item_id: RowId,
    *,
    back: str,
    draft: str | None = None,
    error: Exception | None = None,
) -> HTMLResponse:
    detail = load_detail(session, item_id, now=ctx.clock.now(), claim_ttl=claim_ttl(ctx))
    context = {
        "assignees": assignees(session) if user.is_lead else [],
        "detail": detail,
        "row": detail.row,
        "draft": draft,
        "problem": said(error, lang_of(request, user)) if error else None,
        "back": safe_path(back, "/queue"),
        "here": request.url.path,
    }
    status = 200 if error is None else status_for(error)
    return page(request, session, user, "queue_item.html.j2", context, status_code=status)


def _t(request: Request, user: User) -> queue_bulk.Translate:
    return translator(lang_of(request, user))


def _without_offset(request: Request) -> str:
    """The list's query string without its offset, for the paging links."""
    from urllib.parse import urlencode

    kept = [(k, v) for k, v in request.query_params.multi_items() if k != "offset" and v]
    return urlencode(kept)
