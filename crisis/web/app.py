"""Builds the web app: the routers of each area, static files, error pages, security headers.

``create_app`` takes the engine and the clock, so tests and ``crisis serve`` build the same app
over a SQLite file, PostgreSQL, or a clock that stands still.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

from crisis import db
from crisis.clock import SystemClock
from crisis.protocols import Clock
from crisis.settings import Settings
from crisis.web import (
    api_docs,
    api_incidents,
    api_noc,
    api_posts,
    api_queue,
    errors,
    routes_account,
    routes_admin,
    routes_auth,
    routes_health,
    routes_incidents,
    routes_posts,
    routes_queue,
    routes_reports,
    routes_sla,
    routes_templates,
)
from crisis.web.context import WebContext
from crisis.web.security import SecurityHeaders, SignInThrottle


def create_app(
    settings: Settings, *, engine: Engine | None = None, clock: Clock | None = None
) -> FastAPI:
    app = FastAPI(
        title="crisis",
        summary="The social team's review queue, incidents and held posts, as a JSON API.",
        description=(
            "Sign in with an API token (`crisis users token NAME --label ...`) as "
            "`Authorization: Bearer TOKEN`, or with the web app's session cookie plus its CSRF "
            "token in `X-CSRF-Token`. Every change is audited with the user's name."
        ),
        openapi_url="/api/openapi.json",
        docs_url=None,  # Swagger UI needs a CDN and inline script: see api_docs
        redoc_url=None,
    )
    app.state.ctx = WebContext(
        settings=settings,
        engine=engine or db.make_engine(settings.database_url),
        clock=clock or SystemClock(),
    )
    app.state.throttle = SignInThrottle()
    app.add_middleware(SecurityHeaders)
    static = resources.files("crisis.web") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    for module in (routes_auth, routes_queue, routes_incidents, routes_posts, routes_admin,
                   routes_account, routes_templates, routes_sla):  # fmt: skip
        app.include_router(module.router)
    app.include_router(routes_reports.router)
    for module in (api_queue, api_incidents, api_posts, api_noc):
        app.include_router(module.router, prefix="/api")
    app.include_router(api_docs.router)
    app.include_router(routes_health.router)
    _openapi = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = api_docs.describe_errors_and_auth(_openapi())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    errors.install(app)
    return app
