"""The users page (leads): who may sign in, as what, in which language; API tokens.

Each form calls the function ``crisis users ...`` calls (``crisis.accounts``), with the lead's
name for the audit log. The accounts module refuses what would lock the team out (demoting or
disabling the last lead); the refusal comes back as the message on top of this page.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from crisis import accounts
from crisis.errors import AccountError, BadRecord, UnknownName
from crisis.web.context import Ctx, Db
from crisis.web.i18n import said, translator
from crisis.web.render import lang_of, page, redirect
from crisis.web.security import FormLead, Lead

router = APIRouter()
Text = Annotated[str, Form()]


@router.get("/users", response_class=HTMLResponse, include_in_schema=False)
def users_page(request: Request, session: Db, user: Lead) -> HTMLResponse:
    return _users_page(request, session, user)


@router.post("/users/add", include_in_schema=False)
def add_user(
    request: Request,
    ctx: Ctx,
    session: Db,
    user: FormLead,
    name: Text = "",
    role: Text = "agent",
    lang: Text = "de",
    password: Text = "",
    password_again: Text = "",
) -> Response:
    try:
        _same_twice(password, password_again)
        added = accounts.add_user(
            session, name=name, password=password, role=role, lang=lang, actor=user.name,
            now=ctx.clock.now(),
        )  # fmt: skip
    except (AccountError, BadRecord, UnknownName) as exc:
        # refused before anything was written: show the form again as typed (not the passwords)
        typed = {
            "name": name,
            "role": role,
            "lang": lang,
            "error": said(exc, lang_of(request, user)),
        }
        return _users_page(request, session, user, typed=typed, status_code=422)
    t = translator(lang_of(request, user))
    return redirect("/users", message=t("admin.added", name=added.name))


@router.post("/users/role", include_in_schema=False)
def set_role(
    request: Request, ctx: Ctx, session: Db, user: FormLead, name: Text, role: Text
) -> Response:
    accounts.set_role(session, name, role=role, actor=user.name, now=ctx.clock.now())
    t = translator(lang_of(request, user))
    message = t("admin.role_set", name=name, role=t(f"base.role_{role}"))
    return redirect("/users", message=message)


@router.post("/users/password", include_in_schema=False)
def reset_password(
    request: Request,
    ctx: Ctx,
    session: Db,
    user: FormLead,
    name: Text,
    password: Text = "",
    password_again: Text = "",
) -> Response:
    _same_twice(password, password_again)
    accounts.set_password(session, name, password=password, actor=user.name, now=ctx.clock.now())
    t = translator(lang_of(request, user))
    if name == user.name:  # one's own sessions ended too, this one included
        return redirect("/login", message=t("admin.password_set_self"))
    return redirect("/users", message=t("admin.password_set", name=name))


@router.post("/users/disable", include_in_schema=False)
def disable_user(
    request: Request, ctx: Ctx, session: Db, user: FormLead, name: Text, reason: Text = ""
) -> Response:
    if not reason.strip():
        raise BadRecord("reason", "say why (it is kept in the audit log)")
    accounts.disable_user(
        session, name, actor=user.name, now=ctx.clock.now(), reason=reason.strip()
    )
    t = translator(lang_of(request, user))
    return redirect("/users", message=t("admin.disabled_done", name=name))


@router.post("/users/enable", include_in_schema=False)
def enable_user(
    request: Request, ctx: Ctx, session: Db, user: FormLead, name: Text, reason: Text = ""
) -> Response:
    if not reason.strip():
        raise BadRecord("reason", "say why (it is kept in the audit log)")
    accounts.enable_user(session, name, actor=user.name, now=ctx.clock.now(), reason=reason.strip())
    t = translator(lang_of(request, user))
    return redirect("/users", message=t("admin.enabled_done", name=name))


@router.post("/users/token", include_in_schema=False)
def create_token(
    request: Request, ctx: Ctx, session: Db, user: FormLead, name: Text, label: Text = ""
) -> Response:
    """The new token is shown on this answer only (never stored, never in a cookie)."""
    secret = accounts.create_api_token(
        session, name, label=label, actor=user.name, now=ctx.clock.now()
    )
    created = {"name": name, "label": label.strip(), "secret": secret}
    return _users_page(request, session, user, created=created)


@router.post("/users/token/revoke", include_in_schema=False)
def revoke_token(request: Request, ctx: Ctx, session: Db, user: FormLead, token: Text) -> Response:
    revoked = accounts.revoke_api_token(session, token, actor=user.name, now=ctx.clock.now())
    t = translator(lang_of(request, user))
    return redirect("/users", message=t("admin.token_revoked", label=revoked.label))


def _users_page(
    request: Request,
    session: Session,
    user: accounts.SignedIn,
    *,
    created: dict[str, str] | None = None,
    typed: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return page(
        request, session, user, "users.html.j2",
        {"users": accounts.list_users(session), "tokens": accounts.list_api_tokens(session),
         "roles": accounts.ROLES, "langs": accounts.LANGS, "created": created,
         "min_password": accounts.MIN_PASSWORD, "typed": typed},
        status_code=status_code,
    )  # fmt: skip


def _same_twice(password: str, again: str) -> None:
    if password != again:
        raise BadRecord("password", "the two passwords differ: type the same one twice")
