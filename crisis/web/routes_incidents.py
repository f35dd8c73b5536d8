"""The incident board (placeholder until the board lands)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from crisis.web.context import Db
from crisis.web.render import page
from crisis.web.security import User

router = APIRouter()


@router.get("/incidents", response_class=HTMLResponse, include_in_schema=False)
def incidents_page(request: Request, session: Db, user: User) -> HTMLResponse:
    return page(request, session, user, "placeholder.html.j2", {"title": "nav.incidents"})
