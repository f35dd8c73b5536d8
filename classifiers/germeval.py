"""GermEval 2017 rows as our labels: real German complaints to a service company (Deutsche Bahn).

GermEval annotates relevance (is the text about DB at all), the document's sentiment and
``category#subcategory:polarity`` aspects. Our complaint means "a customer reports a problem
with the operator's service" (``classifiers/data/telecom/LABEL_GUIDE.md``), so:

1. ``relevance`` false: not about the operator, so not a complaint (service not labelled).
2. Relevant and not negative: not a complaint. Service is labelled only where an aspect maps.
3. Relevant, negative, with a negative aspect that is a service failure (:data:`FAILURES`): a
   complaint, with the service of its first mapped negative aspect, if any (:data:`ASPECT_SERVICE`).
4. Relevant and negative otherwise (only ``Allgemein`` / ``Sicherheit`` / ``Image``, mostly news
   about the company or crime at stations): complaint left unlabelled, it teaches nothing clean.

Services are mapped only where the DB aspect names the same kind of thing a telecom customer
would complain about; a late train is no telecom service, so it labels no service at all (rather
than ``other``, which would teach the service head that real complaints are about nothing).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# GermEval category (before "#", or the full "category#subcategory") -> our service.
ASPECT_SERVICE: Mapping[str, str] = {
    "Connectivity#WLAN_und_Internet": "internet",
    # Handyempfang on the train is mobile reception: a mobile complaint in our terms.
    "Connectivity#Telefonie_und_Handyempfang": "mobile",
    "Connectivity#Haupt": "internet",
    "Connectivity#ICE_Portal": "internet",
    "DB_App_und_Website": "customer_service",
    "Service_und_Kundenbetreuung": "customer_service",
    "Informationen": "customer_service",
    "Ticketkauf": "billing",
    "Gastronomisches_Angebot#Preise": "billing",
}
# Categories whose negative aspect is a failure of the service a customer paid for.
FAILURES = frozenset(
    {
        "Connectivity",
        "DB_App_und_Website",
        "Service_und_Kundenbetreuung",
        "Informationen",
        "Ticketkauf",
        "Zugfahrt",
        "Sonstige_Unregelmässigkeiten",
        "Atmosphäre",
        "Auslastung_und_Platzangebot",
        "Komfort_und_Ausstattung",
        "Toiletten",
        "Barrierefreiheit",
        "Gastronomisches_Angebot",
        "Gepäck",
        "Reisen_mit_Kindern",
        "QR-Code",
        "Design",
    }
)


@dataclass(frozen=True)
class Mapped:
    complaint: bool | None
    service: str | None
    sentiment: str


def service_of(category: str) -> str | None:
    """Our service for a GermEval aspect category, e.g. ``Ticketkauf#Haupt`` -> ``billing``."""
    return ASPECT_SERVICE.get(category) or ASPECT_SERVICE.get(category.split("#")[0])


def map_row(row: Mapping[str, Any]) -> Mapped:
    """Our labels for one GermEval row (``relevance``, ``sentiment``, ``aspects``)."""
    sentiment = str(row["sentiment"])
    if str(row["relevance"]).lower() != "true":
        return Mapped(False, None, sentiment)
    aspects: Sequence[Mapping[str, str]] = row.get("aspects") or []
    negative = [a["category"] for a in aspects if a.get("polarity") == "negative"]
    if sentiment != "negative":
        mapped = [s for s in (service_of(c) for c in (a["category"] for a in aspects)) if s]
        return Mapped(False, mapped[0] if mapped else None, sentiment)
    failures = [c for c in negative if c.split("#")[0] in FAILURES]
    if not failures:
        return Mapped(None, None, sentiment)
    services = [s for s in (service_of(c) for c in failures) if s]
    return Mapped(True, services[0] if services else None, sentiment)
