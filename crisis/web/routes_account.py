"""A person's own account (any signed-in user): their password and interface language."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from crisis import accounts
from crisis.errors import AccountError, BadRecord
from crisis.web.context import Ctx, Db
from crisis.web.i18n import translator
from crisis.web.render import lang_of, page, redirect
from crisis.web.security import FormUser, User, session_token, throttle_keys

router = APIRouter()
Text = Annotated[str, Form()]


@router.get("/account", response_class=HTMLResponse, include_in_schema=False)
def account_page(request: Request, session: Db, user: User) -> HTMLResponse:
    return page(
        request, session, user, "users_account.html.j2",
        {"langs": accounts.LANGS, "min_password": accounts.MIN_PASSWORD},
    )  # fmt: skip


@router.post("/account/password", include_in_schema=False)
def change_password(
    request: Request,
    ctx: Ctx,
    session: Db,
    user: FormUser,
    current: Text = "",
    password: Text = "",
    password_again: Text = "",
) -> Response:
    """A new password for oneself; other browsers signed in as this user are signed out."""
    if password != password_again:
        raise BadRecord("password", "the two new passwords differ: type the same one twice")
    # a session left open on a shared screen must not become a way to guess the password
    throttle, keys = request.app.state.throttle, throttle_keys(user.name, request)[:2]
    if wait := throttle.wait_seconds(*keys):
        raise AccountError(f"too many wrong passwords: try again in {wait} seconds")
    try:
        accounts.change_own_password(
            session, user.name, current=current, password=password,
            keep=session_token(request, ctx), now=ctx.clock.now(),
        )  # fmt: skip
    except accounts.WrongPassword:
        throttle.failed(*keys)
        raise
    t = translator(lang_of(request, user))
    return redirect("/account", message=t("admin.own_password_changed"))
