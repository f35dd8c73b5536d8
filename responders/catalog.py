"""The team's reply wordings, read from one TOML file per language and compiled.

The files are the team's to edit, so they are checked as they are read: a missing service name,
table or broken template fails at startup with the file and wording it is in, not later in front
of a customer. Wordings render in Jinja's sandbox with strict undefined variables, so a typo is a
``TemplateError`` and never a blank or a peek into Python objects.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from crisis.domain import Service
from crisis.errors import TemplateError
from crisis.states import INCIDENT_STATES

BERLIN = ZoneInfo("Europe/Berlin")
REQUIRED_SITUATIONS = (
    "outage_suspected",
    "outage_incident",
    "outage_monitoring",
    "outage_no_incident",
    "complaint",
    "resolved_follow_up",
)
# The wording an incident reply takes at each stage (``outage_incident`` for the others): while
# only suspected we look into it and claim nothing; while monitoring it should work again.
STAGE_SITUATIONS = {"suspected": "outage_suspected", "monitoring": "outage_monitoring"}
HALF_HOUR = 30
OPTIONAL_SITUATIONS = ("question", "praise")
_LANG_FILE = re.compile(r"[a-z]{2,3}")
_ENV = SandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=False)


@dataclass(frozen=True, slots=True)
class Wording:
    """One compiled template; ``name`` (``"de/outage_incident#2"``) appears in errors."""

    name: str
    template: jinja2.Template

    def render(self, **values: object) -> str:
        try:
            text = self.template.render(values)
        except jinja2.TemplateError as exc:
            raise TemplateError(f"{self.name}: {exc.message or exc}") from exc
        except Exception as exc:  # a template is code the team writes: any failure is a template's
            raise TemplateError(f"{self.name}: {type(exc).__name__}: {exc}") from exc
        lines = (" ".join(line.split()) for line in text.splitlines())
        return "\n".join(line for line in lines if line)


@dataclass(frozen=True, slots=True)
class Catalog:
    """One language file, read and compiled."""

    lang: str
    services: Mapping[Service, str]
    outages: Mapping[Service, str]  # "DSL-Störung": the outage named as people say it
    statuses: Mapping[str, str]  # incident state -> the customer-facing phrase
    region_names: Mapping[str, str]  # canonical (German) region name -> this language's name
    and_word: str
    more_regions: str
    weekdays: tuple[str, ...]
    months: tuple[str, ...]
    near_days: tuple[str, ...]  # ("heute", "morgen"): optional, [dates] near_days
    dayparts: tuple[str, ...]  # 0-4, 5-10, 11-13, 14-17, 18-22, 23 h: optional, [dates] dayparts
    greeting: Wording
    apology: Wording
    eta: Wording
    situations: Mapping[str, tuple[Wording, ...]]
    reviews: Mapping[str, tuple[str, ...]]  # a reader's note per wording, from ``reviews``


def load_catalogs(directory: Traversable, overrides: Path | None = None) -> dict[str, Catalog]:
    """Every ``<lang>.toml`` in ``directory``, compiled, so a broken file fails at startup.
    A ``<lang>.toml`` in ``overrides`` (the team's edits, e.g. from the web app) replaces the
    tables it has: ``[outage_incident]`` there replaces that table's keys, the rest stay."""
    catalogs: dict[str, Catalog] = {}
    for lang, data in read_sources(directory, overrides).items():
        catalogs[lang] = _parse_catalog(lang, data)
    if not catalogs:
        raise TemplateError(f"no template files (<lang>.toml) in {directory}")
    return catalogs


def read_sources(
    directory: Traversable, overrides: Path | None = None
) -> dict[str, dict[str, Any]]:
    """The template files' data by language, with the overrides laid over them."""
    merged = _read_dir(directory)
    if overrides is not None and overrides.is_dir():
        for lang, data in _read_dir(overrides).items():
            base = merged.setdefault(lang, {})
            for key, value in data.items():
                if isinstance(value, dict) and isinstance(base.get(key), dict):
                    kept = base[key]
                    if "wordings" in value and "reviews" not in value:
                        # the notes were on the packaged wordings, not on the team's edit
                        kept = {k: v for k, v in kept.items() if k != "reviews"}
                    base[key] = {**kept, **value}
                else:
                    base[key] = value
    return merged


def _read_dir(directory: Traversable) -> dict[str, dict[str, Any]]:
    try:
        entries = sorted(directory.iterdir(), key=lambda entry: entry.name)
        files = {e.name: e.read_text(encoding="utf-8") for e in entries if e.name.endswith(".toml")}
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateError(f"cannot read templates in {directory}: {exc}") from exc
    found: dict[str, dict[str, Any]] = {}
    for file_name, source in files.items():
        lang = file_name.removesuffix(".toml")
        if not _LANG_FILE.fullmatch(lang):
            raise TemplateError(f"{file_name}: name template files by language code, e.g. de.toml")
        try:
            found[lang] = tomllib.loads(source)
        except tomllib.TOMLDecodeError as exc:
            raise TemplateError(f"{directory}/{file_name}: {exc}") from exc
    return found


def _parse_catalog(lang: str, data: Mapping[str, Any]) -> Catalog:
    services, words = _table(data, "services", lang), _table(data, "words", lang)
    statuses = _table(data, "statuses", lang)
    dates, phrases = _table(data, "dates", lang), _table(data, "phrases", lang)
    outages = _table(data, "outages", lang)
    situations: dict[str, tuple[Wording, ...]] = {}
    reviews: dict[str, tuple[str, ...]] = {}
    for situation in (*REQUIRED_SITUATIONS, *OPTIONAL_SITUATIONS):
        if situation in REQUIRED_SITUATIONS or situation in data:
            where = f"{lang}/{situation}"
            table = _table(data, situation, lang)
            texts = _texts(table, "wordings", where)
            situations[situation] = tuple(
                _compile(f"{where}#{number}", text) for number, text in enumerate(texts, start=1)
            )
            if "reviews" in table:
                reviews[situation] = _texts(table, "reviews", where, count=len(texts))
    return Catalog(
        lang=lang,
        services={service: _text(services, service.value, lang) for service in Service},
        outages={s: _text(outages, s.value, f"{lang} [outages]") for s in Service},
        statuses={state: _text(statuses, state, f"{lang} [statuses]") for state in INCIDENT_STATES},
        region_names=_region_names(data, lang),
        and_word=_text(words, "and", lang),
        more_regions=_text(words, "more_regions", lang),
        weekdays=_texts(dates, "weekdays", lang, count=7),
        months=_texts(dates, "months", lang, count=12),
        near_days=_texts(dates, "near_days", lang, count=2) if "near_days" in dates else (),
        dayparts=_texts(dates, "dayparts", lang, count=6) if "dayparts" in dates else (),
        greeting=_compile(f"{lang}/greeting", _text(phrases, "greeting", lang)),
        apology=_compile(f"{lang}/apology", _text(phrases, "apology", lang)),
        eta=_compile(f"{lang}/eta", _text(dates, "eta", lang)),
        situations=situations,
        reviews=reviews,
    )


def _region_names(data: Mapping[str, Any], lang: str) -> dict[str, str]:
    """The optional ``[regions]`` table; regions not in it keep their canonical name."""
    table = data.get("regions", {})
    if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
        raise TemplateError(f"{lang}.toml: [regions] must map region names to text")
    return dict(table)


def _table(data: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    value = data.get(key)
    if not isinstance(value, dict):
        raise TemplateError(f"{where}: missing table [{key}]")
    return value


def _text(table: Mapping[str, Any], key: str, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise TemplateError(f"{where}: {key} must be a non-empty string")
    return value


def _texts(table: Mapping[str, Any], key: str, where: str, count: int = 0) -> tuple[str, ...]:
    value = table.get(key)
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(item, str) and item.strip() for item in value)
        or (count and len(value) != count)
    ):
        raise TemplateError(f"{where}: {key} must be a list of {count or 'some'} non-empty strings")
    return tuple(value)


def _compile(name: str, source: str) -> Wording:
    try:
        return Wording(name, _ENV.from_string(source))
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"{name}: line {exc.lineno}: {exc.message}") from exc


DAYPART_STARTS = (5, 11, 14, 18, 23)  # hours where the next of [dates] dayparts begins


def format_eta(catalog: Catalog, eta: datetime, as_of: datetime | None = None) -> str:
    """``eta`` in Berlin time, rounded to the half hour as people say it ("heute Abend gegen
    18 Uhr", "Samstag gegen 18 Uhr", not "21:47 Uhr": an estimate to the minute promises what
    nobody knows). ``near_day`` is "heute" or "morgen" seen from ``as_of``, else empty."""
    if eta.utcoffset() is None:
        raise TemplateError(f"incident eta must carry a timezone offset, got {eta.isoformat()}")
    local = eta.astimezone(BERLIN)
    minutes = (local.minute + HALF_HOUR // 2) // HALF_HOUR * HALF_HOUR
    local = local.replace(minute=0, second=0, microsecond=0) + timedelta(minutes=minutes)
    half = f":{local.minute:02d}" if local.minute else ""
    day = ""
    part = sum(local.hour >= start for start in DAYPART_STARTS)
    if as_of is not None and catalog.near_days:
        ahead = (local.date() - as_of.astimezone(BERLIN).date()).days
        if ahead == 1 and part == 0:
            ahead = 0  # 1 am after an evening is "heute Nacht", not "morgen Nacht"
        day = catalog.near_days[ahead] if 0 <= ahead < len(catalog.near_days) else ""
    return catalog.eta.render(
        near_day=day,
        daypart=catalog.dayparts[part] if catalog.dayparts else "",
        time=f"{local.hour}{half}",
        time12=f"{local.hour % 12 or 12}{half} {'am' if local.hour < 12 else 'pm'}",
        weekday=catalog.weekdays[local.weekday()],
        day=str(local.day),
        dd=f"{local.day:02d}",
        month=catalog.months[local.month - 1],
        mm=f"{local.month:02d}",
        hh=f"{local.hour:02d}",
        h12=str(local.hour % 12 or 12),
        mi=f"{local.minute:02d}",
        ampm="am" if local.hour < 12 else "pm",
    )
