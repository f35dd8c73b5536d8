"""The team's edits to reply wordings, kept beside the packaged files.

An edit is saved only after the whole language file, edit included, loads and every wording of
the edited situation renders with sample facts (all facts known, and none of the optional ones)
in the sandbox with strict undefined variables: a typo is refused with its message before a
customer could see it. Edits live in ``<overrides>/<lang>.toml`` (the tables it has replace the
packaged ones), written whole and swapped in atomically.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from crisis.domain import CommentView, IncidentFacts, Labels, Sentiment, Service
from crisis.errors import TemplateError
from responders.catalog import read_sources
from responders.templates import PACKAGED, TemplateResponder

MAX_WORDING = 2000
TRIES = 64  # comment ids per check: the rotation reaches every wording well before
HEADER = (
    "# Reply wordings edited in the web app (crisis). They replace the packaged tables of the\n"
    "# same name; delete a table here to go back to the packaged one. Comments are not kept.\n"
)
_FULL = IncidentFacts(
    id=1, service=Service.MOBILE, regions=("Berlin", "Hamburg", "München", "Köln"),
    status="identified", public_status="Ein Sendemast ist ausgefallen.",
    eta=datetime(2017, 5, 13, 16, 0, tzinfo=UTC), status_url="https://status.example/",
)  # fmt: skip
_BARE = IncidentFacts(
    id=1, service=Service.OTHER, regions=(), status="investigating", public_status=None, eta=None,
    status_url=None,
)  # fmt: skip


def wordings(overrides: Path | None) -> dict[str, dict[str, list[str]]]:
    """Each language's wordings by situation as written (edits included)."""
    return {
        lang: {
            key: [str(text) for text in table["wordings"]]
            for key, table in data.items()
            if isinstance(table, dict) and isinstance(table.get("wordings"), list)
        }
        for lang, data in read_sources(PACKAGED, overrides).items()
    }


def edited(overrides: Path | None) -> dict[str, set[str]]:
    """The situations each language has edits for."""
    if overrides is None or not overrides.is_dir():
        return {}
    return {
        lang: {key for key, table in data.items() if isinstance(table, dict)}
        for lang, data in read_sources(_EMPTY, overrides).items()
    }


def save_wording(
    overrides: Path, *, lang: str, situation: str, number: int, text: str, brand: str
) -> str | None:
    """Set wording ``number`` (1-based; one past the last adds a wording) of ``situation``;
    returns the text it replaced. Raises ``TemplateError`` (and saves nothing) if it fails."""
    text = text.replace("\r\n", "\n").strip()
    if not text:
        raise TemplateError(f"{lang}/{situation}#{number}: a wording needs some text")
    if len(text) > MAX_WORDING:
        raise TemplateError(f"{lang}/{situation}#{number}: at most {MAX_WORDING} characters")
    current = wordings(overrides).get(lang, {})
    if situation not in current:
        raise TemplateError(f"{lang}: no situation {situation!r} (known: {sorted(current)})")
    texts = list(current[situation])
    if not 1 <= number <= len(texts) + 1:
        raise TemplateError(f"{lang}/{situation}: no wording #{number}")
    before = texts[number - 1] if number <= len(texts) else None
    texts[number - 1 : number] = [text]
    own = _own(overrides, lang)
    own[situation] = {**own.get(situation, {}), "wordings": texts}
    _check(own, lang, situation, brand)
    _write(overrides, lang, own)
    return before


def reset_situation(overrides: Path, *, lang: str, situation: str) -> list[str]:
    """Drop the edits of ``situation``: the packaged wordings apply again; returns the edits."""
    own = _own(overrides, lang)
    dropped = own.pop(situation, None)
    if not isinstance(dropped, dict):
        raise TemplateError(f"{lang}/{situation}: has no edits")
    _write(overrides, lang, own)
    return [str(text) for text in dropped.get("wordings", [])]


def _own(overrides: Path, lang: str) -> dict[str, Any]:
    return read_sources(_EMPTY, overrides).get(lang, {}) if overrides.is_dir() else {}


def _check(own: Mapping[str, Any], lang: str, situation: str, brand: str) -> None:
    """Load the language with the edit and render every wording of ``situation``."""
    # render while the scratch folder exists: a responder re-reads its edits when they change
    with tempfile.TemporaryDirectory() as scratch:
        (Path(scratch) / f"{lang}.toml").write_text(_dump(own), encoding="utf-8")
        responder = TemplateResponder(overrides_dir=Path(scratch), brand=brand)
        for facts, author, mood in ((_FULL, "Sabine K.", Sentiment.NEGATIVE),
                                    (_BARE, "", Sentiment.NEUTRAL)):  # fmt: skip
            if situation == "resolved_follow_up":
                facts = replace(facts, status="resolved")
            labels = Labels("check", True, 1.0, facts.service, mood, lang=lang)
            for platform in ("facebook", "x"):
                for comment_id in range(1, TRIES + 1):
                    comment = CommentView(comment_id, platform, author, "", lang)
                    responder.respond(comment, labels, facts, situation=situation)


def _write(overrides: Path, lang: str, data: Mapping[str, Any]) -> None:
    overrides.mkdir(parents=True, exist_ok=True)
    target = overrides / f"{lang}.toml"
    if not data:
        target.unlink(missing_ok=True)
        return
    handle, temporary = tempfile.mkstemp(dir=overrides, prefix=f".{lang}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(_dump(data))
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _dump(data: Mapping[str, Any]) -> str:
    """TOML for the shapes template files have: tables of strings and lists of strings."""
    plain = [f"{_key(k)} = {_value(v)}" for k, v in data.items() if not isinstance(v, dict)]
    lines = [HEADER, *plain]
    for key, table in data.items():
        if isinstance(table, dict):
            lines.append(f"\n[{_key(key)}]")
            lines.extend(f"{_key(k)} = {_value(v)}" for k, v in table.items())
    return "\n".join(lines) + "\n"


def _key(key: str) -> str:
    return key if key.replace("_", "").replace("-", "").isalnum() and key.isascii() else _str(key)


def _value(value: Any) -> str:
    if isinstance(value, str):
        return _str(value)
    if isinstance(value, list):
        return "[\n" + "".join(f"    {_value(item)},\n" for item in value) + "]"
    if isinstance(value, bool | int | float):
        return json.dumps(value)
    raise TemplateError(f"cannot write {type(value).__name__} values in a template file")


def _str(text: str) -> str:
    # JSON's string escapes are valid in TOML's basic strings; TOML also forbids a raw DEL
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


class _Nowhere:
    """An empty template folder: what ``read_sources`` lays the overrides over."""

    name = "(none)"

    def iterdir(self) -> list[Any]:
        return []


_EMPTY: Any = _Nowhere()
