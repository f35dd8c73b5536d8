"""The schedulers the settings switch on, and the sync round built from settings."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from crisis.protocols import Clock, Scheduler
from crisis.schedulers import buffer, facebook, hootsuite, postiz
from crisis.schedulers.sync import Sync
from crisis.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy import Engine

HOW_TO = (
    "no scheduler is configured: set CRISIS_FACEBOOK_NATIVE_SCHEDULING=true (with the page "
    "settings), CRISIS_POSTIZ_URL and CRISIS_POSTIZ_API_KEY, CRISIS_BUFFER_ACCESS_TOKEN or "
    "CRISIS_HOOTSUITE_ACCESS_TOKEN"
)


def make_schedulers(settings: Settings) -> list[Scheduler]:
    """One adapter per tool that has its settings; ``ConfigError`` names a half-set one."""
    found: list[Scheduler] = []
    if settings.facebook_native_scheduling:
        found.append(facebook.make_scheduler(settings))
    if settings.postiz_url or settings.postiz_api_key:
        found.append(postiz.make_scheduler(settings))
    if settings.buffer_access_token:
        found.append(buffer.make_scheduler(settings))
    if settings.hootsuite_access_token:
        found.append(hootsuite.make_scheduler(settings))
    return found


def make_sync(
    settings: Settings,
    *,
    engine: Engine,
    clock: Clock,
    schedulers: list[Scheduler] | None = None,
) -> Sync:
    return Sync(
        engine=engine,
        schedulers=make_schedulers(settings) if schedulers is None else schedulers,
        clock=clock,
        days=settings.scheduler_sync_days,
        lead=timedelta(minutes=settings.scheduler_hold_lead_minutes),
        default_category=settings.scheduler_default_category,
    )
