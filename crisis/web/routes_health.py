"""``/healthz`` (the process answers), ``/readyz`` (it can work) and ``/metrics`` (Prometheus).

None of them needs a sign-in, as a load balancer and Prometheus have none; they show counts
and states, never a comment, a name or a setting. Keep them off the public internet at the
proxy (docs/operations.md).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST

from crisis.service import health, metrics
from crisis.web.context import Ctx

router = APIRouter(include_in_schema=False)


@router.get("/healthz")
def healthz() -> dict[str, Any]:
    return {"ok": True}


@router.get("/readyz")
def readyz(ctx: Ctx) -> JSONResponse:
    ready, answer = health.readiness(ctx.engine, now=ctx.clock.now())
    return JSONResponse(answer, status_code=200 if ready else 503)


@router.get("/metrics")
def metrics_text(ctx: Ctx) -> Response:
    body = metrics.exposition(ctx.engine, model=ctx.settings.classifier, clock=ctx.clock)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
