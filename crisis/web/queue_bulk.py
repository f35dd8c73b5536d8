"""Pages for the queue's wholesale decisions: bulk approval of a cluster after a spot check,
and sending every approved reply (with a dry-run preview first), as ``crisis queue
bulk-approve`` and ``crisis queue send --all [--dry-run]`` do."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import col, select

from crisis.replies import bulk
from crisis.tables import ReviewItem
from crisis.web.context import MAX_ID, Ctx, Db
from crisis.web.i18n import Translate, translator
from crisis.web.queue_data import build_rows
from crisis.web.queue_send import preview, send_all
from crisis.web.render import lang_of, page, redirect
from crisis.web.routes_claims import assignees
from crisis.web.security import FormUser, User

__all__ = ["Translate", "router"]
router = APIRouter(include_in_schema=False)


@router.get("/queue/clusters", response_class=HTMLResponse)
def clusters_page(
    request: Request, session: Db, ctx: Ctx, user: User, incident: str = "", lang: str = ""
) -> HTMLResponse:
    """The clusters, biggest first, each with the items to read before approving it."""
    incident_id = int(incident) if incident.isdigit() and int(incident) <= MAX_ID else None
    found = bulk.clusters(session, incident_id=incident_id, lang=lang or None)
    sample_ids = {i for c in found for i in c.sample_ids}
    items = list(session.exec(select(ReviewItem).where(col(ReviewItem.id).in_(sample_ids))))
    rows = {row.item.id: row for row in build_rows(session, items, now=ctx.clock.now())}
    context = {
        "clusters": [(c, [rows[i] for i in c.sample_ids if i in rows]) for c in found],
        "spot_checks": bulk.SPOT_CHECKS,
        "assignees": assignees(session) if user.is_lead else [],
    }
    return page(request, session, user, "queue_clusters.html.j2", context)


@router.post("/queue/bulk-approve")
def bulk_approve(
    request: Request,
    session: Db,
    ctx: Ctx,
    user: FormUser,
    incident_id: Annotated[int, Form()],
    up_to: Annotated[int, Form()],
    spot_checked: Annotated[list[int] | None, Form()] = None,
    lang: Annotated[str, Form()] = "",
) -> Response:
    """Approve the cluster the ticked items belong to (the domain checks the spot check)."""
    t = translator(lang_of(request, user))
    result = bulk.bulk_approve(
        session, incident_id=incident_id, spot_checked=spot_checked or [], up_to=up_to,
        actor=user.name, now=ctx.clock.now(), lang=lang or None,
        claim_ttl=timedelta(minutes=ctx.settings.claim_minutes),
    )  # fmt: skip
    c = result.cluster
    cluster = f"{t('admin.situation_' + c.situation)}, {c.lang}"
    message = t("queue.bulk_done", count=len(result.approved), cluster=cluster,
                incident=c.incident_id)  # fmt: skip
    if not result.refused:
        return redirect("/queue/clusters", message=message)
    refused = listed([f"#{i}: {why}" for i, why in result.refused])
    return redirect(
        "/queue/clusters",
        message=message,
        error=t("queue.bulk_refused", count=len(result.refused)) + " " + refused,
    )


@router.get("/queue/send", response_class=HTMLResponse)
def send_page(request: Request, session: Db, ctx: Ctx, user: User) -> HTMLResponse:
    """What "send all" would send now: a dry run, nothing sent or changed."""
    due = preview(ctx.engine, ctx.settings, clock=ctx.clock)
    return page(request, session, user, "queue_send.html.j2", {"preview": due})


@router.post("/queue/send")
def send_everything(request: Request, ctx: Ctx, user: FormUser) -> Response:
    t = translator(lang_of(request, user))
    report = send_all(ctx.engine, ctx.settings, actor=user.name, clock=ctx.clock)
    problems = [f"#{i}: {why}" for i, why in report.failed]
    problems += [f"#{i}: {why}" for i, why in report.held]
    problems += [f"#{i}: {why}" for i, why in report.skipped]
    problems += [f"#{i}: {t('queue.send_gave_up', id=i)}" for i in report.gave_up]
    message = t("queue.sent_all", count=len(report.sent))
    error = listed(problems)
    if report.not_configured:  # once per platform, not the same sentence for every item
        head = t("queue.not_configured_all", count=len(report.not_configured))
        error = f"{head} {by_reason(report.not_configured)}" + (f"; {error}" if error else "")
    return redirect("/queue/send", message=message, error=error or None)


def listed(problems: list[str], *, at_most: int = 8) -> str:
    """Problems for a message on the next page, the first few in full (a message is short)."""
    shown = [p if len(p) <= 300 else p[:299] + "…" for p in problems[:at_most]]
    more = len(problems) - len(shown)
    return "; ".join(shown) + (f"; … (+{more})" if more else "")


def by_reason(refused: list[tuple[int, str]], *, ids_shown: int = 10) -> str:
    """``why (#1, #2, ...)`` once per distinct reason, in the order first seen."""
    grouped: dict[str, list[int]] = {}
    for item_id, why in refused:
        grouped.setdefault(why, []).append(item_id)
    parts = []
    for why, ids in grouped.items():
        shown = ", ".join(f"#{i}" for i in ids[:ids_shown])
        more = f", … (+{len(ids) - ids_shown})" if len(ids) > ids_shown else ""
        parts.append(f"{why} ({shown}{more})")
    return "; ".join(parts)
