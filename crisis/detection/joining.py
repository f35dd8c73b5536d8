"""One outage, one incident: when complaints about a second service join an open incident.

A spike of a service with an open incident of its own extends that incident. During an open
incident of another service, complaints join it (as a related service, the card says why) when
the evidence says they are the same outage:

1. the carrier: our landlines are VoIP over the DSL line (``CARRIED_BY``), so "Telefon tot"
   during a DSL outage is that outage;
2. at home, internet, phone and TV run over one line and go down together: in the same regions
   (or where either names none), they are one outage;
3. a labelling error: most of the "mobile" complaints speak of DSL ("Router", "WLAN"): the
   words of the open incident's service, not their own.

Otherwise (mobile customers with no signal while DSL is down in Hamburg) the service gets an
incident of its own. Pure decisions except ``incident_to_join``, which looks up the open ones.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlmodel import Session

from crisis import incidents
from crisis.detection.spikes import Complaint
from crisis.domain import Service
from crisis.incidents import CARRIED_BY
from crisis.tables import Incident

HOME = frozenset({Service.INTERNET, Service.PHONE, Service.TV})
MISLABELLED_SHARE = 0.5  # at least this share speaks of the other service, not its own
# Words that name a service, German and English, matched as whole words (case-insensitive).
WORDS: dict[Service, frozenset[str]] = {
    Service.INTERNET: frozenset(
        "dsl vdsl adsl internet router wlan wifi wi-fi glasfaser fritzbox fritz!box modem "
        "breitband broadband festnetzinternet".split()
    ),
    Service.MOBILE: frozenset(
        "handy netz mobilfunk lte 5g 4g empfang signal sim esim funkloch mobile cellular "
        "roaming smartphone".split()
    ),
    Service.PHONE: frozenset("festnetz telefon freizeichen landline festnetztelefon".split()),
    Service.TV: frozenset("tv fernsehen receiver fernseher iptv sender".split()),
    Service.EMAIL: frozenset("mail e-mail email postfach mails webmail".split()),
}
_WORD = re.compile(r"[\w!-]+")


def incident_to_join(
    session: Session, service: Service, complaints: Sequence[Complaint], regions: Sequence[str]
) -> tuple[Incident | None, str | None]:
    """The open incident these complaints of ``service`` belong to, and why (``None``: its own
    incident, or none is open)."""
    own = incidents.open_incident_for(session, service)
    if own is not None:
        return own, None
    for other in reversed(incidents.open_incidents(session)):  # the newest first
        why = why_join(service, complaints, regions, Service(other.service), other.regions)
        if why is not None:
            return other, why
    return None, None


def why_join(
    service: Service,
    complaints: Sequence[Complaint],
    regions: Sequence[str],
    other: Service,
    other_regions: Sequence[str],
) -> str | None:
    """Why complaints about ``service`` are the open ``other`` outage, or ``None``."""
    if service == other:
        return None
    if CARRIED_BY.get(service) == other:
        return f"{service.value} here runs over the {other.value} line (VoIP)"
    same_place = not regions or not other_regions or bool(set(regions) & set(other_regions))
    if not same_place:
        return None
    if service in HOME and other in HOME:
        return (
            f"{service.value} and {other.value} at home run over one line and fail together "
            "(same regions, same minutes)"
        )
    theirs = [c for c in complaints if speaks_of(c.text, other) and not speaks_of(c.text, service)]
    if complaints and len(theirs) >= MISLABELLED_SHARE * len(complaints):
        return (
            f"{len(theirs)} of {len(complaints)} '{service.value}' complaints speak of "
            f"{other.value} ({', '.join(_examples(theirs, other))}): a labelling error"
        )
    return None


def speaks_of(text: str, service: Service) -> bool:
    """Whether ``text`` uses a word that names ``service``."""
    words = WORDS.get(service, frozenset())
    return any(word in words for word in _WORD.findall(text.lower()))


def _examples(complaints: Sequence[Complaint], service: Service) -> list[str]:
    found: dict[str, None] = {}
    for complaint in complaints:
        for word in _WORD.findall(complaint.text.lower()):
            if word in WORDS.get(service, frozenset()):
                found.setdefault(word)
    return list(found)[:3]
