"""The catalogs: every marked message translated in every language, placeholders intact."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from core import i18n
from core.i18n.extract import TEMPLATE, template

SHIPPED = [code for code in i18n.LANGUAGES if code != i18n.DEFAULT_LANGUAGE]
# str.format fields ({name}, {n:g}) and %-style (%(name)s, %d).
PLACEHOLDER = re.compile(r"\{[^{}]*\}|%\([a-z_]+\)[sdif]|%[sdif]")


def _po(code: str) -> Path:
    return i18n.LOCALES_DIR / code / "LC_MESSAGES" / f"{i18n.DOMAIN}.po"


@pytest.fixture(scope="module")
def extracted():
    return template()


def _catalog(code: str):
    with _po(code).open("rb") as f:
        return read_po(f, locale=code)


def _key(message) -> str:
    return message.id[0] if isinstance(message.id, tuple) else message.id


def _placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def test_every_language_the_bot_offers_has_a_catalog() -> None:
    assert i18n.DEFAULT_LANGUAGE == "en"
    assert set(SHIPPED) == {"de", "fr", "es", "pt_BR"}
    for code in SHIPPED:
        assert _po(code).exists(), code


def test_the_committed_template_is_what_the_source_marks(extracted) -> None:
    with TEMPLATE.open("rb") as f:
        committed = read_po(f)
    missing = sorted({_key(m) for m in extracted if m.id} - {_key(m) for m in committed if m.id})
    assert not missing, ("run `python -m core.i18n.extract` and `pybabel update` "
                         f"(README: How to add a language): {missing}")


@pytest.mark.parametrize("code", SHIPPED)
def test_each_catalog_translates_every_message(code: str, extracted) -> None:
    catalog = _catalog(code)
    gaps = []
    for message in extracted:
        if not message.id:
            continue
        found = catalog.get(message.id)
        strings = ([] if found is None else
                   list(found.string) if isinstance(found.string, tuple) else [found.string])
        if found is None or not strings or not all(strings) or found.fuzzy:
            gaps.append(_key(message))
        elif isinstance(message.id, tuple) != isinstance(found.id, tuple):
            gaps.append(f"{_key(message)} (plural in one, not in the other)")
    assert not gaps, f"{code} lacks {len(gaps)} translations: {gaps}"


@pytest.mark.parametrize("code", SHIPPED)
def test_each_translation_keeps_every_placeholder(code: str) -> None:
    broken = []
    for message in _catalog(code):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        wanted = set().union(*(_placeholders(i) for i in ids))
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        for n, form in enumerate(forms):
            if _placeholders(form) != wanted:
                broken.append((_key(message), n, sorted(wanted), sorted(_placeholders(form))))
    assert not broken, broken


@pytest.mark.parametrize("code", SHIPPED)
def test_translations_keep_markdown_and_commands(code: str) -> None:
    """Bold stays bold, and anything in backticks (commands) reads the same."""
    for message in _catalog(code):
        if not message.id or isinstance(message.id, tuple):
            continue
        assert message.id.count("*") == message.string.count("*"), message.id
        assert re.findall(r"`[^`]*`", message.id) == re.findall(r"`[^`]*`", message.string), \
            message.id


def test_plural_forms_follow_each_language() -> None:
    from core.ui.words import count
    forms = {}
    for code in ("en", "de", "fr", "es", "pt_BR"):
        with i18n.reading(code):
            forms[code] = [count(n, "working hour", "working hours") for n in (0, 1, 2, 5)]
    assert forms["en"] == ["0 working hours", "1 working hour", "2 working hours",
                           "5 working hours"]
    assert forms["de"] == ["0 Arbeitsstunden", "1 Arbeitsstunde", "2 Arbeitsstunden",
                           "5 Arbeitsstunden"]
    # French counts zero as singular.
    assert forms["fr"] == ["0 heure de travail", "1 heure de travail", "2 heures de travail",
                           "5 heures de travail"]
    assert forms["es"][:2] == ["0 horas laborales", "1 hora laboral"]
    assert forms["pt_BR"][:2] == ["0 hora de trabalho", "1 hora de trabalho"]
    with i18n.reading("de"):
        assert count(1.5, "working hour", "working hours") == "1,5 Arbeitsstunden"
        assert count(12345, "working hour", "working hours") == "12.345 Arbeitsstunden"


def test_dates_times_and_numbers_are_written_the_readers_way() -> None:
    from datetime import UTC, date, datetime
    day = date(2027, 3, 2)
    at = datetime(2027, 3, 2, 16, 5, tzinfo=UTC)
    seen = {}
    for code in ("en", "de", "fr", "es", "pt_BR"):
        with i18n.reading(code):
            seen[code] = (i18n.format_date(day), i18n.format_weekday(day),
                          i18n.format_time(at), i18n.format_number(1234.5))
    assert seen["en"] == ("Mar 2, 2027", "Tuesday", "4:05\u202fPM", "1,234.5")
    assert seen["de"] == ("02.03.2027", "Dienstag", "16:05", "1.234,5")
    assert seen["fr"][:3] == ("2 mars 2027", "mardi", "16:05")
    assert seen["fr"][3].replace("\u202f", " ") == "1 234,5"
    assert seen["es"][:2] == ("2 mar 2027", "martes")
    assert seen["pt_BR"][:2] == ("2 de mar. de 2027", "terça-feira")


def test_platform_codes_find_the_language_the_bot_speaks() -> None:
    assert i18n.normalise("de-DE") == "de"
    assert i18n.normalise("de_AT") == "de"
    assert i18n.normalise("FR-ca") == "fr"
    assert i18n.normalise("pt-BR") == "pt_BR"
    assert i18n.normalise("pt-PT") == "pt_BR"
    assert i18n.normalise("en-US") == "en"
    assert i18n.normalise("ja-JP") is None
    assert i18n.normalise("") is None
    with i18n.reading("xx"):
        assert i18n.language() == "en"


def test_no_marked_message_hides_inside_an_f_string() -> None:
    """Extraction can't see ``_()`` inside an f-string: such a text would never be translated."""
    import ast
    names = {"_", "gettext", "ngettext", "N_"}
    hidden = []
    for path in sorted((Path(i18n.__file__).parents[1]).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.JoinedStr):
                continue
            for inner in ast.walk(node):
                if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name) \
                        and inner.func.id in names and inner.args \
                        and all(isinstance(a, ast.Constant) for a in inner.args[-2:]) \
                        and any(isinstance(a, ast.Constant) and isinstance(a.value, str)
                                for a in inner.args):
                    hidden.append(f"{path.name}:{inner.lineno}")
    assert not hidden, hidden
