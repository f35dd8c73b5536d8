"""The audit log: who or what changed what, when and why. Written in the changing transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from crisis.tables import AuditEntry


def record(
    session: Session,
    *,
    at: datetime,
    actor: str,
    action: str,
    entity: str,
    entity_id: object,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        at=at,
        actor=actor,
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        reason=reason,
        details=details or {},
    )
    session.add(entry)
    return entry


def history(session: Session, *, entity: str, entity_id: object) -> list[AuditEntry]:
    query = (
        select(AuditEntry)
        .where(AuditEntry.entity == entity, AuditEntry.entity_id == str(entity_id))
        .order_by(col(AuditEntry.at), col(AuditEntry.id))
    )
    return list(session.exec(query))
