"""Who works on what, in the web app: give up a claim, and (leads) assign an item or a whole
cluster of an incident to someone. Opening an item claims it (``routes_queue.item_page``);
the rules live in ``crisis.replies.claims``."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlmodel import Session

from crisis import accounts
from crisis.replies import claims
from crisis.web.context import Ctx, Db, WebContext
from crisis.web.i18n import translator
from crisis.web.render import lang_of, redirect
from crisis.web.security import FormLead, FormUser

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]


def claim_ttl(ctx: WebContext) -> timedelta:
    return timedelta(minutes=ctx.settings.claim_minutes)


def assignees(session: Session) -> list[str]:
    """Who a lead may assign items to: every enabled user."""
    return [u.name for u in accounts.list_users(session) if u.disabled_at is None]


@router.post("/queue/{item_id}/release")
def release(
    request: Request, session: Db, user: FormUser, item_id: int, next: Text = "/queue"
) -> Response:
    claims.release(session, item_id, user=user.name)
    return redirect(next, message=translator(lang_of(request, user))("queue.released", id=item_id))


@router.post("/queue/{item_id}/assign")
def assign(
    request: Request,
    session: Db,
    ctx: Ctx,
    user: FormLead,
    item_id: int,
    to: Text = "",
    next: Text = "",
) -> Response:
    t = translator(lang_of(request, user))
    claims.assign(session, [item_id], to=_known(session, to), actor=user.name,
                  now=ctx.clock.now())  # fmt: skip
    message = t("queue.assigned", count=1, name=to) if to else t("queue.unassigned_done", count=1)
    return redirect(next or f"/queue/{item_id}", message=message)


@router.post("/queue/assign-cluster")
def assign_cluster(
    request: Request,
    session: Db,
    ctx: Ctx,
    user: FormLead,
    incident_id: Annotated[int, Form()],
    to: Text,
    lang: Text = "",
    kind: Text = "",
    situation: Text = "",
    next: Text = "/queue/clusters",
) -> Response:
    """Assign the pending items of an incident (one kind, language, situation: a cluster)."""
    ids = claims.cluster_ids(
        session,
        incident_id=incident_id,
        kind=kind,
        lang=lang,
        situation=situation,
        templated=bool(situation),
    )
    changed = claims.assign(session, ids, to=_known(session, to), actor=user.name,
                            now=ctx.clock.now())  # fmt: skip
    t = translator(lang_of(request, user))
    return redirect(next, message=t("queue.assigned", count=len(changed), name=to))


def _known(session: Session, name: str) -> str | None:
    """``name`` if it is an enabled user; blank takes an assignment back."""
    if not name.strip():
        return None
    return accounts.get_user(session, name.strip()).name
