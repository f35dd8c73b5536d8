"""``/sla``: the first-response targets and how the team meets them, per agent and per
incident, with the queue's waiting items per priority (``crisis.replies.sla``)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from crisis.replies import sla
from crisis.web.context import Ctx, Db
from crisis.web.render import page
from crisis.web.security import User

router = APIRouter(include_in_schema=False)


@router.get("/sla", response_class=HTMLResponse)
def sla_page(request: Request, session: Db, ctx: Ctx, user: User) -> HTMLResponse:
    now = ctx.clock.now()
    targets = sla.Targets.from_settings(ctx.settings)
    context = {
        "targets": targets,
        "waiting": sla.queue_status(session, targets, now=now),
        "agents": sla.by_agent(session, targets, now=now),
        "incidents": sla.by_incident(session, targets, now=now),
    }
    return page(request, session, user, "sla.html.j2", context)
