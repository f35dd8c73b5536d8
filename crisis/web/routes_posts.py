"""The posts page: what is held and why, what is scheduled, drafts, stuck and recently published
posts; for leads, resuming held posts, freezing or unfreezing marketing by hand, and the rules
that say which posts of other scheduling tools are marketing.

Plain forms (they work without JavaScript); ``static/posts.js`` sends the same forms to the JSON
API so a refused resume leaves the form as it was.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from crisis import holds, posts
from crisis.clock import zone_label
from crisis.errors import BadRecord
from crisis.schedulers import rules
from crisis.web import posts_view
from crisis.web.context import Ctx, Db
from crisis.web.i18n import translator
from crisis.web.render import berlin, lang_of, page, redirect
from crisis.web.security import FormLead, User

router = APIRouter()
MODES = ("keep", "time", "draft")
SOURCES = ("facebook", "postiz", "buffer", "hootsuite")  # the tools crisis.schedulers holds


@router.get("/posts", response_class=HTMLResponse, include_in_schema=False)
def posts_page(request: Request, session: Db, ctx: Ctx, user: User, edit: str = "") -> HTMLResponse:
    """The posts, held first; ``edit`` opens a lead's form on that post."""
    now = ctx.clock.now()
    editing = posts.get_post(session, edit) if edit and user.is_lead else None
    return page(
        request,
        session,
        user,
        "posts.html.j2",
        {
            "board": posts_view.board(session, now=now),
            "now_input": posts_view.local_input(now),
            "editing": editing,
            "editing_at": posts_view.local_input(editing.publish_at) if editing else "",
            "channels": posts_view.CHANNELS,
            "categories": posts_view.CATEGORIES,
            "rules": rules.list_rules(session),
            "sources": SOURCES,
        },
    )


@router.post("/posts/rules", include_in_schema=False)
def rule_form(
    request: Request,
    session: Db,
    ctx: Ctx,
    user: FormLead,
    source: Annotated[str, Form()] = "",
    label: Annotated[str, Form()] = "",
    category: Annotated[str, Form()] = "",
) -> Response:
    """Which category another tool's posts get: by label (tag, campaign, hashtag) or default."""
    if source not in SOURCES or category not in posts_view.CATEGORIES:
        raise BadRecord(
            "rule", f"source: {', '.join(SOURCES)}; category: {', '.join(posts_view.CATEGORIES)}"
        )
    rule = rules.set_rule(session, source=source, label=label, category=category,
                          now=ctx.clock.now(), actor=user.name)  # fmt: skip
    t = translator(lang_of(request, user))
    return redirect(
        "/posts#rules",
        message=t(
            "posts.rule_done", source=rule.source, label=rule.label or "*", category=rule.category
        ),  # fmt: skip
    )


@router.post("/posts/schedule", include_in_schema=False)
def schedule_form(
    request: Request,
    session: Db,
    ctx: Ctx,
    user: FormLead,
    key: Annotated[str, Form()] = "",
    channel: Annotated[str, Form()] = "",
    category: Annotated[str, Form()] = "",
    text: Annotated[str, Form()] = "",
    at: Annotated[str, Form()] = "",
    after: Annotated[str, Form()] = "",
    editing: Annotated[str, Form()] = "",
) -> Response:
    """Schedule a post, or change one not yet published (a held post stays held)."""
    if at.strip() and after.strip():
        raise BadRecord("time", "give a date and time or a relative time, not both").said_as(
            "both_times"
        )
    post = posts_view.schedule(
        session,
        key=key,
        channel=channel,
        category=category,
        text=text,
        at=at.strip() or after.strip(),
        editing=editing == "1",
        now=ctx.clock.now(),
        actor=user.name,
    )
    t = translator(lang_of(request, user))
    said = "posts.scheduled_held" if post.state == "held" else "posts.scheduled_done"
    return redirect("/posts", message=t(said, post=post.key, when=berlin(post.publish_at)))


@router.post("/posts/resume", include_in_schema=False)
def resume_form(
    request: Request,
    session: Db,
    ctx: Ctx,
    user: FormLead,
    which: Annotated[str, Form()] = "selected",
    key: Annotated[list[str] | None, Form()] = None,
    mode: Annotated[str, Form()] = "",
    at: Annotated[str, Form()] = "",
    after: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    """Resume the ticked held posts (or all of them): on their own time, a new one, or back
    to draft. Refused, with the reason, while marketing is still blocked."""
    if mode not in MODES:
        raise BadRecord("resume", "choose: keep their time, a new time, or back to draft").said_as(
            "resume_mode"
        )
    when = None
    if mode == "time":
        if at.strip() and after.strip():
            raise BadRecord(
                "new time", "give a date and time or a relative time, not both"
            ).said_as("both_times")
        when = at.strip() or after.strip()
        if not when:
            raise BadRecord(
                "new time", f"give the new time ({zone_label()}) or a relative one like +2h"
            ).said_as("need_time")
    resumed = posts_view.resume(
        session,
        keys=None if which == "all" else (key or []),
        at=when,
        to_draft=mode == "draft",
        reason=reason,
        now=ctx.clock.now(),
        actor=user.name,
    )
    t = translator(lang_of(request, user))
    said = "posts.resumed_draft" if mode == "draft" else "posts.resumed"
    names = ", ".join(p.key for p in resumed[:10]) + (" …" if len(resumed) > 10 else "")
    return redirect("/posts", message=t(said, count=len(resumed), keys=names))


@router.post("/posts/freeze", include_in_schema=False)
def freeze_form(
    request: Request,
    session: Db,
    ctx: Ctx,
    user: FormLead,
    reason: Annotated[str, Form()] = "",
) -> Response:
    """Stop all marketing by hand; scheduled marketing posts are held at once."""
    why = posts_view.reason_of(reason, "freeze")
    holds.freeze_marketing(session, reason=why, now=ctx.clock.now(), actor=user.name)
    held = len(session.exec(holds.held_posts_query()).all())
    t = translator(lang_of(request, user))
    return redirect("/posts", message=t("posts.frozen_done", count=held))


@router.post("/posts/unfreeze", include_in_schema=False)
def unfreeze_form(
    request: Request,
    session: Db,
    ctx: Ctx,
    user: FormLead,
    reason: Annotated[str, Form()] = "",
) -> Response:
    """End the manual freeze. Held posts stay held until a lead resumes them."""
    why = posts_view.reason_of(reason, "unfreeze")
    if not why:
        raise BadRecord(
            "unfreeze", "say why marketing may go out again (kept in the audit log)"
        ).said_as("unfreeze_reason")
    holds.unfreeze_marketing(session, now=ctx.clock.now(), actor=user.name, reason=why)
    held = len(session.exec(holds.held_posts_query()).all())
    t = translator(lang_of(request, user))
    return redirect("/posts", message=t("posts.unfrozen_done", count=held))
