"""Which language a person reads, and `/mentor language` to choose it.

A person's choice wins; else the language their chat platform reports (Slack's users.info
locale, the Teams activity's ``locale``); else the workspace default (``DEFAULT_LANGUAGE``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from core import i18n
from core.enrollment.texts import prefix
from core.events import Intent, Reply
from core.i18n import LANGUAGES, N_, normalise
from core.i18n import gettext as _
from core.models import Person
from core.routing import Command, Routes, Turn
from core.ui import Context, Message, Section

_workspace_default: ContextVar[str] = ContextVar("mentorbot_workspace_language",
                                                default=i18n.DEFAULT_LANGUAGE)
# Words that drop a person's choice, so their platform's language (or the default) applies.
AUTOMATIC = ("auto", "default", "reset")


def reader_language(person: Person | None, default: str = i18n.DEFAULT_LANGUAGE) -> str:
    """The language to write to ``person`` in."""
    if person is not None:
        for code in (person.language, person.platform_language):
            if (found := normalise(code)) is not None:
                return found
    return normalise(default) or i18n.DEFAULT_LANGUAGE


@contextmanager
def in_workspace(default: str) -> Iterator[None]:
    """Inside the block, people with no language of their own read ``default``
    (``Mentorbot`` sets it around each event and tick from ``DEFAULT_LANGUAGE``)."""
    token = _workspace_default.set(normalise(default) or i18n.DEFAULT_LANGUAGE)
    try:
        yield
    finally:
        _workspace_default.reset(token)


@contextmanager
def writing_to(person: Person | None) -> Iterator[str]:
    """Write in ``person``'s language inside the block: for a DM to someone other than the
    one who acted (a mentor asked by a mentee reads their own language)."""
    with i18n.reading(reader_language(person, _workspace_default.get())) as code:
        yield code


def shared_language(people: list[Person]) -> str:
    """The language of a message several people read: theirs if they share one, else the
    workspace default."""
    default = _workspace_default.get()
    found = {reader_language(p, default) for p in people}
    return found.pop() if len(found) == 1 else default


def remember_platform_language(person: Person, code: str) -> None:
    """Keep the language the platform reported, when it is one the bot speaks."""
    found = normalise(code)
    if found is not None and person.platform_language != found:
        person.platform_language = found


def _available(platform: str) -> list[str]:
    p = prefix(platform)
    return [f"`{p} language {code}` – {name}" for code, name in LANGUAGES.items()]


def language_help(platform: str, note: str = "") -> Message:
    """What language the person reads now and how to change it (in that language)."""
    current = i18n.language_in_sentence(i18n.language())
    head = _("I write to you in *{language}*.").format(language=current)
    lines = _available(platform)
    tip = _("`{command}` goes back to your chat app's language.").format(
        command=f"{prefix(platform)} language auto")
    body = _("Choose another language:") + "\n" + "\n".join(lines)
    blocks = ([Section(note)] if note else []) + [Section(head), Section(body), Context([tip])]
    text = "\n".join(([note] if note else []) + [head, body, tip])
    return Message(text=text, blocks=blocks)


def language_set(platform: str, chosen: bool) -> Message:
    if chosen:
        text = _("From now on I'll write to you in {language}.").format(
            language=i18n.language_in_sentence(i18n.language()))
    else:
        text = _("From now on I'll write to you in your chat app's language: {language}.").format(
            language=i18n.language_in_sentence(i18n.language()))
    tip = _("Change it any time with `{command}`.").format(
        command=f"{prefix(platform)} language")
    return Message(text=f"{text} {tip}", blocks=[Section(text), Context([tip])])


def _language(turn: Turn, _word: str, arg: str) -> list[Intent]:
    wanted = arg.strip()
    if not wanted:
        return [Reply(language_help(turn.platform))]
    if wanted.lower() in AUTOMATIC:
        turn.person.language = None
        with i18n.reading(reader_language(turn.person, turn.default_language)):
            return [Reply(language_set(turn.platform, chosen=False))]
    code = normalise(wanted)
    if code is None:
        note = _("Sorry, I don't speak “{code}” yet.").format(code=wanted[:20])
        return [Reply(language_help(turn.platform, note))]
    turn.person.language = code
    with i18n.reading(code):
        return [Reply(language_set(turn.platform, chosen=True))]


ROUTES = Routes(
    "language",
    commands=(
        Command("language", _language, "language [code]",
                N_("read me in another language (en, de, fr, es, pt_BR)"), ("lang",), 105),
    ),
)
