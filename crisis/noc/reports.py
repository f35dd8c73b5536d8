"""What the NOC says, from three formats, as ``NocReport``s in our words (service, regions).

- Prometheus Alertmanager's webhook (version 4): one report per alert; the service and the
  region come from the labels named by ``CRISIS_NOC_SERVICE_LABEL`` / ``CRISIS_NOC_REGION_LABEL``
  (a region label may list several, comma-separated); annotations ``summary`` (or
  ``description``) give the cause, ``public_status`` the text for customers, ``eta`` the fix
  time (ISO 8601 with offset). ``firing`` means identified, ``resolved`` resolved.
- Atlassian Statuspage's incident webhook: the components name the service (and a region),
  the incident's name is the cause, its newest update's body the public text, its status ours.
- Our own JSON (see ``NocEvent``), signed with HMAC-SHA256.

The NOC's names are mapped through ``CRISIS_NOC_SERVICES`` ({"dsl": "internet",
"DSL Hamburg": "internet:Hamburg"}) and ``CRISIS_NOC_REGIONS`` ({"HH": "Hamburg"}); our own
service names and the region names we know need no mapping. An unknown one is refused with
the names that would be understood: the NOC's facts are never pinned on a guess.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, ValidationError

from crisis.detection.regions import find_regions
from crisis.domain import Service
from crisis.errors import BadRecord
from crisis.settings import Settings

NOC_STATES = ("investigating", "identified", "monitoring")
UNKNOWN_END = "0001-01-01T00:00:00Z"  # Alertmanager's "no end yet"


@dataclass(frozen=True, slots=True)
class NocReport:
    source: str  # alertmanager, statuspage, noc
    ref: str  # the sender's own id for it (fingerprint, Statuspage incident id, ...)
    service: Service
    regions: tuple[str, ...]
    resolved: bool
    status: str | None = None  # investigating, identified, monitoring: where ours should be
    cause: str | None = None
    public_status: str | None = None
    eta: datetime | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None  # a resolved outage: when it ended


@dataclass(frozen=True, slots=True)
class NocMapping:
    services: Mapping[str, str] = field(default_factory=dict)  # casefolded keys
    regions: Mapping[str, str] = field(default_factory=dict)
    service_label: str = "service"
    region_label: str = "region"

    @classmethod
    def from_settings(cls, settings: Settings) -> NocMapping:
        return cls(
            services={k.casefold(): v for k, v in settings.noc_services.items()},
            regions={k.casefold(): v for k, v in settings.noc_regions.items()},
            service_label=settings.noc_service_label,
            region_label=settings.noc_region_label,
        )

    def service(self, name: str, where: str) -> tuple[Service, list[str]]:
        """Our service (and the region the name implies, if any) for a NOC name."""
        mapped = self.services.get(name.strip().casefold())
        if mapped is None and name.strip().casefold() in {s.value for s in Service}:
            mapped = name.strip().casefold()
        if mapped is None:
            known = sorted({*self.services, *(s.value for s in Service)})
            raise BadRecord(
                where,
                f"unknown service {name!r}; known: {', '.join(known)} "
                "(map the NOC's names in CRISIS_NOC_SERVICES)",
            )
        service_name, _, region = mapped.partition(":")
        try:
            service = Service(service_name.strip())
        except ValueError:
            raise BadRecord(where, f"CRISIS_NOC_SERVICES maps {name!r} to unknown service "
                            f"{service_name!r}") from None  # fmt: skip
        return service, [self.region(region, where)] if region.strip() else []

    def region(self, name: str, where: str) -> str:
        mapped = self.regions.get(name.strip().casefold())
        if mapped is not None:
            return mapped
        found = find_regions("", location=name.strip())
        if len(found) == 1:
            return found[0]
        raise BadRecord(
            where,
            f"unknown region {name!r} (map the NOC's names in CRISIS_NOC_REGIONS, "
            f'e.g. {{"{name.strip()}": "Hamburg"}})',
        )


def parse_alertmanager(body: Any, mapping: NocMapping) -> list[NocReport]:
    if not isinstance(body, dict) or not isinstance(body.get("alerts"), list):
        raise BadRecord("alertmanager", "not an Alertmanager webhook: no 'alerts' list")
    reports = []
    for n, alert in enumerate(body["alerts"]):
        where = f"alerts[{n}]"
        if not isinstance(alert, dict):
            raise BadRecord(where, "an alert must be an object")
        labels, notes = _strings(alert, "labels", where), _strings(alert, "annotations", where)
        name = labels.get(mapping.service_label)
        if not name:
            raise BadRecord(f"{where}.labels", f"no {mapping.service_label!r} label")
        service, regions = mapping.service(name, f"{where}.labels.{mapping.service_label}")
        for region in (labels.get(mapping.region_label) or "").split(","):
            if region.strip():
                regions.append(mapping.region(region, f"{where}.labels.{mapping.region_label}"))
        status = alert.get("status")
        if status not in ("firing", "resolved"):
            raise BadRecord(f"{where}.status", f"must be 'firing' or 'resolved', not {status!r}")
        reports.append(
            NocReport(
                source="alertmanager",
                ref=str(alert.get("fingerprint") or labels.get("alertname") or n),
                service=service,
                regions=tuple(dict.fromkeys(regions)),
                resolved=status == "resolved",
                status="identified",
                cause=notes.get("summary") or notes.get("description") or labels.get("alertname"),
                public_status=notes.get("public_status"),
                eta=_time(notes.get("eta"), f"{where}.annotations.eta"),
                started_at=_time(alert.get("startsAt"), f"{where}.startsAt"),
                ended_at=_time(alert.get("endsAt"), f"{where}.endsAt")
                if status == "resolved"
                else None,
            )
        )
    return reports


def parse_statuspage(body: Any, mapping: NocMapping) -> list[NocReport]:
    incident = body.get("incident") if isinstance(body, dict) else None
    if not isinstance(incident, dict):
        raise BadRecord("statuspage", "not a Statuspage incident webhook: no 'incident'")
    status = incident.get("status")
    if status not in (*NOC_STATES, "resolved", "postmortem"):
        raise BadRecord("incident.status", f"unknown Statuspage status {status!r}")
    components = incident.get("components") or []
    if not isinstance(components, list) or not components:
        raise BadRecord("incident.components", "no component: cannot tell which service it is")
    updates = [u for u in incident.get("incident_updates") or [] if isinstance(u, dict)]
    newest = max(updates, key=lambda u: str(u.get("created_at", "")), default={})
    by_service: dict[Service, list[str]] = {}
    for n, component in enumerate(components):
        name = component.get("name") if isinstance(component, dict) else None
        if not isinstance(name, str):
            raise BadRecord(f"incident.components[{n}]", "a component needs a name")
        service, regions = mapping.service(name, f"incident.components[{n}].name")
        by_service.setdefault(service, []).extend(regions)
    return [
        NocReport(
            source="statuspage",
            ref=str(incident.get("id") or "?"),
            service=service,
            regions=tuple(dict.fromkeys(regions)),
            resolved=status in ("resolved", "postmortem"),
            status=status if status in NOC_STATES else None,
            cause=_text(incident.get("name")),
            public_status=_text(newest.get("body")),
            started_at=_time(incident.get("created_at"), "incident.created_at"),
            ended_at=_time(incident.get("resolved_at"), "incident.resolved_at"),
        )
        for service, regions in by_service.items()
    ]


class NocEvent(BaseModel):
    """Our own format, for a NOC tool that speaks neither of the others (documented in
    docs/operations.md). Unknown fields are refused: a typo is an error, not ignored."""

    model_config = ConfigDict(extra="forbid")

    id: str
    service: str
    regions: list[str] = []
    state: Literal["investigating", "identified", "monitoring", "resolved"]
    cause: str | None = None
    public_status: str | None = None
    eta: AwareDatetime | None = None
    started_at: AwareDatetime | None = None


def parse_event(body: Any, mapping: NocMapping) -> list[NocReport]:
    try:
        event = NocEvent.model_validate(body)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}" for e in exc.errors()
        )
        raise BadRecord("event", problems) from None
    service, regions = mapping.service(event.service, "service")
    regions += [mapping.region(r, "regions") for r in event.regions]
    return [
        NocReport(
            source="noc",
            ref=event.id,
            service=service,
            regions=tuple(dict.fromkeys(regions)),
            resolved=event.state == "resolved",
            status=None if event.state == "resolved" else event.state,
            cause=event.cause,
            public_status=event.public_status,
            eta=event.eta,
            started_at=event.started_at,
        )
    ]


def _strings(alert: dict[str, Any], key: str, where: str) -> dict[str, str]:
    value = alert.get(key) or {}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise BadRecord(f"{where}.{key}", "must map names to strings")
    return {str(k): v for k, v in value.items()}


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _time(value: Any, where: str) -> datetime | None:
    if value in (None, "", UNKNOWN_END):
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise BadRecord(where, f"not a time: {value!r}") from None
    if parsed.tzinfo is None:
        raise BadRecord(where, f"a time needs an offset: {value!r}")
    return parsed
