"""German and English: the same keys in both languages, and every text a page asks for exists."""

from __future__ import annotations

import re
import string
import tomllib
from importlib import resources

import pytest

from crisis.web.i18n import LANGS, _flat, catalog, pick_lang, translator

LOCALES = resources.files("crisis.web") / "locales"
TEMPLATES = resources.files("crisis.web") / "templates"
# t('area.key') and t("area.key", n=1): literal keys only (t('base.role_' ~ role) is dynamic)
T_CALL = re.compile(r"""\bt\(\s*(['"])([\w.]+)\1\s*[,)]""")
# the dynamic ones: a literal prefix joined with ~
T_PREFIX = re.compile(r"""\bt\(\s*(['"])([\w.]+)\1\s*~""")


def _areas(lang: str) -> dict[str, dict[str, str]]:
    folder = LOCALES / lang
    return {
        entry.name.removesuffix(".toml"): _flat(tomllib.loads(entry.read_text("utf-8")))
        for entry in folder.iterdir()
        if entry.name.endswith(".toml")
    }


def _template_sources() -> dict[str, str]:
    return {
        entry.name: entry.read_text("utf-8")
        for entry in TEMPLATES.iterdir()
        if entry.name.endswith(".j2")
    }


def test_both_languages_have_the_same_area_files():
    assert set(_areas("de")) == set(_areas("en"))
    assert {"auth", "base", "admin"} <= set(_areas("de"))


@pytest.mark.parametrize("area", sorted(_areas("de")))
def test_each_area_has_the_same_keys_in_german_and_english(area):
    german, english = _areas("de")[area], _areas("en")[area]
    assert sorted(set(german) - set(english)) == [], "German only"
    assert sorted(set(english) - set(german)) == [], "English only"


@pytest.mark.parametrize("area", sorted(_areas("de")))
def test_placeholders_match_between_languages(area):
    german, english = _areas("de")[area], _areas("en")[area]
    for key in german:
        names_de = {f for _, f, _, _ in string.Formatter().parse(german[key]) if f}
        names_en = {f for _, f, _, _ in string.Formatter().parse(english[key]) if f}
        assert names_de == names_en, f"{area}.{key}"
        assert german[key].strip() and english[key].strip(), f"{area}.{key} is empty"


def test_every_text_a_template_asks_for_exists_in_both_languages():
    used: dict[str, set[str]] = {}
    for name, source in _template_sources().items():
        for _, key in T_CALL.findall(source):
            used.setdefault(key, set()).add(name)
    assert len(used) > 20  # the pattern finds the calls (a broken regex finds none)
    for lang in LANGS:
        texts = catalog(lang)
        missing = {key: sorted(where) for key, where in used.items() if key not in texts}
        assert missing == {}, f"missing in {lang}"


def test_every_dynamic_text_prefix_has_texts():
    for name, source in _template_sources().items():
        for _, prefix in T_PREFIX.findall(source):
            for lang in LANGS:
                assert any(k.startswith(prefix) for k in catalog(lang)), (name, prefix, lang)


def test_the_role_and_language_names_exist_for_every_role_and_language():
    from crisis.accounts import LANGS as USER_LANGS
    from crisis.accounts import ROLES

    for lang in LANGS:
        t = translator(lang)
        for role in ROLES:
            assert t(f"base.role_{role}")
        for code in USER_LANGS:
            assert t(f"admin.lang_{code}")


def test_a_missing_text_says_where_to_add_it():
    with pytest.raises(KeyError, match="crisis/web/locales/en/"):
        translator("en")("admin.no_such_text")


def test_placeholders_are_filled_by_name():
    assert translator("en")("admin.added", name="anna") == "anna was added."
    assert translator("de")("admin.added", name="anna") == "anna ist angelegt."


@pytest.mark.parametrize(
    ("chosen", "header", "expected"),
    [
        ("en", "de-DE,de;q=0.9", "en"),  # the user's choice wins
        (None, "en-US,en;q=0.9", "en"),
        (None, "fr-FR,en;q=0.5", "en"),  # the first language we have
        (None, "fr-FR", "de"),
        (None, None, "de"),
        ("xx", "en", "en"),
        (None, "de;q=0.3, en;q=0.9", "en"),  # by weight, not by position
        (None, "en;q=0, de", "de"),
        (None, "en-US;q=abc, de;q=0.5", "de"),
    ],
)
def test_the_language_is_the_users_choice_then_the_browsers_then_german(chosen, header, expected):
    assert pick_lang(chosen, header) == expected


def test_switching_the_language_keeps_the_page_and_its_filters(client):
    from tests.crisis.web.webtools import sign_in

    csrf = sign_in(client, "lena")
    page = client.get("/queue?state=approved&platform=x")
    back = re.search(r'name="back" value="([^"]+)"', page.text)
    assert back is not None
    switched = client.post(
        "/lang",
        data={"csrf_token": csrf, "lang": "en", "back": back.group(1).replace("&amp;", "&")},
        follow_redirects=False,
    )
    assert switched.headers["location"] == "/queue?state=approved&platform=x"


def test_the_german_interface_addresses_the_user_formally_on_every_page():
    informal = re.compile(r"\b(du|dich|dir|dein\w*)\b", re.IGNORECASE)
    found = {key: text for key, text in catalog("de").items() if informal.search(text)}
    assert found == {}
