"""Builds the web app: the routers of each area, static files, error pages, security headers.

``create_app`` takes the engine and the clock, so tests and ``crisis serve`` build the same app
over a SQLite file, PostgreSQL, or a clock that stands still.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from starlette.exceptions import HTTPException

from crisis import db
from crisis.accounts import AccountError
from crisis.bulk import SpotCheckMissing
from crisis.clock import SystemClock
from crisis.errors import (
    BadRecord,
    ConfigError,
    CrisisError,
    InvalidReply,
    InvalidTransition,
    NotFound,
    TemplateError,
    UnknownName,
)
from crisis.protocols import Clock
from crisis.settings import Settings
from crisis.web import (
    api_docs,
    api_incidents,
    api_posts,
    api_queue,
    routes_account,
    routes_admin,
    routes_auth,
    routes_incidents,
    routes_posts,
    routes_queue,
    routes_reports,
    routes_templates,
)
from crisis.web.context import WebContext
from crisis.web.render import page, redirect, safe_path
from crisis.web.security import (
    Forbidden,
    NotSignedIn,
    SecurityHeaders,
    SignInThrottle,
    optional_user,
)


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
                   routes_account, routes_templates):  # fmt: skip
        app.include_router(module.router)
    app.include_router(routes_reports.router)
    for module in (api_queue, api_incidents, api_posts):
        app.include_router(module.router, prefix="/api")
    app.include_router(api_docs.router)
    _openapi = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = api_docs.describe_errors_and_auth(_openapi())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    app.add_exception_handler(CrisisError, _crisis_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    return app


STATUS: list[tuple[type[Exception], int]] = [
    (NotSignedIn, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (InvalidReply, 422),  # the text itself is wrong (empty, too long): not a state conflict
    (InvalidTransition, 409),
    (BadRecord, 422),
    (SpotCheckMissing, 422),
    (UnknownName, 422),
    (AccountError, 422),
    (TemplateError, 422),
    (ConfigError, 503),
]


def status_for(exc: Exception) -> int:
    return next((code for kind, code in STATUS if isinstance(exc, kind)), 400)


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/api"


async def _crisis_error(request: Request, exc: Exception) -> Response:
    """Our errors, in the user's words: JSON for the API; for pages, back to where the form
    was with the message on top (nothing was changed: the transaction rolled back)."""
    code = status_for(exc)
    if _is_api(request):
        return JSONResponse({"error": str(exc), "kind": type(exc).__name__}, status_code=code)
    if isinstance(exc, NotSignedIn):
        wanted = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        target = "/login" if request.method != "GET" else f"/login?next={_quoted(wanted)}"
        return redirect(target)
    if request.method == "POST" and not isinstance(exc, Forbidden):
        return redirect(_back(request), error=str(exc))
    return _error_page(request, code, str(exc))


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    problems = "; ".join(
        f"{'.'.join(str(p) for p in e.get('loc', ())[1:]) or 'input'}: {e.get('msg')}"
        for e in exc.errors()
    )
    if _is_api(request):
        return JSONResponse({"error": problems, "kind": "BadRecord"}, status_code=422)
    if request.method == "POST":
        return redirect(_back(request), error=problems)
    return _error_page(request, 422, problems)


async def _http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own refusals (no such page, wrong method) in the app's shape: the API's
    ``{"error", "kind"}``, or the error page."""
    assert isinstance(exc, HTTPException)
    kind = {404: "NotFound", 405: "MethodNotAllowed"}.get(exc.status_code, "HTTPError")
    if _is_api(request):
        return JSONResponse({"error": str(exc.detail), "kind": kind},
                            status_code=exc.status_code, headers=exc.headers)  # fmt: skip
    return _error_page(request, exc.status_code, str(exc.detail))


def _error_page(request: Request, code: int, error: str) -> Response:
    """The error in the signed-in user's language, with the navigation to go on from there."""
    if not hasattr(request.state, "user"):  # no route ran (no such page): look it up now
        optional_user(request, request.app.state.ctx)
    user = request.state.user
    return page(request, None, user, "error.html.j2", {"code": code, "error": error},
                status_code=code)  # fmt: skip


def _back(request: Request) -> str:
    """The page the form came from (same site only), for the error message."""
    referer = request.headers.get("referer", "")
    base = str(request.base_url).rstrip("/")
    if referer.startswith(base + "/"):
        return safe_path(referer[len(base) :])
    return "/"


def _quoted(path: str) -> str:
    from urllib.parse import quote

    return quote(path, safe="/")
