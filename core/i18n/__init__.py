"""The reader's language: gettext catalogs, plural forms, and dates and numbers as they write them.

Every text in ``core`` is marked with :func:`gettext` (``_``), :func:`ngettext` for counted
words, or :func:`N_` where a string is defined before anyone reads it (a command's help line)
and translated when shown. The language is the *reader's*: :func:`reading` sets it for one turn
or one delivery (a context variable, so threads and tasks never see each other's), and every
function here follows it.

Catalogs are the ``.po`` files under ``core/i18n/locales/<lang>/LC_MESSAGES/mentorbot.po``,
read with Babel once, at first use: there is no build step, and a clean clone runs.
README's "How to add a language" has the pybabel commands.
"""

from __future__ import annotations

import gettext as _gettext
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, time, tzinfo
from functools import cache
from io import BytesIO
from pathlib import Path

from babel import Locale
from babel import dates as _dates
from babel import lists as _lists
from babel import numbers as _numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

DOMAIN = "mentorbot"
LOCALES_DIR = Path(__file__).parent / "locales"
DEFAULT_LANGUAGE = "en"
# Every language the bot speaks, with its own name for itself (what `/mentor language` lists).
LANGUAGES: dict[str, str] = {
    "en": "English",
    "de": "Deutsch",
    "fr": "Français",
    "es": "Español",
    "pt_BR": "Português (Brasil)",
}

_reader: ContextVar[str] = ContextVar("mentorbot_reader_language", default=DEFAULT_LANGUAGE)


def normalise(code: str | None) -> str | None:
    """The supported language a platform or a person names, or None.

    ``de-DE``, ``de_AT`` and ``DE`` are German; ``pt``, ``pt-PT`` fall back to ``pt_BR``, the
    only Portuguese shipped; ``en-US`` is English.
    """
    if not code:
        return None
    wanted = code.strip().replace("-", "_")
    by_lower = {c.lower(): c for c in LANGUAGES}
    if wanted.lower() in by_lower:
        return by_lower[wanted.lower()]
    lang = wanted.split("_", 1)[0].lower()
    if lang in by_lower:
        return by_lower[lang]
    return next((c for c in LANGUAGES if c.split("_", 1)[0].lower() == lang), None)


@cache
def translations(language: str) -> _gettext.NullTranslations:
    """The compiled catalog of one language (English is the source: no catalog)."""
    po = LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if language == DEFAULT_LANGUAGE or not po.exists():
        return _gettext.NullTranslations()
    with po.open("rb") as f:
        catalog = read_po(f, locale=language, domain=DOMAIN)
    mo = BytesIO()
    write_mo(mo, catalog, use_fuzzy=False)
    mo.seek(0)
    return _gettext.GNUTranslations(mo)


def language() -> str:
    """The language of whoever reads what is being written now."""
    return _reader.get()


def locale() -> Locale:
    return Locale.parse(language())


@contextmanager
def reading(code: str | None) -> Iterator[str]:
    """Write in ``code``'s language (the default one when unsupported) inside the block."""
    lang = normalise(code) or DEFAULT_LANGUAGE
    token = _reader.set(lang)
    try:
        yield lang
    finally:
        _reader.reset(token)


def gettext(message: str) -> str:
    """``message`` in the reader's language ("" stays "", never the catalog's header)."""
    return translations(language()).gettext(message) if message else message


_ = gettext


def ngettext(singular: str, plural: str, n: float) -> str:
    """The form of a counted message the reader's language uses for ``n`` (German has two,
    French treats 0 as singular, and so on). Fractions take the plural, as in English."""
    count = int(n) if float(n).is_integer() else 2
    return translations(language()).ngettext(singular, plural, count)


def N_(message: str) -> str:  # noqa: N802 - the gettext convention
    """Mark ``message`` for the catalogs without translating it yet (translated when shown)."""
    return message


def format_date(value: date | datetime, format: str = "medium") -> str:  # noqa: A002
    """A date as the reader writes it: "Mar 2, 2026", "02.03.2026", "2 mars 2026"."""
    return _dates.format_date(value, format=format, locale=language())


def format_time(value: time | datetime, format: str = "short",  # noqa: A002
                tz: tzinfo | None = None) -> str:
    return _dates.format_time(value, format=format, tzinfo=tz, locale=language())


def format_datetime(value: datetime, format: str = "medium",  # noqa: A002
                    tz: tzinfo | None = None) -> str:
    return _dates.format_datetime(value, format=format, tzinfo=tz, locale=language())


def format_day(value: date | datetime) -> str:
    """A day named the short way the reader writes it: "Wed, Mar 3", "Mi., 3. März"."""
    return _dates.format_skeleton("MMMEd", value, locale=language())


def format_day_and_time(value: datetime) -> str:
    """A day and a time, in full: "Wednesday, March 3 at 14:30"-like, per language."""
    day = _dates.format_skeleton("MMMMEEEEd", value, locale=language())
    return f"{day}, {_dates.format_time(value, format='short', locale=language())}"


def format_day_long(value: date | datetime) -> str:
    """A day in full: "Monday, June 14, 2027", "Montag, 14. Juni 2027"."""
    return _dates.format_date(value, format="full", locale=language())


def format_clock(value: time | datetime) -> str:
    """A time on the 24-hour clock, as the reader writes it: "14:30", "14 h 30" in some."""
    return _dates.format_skeleton("Hm", value, locale=language())


def format_weekday(value: date | datetime) -> str:
    """The day's name: "Monday", "Montag", "lundi"."""
    return _dates.format_date(value, "EEEE", locale=language())


def format_number(value: float) -> str:
    """A number with the reader's separators: "1,234.5", "1.234,5", "1 234,5"."""
    if float(value).is_integer() and -1000 < value < 1000:
        # Every language here writes small whole numbers in plain digits; Babel's formatter
        # costs tens of microseconds, and explanations count thousands of them.
        return str(int(value))
    return _numbers.format_decimal(value, locale=language())


def format_decimal(value: float, pattern: str = "0.00") -> str:
    """A number with a fixed number of decimals ("0.83", "0,83"): scores and ratios."""
    return _numbers.format_decimal(value, format=pattern, locale=language())


def format_percent(value: float) -> str:
    return _numbers.format_percent(value, locale=language())


def format_money(value: float, currency: str = "USD") -> str:
    """A whole amount of money as the reader writes it: "$50,000", "50.000 $", "US$ 50.000".

    Amounts here are estimates and assumptions in whole units, so no cents: the locale's own
    currency pattern, with its decimals dropped. A symbol ("$") is read as US dollars.
    """
    code = "USD" if currency == "$" else currency
    pattern = locale().currency_formats["standard"].pattern
    whole = re.sub(r"0[.,]0+", "0", pattern)
    return _numbers.format_currency(round(value), code, format=whole, locale=language(),
                                    currency_digits=False)


def format_list(items: list[str], style: str = "standard") -> str:
    """Items joined as the reader joins them: "A, B and C", "A, B oder C" (``style="or"``)."""
    return _lists.format_list(items, style=style, locale=language())  # type: ignore[arg-type]


def bcp47(code: str | None = None) -> str:
    """A language code as HTML's ``lang`` attribute wants it: "pt-BR", not "pt_BR"."""
    return (code or language()).replace("_", "-")


def language_name(code: str) -> str:
    return LANGUAGES.get(code, code)


def language_in_sentence(code: str) -> str:
    """The language's own name as it is written inside a sentence: "en français", "auf
    Deutsch" (the list of choices capitalises them, as menus do)."""
    try:
        return Locale.parse(code).get_display_name(code) or language_name(code)
    except (ValueError, LookupError):
        return language_name(code)
