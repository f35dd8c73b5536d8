"""What a lead types into the incident forms (or sends to the API), read and checked before
anything changes: an ETA as Berlin time (the browser's ``datetime-local``), ``+2h`` as the CLI
takes it, or ISO 8601 with an offset; regions as a comma-separated list; a reason, always.

A refusal is a ``BadRecord`` in the user's language, raised before the first write, so the
request's transaction leaves nothing half-done.
"""

from __future__ import annotations

import re
from datetime import datetime

from crisis.clock import team_zone
from crisis.domain import Service
from crisis.errors import BadRecord
from crisis.web.form_times import local_input as local_input
from crisis.web.form_times import read_time
from crisis.web.i18n import Translate

MAX_REASON = 2000
MAX_PUBLIC_STATUS = 2000
MAX_REGION = 80
MAX_REGIONS = 30
_SPLIT = re.compile(r"[,;\n]")


def reason_of(value: str | None, t: Translate) -> str:
    text = (value or "").strip()
    if not text:
        raise BadRecord(t("incidents.field_reason"), t("incidents.error_reason"))
    if len(text) > MAX_REASON:
        raise BadRecord(t("incidents.field_reason"), t("incidents.error_too_long", n=MAX_REASON))
    return text


def public_status_of(value: str | None, t: Translate) -> str | None:
    """The public status text; blank means "leave it as it is". Line breaks as ``\\n``."""
    text = _plain(value)
    if len(text) > MAX_PUBLIC_STATUS:
        raise BadRecord(
            t("incidents.field_public_status"), t("incidents.error_too_long", n=MAX_PUBLIC_STATUS)
        )
    return text or None


def regions_of(value: str | list[str] | None, t: Translate) -> list[str]:
    """Regions from "Hamburg, Bremen" (a form) or a list (the API), in order, once each."""
    parts = _SPLIT.split(value) if isinstance(value, str) else list(value or [])
    regions = list(dict.fromkeys(" ".join(p.split()) for p in parts if p and p.strip()))
    if len(regions) > MAX_REGIONS or any(len(r) > MAX_REGION for r in regions):
        problem = t("incidents.error_regions", n=MAX_REGIONS, chars=MAX_REGION)
        raise BadRecord(t("incidents.field_regions"), problem)
    return regions


def untouched(value: str | None, shown: str | None) -> bool:
    """Whether a pre-filled field comes back as the form showed it (``shown`` is ``None`` when
    the sender did not say what it showed). Browsers send line breaks as CRLF."""
    if shown is None:
        return False
    return _plain(value) == _plain(shown)


def _plain(value: str | None) -> str:
    return (value or "").replace("\r\n", "\n").strip()


def status_of(value: str | None) -> str | None:
    """A status to move to; blank keeps the current one (the domain checks the move)."""
    text = (value or "").strip()
    return text or None


def service_of(value: str | None, t: Translate) -> Service:
    try:
        return Service((value or "").strip())
    except ValueError:
        known = ", ".join(s.value for s in Service)
        raise BadRecord(
            t("incidents.field_service"), t("incidents.error_service", value=value, known=known)
        ) from None


def eta_of(
    value: str | None, *, now: datetime, t: Translate, current: datetime | None = None
) -> datetime | None:
    """The new ETA, or ``None`` for "leave it": blank, or the current ETA to the minute (the
    form shows it pre-filled, so a status change does not set it again)."""
    text = (value or "").strip()
    if not text:
        return None
    eta = _parse_eta(text, now=now, t=t)
    if current is not None and _minute(eta) == _minute(current):
        return None
    if eta <= now:
        raise BadRecord(
            t("incidents.field_eta"),
            t("incidents.error_eta_past", eta=_minute(eta), now=_minute(now)),
        )
    return eta


def _parse_eta(text: str, *, now: datetime, t: Translate) -> datetime:
    parsed = read_time(text, now=now)
    if parsed is None:
        raise BadRecord(t("incidents.field_eta"), t("incidents.error_eta_format", value=text[:40]))
    return parsed


def _minute(value: datetime) -> str:
    return value.astimezone(team_zone()).strftime("%d.%m.%Y %H:%M")
