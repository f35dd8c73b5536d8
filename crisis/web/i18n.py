"""German and English interface text.

Each area of the app has its own catalog per language (``locales/<lang>/<area>.toml``); a key
is ``area.name`` (``queue.approve``). Both languages must have the same keys (a test checks),
so a missing translation is found before a user sees a key. Texts may hold ``{name}``
placeholders, filled by keyword. The language is the user's choice, else the browser's
``Accept-Language``, else German.
"""

from __future__ import annotations

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
