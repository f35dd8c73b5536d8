"""Network facts in: the webhooks the NOC's tools call (no user signs in; each sender has its
own credential, compared in constant time, see ``crisis.noc.signing``).

- ``POST /api/noc/alertmanager``: Prometheus Alertmanager's webhook, ``Authorization: Bearer``
  with ``CRISIS_NOC_TOKEN``.
- ``POST /api/noc/statuspage/{secret}``: Atlassian Statuspage's incident webhook; the secret in
  the path is ``CRISIS_NOC_STATUSPAGE_SECRET``.
- ``POST /api/noc/events``: our own JSON, signed with ``CRISIS_NOC_SIGNING_SECRET``.

A missing or wrong credential is a 401 and changes nothing; a malformed body or an unknown
service or region a 422 that says where; a sender whose secret is not set a 404. The request's
transaction holds every report of a body: one bad alert in a group changes nothing at all.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request
from pydantic import BaseModel, Field
from sqlmodel import Session

from crisis.errors import BadRecord, NotFound
from crisis.noc import signing
from crisis.noc.apply import apply_report
from crisis.noc.reports import (
    NocMapping,
    NocReport,
    parse_alertmanager,
    parse_event,
    parse_statuspage,
)
from crisis.registry import reply_setup
from crisis.settings import env_name
from crisis.web.context import Ctx, Db, WebContext

router = APIRouter(prefix="/noc", tags=["noc"])
# No user's API token: each sender's own credential, described per operation.
NO_USER: dict[str, Any] = {"security": []}
MAX_BODY = 1_000_000  # bytes; Alertmanager groups are small


class NocResult(BaseModel):
    ref: str = Field(description="The sender's id for the alert or incident.")
    action: str = Field(
        description="updated, unchanged, opened, resolve_proposed (a lead decides) or "
        "no_open_incident."
    )
    incident_id: int | None
    replies_rewritten: int = Field(description="Pending replies re-written with the new facts.")


class NocAnswer(BaseModel):
    results: list[NocResult]


async def raw_body(request: Request) -> bytes:
    body = await request.body()
    if len(body) > MAX_BODY:
        raise BadRecord("body", f"larger than {MAX_BODY} bytes")
    return body


Body = Annotated[bytes, Depends(raw_body)]


@router.post("/alertmanager", response_model=NocAnswer, openapi_extra=NO_USER)
def alertmanager(
    ctx: Ctx, session: Db, body: Body, authorization: Annotated[str | None, Header()] = None
) -> NocAnswer:
    """Prometheus Alertmanager's webhook (``webhook_configs`` with ``http_config.authorization``
    credentials set to CRISIS_NOC_TOKEN)."""
    signing.check_bearer(authorization, _secret(ctx, "noc_token"))
    return _apply(ctx, session, body, parse_alertmanager, actor="noc:alertmanager")


@router.post("/statuspage/{secret}", response_model=NocAnswer, openapi_extra=NO_USER)
def statuspage(ctx: Ctx, session: Db, body: Body, secret: str) -> NocAnswer:
    """Atlassian Statuspage's incident webhook; it signs nothing, so the long secret in the URL
    (CRISIS_NOC_STATUSPAGE_SECRET) is the credential."""
    signing.check_secret(secret, _secret(ctx, "noc_statuspage_secret"))
    return _apply(ctx, session, body, parse_statuspage, actor="noc:statuspage")


@router.post("/events", response_model=NocAnswer, openapi_extra=NO_USER)
def events(
    ctx: Ctx,
    session: Db,
    body: Body,
    x_crisis_timestamp: Annotated[str | None, Header()] = None,
    x_crisis_signature: Annotated[str | None, Header()] = None,
) -> NocAnswer:
    """Our own JSON (``{"id", "service", "regions", "state", "cause", "public_status", "eta",
    "started_at"}``), signed: ``X-Crisis-Signature: sha256=HMAC-SHA256(secret, timestamp + "." +
    body)`` with ``X-Crisis-Timestamp`` in Unix seconds, within the replay window."""
    signing.check_signature(
        secret=_secret(ctx, "noc_signing_secret"),
        timestamp=x_crisis_timestamp,
        signature=x_crisis_signature,
        body=body,
        now=ctx.clock.now(),
        window_seconds=ctx.settings.noc_replay_window_seconds,
    )
    return _apply(ctx, session, body, parse_event, actor="noc")


def _apply(
    ctx: WebContext,
    session: Session,
    body: bytes,
    parse: Callable[[Any, NocMapping], list[NocReport]],
    *,
    actor: str,
) -> NocAnswer:
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRecord("body", f"not JSON ({exc})") from None
    reports = parse(payload, NocMapping.from_settings(ctx.settings))
    setup, now = reply_setup(ctx.settings), ctx.clock.now()
    results = []
    for report in reports:
        outcome = apply_report(session, report, setup=setup, now=now, actor=actor)
        rewritten = outcome.queue.get("rerendered", 0) + outcome.queue.get("attached", 0)
        results.append(NocResult(ref=outcome.ref, action=outcome.action,
                                 incident_id=outcome.incident_id,
                                 replies_rewritten=rewritten))  # fmt: skip
    return NocAnswer(results=results)


def _secret(ctx: WebContext, name: str) -> str:
    value = getattr(ctx.settings, name)
    if value is None or not value.get_secret_value():
        raise NotFound(f"this NOC webhook is off: set {env_name(name)} to turn it on")
    return str(value.get_secret_value())
