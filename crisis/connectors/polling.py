"""Polling a source into the pipeline: once through, or ``--follow`` until stopped.

Every page is stored with its cursor in one transaction (``Pipeline.process_page``), so a stop
at any moment, Ctrl-C or a crash, resumes where the last stored page ended. Rate limits and
server trouble are waited out with ``retry.call_with_retry`` and reported; errors that waiting
cannot fix (a refused token) end the run with their message.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from functools import partial

from crisis.connectors.retry import Backoff, call_with_retry
from crisis.db import session_scope
from crisis.domain import Page
from crisis.errors import ConnectorError
from crisis.ingest import load_cursor
from crisis.pipeline import Pipeline, StepResult
from crisis.protocols import CommentSource


@dataclass
class Totals:
    new: int = 0
    problems: int = 0  # records skipped
    repaired: int = 0  # records stored with repairs (a NUL removed...)
    read: int = 0  # comments read and stored, now or in an earlier run
    conflicts: int = 0  # ids stored before with another text: not stored again, reported
    pages: int = 0
    rounds: int = 0


@dataclass
class Reporter:
    """Callbacks for progress output; the defaults say nothing."""

    page: Callable[[Page, StepResult, Totals], None] = lambda page, result, totals: None
    waiting: Callable[[ConnectorError, float], None] = lambda error, seconds: None
    round_done: Callable[[Totals], None] = lambda totals: None


def poll(
    *,
    name: str,
    source: CommentSource,
    pipeline: Pipeline,
    follow: bool = False,
    interval: float = 60.0,
    backoff: Backoff | None = None,
    report: Reporter | None = None,
    stop: threading.Event | None = None,
    lock: AbstractContextManager[object] | None = None,
) -> Totals:
    """Fetch pages until the source has no more (``follow``: then wait ``interval``, repeat)."""
    report = report or Reporter()
    stop = stop or threading.Event()
    backoff = backoff or Backoff(attempts=None if follow else 5)
    totals = Totals()
    with session_scope(pipeline.engine) as session:
        cursor = load_cursor(session, name)
    while not stop.is_set():
        page = call_with_retry(
            partial(source.fetch, cursor),
            backoff=backoff,
            on_wait=report.waiting,
            sleep=stop.wait,
        )
        if stop.is_set():
            break
        with lock or nullcontext():
            result = pipeline.process_page(name, page)
        cursor = page.cursor if page.cursor is not None else cursor
        totals.pages += 1
        totals.new += len(result.new_comment_ids)
        totals.problems += sum(not problem.kept for problem in page.problems)
        totals.repaired += sum(problem.kept for problem in page.problems)
        totals.read += len(page.items)
        totals.conflicts += len(result.conflicts)
        report.page(page, result, totals)
        if page.more:
            continue
        totals.rounds += 1
        report.round_done(totals)
        if not follow:
            break
        stop.wait(interval)
    return totals
