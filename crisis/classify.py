"""Classify step: run the configured classifier over stored comments and keep what it said.

Labels are stored per (comment, model), so two models can be compared on the same comments and
a report can say which model tagged what. Comments without labels of the current model are found
by a query, so a crash mid-way resumes with the rest.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from crisis.domain import Labels, Sentiment, Service, Urgency
from crisis.errors import Inconsistent
from crisis.protocols import Classifier
from crisis.tables import Classification, Comment


def classify_comments(
    session: Session,
    classifier: Classifier,
    comment_ids: Sequence[int],
    *,
    now: datetime,
    batch_size: int = 64,
) -> dict[int, Labels]:
    """Label the given comments (those not labelled by this model yet) and store the labels,
    all in ``session``. The pipeline splits these steps to hold no write lock meanwhile."""
    texts = texts_to_label(session, classifier.name, comment_ids)
    return store_labels(session, predict(classifier, texts, batch_size=batch_size), now=now)


def texts_to_label(session: Session, model: str, comment_ids: Sequence[int]) -> dict[int, str]:
    """The texts of those of ``comment_ids`` that ``model`` has not labelled yet, in order."""
    done = _labelled(session, model, comment_ids)
    todo = [cid for cid in comment_ids if cid not in done]
    texts: dict[int, str] = {}
    for start in range(0, len(todo), 500):
        ids = todo[start : start + 500]
        rows = session.exec(select(Comment.id, Comment.text).where(col(Comment.id).in_(ids)))
        found = {cid: text for cid, text in rows.all() if cid is not None}
        texts.update((cid, found[cid]) for cid in ids if cid in found)
    return texts


def predict(
    classifier: Classifier, texts: Mapping[int, str], *, batch_size: int = 64
) -> dict[int, Labels]:
    """What ``classifier`` says about each text, in batches; touches no database."""
    ids = list(texts)
    results: dict[int, Labels] = {}
    for start in range(0, len(ids), batch_size):
        batch = ids[start : start + batch_size]
        labels = classifier.classify([texts[cid] for cid in batch])
        if len(labels) != len(batch):
            raise Inconsistent(f"{classifier.name} returned {len(labels)} labels for {len(batch)}")
        results.update(zip(batch, labels, strict=True))
    return results


def store_labels(
    session: Session, labels: Mapping[int, Labels], *, now: datetime
) -> dict[int, Labels]:
    """Store the labels of comments not labelled by their model yet (another process may have
    labelled some meanwhile); returns those stored."""
    stored: dict[int, Labels] = {}
    by_model: dict[str, list[int]] = {}
    for cid, label in labels.items():
        by_model.setdefault(label.model, []).append(cid)
    for model, ids in by_model.items():
        done = _labelled(session, model, ids)
        for cid in ids:
            if cid not in done:
                session.add(to_row(cid, labels[cid], now=now))
                stored[cid] = labels[cid]
    session.flush()
    return stored


def _labelled(session: Session, model: str, comment_ids: Sequence[int]) -> set[int]:
    query = select(Classification.comment_id).where(
        Classification.model == model, col(Classification.comment_id).in_(comment_ids)
    )
    return set(session.exec(query))


def unclassified_ids(session: Session, model: str, *, limit: int = 10_000) -> list[int]:
    """Stored comments that ``model`` has not labelled yet, oldest first."""
    labelled = select(Classification.comment_id).where(Classification.model == model)
    query = (
        select(Comment.id)
        .where(col(Comment.id).not_in(labelled))
        .order_by(col(Comment.created_at), col(Comment.id))
        .limit(limit)
    )
    return [cid for cid in session.exec(query) if cid is not None]


def to_row(comment_id: int, labels: Labels, *, now: datetime) -> Classification:
    return Classification(
        comment_id=comment_id,
        model=labels.model,
        is_complaint=labels.is_complaint,
        complaint_score=round(float(labels.complaint_score), 4),
        service=labels.service.value if labels.service else None,
        sentiment=labels.sentiment.value,
        urgent=[reason.value for reason in labels.urgent],
        third_party=labels.third_party,
        lang=labels.lang,
        created_at=now,
    )


def from_row(row: Classification) -> Labels:
    """The labels a stored classification holds (the inverse of ``to_row``)."""
    return Labels(
        model=row.model,
        is_complaint=row.is_complaint,
        complaint_score=row.complaint_score,
        service=Service(row.service) if row.service else None,
        sentiment=Sentiment(row.sentiment),
        urgent=tuple(Urgency(reason) for reason in row.urgent),
        third_party=row.third_party,
        lang=row.lang,
    )


class Prelabelled:
    """A classifier that labelled a known set of texts ahead of time, in large batches.

    A replay knows every comment it will see; labelling them all up front lets the encoder batch
    hundreds at a time instead of the handful that arrive per simulated minute (the demo: 748
    comments in ~500 steps). Labels do not depend on the batch a text is in, so they are the
    same; texts not seen ahead are passed to the wrapped classifier.
    """

    def __init__(self, inner: Classifier, texts: Sequence[str], *, chunk: int = 256) -> None:
        self.inner = inner
        self.name = inner.name
        self.known: dict[str, Labels] = {}
        self._learn(list(dict.fromkeys(texts)), chunk)

    def _learn(self, texts: list[str], chunk: int = 256) -> None:
        for start in range(0, len(texts), chunk):
            part = texts[start : start + chunk]
            self.known.update(zip(part, self.inner.classify(part), strict=True))

    def classify(self, texts: Sequence[str]) -> list[Labels]:
        self._learn([t for t in dict.fromkeys(texts) if t not in self.known])
        return [self.known[text] for text in texts]
