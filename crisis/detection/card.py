"""The incident card: what the team reads to trust (or dismiss) an incident the detector opened.

It says why the incident opened (complaining customers in the window against the usual number
for that hour of the week, and the threshold), which words the complaints use most, where they
come from, and a few example comments. It is stored on the incident as plain JSON
(``Incident.explanation``) so it reads the same in the CLI, the web app and the replay summary.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from crisis.clock import local_iso

TOP_TERMS = 8
EXAMPLES = 5
EXAMPLE_CHARS = 200

_WORD = re.compile(r"[^\W\d_][\w'-]{2,}")
# Words every complaint uses, in German and English: they say nothing about this outage.
STOPWORDS = frozenset(
    """
    aber alle alles als also auch auf aus bei beim bin bis bitte das dass dem den der des die
    dies diese dieser doch dort durch ein eine einem einen einer eines euch euer eure für gar
    geht gibt habe haben hab hat hatte heute hier ich ihr ihre immer ist jetzt kann kein keine
    man mal mehr mein meine mich mir mit nach nicht nichts noch nur oder schon sehr seid sein
    seit sich sie sind so und uns unser unsere von vor war warum was weil wenn wer wie wieder
    wir wird wo zum zur über euch ihr eure eurem euren eurer nix gerade seit leider echt los
    the and for you your are was were this that with not have has had but from our can cant
    can't don't dont just any all its it's who what why how when there their them they out
    about again still since today now been get got will would please

    nordtel hallo hello
    """.split()
)


def top_terms(texts: Iterable[str], *, limit: int = TOP_TERMS) -> list[list[Any]]:
    """The words most complaints use, as ``[word, how many complaints]``, most frequent first."""
    counts: Counter[str] = Counter()
    for text in texts:
        words = {w.lower().strip("'-") for w in _WORD.findall(text[:2000])}
        counts.update(w for w in words if len(w) >= 3 and w not in STOPWORDS)
    return [[word, n] for word, n in counts.most_common(limit) if n >= 2]


def example(external_id: str, at: datetime, text: str) -> dict[str, str]:
    short = " ".join(text.split())
    if len(short) > EXAMPLE_CHARS:
        short = short[: EXAMPLE_CHARS - 1] + "…"
    return {"id": external_id, "at": at.isoformat(), "text": short}


def describe(card: dict[str, Any]) -> list[str]:
    """The card as lines of plain text, for the terminal."""
    if not card:
        return ["(no card: opened by hand)"]
    lines = []
    if "reason" in card:
        lines.append(f"why: {card['reason']}")
    if "usual_per_window" in card:
        weekly = card.get("same_hour_earlier_weeks") or []
        daily = card.get("same_hour_earlier_days") or []
        per = card.get("samples_window_minutes", card.get("window_minutes", "?"))
        lines.append(
            f"usual for this hour of the week: {card['usual_per_window']} per "
            f"{card.get('window_minutes', '?')} min (per {per} min: earlier weeks "
            f"{_list(weekly)}; earlier days {_list(daily)}; prior "
            f"{card.get('prior_per_window', '-')})"
        )
    if card.get("regions_count"):
        counts = ", ".join(f"{r} {n}" for r, n in card["regions_count"].items())
        lines.append(f"regions named: {counts}")
    if card.get("also_services"):
        lines.append(f"also complaints about: {', '.join(card['also_services'])}")
    if card.get("peak_complainers"):
        lines.append(
            f"peak so far: {card['peak_complainers']} customers per window "
            f"(last spike {local_iso(card.get('last_spike_at'))})"
        )
    noc = card.get("noc")
    if isinstance(noc, dict):
        lines.append(f"NOC ({noc.get('source')}): {noc.get('cause') or noc.get('ref')}")
        if noc.get("resolved_at"):
            lines.append(f"NOC reports it fixed ({noc['resolved_at'][:16]}): a lead decides")
    if card.get("top_terms"):
        lines.append("top terms: " + ", ".join(f"{w} ({n})" for w, n in card["top_terms"]))
    for item in card.get("examples", []):
        if isinstance(item, dict):
            lines.append(f"  {local_iso(item.get('at'))}  {item.get('id')}: {item.get('text')}")
        else:
            lines.append(f"  {item}")
    return lines


def _list(values: Sequence[Any]) -> str:
    return ", ".join(str(v) for v in values) or "none yet"
