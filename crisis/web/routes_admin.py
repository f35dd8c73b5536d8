"""The users page (placeholder until the users page lands)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from crisis.web.context import Db
from crisis.web.render import page
from crisis.web.security import Lead

router = APIRouter()


@router.get("/users", response_class=HTMLResponse, include_in_schema=False)
def users_page(request: Request, session: Db, user: Lead) -> HTMLResponse:
    return page(request, session, user, "placeholder.html.j2", {"title": "nav.users"})
