"""What every request handler needs: the database, the settings and the clock."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Path, Query, Request
from sqlalchemy import Engine
from sqlmodel import Session

from crisis import db
from crisis.protocols import Clock
from crisis.settings import Settings


@dataclass(frozen=True, slots=True)
class WebContext:
    settings: Settings
    engine: Engine
    clock: Clock


def web_context(request: Request) -> WebContext:
    ctx: WebContext = request.app.state.ctx
    return ctx


def db_session(ctx: Annotated[WebContext, Depends(web_context)]) -> Iterator[Session]:
    """One transaction per request: committed when the handler returns, rolled back if it
    raises (an error leaves nothing half-done)."""
    with db.session_scope(ctx.engine) as session:
        yield session


Ctx = Annotated[WebContext, Depends(web_context)]
# "function": committed before the response goes out, so the page a redirect leads to sees it
Db = Annotated[Session, Depends(db_session, scope="function")]

# Ids are PostgreSQL integers: a number beyond them names nothing, and the database would
# refuse to even compare it (a 500). Path and query numbers are bounded here: 422.
MAX_ID = 2**31 - 1
RowId = Annotated[int, Path(ge=1, le=MAX_ID)]
Offset = Annotated[int, Query(ge=0, le=MAX_ID)]
