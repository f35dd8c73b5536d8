"""Which German regions a comment names: the gazetteer behind an incident's ``regions``.

An outage is local, so counting complaints per region is how the team tells "DSL is down in
Hamburg" from background noise. ``find_regions`` returns canonical German names (the ones our
public posts use) for the 80 largest cities, the 16 states, and the districts of Berlin, Hamburg
and Munich, which count as their city ("Altona" -> "Hamburg", "Schwabing" -> "München").

Matching is by whole words, case-insensitive, with English names ("Munich", "Cologne",
"Bavaria") and umlauts written as ae/oe/ue or dropped ("Muenchen", "Munchen").

Decisions:
- Names that are also common words ("Essen" food, "Halle" hall, "Siegen" to win, "Hagen",
  "Hamm", "Wedding", "Hadern", "Tiergarten", "Hesse") count in the text only when capitalised
  and placed like a place: after "in", "aus", "nach", "bei", "Raum", "from", "near", ...; as a
  hashtag; after a postcode; or as the first half of a district name ("Essen-Steele"). In the
  ``location`` metadata, which names a place by definition, they always count.
- Adjectives from city names ("Hamburger", "Münchner", "Berliner") do not count: they are as often
  food ("Hamburger", "Berliner", "Frankfurter") as places. "Berlin-Mitte" counts as Berlin through
  "Berlin"; a bare "Mitte" does not count (it is also "the middle").
- "Frankfurt" is Frankfurt am Main unless the text says Oder ("Frankfurt (Oder)", capitalised, so
  "Frankfurt oder Köln?" is still Frankfurt am Main and Köln).
- Only the first ``MAX_SCAN_CHARS`` characters of a text are read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

MAX_SCAN_CHARS = 20_000

# Canonical name: other spellings. Umlaut-free spellings ("Koeln", "Koln") are added automatically.
# The tables are laid out by hand, several entries a line, to stay readable as tables.
# fmt: off
CITIES: dict[str, tuple[str, ...]] = {
    "Berlin": (), "Hamburg": (), "München": ("Munich",), "Köln": ("Cologne",),
    "Frankfurt am Main": ("Frankfurt", "Frankfurt Main", "Frankfurt a M", "Frankfurt on the Main",
                          "FFM"),
    "Stuttgart": (), "Düsseldorf": (), "Leipzig": (), "Dortmund": (), "Essen": (), "Bremen": (),
    "Dresden": (), "Hannover": ("Hanover",), "Nürnberg": ("Nuremberg",), "Duisburg": (),
    "Bochum": (), "Wuppertal": (), "Bielefeld": (), "Bonn": (), "Münster": (), "Mannheim": (),
    "Karlsruhe": (), "Augsburg": (), "Wiesbaden": (), "Mönchengladbach": (), "Gelsenkirchen": (),
    "Aachen": (), "Braunschweig": ("Brunswick",), "Kiel": (), "Chemnitz": (),
    "Halle (Saale)": ("Halle", "Halle an der Saale"), "Magdeburg": (),
    "Freiburg im Breisgau": ("Freiburg", "Freiburg i Br"), "Krefeld": (), "Mainz": (),
    "Lübeck": (), "Erfurt": (), "Oberhausen": (), "Rostock": (), "Kassel": (), "Hagen": (),
    "Potsdam": (), "Saarbrücken": (), "Hamm": (), "Ludwigshafen am Rhein": ("Ludwigshafen",),
    "Oldenburg": (), "Mülheim an der Ruhr": ("Mülheim",), "Osnabrück": (), "Leverkusen": (),
    "Heidelberg": (), "Darmstadt": (), "Solingen": (), "Regensburg": (), "Herne": (),
    "Paderborn": (), "Neuss": (), "Ingolstadt": (), "Offenbach am Main": ("Offenbach",),
    "Fürth": (), "Würzburg": (), "Ulm": (), "Heilbronn": (), "Pforzheim": (), "Wolfsburg": (),
    "Göttingen": (), "Bottrop": (), "Reutlingen": (), "Koblenz": (), "Bremerhaven": (),
    "Recklinghausen": (), "Erlangen": (), "Bergisch Gladbach": (), "Remscheid": (), "Jena": (),
    "Trier": (), "Salzgitter": (), "Moers": (), "Siegen": (), "Hildesheim": (), "Cottbus": (),
    "Frankfurt (Oder)": ("Frankfurt an der Oder",),
}

STATES: dict[str, tuple[str, ...]] = {
    "Baden-Württemberg": ("BaWü", "Ba-Wü"), "Bayern": ("Bavaria",), "Brandenburg": (),
    "Hessen": ("Hesse",), "Mecklenburg-Vorpommern": ("Mecklenburg-Western Pomerania", "Meck-Pomm"),
    "Niedersachsen": ("Lower Saxony",), "Nordrhein-Westfalen": ("North Rhine-Westphalia", "NRW"),
    "Rheinland-Pfalz": ("Rhineland-Palatinate", "RLP"), "Saarland": (), "Sachsen": ("Saxony",),
    "Sachsen-Anhalt": ("Saxony-Anhalt",), "Schleswig-Holstein": (), "Thüringen": ("Thuringia",),
}  # Berlin, Hamburg and Bremen are cities and states under one name: see CITIES.

DISTRICTS: dict[str, tuple[str, ...]] = {
    "Berlin": (
        "Kreuzberg", "Friedrichshain", "Prenzlauer Berg", "Prenzlberg", "Pankow", "Spandau",
        "Neukölln", "Charlottenburg", "Wilmersdorf", "Schöneberg", "Tempelhof", "Steglitz",
        "Zehlendorf", "Treptow", "Köpenick", "Marzahn", "Hellersdorf", "Lichtenberg",
        "Reinickendorf", "Moabit", "Wedding", "Tegel", "Weißensee", "Friedrichshagen", "Britz",
        "Rudow", "Lichtenrade", "Mariendorf", "Dahlem", "Grunewald", "Hohenschönhausen",
        "Adlershof", "Gesundbrunnen", "Tiergarten", "Wannsee", "Gropiusstadt", "Friedenau",
        "Lankwitz", "Lichterfelde", "Karlshorst", "Oberschöneweide", "Niederschöneweide",
    ),
    "Hamburg": (
        "Altona", "Ottensen", "Bahrenfeld", "Blankenese", "Othmarschen", "Nienstedten", "Lurup",
        "Osdorf", "Eimsbüttel", "Eppendorf", "Hoheluft", "Lokstedt", "Niendorf", "Stellingen",
        "Schnelsen", "Winterhude", "Barmbek", "Barmbeck", "Uhlenhorst", "Hohenfelde", "Wandsbek",
        "Rahlstedt", "Bramfeld", "Steilshoop", "Jenfeld", "Poppenbüttel", "Sasel", "Volksdorf",
        "Bergedorf", "Lohbrügge", "Allermöhe", "Harburg", "Wilhelmsburg", "Neugraben",
        "Finkenwerder", "St. Pauli", "Sankt Pauli", "St. Georg", "HafenCity", "Billstedt",
        "Veddel", "Rotherbaum", "Harvestehude", "Sternschanze", "Schanzenviertel", "Langenhorn",
        "Fuhlsbüttel", "Ohlsdorf", "Alsterdorf",
    ),
    "München": (
        "Schwabing", "Giesing", "Obergiesing", "Untergiesing", "Pasing", "Maxvorstadt",
        "Haidhausen", "Au-Haidhausen", "Bogenhausen", "Sendling", "Neuhausen", "Nymphenburg",
        "Laim", "Moosach", "Milbertshofen", "Trudering", "Riem", "Berg am Laim", "Ramersdorf",
        "Perlach", "Neuperlach", "Hadern", "Obermenzing", "Untermenzing", "Allach",
        "Feldmoching", "Freimann", "Lehel", "Isarvorstadt", "Glockenbachviertel",
        "Ludwigsvorstadt", "Schwanthalerhöhe", "Thalkirchen", "Solln", "Forstenried",
        "Fürstenried", "Harlaching", "Aubing",
    ),
}

# Spellings that are also ordinary words: they need a place-like context in the text.
AMBIGUOUS = frozenset(
    {"Essen", "Halle", "Siegen", "Hagen", "Hamm", "Wedding", "Hadern", "Tiergarten", "Hesse"}
)
# Words after which a capitalised name is a place: "in Essen", "aus Halle", "near Hamm".
_PLACE_BEFORE = frozenset(
    "in im aus nach bei um raum region stadt kreis landkreis umgebung naehe gegend ganz "
    "from near around at".split()
)
# Names whose capitalised words must be capitalised in the text too: "Oder", not "oder" ("or").
_CASED = frozenset({"Frankfurt (Oder)"})

_WORD = re.compile(r"[^\W\d_]+")
_POSTCODE_BEFORE = re.compile(r"\b\d{5}\s+$")
_DISTRICT_AFTER = re.compile(r"-[^\W\d_]")
_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_STRIP = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss"})


def _key(name: str, table: dict[int, str]) -> tuple[str, ...]:
    return tuple(_WORD.findall(name.lower().translate(table)))


def _spellings() -> Iterator[tuple[str, str]]:
    """(spelling, canonical name) for every entry of the gazetteer."""
    for table in (CITIES, STATES):
        for canonical, others in table.items():
            for spelling in (canonical, *others):
                yield spelling, canonical
    for city, districts in DISTRICTS.items():
        for district in districts:
            yield district, city


def _index() -> dict[tuple[str, ...], tuple[str, str]]:
    """Folded word tuple -> (canonical name, the spelling it came from)."""
    index: dict[tuple[str, ...], tuple[str, str]] = {}
    for spelling, canonical in _spellings():
        for table in (_FOLD, _STRIP):
            index.setdefault(_key(spelling, table), (canonical, spelling))
    return index


_INDEX = _index()
_LONGEST = max(len(key) for key in _INDEX)


def find_regions(text: str, location: str | None = None) -> list[str]:
    """Canonical region names in ``text``, then in ``location``: deduplicated, first mention first.

    >>> find_regions("Kein DSL in Hamburg-Altona seit heute", "Munich, Bavaria")
    ['Hamburg', 'München', 'Bayern']
    """
    found = _matches(text[:MAX_SCAN_CHARS], strict=True)
    if location:
        found = [*found, *_matches(location[:MAX_SCAN_CHARS], strict=False)]
    return list(dict.fromkeys(found))


def _matches(text: str, *, strict: bool) -> list[str]:
    words = list(_WORD.finditer(text))
    keys = [word.group().lower().translate(_FOLD) for word in words]
    found: list[str] = []
    i = 0
    while i < len(words):
        size, canonical = _name_at(text, words, keys, i, strict=strict)
        if canonical is not None:
            found.append(canonical)
        i += size
    return found


def _name_at(
    text: str, words: list[re.Match[str]], keys: list[str], i: int, *, strict: bool
) -> tuple[int, str | None]:
    """The longest name starting at word ``i``: (its length in words, canonical name), or
    (1, None)."""
    for size in range(min(_LONGEST, len(words) - i), 0, -1):
        entry = _INDEX.get(tuple(keys[i : i + size]))
        if entry is not None and _accepted(text, words, i, size, entry, strict=strict):
            return size, entry[0]
    return 1, None


def _accepted(
    text: str,
    words: list[re.Match[str]],
    i: int,
    size: int,
    entry: tuple[str, str],
    *,
    strict: bool,
) -> bool:
    """Whether the words ``i`` to ``i + size`` name the entry here (see the module docstring)."""
    canonical, spelling = entry
    span = words[i : i + size]
    if canonical in _CASED and any(
        written[0].isupper() and not word.group()[0].isupper()
        for written, word in zip(_WORD.findall(spelling), span, strict=True)
    ):
        return False
    if not strict or spelling not in AMBIGUOUS:
        return True
    start, end = span[0].start(), span[-1].end()
    if not text[start].isupper():
        return False
    before = text[max(0, start - 8) : start]
    after_place_word = (
        i > 0
        and words[i - 1].group().lower().translate(_FOLD) in _PLACE_BEFORE
        and not text[words[i - 1].end() : start].strip()
    )
    return (
        after_place_word
        or before.endswith("#")
        or _POSTCODE_BEFORE.search(before) is not None
        or _DISTRICT_AFTER.match(text, end) is not None
    )


def known_regions() -> list[str]:
    """Every canonical name ``find_regions`` can return."""
    return sorted({canonical for canonical, _ in _INDEX.values()})
