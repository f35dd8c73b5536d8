"""Our errors as HTTP answers, decided in one place.

``STATUS`` maps each class of the error tree (``crisis.errors``) to its status; the API answers
``{"error", "kind"}`` with it, a page form goes back where it came from with the message on top,
and a page that cannot be shown says why in the user's language. Routes that show a refusal on
their own form ask ``status_for`` rather than deciding a number again.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException

from crisis.errors import (
    AccountError,
    BadRecord,
    ConfigError,
    CrisisError,
    Forbidden,
    InvalidReply,
    InvalidTransition,
    NotFound,
    NotSignedIn,
    SpotCheckMissing,
    TemplateError,
    UnknownName,
)
from crisis.web.i18n import said
from crisis.web.render import lang_of, page, redirect, safe_path
from crisis.web.security import optional_user


def install(app: FastAPI) -> None:
    app.add_exception_handler(CrisisError, _crisis_error)
    app.add_exception_handler(DataError, _out_of_range)
    app.add_exception_handler(OverflowError, _out_of_range)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)


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
        # "error" stays the English sentence integrations match on; "message", where the
        # catalogs have the error, says it for people (the page scripts show it) in their language
        body = {"error": str(exc), "kind": type(exc).__name__}
        if isinstance(exc, InvalidTransition) and exc.current:
            body["state"] = exc.current  # what it is now: the decision that won
        if getattr(exc, "key", None) and not isinstance(exc, NotSignedIn):
            body["message"] = _said(request, exc)
        return JSONResponse(body, status_code=code)
    if isinstance(exc, NotSignedIn):
        wanted = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        target = "/login" if request.method != "GET" else f"/login?next={_quoted(wanted)}"
        return redirect(target)
    message = _said(request, exc)
    if request.method == "POST" and not isinstance(exc, Forbidden):
        return redirect(_back(request), error=message)
    return _error_page(request, code, message)


async def _out_of_range(request: Request, exc: Exception) -> Response:
    """A value the database cannot hold (a number beyond its integers) that got past the
    routes' own bounds: the input is wrong (422), not the server."""
    return await _crisis_error(request, BadRecord("input", "a number out of range"))


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


def _said(request: Request, exc: Exception) -> str:
    """The error in the signed-in user's language (see ``i18n.said``)."""
    if not hasattr(request.state, "user"):
        optional_user(request, request.app.state.ctx)
    return said(exc, lang_of(request, request.state.user))


def _back(request: Request) -> str:
    """The page the form came from (same site only), for the error message."""
    referer = request.headers.get("referer", "")
    base = str(request.base_url).rstrip("/")
    if referer.startswith(base + "/"):
        return safe_path(referer[len(base) :])
    return "/"


def _quoted(path: str) -> str:
    return quote(path, safe="/")
