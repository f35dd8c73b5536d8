"""How the service is doing: each round's outcome in the database, and ``/readyz``'s answer.

Rounds are recorded in ``loop_rounds`` by whichever process ran them (``crisis run``'s loops,
a Celery worker's periodic task), so the web app can tell how far behind each job is in one
process or across machines. ``/readyz`` fails (503) when the database does not answer or when
this process classifies and its model is not loaded; a loop that is behind is reported (and on
``/metrics``) but does not fail it: a platform outage must not take the web app out of a load
balancer while the team needs it most.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, text
from sqlmodel import select

from crisis.db import session_scope
from crisis.tables import LoopRound

log = logging.getLogger("crisis.service.health")


@dataclass
class Process:
    """What this process is: ``run`` (crisis run: classifies, so needs its model) or ``web``."""

    role: str = "web"
    model: str | None = None  # the classifier's name, once loaded


PROCESS = Process()


def model_loaded(name: str) -> None:
    PROCESS.role, PROCESS.model = "run", name


def record_round(
    engine: Engine, name: str, *, every: float, now: datetime, error: str | None = None
) -> None:
    """Note a finished round (``error``: a failed one); never raises, the loop goes on."""
    try:
        with session_scope(engine) as session:
            row = session.get(LoopRound, name, with_for_update=True)
            if row is None:
                row = LoopRound(name=name, interval_seconds=every)
            row.interval_seconds = every
            if error is None:
                row.last_ok_at, row.failures = now, 0
            else:
                row.last_error_at, row.last_error = now, error[:2000]
                row.failures += 1
            session.add(row)
    except Exception:  # the database is away: the log has it; the next round tries again
        log.exception("could not record the round of %s", name)


def behind(row: LoopRound, now: datetime) -> bool:
    """No good round within two intervals and a minute (a long round is not lateness)."""
    limit = 2 * row.interval_seconds + 60
    if row.last_ok_at is None:
        return row.last_error_at is not None
    return (now - row.last_ok_at).total_seconds() > limit


def readiness(engine: Engine, *, now: datetime) -> tuple[bool, dict[str, Any]]:
    """Whether this process can do its work, and each loop's last good round and lag."""
    answer: dict[str, Any] = {"database": "ok", "model": None, "loops": {}}
    ready = True
    try:
        with session_scope(engine) as session:
            session.execute(text("SELECT 1"))
            rows = session.exec(select(LoopRound).order_by(LoopRound.name)).all()
    except Exception as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        answer["database"] = f"unreachable: {reason}"
        rows = []
        ready = False
    if PROCESS.role == "run":
        answer["model"] = PROCESS.model or "not loaded"
        ready = ready and PROCESS.model is not None
    else:
        answer["model"] = "not used in this process (the workers classify)"
    for row in rows:
        lag = (now - row.last_ok_at).total_seconds() if row.last_ok_at else None
        answer["loops"][row.name] = {
            "last_ok_at": row.last_ok_at.isoformat() if row.last_ok_at else None,
            "lag_seconds": round(lag, 1) if lag is not None else None,
            "interval_seconds": row.interval_seconds,
            "failures_in_a_row": row.failures,
            "last_error": row.last_error if row.failures else None,
            "behind": behind(row, now),
        }
    answer["ready"] = ready
    return ready, answer
