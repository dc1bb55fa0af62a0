"""Match reasons and unmatched reasons in the reader's language, translated where they are shown.

The matching engine (``core.matching.explain``) writes its sentences in English, and a run
stores them as written (``Match.reasons``, ``MatchRun.unmatched``). They are read later, by
people who may read another language: the admin's preview, the introduction, the not-matched
DM, self-select. So each known English shape is listed here once, as the catalogs' msgid; a
shown reason is matched against those shapes, its names, skills and numbers kept, and written
again from the reader's catalog. A sentence of no known shape is shown as stored (English),
and ``tests/i18n/test_reasons.py`` fails when the engine writes a shape missing here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from core import i18n
from core.i18n import N_, format_number, ngettext
from core.i18n import gettext as _

# Fields that hold a list the engine joined the English way ("A, B and C").
LISTS = frozenset({"skills", "back", "words", "missing"})
NUMBERS = frozenset({"n", "done", "total"})
_FIELD = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Shape:
    """One English sentence shape: its msgid (and plural msgid when it counts ``n``)."""

    one: str
    many: str | None = None
    counted: str = "n"


def counted(one: str, many: str, field: str = "n") -> Shape:
    """A shape that counts ``field`` (extracted as a plural message, see core.i18n.extract)."""
    return Shape(one, many, field)


# Parts of a match explanation (one "; "-separated clause each). "You" forms first: a name
# could be "you" only by accident, a "you" sentence never fits a name-shaped one.
MATCH_SHAPES: tuple[Shape, ...] = (
    Shape(N_("you offer {skills}, which {b} wants to learn, and {b} offers {back}")),
    Shape(N_("{a} offers {skills}, which you want to learn, and you offer {back}")),
    Shape(N_("{a} offers {skills}, which {b} wants to learn, and {b} offers {back}")),
    Shape(N_("you offer {skills}, which {b} wants to learn")),
    Shape(N_("{a} offers {skills}, which you want to learn")),
    Shape(N_("{a} offers {skills}, which {b} wants to learn")),
    Shape(N_("you and {b} are at the same level")),
    Shape(N_("{a} and {b} are at the same level")),
    counted("you and {b} are {n} level apart", "you and {b} are {n} levels apart"),
    counted("{a} and {b} are {n} level apart", "{a} and {b} are {n} levels apart"),
    counted("you are {n} level above {b}", "you are {n} levels above {b}"),
    counted("{a} is {n} level above you", "{a} is {n} levels above you"),
    counted("{a} is {n} level above {b}", "{a} is {n} levels above {b}"),
    counted("you are {n} level junior to {b}, as reverse mentoring intends",
            "you are {n} levels junior to {b}, as reverse mentoring intends"),
    counted("{a} is {n} level junior to you, as reverse mentoring intends",
            "{a} is {n} levels junior to you, as reverse mentoring intends"),
    counted("{a} is {n} level junior to {b}, as reverse mentoring intends",
            "{a} is {n} levels junior to {b}, as reverse mentoring intends"),
    Shape(N_("you both mention {words} in your goals")),
    Shape(N_("both mention {words} in their goals")),
    Shape(N_("different departments (you in {d1}, {b} in {d2})")),
    Shape(N_("different departments ({a} in {d1}, you in {d2})")),
    Shape(N_("different departments ({a} in {d1}, {b} in {d2})")),
    Shape(N_("different departments ({d1} and {d2})")),
    counted("{n} working hour of overlap", "{n} working hours of overlap"),
    Shape(N_("the best available fit this round")),
)

# Whole sentences of an unmatched reason; the tails come after any of them.
UNMATCHED_SHAPES: tuple[Shape, ...] = (
    Shape(N_("There was no mentor to pair you with this round.")),
    Shape(N_("There was no partner to pair you with this round.")),
    Shape(N_("Everyone who could be paired with you was already paired this round.")),
    Shape(N_("No mentor in this program offers {skills}, and the mentors who could work with "
             "you had no room left.")),
    Shape(N_("No mentor offering {skills} had room left (and nobody offers {missing}).")),
    Shape(N_("No mentor offering {skills} had room left.")),
    Shape(N_("Every mentor who could work with you was already fully booked.")),
    counted("No mentor shares {n} working hour with you.",
            "No mentor shares {n} working hours with you."),
    counted("No partner shares {n} working hour with you.",
            "No partner shares {n} working hours with you."),
    Shape(N_("Every mentor is in your own department, and this program pairs people across "
             "departments.")),
    Shape(N_("Every partner is in your own department, and this program pairs people across "
             "departments.")),
    Shape(N_("Every possible mentor is in your reporting line, on a do-not-match list or was "
             "matched with you before.")),
    Shape(N_("Every possible partner is in your reporting line, on a do-not-match list or was "
             "matched with you before.")),
    Shape(N_("Every mentor was ruled out by this program's rules (reporting line, department "
             "or working-hours overlap).")),
    Shape(N_("Every partner was ruled out by this program's rules (reporting line, department "
             "or working-hours overlap).")),
    Shape(N_("There was an odd number of people in the peer pool, so one person had to sit "
             "out this round.")),
    Shape(N_("Every mentee in this round was matched with a mentor who fit them more closely, "
             "so nobody was paired with you this time.")),
    Shape(N_("Your mentoring capacity for this program is zero, so nobody was paired with "
             "you.")),
    counted("Held back: {done} of {total} training module done.",
            "Held back: {done} of {total} training modules done.", field="total"),
)
TAILS: tuple[str, ...] = (
    N_("You stay in the pool for the next round; we will tell you when a place opens."),
    N_("Finish the course with `/mentor training` to be included in the next run."),
    N_("You're first in line for the next round."),
    N_("Your offer stays open for the next round."),
)
# A group match explains each mentee in turn: "With Dev: ...; ... With Eve: ...".
_WITH = re.compile(r"(?:^|(?<=\. ))With ([^:;]+): ")


def _pattern(english: str) -> re.Pattern[str]:
    """``english`` with each ``{field}`` a group (a repeated field must repeat its text)."""
    out, seen, pos = [], set(), 0
    for m in _FIELD.finditer(english):
        out.append(re.escape(english[pos:m.start()]))
        name = m.group(1)
        if name in seen:
            out.append(f"(?P={name})")
        elif name in NUMBERS:
            out.append(rf"(?P<{name}>\d[\d,]*(?:\.\d+)?)")
        else:
            out.append(f"(?P<{name}>.+?)")
        seen.add(name)
        pos = m.end()
    out.append(re.escape(english[pos:]))
    return re.compile("^" + "".join(out) + "$", re.DOTALL)


@cache
def _compiled(shapes: tuple[Shape, ...]) -> list[tuple[re.Pattern[str], Shape]]:
    return [(_pattern(form), shape) for shape in shapes
            for form in (shape.one, shape.many) if form]


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def _english_list(text: str) -> list[str]:
    """ "A, B and C" as the engine joined it."""
    head, sep, last = text.rpartition(" and ")
    return [*head.split(", "), last] if sep else [text]


def and_list(items: list[str]) -> str:
    """Items joined the reader's way ("A, B und C")."""
    if len(items) < 2:
        return "".join(items)
    return _("{names} and {last}").format(names=", ".join(items[:-1]), last=items[-1])


def _render(shape: Shape, found: dict[str, str]) -> str:
    values: dict[str, str] = {}
    for name, value in found.items():
        if name in NUMBERS:
            values[name] = format_number(_number(value))
        elif name in LISTS:
            values[name] = and_list(_english_list(value))
        else:
            values[name] = value
    if shape.many is None:
        template = _(shape.one)
    else:
        template = ngettext(shape.one, shape.many, _number(found[shape.counted]))
    return template.format(**values)


def _translate(text: str, shapes: tuple[Shape, ...]) -> str | None:
    """``text`` in the reader's language, or None when it has no known shape."""
    candidates = [text]
    if text[:1].isupper():  # an explanation capitalises its first clause
        candidates.append(text[0].lower() + text[1:])
    for candidate in candidates:
        for pattern, shape in _compiled(shapes):
            m = pattern.match(candidate)
            if m:
                out = _render(shape, m.groupdict())
                return out[:1].upper() + out[1:] if text[:1].isupper() else out
    return None


def reason(part: str) -> str:
    """One clause of a match explanation ("Ana offers Negotiation, which Dev wants to learn"),
    its full stop kept if it had one; a group's "With Dev: ..." parts each translated."""
    if i18n.language() == i18n.DEFAULT_LANGUAGE:
        return part
    pieces = _WITH.split(part.strip())
    if len(pieces) > 1:
        out = [_clause(pieces[0])] if pieces[0] else []
        out += [_("With {name}:").format(name=name) + " " + _clause(text)
                for name, text in zip(pieces[1::2], pieces[2::2], strict=True)]
        return " ".join(out)
    return _clause(part)


def _clause(part: str) -> str:
    stripped = part.strip()
    stop = stripped.endswith(".")
    core = stripped[:-1] if stop else stripped
    out = _translate(core, MATCH_SHAPES)
    return part if out is None else out + ("." if stop else "")


def reasons(parts: list[str]) -> list[str]:
    """A match's stored reasons (``Match.reasons``), each in the reader's language."""
    return [reason(p) for p in parts]


def explanation(text: str) -> str:
    """A whole explanation ("A; b; c."), as ``explain_edges`` writes it, translated."""
    if i18n.language() == i18n.DEFAULT_LANGUAGE:
        return text
    stop = text.endswith(".")
    parts = (text[:-1] if stop else text).split("; ")
    return "; ".join(reason(p) for p in parts) + ("." if stop else "")


def unmatched(text: str, *, with_tail: bool = True) -> str:
    """Why someone was left unmatched (a run's stored reason), in the reader's language.

    ``with_tail=False`` drops what comes after the reason ("You stay in the pool ..."), for
    the admin's one-line summary.
    """
    body, tails = text.strip(), []
    found = True
    while found:
        found = False
        for tail in TAILS:
            if body.endswith(" " + tail) or body == tail:
                tails.insert(0, tail)
                body = body[: -len(tail)].rstrip()
                found = True
    if i18n.language() == i18n.DEFAULT_LANGUAGE:
        out = body
    else:
        out = _translate(body, UNMATCHED_SHAPES) or body
    if with_tail:
        out = " ".join([out, *(_(t) for t in tails)]).strip()
    return out
