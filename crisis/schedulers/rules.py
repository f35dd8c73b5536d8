"""Which imported post is marketing: one rule per source and label, edited by a lead.

A post's labels are what its tool has: Postiz tags, Hootsuite tags, Buffer has none, a Facebook
post's hashtags. The first rule of the post's source whose label the post carries decides
(case does not matter); else the source's rule without a label; else the default setting.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from crisis import audit
from crisis.domain import ExternalPost
from crisis.errors import BadRecord
from crisis.tables import SchedulerRule


def category_for(session: Session, post: ExternalPost, *, default: str) -> str:
    rules = session.exec(
        select(SchedulerRule)
        .where(SchedulerRule.source == post.source)
        .order_by(col(SchedulerRule.label))
    ).all()
    labels = {label.casefold() for label in post.labels}
    for rule in rules:
        if rule.label and rule.label.casefold() in labels:
            return rule.category
    for rule in rules:
        if not rule.label:
            return rule.category
    return default


def set_rule(
    session: Session, *, source: str, label: str, category: str, now: datetime, actor: str
) -> SchedulerRule:
    """Posts of ``source`` carrying ``label`` ("": all others) get ``category`` from now on."""
    source, label, category = source.strip().lower(), label.strip().lstrip("#"), category.strip()
    if not source or not category:
        raise BadRecord("rule", "give a source and a category")
    rule = session.exec(
        select(SchedulerRule).where(SchedulerRule.source == source, SchedulerRule.label == label)
    ).first()
    before = rule.category if rule else None
    if rule is None:
        rule = SchedulerRule(
            source=source, label=label, category=category, updated_by=actor, updated_at=now
        )
    rule.category, rule.updated_by, rule.updated_at = category, actor, now
    session.add(rule)
    session.flush()
    audit.record(
        session,
        at=now,
        actor=actor,
        action="scheduler.rule",
        entity="scheduler_rule",
        entity_id=f"{source}:{label or '*'}",
        details={"category": [before, category]},
    )
    return rule


def list_rules(session: Session) -> list[SchedulerRule]:
    return list(
        session.exec(
            select(SchedulerRule).order_by(col(SchedulerRule.source), col(SchedulerRule.label))
        )
    )
