"""Signing in and out, and the interface language."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from crisis import accounts, db
from crisis.web.context import Ctx
from crisis.web.i18n import translator
from crisis.web.render import lang_of, page, redirect, safe_path
from crisis.web.security import (
    FormUser,
    clear_session_cookie,
    optional_user,
    session_token,
    set_session_cookie,
    throttle_keys,
)

router = APIRouter()


@router.get("/", include_in_schema=False)
def home(request: Request, ctx: Ctx) -> Response:
    user = optional_user(request, ctx)
    return redirect("/queue" if user else "/login")


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> Response:
    return redirect("/static/favicon.svg")


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_form(request: Request, ctx: Ctx, next: str = "/queue") -> Response:
    with db.session_scope(ctx.engine) as session:
        nobody = not accounts.has_users(session)
    return page(request, None, None, "login.html.j2", {"next": safe_path(next, "/queue"),
                                                        "nobody": nobody})  # fmt: skip


@router.post("/login", include_in_schema=False)
def login(
    request: Request,
    ctx: Ctx,
    name: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/queue",
) -> Response:
    t = translator(lang_of(request, None))
    throttle = request.app.state.throttle
    keys = throttle_keys(name, request)
    wait = throttle.wait_seconds(*keys)
    if wait:
        return _login_again(request, next, t("auth.throttled", seconds=wait), 429)
    with db.session_scope(ctx.engine) as session:
        user = accounts.authenticate(session, name, password, now=ctx.clock.now())
        token = None
        if user is not None:
            # Signing in again (or as someone else, on a shared screen) ends the session this
            # browser had: its old cookie must not keep working wherever a copy of it went.
            if old := session_token(request, ctx):
                accounts.end_session(session, old, now=ctx.clock.now())
            lifetime = timedelta(hours=ctx.settings.web_session_hours)
            token = accounts.start_session(session, user, now=ctx.clock.now(), lifetime=lifetime)
    if token is None:
        throttle.failed(*keys)
        return _login_again(request, next, t("auth.wrong"), 401)
    throttle.succeeded(keys[0])
    response = redirect(safe_path(next, "/queue"))
    set_session_cookie(response, request, ctx, token)
    return response


@router.post("/logout", include_in_schema=False)
def logout(request: Request, ctx: Ctx, user: FormUser) -> Response:
    token = session_token(request, ctx)
    if token:
        with db.session_scope(ctx.engine) as session:
            accounts.end_session(session, token, now=ctx.clock.now())
    response = redirect("/login")
    clear_session_cookie(response, request, ctx)
    return response


@router.post("/lang", include_in_schema=False)
def choose_lang(
    ctx: Ctx,
    user: FormUser,
    lang: Annotated[str, Form()],
    back: Annotated[str, Form()] = "/",
) -> Response:
    with db.session_scope(ctx.engine) as session:
        accounts.set_lang(session, user.user_id, lang)
    return redirect(safe_path(back))


def _login_again(request: Request, next: str, error: str, status: int) -> Response:
    return page(
        request, None, None, "login.html.j2",
        {"next": safe_path(next, "/queue"), "nobody": False, "error": error},
        status_code=status,
    )  # fmt: skip
