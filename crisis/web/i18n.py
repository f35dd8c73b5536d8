"""German and English interface text.

Each area of the app has its own catalog per language (``locales/<lang>/<area>.toml``); a key
is ``area.name`` (``queue.approve``). Both languages must have the same keys (a test checks),
so a missing translation is found before a user sees a key. Texts may hold ``{name}``
placeholders, filled by keyword. The language is the user's choice, else the browser's
``Accept-Language``, else German.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import Any

from crisis.clock import zone_label
from crisis.errors import UnknownName

LANGS = ("de", "en")
DEFAULT_LANG = "de"
Translate = Callable[..., str]


@cache
def catalog(lang: str) -> dict[str, str]:
    if lang not in LANGS:
        raise UnknownName("interface language", lang, LANGS)
    texts: dict[str, str] = {}
    folder = resources.files("crisis.web") / "locales" / lang
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".toml"):
            continue
        area = entry.name.removesuffix(".toml")
        for key, value in _flat(tomllib.loads(entry.read_text(encoding="utf-8"))).items():
            texts[f"{area}.{key}"] = value
    return texts


def translator(lang: str) -> Translate:
    texts = catalog(lang)

    def t(key: str, **values: Any) -> str:
        text = texts.get(key)
        if text is None:
            raise KeyError(f"no {lang} text for {key!r} (add it to crisis/web/locales/{lang}/)")
        if "{tz}" in text:  # a time's label: the team's time zone, as every time shows it
            values = {"tz": zone_label(), **values}
        return text.format(**values) if values else text

    return t


def action_namer(lang: str) -> Callable[[str], str]:
    """An audit action (``review_item.approved``) as the history tables show it in ``lang``;
    one without a text (a new or scenario-made action) as it is stored."""
    texts = catalog(lang)
    return lambda action: texts.get(f"base.action.{action}", action)


def pick_lang(user_lang: str | None, accept_language: str | None) -> str:
    if user_lang in LANGS:
        return str(user_lang)
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        code, _, params = part.partition(";")
        weight = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if weight > 0:  # q=0: "not this one"
            ranked.append((-weight, position, code.strip().lower()[:2]))
    return next((code for _, _, code in sorted(ranked) if code in LANGS), DEFAULT_LANG)


def _flat(table: dict[str, Any], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in table.items():
        if isinstance(value, dict):
            out.update(_flat(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = str(value)
    return out


_ENTITY = re.compile(r"^(review item|incident|post) #?(.+)$")
_STATE_AREAS = ("queue.state_", "incidents.status_", "posts.state_", "errors.state_")


def said(error: Exception, lang: str) -> str:
    """An error as the user reads it: its catalog text (``errors.<key>``) in ``lang``, with
    entities and states named in that language; the English sentence where no text exists."""
    key = getattr(error, "key", None)
    texts = catalog(lang)
    if key is None or f"errors.{key}" not in texts:
        return str(error)
    values = dict(getattr(error, "values", {}))
    if key == "invalid_transition":
        values["entity"] = _entity(str(values.get("entity", "")), texts)
        for name in ("current", "wanted"):
            values[name] = _state(str(values.get(name, "")), texts)
    return translator(lang)(f"errors.{key}", **values)


def _entity(entity: str, texts: dict[str, str]) -> str:
    found = _ENTITY.match(entity)
    if found is None:
        return texts.get(f"errors.entity_{entity.replace(' ', '_')}", entity)
    kind, ident = found.groups()
    return texts[f"errors.entity_{kind.replace(' ', '_')}"].format(id=ident)


def _state(state: str, texts: dict[str, str]) -> str:
    name = state.replace(" ", "_")
    return next((texts[a + name] for a in _STATE_AREAS if a + name in texts), state)
