"""The web chat page's own words (its "chrome": the header, picker, input, button and the
explanations the page gives itself), in the language of the person chatting.

The bot's messages come from core in the reader's language already; these are the page's. They
are catalog messages like every other (``python -m core.i18n.extract`` reads this module), read
through ``core.i18n``: the page asks for them again whenever the person or their language
changes (``/webchat/api/words``).
"""

from __future__ import annotations

from html import escape

from core import i18n
from core.i18n import N_
from core.i18n import gettext as _

# Keys the page's script uses, and the English msgid of each. {placeholders} are filled in by
# the script with text it escapes (a status code, an error it was sent).
CHROME: dict[str, str] = {
    "title": N_("Mentorbot – local chat"),
    "heading": N_("Mentorbot · local chat"),
    "chatting_as": N_("Chatting as"),
    "pick": N_("Type a name to pick someone…"),
    "people": N_("Demo people"),
    "message": N_("Message"),
    "send": N_("Send"),
    # Translators: the badge beside an admin's name in the web chat's person picker.
    "admin": N_("admin"),
    "nobody": N_("Nobody by that name"),
    "refused": N_("Mentorbot refused that: {error}."),
    "too_long": N_("That message is too long for the chat: shorten it and send it again."),
    "not_understood": N_("That request was not understood: reload the page and try again."),
    "went_wrong": N_("Something went wrong (HTTP {status}). Try again, or reload the page."),
    "submitted": N_("Submitted"),
    "password": N_("Demo password"),
    "unavailable": N_("The web chat is not available."),
    "no_people": N_("No people yet: run mentorbot demo"),
}
NOT_ANSWERING = N_("Mentorbot is not answering: is {command} still running?")
WELCOME = N_("Pick a demo person above (type to search), then type {join}, {status} or {help}.")
WELCOME_ADMINS = N_("Chat as {admins} (marked {badge}) to try admin commands such as {command}.")


def _code(text: str) -> str:
    return f"<code>{escape(text)}</code>"


def chrome(language: str, admins: list[str]) -> dict[str, str]:
    """Every word of the page in ``language``; ``welcome`` and ``not_answering`` are HTML
    (their commands in <code>, names in bold, the rest escaped)."""
    with i18n.reading(language) as code:
        words = {key: _(msgid) for key, msgid in CHROME.items()}
        welcome = escape(_(WELCOME)).format(join=_code("/mentor join"),
                                            status=_code("/mentor status"),
                                            help=_code("/mentor help"))
        if admins:
            names = i18n.format_list([f"<strong>{escape(n)}</strong>" for n in admins], "or")
            welcome += " " + escape(_(WELCOME_ADMINS)).format(
                admins=names, badge=f'<span class="badge">{escape(words["admin"])}</span>',
                command=_code("/mentor admin match Leadership 1:1"))
        words["welcome"] = welcome
        words["not_answering"] = escape(_(NOT_ANSWERING)).format(
            command=_code("mentorbot serve"))
        words["lang"] = i18n.bcp47(code)
    return words


def too_long(length: int, limit: int) -> str:
    """Why a message was refused, with its length and the limit (the reader's language)."""
    return _("That message is {length} characters long; the chat takes up to {limit}. "
             "Shorten it and send it again.").format(length=i18n.format_number(length),
                                                     limit=i18n.format_number(limit))
